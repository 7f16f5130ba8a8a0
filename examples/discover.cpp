// natkit-discover: classifies the NAT in front of this host with STUN (RFC 5780 behaviour
// discovery, or the classic RFC 3489 flow) and says what the verdict means for SIP trunks.
//
//   natkit-discover --server HOST[:PORT] [--alternate-server HOST[:PORT]]
//                   [--mode auto|rfc5780|rfc3489] [--local IP[:PORT]] [--hairpin] [--lifetime]
//                   [--timeout-ms N] [--json]
//
// Exit status: 0 when a verdict was reached (udp-blocked is a verdict; so is unknown with
// evidence), 1 for an unusable local address or a network error, 2 for bad arguments.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "natkit/asio/discovery.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/nat/behavior.hpp"
#include "natkit/nat/discovery.hpp"
#include "natkit/version.hpp"

namespace {

namespace na = natkit::asio;
namespace nat = natkit::nat;
namespace net = natkit::asio::net;
using udp = net::ip::udp;

constexpr const char* program = "natkit-discover";

int usage_error(const std::string& message) { return cli::usage_error(program, message); }
int fatal(const std::string& message) { return cli::fatal(program, message); }

void print_usage() {
    std::cout << "usage: " << program
              << " --server HOST[:PORT] [--alternate-server HOST[:PORT]] [--mode auto|rfc5780|rfc3489]\n"
                 "       [--local IP[:PORT]] [--hairpin] [--lifetime] [--timeout-ms N] [--json]\n"
                 "  --server HOST[:PORT]            STUN server (port 3478 by default)\n"
                 "  --alternate-server HOST[:PORT]  its second address, if it does not announce it\n"
                 "  --mode M                        auto (default), rfc5780 or rfc3489\n"
                 "  --local IP[:PORT]               local address of the socket to classify\n"
                 "  --hairpin                       also test hairpinning (uses a second socket)\n"
                 "  --lifetime                      also measure the binding lifetime (RFC 5780 4.6; slow: minutes)\n"
                 "  --timeout-ms N                  how long to wait for the first answer (default 450)\n"
                 "  --json                          print one JSON object\n";
}

std::string ms_text(natkit::duration d) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(1);
    o << std::chrono::duration<double, std::milli>(d).count();
    return o.str();
}

std::string seconds_text(std::chrono::milliseconds d) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(1);
    o << std::chrono::duration<double>(d).count();
    return o.str();
}

std::string json_report(const nat::discovery_result& r, const natkit::endpoint& server, const natkit::endpoint& local) {
    using cli::json_endpoint;
    using cli::json_string;
    std::ostringstream o;
    o << "{\"server\": " << json_string(server.to_string()) << ", \"mode\": " << json_string(nat::to_string(r.mode))
      << ", \"local\": " << json_string(local.to_string()) << ", \"mapped\": " << json_endpoint(r.mapped)
      << ", \"nat_type\": " << json_string(nat::to_string(r.type))
      << ", \"mapping\": " << json_string(nat::to_string(r.mapping))
      << ", \"filtering\": " << json_string(nat::to_string(r.filtering)) << ", \"hairpinning\": "
      << (r.hairpinning ? (*r.hairpinning ? "true" : "false") : "null")
      << ", \"binding_lifetime_s\": "
      << (r.binding_lifetime ? seconds_text(*r.binding_lifetime) : std::string("null"))
      << ", \"elapsed_ms\": " << ms_text(r.elapsed)
      << ", \"alternate\": " << json_endpoint(r.alternate) << ", \"note\": "
      << (r.note.empty() ? std::string("null") : json_string(r.note)) << ", \"tests\": [";
    for (std::size_t i = 0; i < r.test_count; ++i) {
        const auto& t = r.tests[i];
        o << (i ? ", " : "") << "{\"test\": " << json_string(nat::to_string(t.kind)) << ", \"socket\": " << t.socket
          << ", \"to\": " << json_string(t.to.to_string()) << ", \"change_ip\": " << (t.change.change_ip ? "true" : "false")
          << ", \"change_port\": " << (t.change.change_port ? "true" : "false")
          << ", \"answered\": " << (t.answered ? "true" : "false")
          << ", \"from\": " << (t.answered ? json_string(t.from.to_string()) : "null")
          << ", \"wrong_source\": " << (t.wrong_source ? "true" : "false") << ", \"mapped\": " << json_endpoint(t.mapped)
          << ", \"other_address\": " << json_endpoint(t.other_address)
          << ", \"response_origin\": " << json_endpoint(t.response_origin)
          << ", \"started_ms\": " << ms_text(t.started) << ", \"rtt_ms\": " << (t.answered ? ms_text(t.rtt) : "null")
          << ", \"transmissions\": " << t.transmissions << "}";
    }
    o << "]}";
    return o.str();
}

