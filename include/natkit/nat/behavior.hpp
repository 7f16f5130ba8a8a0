// natkit/nat/behavior.hpp - the vocabulary of NAT classification: the classic RFC 3489 types,
// RFC 4787 mapping and filtering behaviour, and what each means for a PBX's SIP trunk.
#ifndef NATKIT_NAT_BEHAVIOR_HPP
#define NATKIT_NAT_BEHAVIOR_HPP

#include <cstdint>
#include <string_view>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace nat {

/// The RFC 3489 §5 classification, still how PBX vendors and administrators talk about NATs.
enum class nat_type : std::uint8_t {
    unknown,                 ///< the tests could not decide (see the evidence for why)
    open_internet,           ///< no NAT, no firewall: the socket's address is public
    full_cone,               ///< endpoint-independent mapping and filtering
    restricted_cone,         ///< endpoint-independent mapping, address-dependent filtering
    port_restricted_cone,    ///< endpoint-independent mapping, address-and-port-dependent filtering
    symmetric,               ///< the mapping depends on the destination
    symmetric_udp_firewall,  ///< no NAT, but a firewall filters unsolicited UDP
    udp_blocked,             ///< no answer at all to the first test
};

/// RFC 4787 §4.1 (mapping) and §5 (filtering) behaviour, as RFC 5780 §4.3-4.4 measure it.
enum class behavior : std::uint8_t {
    unknown,
    no_nat,                      ///< the mapped address is the socket's own address
    endpoint_independent,
    address_dependent,
    address_and_port_dependent,
};

/// Which test flow a discovery uses: RFC 5780 (OTHER-ADDRESS), classic RFC 3489
/// (CHANGED-ADDRESS), or whichever the server's first answer supports.
enum class discovery_mode : std::uint8_t { automatic, rfc5780, rfc3489 };

constexpr std::string_view to_string(nat_type t) noexcept {
    switch (t) {
    case nat_type::open_internet: return "open-internet";
    case nat_type::full_cone: return "full-cone";
    case nat_type::restricted_cone: return "restricted-cone";
    case nat_type::port_restricted_cone: return "port-restricted-cone";
    case nat_type::symmetric: return "symmetric";
    case nat_type::symmetric_udp_firewall: return "symmetric-udp-firewall";
    case nat_type::udp_blocked: return "udp-blocked";
    case nat_type::unknown: break;
    }
    return "unknown";
}

constexpr std::string_view to_string(behavior b) noexcept {
    switch (b) {
    case behavior::no_nat: return "no-nat";
    case behavior::endpoint_independent: return "endpoint-independent";
    case behavior::address_dependent: return "address-dependent";
    case behavior::address_and_port_dependent: return "address-and-port-dependent";
    case behavior::unknown: break;
    }
    return "unknown";
}

constexpr std::string_view to_string(discovery_mode m) noexcept {
    switch (m) {
    case discovery_mode::rfc5780: return "rfc5780";
    case discovery_mode::rfc3489: return "rfc3489";
    case discovery_mode::automatic: break;
    }
    return "auto";
}

/// The RFC 3489 type that a mapping and a filtering behaviour amount to (RFC 5780 §4.3, §4.4,
/// RFC 4787 §4.1): any destination-dependent mapping is "symmetric"; with an endpoint-
/// independent mapping the filtering decides the cone; without NAT the filtering tells an open
/// host from one behind a firewall.
constexpr nat_type classify(behavior mapping, behavior filtering) noexcept {
    if (mapping == behavior::no_nat) {
        if (filtering == behavior::no_nat || filtering == behavior::endpoint_independent) return nat_type::open_internet;
        if (filtering == behavior::unknown) return nat_type::unknown;
        return nat_type::symmetric_udp_firewall;
    }
    if (mapping == behavior::address_dependent || mapping == behavior::address_and_port_dependent)
        return nat_type::symmetric;
    if (mapping != behavior::endpoint_independent) return nat_type::unknown;
    switch (filtering) {
    case behavior::endpoint_independent: return nat_type::full_cone;
    case behavior::address_dependent: return nat_type::restricted_cone;
    case behavior::address_and_port_dependent: return nat_type::port_restricted_cone;
    default: return nat_type::unknown;
    }
}

/// One or two sentences for a PBX administrator: what the verdict means for SIP trunks and
/// calls when STUN is the only NAT traversal used.
constexpr std::string_view voip_advice(nat_type t) noexcept {
    switch (t) {
    case nat_type::open_internet:
        return "No NAT: the PBX's own address is public. Use it in SIP and SDP as it is; STUN is not needed.";
    case nat_type::full_cone:
        return "Full cone NAT: STUN works well. Put the STUN-learned address into Contact, Via and SDP; "
               "incoming calls and media reach the PBX from any peer once the mapping exists.";
    case nat_type::restricted_cone:
        return "Restricted cone NAT: STUN works. Peers must be contacted first (the PBX registers and sends RTP "
               "first), then they can answer; keep mappings alive with keepalives.";
    case nat_type::port_restricted_cone:
        return "Port-restricted cone NAT: STUN works for SIP trunks. Media flows once the PBX has sent RTP to the "
               "peer's address and port; keep the SIP mapping alive (keepalive every 10-30 s).";
    case nat_type::symmetric:
        return "Symmetric NAT: the public port differs per destination, so the STUN-learned address is wrong for "
               "the SIP provider and media. STUN alone will not carry calls: use a relay (TURN), an SBC, or "
               "port forwarding for SIP and the RTP range.";
    case nat_type::symmetric_udp_firewall:
        return "No NAT, but a firewall drops unsolicited UDP: outgoing calls work; for incoming calls and media "
               "open the SIP port and RTP range on the firewall, or keep flows alive from the inside.";
    case nat_type::udp_blocked:
        return "UDP is blocked: SIP over UDP and RTP cannot work. Open UDP to the provider, or use SIP over TCP/TLS "
               "with a media relay.";
    case nat_type::unknown: break;
    }
    return "The NAT type could not be determined (see the test evidence); treat the NAT as symmetric until known.";
}

}  // namespace nat
NATKIT_END_NAMESPACE

#endif  // NATKIT_NAT_BEHAVIOR_HPP
