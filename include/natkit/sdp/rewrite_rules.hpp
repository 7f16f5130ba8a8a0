// natkit/sdp/rewrite_rules.hpp - what the SDP rewriter puts in place of local addresses and ports.
//
//     sdp::rewrite_rules rules;
//     rules.set_public_address(ip_address::v4(203, 0, 113, 5));        // learned with STUN
//     rules.ports.add(sdp::port_mapping::single(55000, 40012));        // RTP socket's public port
//     rules.ports.add(*sdp::port_mapping::range(56000, 56999, 46000)); // a forwarded range
//     rules.local.add(*cidr::parse("198.51.100.0/24"));                // a routed office subnet
//     rules.ice = sdp::ice_policy::add_srflx;
#ifndef NATKIT_SDP_REWRITE_RULES_HPP
#define NATKIT_SDP_REWRITE_RULES_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/local_networks.hpp"
#include "natkit/sdp/error.hpp"
#include "natkit/sdp/port_map.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {

/// What happens to ICE candidates (RFC 8839 §5.1) and the other ICE attributes.
enum class ice_policy : std::uint8_t {
    /// Leave every a=candidate line as it is: ICE finds the public address itself.
    keep,
    /// Remove the ICE attributes: a=candidate, a=remote-candidates, a=end-of-candidates,
    /// a=ice-ufrag, a=ice-pwd, a=ice-options, a=ice-lite, a=ice-mismatch, a=ice-pacing
    /// (RFC 8839 §5). The peer then uses the rewritten c=/m= addresses alone.
    strip,
    /// Keep the candidates and add, after each UDP host candidate whose address is local and
    /// whose port is mapped, the server-reflexive candidate the mapping stands for: public
    /// address and port, "typ srflx raddr <host address> rport <host port>" (RFC 8839 §5.1),
    /// with the priority RFC 8445 §5.1.2.1 gives it (type preference 100, the host's local
    /// preference, its component).
    add_srflx,
};

/// The rules of an SDP rewrite: the public addresses, the port map, which addresses are local,
/// the ICE policy and whether to bump the o= session version.
///
/// A plain value without heap storage (about 1 KiB). Only addresses that are local (see
/// `local`) and of a family with a public address are ever replaced.
class rewrite_rules {
public:
    /// Local port → public port. An m= port, an a=rtcp port and a host candidate's port are
    /// replaced when they are mapped here (and their address counts as local).
    port_map ports;
    /// Which addresses count as local: the RFC 1918/6598/4193 ranges, link-local and loopback
    /// by default, plus configured prefixes.
    local_networks local;
    /// What to do with ICE candidates (a=candidate): keep, strip, or add a server-reflexive one.
    ice_policy ice = ice_policy::keep;
    /// Add 1 to the sess-version of o= (RFC 8866 §5.2) on every rewrite. Rewriting the same
    /// offer again gives the same version, so the RFC 3264 §8 rule "a changed SDP has a higher
    /// version" holds for the rewritten SDPs as it held for the originals; use it when the
    /// public address changed within a dialog and the peer must notice.
    bool bump_version = false;

    /// Sets the public address of its family (one IPv4 and one IPv6 at most; a second call of
    /// the same family replaces the first). Fails with errc::bad_public_address for the
    /// unspecified and multicast addresses, which cannot stand for a host.
    std::error_code set_public_address(const ip_address& a) noexcept {
        if (a.is_unspecified() || a.is_multicast()) return errc::bad_public_address;
        slot& s = slot_of(a.family());
        s.address = a;
        s.text_size = static_cast<std::uint8_t>(a.format(s.text, sizeof s.text));
        s.set = true;
        return {};
    }
    /// Forgets the public address of family `f`: addresses of that family are left alone.
    void clear_public_address(address_family f) noexcept { slot_of(f) = slot{}; }

    /// The public address of family `f`, or nullptr when none is configured.
    const ip_address* public_address(address_family f) const noexcept {
        const slot& s = slot_of(f);
        return s.set ? &s.address : nullptr;
    }
    /// The text of public_address(f) (RFC 5952 for IPv6, no brackets); empty when none.
    std::string_view public_address_text(address_family f) const noexcept {
        const slot& s = slot_of(f);
        return std::string_view(s.text, s.text_size);
    }

    /// True when `a` is local and a public address of its family is configured: the test every
    /// address the rewriter replaces passes.
    bool replaces(const ip_address& a) const noexcept { return slot_of(a.family()).set && local.contains(a); }

private:
    struct slot {
        ip_address address{};
        char text[ip_address::max_text_size] = {};
        std::uint8_t text_size = 0;
        bool set = false;
    };
    slot& slot_of(address_family f) noexcept { return f == address_family::ipv4 ? v4_ : v6_; }
    const slot& slot_of(address_family f) const noexcept { return f == address_family::ipv4 ? v4_ : v6_; }

    slot v4_{};
    slot v6_{};
};

}  // namespace sdp
NATKIT_END_NAMESPACE

#endif  // NATKIT_SDP_REWRITE_RULES_HPP
