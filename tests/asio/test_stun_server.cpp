// natkit::asio::stun_server: hostile input, no allocation per request, configuration
// errors; and the endpoint conversions it relies on.
#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "asio_support.hpp"
#include "catch.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/allocations.hpp"

using namespace natkit_test;
using natkit::bytes_view;
using natkit::endpoint;
using natkit::ip_address;
using namespace std::chrono_literals;
namespace stun = natkit::stun;

TEST_CASE("Endpoint conversion between natkit and Asio keeps address, family and port") {
    const auto v4 = endpoint::parse("192.0.2.1:3478").value();
    CHECK(na::to_udp(v4) == udp::endpoint(net::ip::make_address("192.0.2.1"), 3478));
    CHECK(na::to_natkit(na::to_udp(v4)) == v4);
    CHECK(na::to_natkit(na::to_tcp(v4)) == v4);
    const auto v6 = endpoint::parse("[2001:db8::1]:5060").value();
    CHECK(na::to_tcp(v6) == tcp::endpoint(net::ip::make_address("2001:db8::1"), 5060));
    CHECK(na::to_natkit(na::to_udp(v6)) == v6);
    const auto mapped = endpoint::parse("[::ffff:192.0.2.1]:1").value();
    CHECK(na::to_udp(mapped).address().is_v6());
    CHECK(na::to_natkit(na::to_udp(mapped)) == mapped);
}

TEST_CASE("The server keeps serving after garbage, and counts it") {
    net::io_context io;
    running_server srv(io, server_config(false));
    udp::socket raw(io, udp::endpoint(lo1, 0));
    const auto server = na::to_udp(srv.primary());

    std::vector<std::vector<std::uint8_t>> garbage;
    garbage.push_back({});                                   // empty datagram
    garbage.push_back({'h', 'e', 'l', 'l', 'o'});            // text
    garbage.push_back(std::vector<std::uint8_t>(19, 0x00));  // short header
    garbage.push_back({0x00, 0x01, 0x00, 0x05, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    std::mt19937 rng(42);
    for (int i = 0; i < 20; ++i) {
        std::vector<std::uint8_t> d(static_cast<std::size_t>(rng() % 600));
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        garbage.push_back(d);
    }
    {
        // A Binding success response: never answered (RFC 8489 §6.3).
        std::vector<std::uint8_t> response;
        stun::message_builder b(response, stun::method::binding, stun::message_class::success_response,
                                stun::transaction_id::from(reinterpret_cast<const std::uint8_t*>("0123456789ab")));
        b.add<stun::attr::xor_mapped_address>(endpoint(ip_address::v4(127, 0, 0, 1), 1));
        b.add_fingerprint();
        REQUIRE(b.finish());
        garbage.push_back(response);
    }
    for (const auto& d : garbage) raw.send_to(net::buffer(d), server);

    udp::socket sock(io, udp::endpoint(lo1, 0));
    stun::binding_request_options opt;
    opt.server = srv.primary();
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    REQUIRE_FALSE(out.ec);
    CHECK(out.result->mapped_address == na::to_natkit(sock.local_endpoint()));

    const auto stats = srv.server.stats();
    CHECK(stats.received == garbage.size() + 1);
    CHECK(stats.responder.answered == 1);
    CHECK(stats.responder.dropped + stats.responder.errors == garbage.size());
    CHECK(stats.responder.dropped >= garbage.size() - 3);
    CHECK(stats.receive_errors == 0);
}

TEST_CASE("The server allocates nothing per request once running") {
    net::io_context io;
    running_server srv(io, server_config(true));
    udp::socket client(io, udp::endpoint(lo1, 0));
    const auto server = na::to_udp(srv.primary());

    std::vector<std::uint8_t> request;
    stun::message_builder b(request, stun::method::binding, stun::message_class::request,
                            stun::transaction_id::from(reinterpret_cast<const std::uint8_t*>("allocations!")));
    b.add<stun::attr::change_request>(stun::change_request_value{true, true});
    b.add_fingerprint();
    REQUIRE(b.finish());
    std::array<std::uint8_t, 2048> in{};

    // One exchange with synchronous client calls, so that only the server's handler runs
    // inside the io_context.
    const auto exchange = [&]() -> std::size_t {
        client.send_to(net::buffer(request), server);
        io.run_one_for(1s);  // the server's receive handler: respond, send, receive again
        udp::endpoint from;
        client.receive_from(net::buffer(in), from);
        return from.port() == srv.alternate().port() ? 1u : 0u;
    };
    for (int i = 0; i < 5; ++i) exchange();  // warm up Asio's recycled operation memory
    std::size_t from_alternate = 0;
    const std::size_t allocations = allocations_during([&] {
        for (int i = 0; i < 100; ++i) from_alternate += exchange();
    });
    CHECK(allocations == 0);
    CHECK(from_alternate == 100);
    CHECK(srv.server.stats().sent == 105);
}

TEST_CASE("Server configuration errors are reported, not thrown") {
    net::io_context io;
    SECTION("alternate with the primary's IP address") {
        auto cfg = server_config(true);
        cfg.alternate = endpoint(nk_lo1, 0);
        na::stun_server s(io.get_executor(), cfg);
        CHECK(s.open() == net::error::invalid_argument);
        CHECK_FALSE(s.is_open());
    }
    SECTION("a port that is taken") {
        udp::socket taken(io, udp::endpoint(lo1, 0));
        auto cfg = server_config(false);
        cfg.primary = na::to_natkit(taken.local_endpoint());
        na::stun_server s(io.get_executor(), cfg);
        CHECK(s.open() == net::error::address_in_use);
    }
    SECTION("stop() closes the sockets and keeps the stats") {
        running_server srv(io, server_config(true));
        CHECK(srv.server.is_open());
        srv.server.stop();
        CHECK_FALSE(srv.server.is_open());
        CHECK(srv.server.local_endpoints().size() == 4);
        io.run_for(50ms);  // the aborted receives end quietly
        CHECK(srv.server.stats().receive_errors == 0);
    }
}
