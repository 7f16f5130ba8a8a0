// async_binding_request over UDP against natkit's stun_server on loopback: the completion
// token styles, RFC 5780 CHANGE-REQUEST on four sockets, a socket shared with SIP, timeouts,
// error responses, cancellation.
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "asio_support.hpp"
#include "catch.hpp"
#include "natkit/asio/binding_request.hpp"
#include "natkit/stun/binding_responder.hpp"
#include "natkit/stun/builder.hpp"

using namespace natkit_test;
using natkit::bytes_view;
using natkit::endpoint;
using namespace std::chrono_literals;
namespace stun = natkit::stun;

TEST_CASE("UDP Binding request with a callback: the mapped address is the client's own socket address") {
    net::io_context io;
    running_server srv(io, server_config(false));
    udp::socket sock(io, udp::endpoint(lo1, 0));

    stun::binding_request_options opt;
    opt.server = srv.primary();
    opt.software = "natkit test client";
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    CHECK_FALSE(out.done);  // never completes inside the initiating call
    REQUIRE(run_until(io, [&] { return out.done; }));

    INFO(out.ec.message());
    REQUIRE_FALSE(out.ec);
    const stun::binding_result& r = *out.result;
    REQUIRE(r.mapped_address);
    CHECK(*r.mapped_address == na::to_natkit(sock.local_endpoint()));
    CHECK(r.xor_mapped);
    CHECK(r.from == srv.primary());
    CHECK(r.response_origin == srv.primary());
    CHECK_FALSE(r.other_address);
    CHECK(r.software() == "natkit test server");
    CHECK(r.transmissions == 1);
    CHECK(r.rtt > std::chrono::steady_clock::duration::zero());
    CHECK(r.rtt < std::chrono::seconds(1));

    const auto stats = srv.server.stats();
    CHECK(stats.received == 1);
    CHECK(stats.sent == 1);
    CHECK(stats.responder.answered == 1);
}

TEST_CASE("UDP Binding request with net::use_future while the io_context runs in another thread") {
    net::io_context io;
    running_server srv(io, server_config(false));
    udp::socket sock(io, udp::endpoint(lo1, 0));
    const auto local = na::to_natkit(sock.local_endpoint());
    auto work = net::make_work_guard(io);
    std::thread runner([&] { io.run(); });

    stun::binding_request_options opt;
    opt.server = srv.primary();
    std::future<stun::binding_result> f = na::async_binding_request(sock, opt, net::use_future);
    const auto status = f.wait_for(5s);
    std::optional<stun::binding_result> r;
    if (status == std::future_status::ready) r = f.get();

    // A failing request reports its error through the future's exception.
    stun::binding_request_options bad;
    udp::socket silent(io, udp::endpoint(lo1, 0));
    bad.server = na::to_natkit(silent.local_endpoint());
    bad.policy = fast_policy();
    auto failing = na::async_binding_request(sock, bad, net::use_future);
    std::optional<na::error_code> failure;
    if (failing.wait_for(5s) == std::future_status::ready) {
        try {
            failing.get();
        } catch (const na::system_error& e) {
            failure = e.code();
        }
    }

    net::post(io, [&] { srv.server.stop(); });
    work.reset();
    io.stop();
    runner.join();

    REQUIRE(status == std::future_status::ready);
    REQUIRE(r);
    REQUIRE(r->mapped_address);
    CHECK(*r->mapped_address == local);
    REQUIRE(failure);
    CHECK(*failure == na::errc::timed_out);
}

#if NATKIT_ASIO_HAS_CO_AWAIT && defined(__cpp_impl_coroutine)
TEST_CASE("UDP Binding request with C++20 coroutines (net::use_awaitable)") {
    net::io_context io;
    running_server srv(io, server_config(true));
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket silent(io, udp::endpoint(lo1, 0));

    std::optional<stun::binding_result> plain, changed;
    std::optional<na::error_code> timeout;
    bool finished = false;
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            stun::binding_request_options opt;
            opt.server = srv.primary();
            plain = co_await na::async_binding_request(sock, opt, net::use_awaitable);
            opt.change_request = stun::change_request_value{true, true};
            changed = co_await na::async_binding_request(sock, opt, net::use_awaitable);
            stun::binding_request_options lost;
            lost.server = na::to_natkit(silent.local_endpoint());
            lost.policy = fast_policy();
            try {
                co_await na::async_binding_request(sock, lost, net::use_awaitable);
            } catch (const na::system_error& e) {
                timeout = e.code();
            }
            finished = true;
        },
        net::detached);
    REQUIRE(run_until(io, [&] { return finished; }));
    REQUIRE(plain);
    CHECK(plain->mapped_address == na::to_natkit(sock.local_endpoint()));
    REQUIRE(changed);
    CHECK(changed->from == srv.alternate());
    CHECK(changed->mapped_address == na::to_natkit(sock.local_endpoint()));
    REQUIRE(timeout);
    CHECK(*timeout == na::errc::timed_out);
}
#endif

