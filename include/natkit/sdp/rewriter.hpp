// natkit/sdp/rewriter.hpp - puts the public address and ports into an SDP, and changes nothing else.
//
//     sdp::rewrite_rules rules;                                   // see rewrite_rules.hpp
//     rules.set_public_address(ip_address::v4(203, 0, 113, 5));
//     rules.ports.add(sdp::port_mapping::single(55000, 40012));
//     std::array<std::uint8_t, 4096> buf;
//     sdp::rewrite_result r = sdp::rewrite(offer, rules, buf);   // or a std::string, growing
//     if (!r) ... r.error(), r.line() ...
//     send(r.output());
//
// What it changes (RFC 8866 grammar; each only for an address that is local, see
// rewrite_rules::local, and of a family that has a public address):
// - the address of c= at session and media level (RFC 8866 §5.7) and of o= (§5.2);
// - the port of m= (§5.14) when the port map has it, and the port/count form when one mapping
//   holds the whole block; but only in a media section whose connection address is rewritten
//   or is the RFC 3264 §8.4 hold address (a public or foreign address keeps its port);
// - a=rtcp (RFC 3605 §2.1): its port, and its optional "IN IP4|IP6 address";
// - when RTCP uses the implicit RTP port + 1 (no a=rtcp, no a=rtcp-mux, RFC 5761 §5.1.1) and
//   the public RTCP port is not the public RTP port + 1, an a=rtcp: line is added at the end of
//   the media section (RFC 3605 §2.1 exists for exactly this NAT case);
// - ICE (RFC 8839) per rewrite_rules::ice: keep, strip, or add server-reflexive candidates;
// - with rewrite_rules::bump_version, the o= sess-version + 1.
//
// What it never changes: the hold addresses 0.0.0.0 and :: (RFC 3264 §8.4), the port 0 of a
// rejected or bundle-only stream (RFC 3264 §6, RFC 8843), multicast addresses with their TTL or
// count (RFC 8866 §5.7), addresses that are not local, FQDNs, addresses of a family without a
// public address, and every byte of the input it does not edit: line endings (CRLF or bare
// LF), blank and unknown lines, their order, spacing within the lines it edits.
//
// A line the rewriter must read to decide and cannot (an m= port that is not a number, a c=
// without its address, an IPv4 address with five parts) is an error with its line number:
// guessing would put a wrong address on the wire. Lines it never edits are never judged.
#ifndef NATKIT_SDP_REWRITER_HPP
#define NATKIT_SDP_REWRITER_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/sdp/detail/output.hpp"
#include "natkit/sdp/detail/text.hpp"
#include "natkit/sdp/error.hpp"
#include "natkit/sdp/rewrite_result.hpp"
#include "natkit/sdp/rewrite_rules.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {
namespace detail {

/// What the rewriter does with an address (and the ports that go with it).
enum class address_use : std::uint8_t {
    keep,     ///< not local, multicast, an FQDN, another network type, no public address of its family
    replace,  ///< local: the public address goes in its place, ports are mapped
    hold,     ///< 0.0.0.0 or :: (RFC 3264 §8.4): stays, but ports are mapped as for a local address
};

/// The parts of an address field: the use, and the address (for replace).
struct address_info {
    address_use use = address_use::keep;
    ip_address address{};
};

/// Parses an address literal of the family its SDP addrtype names (no family guessing: an
/// IPv6 literal under IP4 is not an IPv4 address).
inline bool parse_address(std::string_view text, address_family family, ip_address& out) noexcept {
    std::uint8_t bytes[16];
    if (family == address_family::ipv4) {
        if (!natkit::detail::parse_ipv4(text, bytes)) return false;
        out = ip_address::v4_bytes(bytes);
    } else {
        if (!natkit::detail::parse_ipv6(text, bytes)) return false;
        out = ip_address::v6(bytes);
    }
    return true;
}

/// Increments a decimal string of at most 32 digits into out (33 bytes); 0 when malformed.
inline std::size_t increment_decimal(std::string_view digits, char* out) noexcept {
    if (digits.empty() || digits.size() > 32) return 0;
    for (const char c : digits)
        if (!is_digit(c)) return 0;
    std::memcpy(out + 1, digits.data(), digits.size());
    std::size_t k = digits.size();
    while (k > 0 && out[k] == '9') out[k--] = '0';
    if (k > 0) {
        ++out[k];
        std::memmove(out, out + 1, digits.size());
        return digits.size();
    }
    out[0] = '1';  // 999 -> 1000
    return digits.size() + 1;
}

/// The SDP rewriting engine over one SDP in a larger input (a bare SDP or a SIP body).
template <class Sink>
class sdp_engine {
public:
    sdp_engine(const rewrite_rules& rules, splicer<Sink>& out) noexcept : rules_(rules), out_(out) {}

