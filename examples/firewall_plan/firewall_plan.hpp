// The rules a NAT router or firewall needs in front of a PBX that uses natkit, as one list
// (make_plan) written out three ways: an explanation per rule (render_text), an nftables
// ruleset (render_nftables) and an iptables-restore file (render_iptables). Every format
// comes from the same list, so they cannot disagree.
//
// A tool, not library API: it lives with natkit-firewall-plan.
//
// What the PBX does, and so what the rules allow (see DESIGN.md): its SIP socket talks to the
// provider's SIP port and, like each RTP socket, to a STUN server, which it asks for the
// socket's public address and keeps the router's mapping alive with (every 10 s). Everything
// is started from the LAN, so the router needs no port forward except for ENUM links, whose
// peers call the public address on port 5060 without the PBX having registered anywhere.
#ifndef NATKIT_EXAMPLES_FIREWALL_PLAN_HPP
#define NATKIT_EXAMPLES_FIREWALL_PLAN_HPP

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "natkit/core/endpoint.hpp"

namespace fwplan {

/// Ports first..last (first == last: one port).
struct port_range {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    bool contains(std::uint16_t p) const noexcept { return p >= first && p <= last; }
};

/// DSCP code points used for marking (RFC 4594 §4.1, §4.2).
inline constexpr std::uint8_t dscp_ef = 46;
inline constexpr std::uint8_t dscp_cs3 = 24;

struct options {
    natkit::ip_address lan_ip;            ///< the PBX (IPv4: what the router translates)
    std::uint16_t sip_port = 0;           ///< the PBX's SIP (and STUN) socket
    port_range rtp;                       ///< RTP on even ports, RTCP on the odd port above
    std::uint16_t stun_port = 3478;       ///< the STUN server's port
    std::uint16_t provider_port = 5060;   ///< the SIP provider's port
    std::uint16_t enum_port = 5060;       ///< the router's public port ENUM peers call
    bool enum_forward = false;
    std::string wan_if;                   ///< empty: not restricted to one interface
};

enum class service { stun, sip, rtp, enum_forward };
/// out: from the PBX to the internet; in: from the internet to the PBX.
enum class direction { out, in };
/// What connection tracking must say about the packet's flow.
enum class ct_state { any, established, dnat };
enum class verdict { accept, mark, dnat };

struct rule {
    service svc;
    direction dir;
    std::vector<port_range> pbx_ports;     ///< source ports when out, destination ports when in
    std::vector<port_range> remote_ports;  ///< empty: any
    ct_state ct = ct_state::any;
    verdict action = verdict::accept;
    std::uint8_t dscp = 0;                 ///< verdict::mark
    std::uint16_t public_port = 0;         ///< verdict::dnat: the router's port
    std::string summary;                   ///< one line, also the rule's comment
    std::string why;                       ///< the knowledge-base paragraph
};

struct plan {
    options opt;
    std::vector<rule> filter;  ///< forwarded traffic (the router's forward chain)
    std::vector<rule> qos;     ///< DSCP marks on the way out (postrouting, mangle)
    std::vector<rule> nat;     ///< port forwards (prerouting, destination NAT)
    std::vector<std::string> notes;
};

const char* service_name(service s) noexcept;
plan make_plan(const options& opt);
std::string render_text(const plan& p);
std::string render_nftables(const plan& p);
std::string render_iptables(const plan& p);

// ---- implementation (inline: a single-translation-unit tool) ---------------------------

inline const char* service_name(service s) noexcept {
    switch (s) {
        case service::stun: return "stun";
        case service::sip: return "sip";
        case service::rtp: return "rtp";
        case service::enum_forward: return "enum";
    }
    return "?";
}

namespace detail {

inline std::string port_text(const port_range& r, char range_sep) {
    std::string s = std::to_string(r.first);
    if (r.last != r.first) s += range_sep + std::to_string(r.last);
    return s;
}

inline std::string ports_words(const std::vector<port_range>& ports) {
    if (ports.empty()) return "any port";
    std::string s;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        if (i != 0) s += i + 1 == ports.size() ? " and " : ", ";
        s += port_text(ports[i], '-');
    }
    return (ports.size() == 1 && ports[0].first == ports[0].last ? "port " : "ports ") + s;
}

inline const char* dscp_name(std::uint8_t d) noexcept { return d == dscp_ef ? "EF" : d == dscp_cs3 ? "CS3" : "?"; }

inline rule make_rule(service svc, direction dir, std::vector<port_range> pbx, std::vector<port_range> remote,
                      ct_state ct, std::string summary, std::string why) {
    rule r;
    r.svc = svc;
    r.dir = dir;
    r.pbx_ports = std::move(pbx);
    r.remote_ports = std::move(remote);
    r.ct = ct;
    r.summary = std::move(summary);
    r.why = std::move(why);
    return r;
}

}  // namespace detail