void text_report(const nat::discovery_result& r, const natkit::endpoint& server, const natkit::endpoint& local) {
    std::cout << "STUN server     " << server.to_string();
    if (r.alternate) std::cout << " (alternate " << r.alternate->to_string() << ")";
    std::cout << "\nmode            " << nat::to_string(r.mode) << "\nlocal           " << local.to_string()
              << "\nmapped          " << (r.mapped ? r.mapped->to_string() : "-") << "\n\nNAT type        "
              << nat::to_string(r.type) << "\nmapping         " << nat::to_string(r.mapping) << "\nfiltering       "
              << nat::to_string(r.filtering) << "\nhairpinning     "
              << (r.hairpinning ? (*r.hairpinning ? "yes" : "no") : "not tested") << "\nlifetime        "
              << (r.binding_lifetime ? seconds_text(*r.binding_lifetime) + " s" : "not tested")
              << "\nelapsed         "
              << ms_text(r.elapsed) << " ms\n";
    if (!r.note.empty()) std::cout << "note            " << r.note << "\n";
    std::cout << "\nwhat it means   " << nat::voip_advice(r.type) << "\n\nevidence:\n";
    for (std::size_t i = 0; i < r.test_count; ++i) {
        const auto& t = r.tests[i];
        std::cout << "  " << nat::to_string(t.kind) << ": to " << t.to.to_string();
        if (t.change.change_ip || t.change.change_port)
            std::cout << " CHANGE-REQUEST" << (t.change.change_ip ? " ip" : "") << (t.change.change_port ? " port" : "");
        if (t.answered) {
            std::cout << " -> answer from " << t.from.to_string();
            if (t.mapped) std::cout << " mapped " << t.mapped->to_string();
            std::cout << " (" << ms_text(t.rtt) << " ms)";
            if (t.wrong_source) std::cout << " IGNORED: not from the changed address";
        } else {
            std::cout << " -> no answer after " << t.transmissions << " sends";
        }
        std::cout << "\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<cli::host_port> server_arg, alternate_arg;
    std::optional<natkit::endpoint> local_arg;
    nat::discovery_config cfg;
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
        } else if (a == "--server" || a == "--alternate-server") {
            const auto v = value();
            auto hp = v ? cli::parse_host_port(*v, 3478) : std::nullopt;
            if (!hp) return usage_error("bad " + std::string(a) + ", expected HOST[:PORT]");
            (a == "--server" ? server_arg : alternate_arg) = hp;
        } else if (a == "--mode") {
            const auto v = value();
            if (v == std::string_view("auto")) cfg.mode = nat::discovery_mode::automatic;
            else if (v == std::string_view("rfc5780")) cfg.mode = nat::discovery_mode::rfc5780;
            else if (v == std::string_view("rfc3489")) cfg.mode = nat::discovery_mode::rfc3489;
            else return usage_error("--mode must be auto, rfc5780 or rfc3489");
        } else if (a == "--local") {
            const auto v = value();
            auto e = v ? natkit::endpoint::parse(*v, 0) : natkit::result<natkit::endpoint>(natkit::parse_errc::bad_endpoint);
            if (!e) return usage_error("bad --local, expected IP[:PORT]");
            local_arg = *e;
        } else if (a == "--hairpin") {
            cfg.test_hairpinning = true;
        } else if (a == "--lifetime") {
            cfg.test_lifetime = true;
        } else if (a == "--timeout-ms") {
            const auto v = value();
            const auto ms = v ? cli::parse_millis(*v) : std::nullopt;
            if (!ms) return usage_error("--timeout-ms needs a number of milliseconds > 0");
            cfg.first_timeout = *ms;
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
    cfg.server = natkit::asio::to_natkit(*server);
    if (alternate_arg) {
        const auto alt = cli::resolve_udp(io, *alternate_arg, error);
        if (!alt) return fatal(error);
        cfg.alternate_server = natkit::asio::to_natkit(*alt);
    }

    // Bind the socket to classify; learn its real address (not 0.0.0.0) for the no-NAT test.
    udp::socket primary(io), secondary(io);
    na::error_code ec;
    const udp::endpoint bind_at = local_arg ? natkit::asio::to_udp(*local_arg) : udp::endpoint(server->protocol(), 0);
    primary.open(bind_at.protocol(), ec);
    if (!ec) primary.bind(bind_at, ec);
    if (ec) return fatal("cannot bind " + natkit::asio::to_natkit(bind_at).to_string() + ": " + ec.message());
    udp::endpoint local = primary.local_endpoint(ec);
    if (local.address().is_unspecified()) {
        const auto src = cli::route_source(io, *server);
        if (!src) return fatal("no route to " + cfg.server.to_string());
        local.address(*src);
    }
    cfg.local = natkit::asio::to_natkit(local);
    const bool two_sockets = cfg.test_hairpinning || cfg.test_lifetime;
    if (two_sockets) {
        secondary.open(bind_at.protocol(), ec);
        if (!ec) secondary.bind(udp::endpoint(local.address(), 0), ec);
        if (ec) return fatal("cannot bind a second socket for the hairpinning/lifetime tests: " + ec.message());
    }
    // No SOFTWARE: the first request may reach a classic RFC 3489 server, and stund drops
    // requests whose SOFTWARE (its "server name") is not a multiple of 4 bytes long.

    std::random_device rd;
    const std::uint64_t seed = (std::uint64_t{rd()} << 32) ^ rd();
    std::optional<nat::discovery_result> result;
    natkit::asio::async_discover(primary, two_sockets ? &secondary : nullptr, cfg, seed,
                                 [&](const na::error_code&, nat::discovery_result r) { result = r; });
    io.run();
    if (!result) return fatal("discovery did not complete");
    if (json) std::cout << json_report(*result, cfg.server, cfg.local) << "\n";
    else text_report(*result, cfg.server, cfg.local);
    return 0;
}
