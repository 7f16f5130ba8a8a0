// natkit/enum/naptr.hpp - the NAPTR record (RFC 3403 §4.1) as a view over a DNS message, and
// what ENUM reads from its FLAGS and SERVICES fields (RFC 6116 §3.4.1, §3.4.2).
//
//     for (const dns_record& rr : msg.answers())
//         if (auto n = enum_::naptr_record::parse(rr)) use(n->order, n->services, n->regexp);
#ifndef NATKIT_ENUM_NAPTR_HPP
#define NATKIT_ENUM_NAPTR_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/dns_message.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// The fields of one NAPTR record; the strings are views into the message.
struct naptr_record {
    std::uint16_t order = 0;       ///< ORDER: lower first
    std::uint16_t preference = 0;  ///< PREFERENCE: lower first within an ORDER
    std::string_view flags;        ///< FLAGS
    std::string_view services;     ///< SERVICES
    std::string_view regexp;       ///< REGEXP: a substitution expression, or empty
    name_ref replacement;          ///< REPLACEMENT: the next domain, or the root

    /// Reads the RDATA of `rr` (type NAPTR). dns_message::parse() already checked it, so this
    /// fails only for records of another type or from an unchecked source (errc::bad_rdata).
    static result<naptr_record> parse(const dns_record& rr) noexcept {
        if (rr.type != rr_type::naptr) return errc::bad_rdata;
        const std::size_t end = rr.rdata_offset + rr.rdata.size();
        const bytes_view message = rr.message.subview(0, end);
        if (end > rr.message.size() || validate_rdata(message, rr.type, rr.rdata_offset, rr.rdata.size()) != errc{})
            return errc::bad_rdata;
        naptr_record n;
        const std::uint8_t* p = message.data() + rr.rdata_offset;
        n.order = detail::load16(p);
        n.preference = detail::load16(p + 2);
        std::size_t pos = rr.rdata_offset + 4;
        std::string_view* fields[3] = {&n.flags, &n.services, &n.regexp};
        for (std::string_view* field : fields) {
            const std::size_t len = message[pos];
            *field = message.subview(pos + 1, len).as_chars();
            pos += 1 + len;
        }
        n.replacement = name_ref(message, pos);
        return n;
    }
};

/// What the FLAGS field says to ENUM. RFC 3403 §4.1: single characters A-Z and 0-9, case
/// insensitive; RFC 6116 §3.4.1: "u" ends the lookup with a URI, an empty field means
/// non-terminal (the rule leads to another domain). A client ignores a record with a flag
/// it does not know (RFC 3403 §4.1), and "u" together with another flag is such a record.
enum class naptr_flag_kind : std::uint8_t { terminal_uri, non_terminal, unusable };

inline naptr_flag_kind classify_flags(std::string_view flags) noexcept {
    if (flags.empty()) return naptr_flag_kind::non_terminal;
    if (flags.size() == 1 && (flags[0] == 'u' || flags[0] == 'U')) return naptr_flag_kind::terminal_uri;
    return naptr_flag_kind::unusable;
}

/// What the SERVICES field offers.
struct service_info {
    bool enum_service = false;  ///< an E2U field (RFC 6116 §3.4.2), or the RFC 2916 form "sip+E2U"
    bool sip = false;           ///< the "sip" Enumservice (RFC 3764), any subtype
    bool sips = false;          ///< "sips"
    bool empty = false;         ///< no services at all
};

namespace detail {
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(static_cast<unsigned char>(a[i])) != ascii_lower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
}  // namespace detail

/// Reads a SERVICES field: "E2U+sip", "E2U+sip+pres", "E2U+voice:sip" (type "voice" is not
/// SIP), "E2U" alone (a non-terminal rule's usual field), or the RFC 2916 form "sip+E2U" that
/// old zones still carry. Case is ignored (RFC 6116 §3.4.2 makes the field case-insensitive).
inline service_info classify_services(std::string_view services) noexcept {
    service_info info;
    if (services.empty()) {
        info.empty = true;
        return info;
    }
    // Tokens separated by '+'; an Enumservice is type[:subtype[:...]] (RFC 6116 §3.4.2).
    std::string_view tokens[32];
    std::size_t n = 0;
    for (std::size_t start = 0;;) {
        const std::size_t plus = services.find('+', start);
        const std::string_view token = services.substr(start, plus == std::string_view::npos ? plus : plus - start);
        if (n == 32) return info;  // absurdly many: not a field natkit understands
        tokens[n++] = token;
        if (plus == std::string_view::npos) break;
        start = plus + 1;
    }
    std::size_t first = 0, last = n;
    if (detail::iequals(tokens[0], "E2U")) {
        first = 1;
    } else if (n >= 2 && detail::iequals(tokens[n - 1], "E2U")) {
        last = n - 1;  // RFC 2916 §3.2: protocols first, then the resolution service "E2U"
    } else {
        return info;
    }
    info.enum_service = true;
    for (std::size_t i = first; i < last; ++i) {
        const std::string_view type = tokens[i].substr(0, tokens[i].find(':'));
        if (detail::iequals(type, "sip")) info.sip = true;
        if (detail::iequals(type, "sips")) info.sips = true;
    }
    return info;
}

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_NAPTR_HPP