    /// Rewrites the SDP in [begin, end): the splicer is left at a point from where the rest of
    /// the input is to be copied. False on a malformed line (error(), where()).
    bool run(const char* begin, const char* end) {
        if (end - begin < 2 || begin[0] != 'v' || begin[1] != '=') return fail(errc::not_sdp, begin);
        line_cursor lines(begin, end);
        // The session section: up to the first m= line (RFC 8866 §5).
        line ln = lines.next();
        if (ln.has_eol()) eol_ = ln.eol();
        for (;;) {
            if (ln.is('m')) break;
            if (!session_line(ln)) return false;
            if (lines.done()) return true;
            ln = lines.next();
        }
        // Media sections, each from its m= line up to the next.
        for (;;) {
            const media_result r = media_section(ln, lines);
            if (r == media_result::error) return false;
            if (r == media_result::end) return true;
        }
    }

    errc error() const noexcept { return error_; }
    const char* where() const noexcept { return where_; }
    std::size_t changes() const noexcept { return changes_; }

private:
    /// What the engine knows about the media section it is in.
    struct section {
        line first_c;                   ///< the c= line between m= and the attributes, if any
        address_info conn;              ///< the connection address in effect for the section
        std::string_view conn_address;  ///< first_c's address field
        bool has_c = false;             ///< first_c is there
        bool has_rtcp = false;          ///< a=rtcp: present
        bool has_mux = false;           ///< a=rtcp-mux or a=rtcp-mux-only (RFC 5761, RFC 8858)
        bool rejected = false;          ///< m= port 0
        bool rtp = false;               ///< an RTP profile: RTCP on port + 1 unless told otherwise
        bool mapped = false;            ///< the m= port was mapped (count 1)
        std::uint16_t local_port = 0;
        std::uint16_t public_port = 0;
    };

    bool fail(errc e, const char* where) noexcept {
        error_ = e;
        where_ = where;
        return false;
    }

    void edit(const char* from, const char* to, std::string_view text) {
        out_.replace(from, to, text);
        ++changes_;
    }
    void edit(std::string_view field, std::string_view text) { edit(begin_of(field), end_of(field), text); }

    /// Adds `text` as a line after `after`, which the output has just copied: with after's
    /// line ending, or before it when `after` had none (the SDP's last line).
    void insert_line_after(const line& after, std::string_view text) {
        out_.copy_to(after.next);
        const std::string_view eol = after.has_eol() ? after.eol() : eol_;
        if (out_.sink().last() != '\n') {
            out_.put(eol);
            out_.put(text);
        } else {
            out_.put(text);
            out_.put(eol);
        }
        ++changes_;
    }