inline plan make_plan(const options& opt) {
    using detail::make_rule;
    plan p;
    p.opt = opt;
    const port_range sip{opt.sip_port, opt.sip_port};
    const port_range stun{opt.stun_port, opt.stun_port};
    const port_range provider{opt.provider_port, opt.provider_port};
    const std::string lan = opt.lan_ip.to_string();

    p.filter.push_back(make_rule(
        service::stun, direction::out, {sip, opt.rtp}, {stun}, ct_state::any,
        "STUN requests from the PBX's SIP and RTP sockets",
        "STUN lets the PBX learn its public address: the server answers with the address and port "
        "it saw, which the PBX writes into its SIP headers and SDP. Every socket gets its own "
        "mapping on the router, so the SIP socket and each RTP socket ask for themselves, and a "
        "Binding request every 10 s keeps each mapping open and shows a changed public address "
        "(e.g. after the daily DSL reconnect) at once."));
    p.filter.push_back(make_rule(
        service::stun, direction::in, {sip, opt.rtp}, {stun}, ct_state::established,
        "STUN answers to the PBX",
        "The STUN server's answers. Return traffic is allowed by connection tracking (state "
        "established): only answers to requests the PBX sent get in, so no port is opened to the "
        "internet."));
    p.filter.push_back(make_rule(
        service::sip, direction::out, {sip}, {provider}, ct_state::any,
        "SIP signalling from the PBX to the provider",
        "SIP to the provider: REGISTER, INVITE, BYE and the answers to the provider's requests. "
        "A rule of its own so that signalling can be given its own QoS class (CS3)."));
    p.filter.push_back(make_rule(
        service::sip, direction::in, {sip}, {provider}, ct_state::established,
        "SIP signalling from the provider to the PBX",
        "The provider's answers, and its requests (incoming calls) on the mapping the "
        "registration opened. Connection tracking lets them in while the mapping lives, which is "
        "why the PBX re-registers and sends keepalives: an expired mapping means incoming calls "
        "never arrive."));
    p.filter.push_back(make_rule(
        service::rtp, direction::out, {opt.rtp}, {}, ct_state::any,
        "RTP/RTCP media from the PBX",
        "Voice (RTP, even ports) and its reports (RTCP, the odd port above) to the address and "
        "port the other side's SDP named. Those are known per call only, so any destination is "
        "allowed from the media ports."));
    p.filter.push_back(make_rule(
        service::rtp, direction::in, {opt.rtp}, {}, ct_state::established,
        "RTP/RTCP media to the PBX",
        "The other side's media back to the PBX. Connection tracking lets it in once the PBX has "
        "sent from that port (symmetric RTP: both sides send from the port they receive on, and "
        "the PBX sends first, as RTP endpoints do). A peer that sends from another port than it "
        "receives on needs a port forward of the whole range instead."));
    if (opt.enum_forward) {
        p.filter.push_back(make_rule(
            service::enum_forward, direction::in, {sip}, {}, ct_state::dnat,
            "forwarded SIP (ENUM) to the PBX",
            "Lets the SIP requests that the port forward below sent to the PBX through the "
            "filter; only packets the router itself translated match (conntrack state DNAT)."));
        rule fwd = make_rule(
            service::enum_forward, direction::in, {sip}, {}, ct_state::any,
            "port forward: public UDP " + std::to_string(opt.enum_port) + " to " + lan + ":" +
                std::to_string(opt.sip_port),
            "ENUM links listen without registering: the peer looks the number up in DNS and sends "
            "its INVITE straight to the router's public address, port " +
                std::to_string(opt.enum_port) +
                ". Nothing from the LAN opened a mapping for it, so the router must forward that "
                "port to the PBX's SIP socket.");
        fwd.action = verdict::dnat;
        fwd.public_port = opt.enum_port;
        p.nat.push_back(std::move(fwd));
    }

    // QoS: by socket, as the PBX marks its own sockets (natkit::asio::set_dscp). The marks
    // also cover the STUN keepalives of each socket, which belong to its flow.
    const auto mark = [&](service svc, direction dir, port_range ports, std::uint8_t dscp, const char* what) {
        rule r = make_rule(svc, dir, {ports}, {}, ct_state::any,
                           std::string(what) + (dir == direction::out ? " to the internet" : " to the PBX") +
                               ": DSCP " + detail::dscp_name(dscp),
                           "");
        r.action = verdict::mark;
        r.dscp = dscp;
        return r;
    };
    rule sip_out = mark(service::sip, direction::out, sip, dscp_cs3, "signalling");
    sip_out.why =
        "Marks signalling CS3 (RFC 4594 §4.2) on its way out, so that a QoS policy on the uplink "
        "can queue it ahead of bulk traffic; most providers clear the mark at their edge, so "
        "what counts is the router's own uplink queue.";
    p.qos.push_back(std::move(sip_out));
    rule rtp_out = mark(service::rtp, direction::out, opt.rtp, dscp_ef, "media");
    rtp_out.why =
        "Marks voice EF (RFC 3246, RFC 4594 §4.1): the uplink queue serves it first, which keeps "
        "delay and jitter low when someone uploads a large file during a call.";
    p.qos.push_back(std::move(rtp_out));
    const std::string lan_side = "The same mark for the LAN side, for switches and Wi-Fi (WMM) between router and PBX.";
    rule sip_in = mark(service::sip, direction::in, sip, dscp_cs3, "signalling");
    sip_in.why = lan_side;
    p.qos.push_back(std::move(sip_in));
    rule rtp_in = mark(service::rtp, direction::in, opt.rtp, dscp_ef, "media");
    rtp_in.why = lan_side;
    p.qos.push_back(std::move(rtp_in));

    p.notes.push_back(
        "Turn off the router's SIP ALG (\"SIP helper\", \"SIP passthrough\"; on Linux the "
        "nf_conntrack_sip and nf_nat_sip modules): it rewrites addresses that the PBX has already "
        "rewritten with what STUN told it, and typically breaks incoming calls and one-way audio.");
    p.notes.push_back(
        "UDP mappings expire when idle: Linux forgets an unanswered UDP flow after 30 s "
        "(nf_conntrack_udp_timeout) and an answered one after 120 s "
        "(nf_conntrack_udp_timeout_stream); consumer routers often after 30-60 s. The PBX's STUN "
        "keepalive every 10 s stays well inside either.");
    p.notes.push_back(
        "The LAN's source NAT (masquerade) towards the internet is assumed to exist; these rules "
        "only allow and mark the PBX's traffic.");
    if (opt.rtp.last % 2 == 0)
        p.notes.push_back("RTCP of RTP port " + std::to_string(opt.rtp.last) + " would use " +
                          std::to_string(opt.rtp.last + 1) +
                          ", which is outside the range; end the range on an odd port (or let the "
                          "PBX use RTP ports up to " +
                          std::to_string(opt.rtp.last - 2) + " only).");
    return p;
}

