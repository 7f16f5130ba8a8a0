// natkit/core/endpoint.hpp - IP addresses (IPv4/IPv6) and transport endpoints (address + port).
//
// These are the value types every other natkit component speaks: STUN address attributes,
// NAT discovery results, SDP/SIP rewriting rules. They are small, trivially copyable, and their
// text conversions neither allocate nor throw (only the to_string() conveniences allocate).
#ifndef NATKIT_CORE_ENDPOINT_HPP
#define NATKIT_CORE_ENDPOINT_HPP

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/result.hpp"

NATKIT_BEGIN_NAMESPACE

/// The IP version of an address. The values are the version numbers of the IP header.
enum class address_family : std::uint8_t { ipv4 = 4, ipv6 = 6 };

/// Errors reported when parsing addresses and endpoints from text (category "natkit.address").
enum class parse_errc {
    bad_address = 1,  ///< not an IPv4 dotted quad or an RFC 4291 §2.2 IPv6 text form
    bad_port,         ///< port missing its digits, not decimal, or above 65535
    bad_endpoint,     ///< the address/port framing is wrong: missing port, unbalanced brackets, ...
};

NATKIT_END_NAMESPACE

namespace std {
template <>
struct is_error_code_enum<natkit::parse_errc> : true_type {};
}  // namespace std

NATKIT_BEGIN_NAMESPACE

namespace detail {

class address_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "natkit.address"; }
    std::string message(int ev) const override {
        switch (static_cast<parse_errc>(ev)) {
            case parse_errc::bad_address: return "malformed IP address";
            case parse_errc::bad_port: return "malformed or out-of-range port";
            case parse_errc::bad_endpoint: return "malformed endpoint";
        }
        return "unknown natkit.address error";
    }
};

}  // namespace detail

/// The error category of parse_errc, named "natkit.address".
inline const std::error_category& address_category() noexcept {
    // A function-local static in an inline function is one object program-wide, so error_codes
    // from different translation units compare equal.
    static const detail::address_error_category category;
    return category;
}

/// Makes parse_errc usable as a std::error_code (found by ADL).
inline std::error_code make_error_code(parse_errc e) noexcept {
    return std::error_code(static_cast<int>(e), address_category());
}

namespace detail {

constexpr bool is_dec_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Value of a hex digit, or -1.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Parses exactly a dotted quad "a.b.c.d" (RFC 4291 §2.2 form 3 uses the same notation for the
/// IPv4 tail). Each part is 1-3 decimal digits, 0-255. A leading zero ("01") is rejected:
/// inet_aton() reads it as octal, so accepting it would let two parsers see different addresses.
inline bool parse_ipv4(std::string_view s, std::uint8_t* out) noexcept {
    std::size_t i = 0;
    for (std::size_t part = 0; part < 4; ++part) {
        if (part != 0) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
        const std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && is_dec_digit(s[i])) {
            if (i - start == 3) return false;
            value = value * 10u + static_cast<unsigned>(s[i] - '0');
            ++i;
        }
        const std::size_t digits = i - start;
        if (digits == 0 || value > 255u) return false;
        if (digits > 1 && s[start] == '0') return false;
        out[part] = static_cast<std::uint8_t>(value);
    }
    return i == s.size();
}

/// Parses the three IPv6 text forms of RFC 4291 §2.2: x:x:x:x:x:x:x:x with 1-4 hex digits a
/// group, "::" standing for one or more zero groups (at most once), and a dotted-quad IPv4 tail
/// for the low 32 bits. Zone ids (RFC 4007 "%eth0") and brackets are not part of an address.
inline bool parse_ipv6(std::string_view s, std::uint8_t* out) noexcept {
    std::uint16_t groups[8] = {};
    constexpr std::size_t no_gap = static_cast<std::size_t>(-1);
    std::size_t n = 0;         // groups written
    std::size_t gap = no_gap;  // index of the group where "::" stands, if any
    std::size_t i = 0;

    if (s.empty()) return false;
    if (s[0] == ':') {
        // A leading colon is only valid as the first half of "::".
        if (s.size() < 2 || s[1] != ':') return false;
        gap = 0;
        i = 2;
        if (i == s.size()) {
            std::memset(out, 0, 16);
            return true;
        }
    }

    for (;;) {
        const std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && hex_value(s[i]) >= 0) {
            value = ((value << 4) | static_cast<unsigned>(hex_value(s[i]))) & 0xFFFFFu;
            ++i;
        }
        const std::size_t digits = i - start;
        if (i < s.size() && s[i] == '.') {
            // IPv4 tail: it fills the last two groups and must end the text.
            if (n + 2 > 8) return false;
            std::uint8_t v4[4];
            if (!parse_ipv4(s.substr(start), v4)) return false;
            groups[n++] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
            groups[n++] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
            break;
        }
        if (digits == 0 || digits > 4 || n == 8) return false;
        groups[n++] = static_cast<std::uint16_t>(value);
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (gap != no_gap) return false;  // "::" may appear only once (RFC 4291 §2.2 item 2)
            gap = n;
            ++i;
            if (i == s.size()) break;
        } else if (i == s.size()) {
            return false;  // trailing single colon
        }
    }

    if (gap == no_gap) {
        if (n != 8) return false;
    } else {
        // "::" stands for at least one group, so at most 7 may be written out.
        if (n > 7) return false;
        const std::size_t tail = n - gap;
        const std::size_t zeros = 8 - n;
        for (std::size_t k = 0; k < tail; ++k) groups[7 - k] = groups[gap + tail - 1 - k];
        for (std::size_t k = 0; k < zeros; ++k) groups[gap + k] = 0;
    }
    for (std::size_t k = 0; k < 8; ++k) {
        out[2 * k] = static_cast<std::uint8_t>(groups[k] >> 8);
        out[2 * k + 1] = static_cast<std::uint8_t>(groups[k] & 0xFFu);
    }
    return true;
}