    /// Classifies the address field of c=, o= or a=rtcp (RFC 8866 §5.7, §9: nettype addrtype
    /// connection-address). False when it is malformed for its type.
    bool classify(std::string_view nettype, std::string_view addrtype, std::string_view field,
                  address_info& info) noexcept {
        info = address_info{};
        if (nettype != "IN" && !iequals(nettype, "IN")) return true;  // another network type: not ours to judge
        address_family family;
        if (addrtype == "IP4" || iequals(addrtype, "IP4"))
            family = address_family::ipv4;
        else if (addrtype == "IP6" || iequals(addrtype, "IP6"))
            family = address_family::ipv6;
        else
            return true;
        // An SDP names the same address in o=, c= and a=rtcp again and again: the last verdict
        // is kept.
        if (cache_.valid && cache_.family == family && cache_.field == field) {
            info = cache_.info;
            return true;
        }
        const std::size_t slash = field.find('/');
        const std::string_view host = field.substr(0, slash);
        ip_address parsed;
        if (!parse_address(host, family, parsed)) {
            // An FQDN is allowed (RFC 8866 §5.7) and left alone; text that can only be meant
            // as an address literal (a ':', or nothing but digits and dots) is malformed, also
            // when it is a literal of the other family.
            if (host.empty()) return false;
            bool only_digits_and_dots = true;
            for (const char c : host) {
                if (c == ':') return false;
                only_digits_and_dots = only_digits_and_dots && (is_digit(c) || c == '.');
            }
            return !only_digits_and_dots;
        }
        // "/ttl" and "/count" belong to multicast addresses only (RFC 8866 §5.7).
        if (slash != std::string_view::npos) return parsed.is_multicast();
        if (parsed.is_multicast() || !rules_.public_address(family)) return true;
        if (parsed.is_unspecified()) {
            info.use = address_use::hold;
        } else if (rules_.local.contains(parsed)) {
            info.use = address_use::replace;
            info.address = parsed;
        }
        cache_ = address_cache{field, info, family, true};
        return true;
    }

    std::string_view public_text(const address_info& info) const noexcept {
        return rules_.public_address_text(info.address.family());
    }

    /// A c= line (RFC 8866 §5.7): "c=" nettype SP addrtype SP connection-address.
    bool parse_connection(const line& ln, address_info& info, std::string_view& address) noexcept {
        fields f(ln.begin + 2, ln.end);
        const std::string_view nettype = f.next();
        const std::string_view addrtype = f.next();
        address = f.next();
        if (address.empty() || !f.at_end()) return false;
        return classify(nettype, addrtype, address, info);
    }

    /// A media-level c= line (the one before the attributes was parsed by the look-ahead).
    bool connection_line(const line& ln, const section& s) {
        address_info info;
        std::string_view address;
        if (s.has_c && ln.begin == s.first_c.begin) {
            info = s.conn;
            address = s.conn_address;
        } else {
            if (!parse_connection(ln, info, address)) return fail(errc::bad_connection_line, ln.begin);
            // A c= among the attributes (out of RFC 8866 §5 order) that would have decided the
            // m= port differently: the port is written already, so say so rather than emit a
            // section whose port and address disagree.
            if (!s.has_c && (info.use == address_use::keep) != (s.conn.use == address_use::keep))
                return fail(errc::misplaced_connection_line, ln.begin);
        }
        if (info.use == address_use::replace) edit(address, public_text(info));
        return true;
    }

    /// o= username sess-id sess-version nettype addrtype unicast-address (RFC 8866 §5.2).
    bool origin_line(const line& ln) {
        fields f(ln.begin + 2, ln.end);
        const std::string_view username = f.next();
        const std::string_view id = f.next();
        const std::string_view version = f.next();
        const std::string_view nettype = f.next();
        const std::string_view addrtype = f.next();
        const std::string_view address = f.next();
        if (username.empty() || id.empty() || address.empty() || !f.at_end())
            return fail(errc::bad_origin_line, ln.begin);
        address_info info;
        if (!classify(nettype, addrtype, address, info)) return fail(errc::bad_origin_line, ln.begin);
        if (rules_.bump_version) {
            char bumped[33];
            const std::size_t n = increment_decimal(version, bumped);
            if (n == 0) return fail(errc::bad_origin_line, ln.begin);
            edit(version, std::string_view(bumped, n));
        }
        if (info.use == address_use::replace) edit(address, public_text(info));
        return true;
    }