TEST_CASE("RFC 5780: CHANGE-REQUEST answers come from the right one of the four server sockets") {
    net::io_context io;
    running_server srv(io, server_config(true));
    const endpoint ip1p1 = srv.primary();
    const endpoint ip2p2 = srv.alternate();
    CHECK(ip1p1.address() == nk_lo1);
    CHECK(ip2p2.address() == nk_lo2);
    CHECK(ip1p1.port() != ip2p2.port());
    const std::vector<endpoint> locals = srv.server.local_endpoints();
    REQUIRE(locals.size() == 4);
    CHECK(locals[0] == ip1p1);
    CHECK(locals[1] == endpoint(nk_lo1, ip2p2.port()));
    CHECK(locals[2] == endpoint(nk_lo2, ip1p1.port()));
    CHECK(locals[3] == ip2p2);

    udp::socket sock(io, udp::endpoint(lo1, 0));
    const endpoint me = na::to_natkit(sock.local_endpoint());
    for (int flags = 0; flags < 4; ++flags) {
        const bool change_ip = (flags & 1) != 0;
        const bool change_port = (flags & 2) != 0;
        INFO("change-ip " << change_ip << " change-port " << change_port);
        stun::binding_request_options opt;
        opt.server = ip1p1;
        opt.change_request = stun::change_request_value{change_ip, change_port};
        outcome out;
        na::async_binding_request(sock, opt, out.handler());
        REQUIRE(run_until(io, [&] { return out.done; }));
        INFO(out.ec.message());
        REQUIRE_FALSE(out.ec);
        const endpoint expected(change_ip ? nk_lo2 : nk_lo1, change_port ? ip2p2.port() : ip1p1.port());
        CHECK(out.result->from == expected);
        CHECK(out.result->response_origin == expected);
        CHECK(out.result->other_address == ip2p2);
        CHECK(out.result->mapped_address == me);
    }

    // Requests to each of the four addresses: RESPONSE-ORIGIN is that address and
    // OTHER-ADDRESS the one with the other IP and the other port (RFC 5780 §7.3, §7.4).
    for (const endpoint& server : locals) {
        INFO("server " << server.to_string());
        stun::binding_request_options opt;
        opt.server = server;
        outcome out;
        na::async_binding_request(sock, opt, out.handler());
        REQUIRE(run_until(io, [&] { return out.done; }));
        REQUIRE_FALSE(out.ec);
        CHECK(out.result->from == server);
        CHECK(out.result->response_origin == server);
        CHECK(out.result->other_address == endpoint(server.address() == nk_lo1 ? nk_lo2 : nk_lo1,
                                                    server.port() == ip1p1.port() ? ip2p2.port() : ip1p1.port()));
    }
    CHECK(srv.server.stats().responder.answered == 8);
}

namespace {
const std::string sip_options =
    "OPTIONS sip:pbx@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\nTo: <sip:pbx@127.0.0.1>\r\nFrom: <sip:probe@127.0.0.1>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\nCSeq: 63104 OPTIONS\r\nContent-Length: 0\r\n\r\n";

struct received_datagram {
    std::string bytes;
    udp::endpoint from;
};
}  // namespace

