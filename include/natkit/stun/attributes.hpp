// natkit/stun/attributes.hpp - traits for every standard STUN attribute natkit understands:
// RFC 8489 (STUN), RFC 5780 (NAT behaviour discovery), RFC 3489 (classic STUN) and
// RFC 8445 (ICE). Use them with message_view::get<T>() and message_builder::add<T>().
#ifndef NATKIT_STUN_ATTRIBUTES_HPP
#define NATKIT_STUN_ATTRIBUTES_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/result.hpp"
#include "natkit/stun/attribute.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/error.hpp"
#include "natkit/stun/header.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// Value of attributes that carry no value (USE-CANDIDATE).
struct empty_value {};

/// RFC 8489 §14.8: ERROR-CODE = class (hundreds digit, 3-6) and number (0-99), plus a reason.
struct error_value {
    std::uint16_t code = 0;       ///< 300-699, e.g. 401
    std::string_view reason;      ///< UTF-8, fewer than 128 characters
};

/// RFC 5780 §7.2 CHANGE-REQUEST flags.
struct change_request_value {
    /// Ask the server to answer from its other IP address.
    bool change_ip = false;
    /// Ask the server to answer from its other port.
    bool change_port = false;
    /// Equal when both flags are equal.
    friend bool operator==(change_request_value a, change_request_value b) noexcept {
        return a.change_ip == b.change_ip && a.change_port == b.change_port;
    }
};

/// RFC 8489 §18.5 password algorithm numbers.
enum class password_algorithm : std::uint16_t { md5 = 0x0001, sha256 = 0x0002 };

/// RFC 8489 §14.11 PASSWORD-ALGORITHM: an algorithm and its (so far always empty) parameters.
struct password_algorithm_value {
    /// The algorithm number (1 MD5, 2 SHA-256).
    std::uint16_t algorithm = 0;
    /// Its parameters (empty for both defined algorithms).
    bytes_view parameters;
};

/// A list of 16-bit numbers: decoded from a message (big-endian bytes) or given by the
/// caller to encode (host-order array). Used by UNKNOWN-ATTRIBUTES.
class u16_list {
public:
    constexpr u16_list() noexcept = default;
    /// A list the caller owns, in host byte order (for encoding).
    constexpr u16_list(const std::uint16_t* values, std::size_t count) noexcept : host_(values), count_(count) {}
    template <std::size_t N>
    /// A host-order array of N numbers (for encoding).
    constexpr u16_list(const std::uint16_t (&values)[N]) noexcept : host_(values), count_(N) {}  // NOLINT
    /// A view over big-endian bytes as they stand in a message.
    static u16_list from_wire(bytes_view be) noexcept {
        u16_list l;
        l.wire_ = be.data();
        l.count_ = be.size() / 2;
        return l;
    }
    /// How many numbers the list holds.
    constexpr std::size_t size() const noexcept { return count_; }
    /// The i-th number, in host byte order.
    std::uint16_t operator[](std::size_t i) const noexcept { return host_ ? host_[i] : detail::load_be16(wire_ + 2 * i); }

private:
    const std::uint16_t* host_ = nullptr;
    const std::uint8_t* wire_ = nullptr;
    std::size_t count_ = 0;
};

/// RFC 8489 §14.12 PASSWORD-ALGORITHMS: decoded entries are walked with for_each();
/// to encode, give the algorithm numbers (each is written with empty parameters).
class password_algorithms_list {
public:
    constexpr password_algorithms_list() noexcept = default;
    ///@{
    /// Algorithm numbers the caller owns (for encoding).
    constexpr password_algorithms_list(const std::uint16_t* algorithms, std::size_t count) noexcept : host_(algorithms, count) {}
    template <std::size_t N>
    constexpr password_algorithms_list(const std::uint16_t (&algorithms)[N]) noexcept : host_(algorithms, N) {}  // NOLINT
    ///@}
    /// A view over an attribute value as it stands in a message.
    static password_algorithms_list from_wire(bytes_view v) noexcept {
        password_algorithms_list l;
        l.wire_ = v;
        return l;
    }
    /// Calls f(password_algorithm_value) for each entry, in order.
    template <class F>
    void for_each(F&& f) const {
        if (host_.size() != 0 || wire_.empty()) {
            for (std::size_t i = 0; i < host_.size(); ++i) f(password_algorithm_value{host_[i], {}});
            return;
        }
        std::size_t pos = 0;
        while (pos + 4 <= wire_.size()) {
            const std::uint16_t alg = detail::load_be16(wire_.data() + pos);
            const std::size_t len = detail::load_be16(wire_.data() + pos + 2);
            f(password_algorithm_value{alg, wire_.subview(pos + 4, len)});
            pos += 4 + padded_size(len);
        }
    }
    /// True when the list names `algorithm`.
    bool contains(std::uint16_t algorithm) const {
        bool found = false;
        for_each([&](const password_algorithm_value& v) { found = found || v.algorithm == algorithm; });
        return found;
    }
    /// Bytes this list occupies as an attribute value.
    std::size_t wire_size() const noexcept { return wire_.empty() ? 4 * host_.size() : wire_.size(); }
    /// The attribute value as received (empty for a caller-given list).
    bytes_view wire() const noexcept { return wire_; }
    /// The caller-given algorithm numbers (empty for a decoded list).
    const u16_list& algorithms() const noexcept { return host_; }

