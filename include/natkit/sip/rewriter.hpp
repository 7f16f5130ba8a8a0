// natkit/sip/rewriter.hpp - puts the public address into a SIP message the PBX sends to the
// internet: Via, Contact, the SDP body and Content-Length; every other byte stays.
//
//     sip::rewrite_rules rules;                                  // see rewrite_rules.hpp
//     rules.set_public_endpoint(ip_address::v4(203, 0, 113, 5), 65002);
//     rules.sdp.set_public_address(ip_address::v4(203, 0, 113, 5));
//     std::array<std::uint8_t, 8192> buf;
//     if (rules.should_rewrite(destination)) {
//         sip::rewrite_result r = sip::rewrite(message, rules, buf);
//         if (!r) ... r.error(), r.line() ...
//         send(r.output(), destination);
//     }
//
// What it changes:
// - requests only: the sent-by of the top Via (RFC 3261 §20.42, §18.1.1) when its host is
//   local, to the public host and port; ";rport" added when missing (RFC 3581 §3). A response
//   carries the requester's Vias, which are not the PBX's to change (RFC 3261 §8.2.6.2);
// - every Contact (RFC 3261 §20.10) whose sip:/sips: URI has a local host, in every form:
//   name-addr with or without display name, addr-spec, several values in one header or several
//   headers, the compact m: (§7.3.3); URI and header parameters stay;
// - the body when Content-Type (or c:) is application/sdp, and each application/sdp part of a
//   multipart body (RFC 2046 §5.1, e.g. SDP with ISUP or PIDF), with sdp::rewrite's rules;
//   a body with a Content-Encoding other than identity is left alone;
// - Content-Length (or l:) recomputed when the body changed size, only its digits replaced;
//   a Content-Length of a multipart body part likewise.
// Never touched: the start line (Request-URI), Route, Record-Route, From, To, hostnames, public
// addresses, addresses of a family without a public SIP address, and all other headers.
#ifndef NATKIT_SIP_REWRITER_HPP
#define NATKIT_SIP_REWRITER_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/sdp/detail/output.hpp"
#include "natkit/sdp/detail/text.hpp"
#include "natkit/sdp/rewrite_result.hpp"
#include "natkit/sdp/rewriter.hpp"
#include "natkit/sip/content_length.hpp"
#include "natkit/sip/detail/header_field.hpp"
#include "natkit/sip/error.hpp"
#include "natkit/sip/rewrite_rules.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sip {

/// The outcome of sip::rewrite (the same type as sdp::rewrite's).
using rewrite_result = sdp::rewrite_result;

namespace detail {

using sdp::detail::decimal;
using sdp::detail::splicer;

/// How deep multipart bodies are followed (multipart/mixed holding multipart/alternative ...).
inline constexpr int max_multipart_depth = 4;

template <class Sink>
class sip_engine {
public:
    sip_engine(const rewrite_rules& rules, splicer<Sink>& out) noexcept : rules_(rules), out_(out) {}