// ---- text ------------------------------------------------------------------------------

namespace detail {

/// `text` wrapped at `width` columns: the first line starts with `first`, the others with as
/// many spaces plus `hang`.
inline std::string wrap(const std::string& first, const std::string& text, std::size_t hang = 0,
                        std::size_t width = 92) {
    const std::string indent(first.size() + hang, ' ');
    std::string out;
    std::string line = first;
    bool empty_line = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto space = text.find(' ', pos);
        if (space == std::string::npos) space = text.size();
        const std::string word = text.substr(pos, space - pos);
        if (!empty_line && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = indent;
            empty_line = true;
        }
        if (!empty_line) line += ' ';
        line += word;
        empty_line = false;
        pos = space + 1;
    }
    return out + line + "\n";
}

}  // namespace detail

inline std::string render_text(const plan& p) {
    const options& o = p.opt;
    const std::string lan = o.lan_ip.to_string();
    std::string s;
    s += "Firewall and NAT rules for a PBX behind a NAT router\n";
    s += "====================================================\n\n";
    s += "PBX (LAN address)   " + lan + "\n";
    s += "SIP socket          UDP " + std::to_string(o.sip_port) + " (SIP and STUN share it), provider port " +
         std::to_string(o.provider_port) + "\n";
    s += "RTP/RTCP            UDP " + detail::port_text(o.rtp, '-') + " (RTP on even ports, RTCP on the odd port above)\n";
    s += "STUN server port    UDP " + std::to_string(o.stun_port) + "\n";
    if (!o.wan_if.empty()) s += "WAN interface       " + o.wan_if + "\n";
    s += "ENUM port forward   " +
         (o.enum_forward ? "yes, public UDP " + std::to_string(o.enum_port) + " -> " + lan + ":" + std::to_string(o.sip_port)
                         : std::string("no")) +
         "\n\n";

    int n = 0;
    const auto describe = [&](const rule& r) {
        const std::string pbx = lan + " " + detail::ports_words(r.pbx_ports);
        const std::string remote = "internet " + detail::ports_words(r.remote_ports);
        std::string what;
        switch (r.action) {
            case verdict::accept:
                what = "allow UDP " + (r.dir == direction::out ? pbx + " -> " + remote : remote + " -> " + pbx);
                if (r.ct == ct_state::established) what += " (replies only: conntrack state established)";
                if (r.ct == ct_state::dnat) what += " (port-forwarded packets only: conntrack status DNAT)";
                break;
            case verdict::mark:
                what = "set DSCP " + std::string(detail::dscp_name(r.dscp)) + " (" + std::to_string(r.dscp) +
                       ") on UDP " + (r.dir == direction::out ? "from " + pbx : "to " + pbx);
                break;
            case verdict::dnat:
                what = "forward UDP arriving at the router's own address" +
                       (o.wan_if.empty() ? std::string() : " on " + o.wan_if) + ", port " +
                       std::to_string(r.public_port) + ", to " + lan + ":" + std::to_string(o.sip_port);
                break;
        }
        s += "Rule " + std::to_string(++n) + " [" + service_name(r.svc) + "]: " + r.summary + "\n";
        s += detail::wrap("  ", what, 2);
        s += detail::wrap("  why: ", r.why) + "\n";
    };

    s += "Filter (the router's forward chain)\n-----------------------------------\n\n";
    for (const rule& r : p.filter) describe(r);
    if (!p.nat.empty()) {
        s += "Port forward (destination NAT)\n------------------------------\n\n";
        for (const rule& r : p.nat) describe(r);
    }
    s += "QoS marks (optional; attach shaping to these)\n---------------------------------------------\n\n";
    for (const rule& r : p.qos) describe(r);
    s += "Notes\n-----\n\n";
    for (const std::string& note : p.notes) s += detail::wrap("- ", note);
    s += "\nThe same rules for a Linux router: --format nftables or --format iptables.\n";
    return s;
}