TEST_CASE("A socket shared with SIP: datagrams that arrive during a request go to on_other_datagram") {
    net::io_context io;
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket sip_peer(io, udp::endpoint(lo1, 0));

    // A hand-driven server: on the request, a SIP OPTIONS reaches the client first, then a
    // STUN response to somebody else's transaction, and 30 ms later the real answer.
    udp::socket server_socket(io, udp::endpoint(lo1, 0));
    stun::responder_config cfg;
    cfg.primary = na::to_natkit(server_socket.local_endpoint());
    stun::binding_responder responder(cfg);
    std::array<std::uint8_t, 2048> in{}, reply{};
    udp::endpoint client;
    net::steady_timer delay(io);
    std::optional<stun::responder_reply> answer;
    server_socket.async_receive_from(net::buffer(in), client, [&](const na::error_code& ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        sip_peer.send_to(net::buffer(sip_options), client);
        // A well-formed Binding success response with a transaction id that is not ours.
        std::vector<std::uint8_t> foreign;
        stun::message_builder b(foreign, stun::method::binding, stun::message_class::success_response,
                                stun::transaction_id::from(reinterpret_cast<const std::uint8_t*>("someone-else")));
        b.add<stun::attr::xor_mapped_address>(endpoint(natkit::ip_address::v4(192, 0, 2, 7), 9));
        REQUIRE(b.finish());
        sip_peer.send_to(net::buffer(foreign), client);
        answer = responder.handle(bytes_view(in.data(), n), na::to_natkit(client), cfg.primary, reply);
        delay.expires_after(30ms);
        delay.async_wait([&](const na::error_code&) {
            REQUIRE(answer);
            server_socket.send_to(net::buffer(answer->datagram.data(), answer->datagram.size()), client);
        });
    });

    std::vector<received_datagram> others;
    na::binding_request_options opt;
    opt.server = cfg.primary;
    opt.on_other_datagram = [&](bytes_view d, const udp::endpoint& from) {
        others.push_back({std::string(d.as_chars()), from});
    };
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    INFO(out.ec.message());
    REQUIRE_FALSE(out.ec);
    CHECK(out.result->mapped_address == na::to_natkit(sock.local_endpoint()));
    REQUIRE(others.size() == 2);
    CHECK(others[0].bytes == sip_options);
    CHECK(others[0].from == sip_peer.local_endpoint());
    CHECK(others[1].bytes.size() > 20);
    CHECK(others[1].from == sip_peer.local_endpoint());

    // After completion the adapter no longer reads: the next datagram waits for the owner.
    sip_peer.send_to(net::buffer(sip_options), sock.local_endpoint());
    std::array<char, 2048> buf{};
    udp::endpoint from;
    const std::size_t n = sock.receive_from(net::buffer(buf), from);
    CHECK(std::string(buf.data(), n) == sip_options);
    CHECK(others.size() == 2);
}

TEST_CASE("A request to a port where nothing listens times out after Rc sends and Rm*RTO") {
    net::io_context io;
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket silent(io, udp::endpoint(lo1, 0));  // bound, never reads, never answers

    stun::binding_request_options opt;
    opt.server = na::to_natkit(silent.local_endpoint());
    opt.policy = fast_policy();  // sends at 0, 20, 60 ms; gives up at 100 ms
    outcome out;
    const auto start = std::chrono::steady_clock::now();
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    const auto elapsed = std::chrono::steady_clock::now() - start;

    CHECK(out.ec == na::errc::timed_out);
    CHECK(out.ec.message() == "STUN request timed out");
    CHECK(out.result->transmissions == 3);
    CHECK_FALSE(out.result->mapped_address);
    CHECK(elapsed >= 100ms);
    CHECK(elapsed < 2s);

    // Exactly Rc requests arrived, all the same transaction.
    silent.non_blocking(true);
    std::array<std::uint8_t, 2048> buf{};
    std::vector<std::string> seen;
    for (;;) {
        udp::endpoint from;
        na::error_code ec;
        const std::size_t n = silent.receive_from(net::buffer(buf), from, 0, ec);
        if (ec) break;
        seen.emplace_back(reinterpret_cast<const char*>(buf.data()), n);
    }
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == seen[1]);
    CHECK(seen[1] == seen[2]);
}