    /// Rewrites the message in [begin, end) up to the end of its body (Content-Length), where
    /// the splicer stops; returns false on an error (error(), where()).
    bool run(const char* begin, const char* end) {
        line_cursor lines(begin, end);
        const line start = lines.next();
        if (!is_start_line(start.text())) return fail(errc::not_sip, begin);
        // RFC 3261 §7.2: a status line starts with the version; anything else is a request.
        const bool request = start.text().substr(0, 4) != "SIP/";

        bool seen_via = false;
        bool have_length = false;
        content_length_value length;
        const char* length_field = nullptr;
        std::size_t length_pos = 0;  // output position of the Content-Length digits
        std::string_view content_type;
        std::string_view content_encoding;

        const char* p = start.next;
        for (;;) {
            if (lines.done()) return fail(errc::unterminated_headers, end);
            const line ln = lines.next();
            if (ln.empty()) {
                if (!ln.has_eol()) return fail(errc::unterminated_headers, ln.begin);
                p = ln.next;
                break;
            }
            // Only Via, Contact and Content-* (and their compact forms v, m, l, c, e) matter:
            // the first letter sends every other header, and any continuation line of one
            // (it starts with a blank), on its way.
            if (!may_matter(ln.begin[0])) continue;
            const header_field f = read_field(ln, lines);
            switch (identify(f.name, true)) {
                case header_id::via:
                    if (!seen_via && request && !top_via(f)) return false;
                    seen_via = true;
                    break;
                case header_id::contact:
                    if (!contacts(f)) return false;
                    break;
                case header_id::content_length: {
                    if (have_length) return fail(errc::duplicate_content_length, f.begin);
                    const auto v = parse_content_length(f.value());
                    if (!v) return fail(errc::bad_content_length, f.begin);
                    length = *v;
                    have_length = true;
                    length_field = f.begin;
                    out_.copy_to(length.digits.data());
                    length_pos = out_.sink().size();
                    if (insert_lengths_) out_.skip_to(length.digits.data() + length.digits.size());
                    break;
                }
                case header_id::content_type:
                    content_type = f.value();
                    break;
                case header_id::content_encoding:
                    content_encoding = f.value();
                    break;
                case header_id::other:
                    break;
            }
        }

        // RFC 3261 §18.3: the body is Content-Length bytes; bytes after it are not part of the
        // message (they go through untouched); fewer bytes than promised is an error.
        const char* body_end = end;
        if (have_length) {
            if (length.value > static_cast<std::size_t>(end - p)) return fail(errc::body_truncated, length_field);
            body_end = p + length.value;
        }
        out_.copy_to(p);
        const std::size_t body_pos = out_.sink().size();
        if (!body(p, body_end, content_type, content_encoding, 0)) return false;
        out_.copy_to(body_end);
        const std::size_t body_size = out_.sink().size() - body_pos;
        if (have_length && fix_length(length_pos, length, body_size)) ++changes_;
        return true;
    }

    std::error_code error() const noexcept { return error_; }
    const char* where() const noexcept { return where_; }
    std::size_t changes() const noexcept { return changes_; }

    /// Content-Length digits are normally copied through and patched in place once the body's
    /// size is known, moving the body only when the width changes. A narrower number then needs
    /// a byte more room while the body is written than the finished message; with this set, the
    /// digits are left out and inserted at the end instead, so the output never outgrows its
    /// final size (rewrite_sip_into's second try for a buffer that fits only the final size).
    void insert_lengths(bool on) noexcept { insert_lengths_ = on; }

private:
    bool fix_length(std::size_t pos, const content_length_value& original, std::size_t size) {
        return insert_lengths_ ? insert_length(out_.sink(), pos, original, size)
                               : patch_length(out_.sink(), pos, original, size);
    }

    /// Whether a header line starting with `c` can be Via, Contact, Content-* or their compact
    /// forms (RFC 3261 §7.3.3).
    static bool may_matter(char c) noexcept {
        switch (c) {
            case 'V':
            case 'v':
            case 'C':
            case 'c':
            case 'M':
            case 'm':
            case 'L':
            case 'l':
            case 'E':
            case 'e':
                return true;
            default:
                return false;
        }
    }

    template <class E>
    bool fail(E e, const char* where) noexcept {
        error_ = make_error_code(e);
        where_ = where;
        return false;
    }

    void edit(const char* from, const char* to, std::string_view text) {
        out_.replace(from, to, text);
        ++changes_;
    }

    /// Replaces host[:port] in [host_begin, port_end) by the public host and port; a host
    /// without a port gets the public port appended, and with public port 0 only the host
    /// changes. `host` is the host text (an IPv6reference with its brackets).
    bool replace_hostport(std::string_view host, const char* port_end) {
        // Via and Contact usually name the same host: the last verdict is kept.
        if (!(host_cache_.valid && host_cache_.host == host)) {
            std::uint8_t bytes[16];
            ip_address address;
            bool literal;
            if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
                literal = natkit::detail::parse_ipv6(host.substr(1, host.size() - 2), bytes);
                if (literal) address = ip_address::v6(bytes);
            } else {
                // A bare IPv6 address is not allowed here (RFC 3261 §25.1 IPv6reference) and a
                // name is not ours to change.
                literal = natkit::detail::parse_ipv4(host, bytes);
                if (literal) address = ip_address::v4_bytes(bytes);
            }
            host_cache_ = {host, address.family(), literal && rules_.replaces(address), true};
        }
        if (!host_cache_.replace) return true;
        const address_family family = host_cache_.family;
        const char* host_begin = host.data();
        if (rules_.public_port(family) == 0)
            edit(host_begin, host_begin + host.size(), rules_.public_host(family));
        else
            edit(host_begin, port_end, rules_.public_hostport(family));
        return true;
    }