// ---- nftables --------------------------------------------------------------------------

namespace detail {

inline std::string nft_ports(const std::vector<port_range>& ports) {
    if (ports.size() == 1) return port_text(ports[0], '-');
    std::string s = "{ ";
    for (std::size_t i = 0; i < ports.size(); ++i) s += (i ? ", " : "") + port_text(ports[i], '-');
    return s + " }";
}

/// The match part of a rule: interface, addresses, ports.
inline std::string nft_match(const plan& p, const rule& r, bool with_interface) {
    const std::string lan = p.opt.lan_ip.to_string();
    const bool out = r.dir == direction::out;
    std::string s;
    if (with_interface && !p.opt.wan_if.empty()) s += (out ? "oifname \"" : "iifname \"") + p.opt.wan_if + "\" ";
    s += (out ? "ip saddr " : "ip daddr ") + lan + " ";
    const char* pbx_side = out ? "sport" : "dport";
    const char* remote_side = out ? "dport" : "sport";
    if (!r.remote_ports.empty() && !out) s += std::string("udp ") + remote_side + " " + nft_ports(r.remote_ports) + " ";
    s += std::string("udp ") + pbx_side + " " + nft_ports(r.pbx_ports) + " ";
    if (!r.remote_ports.empty() && out) s += std::string("udp ") + remote_side + " " + nft_ports(r.remote_ports) + " ";
    if (r.ct == ct_state::established) s += "ct state established ";
    if (r.ct == ct_state::dnat) s += "ct status dnat ";
    return s;
}

inline std::string nft_comment(const std::string& text) { return "comment \"" + text + "\""; }

}  // namespace detail