/// Parses a decimal port 0-65535 (RFC 3986 §3.2.3 port = *DIGIT, here 1-5 digits).
inline bool parse_port(std::string_view s, std::uint16_t& port) noexcept {
    if (s.empty() || s.size() > 5) return false;
    unsigned value = 0;
    for (char c : s) {
        if (!is_dec_digit(c)) return false;
        value = value * 10u + static_cast<unsigned>(c - '0');
    }
    if (value > 65535u) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

/// Writes the decimal form of v (no leading zeros); returns the characters written (1-5).
inline std::size_t format_decimal(unsigned v, char* out) noexcept {
    char tmp[10];
    std::size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    for (std::size_t k = 0; k < n; ++k) out[k] = tmp[n - 1 - k];
    return n;
}

inline std::size_t format_ipv4(const std::uint8_t* b, char* out) noexcept {
    std::size_t len = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        if (k != 0) out[len++] = '.';
        len += format_decimal(b[k], out + len);
    }
    return len;
}

/// RFC 5952 §4 canonical text: lower-case hex (§4.3), no leading zeros in a group (§4.1), the
/// longest run of two or more zero groups replaced by "::", the first one on a tie (§4.2.2,
/// §4.2.3), and IPv4-mapped addresses with a dotted-quad tail (§5).
inline std::size_t format_ipv6(const std::uint8_t* b, char* out) noexcept {
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t len = 0;

    bool mapped = b[10] == 0xFF && b[11] == 0xFF;
    for (std::size_t k = 0; k < 10 && mapped; ++k) mapped = b[k] == 0;
    if (mapped) {
        static constexpr char prefix[] = "::ffff:";
        std::memcpy(out, prefix, sizeof prefix - 1);
        return sizeof prefix - 1 + format_ipv4(b + 12, out + sizeof prefix - 1);
    }

    unsigned groups[8];
    for (std::size_t k = 0; k < 8; ++k) groups[k] = (unsigned{b[2 * k]} << 8) | b[2 * k + 1];

    std::size_t best_base = 8, best_len = 0;
    for (std::size_t k = 0; k < 8;) {
        if (groups[k] != 0) {
            ++k;
            continue;
        }
        std::size_t end = k;
        while (end < 8 && groups[end] == 0) ++end;
        if (end - k > best_len) {  // strictly longer: the first run wins ties
            best_base = k;
            best_len = end - k;
        }
        k = end;
    }
    if (best_len < 2) best_base = 8;  // §4.2.2: a single zero group is not shortened

    for (std::size_t k = 0; k < 8;) {
        if (k == best_base) {
            out[len++] = ':';
            out[len++] = ':';
            k += best_len;
            continue;
        }
        if (k != 0 && k != best_base + best_len) out[len++] = ':';
        const unsigned g = groups[k];
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned nibble = (g >> static_cast<unsigned>(shift)) & 0xFu;
            if (nibble != 0 || started || shift == 0) {
                out[len++] = hex[nibble];
                started = true;
            }
        }
        ++k;
    }
    return len;
}

