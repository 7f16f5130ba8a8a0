// natkit-keepalive: keeps one UDP socket's NAT binding open with STUN Binding requests and
// reports its public address, and every change of it, as they happen.
//
//   natkit-keepalive --server HOST[:PORT] [--secondary HOST[:PORT]] [--local IP[:PORT]]
//                    [--interval S] [--count N] [--json]
//
// Runs until SIGINT/SIGTERM, or until N rounds were answered or failed. --interval takes
// seconds, fractions allowed (0.5). With --json, one object per line per event:
//   {"event":"mapped","mapped":"IP:port","t_ms":N}
//   {"event":"changed","from":"IP:port","to":"IP:port","t_ms":N}
//   {"event":"lost","t_ms":N}   {"event":"restored","mapped":"IP:port","t_ms":N}
#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/asio/keepalive_service.hpp"

namespace {

namespace na = natkit::asio;
namespace ka = natkit::keepalive;
namespace net = natkit::asio::net;
using udp = net::ip::udp;

constexpr const char* program = "natkit-keepalive";

int usage_error(const std::string& message) { return cli::usage_error(program, message); }
int fatal(const std::string& message) { return cli::fatal(program, message); }
void print_usage() {
    std::cout << "usage: " << program
              << " --server HOST[:PORT] [--secondary HOST[:PORT]] [--local IP[:PORT]] [--interval S]\n"
                 "       [--count N] [--json]\n"
                 "  --interval S   keepalive when idle this many seconds (default 10; fractions allowed)\n"
                 "  --count N      stop after N keepalive rounds (default: run until SIGINT/SIGTERM)\n";
}


}  // namespace

int main(int argc, char** argv) {
    std::optional<cli::host_port> server_arg, secondary_arg;
    std::optional<natkit::endpoint> local_arg;
    std::chrono::milliseconds interval{10000};
    long long count = -1;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string_view(argv[++i]);
        };
        if (a == "--help" || a == "-h") {
            print_usage();
            return 0;
        } else if (a == "--server" || a == "--secondary") {
            const auto v = value();
            auto hp = v ? cli::parse_host_port(*v, 3478) : std::nullopt;
            if (!hp) return usage_error("bad " + std::string(a) + ", expected HOST[:PORT]");
            (a == "--server" ? server_arg : secondary_arg) = hp;
        } else if (a == "--local") {
            const auto v = value();
            if (!v) return usage_error("--local needs IP[:PORT]");
            auto e = natkit::endpoint::parse(*v, 0);
            if (!e) return usage_error("bad --local, expected IP[:PORT]");
            local_arg = *e;
        } else if (a == "--interval") {
            const auto v = value();
            const auto ms = v ? cli::parse_seconds(*v) : std::nullopt;
            if (!ms) return usage_error("--interval needs seconds (e.g. 10 or 0.5)");
            interval = *ms;
        } else if (a == "--count") {
            const auto v = value();
            const auto n = v ? cli::parse_millis(*v) : std::nullopt;  // a positive integer
            if (!n) return usage_error("--count needs a positive number");
            count = n->count();
        } else if (a == "--json") {
            json = true;
        } else {
            return usage_error("unknown argument '" + std::string(a) + "'");
        }
    }
    if (!server_arg) return usage_error("--server is required");

    net::io_context io;
    std::string error;
    const auto server = cli::resolve_udp(io, *server_arg, error);
    if (!server) return fatal(error);
    std::optional<udp::endpoint> secondary;
    if (secondary_arg && !(secondary = cli::resolve_udp(io, *secondary_arg, error))) return fatal(error);

    udp::socket socket(io);
    na::error_code ec;
    const udp::endpoint bind_at = local_arg ? na::to_udp(*local_arg) : udp::endpoint(server->protocol(), 0);
    socket.open(bind_at.protocol(), ec);
    if (!ec) socket.bind(bind_at, ec);
    if (ec) return fatal("cannot bind " + na::to_natkit(bind_at).to_string() + ": " + ec.message());

    const auto start = std::chrono::steady_clock::now();
    auto t_ms = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    };
    na::keepalive_service service(io.get_executor());
    const std::uint32_t sock_id = service.add_socket(socket);
    ka::binding_options o;
    o.socket = sock_id;
    o.server = na::to_natkit(*server);
    if (secondary) o.secondary = na::to_natkit(*secondary);
    o.interval = interval;
    o.jitter = interval >= std::chrono::seconds(2) ? 0.2 : 0.0;

    long long rounds = 0;
    net::signal_set signals(io, SIGINT, SIGTERM);
    auto stop = [&] {
        service.stop();
        signals.cancel();
        socket.close(ec);
    };
    signals.async_wait([&](const na::error_code& e, int) {
        if (!e) stop();
    });
    service.on_send([&](const ka::keepalive_transmit& t) {
        // --count N: N rounds; the next round's first send ends the run instead.
        if (!t.retransmission && count >= 0 && ++rounds > count) net::post(io, stop);
    });
    service.on_event([&](const na::keepalive_service::event& e) {
        const auto t = t_ms();
        switch (e.kind) {
        case ka::event_kind::mapped:
            if (json) std::cout << "{\"event\":\"mapped\",\"mapped\":\"" << e.current.to_string() << "\",\"t_ms\":" << t << "}\n";
            else std::cout << t << " ms  mapped   " << e.current.to_string() << "\n";
            break;
        case ka::event_kind::changed:
            if (json)
                std::cout << "{\"event\":\"changed\",\"from\":\"" << e.previous.to_string() << "\",\"to\":\""
                          << e.current.to_string() << "\",\"t_ms\":" << t << "}\n";
            else
                std::cout << t << " ms  CHANGED  " << e.previous.to_string() << " -> " << e.current.to_string()
                          << "  (re-register now with the new Contact)\n";
            break;
        case ka::event_kind::lost:
            if (json) std::cout << "{\"event\":\"lost\",\"t_ms\":" << t << "}\n";
            else std::cout << t << " ms  LOST     no answer from the STUN server\n";
            break;
        case ka::event_kind::restored:
            if (json) std::cout << "{\"event\":\"restored\",\"mapped\":\"" << e.current.to_string() << "\",\"t_ms\":" << t << "}\n";
            else std::cout << t << " ms  restored " << e.current.to_string() << "\n";
            break;
        }
        std::cout.flush();
    });
    service.add(o);

    // The receive loop of a real application would split SIP from STUN here; this one only
    // has keepalive answers to expect.
    std::array<std::uint8_t, 1500> buf{};
    udp::endpoint from;
    std::function<void()> receive = [&] {
        socket.async_receive_from(net::buffer(buf), from, [&](const na::error_code& e, std::size_t n) {
            if (e == net::error::operation_aborted || !socket.is_open()) return;
            if (!e) service.dispatch(sock_id, natkit::bytes_view(buf.data(), n), na::to_natkit(from));
            receive();
        });
    };
    receive();
    if (!json) std::cout << "keepalive every " << interval.count() << " ms from " << na::to_natkit(socket.local_endpoint(ec)).to_string()
                         << " to " << o.server.to_string() << "\n";
    io.run();
    return 0;
}
