// natkit/core/cidr.hpp - an IP network prefix ("10.0.0.0/8", "fd00::/8") and membership tests.
//
// RFC 4632 §3.1 prefix notation for IPv4, RFC 4291 §2.3 for IPv6. Used wherever natkit has to
// decide whether an address belongs to a network: which addresses count as local when SDP and
// SIP are rewritten, which destinations are outside the LAN, allow/deny lists.
#ifndef NATKIT_CORE_CIDR_HPP
#define NATKIT_CORE_CIDR_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/result.hpp"

NATKIT_BEGIN_NAMESPACE

/// Errors of cidr::parse and cidr::make beyond a malformed address (category "natkit.cidr").
enum class cidr_errc {
    bad_prefix_length = 1,  ///< the "/n" part is not decimal, or larger than 32 (IPv4) / 128 (IPv6)
};

NATKIT_END_NAMESPACE

namespace std {
template <>
struct is_error_code_enum<natkit::cidr_errc> : true_type {};
}  // namespace std

NATKIT_BEGIN_NAMESPACE

namespace detail {
class cidr_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "natkit.cidr"; }
    std::string message(int ev) const override {
        switch (static_cast<cidr_errc>(ev)) {
            case cidr_errc::bad_prefix_length:
                return "malformed or out-of-range prefix length";
        }
        return "unknown natkit.cidr error";
    }
};
}  // namespace detail

/// The error category of cidr_errc, named "natkit.cidr".
inline const std::error_category& cidr_category() noexcept {
    static const detail::cidr_error_category category;
    return category;
}

/// Makes cidr_errc usable as a std::error_code (found by ADL).
inline std::error_code make_error_code(cidr_errc e) noexcept {
    return std::error_code(static_cast<int>(e), cidr_category());
}

/// An address prefix: the network address and how many leading bits of it count.
///
/// The stored network address always has its host bits cleared, so two cidr values naming the
/// same network compare equal whatever text they came from ("192.168.1.7/24" is 192.168.1.0/24).
/// A prefix only ever contains addresses of its own family: 10.0.0.0/8 does not contain the
/// IPv4-mapped IPv6 address \::ffff:10.0.0.1 (ip_address keeps the two apart too).
class cidr {
public:
    /// 0.0.0.0/0, every IPv4 address.
    constexpr cidr() noexcept = default;

    /// The prefix of `prefix_length` bits of `network` (0-32 for IPv4, 0-128 for IPv6); host
    /// bits set in `network` are cleared. Fails with cidr_errc::bad_prefix_length.
    static result<cidr> make(const ip_address& network, unsigned prefix_length) noexcept {
        if (prefix_length > network.size() * 8) return cidr_errc::bad_prefix_length;
        cidr c;
        c.prefix_length_ = static_cast<std::uint8_t>(prefix_length);
        std::uint8_t bytes[16] = {};
        for (std::size_t k = 0; k < network.size(); ++k) bytes[k] = network.data()[k] & mask_byte(prefix_length, k);
        c.network_ = network.is_v4() ? ip_address::v4_bytes(bytes) : ip_address::v6(bytes);
        return c;
    }

    /// Parses "a.b.c.d/n" or "ipv6/n" (RFC 4632 §3.1, RFC 4291 §2.3); the address part is
    /// anything ip_address::parse accepts and n is 1-3 decimal digits without a sign. A bare
    /// address means the single host (/32 or /128). Host bits are cleared, see make().
    /// Errors: parse_errc::bad_address (the address part), cidr_errc::bad_prefix_length.
    static result<cidr> parse(std::string_view text) noexcept {
        const std::size_t slash = text.find('/');
        const auto address = ip_address::parse(text.substr(0, slash));
        if (!address) return address.error();
        if (slash == std::string_view::npos) return make(*address, static_cast<unsigned>(address->size() * 8));
        const std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) return cidr_errc::bad_prefix_length;
        unsigned n = 0;
        for (const char ch : digits) {
            if (ch < '0' || ch > '9') return cidr_errc::bad_prefix_length;
            n = n * 10u + static_cast<unsigned>(ch - '0');
        }
        return make(*address, n);
    }

    /// The network address (host bits zero).
    constexpr const ip_address& network() const noexcept { return network_; }
    /// How many leading bits of an address must match network().
    constexpr unsigned prefix_length() const noexcept { return prefix_length_; }
    /// IPv4 or IPv6.
    constexpr address_family family() const noexcept { return network_.family(); }

    /// True when `a` has this prefix's family and its first prefix_length() bits equal the
    /// network's.
    bool contains(const ip_address& a) const noexcept {
        if (a.family() != network_.family()) return false;
        const std::uint8_t* x = a.data();
        const std::uint8_t* n = network_.data();
        const std::size_t full = prefix_length_ / 8u;
        for (std::size_t k = 0; k < full; ++k)
            if (x[k] != n[k]) return false;
        if (full < a.size()) {
            const std::uint8_t m = mask_byte(prefix_length_, full);
            if ((x[full] & m) != n[full]) return false;
        }
        return true;
    }

    /// Longest text form, "ffff:...:255.255.255.255/128".
    static constexpr std::size_t max_text_size = ip_address::max_text_size + 4;

    /// Writes "network/length" without a NUL and returns its length; returns 0 and writes
    /// nothing when `capacity` is too small.
    std::size_t format(char* out, std::size_t capacity) const noexcept {
        char buf[max_text_size];
        std::size_t len = network_.format(buf, sizeof buf);
        buf[len++] = '/';
        len += detail::format_decimal(prefix_length_, buf + len);
        if (len > capacity) return 0;
        for (std::size_t k = 0; k < len; ++k) out[k] = buf[k];
        return len;
    }
    /// format() into a std::string; the one allocating member.
    std::string to_string() const {
        char buf[max_text_size];
        return std::string(buf, format(buf, sizeof buf));
    }

    ///@{
    /// Equal when network and prefix length are equal.
    friend bool operator==(const cidr& a, const cidr& b) noexcept {
        return a.prefix_length_ == b.prefix_length_ && a.network_ == b.network_;
    }
    friend bool operator!=(const cidr& a, const cidr& b) noexcept { return !(a == b); }
    ///@}

private:
    /// The mask of byte `index` for a prefix of `length` bits.
    static constexpr std::uint8_t mask_byte(unsigned length, std::size_t index) noexcept {
        const std::size_t first_bit = index * 8u;
        if (length >= first_bit + 8u) return 0xFF;
        if (length <= first_bit) return 0x00;
        return static_cast<std::uint8_t>(0xFFu << (8u - (length - first_bit)));
    }

    ip_address network_{};
    std::uint8_t prefix_length_ = 0;
};

NATKIT_END_NAMESPACE

#endif  // NATKIT_CORE_CIDR_HPP
