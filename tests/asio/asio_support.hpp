// Helpers for the Asio adapter tests: loopback addresses, a running natkit STUN server,
// and an io_context loop bounded in time.
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "catch.hpp"
#include "natkit/asio/binding_request.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/asio/stun_server.hpp"

namespace natkit_test {

namespace na = natkit::asio;
namespace net = natkit::asio::net;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

/// The two server addresses; nothing else is ever a target.
inline const net::ip::address lo1 = net::ip::make_address("127.0.0.1");
inline const net::ip::address lo2 = net::ip::make_address("127.0.0.2");
inline const natkit::ip_address nk_lo1 = natkit::ip_address::v4(127, 0, 0, 1);
inline const natkit::ip_address nk_lo2 = natkit::ip_address::v4(127, 0, 0, 2);

inline natkit::stun::responder_config server_config(bool with_alternate) {
    natkit::stun::responder_config cfg;
    cfg.primary = natkit::endpoint(nk_lo1, 0);
    if (with_alternate) cfg.alternate = natkit::endpoint(nk_lo2, 0);
    cfg.software = "natkit test server";
    return cfg;
}

/// A natkit stun_server on loopback, open and started.
struct running_server {
    na::stun_server server;
    running_server(net::io_context& io, const natkit::stun::responder_config& cfg) : server(io.get_executor(), cfg) {
        const auto ec = server.open();
        INFO(ec.message());
        REQUIRE_FALSE(ec);
        server.start();
    }
    natkit::endpoint primary() const { return server.config().primary; }
    natkit::endpoint alternate() const { return *server.config().alternate; }
};

/// Runs handlers until `done()` or `limit` passed; returns done().
inline bool run_until(net::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    if (io.stopped()) io.restart();
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.run_one_for(std::chrono::milliseconds(50));
        if (io.stopped()) io.restart();
    }
    return done();
}

/// Collects one completion.
struct outcome {
    std::optional<natkit::stun::binding_result> result;
    na::error_code ec;
    bool done = false;
    auto handler() {
        return [this](na::error_code e, natkit::stun::binding_result r) {
            ec = e;
            result = r;
            done = true;
        };
    }
};

inline natkit::stun::retransmission_policy fast_policy() {
    natkit::stun::retransmission_policy p;
    p.rto = std::chrono::milliseconds(20);
    p.rc = 3;
    p.rm = 2;
    p.ti = std::chrono::milliseconds(200);
    return p;
}

}  // namespace natkit_test