    /// RFC 8489 §14.12: entries of 4-byte header + padded parameters filling the value exactly.
    static bool well_formed(bytes_view v) noexcept {
        std::size_t pos = 0;
        while (pos < v.size()) {
            if (v.size() - pos < 4) return false;
            const std::size_t len = detail::load_be16(v.data() + pos + 2);
            if (padded_size(len) > v.size() - pos - 4) return false;
            pos += 4 + padded_size(len);
        }
        return true;
    }

private:
    u16_list host_;
    bytes_view wire_;
};

namespace attr {

/// The address attributes (RFC 8489 §14.1, §14.2): 0, family, port, address; the XOR form
/// hides port and address behind the cookie and transaction id so that ALGs do not rewrite them.
template <std::uint16_t Code, bool Xor>
struct address_attribute {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = Code;
    static constexpr std::size_t max_size = 20;
    using value_type = endpoint;

    static result<value_type> decode(bytes_view v, const attribute_context& ctx) noexcept {
        if (v.size() < 4) return errc::bad_attribute_length;
        const std::uint8_t family = v[1];
        const std::size_t addr_len = family == 0x01 ? 4 : family == 0x02 ? 16 : 0;
        if (addr_len == 0) return errc::bad_address_family;
        if (v.size() != 4 + addr_len) return errc::bad_attribute_length;
        std::uint16_t port = detail::load_be16(v.data() + 2);
        std::uint8_t addr[16];
        std::memcpy(addr, v.data() + 4, addr_len);
        if constexpr (Xor) {
            const std::uint8_t* pad = ctx.xor_pad();
            port = static_cast<std::uint16_t>(port ^ detail::load_be16(pad));
            for (std::size_t i = 0; i < addr_len; ++i) addr[i] = static_cast<std::uint8_t>(addr[i] ^ pad[i]);
        } else {
            (void)ctx;
        }
        return endpoint(addr_len == 4 ? ip_address::v4_bytes(addr) : ip_address::v6(addr), port);
    }
    static std::size_t size(const value_type& ep) noexcept { return ep.address().is_v4() ? 8 : 20; }
    static void encode(const value_type& ep, std::uint8_t* out, const attribute_context& ctx) noexcept {
        const ip_address a = ep.address();
        const std::size_t addr_len = a.size();
        out[0] = 0;
        out[1] = a.is_v4() ? 0x01 : 0x02;
        std::uint16_t port = ep.port();
        std::memcpy(out + 4, a.data(), addr_len);
        if constexpr (Xor) {
            const std::uint8_t* pad = ctx.xor_pad();
            port = static_cast<std::uint16_t>(port ^ detail::load_be16(pad));
            for (std::size_t i = 0; i < addr_len; ++i) out[4 + i] = static_cast<std::uint8_t>(out[4 + i] ^ pad[i]);
        } else {
            (void)ctx;
        }
        detail::store_be16(out + 2, port);
    }
    ///@}
};

/// Text attributes (USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN): UTF-8 bytes, taken
/// as they are. Each has a byte limit from its RFC section; longer values are errors.
template <std::uint16_t Code, std::size_t MaxBytes>
struct text_attribute {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = Code;
    static constexpr std::size_t max_size = MaxBytes;
    using value_type = std::string_view;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() > MaxBytes) return errc::value_too_long;
        return v.as_chars();
    }
    static std::size_t size(const value_type& s) noexcept { return s.size(); }
    static void encode(const value_type& s, std::uint8_t* out, const attribute_context&) noexcept {
        if (!s.empty()) std::memcpy(out, s.data(), s.size());
    }
    ///@}
};