TEST_CASE("Error responses: 401 without credentials fails with the code and reason; with them it succeeds") {
    net::io_context io;
    const std::string secret = "0123456789abcdef0123456789abcdef";
    stun::responder_config cfg = server_config(false);
    cfg.auth = stun::auth_mechanism::long_term;
    cfg.realm = "natkit.test";
    cfg.nonce_secret = bytes_view(secret);
    cfg.credentials = [](std::string_view user) -> std::optional<stun::integrity_key> {
        if (user != "alice") return std::nullopt;
        return stun::integrity_key::long_term("alice", "natkit.test", "wonderland");
    };
    running_server srv(io, cfg);
    udp::socket sock(io, udp::endpoint(lo1, 0));

    stun::binding_request_options opt;
    opt.server = srv.primary();
    outcome anonymous;
    na::async_binding_request(sock, opt, anonymous.handler());
    REQUIRE(run_until(io, [&] { return anonymous.done; }));
    CHECK(anonymous.ec == na::errc::error_response);
    CHECK(anonymous.result->error_code == 401);
    CHECK(anonymous.result->reason() == "Unauthorized");
    CHECK(anonymous.result->failure == stun::binding_failure::error_response);

    outcome authenticated;
    {
        // The strings are copied at the start: the caller's may change or go away at once.
        std::string user = "alice", password = "wonderland";
        opt.username = user;
        opt.password = password;
        na::async_binding_request(sock, opt, authenticated.handler());
        user.assign(5, 'x');
        password.assign(10, 'x');
    }
    REQUIRE(run_until(io, [&] { return authenticated.done; }));
    INFO(authenticated.ec.message());
    REQUIRE_FALSE(authenticated.ec);
    CHECK(authenticated.result->transactions == 2);
    CHECK(authenticated.result->mapped_address == na::to_natkit(sock.local_endpoint()));

    outcome wrong;
    opt.username = "alice";
    opt.password = "not the password";
    na::async_binding_request(sock, opt, wrong.handler());
    REQUIRE(run_until(io, [&] { return wrong.done; }));
    CHECK(wrong.ec == na::errc::error_response);
    CHECK(wrong.result->error_code == 401);
}

TEST_CASE("Closing the socket ends a running request with operation_aborted") {
    net::io_context io;
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket silent(io, udp::endpoint(lo1, 0));
    stun::binding_request_options opt;
    opt.server = na::to_natkit(silent.local_endpoint());
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    net::steady_timer t(io);
    t.expires_after(20ms);
    t.async_wait([&](const na::error_code&) { sock.close(); });
    REQUIRE(run_until(io, [&] { return out.done; }));
    CHECK(out.ec == net::error::operation_aborted);
}

#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
TEST_CASE("Per-operation cancellation ends only the request; the socket keeps working") {
    net::io_context io;
    running_server srv(io, server_config(false));
    udp::socket sock(io, udp::endpoint(lo1, 0));
    udp::socket silent(io, udp::endpoint(lo1, 0));

    stun::binding_request_options lost;
    lost.server = na::to_natkit(silent.local_endpoint());
    net::cancellation_signal signal;
    outcome cancelled;
    const auto start = std::chrono::steady_clock::now();
    na::async_binding_request(sock, lost, net::bind_cancellation_slot(signal.slot(), cancelled.handler()));
    net::steady_timer t(io);
    t.expires_after(20ms);
    t.async_wait([&](const na::error_code&) { signal.emit(net::cancellation_type::terminal); });
    REQUIRE(run_until(io, [&] { return cancelled.done; }));
    CHECK(cancelled.ec == net::error::operation_aborted);
    CHECK(std::chrono::steady_clock::now() - start < 1s);  // not the 39.5 s timeout

    stun::binding_request_options opt;
    opt.server = srv.primary();
    outcome next;
    na::async_binding_request(sock, opt, next.handler());
    REQUIRE(run_until(io, [&] { return next.done; }));
    REQUIRE_FALSE(next.ec);
    CHECK(next.result->mapped_address == na::to_natkit(sock.local_endpoint()));
}
#endif

TEST_CASE("A request too large to build fails at once, through the executor") {
    net::io_context io;
    udp::socket sock(io, udp::endpoint(lo1, 0));
    stun::binding_request_options opt;
    opt.server = endpoint(nk_lo1, 3478);
    opt.padding = 4000;  // beyond binding_client::max_request_size
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    CHECK_FALSE(out.done);
    REQUIRE(run_until(io, [&] { return out.done; }));
    CHECK(out.ec == na::errc::request_too_large);
}
