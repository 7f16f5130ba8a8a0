// natkit/asio/dscp.hpp - DSCP marking (the DS field, RFC 2474) of an Asio UDP or TCP socket,
// so that routers and Wi-Fi access points that honour it queue voice ahead of bulk traffic.
//
//     namespace dscp = natkit::asio::dscp;
//     if (auto ec = natkit::asio::set_dscp(rtp_socket, dscp::ef)) log(ec.message());
//     if (auto ec = natkit::asio::set_dscp(sip_socket, dscp::cs3)) log(ec.message());
//     natkit::result<std::uint8_t> d = natkit::asio::get_dscp(rtp_socket);   // 46
//
// The DS field is the upper six bits of the IPv4 TOS octet and of the IPv6 Traffic Class
// (RFC 2474 §3); the lower two bits are ECN (RFC 3168 §5) and set_dscp() keeps whatever they
// were. An IPv4 socket gets IP_TOS, an IPv6 socket IPV6_TCLASS and, where the OS accepts it
// (Linux does), IP_TOS as well, so that a dual-stack socket marks the IPv4 datagrams it sends
// to IPv4-mapped addresses too.
//
// Which class for what (RFC 4594 §4.1-4.3; RFC 8837 §5 for WebRTC):
//   - RTP/RTCP voice: EF (46). RFC 8837 §5 also uses EF for interactive audio.
//   - RTP video of a video call: AF41 (34) (RFC 4594 "multimedia conferencing"; RFC 8837 uses
//     AF41/AF42 for interactive video).
//   - SIP and the STUN keepalives on the SIP socket: CS3 (24), "signaling" in RFC 4594 §4.2.
//   - everything else: CS0 (0), default forwarding.
// A mark is a request, not a guarantee: networks may re-mark or clear it (RFC 2474 §6), and
// most ISPs do at their edge. It still counts inside the LAN and on the router's uplink queue.
//
// The socket must be open (bound or not). Errors come back as values: net::error::
// invalid_argument for a DSCP above 63, bad_descriptor for a closed socket,
// operation_not_supported for a socket that is neither IPv4 nor IPv6, or the OS's errno.
// Windows ignores IP_TOS (it wants the qWAVE API); the calls succeed there but mark nothing.
#ifndef NATKIT_ASIO_DSCP_HPP
#define NATKIT_ASIO_DSCP_HPP

#include <cstddef>
#include <cstdint>
#include <system_error>

#include "natkit/asio/config.hpp"
#include "natkit/core/result.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

/// Differentiated Services code points (the six-bit value, not the shifted TOS octet).
namespace dscp {
// Service classes and their code points: RFC 4594 §3-4 (updated by RFC 5865 and RFC 8622).
inline constexpr std::uint8_t cs0 = 0;           ///< default forwarding, "standard" (RFC 2474 §4.1)
inline constexpr std::uint8_t le = 1;            ///< lower effort (RFC 8622)
inline constexpr std::uint8_t cs1 = 8;           ///< low-priority data before RFC 8622
inline constexpr std::uint8_t af11 = 10;         ///< high-throughput data
inline constexpr std::uint8_t cs2 = 16;          ///< OAM
inline constexpr std::uint8_t af21 = 18;         ///< low-latency data
inline constexpr std::uint8_t cs3 = 24;          ///< signalling: SIP (RFC 4594 §4.2)
inline constexpr std::uint8_t af31 = 26;         ///< multimedia streaming
inline constexpr std::uint8_t cs4 = 32;          ///< real-time interactive
inline constexpr std::uint8_t af41 = 34;         ///< multimedia conferencing: video calls (RFC 4594 §4.3, RFC 8837 §5)
inline constexpr std::uint8_t af42 = 36;         ///< multimedia conferencing, higher drop precedence
inline constexpr std::uint8_t cs5 = 40;          ///< broadcast video
inline constexpr std::uint8_t voice_admit = 44;  ///< capacity-admitted telephony (RFC 5865)
inline constexpr std::uint8_t ef = 46;           ///< expedited forwarding: telephony RTP (RFC 3246, RFC 4594 §4.1)
inline constexpr std::uint8_t cs6 = 48;          ///< network control
inline constexpr std::uint8_t max = 63;          ///< the field has six bits (RFC 2474 §3)
}  // namespace dscp

namespace detail {

/// An int-valued socket option at an explicit level, in the form Asio's GettableSocketOption
/// and SettableSocketOption requirements ask for (level/name/data/size/resize per protocol).
template <int Level, int Name>
class int_socket_option {
public:
    int_socket_option() noexcept = default;
    explicit int_socket_option(int v) noexcept : value_(v) {}
    int value() const noexcept { return value_; }

