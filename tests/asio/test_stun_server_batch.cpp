// natkit::asio::stun_server under bursts, on both receive paths: batched (recvmmsg/sendmmsg,
// Linux) and one datagram per operation. Every request of a burst from several clients is
// answered once, from the socket CHANGE-REQUEST asks for, with the right addresses; garbage in
// the burst is dropped and the server keeps serving; nothing is allocated per request.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "asio_support.hpp"
#include "catch.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/allocations.hpp"

using namespace natkit_test;
using natkit::endpoint;
using namespace std::chrono_literals;
namespace stun = natkit::stun;

namespace {

using datagram = std::vector<std::uint8_t>;

/// What a client expects for one of its requests.
struct expectation {
    std::size_t client = 0;
    std::size_t to_socket = 0;    // index in local_endpoints(): where the request went
    std::size_t from_socket = 0;  // ... and where CHANGE-REQUEST says the answer comes from
    bool classic = false;         // RFC 3489 request (no magic cookie)
    bool unknown_attribute = false;  // carries a comprehension-required attribute: 420
    int answers = 0;
};

/// True when the attribute is there and has the value `v`.
template <class Result, class Value>
bool has(const Result& r, const Value& v) {
    return r && *r == v;
}

stun::transaction_id make_tid(std::uint32_t serial) {
    std::array<std::uint8_t, 12> b{'b', 'u', 'r', 's', 't', 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) b[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(serial >> (8 * i));
    return stun::transaction_id::from(b.data());
}

datagram make_request(const stun::transaction_id& tid, const expectation& e, bool change_ip, bool change_port) {
    datagram out;
    // Classic requests carry 16 random-looking id bytes: the first four stand where the cookie is.
    stun::message_builder b(out, stun::method::binding, stun::message_class::request, tid,
                            e.classic ? 0x01020304u : stun::magic_cookie);
    if (change_ip || change_port) b.add<stun::attr::change_request>(stun::change_request_value{change_ip, change_port});
    if (e.unknown_attribute) {
        const std::array<std::uint8_t, 4> value{1, 2, 3, 4};
        b.add_raw(0x002F, natkit::bytes_view(value.data(), value.size()));  // unassigned, < 0x8000
    }
    if (!e.classic) b.add_fingerprint();
    REQUIRE(b.finish());
    return out;
}

/// Datagrams the server must drop: not STUN, truncated, empty, a response.
std::vector<datagram> garbage(std::mt19937& rng) {
    std::vector<datagram> g;
    g.push_back({});
    datagram noise(1 + rng() % 300);
    for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
    noise[0] |= 0xC0;  // the two top bits of a STUN message are zero (RFC 8489 §5)
    g.push_back(noise);
    datagram request;
    stun::message_builder rb(request, stun::method::binding, stun::message_class::request, make_tid(0xFFFFFFFF));
    rb.add_fingerprint();
    REQUIRE(rb.finish());
    g.push_back(datagram(request.begin(), request.begin() + 12));   // cut inside the header
    g.push_back(datagram(request.begin(), request.end() - 4));      // length says more than there is
    datagram response;
    stun::message_builder sb(response, stun::method::binding, stun::message_class::success_response, make_tid(0xFFFFFFFE));
    sb.add<stun::attr::xor_mapped_address>(endpoint(nk_lo1, 9));
    REQUIRE(sb.finish());
    g.push_back(response);
    return g;
}

/// Sends bursts of requests (a third with CHANGE-REQUEST, some classic, some with an unknown
/// attribute) mixed with garbage from `clients` sockets to all of the server's sockets, and
/// checks every answer. Returns the server's stats.
na::stun_server_stats run_bursts(bool batched, std::size_t clients, std::size_t rounds, std::size_t per_client) {
    net::io_context io;
    na::stun_server server(io.get_executor(), server_config(true));
    server.use_batched_io(batched);
    REQUIRE(server.batched_io() == (batched && na::stun_server::batched_io_supported));
    REQUIRE_FALSE(server.open());
    server.start();
    const std::vector<endpoint> locals = server.local_endpoints();
    REQUIRE(locals.size() == 4);

    std::vector<std::unique_ptr<udp::socket>> sockets;
    std::vector<endpoint> client_endpoints;
    for (std::size_t c = 0; c < clients; ++c) {
        sockets.push_back(std::make_unique<udp::socket>(io, udp::endpoint(c % 2 ? lo2 : lo1, 0)));
        sockets.back()->set_option(net::socket_base::receive_buffer_size(1 << 20));
        sockets.back()->non_blocking(true);
        client_endpoints.push_back(na::to_natkit(sockets.back()->local_endpoint()));
    }

    std::map<stun::transaction_id, expectation> expected;
    std::mt19937 rng(7);
    std::uint32_t serial = 0;
    std::size_t garbage_sent = 0, wrong = 0;
    datagram in(2048);
    for (std::size_t round = 0; round < rounds; ++round) {
        // The burst: all clients send before the server runs, so its sockets hold many
        // datagrams at once (about 240 per socket fit the default receive buffer).
        std::size_t requests = 0;
        for (std::size_t i = 0; i < per_client; ++i) {
            for (std::size_t c = 0; c < clients; ++c) {
                expectation e;
                e.client = c;
                e.to_socket = (i + c) % 4;
                const bool change_ip = (i % 3 == 1) || (i % 6 == 2);
                const bool change_port = (i % 3 == 2);
                // Slots are IP1:P1, IP1:P2, IP2:P1, IP2:P2: change-IP flips bit 1, change-port bit 0.
                e.from_socket = e.to_socket ^ (change_ip ? 2u : 0u) ^ (change_port ? 1u : 0u);
                e.classic = i % 10 == 3;
                e.unknown_attribute = i % 50 == 7;
                if (e.unknown_attribute) e.from_socket = e.to_socket;  // 420 comes from where it went
                const auto tid = make_tid(serial++);
                sockets[c]->send_to(net::buffer(make_request(tid, e, change_ip, change_port)), na::to_udp(locals[e.to_socket]));
                expected[tid] = e;
                ++requests;
                if (i % 25 == 0) {
                    for (const auto& g : garbage(rng)) {
                        sockets[c]->send_to(net::buffer(g), na::to_udp(locals[(i + c + 1) % 4]));
                        ++garbage_sent;
                    }
                }
            }
        }
        const std::uint64_t target = server.stats().sent + requests;
        REQUIRE(run_until(io, [&] { return server.stats().sent + server.stats().send_errors >= target; }));
        // Collect the answers.
        for (std::size_t c = 0; c < clients; ++c) {
            while (true) {
                udp::endpoint from;
                na::error_code ec;
                const std::size_t n = sockets[c]->receive_from(net::buffer(in), from, 0, ec);
                if (ec) break;
                auto msg = stun::message_view::parse(natkit::bytes_view(in.data(), n));
                if (!msg) {
                    ++wrong;
                    continue;
                }
                const auto it = expected.find(msg->transaction_id());
                if (it == expected.end()) {
                    ++wrong;
                    continue;
                }
                expectation& e = it->second;
                ++e.answers;
                const endpoint source = na::to_natkit(from);
                const endpoint other = locals[e.to_socket ^ 3u];
                bool ok = e.client == c && source == locals[e.from_socket] && msg->legacy() == e.classic;
                if (e.unknown_attribute) {
                    const auto err = msg->get<stun::attr::error_code>();
                    ok = ok && msg->is_error_response() && err && err->code == 420;
                } else if (e.classic) {
                    ok = ok && msg->is_success_response() && has(msg->get<stun::attr::mapped_address>(), client_endpoints[c]) &&
                         has(msg->get<stun::attr::source_address>(), source) && has(msg->get<stun::attr::changed_address>(), other);
                } else {
                    ok = ok && msg->is_success_response() && has(msg->get<stun::attr::xor_mapped_address>(), client_endpoints[c]) &&
                         has(msg->get<stun::attr::response_origin>(), source) && has(msg->get<stun::attr::other_address>(), other) &&
                         !msg->check_fingerprint();
                }
                if (!ok) ++wrong;
            }
        }
    }
    std::size_t unanswered = 0, repeated = 0;
    for (const auto& [tid, e] : expected) {
        if (e.answers == 0) ++unanswered;
        if (e.answers > 1) ++repeated;
    }
    CHECK(wrong == 0);
    CHECK(unanswered == 0);
    CHECK(repeated == 0);

    const auto stats = server.stats();
    CHECK(stats.received == expected.size() + garbage_sent);
    CHECK(stats.sent == expected.size());
    CHECK(stats.send_errors == 0);
    CHECK(stats.receive_errors == 0);
    CHECK(stats.responder.dropped == garbage_sent);
    CHECK(stats.responder.answered + stats.responder.errors == expected.size());
    return stats;
}

}  // namespace

TEST_CASE("Bursts from several clients are answered once each, from the right socket, garbage dropped") {
    // 5 rounds of 4 clients x 50 requests: 1000 requests, about 60 garbage datagrams.
    SECTION("batched I/O where supported") {
        const auto stats = run_bursts(true, 4, 5, 50);
        INFO("datagrams per read: " << static_cast<double>(stats.received) / static_cast<double>(stats.receive_calls));
        if (na::stun_server::batched_io_supported)
            CHECK(stats.receive_calls * 4 <= stats.received);  // bursts come in several per call
        else
            CHECK(stats.receive_calls == stats.received);
    }
    SECTION("one datagram per receive") {
        const auto stats = run_bursts(false, 4, 5, 50);
        CHECK(stats.receive_calls == stats.received);
    }
}

TEST_CASE("The server keeps serving after a burst of garbage alone") {
    const bool batched = GENERATE(true, false);
    net::io_context io;
    na::stun_server server(io.get_executor(), server_config(true));
    server.use_batched_io(batched);
    REQUIRE_FALSE(server.open());
    server.start();
    udp::socket raw(io, udp::endpoint(lo1, 0));
    const auto locals = server.local_endpoints();
    std::mt19937 rng(11);
    std::size_t sent = 0;
    // 40 per socket: what fits their default receive buffers whatever the kernel's accounting.
    for (std::size_t i = 0; i < 32; ++i)
        for (const auto& g : garbage(rng)) {
            raw.send_to(net::buffer(g), na::to_udp(locals[i % 4]));
            ++sent;
        }
    REQUIRE(run_until(io, [&] { return server.stats().received == sent; }));
    CHECK(server.stats().responder.dropped == sent);
    CHECK(server.stats().sent == 0);

    udp::socket sock(io, udp::endpoint(lo1, 0));
    stun::binding_request_options opt;
    opt.server = server.config().primary;
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    REQUIRE_FALSE(out.ec);
    CHECK(out.result->mapped_address == na::to_natkit(sock.local_endpoint()));
}

TEST_CASE("The server allocates nothing per request in bursts") {
    const bool batched = GENERATE(true, false);
    net::io_context io;
    na::stun_server server(io.get_executor(), server_config(true));
    server.use_batched_io(batched);
    REQUIRE_FALSE(server.open());
    server.start();
    udp::socket client(io, udp::endpoint(lo1, 0));
    const auto target = na::to_udp(server.config().primary);

    std::vector<datagram> requests;
    for (std::uint32_t i = 0; i < 48; ++i) {
        expectation e;
        requests.push_back(make_request(make_tid(i), e, i % 2 == 1, i % 3 == 1));
    }
    datagram in(2048);
    std::size_t answers = 0;
    // One burst of 48 requests (some answered from the other sockets), then the server's
    // handlers until all are sent, then the answers read with synchronous calls.
    const auto burst = [&] {
        const auto before = server.stats().sent;
        for (const auto& r : requests) client.send_to(net::buffer(r), target);
        while (server.stats().sent < before + requests.size()) io.run_one_for(1s);
        for (std::size_t k = 0; k < requests.size(); ++k) {
            udp::endpoint from;
            client.receive_from(net::buffer(in), from);
            ++answers;
        }
    };
    for (int i = 0; i < 5; ++i) burst();  // warm up Asio's recycled operation memory
    const std::size_t allocations = allocations_during([&] {
        for (int i = 0; i < 50; ++i) burst();
    });
    INFO("batched " << batched << ", datagrams per read "
                    << static_cast<double>(server.stats().received) / static_cast<double>(server.stats().receive_calls));
    CHECK(allocations == 0);  // 2400 requests
    CHECK(answers == 55 * requests.size());
}

TEST_CASE("A wait on a socket that still holds datagrams completes at once") {
    // The batched server drains a socket until recvmmsg finds it empty and then waits; a
    // datagram that arrived in between, or that the reactor saw while no wait was pending,
    // must still complete the next wait, or the server would sit on it.
    net::io_context io;
    udp::socket s(io, udp::endpoint(lo1, 0));
    s.non_blocking(true);
    udp::socket c(io, udp::endpoint(lo1, 0));
    const std::array<std::uint8_t, 4> payload{1, 2, 3, 4};
    std::array<std::uint8_t, 16> in{};
    bool done = false;
    const auto wait = [&] {
        done = false;
        s.async_wait(net::socket_base::wait_read, [&](const na::error_code& ec) { done = !ec; });
    };

    wait();
    c.send_to(net::buffer(payload), s.local_endpoint());
    REQUIRE(run_until(io, [&] { return done; }));
    wait();  // the datagram was reported once and is still there
    CHECK(run_until(io, [&] { return done; }, 500ms));

    udp::endpoint from;
    CHECK(s.receive_from(net::buffer(in), from) == payload.size());
    c.send_to(net::buffer(payload), s.local_endpoint());
    net::steady_timer t(io, 30ms);  // the reactor runs (and sees the datagram) with no wait pending
    bool fired = false;
    t.async_wait([&](const na::error_code&) { fired = true; });
    REQUIRE(run_until(io, [&] { return fired; }));
    wait();
    CHECK(run_until(io, [&] { return done; }, 500ms));
}
