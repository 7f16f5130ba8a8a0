// natkit::asio::set_dscp / get_dscp on real sockets: the value read back through the library
// and, independently, through getsockopt() (the octet the kernel puts in the IP header).
// The capture test (dscp_capture.sh) checks the marks on the wire.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

#include "catch.hpp"
#include "natkit/asio/dscp.hpp"

namespace {

namespace na = natkit::asio;
namespace net = natkit::asio::net;
namespace dscp = natkit::asio::dscp;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

/// The raw traffic-class octet of a socket, as the kernel reports it.
template <class Socket>
int raw_option(Socket& s, int level, int name) {
    int v = -2;
    socklen_t len = sizeof v;
    REQUIRE(::getsockopt(s.native_handle(), level, name, &v, &len) == 0);
    return v;
}

template <class Socket>
void raw_set(Socket& s, int level, int name, int v) {
    REQUIRE(::setsockopt(s.native_handle(), level, name, &v, sizeof v) == 0);
}

}  // namespace

TEST_CASE("DSCP constants are the RFC 4594 code points") {
    STATIC_REQUIRE(dscp::ef == 46);
    STATIC_REQUIRE(dscp::cs3 == 24);
    STATIC_REQUIRE(dscp::af41 == 34);
    STATIC_REQUIRE(dscp::cs0 == 0);
    STATIC_REQUIRE(dscp::voice_admit == 44);
    STATIC_REQUIRE(dscp::max == 63);
}

TEST_CASE("IPv4 UDP socket: EF then CS3, read back through get_dscp and IP_TOS") {
    net::io_context io;
    udp::socket s(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    const auto before = na::get_dscp(s);
    REQUIRE(before);
    CHECK(*before == 0);

    REQUIRE_FALSE(na::set_dscp(s, dscp::ef));
    const auto ef = na::get_dscp(s);
    REQUIRE(ef);
    CHECK(*ef == 46);
    CHECK(raw_option(s, IPPROTO_IP, IP_TOS) == 0xB8);

    REQUIRE_FALSE(na::set_dscp(s, dscp::cs3));
    CHECK(na::get_dscp(s).value() == 24);
    CHECK(raw_option(s, IPPROTO_IP, IP_TOS) == 0x60);

    REQUIRE_FALSE(na::set_dscp(s, dscp::cs0));
    CHECK(na::get_dscp(s).value() == 0);
    CHECK(raw_option(s, IPPROTO_IP, IP_TOS) == 0);
}

TEST_CASE("IPv6 UDP socket: IPV6_TCLASS, and IP_TOS for its IPv4-mapped traffic") {
    net::io_context io;
    udp::socket s(io);
    na::error_code ec;
    s.open(udp::v6(), ec);
    if (ec) {
        WARN("no IPv6 on this host: " << ec.message());
        return;
    }
    s.set_option(net::ip::v6_only(false), ec);
    REQUIRE_FALSE(ec);
    s.bind(udp::endpoint(udp::v6(), 0), ec);  // dual-stack [::]:0
    REQUIRE_FALSE(ec);

    REQUIRE_FALSE(na::set_dscp(s, dscp::ef));
    CHECK(na::get_dscp(s).value() == 46);
    CHECK(raw_option(s, IPPROTO_IPV6, IPV6_TCLASS) == 0xB8);
#if defined(__linux__)
    // Linux takes IP_TOS on an IPv6 socket: what the IPv4-mapped datagrams carry.
    CHECK(raw_option(s, IPPROTO_IP, IP_TOS) == 0xB8);
#endif

    REQUIRE_FALSE(na::set_dscp(s, dscp::af41));
    CHECK(na::get_dscp(s).value() == 34);
    CHECK(raw_option(s, IPPROTO_IPV6, IPV6_TCLASS) == 0x88);
}

TEST_CASE("an opened, unbound socket can be marked before bind") {
    net::io_context io;
    udp::socket s(io);
    s.open(udp::v4());
    REQUIRE_FALSE(na::set_dscp(s, dscp::cs3));
    s.bind(udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    CHECK(na::get_dscp(s).value() == 24);
}

TEST_CASE("TCP sockets are marked the same way") {
    net::io_context io;
    tcp::socket s(io);
    s.open(tcp::v4());
    REQUIRE_FALSE(na::set_dscp(s, dscp::cs3));
    CHECK(na::get_dscp(s).value() == 24);
    CHECK(raw_option(s, IPPROTO_IP, IP_TOS) == 0x60);
}

TEST_CASE("the ECN bits are kept") {
    net::io_context io;
    udp::socket s(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    raw_set(s, IPPROTO_IP, IP_TOS, 0x01);  // ECT(1), RFC 3168 §5
    REQUIRE_FALSE(na::set_dscp(s, dscp::ef));
    CHECK(raw_option(s, IPPROTO_IP, IP_TOS) == 0xB9);
    CHECK(na::get_dscp(s).value() == 46);
}

TEST_CASE("a DSCP above 63 is rejected and leaves the mark alone") {
    net::io_context io;
    udp::socket s(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    REQUIRE_FALSE(na::set_dscp(s, dscp::ef));
    CHECK(na::set_dscp(s, 64) == na::error_code(net::error::invalid_argument));
    CHECK(na::set_dscp(s, 255) == na::error_code(net::error::invalid_argument));
    CHECK(na::get_dscp(s).value() == 46);
    CHECK_FALSE(na::set_dscp(s, 63));
    CHECK(na::get_dscp(s).value() == 63);
}

TEST_CASE("a closed socket is an error value, not an exception") {
    net::io_context io;
    udp::socket s(io);
    CHECK(na::set_dscp(s, dscp::ef) == na::error_code(net::error::bad_descriptor));
    const auto r = na::get_dscp(s);
    REQUIRE_FALSE(r);
    CHECK(r.error() == std::error_code(na::error_code(net::error::bad_descriptor)));
}
