// natkit-sdp-rewrite: reads a SIP message or a bare SDP on standard input, puts the public
// address and ports into it, and writes the result to standard output.
//
//     natkit-sdp-rewrite --public 203.0.113.5 --map-range 55000-55999=40000
//                        --sip-public 203.0.113.5:65002 < invite.sip > invite.public.sip
//     natkit-sdp-rewrite --public 203.0.113.5 --map-port 55000=40012 --ice add-srflx < offer.sdp
//
// The input kind is detected: a first line "v=..." is an SDP, a SIP request or status line a
// SIP message. Everything goes through the public API: sip::rewrite_rules / sdp::rewrite_rules,
// sdp::port_mapping::parse, cidr::parse, endpoint::parse, sip::rewrite and sdp::rewrite.
//
// Exit status: 0 rewritten; 1 the input is neither SIP nor SDP, or has a malformed line the
// rewrite needs (the error and its line number go to standard error, nothing to standard
// output); 2 bad command line.
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>

#include "natkit/core/cidr.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/packet_kind.hpp"
#include "natkit/sdp/rewriter.hpp"
#include "natkit/sip/rewriter.hpp"

namespace {

using namespace natkit;

constexpr int exit_ok = 0;
constexpr int exit_bad_input = 1;
constexpr int exit_usage = 2;

constexpr const char* usage_text =
    "usage: natkit-sdp-rewrite --public IP [--public6 IP6] [--map-port LOCAL=PUBLIC]...\n"
    "           [--map-range FIRST-LAST=PUBLIC_FIRST]... [--local-net CIDR]...\n"
    "           [--sip-public IP[:PORT]]... [--ice keep|strip|add-srflx] [--bump-version]\n"
    "           [--no-rport] < message > rewritten\n"
    "\n"
    "Reads a SIP message or a bare SDP on standard input (detected), replaces the local\n"
    "addresses and ports a PBX behind NAT put in it by the public ones, and writes the result\n"
    "to standard output. Every byte it has no reason to change stays as it was.\n"
    "\n"
    "options:\n"
    "  --public IP          public address for the media (c=, o=, a=rtcp, candidates); an\n"
    "                       IPv4 or IPv6 address (at least one of --public/--public6)\n"
    "  --public6 IP6        public IPv6 address for the media\n"
    "  --map-port L=P       local port L appears as public port P (repeatable)\n"
    "  --map-range F-L=P    local ports F..L appear as P..P+(L-F) (repeatable)\n"
    "  --local-net CIDR     addresses in CIDR count as local too (repeatable); always local:\n"
    "                       10/8 172.16/12 192.168/16 100.64/10 169.254/16 127/8 fc00::/7\n"
    "                       fe80::/10 ::1\n"
    "  --sip-public IP[:PORT]  public address (and port) of the SIP socket, for Via and\n"
    "                       Contact; [IPV6]:PORT for IPv6; once per family. Without it the\n"
    "                       SIP headers stay as they are\n"
    "  --ice POLICY         ICE candidates: keep (default), strip, add-srflx\n"
    "  --bump-version       add 1 to the o= session version\n"
    "  --no-rport           do not add ;rport to the top Via of requests\n"
    "  -h, --help           print this help\n"
    "\n"
    "exit status: 0 rewritten; 1 not SIP nor SDP, or a malformed line it must change\n"
    "(reported with its line number); 2 bad command line\n";

/// Applies the command line to `rules`; on a usage error writes the message to `error`.
bool parse_command_line(int argc, char** argv, sip::rewrite_rules& rules, bool& help, std::string& error) {
    bool have_public = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            help = true;
            return true;
        }
        const auto value = [&](std::string_view& out) {
            if (i + 1 >= argc) {
                error = std::string(arg) + " needs a value";
                return false;
            }
            out = argv[++i];
            return true;
        };
        std::string_view v;
        if (arg == "--bump-version") {
            rules.sdp.bump_version = true;
        } else if (arg == "--no-rport") {
            rules.add_rport = false;
        } else if (arg == "--public" || arg == "--public6") {
            if (!value(v)) return false;
            const auto a = ip_address::parse(v);
            if (!a || (arg == "--public6" && !a->is_v6())) {
                error = std::string(arg) + ": not an " + (arg == "--public6" ? "IPv6" : "IP") +
                        " address: " + std::string(v);
                return false;
            }
            if (const auto ec = rules.sdp.set_public_address(*a)) {
                error = std::string(arg) + " " + std::string(v) + ": " + ec.message();
                return false;
            }
            have_public = true;
        } else if (arg == "--map-port" || arg == "--map-range") {
            if (!value(v)) return false;
            const auto m = sdp::port_mapping::parse(v);
            // --map-port takes one port, --map-range a FIRST-LAST range.
            if (!m || (arg == "--map-port") != (v.find('-') == std::string_view::npos)) {
                error = std::string(arg) + ": expected " +
                        (arg == "--map-port" ? "LOCAL=PUBLIC" : "FIRST-LAST=PUBLIC_FIRST") + ", got " + std::string(v);
                return false;
            }
            if (const auto ec = rules.sdp.ports.add(*m)) {
                error = std::string(arg) + " " + std::string(v) + ": " + ec.message();
                return false;
            }
        } else if (arg == "--local-net") {
            if (!value(v)) return false;
            const auto c = cidr::parse(v);
            if (!c) {
                error = "--local-net: " + c.error().message() + ": " + std::string(v);
                return false;
            }
            if (const auto ec = rules.sdp.local.add(*c)) {
                error = "--local-net " + std::string(v) + ": " + ec.message();
                return false;
            }
        } else if (arg == "--sip-public") {
            if (!value(v)) return false;
            const auto e = endpoint::parse(v, 0);
            if (!e) {
                error = "--sip-public: expected IP[:PORT] or [IPV6]:PORT, got " + std::string(v);
                return false;
            }
            if (const auto ec = rules.set_public_endpoint(e->address(), e->port())) {
                error = "--sip-public " + std::string(v) + ": " + ec.message();
                return false;
            }
        } else if (arg == "--ice") {
            if (!value(v)) return false;
            if (v == "keep")
                rules.sdp.ice = sdp::ice_policy::keep;
            else if (v == "strip")
                rules.sdp.ice = sdp::ice_policy::strip;
            else if (v == "add-srflx")
                rules.sdp.ice = sdp::ice_policy::add_srflx;
            else {
                error = "--ice: expected keep, strip or add-srflx, got " + std::string(v);
                return false;
            }
        } else {
            error = "unknown argument " + std::string(arg);
            return false;
        }
    }
    if (!have_public) {
        error = "--public (or --public6) is required";
        return false;
    }
    return true;
}