/// Opaque byte attributes whose length is checked against [MinBytes, MaxBytes].
template <std::uint16_t Code, std::size_t MinBytes, std::size_t MaxBytes>
struct bytes_attribute {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = Code;
    static constexpr std::size_t max_size = MaxBytes;
    using value_type = bytes_view;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() < MinBytes || v.size() > MaxBytes) return errc::bad_attribute_length;
        return v;
    }
    static std::size_t size(const value_type& b) noexcept { return b.size(); }
    static void encode(const value_type& b, std::uint8_t* out, const attribute_context&) noexcept {
        if (!b.empty()) std::memcpy(out, b.data(), b.size());
    }
    ///@}
};

/// Attributes whose value is one big-endian unsigned integer of N bytes (4 or 8).
template <std::uint16_t Code, class Int>
struct integer_attribute {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = Code;
    static constexpr std::size_t max_size = sizeof(Int);
    using value_type = Int;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() != sizeof(Int)) return errc::bad_attribute_length;
        if constexpr (sizeof(Int) == 8) return detail::load_be64(v.data());
        else return detail::load_be32(v.data());
    }
    static std::size_t size(const value_type&) noexcept { return sizeof(Int); }
    static void encode(const value_type& x, std::uint8_t* out, const attribute_context&) noexcept {
        if constexpr (sizeof(Int) == 8) detail::store_be64(out, x);
        else detail::store_be32(out, x);
    }
    ///@}
};

// --- RFC 8489 ---------------------------------------------------------------------------
using mapped_address = address_attribute<0x0001, false>;      ///< §14.1
using xor_mapped_address = address_attribute<0x0020, true>;   ///< §14.2
using alternate_server = address_attribute<0x8023, false>;    ///< §14.15
using username = text_attribute<0x0006, 512>;                 ///< §14.3: fewer than 513 bytes
using userhash = bytes_attribute<0x001E, 32, 32>;             ///< §14.4: SHA-256 of username:realm
using message_integrity = bytes_attribute<0x0008, 20, 20>;    ///< §14.5: HMAC-SHA1
using message_integrity_sha256 = bytes_attribute<0x001C, 16, 32>;  ///< §14.6: truncated HMAC-SHA256
using fingerprint = integer_attribute<0x8028, std::uint32_t>;  ///< §14.7: CRC-32 ^ 0x5354554E
using realm = text_attribute<0x0014, 763>;                    ///< §14.9: fewer than 128 characters
using nonce = text_attribute<0x0015, 763>;                    ///< §14.10
using software = text_attribute<0x8022, 763>;                 ///< §14.14
using alternate_domain = text_attribute<0x8003, 255>;         ///< §14.16: a DNS name

/// §14.8 ERROR-CODE: 21 zero bits, class (3 bits), number (8 bits), reason phrase.
struct error_code {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x0009;
    static constexpr std::size_t max_size = 4 + 763;
    using value_type = error_value;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() < 4) return errc::bad_attribute_length;
        if (v.size() > max_size) return errc::value_too_long;
        const unsigned cls = v[2] & 0x07u;
        const unsigned number = v[3];
        if (cls < 3 || cls > 6 || number > 99) return errc::bad_value;
        return error_value{static_cast<std::uint16_t>(cls * 100 + number), v.subview(4).as_chars()};
    }
    static std::size_t size(const value_type& e) noexcept { return 4 + e.reason.size(); }
    static void encode(const value_type& e, std::uint8_t* out, const attribute_context&) noexcept {
        out[0] = 0;
        out[1] = 0;
        out[2] = static_cast<std::uint8_t>((e.code / 100) & 0x07u);
        out[3] = static_cast<std::uint8_t>(e.code % 100);
        if (!e.reason.empty()) std::memcpy(out + 4, e.reason.data(), e.reason.size());
    }
    ///@}
};

/// §14.9 UNKNOWN-ATTRIBUTES: the comprehension-required types the server did not understand.
struct unknown_attributes {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x000A;
    using value_type = u16_list;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() % 2 != 0) return errc::bad_attribute_length;
        return u16_list::from_wire(v);
    }
    static std::size_t size(const value_type& l) noexcept { return 2 * l.size(); }
    static void encode(const value_type& l, std::uint8_t* out, const attribute_context&) noexcept {
        for (std::size_t i = 0; i < l.size(); ++i) detail::store_be16(out + 2 * i, l[i]);
    }
    ///@}
};

