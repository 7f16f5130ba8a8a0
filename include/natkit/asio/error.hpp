// natkit/asio/error.hpp - how a STUN request run by the Asio adapters can fail, as an error
// category of the Asio in use ("natkit.asio").
//
// Completion handlers receive one error_code: empty on success; an Asio/system error for
// socket failures (connection_refused, operation_aborted, ...); otherwise one of these. The
// binding_result that comes with it says more (ERROR-CODE and reason of an error response).
#ifndef NATKIT_ASIO_ERROR_HPP
#define NATKIT_ASIO_ERROR_HPP

#include <string>
#include <type_traits>

#include "natkit/asio/config.hpp"
#include "natkit/stun/binding_client.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

enum class errc {
    timed_out = 1,        ///< no response within the give-up time (RFC 8489 §6.2.1, §6.2.2)
    error_response,       ///< the server answered with an error (result.error_code, result.reason())
    bad_response,         ///< a response the client must reject (RFC 8489 §6.3.3, §6.3.4)
    integrity_violation,  ///< responses failed the MESSAGE-INTEGRITY check (RFC 8489 §9.2.5)
    request_too_large,    ///< the request could not be built (e.g. too much PADDING)
    stream_error,         ///< the TCP byte stream held something that is not STUN, or too large a message
    connection_closed,    ///< the TCP peer closed the connection before answering
};

namespace detail {
class error_category_impl final : public error_category {
public:
    const char* name() const noexcept override { return "natkit.asio"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::timed_out:
                return "STUN request timed out";
            case errc::error_response:
                return "STUN server answered with an error response";
            case errc::bad_response:
                return "STUN response is unusable";
            case errc::integrity_violation:
                return "STUN response failed the integrity check";
            case errc::request_too_large:
                return "STUN request too large to build";
            case errc::stream_error:
                return "TCP stream does not carry a valid STUN message";
            case errc::connection_closed:
                return "STUN server closed the connection";
        }
        return "unknown natkit.asio error";
    }
};
}  // namespace detail

/// The category of natkit::asio::errc, named "natkit.asio".
inline const error_category& asio_category() noexcept {
    static const detail::error_category_impl category;
    return category;
}

/// Makes errc usable as an error_code (found by ADL).
inline error_code make_error_code(errc e) noexcept { return error_code(static_cast<int>(e), asio_category()); }

namespace detail {
/// The error a finished binding_client reports: empty when it succeeded.
inline error_code error_of(const stun::binding_client& client) noexcept {
    switch (client.state()) {
        case stun::binding_state::pending:
        case stun::binding_state::succeeded:
            return {};
        case stun::binding_state::timed_out:
            return make_error_code(errc::timed_out);
        case stun::binding_state::failed:
            break;
    }
    switch (client.result().failure) {
        case stun::binding_failure::error_response:
            return make_error_code(errc::error_response);
        case stun::binding_failure::integrity_violation:
            return make_error_code(errc::integrity_violation);
        case stun::binding_failure::request_too_large:
            return make_error_code(errc::request_too_large);
        case stun::binding_failure::bad_response:
        case stun::binding_failure::none:
            break;
    }
    return make_error_code(errc::bad_response);
}
}  // namespace detail

}  // namespace asio
NATKIT_END_NAMESPACE

#if defined(NATKIT_ASIO_USE_BOOST)
template <>
struct boost::system::is_error_code_enum<natkit::asio::errc> : std::true_type {};
#else
template <>
struct std::is_error_code_enum<natkit::asio::errc> : std::true_type {};
#endif

#endif  // NATKIT_ASIO_ERROR_HPP