    bool session_line(const line& ln) {
        if (ln.size() < 2 || ln.begin[1] != '=') return true;
        switch (ln.begin[0]) {
            case 'o':
                return origin_line(ln);
            case 'c': {
                address_info info;
                std::string_view address;
                if (!parse_connection(ln, info, address)) return fail(errc::bad_connection_line, ln.begin);
                if (!have_session_c_) {
                    session_conn_ = info;  // RFC 8866 §5.7: the default for every media section
                    have_session_c_ = true;
                }
                if (info.use == address_use::replace) edit(address, public_text(info));
                return true;
            }
            case 'a':
                return !wants_attribute(ln) || attribute_line(ln, nullptr);
            default:
                return true;
        }
    }

    /// The attribute name of an a= line: up to ':' (RFC 8866 §5.13).
    static std::string_view attribute_name(const line& ln, std::string_view& value) noexcept {
        const std::string_view rest(ln.begin + 2, ln.size() - 2);
        const std::size_t colon = rest.find(':');
        if (colon == std::string_view::npos) {
            value = std::string_view(ln.end, 0);
            return rest;
        }
        value = rest.substr(colon + 1);
        return rest.substr(0, colon);
    }

    static bool is_ice_attribute(std::string_view name) noexcept {
        // RFC 8839 §5: the attributes that only mean something with candidates.
        return name == "candidate" || name == "ice-ufrag" || name == "ice-pwd" || name == "ice-options" ||
               name == "remote-candidates" || name == "end-of-candidates" || name == "ice-lite" ||
               name == "ice-mismatch" || name == "ice-pacing";
    }

    bool attribute_line(const line& ln, section* s) {
        const char* v = ln.begin + 2;
        const std::size_t n = ln.size() - 2;
        // Most attributes (rtpmap, fmtp, ssrc, fingerprint ...) are none of the rewriter's
        // business: a few byte compares send them on their way.
        if (n >= 4 && std::memcmp(v, "rtcp", 4) == 0) {
            if (n > 4 && v[4] == ':') {
                if (s) s->has_rtcp = true;
                return rtcp_line(ln, std::string_view(v + 5, n - 5), s);
            }
            const std::string_view rest(v + 4, n - 4);
            if (s && (rest == "-mux" || rest == "-mux-only")) s->has_mux = true;  // RFC 5761, RFC 8858
            return true;
        }
        if (rules_.ice == ice_policy::keep) return true;
        std::string_view value;
        const std::string_view name = attribute_name(ln, value);
        if (rules_.ice == ice_policy::strip && is_ice_attribute(name)) {
            out_.copy_to(ln.begin);
            out_.skip_to(ln.next);
            ++changes_;
            return true;
        }
        if (rules_.ice == ice_policy::add_srflx && name == "candidate" && !(s && s->rejected))
            return candidate_line(ln, value);
        return true;
    }

    /// a=rtcp:port [nettype SP addrtype SP connection-address] (RFC 3605 §2.1).
    bool rtcp_line(const line& ln, std::string_view value, const section* s) {
        fields f(value);
        const std::string_view port_field = f.next();
        const std::string_view nettype = f.next();
        const std::string_view addrtype = f.next();
        const std::string_view address = f.next();
        std::uint16_t port = 0;
        if (!parse_u16(port_field, port) || !f.at_end() || (!nettype.empty() && address.empty()))
            return fail(errc::bad_rtcp_line, ln.begin);
        address_info info;
        if (!address.empty()) {
            if (!classify(nettype, addrtype, address, info)) return fail(errc::bad_rtcp_line, ln.begin);
        } else if (s) {
            info = s->conn;
        } else {
            info = session_conn_;
        }
        if (info.use == address_use::keep) return true;
        if (const auto pub = rules_.ports.find(port)) edit(port_field, decimal(*pub).view());
        if (info.use == address_use::replace && !address.empty()) edit(address, public_text(info));
        return true;
    }