/// 64-bit FNV-1a, used by the std::hash specialisations.
constexpr std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n,
                              std::uint64_t h = 0xcbf29ce484222325ull) noexcept {
    for (std::size_t k = 0; k < n; ++k) {
        h ^= p[k];
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace detail

/// An IPv4 or IPv6 address, stored as network-order bytes.
///
/// IPv4-mapped IPv6 addresses (\::ffff:a.b.c.d, RFC 4291 §2.5.5.2) are IPv6 addresses here: they
/// never compare equal to the IPv4 address they embed, and the is_* predicates classify them as
/// IPv6 (\::ffff:127.0.0.1 is not loopback).
class ip_address {
public:
    /// The IPv4 unspecified address 0.0.0.0.
    constexpr ip_address() noexcept = default;

    /// An IPv4 address from a host-order integer, e.g. 0x7F000001 for 127.0.0.1.
    static constexpr ip_address v4(std::uint32_t host_order) noexcept {
        ip_address r;
        r.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
        r.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
        r.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
        r.bytes_[3] = static_cast<std::uint8_t>(host_order);
        return r;
    }
    /// The IPv4 address a.b.c.d.
    static constexpr ip_address v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
        ip_address r;
        r.bytes_[0] = a;
        r.bytes_[1] = b;
        r.bytes_[2] = c;
        r.bytes_[3] = d;
        return r;
    }
    /// An IPv4 address from 4 bytes in network order (as in a STUN attribute or sockaddr_in).
    static ip_address v4_bytes(const std::uint8_t* four_bytes_network_order) noexcept {
        ip_address r;
        std::memcpy(r.bytes_.data(), four_bytes_network_order, 4);
        return r;
    }
    /// An IPv6 address from 16 bytes in network order.
    static ip_address v6(const std::uint8_t* sixteen_bytes) noexcept {
        ip_address r;
        r.family_ = address_family::ipv6;
        std::memcpy(r.bytes_.data(), sixteen_bytes, 16);
        return r;
    }
    /// The IPv6 unspecified address "::".
    static constexpr ip_address v6_any() noexcept {
        ip_address r;
        r.family_ = address_family::ipv6;
        return r;
    }

    /// Parses an IPv4 dotted quad ("192.0.2.1": exactly four decimal parts 0-255, no sign, no
    /// leading zeros) or an IPv6 address in any RFC 4291 §2.2 form, including "::",
    /// "2001:DB8::1" (either case) and an embedded IPv4 tail ("::ffff:192.0.2.1").
    /// Zone ids ("fe80::1%eth0") and brackets ("[::1]") are rejected: see endpoint::parse.
    /// Fails with parse_errc::bad_address.
    static result<ip_address> parse(std::string_view text) noexcept {
        ip_address r;
        if (text.find(':') == std::string_view::npos) {
            if (detail::parse_ipv4(text, r.bytes_.data())) return r;
        } else {
            r.family_ = address_family::ipv6;
            if (detail::parse_ipv6(text, r.bytes_.data())) return r;
        }
        return parse_errc::bad_address;
    }

    ///@{
    /// IPv4 or IPv6.
    constexpr address_family family() const noexcept { return family_; }
    constexpr bool is_v4() const noexcept { return family_ == address_family::ipv4; }
    constexpr bool is_v6() const noexcept { return family_ == address_family::ipv6; }
    ///@}

    /// The IPv4 address as a host-order integer. Precondition: is_v4().
    constexpr std::uint32_t v4_host_order() const noexcept {
        assert(is_v4());
        return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
               (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
    }
    /// The address bytes in network order; size() of them (4 or 16).
    constexpr const std::uint8_t* data() const noexcept { return bytes_.data(); }
    /// 4 or 16: the length of data().
    constexpr std::size_t size() const noexcept { return is_v4() ? 4 : 16; }

    /// 0.0.0.0 or :: (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2).
    constexpr bool is_unspecified() const noexcept {
        for (std::size_t k = 0; k < size(); ++k)
            if (bytes_[k] != 0) return false;
        return true;
    }
    /// 127.0.0.0/8 (RFC 1122 §3.2.1.3) or ::1 (RFC 4291 §2.5.3).
    constexpr bool is_loopback() const noexcept {
        if (is_v4()) return bytes_[0] == 127;
        for (std::size_t k = 0; k < 15; ++k)
            if (bytes_[k] != 0) return false;
        return bytes_[15] == 1;
    }
    /// 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 §2.7).
    constexpr bool is_multicast() const noexcept {
        return is_v4() ? (bytes_[0] & 0xF0) == 0xE0 : bytes_[0] == 0xFF;
    }
    /// \::ffff:0:0/96, an IPv4 address carried in IPv6 (RFC 4291 §2.5.5.2).
    constexpr bool is_v4_mapped() const noexcept {
        if (!is_v6()) return false;
        for (std::size_t k = 0; k < 10; ++k)
            if (bytes_[k] != 0) return false;
        return bytes_[10] == 0xFF && bytes_[11] == 0xFF;
    }

    /// Length of the longest text form ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"),
    /// INET6_ADDRSTRLEN - 1. format() itself never writes more than 39 characters.
    static constexpr std::size_t max_text_size = 45;

    /// Writes the text form (no terminating NUL) to out and returns its length. Returns 0 and
    /// writes nothing if capacity is too small; capacity >= max_text_size always suffices.
    /// IPv4 is a dotted quad; IPv6 is RFC 5952 canonical text.
    std::size_t format(char* out, std::size_t capacity) const noexcept {
        char buf[max_text_size];
        const std::size_t len = is_v4() ? detail::format_ipv4(bytes_.data(), buf)
                                        : detail::format_ipv6(bytes_.data(), buf);
        if (len == 0 || len > capacity) return 0;  // len > 0 always: tells GCC out is untouched when capacity is 0
        std::memcpy(out, buf, len);
        return len;
    }
    /// format() into a std::string; the one allocating member.
    std::string to_string() const {
        char buf[max_text_size];
        return std::string(buf, format(buf, sizeof buf));
    }

    ///@{
    /// Equal when family and bytes are equal.
    friend constexpr bool operator==(const ip_address& a, const ip_address& b) noexcept {
        if (a.family_ != b.family_) return false;
        for (std::size_t k = 0; k < 16; ++k)
            if (a.bytes_[k] != b.bytes_[k]) return false;
        return true;
    }
    friend constexpr bool operator!=(const ip_address& a, const ip_address& b) noexcept { return !(a == b); }
    ///@}
    /// A total order: every IPv4 address before every IPv6 address, then by bytes (which is
    /// numeric order).
    friend constexpr bool operator<(const ip_address& a, const ip_address& b) noexcept {
        if (a.family_ != b.family_) return a.family_ == address_family::ipv4;
        for (std::size_t k = 0; k < 16; ++k)
            if (a.bytes_[k] != b.bytes_[k]) return a.bytes_[k] < b.bytes_[k];
        return false;
    }

private:
    // IPv4 uses the first 4 bytes and keeps the rest zero, so comparisons and hashing can look
    // at all 16 bytes.
    std::array<std::uint8_t, 16> bytes_{};
    address_family family_ = address_family::ipv4;
};

/// A transport address: an IP address and a port (what a UDP socket is bound or sends to).
class endpoint {
public:
    /// 0.0.0.0:0
    constexpr endpoint() noexcept = default;
    /// An address and a port.
    constexpr endpoint(ip_address a, std::uint16_t p) noexcept : address_(a), port_(p) {}

    ///@{
    /// Address, port and family, read and written.
    constexpr ip_address address() const noexcept { return address_; }
    constexpr std::uint16_t port() const noexcept { return port_; }
    constexpr void set_address(ip_address a) noexcept { address_ = a; }
    constexpr void set_port(std::uint16_t p) noexcept { port_ = p; }
    constexpr address_family family() const noexcept { return address_.family(); }
    ///@}

    /// Parses "192.0.2.1:5060" or "[2001:db8::1]:5060" (RFC 3986 §3.2.2: an IPv6 literal is
    /// bracketed so its colons are not read as the port separator). The port is required and is
    /// 1-5 decimal digits, 0-65535. Brackets must hold an IPv6 address.
    /// Errors: parse_errc::bad_address (the address part), bad_port (the digits after the
    /// colon), bad_endpoint (missing port or brackets, e.g. "[::1]", "[::1", "2001:db8::1").
    static result<endpoint> parse(std::string_view text) noexcept { return parse_impl(text, false, 0); }

    /// As parse(text), but the port may be left out and then is default_port: "192.0.2.1",
    /// "[::1]", and a bare IPv6 address without brackets ("2001:db8::1"). A bare IPv6 address
    /// never carries a port: "2001:db8::1:5060" is the address 2001:db8::1:5060.
    static result<endpoint> parse(std::string_view text, std::uint16_t default_port) noexcept {
        return parse_impl(text, true, default_port);
    }

    /// Length of the longest text form, "[" + 45 + "]:" + 5 digits.
    static constexpr std::size_t max_text_size = 45 + 2 + 1 + 5;

    /// Writes "a.b.c.d:port" or "[ipv6]:port" (RFC 3986 §3.2.2, RFC 5952 §6) without a NUL and
    /// returns its length; returns 0 and writes nothing if capacity is too small.
    std::size_t format(char* out, std::size_t capacity) const noexcept {
        char buf[max_text_size];
        std::size_t len = 0;
        if (address_.is_v6()) buf[len++] = '[';
        len += address_.format(buf + len, ip_address::max_text_size);
        if (address_.is_v6()) buf[len++] = ']';
        buf[len++] = ':';
        len += detail::format_decimal(port_, buf + len);
        if (len == 0 || len > capacity) return 0;  // len > 0 always: tells GCC out is untouched when capacity is 0
        std::memcpy(out, buf, len);
        return len;
    }
    /// format() into a std::string; the one allocating member.
    std::string to_string() const {
        char buf[max_text_size];
        return std::string(buf, format(buf, sizeof buf));
    }

    ///@{
    /// Equal when address and port are equal.
    friend constexpr bool operator==(const endpoint& a, const endpoint& b) noexcept {
        return a.address_ == b.address_ && a.port_ == b.port_;
    }
    friend constexpr bool operator!=(const endpoint& a, const endpoint& b) noexcept { return !(a == b); }
    ///@}
    /// By address (see ip_address's operator<), then by port.
    friend constexpr bool operator<(const endpoint& a, const endpoint& b) noexcept {
        if (a.address_ != b.address_) return a.address_ < b.address_;
        return a.port_ < b.port_;
    }

private:
    static result<endpoint> parse_impl(std::string_view text, bool port_optional,
                                       std::uint16_t default_port) noexcept {
        if (text.empty()) return parse_errc::bad_endpoint;
        std::string_view host;
        std::string_view rest;  // what follows the address: "" or ":port"
        bool bracketed = false;
        if (text[0] == '[') {
            const std::size_t close = text.find(']');
            if (close == std::string_view::npos) return parse_errc::bad_endpoint;
            host = text.substr(1, close - 1);
            rest = text.substr(close + 1);
            bracketed = true;
        } else {
            const std::size_t first = text.find(':');
            const std::size_t last = text.rfind(':');
            if (first != last) {
                // More than one colon and no brackets: a bare IPv6 address, which cannot be
                // followed by a port without ambiguity.
                if (!port_optional) return parse_errc::bad_endpoint;
                host = text;
            } else if (first != std::string_view::npos) {
                host = text.substr(0, first);
                rest = text.substr(first);
            } else {
                host = text;
            }
        }

        auto addr = ip_address::parse(host);
        if (!addr) return parse_errc::bad_address;
        // RFC 3986 §3.2.2: brackets enclose an IPv6 (or IPvFuture) literal, never IPv4.
        if (bracketed && !addr->is_v6()) return parse_errc::bad_address;

        std::uint16_t p = default_port;
        if (rest.empty()) {
            if (!port_optional) return parse_errc::bad_endpoint;
        } else {
            if (rest[0] != ':') return parse_errc::bad_endpoint;
            if (!detail::parse_port(rest.substr(1), p)) return parse_errc::bad_port;
        }
        return endpoint(*addr, p);
    }

    ip_address address_{};
    std::uint16_t port_ = 0;
};

NATKIT_END_NAMESPACE

namespace std {

/// Hashes family and address bytes, so ip_address can key an unordered container.
template <>
struct hash<natkit::ip_address> {
    /// The hash of `a`.
    std::size_t operator()(const natkit::ip_address& a) const noexcept {
        const std::uint8_t family = static_cast<std::uint8_t>(a.family());
        return static_cast<std::size_t>(natkit::detail::fnv1a(a.data(), a.size(), natkit::detail::fnv1a(&family, 1)));
    }
};

/// Hashes address and port, so endpoint can key an unordered container.
template <>
struct hash<natkit::endpoint> {
    /// The hash of `e`.
    std::size_t operator()(const natkit::endpoint& e) const noexcept {
        const natkit::ip_address a = e.address();
        const std::uint8_t family = static_cast<std::uint8_t>(a.family());
        const std::uint8_t port[2] = {static_cast<std::uint8_t>(e.port() >> 8),
                                      static_cast<std::uint8_t>(e.port() & 0xFFu)};
        std::uint64_t h = natkit::detail::fnv1a(&family, 1);
        h = natkit::detail::fnv1a(a.data(), a.size(), h);
        return static_cast<std::size_t>(natkit::detail::fnv1a(port, 2, h));
    }
};

}  // namespace std

#endif  // NATKIT_CORE_ENDPOINT_HPP
