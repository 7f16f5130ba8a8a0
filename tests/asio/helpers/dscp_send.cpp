// natkit-dscp-send: sends one datagram to HOST PORT from a UDP socket marked with
// natkit::asio::set_dscp, for the packet-capture test (dscp_capture.sh).
//
//     natkit-dscp-send DSCP HOST PORT [dual]
//
// "dual": send from a dual-stack IPv6 socket to the IPv4-mapped form of HOST (an IPv4
// address), which checks the IP_TOS that set_dscp adds on IPv6 sockets.
// Prints the DSCP read back with get_dscp; exit status 0 sent, 1 failed, 2 bad arguments.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "natkit/asio/dscp.hpp"

namespace na = natkit::asio;
namespace net = natkit::asio::net;
using udp = net::ip::udp;

int main(int argc, char** argv) {
    if (argc < 4 || argc > 5 || (argc == 5 && std::strcmp(argv[4], "dual") != 0)) {
        std::fprintf(stderr, "usage: natkit-dscp-send DSCP HOST PORT [dual]\n");
        return 2;
    }
    char* end = nullptr;
    const unsigned long dscp = std::strtoul(argv[1], &end, 10);
    const unsigned long port = std::strtoul(argv[3], nullptr, 10);
    if (*end != '\0' || dscp > 255 || port == 0 || port > 65535) {
        std::fprintf(stderr, "natkit-dscp-send: bad DSCP or port\n");
        return 2;
    }
    na::error_code ec;
    net::ip::address host = net::ip::make_address(argv[2], ec);
    if (ec) {
        std::fprintf(stderr, "natkit-dscp-send: bad address %s\n", argv[2]);
        return 2;
    }
    const bool dual = argc == 5;
    if (dual) {
        if (!host.is_v4()) {
            std::fprintf(stderr, "natkit-dscp-send: dual needs an IPv4 address\n");
            return 2;
        }
        host = net::ip::make_address_v6(net::ip::v4_mapped, host.to_v4());
    }
    net::io_context io;
    udp::socket s(io);
    s.open(host.is_v4() ? udp::v4() : udp::v6(), ec);
    if (!ec && dual) s.set_option(net::ip::v6_only(false), ec);
    if (ec) {
        std::fprintf(stderr, "natkit-dscp-send: open: %s\n", ec.message().c_str());
        return 1;
    }
    if (const auto err = na::set_dscp(s, static_cast<std::uint8_t>(dscp))) {
        std::fprintf(stderr, "natkit-dscp-send: set_dscp: %s\n", err.message().c_str());
        return 1;
    }
    const auto marked = na::get_dscp(s);
    if (!marked) {
        std::fprintf(stderr, "natkit-dscp-send: get_dscp: %s\n", marked.error().message().c_str());
        return 1;
    }
    static const char payload[] = "natkit dscp probe";
    s.send_to(net::buffer(payload, sizeof payload - 1), udp::endpoint(host, static_cast<unsigned short>(port)), 0, ec);
    if (ec) {
        std::fprintf(stderr, "natkit-dscp-send: send: %s\n", ec.message().c_str());
        return 1;
    }
    std::printf("%u\n", static_cast<unsigned>(*marked));
    return 0;
}