    /// The top Via (RFC 3261 §20.42): sent-protocol LWS sent-by *(SEMI via-params).
    bool top_via(const header_field& f) {
        const char* end = f.value_end;
        const char* p = skip_lws(f.value_begin, end);
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport
        for (int part = 0; part < 3; ++part) {
            if (part != 0) {
                p = skip_lws(p, end);
                if (p >= end || *p != '/') return fail(errc::bad_via, f.begin);
                p = skip_lws(p + 1, end);
            }
            const char* t = skip_token(p, end);
            if (t == p) return fail(errc::bad_via, f.begin);
            p = t;
        }
        const char* host_begin = skip_lws(p, end);
        if (host_begin == p) return fail(errc::bad_via, f.begin);
        const char* host_end = host_begin;
        if (host_end < end && *host_end == '[') {
            const void* close = std::memchr(host_end, ']', static_cast<std::size_t>(end - host_end));
            if (!close) return fail(errc::bad_via, f.begin);
            host_end = static_cast<const char*>(close) + 1;
        } else {
            while (host_end < end && (is_token_char(*host_end))) ++host_end;
        }
        if (host_end == host_begin) return fail(errc::bad_via, f.begin);
        // sent-by = host [ COLON port ], COLON = SWS ":" SWS
        const char* sent_by_end = host_end;
        const char* q = skip_lws(host_end, end);
        if (q < end && *q == ':') {
            const char* d = skip_lws(q + 1, end);
            const char* e = d;
            while (e < end && sdp::detail::is_digit(*e)) ++e;
            std::uint16_t port = 0;
            if (!sdp::detail::parse_u16(std::string_view(d, static_cast<std::size_t>(e - d)), port))
                return fail(errc::bad_via, f.begin);
            sent_by_end = e;
        }
        // via-params, the next via-parm, or the end must follow (RFC 3261 §20.42); anything else
        // means this is not the sent-by we think it is.
        const char* after = skip_lws(sent_by_end, end);
        if (after < end && *after != ';' && *after != ',') return fail(errc::bad_via, f.begin);
        const bool rport = has_rport(sent_by_end, end);
        if (!replace_hostport(std::string_view(host_begin, static_cast<std::size_t>(host_end - host_begin)),
                              sent_by_end))
            return false;
        if (rules_.add_rport && !rport) {
            // RFC 3581 §3: "rport" without a value; right after sent-by, where it is easy to see.
            out_.copy_to(sent_by_end);
            out_.put(";rport");
            ++changes_;
        }
        return true;
    }

    /// Whether the via-params from p (up to the next via-parm or the end) include rport.
    static bool has_rport(const char* p, const char* end) noexcept {
        for (;;) {
            p = skip_lws(p, end);
            if (p >= end || *p != ';') return false;
            p = skip_lws(p + 1, end);
            const char* n = skip_token(p, end);
            if (iequals(std::string_view(p, static_cast<std::size_t>(n - p)), "rport")) return true;
            p = skip_lws(n, end);
            if (p < end && *p == '=') {
                p = skip_lws(p + 1, end);
                if (p < end && *p == '"') {
                    p = skip_quoted(p, end);
                    if (!p) return false;
                } else {
                    while (p < end && !ends_param_value(*p)) ++p;
                }
            }
        }
    }

