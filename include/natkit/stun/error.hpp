// natkit/stun/error.hpp - the errors of the STUN codec, as a std::error_category.
#ifndef NATKIT_STUN_ERROR_HPP
#define NATKIT_STUN_ERROR_HPP

#include <string>
#include <system_error>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// Why a STUN message could not be parsed, checked or built.
enum class errc {
    truncated = 1,              ///< shorter than the 20-byte header or than its length field says
    not_stun,                   ///< the first two bits are not zero (RFC 8489 §5)
    bad_length,                 ///< length field not a multiple of 4 or not matching the datagram
    attribute_truncated,        ///< an attribute's header or value runs past the message end
    bad_attribute_length,       ///< a known attribute has a length its definition forbids
    attribute_after_integrity,  ///< something other than FINGERPRINT follows MESSAGE-INTEGRITY(-SHA256)
    attribute_after_fingerprint,///< FINGERPRINT is not the last attribute (RFC 8489 §14.7)
    bad_address_family,         ///< an address attribute names neither IPv4 (1) nor IPv6 (2)
    bad_value,                  ///< an attribute value breaks its definition (e.g. ERROR-CODE class)
    value_too_long,             ///< a value exceeds its attribute's limit (e.g. SOFTWARE 763 bytes)
    attribute_missing,          ///< the requested attribute is not in the message
    no_integrity,               ///< the message carries no MESSAGE-INTEGRITY(-SHA256)
    integrity_mismatch,         ///< MESSAGE-INTEGRITY(-SHA256) does not match the key
    no_fingerprint,             ///< the message carries no FINGERPRINT
    fingerprint_mismatch,       ///< FINGERPRINT does not match the message
    buffer_too_small,           ///< the output buffer cannot hold the message being built
    message_too_large,          ///< the message would exceed what its length field can express
    out_of_order,               ///< builder misuse: an attribute added after FINGERPRINT/integrity
};

namespace detail {
class error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "natkit.stun"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::truncated: return "STUN message truncated";
        case errc::not_stun: return "not a STUN message (first two bits are not zero)";
        case errc::bad_length: return "STUN length field is not a multiple of 4 or does not match the datagram";
        case errc::attribute_truncated: return "STUN attribute runs past the end of the message";
        case errc::bad_attribute_length: return "STUN attribute has a length its definition forbids";
        case errc::attribute_after_integrity: return "attribute other than FINGERPRINT after MESSAGE-INTEGRITY";
        case errc::attribute_after_fingerprint: return "FINGERPRINT is not the last attribute";
        case errc::bad_address_family: return "address attribute has an unknown address family";
        case errc::bad_value: return "STUN attribute value is malformed";
        case errc::value_too_long: return "STUN attribute value is too long";
        case errc::attribute_missing: return "STUN attribute not present";
        case errc::no_integrity: return "STUN message has no MESSAGE-INTEGRITY";
        case errc::integrity_mismatch: return "STUN MESSAGE-INTEGRITY does not match";
        case errc::no_fingerprint: return "STUN message has no FINGERPRINT";
        case errc::fingerprint_mismatch: return "STUN FINGERPRINT does not match";
        case errc::buffer_too_small: return "output buffer too small for the STUN message";
        case errc::message_too_large: return "STUN message too large";
        case errc::out_of_order: return "STUN attribute added after FINGERPRINT or MESSAGE-INTEGRITY";
        }
        return "unknown STUN error";
    }
};
}  // namespace detail

/// The category of natkit::stun::errc ("natkit.stun").
inline const std::error_category& error_category() noexcept {
    static const detail::error_category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace stun
NATKIT_END_NAMESPACE

template <>
struct std::is_error_code_enum<natkit::stun::errc> : std::true_type {};

#endif  // NATKIT_STUN_ERROR_HPP
