// natkit/sdp/error.hpp - the errors of the SDP rewriter and its rules, as a std::error_category.
#ifndef NATKIT_SDP_ERROR_HPP
#define NATKIT_SDP_ERROR_HPP

#include <string>
#include <system_error>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {

/// Why an SDP could not be rewritten, or a rule not configured. The rewriter reports the line
/// too (rewrite_result::line()).
enum class errc {
    not_sdp = 1,                ///< the input does not begin with a "v=" line (RFC 8866 §5)
    bad_origin_line,            ///< o= lacks one of its six fields, or its version cannot be bumped
    bad_connection_line,        ///< c= lacks a field, or its address is malformed for its type
    bad_media_line,             ///< m= lacks its port or protocol, or the port/count is not decimal
    bad_rtcp_line,              ///< a=rtcp: has no decimal port, or an incomplete address (RFC 3605)
    bad_candidate_line,         ///< a=candidate: is missing fields (RFC 8839 §5.1), with --ice add-srflx
    port_range_unmapped,        ///< m= port/count whose ports are mapped only in part, or not linearly
    buffer_too_small,           ///< the fixed output buffer cannot hold the result
    bad_port_mapping,           ///< a port mapping whose range is empty or runs past 65535
    too_many_port_mappings,     ///< the port map is full (port_map::capacity)
    overlapping_port_mapping,   ///< a port mapping overlaps one already in the map
    bad_public_address,         ///< a public address that is unspecified or multicast
    misplaced_connection_line,  ///< a media c= after the section's attributes that changes how its m= port is rewritten
};

namespace detail {
class error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "natkit.sdp"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::not_sdp:
                return "not an SDP (no v= line first)";
            case errc::bad_origin_line:
                return "malformed o= line";
            case errc::bad_connection_line:
                return "malformed c= line";
            case errc::bad_media_line:
                return "malformed m= line";
            case errc::bad_rtcp_line:
                return "malformed a=rtcp line";
            case errc::bad_candidate_line:
                return "malformed a=candidate line";
            case errc::port_range_unmapped:
                return "m= port range is not mapped as a whole";
            case errc::buffer_too_small:
                return "output buffer too small for the rewritten SDP";
            case errc::bad_port_mapping:
                return "malformed port mapping";
            case errc::too_many_port_mappings:
                return "too many port mappings";
            case errc::overlapping_port_mapping:
                return "port mapping overlaps an existing one";
            case errc::bad_public_address:
                return "public address is unspecified or multicast";
            case errc::misplaced_connection_line:
                return "c= line after the media attributes (RFC 8866 order)";
        }
        return "unknown natkit.sdp error";
    }
};
}  // namespace detail

/// The category of natkit::sdp::errc ("natkit.sdp").
inline const std::error_category& error_category() noexcept {
    static const detail::error_category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace sdp
NATKIT_END_NAMESPACE

template <>
struct std::is_error_code_enum<natkit::sdp::errc> : std::true_type {};

#endif  // NATKIT_SDP_ERROR_HPP
