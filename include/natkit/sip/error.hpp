// natkit/sip/error.hpp - the errors of the SIP rewriter, as a std::error_category.
//
// An SDP body that cannot be rewritten reports natkit::sdp::errc (category "natkit.sdp") with
// the line number within the whole message; these are the errors of the SIP part.
#ifndef NATKIT_SIP_ERROR_HPP
#define NATKIT_SIP_ERROR_HPP

#include <string>
#include <system_error>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sip {

/// Why a SIP message could not be rewritten, or a rule not configured.
enum class errc {
    not_sip = 1,               ///< the first line is neither a request line nor a status line (RFC 3261 §7.1, §7.2)
    unterminated_headers,      ///< no empty line ends the header section (RFC 3261 §7)
    bad_via,                   ///< the top Via has no parseable sent-protocol and sent-by (RFC 3261 §20.42)
    bad_contact,               ///< a Contact value has an unterminated quote or '<' without '>' (RFC 3261 §20.10)
    bad_content_length,        ///< Content-Length is not a decimal number (RFC 3261 §20.14)
    duplicate_content_length,  ///< more than one Content-Length header (RFC 3261 §7.3.1)
    body_truncated,            ///< Content-Length promises more bytes than the message has (RFC 3261 §18.3)
    buffer_too_small,          ///< the fixed output buffer cannot hold the result
    bad_public_address,        ///< a public SIP address that is unspecified or multicast
};

namespace detail {
class error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "natkit.sip"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::not_sip:
                return "not a SIP message (no request or status line)";
            case errc::unterminated_headers:
                return "SIP header section has no terminating empty line";
            case errc::bad_via:
                return "malformed Via header";
            case errc::bad_contact:
                return "malformed Contact header";
            case errc::bad_content_length:
                return "malformed Content-Length header";
            case errc::duplicate_content_length:
                return "more than one Content-Length header";
            case errc::body_truncated:
                return "body shorter than Content-Length says";
            case errc::buffer_too_small:
                return "output buffer too small for the rewritten SIP message";
            case errc::bad_public_address:
                return "public SIP address is unspecified or multicast";
        }
        return "unknown natkit.sip error";
    }
};
}  // namespace detail

/// The category of natkit::sip::errc ("natkit.sip").
inline const std::error_category& error_category() noexcept {
    static const detail::error_category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace sip
NATKIT_END_NAMESPACE

template <>
struct std::is_error_code_enum<natkit::sip::errc> : std::true_type {};

#endif  // NATKIT_SIP_ERROR_HPP