    /// a=candidate:foundation SP component-id SP transport SP priority SP connection-address
    /// SP port SP "typ" SP cand-type [...] (RFC 8839 §5.1). With add_srflx, a UDP host
    /// candidate on a local address and a mapped port gets its server-reflexive twin after it.
    bool candidate_line(const line& ln, std::string_view value) {
        fields f(value);
        const std::string_view foundation = f.next();
        const std::string_view component = f.next();
        const std::string_view transport = f.next();
        const std::string_view priority = f.next();
        const std::string_view address = f.next();
        const std::string_view port_field = f.next();
        const std::string_view typ = f.next();
        const std::string_view type = f.next();
        std::uint64_t comp = 0, prio = 0;
        std::uint16_t port = 0;
        if (foundation.empty() || foundation.size() > 32 || !parse_decimal(component, 256, comp, 3) || comp == 0 ||
            transport.empty() || !parse_decimal(priority, 0xFFFFFFFFu, prio, 10) || address.empty() ||
            !parse_u16(port_field, port) || typ != "typ" || type.empty())
            return fail(errc::bad_candidate_line, ln.begin);
        if (type != "host" || !iequals(transport, "UDP")) return true;
        const auto parsed = ip_address::parse(address);
        if (!parsed || !rules_.replaces(*parsed)) return true;  // an mDNS name, public, or no public address
        const auto pub = rules_.ports.find(port);
        if (!pub) return true;

        // RFC 8445 §5.1.2.1: priority = 2^24 type preference + 2^8 local preference +
        // (256 - component id); 100 is the recommended srflx type preference. The host's local
        // preference is kept, so the srflx candidates of two interfaces keep their order.
        const std::uint64_t local_pref = (prio >> 8) & 0xFFFFu;
        const std::uint64_t srflx_prio = (std::uint64_t{100} << 24) + (local_pref << 8) + (256u - comp);
        char text[256];
        std::size_t n = 0;
        const auto add = [&](std::string_view s) {
            std::memcpy(text + n, s.data(), s.size());
            n += s.size();
        };
        // The foundation differs from the host's (RFC 8445 §5.1.1.3: another type), stays
        // within 32 ice-chars and is the same for every component of one base.
        add("a=candidate:nk");
        add(foundation.substr(0, 30));
        add(" ");
        add(component);
        add(" ");
        add(transport);
        add(" ");
        add(decimal(srflx_prio).view());
        add(" ");
        add(rules_.public_address_text(parsed->family()));
        add(" ");
        add(decimal(*pub).view());
        add(" typ srflx raddr ");
        add(address);
        add(" rport ");
        add(port_field);
        insert_line_after(ln, std::string_view(text, n));
        return true;
    }

    /// m=media SP port ["/" count] SP proto 1*(SP fmt) (RFC 8866 §5.14).
    bool media_line(const line& ln, section& s) {
        fields f(ln.begin + 2, ln.end);
        const std::string_view media = f.next();
        const std::string_view port_spec = f.next();
        const std::string_view proto = f.next();
        const std::size_t slash = port_spec.find('/');
        const std::string_view port_field = port_spec.substr(0, slash);
        std::uint16_t port = 0;
        std::uint64_t count = 1;
        if (media.empty() || proto.empty() || !parse_u16(port_field, port) ||
            (slash != std::string_view::npos &&
             (!parse_decimal(port_spec.substr(slash + 1), 65535, count, 5) || count == 0)))
            return fail(errc::bad_media_line, ln.begin);
        s.rtp = is_rtp_profile(proto);
        if (port == 0) {
            s.rejected = true;  // RFC 3264 §6: a rejected stream keeps port 0
            return true;
        }
        if (s.conn.use == address_use::keep) return true;
        if (count == 1) {
            if (const auto pub = rules_.ports.find(port)) {
                edit(port_field, decimal(*pub).view());
                s.mapped = true;
                s.local_port = port;
                s.public_port = *pub;
            }
            return true;
        }
        // RFC 8866 §5.14: with RTP, count ports for RTP and as many for RTCP, interleaved.
        const std::uint32_t span = static_cast<std::uint32_t>(count) * (s.rtp ? 2u : 1u);
        if (std::uint32_t{port} + span - 1u > 65535u) return fail(errc::bad_media_line, ln.begin);
        if (const auto pub = rules_.ports.find_block(port, span)) {
            edit(port_field, decimal(*pub).view());
            return true;
        }
        const std::uint32_t last = std::uint32_t{port} + span - 1u;
        for (const port_mapping& m : rules_.ports)
            if (m.local_first <= last && port <= m.local_last) return fail(errc::port_range_unmapped, ln.begin);
        return true;
    }