    /// Each value of a Contact header (RFC 3261 §20.10):
    /// ("*" / (contact-param *(COMMA contact-param))), contact-param = (name-addr / addr-spec)
    /// *(SEMI contact-params), name-addr = [display-name] LAQUOT addr-spec RAQUOT.
    bool contacts(const header_field& f) {
        const char* end = f.value_end;
        const char* p = f.value_begin;
        for (;;) {
            p = skip_lws(p, end);
            if (p >= end) return true;
            const char* after = nullptr;
            if (*p == '*') {
                after = p + 1;
            } else {
                if (*p == '"') {
                    p = skip_quoted(p, end);
                    if (!p) return fail(errc::bad_contact, f.begin);
                    p = skip_lws(p, end);
                    if (p >= end || *p != '<') return fail(errc::bad_contact, f.begin);
                }
                const char* r = p;
                while (r < end && *r != '<' && *r != ':' && *r != ',' && *r != '"') ++r;
                if (r < end && *r == '<') {
                    const char* uri_begin = r + 1;
                    const void* close = std::memchr(uri_begin, '>', static_cast<std::size_t>(end - uri_begin));
                    if (!close) return fail(errc::bad_contact, f.begin);
                    const char* uri_end = static_cast<const char*>(close);
                    uri(uri_begin, uri_end);
                    after = uri_end + 1;
                } else if (r < end && *r == ':') {
                    // addr-spec without brackets: it cannot hold ',', ';' or '?' (RFC 3261
                    // §20.10), so what follows ';' are header parameters.
                    const char* uri_end = r;
                    while (uri_end < end && *uri_end != ';' && *uri_end != ',' && !is_lws(*uri_end)) ++uri_end;
                    uri(p, uri_end);
                    after = uri_end;
                } else {
                    return fail(errc::bad_contact, f.begin);
                }
            }
            // Skip the parameters up to the comma that starts the next value.
            p = after;
            while (p < end && *p != ',') {
                if (*p == '"') {
                    p = skip_quoted(p, end);
                    if (!p) return fail(errc::bad_contact, f.begin);
                } else {
                    ++p;
                }
            }
            if (p >= end) return true;
            ++p;
        }
    }

    /// A sip: or sips: URI (RFC 3261 §19.1.1): scheme ":" [userinfo "@"] host [":" port]
    /// uri-parameters [headers]. Other schemes (tel:, urn:) have no host to change.
    void uri(const char* begin, const char* end) {
        const char* c = begin;
        while (c < end && *c != ':') ++c;
        if (c == end) return;
        const std::string_view scheme(begin, static_cast<std::size_t>(c - begin));
        if (!iequals(scheme, "sip") && !iequals(scheme, "sips")) return;  // tel:, urn: ... have no host
        const char* host = c + 1;
        // '@' appears in no part of a SIP URI but the userinfo's end (escaped elsewhere).
        for (const char* a = host; a < end; ++a) {
            if (*a == '@') {
                host = a + 1;
                break;
            }
        }
        const char* host_end = host;
        if (host_end < end && *host_end == '[') {
            while (host_end < end && *host_end != ']') ++host_end;
            if (host_end == end) return;
            ++host_end;
        } else {
            while (host_end < end && *host_end != ':' && *host_end != ';' && *host_end != '?' && !is_lws(*host_end))
                ++host_end;
        }
        if (host_end == host) return;
        const char* port_end = host_end;
        if (port_end < end && *port_end == ':') {
            const char* d = port_end + 1;
            while (d < end && sdp::detail::is_digit(*d)) ++d;
            std::uint16_t port = 0;
            if (!sdp::detail::parse_u16(std::string_view(port_end + 1, static_cast<std::size_t>(d - port_end - 1)),
                                        port) ||
                (d < end && *d != ';' && *d != '?' && !is_lws(*d)))
                return;  // not a port: leave the URI alone
            port_end = d;
        }
        replace_hostport(std::string_view(host, static_cast<std::size_t>(host_end - host)), port_end);
    }