bool read_all(std::FILE* f, std::string& out) {
    char buf[65536];
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f);
        out.append(buf, n);
        if (n < sizeof buf) return !std::ferror(f);
    }
}

}  // namespace

int main(int argc, char** argv) {
    sip::rewrite_rules rules;
    bool help = false;
    std::string error;
    if (!parse_command_line(argc, argv, rules, help, error)) {
        // As the other examples (cli.hpp, which this one does not include: it needs no Asio).
        std::fprintf(stderr, "natkit-sdp-rewrite: %s (try --help)\n", error.c_str());
        return exit_usage;
    }
    if (help) {
        std::fputs(usage_text, stdout);
        return exit_ok;
    }

    std::string input;
    if (!read_all(stdin, input)) {
        std::fprintf(stderr, "natkit-sdp-rewrite: cannot read standard input\n");
        return exit_bad_input;
    }
    std::string output;
    sdp::rewrite_result r;
    if (input.compare(0, 2, "v=") == 0) {
        r = sdp::rewrite(input, rules.sdp, output);
    } else if (looks_like_sip(input)) {
        r = sip::rewrite(input, rules, output);
    } else {
        std::fprintf(stderr, "natkit-sdp-rewrite: line 1: the input is neither a SIP message nor an SDP\n");
        return exit_bad_input;
    }
    if (!r) {
        std::fprintf(stderr, "natkit-sdp-rewrite: line %zu: %s (%s)\n", r.line(), r.error().message().c_str(),
                     r.error().category().name());
        return exit_bad_input;
    }
    // One write of the whole result: nothing half-written when the rewrite failed.
    if (std::fwrite(r.output().data(), 1, r.size(), stdout) != r.size() || std::fflush(stdout) != 0) {
        std::fprintf(stderr, "natkit-sdp-rewrite: cannot write standard output\n");
        return exit_bad_input;
    }
    return exit_ok;
}