    /// Whether a transport protocol is an RTP profile (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF ...),
    /// whose RTCP goes to the RTP port + 1 unless a=rtcp or a=rtcp-mux says otherwise.
    static bool is_rtp_profile(std::string_view proto) noexcept {
        for (std::size_t k = 0; k + 4 <= proto.size(); ++k)
            if ((proto[k] == 'R' || proto[k] == 'r') && iequals(proto.substr(k, 4), "RTP/")) return true;
        return false;
    }

    enum class media_result { next, end, error };

    /// One media section: `mline` and the lines after it up to the next m= line, which is left
    /// in `mline` (media_result::next), or the end of the SDP.
    media_result media_section(line& mline, line_cursor& lines) {
        section s;
        // Look ahead over the lines RFC 8866 §5 puts between m= and the attributes (i=, c=, b=,
        // k=): the media-level c= there decides whether the m= port, which comes first, is
        // mapped.
        for (line_cursor ahead = lines; !ahead.done();) {
            const line ln = ahead.next();
            if (ln.size() < 2 || ln.begin[1] != '=') break;
            const char type = ln.begin[0];
            if (type == 'c') {
                s.has_c = true;
                s.first_c = ln;
                break;
            }
            if (type != 'i' && type != 'b' && type != 'k') break;
        }
        if (s.has_c) {
            if (!parse_connection(s.first_c, s.conn, s.conn_address)) {
                fail(errc::bad_connection_line, s.first_c.begin);
                return media_result::error;
            }
        } else {
            s.conn = session_conn_;
        }
        if (!media_line(mline, s)) return media_result::error;

        const char* section_begin = mline.begin;
        const char* section_end = nullptr;
        media_result result = media_result::end;
        while (!lines.done()) {
            const line ln = lines.next();
            if (ln.size() < 2 || ln.begin[1] != '=') continue;
            const char type = ln.begin[0];
            if (type == 'a') {
                if (wants_attribute(ln) && !attribute_line(ln, &s)) return media_result::error;
            } else if (type == 'c') {
                if (!connection_line(ln, s)) return media_result::error;
            } else if (type == 'm') {
                mline = ln;
                section_end = ln.begin;
                result = media_result::next;
                break;
            }
        }
        if (!section_end) section_end = lines.position();

        // RFC 3605 §2.1: RTCP on the implicit port (RTP + 1) whose public port is not the public
        // RTP port + 1 must be named explicitly, or the peer sends RTCP into the void.
        if (s.mapped && s.rtp && !s.has_rtcp && !s.has_mux && s.local_port < 65535) {
            const auto rtcp = rules_.ports.find(static_cast<std::uint16_t>(s.local_port + 1));
            if (rtcp && unsigned{*rtcp} != unsigned{s.public_port} + 1u) {
                char text[16] = "a=rtcp:";
                const decimal d(*rtcp);
                std::memcpy(text + 7, d.text, d.size);
                insert_line_after(last_content_line(section_begin, section_end), std::string_view(text, 7 + d.size));
            }
        }
        return result;
    }

