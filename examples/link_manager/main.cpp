// natkit-link-manager: a PBX's SIP trunk link behind a NAT router, built from natkit's parts
// (see trunk_link.hpp): NAT discovery at start-up, STUN keepalives with change reports, an
// RTP port pool whose public ports are learned per call, SIP/SDP rewriting, DSCP marking.
//
//   natkit-link-manager --stun HOST[:PORT] [--stun-alternate HOST[:PORT]] [--stun-secondary HOST[:PORT]]
//                       [--local IP[:PORT]] [--rtp-range A-B] [--interval S] [--user NAME]
//                       [--dscp-sip N] [--dscp-rtp N] [--call URI] [--json]
//
// Commands on standard input, one per line (a PBX would call the same functions):
//   call sip:USER@IP[:PORT]   place a call (INVITE with SDP, ACK, RTP) through that address
//   hangup [CALL-ID]          end a call (the newest by default) with BYE
//   status                    the public address and the calls
//   quit                      hang up and exit (as SIGINT/SIGTERM do)
#include <csignal>
#include <functional>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <unistd.h>

#include "../cli.hpp"
#include "event_log.hpp"
#include "trunk_link.hpp"

namespace {

constexpr const char* program = "natkit-link-manager";
namespace na = natkit::asio;
namespace net = natkit::asio::net;

int usage_error(const std::string& m) { return cli::usage_error(program, m); }
int fatal(const std::string& m) { return cli::fatal(program, m); }

void print_usage() {
    std::cout << "usage: " << program
              << " --stun HOST[:PORT] [--stun-alternate HOST[:PORT]] [--stun-secondary HOST[:PORT]]\n"
                 "       [--local IP[:PORT]] [--rtp-range A-B] [--interval S] [--user NAME]\n"
                 "       [--dscp-sip N] [--dscp-rtp N] [--call URI] [--json]\n"
                 "  --stun           the STUN server (port 3478 unless given; some providers use e.g. 10000)\n"
                 "  --local          the SIP/STUN socket (default 0.0.0.0:65002)\n"
                 "  --rtp-range      the RTP port pool (default 55000-56000; RTP even, RTCP +1)\n"
                 "  --interval       keepalive when a socket was idle this many seconds (default 10)\n"
                 "  --dscp-sip/-rtp  DSCP of SIP/STUN (default 24, CS3) and RTP/RTCP (default 46, EF)\n"
                 "  --call URI       place a call to sip:USER@IP[:PORT] as soon as the NAT is known\n"
                 "commands on standard input: call URI | hangup [CALL-ID] | status | quit\n";
}

bool parse_dscp(std::string_view v, std::uint8_t& out) {
    if (v.empty() || v.size() > 2) return false;
    unsigned x = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return false;
        x = x * 10 + static_cast<unsigned>(c - '0');
    }
    if (x > na::dscp::max) return false;
    out = static_cast<std::uint8_t>(x);
    return true;
}

/// "sip:user@IP[:port]" → the address to send to (port 5060 when none is given).
std::optional<natkit::endpoint> call_destination(std::string_view uri) {
    if (uri.substr(0, 4) != "sip:") return std::nullopt;
    const auto at = uri.find('@');
    std::string_view hostport = uri.substr(at == std::string_view::npos ? 4 : at + 1);
    hostport = hostport.substr(0, hostport.find(';'));
    auto e = natkit::endpoint::parse(hostport, 5060);
    if (!e) return std::nullopt;
    return *e;
}

/// Reads commands from standard input as they come (a pipe, a FIFO or a terminal).
class command_reader {
public:
    command_reader(net::io_context& io, link_manager::trunk_link& link, link_manager::event_log& log,
                   std::function<void()> quit)
        : input_(io, ::dup(STDIN_FILENO)), link_(link), log_(log), quit_(std::move(quit)) {}

    void start() {
        net::async_read_until(input_, buffer_, '\n', [this](const na::error_code& e, std::size_t n) {
            if (e) return;  // end of input: keep running until a signal
            std::string line(static_cast<const char*>(buffer_.data().data()), n);
            buffer_.consume(n);
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
            run(line);
            start();
        });
    }
    void stop() {
        na::error_code ignored;
        input_.close(ignored);
    }

private:
    void run(const std::string& line) {
        const auto space = line.find(' ');
        const std::string cmd = line.substr(0, space);
        const std::string arg = space == std::string::npos ? std::string() : line.substr(space + 1);
        if (cmd == "call") {
            const auto to = call_destination(arg);
            if (!to) log_.emit("error", {{"reason", "bad uri"}}, "call needs sip:USER@IP[:PORT]");
            else link_.call(arg, *to);
        } else if (cmd == "hangup") {
            link_.hangup(arg);
        } else if (cmd == "status") {
            link_.status();
        } else if (cmd == "quit") {
            quit_();
        } else if (!cmd.empty()) {
            log_.emit("error", {{"reason", "unknown command"}}, "unknown command (call URI | hangup [ID] | status | quit)");
        }
    }