    template <class Protocol>
    int level(const Protocol&) const noexcept { return Level; }
    template <class Protocol>
    int name(const Protocol&) const noexcept { return Name; }
    template <class Protocol>
    int* data(const Protocol&) noexcept { return &value_; }
    template <class Protocol>
    const int* data(const Protocol&) const noexcept { return &value_; }
    template <class Protocol>
    std::size_t size(const Protocol&) const noexcept { return sizeof value_; }
    template <class Protocol>
    void resize(const Protocol&, std::size_t s) noexcept {
        // Some systems answer IP_TOS with one byte (the option is an octet on the wire).
        if (s == 1) value_ = value_ & 0xFF;
    }

private:
    int value_ = 0;
};

using ipv4_tos = int_socket_option<IPPROTO_IP, IP_TOS>;
#if defined(IPV6_TCLASS)
using ipv6_tclass = int_socket_option<IPPROTO_IPV6, IPV6_TCLASS>;
#endif

/// AF_INET or AF_INET6 of an open socket (getsockname() reports the family even when unbound).
template <class Socket>
int socket_family(Socket& s, error_code& ec) {
    if (!s.is_open()) {
        ec = net::error::bad_descriptor;
        return 0;
    }
    const auto local = s.local_endpoint(ec);
    if (ec) return 0;
    return local.protocol().family();
}

/// The traffic-class octet: `dscp` in the upper six bits, the ECN bits of `old` kept.
inline int ds_octet(std::uint8_t dscp_value, int old) noexcept {
    return (static_cast<int>(dscp_value) << 2) | (old & 0x3);
}

}  // namespace detail

/// Marks everything the socket sends from now on with `dscp_value` (0..63); the ECN bits stay
/// as they were. Returns an empty error_code on success. IPv6 sockets: IPV6_TCLASS, and
/// IP_TOS too where the OS accepts it (IPv4-mapped traffic of a dual-stack socket).
template <class Protocol, class Executor>
error_code set_dscp(net::basic_socket<Protocol, Executor>& s, std::uint8_t dscp_value) {
    error_code ec;
    if (dscp_value > dscp::max) return net::error::invalid_argument;
    const int family = detail::socket_family(s, ec);
    if (ec) return ec;
    if (family == AF_INET) {
        detail::ipv4_tos old;
        s.get_option(old, ec);
        s.set_option(detail::ipv4_tos(detail::ds_octet(dscp_value, ec ? 0 : old.value())), ec);
        return ec;
    }
    if (family == AF_INET6) {
#if defined(IPV6_TCLASS)
        detail::ipv6_tclass old;
        s.get_option(old, ec);
        // Linux reports -1 ("kernel default") for a socket nobody has set a class on.
        const int previous = ec || old.value() < 0 ? 0 : old.value();
        s.set_option(detail::ipv6_tclass(detail::ds_octet(dscp_value, previous)), ec);
        if (ec) return ec;
        // Best effort: a v6-only socket or an OS without IPv4 options on IPv6 sockets refuses.
        error_code ignored;
        detail::ipv4_tos old4;
        s.get_option(old4, ignored);
        const int previous4 = ignored ? 0 : old4.value();
        s.set_option(detail::ipv4_tos(detail::ds_octet(dscp_value, previous4)), ignored);
        return ec;
#else
        return net::error::operation_not_supported;
#endif
    }
    return net::error::operation_not_supported;
}

/// The DSCP the socket marks its datagrams with: IP_TOS of an IPv4 socket, IPV6_TCLASS of an
/// IPv6 socket, upper six bits. 0 for a socket nobody marked.
template <class Protocol, class Executor>
result<std::uint8_t> get_dscp(net::basic_socket<Protocol, Executor>& s) {
    error_code ec;
    const int family = detail::socket_family(s, ec);
    int octet = 0;
    if (!ec && family == AF_INET) {
        detail::ipv4_tos opt;
        s.get_option(opt, ec);
        octet = opt.value();
    } else if (!ec && family == AF_INET6) {
#if defined(IPV6_TCLASS)
        detail::ipv6_tclass opt;
        s.get_option(opt, ec);
        octet = opt.value() < 0 ? 0 : opt.value();
#else
        ec = net::error::operation_not_supported;
#endif
    } else if (!ec) {
        ec = net::error::operation_not_supported;
    }
    if (ec) return std::error_code(ec);  // Boost: boost::system::error_code converts
    return static_cast<std::uint8_t>((octet >> 2) & dscp::max);
}

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_DSCP_HPP