inline std::string render_nftables(const plan& p) {
    const options& o = p.opt;
    std::string s;
    s += "#!/usr/sbin/nft -f\n";
    s += "# natkit-firewall-plan: PBX " + o.lan_ip.to_string() + ", SIP UDP " + std::to_string(o.sip_port) +
         " to provider port " + std::to_string(o.provider_port) + ", RTP/RTCP UDP " + detail::port_text(o.rtp, '-') +
         ", STUN UDP " + std::to_string(o.stun_port) + (o.enum_forward ? ", ENUM port forward" : "") + ".\n";
    s += "# Check: nft -c -f FILE. Load: nft -f FILE (replaces only the natkit_pbx tables).\n";
    s += "# The base chains accept what they do not match, so loading this alone changes nothing for\n";
    s += "# other traffic. nftables drops a packet that any base chain drops: on a router whose forward\n";
    s += "# policy is drop, add these rules to that chain (or jump from it to chains like these).\n";
    s += "# One chain per service (stun, sip, rtp, enum), so counters and QoS rules can attach to each.\n\n";

    // "table" then "delete table": the file can be loaded again without an error.
    s += "table inet natkit_pbx\ndelete table inet natkit_pbx\n";
    s += "table inet natkit_pbx {\n";
    s += "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n";
    std::vector<service> chains;
    for (const rule& r : p.filter) {
        bool seen = false;
        for (service c : chains) seen = seen || c == r.svc;
        if (!seen) chains.push_back(r.svc);
    }
    for (service c : chains) s += std::string("\t\tjump ") + service_name(c) + "\n";
    s += "\t}\n";
    for (service c : chains) {
        s += std::string("\n\tchain ") + service_name(c) + " {\n";
        for (const rule& r : p.filter)
            if (r.svc == c) s += "\t\t" + detail::nft_match(p, r, true) + "counter accept " + detail::nft_comment(r.summary) + "\n";
        s += "\t}\n";
    }
    // After the filter's decision and before source NAT (priority mangle < srcnat), so the
    // LAN address is still the source.
    s += "\n\tchain qos {\n\t\ttype filter hook postrouting priority mangle; policy accept;\n";
    for (const rule& r : p.qos)
        s += "\t\t" + detail::nft_match(p, r, false) + "ip dscp set " + (r.dscp == dscp_ef ? "ef" : "cs3") + " counter " +
             detail::nft_comment(r.summary) + "\n";
    s += "\t}\n}\n";

    if (!p.nat.empty()) {
        // Destination NAT needs an ip (not inet) table to name an IPv4 target.
        s += "\ntable ip natkit_pbx_nat\ndelete table ip natkit_pbx_nat\n";
        s += "table ip natkit_pbx_nat {\n";
        s += "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n";
        for (const rule& r : p.nat) {
            // Without a WAN interface: packets addressed to the router itself, so that the
            // PBX's own SIP to a provider on port 5060 is never caught.
            const std::string where =
                o.wan_if.empty() ? std::string("fib daddr type local ") : "iifname \"" + o.wan_if + "\" ";
            s += "\t\t" + where + "udp dport " + std::to_string(r.public_port) + " counter dnat to " +
                 o.lan_ip.to_string() + ":" + std::to_string(o.sip_port) + " " + detail::nft_comment(r.summary) + "\n";
        }
        s += "\t}\n}\n";
    }
    return s;
}

// ---- iptables --------------------------------------------------------------------------

