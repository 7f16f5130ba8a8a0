// natkit/asio/endpoint_conversion.hpp - natkit::endpoint <-> Asio's UDP and TCP endpoints.
//
//     net::ip::udp::endpoint e = natkit::asio::to_udp(natkit_endpoint);
//     natkit::endpoint n = natkit::asio::to_natkit(socket.local_endpoint());
//
// natkit's endpoint has no IPv6 scope id (RFC 4007): converting a link-local address to
// natkit and back loses it. An IPv4-mapped IPv6 address stays IPv6 both ways.
#ifndef NATKIT_ASIO_ENDPOINT_CONVERSION_HPP
#define NATKIT_ASIO_ENDPOINT_CONVERSION_HPP

#include <cstdint>

#include "natkit/asio/config.hpp"
#include "natkit/core/endpoint.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

inline ip_address to_natkit(const net::ip::address& a) noexcept {
    if (a.is_v4()) {
        const auto bytes = a.to_v4().to_bytes();
        return ip_address::v4_bytes(bytes.data());
    }
    const auto bytes = a.to_v6().to_bytes();
    return ip_address::v6(bytes.data());
}

template <class InternetProtocol>
endpoint to_natkit(const net::ip::basic_endpoint<InternetProtocol>& e) noexcept {
    return endpoint(to_natkit(e.address()), e.port());
}

inline net::ip::address to_net(const ip_address& a) noexcept {
    if (a.is_v4()) {
        net::ip::address_v4::bytes_type b{};
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = a.data()[i];
        return net::ip::address(net::ip::address_v4(b));
    }
    net::ip::address_v6::bytes_type b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = a.data()[i];
    return net::ip::address(net::ip::address_v6(b));
}

/// The Asio endpoint of `e` for the given protocol (net::ip::udp or net::ip::tcp).
template <class InternetProtocol>
net::ip::basic_endpoint<InternetProtocol> to_net(const endpoint& e) noexcept {
    return net::ip::basic_endpoint<InternetProtocol>(to_net(e.address()), e.port());
}
inline net::ip::udp::endpoint to_udp(const endpoint& e) noexcept { return to_net<net::ip::udp>(e); }
inline net::ip::tcp::endpoint to_tcp(const endpoint& e) noexcept { return to_net<net::ip::tcp>(e); }

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_ENDPOINT_CONVERSION_HPP