    /// A body [begin, end) of the given Content-Type: an SDP is rewritten, a multipart body is
    /// searched for SDP parts.
    bool body(const char* begin, const char* end, std::string_view content_type, std::string_view encoding, int depth) {
        if (begin == end || content_type.empty()) return true;
        if (!encoding.empty()) {
            const char* e = encoding.data() + encoding.size();
            const char* t = skip_lws(encoding.data(), e);
            const char* te = skip_token(t, e);
            // RFC 3261 §20.12: a compressed body cannot be edited; leave it.
            if (!iequals(std::string_view(t, static_cast<std::size_t>(te - t)), "identity")) return true;
        }
        const media_type type = parse_media_type(content_type);
        if (iequals(type.type, "application") && iequals(type.subtype, "sdp")) {
            sdp::detail::sdp_engine<Sink> engine(rules_.sdp, out_);
            const bool ok = engine.run(begin, end);
            changes_ += engine.changes();
            if (!ok) return fail(engine.error(), engine.where());
            return true;
        }
        if (iequals(type.type, "multipart") && depth < max_multipart_depth) {
            const std::string_view boundary = media_type_parameter(type, "boundary");
            // RFC 2046 §5.1.1: 1 to 70 characters.
            if (!boundary.empty() && boundary.size() <= 70) return multipart(begin, end, boundary, depth);
        }
        return true;
    }

    /// The next delimiter line "--boundary" at or after p (RFC 2046 §5.1.1: at the start of the
    /// body or of a line, followed by "--", blanks or the line end); nullptr when none.
    static const char* find_delimiter(const char* body_begin, const char* p, const char* end,
                                      std::string_view boundary) noexcept {
        while (p < end) {
            const void* hit = std::memchr(p, '-', static_cast<std::size_t>(end - p));
            if (!hit) return nullptr;
            const char* d = static_cast<const char*>(hit);
            p = d + 1;
            if (d != body_begin && d[-1] != '\n') continue;
            const std::size_t room = static_cast<std::size_t>(end - d);
            if (room < 2 + boundary.size() || d[1] != '-' || std::memcmp(d + 2, boundary.data(), boundary.size()) != 0)
                continue;
            const char* after = d + 2 + boundary.size();
            if (after == end || *after == '-' || is_lws(*after)) return d;
        }
        return nullptr;
    }

    bool multipart(const char* begin, const char* end, std::string_view boundary, int depth) {
        const char* d = find_delimiter(begin, begin, end, boundary);
        while (d) {
            const char* after = d + 2 + boundary.size();
            if (end - after >= 2 && after[0] == '-' && after[1] == '-') return true;  // close-delimiter
            const char* part_begin = next_line(d, end).next;
            const char* next = find_delimiter(begin, part_begin, end, boundary);
            // The line break before a delimiter belongs to the delimiter, not to the part.
            const char* part_end = end;
            if (next) {
                part_end = next;
                if (part_end > part_begin && part_end[-1] == '\n') --part_end;
                if (part_end > part_begin && part_end[-1] == '\r') --part_end;
            }
            if (!part(part_begin, part_end, depth)) return false;
            d = next;
        }
        return true;
    }

    /// One body part: MIME headers (RFC 2045), an empty line, content.
    bool part(const char* begin, const char* end, int depth) {
        std::string_view content_type;
        std::string_view encoding;
        bool have_length = false;
        content_length_value length;
        std::size_t length_pos = 0;
        line_cursor lines(begin, end);
        const char* p = begin;
        for (;;) {
            if (lines.done()) return true;  // headers only, no content to rewrite
            const line ln = lines.next();
            if (ln.empty()) {
                p = ln.next;
                break;
            }
            const header_field f = read_field(ln, lines);
            switch (identify(f.name, false)) {
                case header_id::content_type:
                    content_type = f.value();
                    break;
                case header_id::content_encoding:
                    encoding = f.value();
                    break;
                case header_id::content_length:
                    if (const auto v = parse_content_length(f.value())) {
                        have_length = true;
                        length = *v;
                    }
                    break;
                default:
                    break;
            }
        }
        if (have_length) {
            out_.copy_to(length.digits.data());
            length_pos = out_.sink().size();
            if (insert_lengths_) out_.skip_to(length.digits.data() + length.digits.size());
        }
        out_.copy_to(p);
        const std::size_t body_pos = out_.sink().size();
        const std::size_t changes_before = changes_;
        if (!body(p, end, content_type, encoding, depth + 1)) return false;
        out_.copy_to(end);
        const std::size_t size = out_.sink().size() - body_pos;
        if (have_length) {
            // A part's Content-Length is fixed only when its content changed size: an untouched
            // part stays byte for byte, even with a wrong length.
            content_length_value unchanged = length;
            if (changes_ == changes_before || size == static_cast<std::size_t>(end - p)) unchanged.value = size;
            if (fix_length(length_pos, unchanged, size)) ++changes_;
        }
        return true;
    }