    net::posix::stream_descriptor input_;
    net::streambuf buffer_;
    link_manager::trunk_link& link_;
    link_manager::event_log& log_;
    std::function<void()> quit_;
};

}  // namespace

int main(int argc, char** argv) {
    link_manager::options o;
    std::optional<cli::host_port> stun_arg, alternate_arg, secondary_arg;
    std::optional<std::string> call_uri;
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
        } else if (a == "--stun" || a == "--stun-alternate" || a == "--stun-secondary") {
            const auto v = value();
            auto hp = v ? cli::parse_host_port(*v, 3478) : std::nullopt;
            if (!hp) return usage_error("bad " + std::string(a) + ", expected HOST[:PORT]");
            (a == "--stun" ? stun_arg : a == "--stun-alternate" ? alternate_arg : secondary_arg) = hp;
        } else if (a == "--local") {
            const auto v = value();
            auto e = v ? natkit::endpoint::parse(*v, 65002) : natkit::result<natkit::endpoint>(natkit::parse_errc::bad_endpoint);
            if (!e) return usage_error("bad --local, expected IP[:PORT]");
            o.sip_local = *e;
        } else if (a == "--rtp-range") {
            const auto v = value().value_or("");
            const auto dash = v.find('-');
            std::uint16_t first = 0, last = 0;
            if (dash == std::string_view::npos || !cli::parse_port(v.substr(0, dash), first) ||
                !cli::parse_port(v.substr(dash + 1), last) || last < first + 1u)
                return usage_error("bad --rtp-range, expected A-B with A < B");
            o.rtp_first = first;
            o.rtp_last = last;
        } else if (a == "--interval") {
            const auto v = value();
            const auto ms = v ? cli::parse_seconds(*v) : std::nullopt;
            if (!ms) return usage_error("--interval needs seconds (e.g. 10 or 0.5)");
            o.keepalive_interval = *ms;
        } else if (a == "--user") {
            const auto v = value();
            if (!v || v->empty() || v->find_first_of("@:; <>\"") != std::string_view::npos)
                return usage_error("--user needs a SIP user name");
            o.user = std::string(*v);
        } else if (a == "--dscp-sip" || a == "--dscp-rtp") {
            const auto v = value();
            if (!v || !parse_dscp(*v, a == "--dscp-sip" ? o.dscp_sip : o.dscp_rtp))
                return usage_error(std::string(a) + " needs a DSCP value 0-63");
        } else if (a == "--call") {
            const auto v = value();
            if (!v || !call_destination(*v)) return usage_error("--call needs sip:USER@IP[:PORT]");
            call_uri = std::string(*v);
        } else if (a == "--json") {
            json = true;
        } else {
            return usage_error("unknown argument '" + std::string(a) + "'");
        }
    }
    if (!stun_arg) return usage_error("--stun is required");

    net::io_context io;
    std::string error;
    const auto stun = cli::resolve_udp(io, *stun_arg, error);
    if (!stun) return fatal(error);
    o.stun_server = na::to_natkit(*stun);
    for (auto [arg, out] : {std::pair{&alternate_arg, &o.stun_alternate}, std::pair{&secondary_arg, &o.stun_secondary}}) {
        if (!*arg) continue;
        const auto e = cli::resolve_udp(io, **arg, error);
        if (!e) return fatal(error);
        *out = na::to_natkit(*e);
    }

    link_manager::event_log log(json);
    link_manager::trunk_link link(io, o, log);
    link.on_reregister = [&](const natkit::endpoint& public_sip) {
        // Where a PBX sends REGISTER with the new Contact; this example reports it.
        log.emit("reregister", {{"contact_host", link_manager::sip_hostport(public_sip)}},
                 "application: re-registering with Contact host " + link_manager::sip_hostport(public_sip));
    };
    if (const auto ec = link.start())
        return fatal("cannot use " + o.sip_local.to_string() + ": " + ec.message());

    net::signal_set signals(io, SIGINT, SIGTERM);
    std::function<void()> quit;
    command_reader commands(io, link, log, [&] { quit(); });
    quit = [&] {
        link.stop();
        signals.cancel();
        commands.stop();
    };
    signals.async_wait([&](const na::error_code& e, int) {
        if (!e) quit();
    });
    commands.start();
    // --call: once the discovery is done (it owns the socket for at most a few seconds).
    net::steady_timer call_timer(io);
    std::function<void()> try_call = [&] {
        if (link.ready()) return link.call(*call_uri, *call_destination(*call_uri));
        call_timer.expires_after(std::chrono::milliseconds(50));
        call_timer.async_wait([&](const na::error_code& e) {
            if (!e) try_call();
        });
    };
    if (call_uri) try_call();
    io.run();
    return 0;
}
