// natkit/enum/number.hpp - a telephone number as ENUM's Application Unique String, and the
// domain name it is looked up under (RFC 6116 §3.1, §3.2, §3.4; RFC 3761 §2.1, §2.4).
//
//     auto n = enum_::e164_number::parse("+49 30 1234-5678");   // aus() == "+493012345678"
//     auto d = enum_::domain_for(*n, "e164.arpa");              // 8.7.6.5.4.3.2.1.0.3.9.4.e164.arpa
//
// Neither allocates except the std::string conveniences.
#ifndef NATKIT_ENUM_NUMBER_HPP
#define NATKIT_ENUM_NUMBER_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// The public ENUM tree (RFC 6116 §3.4).
inline constexpr std::string_view default_suffix = "e164.arpa";

/// A full E.164 number: '+' and 1-15 digits (ITU-T E.164 §6 caps a number at 15 digits).
class e164_number {
public:
    static constexpr std::size_t max_digits = 15;  ///< ITU-T E.164 §6

    /// Reads a number as people write it. It must start with '+' (RFC 6116 §3.1: ENUM is
    /// only for full E.164 numbers, and the '+' marks one); spaces and the visual separators
    /// of RFC 3966 §5.1.1 ("-", ".", "(", ")") and '/' are dropped; anything else is an error.
    static result<e164_number> parse(std::string_view text) noexcept {
        std::size_t i = 0;
        while (i < text.size() && is_separator(text[i])) ++i;
        if (i == text.size()) return errc::empty_number;
        if (text[i] != '+') return errc::not_international;
        e164_number n;
        n.aus_[0] = '+';
        std::size_t size = 1;
        for (++i; i < text.size(); ++i) {
            const char c = text[i];
            if (c >= '0' && c <= '9') {
                if (size == max_digits + 1) return errc::number_too_long;
                n.aus_[size++] = c;
            } else if (!is_separator(c)) {
                return errc::bad_number;
            }
        }
        if (size == 1) return errc::empty_number;
        n.size_ = static_cast<std::uint8_t>(size);
        return n;
    }

    /// The Application Unique String (RFC 6116 §3.1): '+' and the digits, e.g. "+441164960348".
    /// It is what every NAPTR regular expression is applied to (RFC 3402 §3.2).
    std::string_view aus() const noexcept { return {aus_, size_}; }
    /// The digits alone.
    std::string_view digits() const noexcept { return aus().substr(1); }

    /// The same digits.
    friend bool operator==(const e164_number& a, const e164_number& b) noexcept { return a.aus() == b.aus(); }
    /// Different digits.
    friend bool operator!=(const e164_number& a, const e164_number& b) noexcept { return !(a == b); }

private:
    static constexpr bool is_separator(char c) noexcept {
        return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
    }

    char aus_[max_digits + 1] = {};
    std::uint8_t size_ = 0;
};

/// The domain a number is looked up under (RFC 6116 §3.4, the First Well Known Rule being the
/// identity, §3.2): the digits in reverse order, one label each, then `suffix`. The suffix is
/// text ("e164.arpa", a trailing dot is fine); errc::bad_domain when it is not a name.
inline result<dns_name> domain_for(const e164_number& number, std::string_view suffix) noexcept {
    auto tail = dns_name::from_text(suffix);
    if (!tail) return tail.error();
    dns_name name;
    const std::string_view digits = number.digits();
    for (std::size_t i = digits.size(); i-- > 0;) {
        const char label[1] = {digits[i]};
        if (!name.append_label(std::string_view(label, 1))) return errc::name_too_long;
    }
    if (!name.append(*tail)) return errc::name_too_long;
    return name;
}

/// The domain as text without the final dot ("4.3.2.1.6.7.9.8.6.4.e164.arpa").
inline result<std::string> domain_text_for(std::string_view number, std::string_view suffix = default_suffix) {
    auto n = e164_number::parse(number);
    if (!n) return n.error();
    auto d = domain_for(*n, suffix);
    if (!d) return d.error();
    return d->to_string();
}

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_NUMBER_HPP
