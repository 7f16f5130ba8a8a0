// binding_dispatcher: STUN requests on a socket whose receive loop belongs to the caller.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "asio_support.hpp"
#include "catch.hpp"
#include "natkit/asio/binding_dispatcher.hpp"

using namespace natkit_test;
using natkit::bytes_view;
using natkit::endpoint;
using namespace std::chrono_literals;
namespace stun = natkit::stun;

namespace {
/// The caller's own receive loop, as a SIP stack would have it: STUN responses go to the
/// dispatcher, everything else is the application's.
struct receive_loop {
    udp::socket& socket;
    na::binding_dispatcher& dispatcher;
    std::vector<std::string> application;  // what dispatch() did not claim
    std::size_t claimed = 0;
    std::array<std::uint8_t, 65536> buffer{};
    udp::endpoint from;

    void start() {
        socket.async_receive_from(net::buffer(buffer), from, [this](const na::error_code& ec, std::size_t n) {
            if (ec) return;
            if (dispatcher.dispatch(bytes_view(buffer.data(), n), from))
                ++claimed;
            else
                application.emplace_back(reinterpret_cast<const char*>(buffer.data()), n);
            start();
        });
    }
};
}  // namespace

TEST_CASE("Dispatcher: concurrent requests on a shared socket, the caller's loop keeps SIP") {
    net::io_context io;
    running_server srv(io, server_config(true));
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket sip_peer(io, udp::endpoint(lo1, 0));
    na::binding_dispatcher dispatcher(sock);
    receive_loop loop{sock, dispatcher, {}, 0, {}, {}};
    loop.start();

    const std::string sip = "OPTIONS sip:pbx@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
    sip_peer.send_to(net::buffer(sip), sock.local_endpoint());

    stun::binding_request_options plain;
    plain.server = srv.primary();
    stun::binding_request_options changed = plain;
    changed.change_request = stun::change_request_value{true, true};
    outcome a, b;
    dispatcher.async_request(plain, a.handler());
    dispatcher.async_request(changed, b.handler());
    CHECK(dispatcher.pending() == 2);
    CHECK_FALSE(a.done);

    REQUIRE(run_until(io, [&] { return a.done && b.done && !loop.application.empty(); }));
    REQUIRE_FALSE(a.ec);
    REQUIRE_FALSE(b.ec);
    const endpoint me = na::to_natkit(sock.local_endpoint());
    CHECK(a.result->mapped_address == me);
    CHECK(a.result->from == srv.primary());
    CHECK(b.result->mapped_address == me);
    CHECK(b.result->from == srv.alternate());
    CHECK(dispatcher.pending() == 0);
    CHECK(loop.claimed == 2);
    REQUIRE(loop.application.size() == 1);
    CHECK(loop.application[0] == sip);

    // Without pending requests nothing is claimed, not even a STUN response.
    CHECK_FALSE(dispatcher.dispatch(bytes_view(sip), sip_peer.local_endpoint()));
    sock.close();
}

TEST_CASE("Dispatcher: timeouts, and cancel() ends the pending requests with operation_aborted") {
    net::io_context io;
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket silent(io, udp::endpoint(lo1, 0));
    std::optional<na::binding_dispatcher> dispatcher(std::in_place, sock);
    receive_loop loop{sock, *dispatcher, {}, 0, {}, {}};
    loop.start();

    stun::binding_request_options fast;
    fast.server = na::to_natkit(silent.local_endpoint());
    fast.policy = fast_policy();
    stun::binding_request_options slow = fast;
    slow.policy = stun::retransmission_policy{};
    outcome timed_out, aborted;
    dispatcher->async_request(fast, timed_out.handler());
    dispatcher->async_request(slow, aborted.handler());
    REQUIRE(run_until(io, [&] { return timed_out.done; }));
    CHECK(timed_out.ec == na::errc::timed_out);
    CHECK(timed_out.result->transmissions == 3);
    CHECK_FALSE(aborted.done);
    CHECK(dispatcher->pending() == 1);

    loop.socket.close();  // the caller's loop ends first ...
    dispatcher.reset();   // ... then the dispatcher: the slow request ends at once
    REQUIRE(run_until(
        io, [&] { return aborted.done; }, 1s));
    CHECK(aborted.ec == net::error::operation_aborted);
}