    /// The last host replace_hostport() judged.
    struct host_cache {
        std::string_view host;
        address_family family = address_family::ipv4;
        bool replace = false;
        bool valid = false;
    };

    const rewrite_rules& rules_;
    splicer<Sink>& out_;
    host_cache host_cache_;
    bool insert_lengths_ = false;
    std::size_t changes_ = 0;
    std::error_code error_;
    const char* where_ = nullptr;
};

template <class Sink>
rewrite_result rewrite_sip_into(std::string_view in, const rewrite_rules& rules, Sink& sink,
                                bool insert_lengths = false) {
    const char* begin = in.data();
    const char* end = in.data() + in.size();
    splicer<Sink> out(begin, sink);
    sip_engine<Sink> engine(rules, out);
    engine.insert_lengths(insert_lengths);
    if (in.empty()) return rewrite_result::failure(errc::not_sip, 1);
    if (!engine.run(begin, end))
        return rewrite_result::failure(engine.error(), sdp::detail::line_number(begin, engine.where()));
    out.copy_to(end);
    if (sink.overflowed()) return rewrite_result::failure(errc::buffer_too_small, 0, sink.size());
    sink.finish();
    return rewrite_result::success(sink.data(), sink.size(), engine.changes());
}

/// Into a fixed buffer: when the result fits but a narrower Content-Length made the buffer
/// overflow on the way, once more with the digits inserted at the end (see insert_lengths).
inline rewrite_result rewrite_sip_fixed(std::string_view in, const rewrite_rules& rules, mutable_bytes out) {
    sdp::detail::fixed_sink sink(out);
    const rewrite_result r = rewrite_sip_into(in, rules, sink);
    if (r || r.error() != errc::buffer_too_small || r.size() > out.size()) return r;
    sdp::detail::fixed_sink again(out);
    return rewrite_sip_into(in, rules, again, true);
}

}  // namespace detail

/// Rewrites the SIP message `in` (one datagram, or one message framed off a stream) by `rules`
/// into `out`: a fixed buffer (mutable_bytes, std::array, a byte array: never written past; a
/// too small one fails with errc::buffer_too_small and result.size() tells the size needed) or
/// a growable container (std::string, std::vector of char or bytes: resized to exactly the
/// output).
///
/// Decide first whether to rewrite at all (rewrite_rules::should_rewrite): a message to the LAN
/// keeps its local addresses. No allocation with a fixed buffer, nor with a container whose
/// capacity suffices. On failure error() is a natkit.sip or (for the body) natkit.sdp error,
/// line() its line in the message, and the content of `out` is unspecified.
template <class Output>
rewrite_result rewrite(std::string_view in, const rewrite_rules& rules, Output&& out) {
    using container = std::remove_cv_t<std::remove_reference_t<Output>>;
    if constexpr (sdp::detail::is_growable<container>::value) {
        static_assert(std::is_lvalue_reference_v<Output>, "the output container must outlive the result");
        sdp::detail::growable_sink<container> sink(out, sdp::detail::growth_hint(in.size()));
        return detail::rewrite_sip_into(in, rules, sink);
    } else {
        return detail::rewrite_sip_fixed(in, rules, mutable_bytes(out));
    }
}

}  // namespace sip
NATKIT_END_NAMESPACE

#endif  // NATKIT_SIP_REWRITER_HPP