namespace detail {

/// "--sport 5060" or "--dports 65002,55000:56001" (the latter for -m multiport).
inline std::string ipt_ports(const std::vector<port_range>& ports, bool source) {
    std::string s = std::string("--") + (source ? "sport" : "dport") + (ports.size() > 1 ? "s " : " ");
    for (std::size_t i = 0; i < ports.size(); ++i) s += (i ? "," : "") + port_text(ports[i], ':');
    return s;
}

inline std::string ipt_match(const plan& p, const rule& r, bool with_interface) {
    const std::string lan = p.opt.lan_ip.to_string() + "/32";
    const bool out = r.dir == direction::out;
    std::string s;
    if (with_interface && !p.opt.wan_if.empty()) s += (out ? "-o " : "-i ") + p.opt.wan_if + " ";
    s += (out ? "-s " : "-d ") + lan + " -p udp ";
    // One port or range per side goes to -m udp, a list to -m multiport.
    std::string udp, multiport;
    const auto add = [&](const std::vector<port_range>& ports, bool source) {
        if (ports.empty()) return;
        std::string& to = ports.size() == 1 ? udp : multiport;
        to += (to.empty() ? "" : " ") + ipt_ports(ports, source);
    };
    add(r.pbx_ports, out);
    add(r.remote_ports, !out);
    if (!udp.empty()) s += "-m udp " + udp + " ";
    if (!multiport.empty()) s += "-m multiport " + multiport + " ";
    if (r.ct == ct_state::established) s += "-m conntrack --ctstate ESTABLISHED ";
    if (r.ct == ct_state::dnat) s += "-m conntrack --ctstate DNAT ";
    return s;
}

inline std::string ipt_comment(const std::string& text) { return "-m comment --comment \"" + text + "\" "; }

inline std::string ipt_chain(service s) {
    std::string name = "NATKIT_PBX_";
    for (const char* c = service_name(s); *c; ++c) name += static_cast<char>(*c - 'a' + 'A');
    return name;
}

}  // namespace detail

inline std::string render_iptables(const plan& p) {
    const options& o = p.opt;
    std::string s;
    s += "# natkit-firewall-plan: PBX " + o.lan_ip.to_string() + ", SIP UDP " + std::to_string(o.sip_port) +
         " to provider port " + std::to_string(o.provider_port) + ", RTP/RTCP UDP " + detail::port_text(o.rtp, '-') +
         ", STUN UDP " + std::to_string(o.stun_port) + (o.enum_forward ? ", ENUM port forward" : "") + ".\n";
    s += "# Check: iptables-restore --test FILE. Load: iptables-restore --noflush FILE (without\n";
    s += "# --noflush, iptables-restore replaces whole tables). Built-in chains keep their policy;\n";
    s += "# one NATKIT_PBX_* chain per service, so counters and QoS rules can attach to each.\n";
    s += "# Loading twice adds the jumps from the built-in chains twice; remove them first.\n";

    s += "*mangle\n:NATKIT_PBX_QOS - [0:0]\n";
    s += "-A POSTROUTING -j NATKIT_PBX_QOS\n";
    for (const rule& r : p.qos)
        s += "-A NATKIT_PBX_QOS " + detail::ipt_match(p, r, false) + detail::ipt_comment(r.summary) +
             "-j DSCP --set-dscp-class " + (r.dscp == dscp_ef ? "EF" : "CS3") + "\n";
    s += "COMMIT\n";

    if (!p.nat.empty()) {
        s += "*nat\n:NATKIT_PBX_DNAT - [0:0]\n-A PREROUTING -j NATKIT_PBX_DNAT\n";
        for (const rule& r : p.nat) {
            const std::string where =
                o.wan_if.empty() ? std::string("-m addrtype --dst-type LOCAL ") : "-i " + o.wan_if + " ";
            s += "-A NATKIT_PBX_DNAT " + where + "-p udp -m udp --dport " + std::to_string(r.public_port) + " " +
                 detail::ipt_comment(r.summary) + "-j DNAT --to-destination " + o.lan_ip.to_string() + ":" +
                 std::to_string(o.sip_port) + "\n";
        }
        s += "COMMIT\n";
    }

    s += "*filter\n";
    std::vector<service> chains;
    for (const rule& r : p.filter) {
        bool seen = false;
        for (service c : chains) seen = seen || c == r.svc;
        if (!seen) chains.push_back(r.svc);
    }
    for (service c : chains) s += ":" + detail::ipt_chain(c) + " - [0:0]\n";
    for (service c : chains) s += "-A FORWARD -j " + detail::ipt_chain(c) + "\n";
    for (const rule& r : p.filter)
        s += "-A " + detail::ipt_chain(r.svc) + " " + detail::ipt_match(p, r, true) + detail::ipt_comment(r.summary) +
             "-j ACCEPT\n";
    s += "COMMIT\n";
    return s;
}

}  // namespace fwplan

#endif  // NATKIT_EXAMPLES_FIREWALL_PLAN_HPP
