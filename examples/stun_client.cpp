// natkit-stun-client: one STUN Binding request (RFC 8489) over UDP (with retransmissions) or
// TCP, printing the mapped address, the round-trip time and what the server tells about
// itself (SOFTWARE, RFC 5780 OTHER-ADDRESS and RESPONSE-ORIGIN).
//
//   natkit-stun-client --server HOST[:PORT] [--local IP[:PORT]] [--tcp] [--json] [--timeout-ms N]
//
// HOST is a name, an IPv4 address or a bracketed IPv6 address ("[2001:db8::1]:3478"); the
// port defaults to 3478. Exit status: 0 success, 1 network error, timeout or error response,
// 2 bad arguments.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "natkit/asio/binding_request.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/version.hpp"

namespace {

using cli::host_port;
using cli::json_endpoint;
using cli::json_string;
using cli::parse_host_port;
using cli::printable;
using cli::route_source;

namespace na = natkit::asio;
namespace net = natkit::asio::net;
namespace stun = natkit::stun;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

constexpr const char* program = "natkit-stun-client";
constexpr std::uint16_t default_port = 3478;

int usage_error(const std::string& message) { return cli::usage_error(program, message); }

int network_error(const std::string& message) { return cli::fatal(program, message); }

void print_usage() {
    std::cout << "usage: " << program
              << " --server HOST[:PORT] [--local IP[:PORT]] [--tcp] [--json] [--timeout-ms N]\n"
                 "  --server HOST[:PORT]  STUN server: name, IPv4 or [IPv6]; port 3478 by default\n"
                 "  --local IP[:PORT]     local address to send from (default: any, port chosen by the OS)\n"
                 "  --tcp                 use TCP (RFC 8489 6.2.2) instead of UDP\n"
                 "  --json                print one JSON object\n"
                 "  --timeout-ms N        give up after about N ms (default 39500, RFC 8489's)\n";
}

/// RFC 8489 §6.2.1 timers stretched or cut to give up after about `total`: RTO 500 ms (less
/// for short timeouts), as many doubling retransmissions as fit (at most Rc = 7), and Rm
/// chosen so that the last wait ends at `total` or just after.
stun::retransmission_policy policy_for(std::chrono::milliseconds total) {
    using std::chrono::milliseconds;
    stun::retransmission_policy p;
    p.ti = total;
    p.rto = std::min(milliseconds(500), std::max(milliseconds(1), total / 2));
    milliseconds last{0}, next = p.rto;
    unsigned rc = 1;
    for (milliseconds interval = p.rto; rc < 7 && next < total; ++rc) {
        last = next;
        interval *= 2;
        next = last + interval;
    }
    p.rc = rc;
    const auto remaining = total - last;
    p.rm = static_cast<unsigned>(std::max<long long>(1, (remaining.count() + p.rto.count() - 1) / p.rto.count()));
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<host_port> server_arg;
    std::optional<natkit::endpoint> local_arg;
    bool use_tcp = false, json = false;
    std::chrono::milliseconds timeout = stun::default_stream_timeout;

    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string_view(argv[++i]);
        };
        if (a == "--help" || a == "-h") {
            print_usage();
            return 0;
        } else if (a == "--server") {
            const auto v = value();
            if (!v) return usage_error("--server needs HOST[:PORT]");
            server_arg = parse_host_port(*v, default_port);
            if (!server_arg) return usage_error("bad --server '" + std::string(*v) + "', expected HOST[:PORT]");
        } else if (a == "--local") {
            const auto v = value();
            if (!v) return usage_error("--local needs IP[:PORT]");
            auto e = natkit::endpoint::parse(*v, 0);
            if (!e) return usage_error("bad --local '" + std::string(*v) + "', expected IP[:PORT]");
            local_arg = *e;
        } else if (a == "--timeout-ms") {
            const auto v = value();
            const auto ms = v ? cli::parse_millis(*v) : std::nullopt;
            if (!ms) return usage_error("--timeout-ms needs a number of milliseconds > 0");
            timeout = *ms;
        } else if (a == "--tcp") {
            use_tcp = true;
        } else if (a == "--json") {
            json = true;
        } else {
            return usage_error("unknown argument '" + std::string(a) + "'");
        }
    }
    if (!server_arg) return usage_error("--server is required");

    net::io_context io;

    // Resolve; with --local, take the first address of the local address's family.
    udp::resolver resolver(io);
    na::error_code ec;
    const auto results =
        resolver.resolve(server_arg->host, std::to_string(server_arg->port), udp::resolver::numeric_service, ec);
    if (ec) return network_error("cannot resolve '" + server_arg->host + "': " + ec.message());
    std::optional<udp::endpoint> server;
    for (const auto& entry : results) {
        const udp::endpoint e = entry.endpoint();
        if (local_arg && e.address().is_v4() != local_arg->address().is_v4()) continue;
        server = e;
        break;
    }
    if (!server) return network_error("'" + server_arg->host + "' has no address of the --local address's family");
    const natkit::endpoint server_ep = na::to_natkit(*server);
    const auto local_bind =
        local_arg
            ? *local_arg
            : natkit::endpoint(server->address().is_v4() ? natkit::ip_address() : natkit::ip_address::v6_any(), 0);

    stun::binding_request_options options;
    options.server = server_ep;
    options.software = "natkit-stun-client " NATKIT_VERSION_STRING;
    options.policy = policy_for(timeout);

    std::optional<stun::binding_result> result;
    na::error_code failure;
    const auto on_done = [&](na::error_code e, stun::binding_result r) {
        failure = e;
        result = r;
    };

    std::optional<natkit::endpoint> local;
    udp::socket udp_socket(io);
    tcp::socket tcp_socket(io);
    if (use_tcp) {
        if (local_arg) {
            tcp_socket.open(na::to_tcp(local_bind).protocol(), ec);
            if (!ec) tcp_socket.bind(na::to_tcp(local_bind), ec);
            if (ec) return network_error("cannot bind " + local_bind.to_string() + ": " + ec.message());
        }
        na::async_binding_request(tcp_socket, options, on_done);
        io.run();
        if (tcp_socket.is_open()) {
            const auto l = tcp_socket.local_endpoint(ec);
            if (!ec) local = na::to_natkit(l);
        }
    } else {
        udp_socket.open(na::to_udp(local_bind).protocol(), ec);
        if (!ec) udp_socket.bind(na::to_udp(local_bind), ec);
        if (ec) return network_error("cannot bind " + local_bind.to_string() + ": " + ec.message());
        const auto bound = udp_socket.local_endpoint(ec);
        if (!ec) {
            local = na::to_natkit(bound);
            if (bound.address().is_unspecified()) {
                if (const auto source = route_source(io, *server)) local->set_address(na::to_natkit(*source));
            }
        }
        na::async_binding_request(udp_socket, options, on_done);
        io.run();
    }

    const std::string server_text = server_ep.to_string();
    if (!result) return network_error("request to " + server_text + " did not complete");
    if (failure) {
        if (failure == na::errc::timed_out)
            return network_error("no response from " + server_text + " (timed out after " +
                                 std::to_string(timeout.count()) + " ms)");
        if (failure == na::errc::error_response)
            return network_error(server_text + " answered " + std::to_string(result->error_code) + " " +
                                 printable(result->reason()));
        return network_error("request to " + server_text + " failed: " + failure.message());
    }

    const stun::binding_result& r = *result;
    const double rtt_ms = std::chrono::duration<double, std::milli>(r.rtt).count();
    char rtt_text[32];
    std::snprintf(rtt_text, sizeof rtt_text, "%.3f", rtt_ms);
    if (json) {
        std::cout << "{\"server\": " << json_string(server_text) << ", \"local\": " << json_endpoint(local)
                  << ", \"mapped\": " << json_endpoint(r.mapped_address) << ", \"rtt_ms\": " << rtt_text
                  << ", \"other_address\": " << json_endpoint(r.other_address)
                  << ", \"response_origin\": " << json_endpoint(r.response_origin)
                  << ", \"software\": " << (r.software().empty() ? std::string("null") : json_string(r.software()))
                  << ", \"changed_address\": " << json_endpoint(r.changed_address)
                  << ", \"source_address\": " << json_endpoint(r.source_address) << "}\n";
        return 0;
    }
    std::cout << "server           " << server_text << (use_tcp ? " (tcp)" : " (udp)") << "\n";
    if (local) std::cout << "local            " << local->to_string() << "\n";
    std::cout << "mapped           " << r.mapped_address->to_string() << (r.xor_mapped ? "" : " (MAPPED-ADDRESS)")
              << "\n";
    std::cout << "rtt              " << rtt_text << " ms";
    if (r.transmissions > 1) std::cout << " (upper bound: " << r.transmissions << " transmissions)";
    std::cout << "\n";
    if (!r.software().empty()) std::cout << "software         " << printable(r.software()) << "\n";
    if (r.other_address) std::cout << "other-address    " << r.other_address->to_string() << "\n";
    if (r.response_origin) std::cout << "response-origin  " << r.response_origin->to_string() << "\n";
    // Classic RFC 3489 servers (stund) name their other address and source this way.
    if (r.changed_address) std::cout << "changed-address  " << r.changed_address->to_string() << "\n";
    if (r.source_address) std::cout << "source-address   " << r.source_address->to_string() << "\n";
    return 0;
}
