// natkit-firewall-plan: prints the rules a NAT router or firewall needs in front of a PBX
// that uses natkit (STUN, SIP and RTP/RTCP out and back, optional ENUM port forward, DSCP
// marks), as an explanation per rule or as an nftables or iptables-restore ruleset.
//
//     natkit-firewall-plan --lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 55000-56000
//     natkit-firewall-plan --lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 55000-56001
//                          --enum-forward --format nftables > pbx.nft   # then: nft -c -f pbx.nft
//
// Core only (natkit/core/endpoint.hpp), no Asio. Exit status: 0 printed; 2 bad command line
// (one line on standard error, as the other examples: cli.hpp, which needs Asio).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "firewall_plan.hpp"
#include "natkit/core/endpoint.hpp"

namespace {

constexpr const char* usage_text =
    "usage: natkit-firewall-plan --lan-ip IP --sip-port P --rtp-range A-B [--stun-port 3478]\n"
    "           [--sip-provider-port 5060] [--enum-forward] [--wan-if IF]\n"
    "           [--format text|nftables|iptables]\n"
    "\n"
    "Prints the rules a NAT router or firewall needs for a PBX behind it: outbound STUN, SIP\n"
    "and RTP/RTCP with their return traffic (one rule each, separate for signalling and media\n"
    "so that QoS can attach to them), DSCP marks (EF for media, CS3 for signalling), and with\n"
    "--enum-forward the port forward that ENUM links need.\n"
    "\n"
    "options:\n"
    "  --lan-ip IP              the PBX's IPv4 address on the LAN\n"
    "  --sip-port P             the PBX's SIP socket (it carries STUN too), e.g. 65002\n"
    "  --rtp-range A-B          the PBX's RTP/RTCP ports, e.g. 55000-56000\n"
    "  --stun-port P            the STUN server's port (default 3478)\n"
    "  --sip-provider-port P    the SIP provider's port (default 5060)\n"
    "  --enum-forward           forward the router's public UDP port 5060 to the SIP socket\n"
    "                           (ENUM peers call without registration)\n"
    "  --wan-if IF              restrict the rules to the router's WAN interface IF\n"
    "  --format F               text (default: a readable explanation per rule), nftables\n"
    "                           (for nft -f) or iptables (for iptables-restore --noflush)\n"
    "  -h, --help               print this help\n"
    "\n"
    "exit status: 0 printed; 2 bad command line\n";

bool parse_port(std::string_view s, std::uint16_t& port) {
    if (s.empty() || s.size() > 5) return false;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10u + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535u) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

/// Linux interface names: 1..15 characters (IFNAMSIZ), nothing that could break out of a
/// quoted rule.
bool valid_interface(std::string_view s) {
    if (s.empty() || s.size() > 15) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

enum class format { text, nftables, iptables };

bool parse_command_line(int argc, char** argv, fwplan::options& opt, format& fmt, bool& help, std::string& error) {
    bool have_lan = false, have_sip = false, have_rtp = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            help = true;
            return true;
        }
        std::string_view v;
        const auto value = [&] {
            if (i + 1 >= argc) {
                error = std::string(arg) + " needs a value";
                return false;
            }
            v = argv[++i];
            return true;
        };
        const auto port_option = [&](std::uint16_t& port) {
            if (!value()) return false;
            if (!parse_port(v, port)) {
                error = std::string(arg) + ": not a port (1-65535): " + std::string(v);
                return false;
            }
            return true;
        };
        if (arg == "--enum-forward") {
            opt.enum_forward = true;
        } else if (arg == "--lan-ip") {
            if (!value()) return false;
            const auto a = natkit::ip_address::parse(v);
            if (!a) {
                error = "--lan-ip: not an IP address: " + std::string(v);
                return false;
            }
            if (!a->is_v4()) {
                error = "--lan-ip: give the PBX's IPv4 address (IPv6 is not translated by the router): " +
                        std::string(v);
                return false;
            }
            if (a->is_unspecified() || a->is_multicast() || a->is_loopback()) {
                error = "--lan-ip: not a host address: " + std::string(v);
                return false;
            }
            opt.lan_ip = *a;
            have_lan = true;
        } else if (arg == "--sip-port") {
            if (!port_option(opt.sip_port)) return false;
            have_sip = true;
        } else if (arg == "--stun-port") {
            if (!port_option(opt.stun_port)) return false;
        } else if (arg == "--sip-provider-port") {
            if (!port_option(opt.provider_port)) return false;
        } else if (arg == "--rtp-range") {
            if (!value()) return false;
            const auto dash = v.find('-');
            if (dash == std::string_view::npos || !parse_port(v.substr(0, dash), opt.rtp.first) ||
                !parse_port(v.substr(dash + 1), opt.rtp.last) || opt.rtp.first > opt.rtp.last) {
                error = "--rtp-range: expected FIRST-LAST with FIRST <= LAST, got " + std::string(v);
                return false;
            }
            have_rtp = true;
        } else if (arg == "--wan-if") {
            if (!value()) return false;
            if (!valid_interface(v)) {
                error = "--wan-if: not an interface name: " + std::string(v);
                return false;
            }
            opt.wan_if = std::string(v);
        } else if (arg == "--format") {
            if (!value()) return false;
            if (v == "text")
                fmt = format::text;
            else if (v == "nftables")
                fmt = format::nftables;
            else if (v == "iptables")
                fmt = format::iptables;
            else {
                error = "--format: expected text, nftables or iptables, got " + std::string(v);
                return false;
            }
        } else {
            error = "unknown argument " + std::string(arg);
            return false;
        }
    }
    if (!have_lan || !have_sip || !have_rtp) {
        error = std::string(!have_lan ? "--lan-ip" : !have_sip ? "--sip-port" : "--rtp-range") + " is required";
        return false;
    }
    if (opt.rtp.contains(opt.sip_port)) {
        error = "--sip-port " + std::to_string(opt.sip_port) + " lies inside --rtp-range " +
                std::to_string(opt.rtp.first) + "-" + std::to_string(opt.rtp.last) +
                ": signalling and media need their own ports";
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    fwplan::options opt;
    format fmt = format::text;
    bool help = false;
    std::string error;
    if (!parse_command_line(argc, argv, opt, fmt, help, error)) {
        std::fprintf(stderr, "natkit-firewall-plan: %s (try --help)\n", error.c_str());
        return 2;
    }
    if (help) {
        std::fputs(usage_text, stdout);
        return 0;
    }
    const fwplan::plan p = fwplan::make_plan(opt);
    const std::string out = fmt == format::nftables   ? fwplan::render_nftables(p)
                            : fmt == format::iptables ? fwplan::render_iptables(p)
                                                      : fwplan::render_text(p);
    std::fputs(out.c_str(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}
