// natkit/sip/rewrite_rules.hpp - what the SIP rewriter puts in place of the PBX's local addresses,
// and the per-destination decision whether to rewrite at all.
//
//     sip::rewrite_rules rules;
//     rules.set_public_endpoint(ip_address::v4(203, 0, 113, 5), 65002);  // SIP socket, via STUN
//     rules.sdp.set_public_address(ip_address::v4(203, 0, 113, 5));      // RTP sockets' address
//     rules.sdp.ports.add(sdp::port_mapping::single(55000, 40012));
//     if (rules.should_rewrite(provider)) r = sip::rewrite(msg, rules, buf);
#ifndef NATKIT_SIP_REWRITE_RULES_HPP
#define NATKIT_SIP_REWRITE_RULES_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/local_networks.hpp"
#include "natkit/sdp/rewrite_rules.hpp"
#include "natkit/sip/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sip {

/// The rules of a SIP rewrite: the public address (and port) of the SIP socket per family, and
/// the SDP rules for the body. Which addresses are local is `sdp.local`, shared by both.
class rewrite_rules {
public:
    /// The rules for SDP bodies: public media addresses, port map, local networks, ICE policy.
    sdp::rewrite_rules sdp;
    /// Add ";rport" (RFC 3581 §3) to the top Via of requests that lack it, so the far end
    /// answers to the port the NAT mapped rather than the one in sent-by.
    bool add_rport = true;

    /// Sets the public address of the SIP socket for its family, with the public port, or 0
    /// to keep the ports found in Via and Contact. Fails with errc::bad_public_address for
    /// the unspecified and multicast addresses.
    std::error_code set_public_endpoint(const ip_address& a, std::uint16_t port = 0) noexcept {
        if (a.is_unspecified() || a.is_multicast()) return errc::bad_public_address;
        slot& s = slot_of(a.family());
        s = slot{};
        s.port = port;
        std::size_t n = 0;
        // RFC 3261 §25.1: an IPv6 address in a SIP URI or sent-by is an IPv6reference, "[...]".
        if (a.is_v6()) s.host[n++] = '[';
        n += a.format(s.host + n, ip_address::max_text_size);
        if (a.is_v6()) s.host[n++] = ']';
        s.host_size = static_cast<std::uint8_t>(n);
        if (port != 0) {
            s.host[n++] = ':';
            n += natkit::detail::format_decimal(port, s.host + n);
        }
        s.hostport_size = static_cast<std::uint8_t>(n);
        s.set = true;
        return {};
    }
    /// The same, from an endpoint.
    std::error_code set_public_endpoint(const endpoint& e) noexcept {
        return set_public_endpoint(e.address(), e.port());
    }
    /// Forgets the public SIP address of family `f`: Via and Contact of that family stay.
    void clear_public_endpoint(address_family f) noexcept { slot_of(f) = slot{}; }

    /// True when family `f` has a public SIP address.
    bool has_public_endpoint(address_family f) const noexcept { return slot_of(f).set; }
    /// The public host as it goes into Via and Contact ("203.0.113.5", "[2001:db8::5]").
    std::string_view public_host(address_family f) const noexcept {
        const slot& s = slot_of(f);
        return std::string_view(s.host, s.host_size);
    }
    /// public_host(f), then ":port" when the public port is not 0 (what replaces host:port).
    std::string_view public_hostport(address_family f) const noexcept {
        const slot& s = slot_of(f);
        return std::string_view(s.host, s.hostport_size);
    }
    /// The public SIP port of family `f`; 0 when ports are kept.
    std::uint16_t public_port(address_family f) const noexcept { return slot_of(f).port; }

    /// True when a Via or Contact host `a` is replaced: it is local and its family has a public
    /// SIP address.
    bool replaces(const ip_address& a) const noexcept { return slot_of(a.family()).set && sdp.local.contains(a); }

    /// Whether a message sent to `destination` needs rewriting: only when the destination is
    /// outside the local networks. A phone on the LAN (or across a configured VPN prefix) must
    /// keep seeing the PBX's local address; a SIP provider on the internet must see the public one.
    bool should_rewrite(const ip_address& destination) const noexcept {
        return !destination.is_unspecified() && !sdp.local.contains(destination);
    }
    /// The same for an endpoint.
    bool should_rewrite(const endpoint& destination) const noexcept { return should_rewrite(destination.address()); }

private:
    struct slot {
        char host[ip_address::max_text_size + 2 + 6] = {};  // "[v6]:port"
        std::uint8_t host_size = 0;                         // the host part of `host`
        std::uint8_t hostport_size = 0;                     // with ":port"
        std::uint16_t port = 0;
        bool set = false;
    };
    slot& slot_of(address_family f) noexcept { return f == address_family::ipv4 ? v4_ : v6_; }
    const slot& slot_of(address_family f) const noexcept { return f == address_family::ipv4 ? v4_ : v6_; }

    slot v4_{};
    slot v6_{};
};

}  // namespace sip
NATKIT_END_NAMESPACE

#endif  // NATKIT_SIP_REWRITE_RULES_HPP