/// §14.11 PASSWORD-ALGORITHM.
struct password_algorithm {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x001D;
    using value_type = password_algorithm_value;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() < 4) return errc::bad_attribute_length;
        const std::size_t len = detail::load_be16(v.data() + 2);
        if (4 + len != v.size()) return errc::bad_value;
        return password_algorithm_value{detail::load_be16(v.data()), v.subview(4)};
    }
    static std::size_t size(const value_type& p) noexcept { return 4 + p.parameters.size(); }
    static void encode(const value_type& p, std::uint8_t* out, const attribute_context&) noexcept {
        detail::store_be16(out, p.algorithm);
        detail::store_be16(out + 2, static_cast<std::uint16_t>(p.parameters.size()));
        if (!p.parameters.empty()) std::memcpy(out + 4, p.parameters.data(), p.parameters.size());
    }
    ///@}
};

/// §14.12 PASSWORD-ALGORITHMS.
struct password_algorithms {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x8002;
    using value_type = password_algorithms_list;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (!password_algorithms_list::well_formed(v)) return errc::bad_value;
        return password_algorithms_list::from_wire(v);
    }
    static std::size_t size(const value_type& l) noexcept { return l.wire_size(); }
    static void encode(const value_type& l, std::uint8_t* out, const attribute_context&) noexcept {
        if (!l.wire().empty()) {
            std::memcpy(out, l.wire().data(), l.wire().size());
            return;
        }
        for (std::size_t i = 0; i < l.algorithms().size(); ++i) {
            detail::store_be16(out + 4 * i, l.algorithms()[i]);
            detail::store_be16(out + 4 * i + 2, 0);
        }
    }
    ///@}
};

// --- RFC 5780 ---------------------------------------------------------------------------
using response_origin = address_attribute<0x802B, false>;  ///< §7.3
using other_address = address_attribute<0x802C, false>;    ///< §7.4
using padding = bytes_attribute<0x0026, 0, 0xFFFF>;        ///< §7.6 (content is ignored)
using cache_timeout = integer_attribute<0x8027, std::uint32_t>;  ///< §7.7

/// §7.6 PADDING to encode: `n` zero bytes written in place, so no source buffer is needed
/// (decode PADDING with attr::padding).
struct zero_padding {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x0026;
    using value_type = std::size_t;
    static std::size_t size(const value_type& n) noexcept { return n; }
    static void encode(const value_type& n, std::uint8_t* out, const attribute_context&) noexcept {
        if (n != 0) std::memset(out, 0, n);
    }
    ///@}
};

/// §7.2 CHANGE-REQUEST: flag bits A (change IP, 0x4) and B (change port, 0x2).
struct change_request {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x0003;
    static constexpr std::size_t max_size = 4;
    using value_type = change_request_value;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() != 4) return errc::bad_attribute_length;
        const std::uint32_t bits = detail::load_be32(v.data());
        return change_request_value{(bits & 0x4u) != 0, (bits & 0x2u) != 0};
    }
    static std::size_t size(const value_type&) noexcept { return 4; }
    static void encode(const value_type& c, std::uint8_t* out, const attribute_context&) noexcept {
        detail::store_be32(out, (c.change_ip ? 0x4u : 0u) | (c.change_port ? 0x2u : 0u));
    }
    ///@}
};

/// §7.5 RESPONSE-PORT: a port, then two bytes of padding that are part of the value.
struct response_port {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x0027;
    static constexpr std::size_t max_size = 4;
    using value_type = std::uint16_t;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (v.size() != 4) return errc::bad_attribute_length;
        return detail::load_be16(v.data());
    }
    static std::size_t size(const value_type&) noexcept { return 4; }
    static void encode(const value_type& p, std::uint8_t* out, const attribute_context&) noexcept {
        detail::store_be16(out, p);
        detail::store_be16(out + 2, 0);
    }
    ///@}
};

// --- RFC 3489 (classic STUN) ------------------------------------------------------------
using response_address = address_attribute<0x0002, false>;  ///< §11.2.2 (never honoured by natkit's server)
using source_address = address_attribute<0x0004, false>;    ///< §11.2.5
using changed_address = address_attribute<0x0005, false>;   ///< §11.2.3
using reflected_from = address_attribute<0x000B, false>;    ///< §11.2.11

