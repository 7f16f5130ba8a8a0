// natkit/enum/error.hpp - why an ENUM lookup (RFC 6116) found no SIP URI, and why a DNS
// message or a NAPTR record was rejected, as a std::error_category ("natkit.enum").
#ifndef NATKIT_ENUM_ERROR_HPP
#define NATKIT_ENUM_ERROR_HPP

#include <string>
#include <system_error>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// Every way an ENUM lookup or one of its steps fails. The groups follow the steps: the
/// telephone number, the DNS message codec, the server's answer, the NAPTR rules.
enum class errc {
    // The number and the domain (RFC 6116 §3.1, §3.4).
    empty_number = 1,      ///< no digits at all
    not_international,     ///< the number does not start with '+' (ENUM needs a full E.164 number)
    bad_number,            ///< a character that is neither a digit nor a visual separator
    number_too_long,       ///< more than 15 digits (ITU-T E.164 §6)
    bad_domain,            ///< a suffix or replacement that is not a usable domain name

    // The DNS message codec (RFC 1035 §4.1).
    truncated,             ///< a header, question, record or RDATA runs past the message's end
    label_too_long,        ///< a label longer than 63 octets (length byte 64-191 on the wire)
    name_too_long,         ///< a name longer than 255 octets in wire form (RFC 1035 §2.3.4)
    pointer_out_of_range,  ///< a compression pointer beyond the message or into the header
    forward_pointer,       ///< a compression pointer to a later offset (§4.1.4 wants a prior one)
    compression_loop,      ///< compression pointers that lead back into the name being read
    bad_rdata,             ///< RDATA whose fields do not fill its RDLENGTH exactly (RFC 3403 §4.1)
    buffer_too_small,      ///< the output buffer cannot hold the query being built
    trailing_bytes,        ///< bytes after the last record the header announces

    // The server's answer (RFC 1035 §4.1.1).
    not_response,          ///< QR is 0, or the opcode is not QUERY
    question_mismatch,     ///< the answer's question is not the one asked
    nxdomain,              ///< RCODE 3: the domain does not exist
    server_failure,        ///< RCODE 2
    refused,               ///< RCODE 5
    server_error,          ///< another non-zero RCODE (format error, not implemented, ...)
    truncated_response,    ///< TC set on an answer over TCP, where nothing larger is possible
    timed_out,             ///< no answer after every retransmission
    connection_closed,     ///< the TCP peer closed the connection before a whole answer

    // The NAPTR rules (RFC 3402, RFC 3403, RFC 6116 §3.4).
    no_naptr_records,      ///< the domain exists but holds no NAPTR record
    no_sip_service,        ///< NAPTR records, but none offers E2U+sip/E2U+sips or leads on
    bad_substitution,      ///< a REGEXP field that is not !ere!replacement!flags (RFC 3402 §3.2)
    unsupported_regex,     ///< an ERE construct this matcher does not implement, or too large
    regex_too_complex,     ///< matching took more steps than the budget allows
    regex_no_match,        ///< the ERE did not match the Application Unique String
    bad_uri,               ///< the rule produced something that is not a sip: or sips: URI
    non_terminal_loop,     ///< a non-terminal rule leads back to a domain already on its path
    too_many_non_terminal, ///< non-terminal rules nested deeper than the configured bound
    too_many_queries,      ///< the lookup needed more DNS queries than the configured bound
};

namespace detail {
class error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "natkit.enum"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::empty_number: return "telephone number has no digits";
        case errc::not_international: return "telephone number does not start with '+' (not a full E.164 number)";
        case errc::bad_number: return "telephone number holds a character that is neither a digit nor a separator";
        case errc::number_too_long: return "telephone number has more than 15 digits";
        case errc::bad_domain: return "not a usable domain name";
        case errc::truncated: return "DNS message truncated";
        case errc::label_too_long: return "DNS label longer than 63 octets";
        case errc::name_too_long: return "DNS name longer than 255 octets";
        case errc::pointer_out_of_range: return "DNS compression pointer out of range";
        case errc::forward_pointer: return "DNS compression pointer points forward";
        case errc::compression_loop: return "DNS compression pointers form a loop";
        case errc::bad_rdata: return "DNS record data malformed";
        case errc::buffer_too_small: return "output buffer too small for the DNS query";
        case errc::trailing_bytes: return "bytes after the last DNS record";
        case errc::not_response: return "DNS message is not a response to a standard query";
        case errc::question_mismatch: return "DNS response answers another question";
        case errc::nxdomain: return "domain does not exist (NXDOMAIN)";
        case errc::server_failure: return "DNS server failure (SERVFAIL)";
        case errc::refused: return "DNS server refused the query";
        case errc::server_error: return "DNS server answered with an error";
        case errc::truncated_response: return "DNS response truncated even over TCP";
        case errc::timed_out: return "DNS query timed out";
        case errc::connection_closed: return "DNS server closed the TCP connection";
        case errc::no_naptr_records: return "no NAPTR records";
        case errc::no_sip_service: return "no NAPTR record for SIP (E2U+sip, E2U+sips)";
        case errc::bad_substitution: return "malformed NAPTR substitution expression";
        case errc::unsupported_regex: return "unsupported or oversized regular expression";
        case errc::regex_too_complex: return "regular expression too costly to match";
        case errc::regex_no_match: return "regular expression does not match the number";
        case errc::bad_uri: return "NAPTR rule did not produce a sip: or sips: URI";
        case errc::non_terminal_loop: return "non-terminal NAPTR rules form a loop";
        case errc::too_many_non_terminal: return "too many nested non-terminal NAPTR rules";
        case errc::too_many_queries: return "ENUM lookup needed too many DNS queries";
        }
        return "unknown ENUM error";
    }
};
}  // namespace detail

/// The category of natkit::enum_::errc ("natkit.enum").
inline const std::error_category& error_category() noexcept {
    static const detail::error_category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace enum_
NATKIT_END_NAMESPACE

template <>
struct std::is_error_code_enum<natkit::enum_::errc> : std::true_type {};

#endif  // NATKIT_ENUM_ERROR_HPP
