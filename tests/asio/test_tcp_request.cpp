// async_binding_request over TCP (RFC 8489 §6.2.2) against a tiny TCP STUN responder made of
// stun::binding_responder and stun::stream_framer.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "asio_support.hpp"
#include "catch.hpp"
#include "natkit/asio/binding_request.hpp"
#include "natkit/stun/binding_responder.hpp"
#include "natkit/stun/stream_framer.hpp"

using namespace natkit_test;
using natkit::bytes_view;
using natkit::endpoint;
using namespace std::chrono_literals;
namespace stun = natkit::stun;

namespace {
/// Accepts one connection and answers each framed request. The reply goes out in two
/// pieces, 7 bytes and the rest 10 ms later, so the client must reassemble it; with
/// `silent` it reads and never answers.
struct tiny_tcp_server {
    net::io_context& io;
    tcp::acceptor acceptor;
    tcp::socket peer;
    stun::responder_config cfg;
    std::optional<stun::binding_responder> responder;
    std::array<std::uint8_t, 4096> storage{};
    stun::stream_framer framer{storage};
    std::array<std::uint8_t, 1024> chunk{};
    std::array<std::uint8_t, 1500> reply{};
    std::size_t reply_size = 0;
    net::steady_timer pause;
    bool silent = false;
    int requests = 0;

    explicit tiny_tcp_server(net::io_context& ctx)
        : io(ctx), acceptor(ctx, tcp::endpoint(lo1, 0)), peer(ctx), pause(ctx) {
        cfg.primary = na::to_natkit(acceptor.local_endpoint());
        cfg.software = "tiny tcp";
        responder.emplace(cfg);
        acceptor.async_accept(peer, [this](const na::error_code& ec) {
            if (!ec) read();
        });
    }
    endpoint address() const { return cfg.primary; }

    void read() {
        peer.async_read_some(net::buffer(chunk), [this](const na::error_code& ec, std::size_t n) {
            if (ec) return;
            framer.append(bytes_view(chunk.data(), n));
            auto msg = framer.next();
            if (!msg || msg->empty()) return read();
            ++requests;
            if (silent) return read();
            auto r = responder->handle(*msg, na::to_natkit(peer.remote_endpoint()), cfg.primary, reply);
            if (!r) return read();
            reply_size = r->datagram.size();
            net::write(peer, net::buffer(reply.data(), 7));
            pause.expires_after(10ms);
            pause.async_wait([this](const na::error_code&) {
                net::write(peer, net::buffer(reply.data() + 7, reply_size - 7));
                read();
            });
        });
    }
};
}  // namespace

TEST_CASE("TCP Binding request: connect, write, reassemble the framed response") {
    net::io_context io;
    tiny_tcp_server server(io);
    tcp::socket sock(io);
    stun::binding_request_options opt;
    opt.server = server.address();
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    INFO(out.ec.message());
    REQUIRE_FALSE(out.ec);
    REQUIRE(sock.is_open());  // success leaves the connection up
    CHECK(out.result->mapped_address == na::to_natkit(sock.local_endpoint()));
    CHECK(out.result->software() == "tiny tcp");
    CHECK(out.result->response_origin == server.address());
    CHECK(out.result->transmissions == 1);
    CHECK(server.requests == 1);
}

TEST_CASE("TCP Binding request on a socket the caller bound and connected already") {
    net::io_context io;
    tiny_tcp_server server(io);
    tcp::socket sock(io);
    sock.open(tcp::v4());
    sock.bind(tcp::endpoint(lo1, 0));
    sock.connect(na::to_tcp(server.address()));
    const auto local = na::to_natkit(sock.local_endpoint());
    stun::binding_request_options opt;
    opt.server = server.address();
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    REQUIRE_FALSE(out.ec);
    CHECK(out.result->mapped_address == local);
}

TEST_CASE("TCP Binding request: Ti timeout, and a refused connection") {
    net::io_context io;
    SECTION("the server accepts but never answers") {
        tiny_tcp_server server(io);
        server.silent = true;
        tcp::socket sock(io);
        stun::binding_request_options opt;
        opt.server = server.address();
        opt.policy.ti = 100ms;
        outcome out;
        const auto start = std::chrono::steady_clock::now();
        na::async_binding_request(sock, opt, out.handler());
        REQUIRE(run_until(io, [&] { return out.done; }));
        CHECK(out.ec == na::errc::timed_out);
        CHECK(std::chrono::steady_clock::now() - start >= 100ms);
        CHECK(server.requests == 1);  // sent once: no retransmission over a stream
        CHECK_FALSE(sock.is_open());  // a failed request closes the connection
    }
    SECTION("nothing listens") {
        endpoint closed_port;
        {
            tcp::acceptor a(io, tcp::endpoint(lo1, 0));
            closed_port = na::to_natkit(a.local_endpoint());
        }
        tcp::socket sock(io);
        stun::binding_request_options opt;
        opt.server = closed_port;
        outcome out;
        na::async_binding_request(sock, opt, out.handler());
        REQUIRE(run_until(io, [&] { return out.done; }));
        CHECK(out.ec == net::error::connection_refused);
    }
}

TEST_CASE("TCP Binding request: a stream that is not STUN fails with stream_error") {
    net::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(lo1, 0));
    tcp::socket peer(io);
    const std::string http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    acceptor.async_accept(peer, [&](const na::error_code& ec) {
        if (!ec) net::write(peer, net::buffer(http));
    });
    tcp::socket sock(io);
    stun::binding_request_options opt;
    opt.server = na::to_natkit(acceptor.local_endpoint());
    outcome out;
    na::async_binding_request(sock, opt, out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    CHECK(out.ec == na::errc::stream_error);
}