// --- RFC 8445 (ICE) ---------------------------------------------------------------------
using priority = integer_attribute<0x0024, std::uint32_t>;          ///< §7.1.1
using ice_controlled = integer_attribute<0x8029, std::uint64_t>;    ///< §7.1.3 tie-breaker
using ice_controlling = integer_attribute<0x802A, std::uint64_t>;   ///< §7.1.3 tie-breaker

/// §7.1.2 USE-CANDIDATE: no value.
struct use_candidate {
    ///@{
    /// The attribute trait interface (see natkit/stun/attribute.hpp): type code, largest
    /// encoded value, value type, and how to decode, size and encode a value.
    static constexpr std::uint16_t type = 0x0025;
    static constexpr std::size_t max_size = 0;
    using value_type = empty_value;

    static result<value_type> decode(bytes_view v, const attribute_context&) noexcept {
        if (!v.empty()) return errc::bad_attribute_length;
        return empty_value{};
    }
    static std::size_t size(const value_type&) noexcept { return 0; }
    static void encode(const value_type&, std::uint8_t*, const attribute_context&) noexcept {}
    ///@}
};

}  // namespace attr

/// The attribute's name as its RFC spells it, or an empty view for a type natkit does not know.
constexpr std::string_view attribute_name(std::uint16_t type) noexcept {
    switch (type) {
    case 0x0001: return "MAPPED-ADDRESS";
    case 0x0002: return "RESPONSE-ADDRESS";
    case 0x0003: return "CHANGE-REQUEST";
    case 0x0004: return "SOURCE-ADDRESS";
    case 0x0005: return "CHANGED-ADDRESS";
    case 0x0006: return "USERNAME";
    case 0x0007: return "PASSWORD";
    case 0x0008: return "MESSAGE-INTEGRITY";
    case 0x0009: return "ERROR-CODE";
    case 0x000A: return "UNKNOWN-ATTRIBUTES";
    case 0x000B: return "REFLECTED-FROM";
    case 0x0014: return "REALM";
    case 0x0015: return "NONCE";
    case 0x001C: return "MESSAGE-INTEGRITY-SHA256";
    case 0x001D: return "PASSWORD-ALGORITHM";
    case 0x001E: return "USERHASH";
    case 0x0020: return "XOR-MAPPED-ADDRESS";
    case 0x0024: return "PRIORITY";
    case 0x0025: return "USE-CANDIDATE";
    case 0x0026: return "PADDING";
    case 0x0027: return "RESPONSE-PORT";
    case 0x8002: return "PASSWORD-ALGORITHMS";
    case 0x8003: return "ALTERNATE-DOMAIN";
    case 0x8022: return "SOFTWARE";
    case 0x8023: return "ALTERNATE-SERVER";
    case 0x8027: return "CACHE-TIMEOUT";
    case 0x8028: return "FINGERPRINT";
    case 0x8029: return "ICE-CONTROLLED";
    case 0x802A: return "ICE-CONTROLLING";
    case 0x802B: return "RESPONSE-ORIGIN";
    case 0x802C: return "OTHER-ADDRESS";
    default: return {};
    }
}

/// True for the attribute types natkit decodes (so not "unknown" for UNKNOWN-ATTRIBUTES).
constexpr bool is_known_attribute(std::uint16_t type) noexcept { return !attribute_name(type).empty(); }

namespace detail {
/// Length rules the parser enforces for the fixed-size standard attributes, so that a
/// validated message_view never hands a trait a value of impossible size.
constexpr bool attribute_length_ok(std::uint16_t type, std::size_t len) noexcept {
    switch (type) {
    case attr::message_integrity::type: return len == 20;
    case attr::message_integrity_sha256::type: return len >= 16 && len <= 32 && len % 4 == 0;
    case attr::fingerprint::type:
    case attr::priority::type:
    case attr::change_request::type:
    case attr::response_port::type:
    case attr::cache_timeout::type: return len == 4;
    case attr::ice_controlled::type:
    case attr::ice_controlling::type: return len == 8;
    case attr::use_candidate::type: return len == 0;
    case attr::userhash::type: return len == 32;
    case attr::mapped_address::type:
    case attr::xor_mapped_address::type:
    case attr::alternate_server::type:
    case attr::response_origin::type:
    case attr::other_address::type:
    case attr::response_address::type:
    case attr::source_address::type:
    case attr::changed_address::type:
    case attr::reflected_from::type: return len == 8 || len == 20;
    case attr::error_code::type:
    case attr::password_algorithm::type: return len >= 4;
    default: return true;
    }
}
}  // namespace detail

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_ATTRIBUTES_HPP
