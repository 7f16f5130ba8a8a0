// natkit/sip/detail/header_field.hpp - reading SIP/MIME header fields in place (private).
#ifndef NATKIT_SIP_DETAIL_HEADER_FIELD_HPP
#define NATKIT_SIP_DETAIL_HEADER_FIELD_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/sdp/detail/text.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sip {
namespace detail {

using sdp::detail::iequals;
using sdp::detail::is_blank;
using sdp::detail::is_lws;
using sdp::detail::line;
using sdp::detail::line_cursor;
using sdp::detail::next_line;

/// One header field (RFC 3261 §7.3.1): "name HCOLON value", continued on following lines that
/// begin with SP or HTAB (folding). The value may therefore contain CR and LF; parsers treat
/// them as the LWS they are.
struct header_field {
    std::string_view name;              ///< without trailing blanks; empty when the line has no ':'
    const char* begin = nullptr;        ///< first byte of the field
    const char* value_begin = nullptr;  ///< first byte after ':'
    const char* value_end = nullptr;    ///< end of the last line's content (before its line ending)
    const char* next = nullptr;         ///< first byte after the field's last line ending

    std::string_view value() const noexcept {
        return std::string_view(value_begin, static_cast<std::size_t>(value_end - value_begin));
    }
};

/// Reads the field whose first line is `first`, the line `lines` just gave; its continuation
/// lines are read from `lines` too.
inline header_field read_field(const line& first, line_cursor& lines) noexcept {
    header_field f;
    f.begin = first.begin;
    f.value_end = first.end;
    f.next = first.next;
    const char* c = first.begin;
    while (c < first.end && *c != ':') ++c;  // header names are short: no memchr call
    if (c < first.end) {
        const char* name_end = c;
        while (name_end > first.begin && is_blank(name_end[-1])) --name_end;
        f.name = std::string_view(first.begin, static_cast<std::size_t>(name_end - first.begin));
        f.value_begin = c + 1;
    } else {
        f.value_begin = first.end;
    }
    while (!lines.done() && is_blank(*lines.position())) {
        const line more = lines.next();
        f.value_end = more.end;
        f.next = more.next;
    }
    return f;
}

/// The headers the rewriters read or change.
enum class header_id : std::uint8_t { other, via, contact, content_length, content_type, content_encoding };

/// Identifies a header name, case-insensitively (RFC 3261 §7.3.1), with the compact forms of
/// RFC 3261 §7.3.3 (v, m, l, c, e) when `compact` (not in MIME body part headers).
inline header_id identify(std::string_view name, bool compact) noexcept {
    switch (name.size()) {
        case 1:
            if (!compact) return header_id::other;
            switch (sdp::detail::to_lower(name[0])) {
                case 'v':
                    return header_id::via;
                case 'm':
                    return header_id::contact;
                case 'l':
                    return header_id::content_length;
                case 'c':
                    return header_id::content_type;
                case 'e':
                    return header_id::content_encoding;
                default:
                    return header_id::other;
            }
        case 3:
            return iequals(name, "via") ? header_id::via : header_id::other;
        case 7:
            return iequals(name, "contact") ? header_id::contact : header_id::other;
        case 12:
            return iequals(name, "content-type") ? header_id::content_type : header_id::other;
        case 14:
            return iequals(name, "content-length") ? header_id::content_length : header_id::other;
        case 16:
            return iequals(name, "content-encoding") ? header_id::content_encoding : header_id::other;
        default:
            return header_id::other;
    }
}

inline const char* skip_lws(const char* p, const char* end) noexcept {
    while (p < end && is_lws(*p)) ++p;
    return p;
}

/// Past the quoted-string starting at p ('"'), honouring quoted-pair escapes (RFC 3261 §25.1);
/// nullptr when it is not terminated before `end`.
inline const char* skip_quoted(const char* p, const char* end) noexcept {
    for (++p; p < end; ++p) {
        if (*p == '\\') {
            if (++p == end) return nullptr;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return nullptr;
}

/// RFC 3261 §25.1 token characters, as a table (one load per character in the hot loops).
struct token_table {
    bool is[256] = {};
    constexpr token_table() noexcept {
        for (int c = 'a'; c <= 'z'; ++c) is[c] = true;
        for (int c = 'A'; c <= 'Z'; ++c) is[c] = true;
        for (int c = '0'; c <= '9'; ++c) is[c] = true;
        for (const char c : {'-', '.', '!', '%', '*', '_', '+', '`', '\'', '~'})
            is[static_cast<unsigned char>(c)] = true;
    }
};
inline constexpr token_table token_chars{};

constexpr bool is_token_char(char c) noexcept { return token_chars.is[static_cast<unsigned char>(c)]; }

/// The characters that end an unquoted parameter value: ';' ',' and LWS.
struct param_end_table {
    bool is[256] = {};
    constexpr param_end_table() noexcept {
        for (const char c : {';', ',', ' ', '\t', '\r', '\n'}) is[static_cast<unsigned char>(c)] = true;
    }
};
inline constexpr param_end_table param_ends{};

constexpr bool ends_param_value(char c) noexcept { return param_ends.is[static_cast<unsigned char>(c)]; }

inline const char* skip_token(const char* p, const char* end) noexcept {
    while (p < end && is_token_char(*p)) ++p;
    return p;
}

/// Whether `l` is a SIP start line (RFC 3261 §7.1, §7.2): "SIP/2.0" SP 3DIGIT SP reason, or
/// Method SP Request-URI SP "SIP/2.0". Stricter than natkit::looks_like_sip, which only
/// classifies datagrams: "GET / HTTP/1.1" is no SIP request.
inline bool is_start_line(std::string_view l) noexcept {
    constexpr std::string_view version = "SIP/2.0";
    if (l.size() >= 11 && iequals(l.substr(0, 8), "SIP/2.0 ")) {
        return sdp::detail::is_digit(l[8]) && sdp::detail::is_digit(l[9]) && sdp::detail::is_digit(l[10]) &&
               (l.size() == 11 || l[11] == ' ');
    }
    std::size_t method = 0;
    while (method < l.size() && is_token_char(l[method])) ++method;
    if (method == 0 || method >= l.size() || l[method] != ' ' || l.size() < method + 3 + version.size()) return false;
    const std::string_view tail = l.substr(l.size() - version.size() - 1);
    return tail[0] == ' ' && iequals(tail.substr(1), version) && l[method + 1] != ' ';
}

/// A media type (RFC 2045 §5.1, RFC 3261 §20.15): type "/" subtype *(";" parameter).
struct media_type {
    std::string_view type;
    std::string_view subtype;
    const char* params = nullptr;  ///< first byte after the subtype
    const char* end = nullptr;
};

inline media_type parse_media_type(std::string_view value) noexcept {
    media_type m;
    const char* end = value.data() + value.size();
    const char* p = skip_lws(value.data(), end);
    const char* t = skip_token(p, end);
    m.type = std::string_view(p, static_cast<std::size_t>(t - p));
    p = skip_lws(t, end);
    if (p < end && *p == '/') {
        p = skip_lws(p + 1, end);
        t = skip_token(p, end);
        m.subtype = std::string_view(p, static_cast<std::size_t>(t - p));
        p = t;
    }
    m.params = p;
    m.end = end;
    return m;
}

/// The value of parameter `name` of a media type (quotes removed; RFC 2045 §5.1 allows a
/// token or a quoted-string); empty when absent.
inline std::string_view media_type_parameter(const media_type& m, std::string_view name) noexcept {
    const char* p = m.params;
    const char* end = m.end;
    while (p < end) {
        p = skip_lws(p, end);
        if (p >= end || *p != ';') return {};
        p = skip_lws(p + 1, end);
        const char* n = skip_token(p, end);
        const std::string_view pname(p, static_cast<std::size_t>(n - p));
        p = skip_lws(n, end);
        if (p >= end || *p != '=') continue;
        p = skip_lws(p + 1, end);
        std::string_view pvalue;
        if (p < end && *p == '"') {
            const char* q = skip_quoted(p, end);
            if (!q) return {};
            pvalue = std::string_view(p + 1, static_cast<std::size_t>(q - p - 2));
            p = q;
        } else {
            // RFC 2046 §5.1.1 boundary characters go beyond token (e.g. ':' is often seen).
            const char* v = p;
            while (v < end && *v != ';' && !is_lws(*v)) ++v;
            pvalue = std::string_view(p, static_cast<std::size_t>(v - p));
            p = v;
        }
        if (iequals(pname, name)) return pvalue;
    }
    return {};
}

}  // namespace detail
}  // namespace sip
NATKIT_END_NAMESPACE

#endif  // NATKIT_SIP_DETAIL_HEADER_FIELD_HPP