    /// The last line with content in [begin, end), which starts with one (an m= line) and ends at
    /// a line start or the end of the SDP: trailing blank lines are skipped. Only "\n" and
    /// "\r\n" end lines (a bare CR is content, as for line_cursor).
    static line last_content_line(const char* begin, const char* end) noexcept {
        const char* next = end;
        const char* content_end = end;
        while (next > begin) {
            if (next[-1] != '\n') {  // the SDP's last line, without a line ending
                content_end = next;
                break;
            }
            const char* e = next - 1;
            if (e > begin && e[-1] == '\r') --e;
            if (e > begin && e[-1] != '\n') {  // a line with content, ending at e
                content_end = e;
                break;
            }
            next = e;  // a blank line: look at the one before
        }
        line l;
        l.end = content_end;
        l.next = next;
        const char* b = content_end;
        while (b > begin && b[-1] != '\n') --b;
        l.begin = b;
        return l;
    }

    /// Whether an a= line can need the rewriter: a=rtcp and a=rtcp-mux always, the ICE
    /// attributes unless ICE is kept. The rest (rtpmap, fmtp, ssrc, fingerprint ...) is passed
    /// with a few byte compares.
    bool wants_attribute(const line& ln) const noexcept {
        return rules_.ice != ice_policy::keep || (ln.size() >= 6 && std::memcmp(ln.begin + 2, "rtcp", 4) == 0);
    }

    const rewrite_rules& rules_;
    splicer<Sink>& out_;
    /// The last unicast address classify() judged, and its verdict.
    struct address_cache {
        std::string_view field;
        address_info info;
        address_family family = address_family::ipv4;
        bool valid = false;
    };
    address_cache cache_;
    std::string_view eol_ = "\r\n";  // the SDP's own line ending, for lines added after a last line
    address_info session_conn_{};
    bool have_session_c_ = false;
    std::size_t changes_ = 0;
    errc error_ = errc::not_sdp;
    const char* where_ = nullptr;
};

/// Runs `engine` over the whole input into `sink` and packages the outcome.
template <class Sink>
rewrite_result rewrite_sdp_into(std::string_view in, const rewrite_rules& rules, Sink& sink) {
    const char* begin = in.data();
    const char* end = in.data() + in.size();
    splicer<Sink> out(begin, sink);
    sdp_engine<Sink> engine(rules, out);
    if (!engine.run(begin, end)) return rewrite_result::failure(engine.error(), line_number(begin, engine.where()));
    out.copy_to(end);
    if (sink.overflowed()) return rewrite_result::failure(errc::buffer_too_small, 0, sink.size());
    sink.finish();
    return rewrite_result::success(sink.data(), sink.size(), engine.changes());
}

/// Room a growable output gets up front: the input plus a few added lines.
constexpr std::size_t growth_hint(std::size_t input_size) noexcept { return input_size + input_size / 4 + 256; }

}  // namespace detail

/// Rewrites the SDP `in` by `rules` into `out`: a fixed buffer (mutable_bytes, std::array,
/// a byte array: never written past; a too small one fails with errc::buffer_too_small and
/// result.size() tells the size needed) or a growable container (std::string, std::vector of
/// char or bytes: resized to exactly the output).
///
/// No allocation with a fixed buffer, nor with a container whose capacity suffices. The input
/// must begin with "v=" (errc::not_sdp otherwise). On success output() views the rewritten SDP
/// and changes() counts the edits (0: byte-identical); on failure error() and line() say why
/// and where, and the content of `out` is unspecified.
template <class Output>
rewrite_result rewrite(std::string_view in, const rewrite_rules& rules, Output&& out) {
    using container = std::remove_cv_t<std::remove_reference_t<Output>>;
    if constexpr (detail::is_growable<container>::value) {
        static_assert(std::is_lvalue_reference_v<Output>, "the output container must outlive the result");
        detail::growable_sink<container> sink(out, detail::growth_hint(in.size()));
        return detail::rewrite_sdp_into(in, rules, sink);
    } else {
        detail::fixed_sink sink{mutable_bytes(out)};
        return detail::rewrite_sdp_into(in, rules, sink);
    }
}

}  // namespace sdp
NATKIT_END_NAMESPACE

#endif  // NATKIT_SDP_REWRITER_HPP
