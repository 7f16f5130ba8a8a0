// natkit/sip/content_length.hpp - reading and recomputing Content-Length (RFC 3261 §20.14).
//
// Whoever changes a SIP body must fix Content-Length, or the far end cuts the body short or
// waits for bytes that never come (RFC 3261 §18.3). sip::rewrite does it for the bodies it
// rewrites; fix_content_length() does it for a message the caller edited by other means:
//
//     std::string msg = ...;                 // body edited in place
//     std::string fixed;
//     auto r = sip::fix_content_length(msg, fixed);
#ifndef NATKIT_SIP_CONTENT_LENGTH_HPP
#define NATKIT_SIP_CONTENT_LENGTH_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/sdp/detail/output.hpp"
#include "natkit/sdp/detail/text.hpp"
#include "natkit/sdp/rewrite_result.hpp"
#include "natkit/sip/detail/header_field.hpp"
#include "natkit/sip/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sip {

/// The largest Content-Length accepted: far beyond any SIP message (UDP caps them at 64 KiB).
inline constexpr std::size_t max_content_length = 999999999;

/// Where the number of a Content-Length value is, and what it says.
struct content_length_value {
    std::string_view digits;  ///< the decimal digits, a view into the header value
    /// The number they say.
    std::size_t value = 0;
};

/// Parses a Content-Length header value (what follows the colon): 1*DIGIT (RFC 3261 §20.14)
/// with LWS around it, folding included. Fails with errc::bad_content_length for anything
/// else, or a number above max_content_length.
inline result<content_length_value> parse_content_length(std::string_view value) noexcept {
    const char* end = value.data() + value.size();
    const char* p = detail::skip_lws(value.data(), end);
    const char* d = p;
    std::uint64_t n = 0;
    for (; d < end && sdp::detail::is_digit(*d); ++d) {
        n = n * 10u + static_cast<std::uint64_t>(*d - '0');
        if (n > max_content_length) return errc::bad_content_length;  // leading zeros are fine, 1*DIGIT
    }
    const std::string_view digits(p, static_cast<std::size_t>(d - p));
    if (digits.empty() || detail::skip_lws(d, end) != end) return errc::bad_content_length;
    return content_length_value{digits, static_cast<std::size_t>(n)};
}

namespace detail {

/// Inserts `text` at output position `pos`, moving what follows.
///
/// Content-Length digits are left out while the body is written and inserted afterwards: the
/// output then never holds more than its final size, so a fixed buffer of exactly that size
/// suffices even when the number gets narrower ("0331" -> "329").
template <class Sink>
void insert_at(Sink& sink, std::size_t pos, std::string_view text) {
    sink.shift(pos, static_cast<std::ptrdiff_t>(text.size()));
    sink.overwrite(pos, text.data(), text.size());
}

/// Replaces the Content-Length digits written at `pos` (original.digits, copied through) by the
/// decimal `size`, moving what follows when the width changes. True when the number changed.
template <class Sink>
bool patch_length(Sink& sink, std::size_t pos, const content_length_value& original, std::size_t size) {
    if (original.value == size) return false;
    const sdp::detail::decimal d(size);
    const std::ptrdiff_t delta =
        static_cast<std::ptrdiff_t>(d.size) - static_cast<std::ptrdiff_t>(original.digits.size());
    if (delta != 0) sink.shift(pos + original.digits.size(), delta);
    sink.overwrite(pos, d.text, d.size);
    return true;
}

/// Inserts the Content-Length digits for a body of `size` bytes at `pos`: the original digits
/// when they say that already (leading zeros and all), else the decimal size. True when the
/// number changed.
template <class Sink>
bool insert_length(Sink& sink, std::size_t pos, const content_length_value& original, std::size_t size) {
    if (original.value == size) {
        insert_at(sink, pos, original.digits);
        return false;
    }
    const sdp::detail::decimal d(size);
    insert_at(sink, pos, d.view());
    return true;
}

/// Copies the message with its Content-Length set to the size of the body (everything after
/// the empty line).
template <class Sink>
sdp::rewrite_result fix_content_length_into(std::string_view in, Sink& sink) {
    const char* begin = in.data();
    const char* end = in.data() + in.size();
    sdp::detail::splicer<Sink> out(begin, sink);
    const auto fail = [&](errc e, const char* where) {
        return sdp::rewrite_result::failure(e, sdp::detail::line_number(begin, where));
    };
    if (in.empty()) return fail(errc::not_sip, begin);
    line_cursor lines(begin, end);
    if (!is_start_line(lines.next().text())) return fail(errc::not_sip, begin);
    const char* p = nullptr;
    bool found = false;
    std::size_t pos = 0;
    content_length_value cl;
    for (;;) {
        if (lines.done()) return fail(errc::unterminated_headers, end);
        const line ln = lines.next();
        if (ln.empty()) {
            if (!ln.has_eol()) return fail(errc::unterminated_headers, ln.begin);
            p = ln.next;
            break;
        }
        const header_field f = read_field(ln, lines);
        if (identify(f.name, true) == header_id::content_length) {
            if (found) return fail(errc::duplicate_content_length, f.begin);
            const auto v = parse_content_length(f.value());
            if (!v) return fail(errc::bad_content_length, f.begin);
            cl = *v;
            found = true;
            out.copy_to(cl.digits.data());
            pos = sink.size();
            out.skip_to(cl.digits.data() + cl.digits.size());  // inserted at the end
        }
    }
    out.copy_to(end);
    const std::size_t body = static_cast<std::size_t>(end - p);
    const std::size_t changes = found && insert_length(sink, pos, cl, body) ? 1 : 0;
    if (sink.overflowed()) return sdp::rewrite_result::failure(errc::buffer_too_small, 0, sink.size());
    sink.finish();
    return sdp::rewrite_result::success(sink.data(), sink.size(), changes);
}

}  // namespace detail

/// Copies `message` into `out` (a fixed buffer or a growable container, as sip::rewrite) with
/// its Content-Length (or compact l:) set to the size of the body: every byte after the empty
/// line that ends the headers. Only the digits change; spacing, the header's name and place
/// stay. A message without Content-Length is copied as it is (over UDP the body then runs to
/// the end of the datagram, RFC 3261 §18.3). Errors: errc::not_sip, unterminated_headers,
/// bad_content_length, duplicate_content_length, buffer_too_small.
template <class Output>
sdp::rewrite_result fix_content_length(std::string_view message, Output&& out) {
    using container = std::remove_cv_t<std::remove_reference_t<Output>>;
    if constexpr (sdp::detail::is_growable<container>::value) {
        static_assert(std::is_lvalue_reference_v<Output>, "the output container must outlive the result");
        sdp::detail::growable_sink<container> sink(out, message.size() + 16);
        return detail::fix_content_length_into(message, sink);
    } else {
        sdp::detail::fixed_sink sink{mutable_bytes(out)};
        return detail::fix_content_length_into(message, sink);
    }
}

}  // namespace sip
NATKIT_END_NAMESPACE

#endif  // NATKIT_SIP_CONTENT_LENGTH_HPP
