// natkit/sdp/detail/text.hpp - small text helpers shared by the SDP and SIP rewriters (private).
#ifndef NATKIT_SDP_DETAIL_TEXT_HPP
#define NATKIT_SDP_DETAIL_TEXT_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {
namespace detail {

/// SP or HTAB: what separates fields on an SDP line (RFC 8866 §9 allows only SP; tabs are
/// tolerated and kept).
constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
/// Linear white space inside a (possibly folded) SIP header value (RFC 3261 §25.1 LWS).
constexpr bool is_lws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// ASCII case-insensitive equality (ABNF string literals are case-insensitive, RFC 5234 §2.3).
NATKIT_ALWAYS_INLINE bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k) {
        const char x = a[k], y = b[k];
        if (x == y) continue;
        // Only letters differ by case, and only in bit 0x20.
        const char lx = static_cast<char>(x | 0x20);
        if (lx != static_cast<char>(y | 0x20) || lx < 'a' || lx > 'z') return false;
    }
    return true;
}
/// One line of text: [begin, end) is its content, `next` the first byte after its line ending
/// ("\r\n" or a bare "\n"; none on a last line without one).
struct line {
    const char* begin = nullptr;
    const char* end = nullptr;
    const char* next = nullptr;

    std::size_t size() const noexcept { return static_cast<std::size_t>(end - begin); }
    bool empty() const noexcept { return begin == end; }
    bool has_eol() const noexcept { return next != end; }
    std::string_view eol() const noexcept { return std::string_view(end, static_cast<std::size_t>(next - end)); }
    std::string_view text() const noexcept { return std::string_view(begin, size()); }
    /// True when the line starts with the two characters `type` and '='.
    bool is(char type) const noexcept { return size() >= 2 && begin[0] == type && begin[1] == '='; }
};

/// Reads a text line by line, front to back. Line feeds are found 64 bytes at a time: each
/// block becomes a bit mask of its '\n' bytes once (SSE2 where available), and every line end in
/// it is then a count-trailing-zeros away, instead of a memchr call per line. Blocks are counted
/// from `begin` and the last, partial one is copied first, so nothing outside [begin, end) is
/// read. A cursor is a few words: copy it to look ahead.
class line_cursor {
public:
    line_cursor() noexcept = default;
    line_cursor(const char* begin, const char* end) noexcept : p_(begin), end_(end), block_(begin) {
        if (begin < end) pending_ = block_mask(begin, static_cast<std::size_t>(end - begin));
    }

    /// True when every line has been read.
    bool done() const noexcept { return p_ >= end_; }
    /// Where the next line starts.
    const char* position() const noexcept { return p_; }

    /// The next line (precondition: !done()).
    NATKIT_ALWAYS_INLINE line next() noexcept {
        line l;
        l.begin = p_;
        if (NATKIT_UNLIKELY(pending_ == 0) && !refill()) {
            l.end = l.next = p_ = end_;
            return l;
        }
        const char* nl = block_ + count_trailing_zeros(pending_);
        pending_ &= pending_ - 1;
        l.next = p_ = nl + 1;
        l.end = (nl > l.begin && nl[-1] == '\r') ? nl - 1 : nl;
        return l;
    }

private:
    /// Moves to the next block with a line feed; false at the end.
    bool refill() noexcept {
        for (;;) {
            block_ += 64;
            if (block_ >= end_) return false;
            pending_ = block_mask(block_, static_cast<std::size_t>(end_ - block_));
            if (pending_ != 0) return true;
        }
    }

    static unsigned count_trailing_zeros(std::uint64_t m) noexcept {
#if defined(__GNUC__) || defined(__clang__)
        return static_cast<unsigned>(__builtin_ctzll(m));
#else
        unsigned n = 0;
        while (!(m & 1u)) {
            m >>= 1;
            ++n;
        }
        return n;
#endif
    }

    static std::uint64_t full_mask(const char* p) noexcept {
#if defined(__SSE2__)
        const __m128i nl = _mm_set1_epi8('\n');
        const auto bits = [&](int k) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
            return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)))};
        };
        return bits(0) | (bits(1) << 16) | (bits(2) << 32) | (bits(3) << 48);
#else
        std::uint64_t m = 0;
        for (unsigned k = 0; k < 64; ++k) m |= std::uint64_t{p[k] == '\n'} << k;
        return m;
#endif
    }

    static std::uint64_t block_mask(const char* p, std::size_t available) noexcept {
        if (available >= 64) return full_mask(p);
        char tail[64] = {};
        std::memcpy(tail, p, available);
        return full_mask(tail);
    }

    const char* p_ = nullptr;
    const char* end_ = nullptr;
    const char* block_ = nullptr;
    std::uint64_t pending_ = 0;  ///< the '\n' bits of block_ at or after p_
};

/// The line starting at `p` (p < limit).
inline line next_line(const char* p, const char* limit) noexcept {
    line l;
    l.begin = p;
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(limit - p));
    if (!nl) {
        l.end = l.next = limit;
        return l;
    }
    const char* n = static_cast<const char*>(nl);
    l.next = n + 1;
    l.end = (n > p && n[-1] == '\r') ? n - 1 : n;
    return l;
}

/// Splits [p, end) into fields separated by runs of SP/HTAB, keeping each field's position.
class fields {
public:
    fields(const char* p, const char* end) noexcept : p_(p), end_(end) {}
    explicit fields(std::string_view s) noexcept : p_(s.data()), end_(s.data() + s.size()) {}
    /// The next field, empty when there is none.
    NATKIT_ALWAYS_INLINE std::string_view next() noexcept {
        while (p_ != end_ && is_blank(*p_)) ++p_;
        const char* start = p_;
        p_ = skip_field(p_, end_);
        return std::string_view(start, static_cast<std::size_t>(p_ - start));
    }

    /// The end of the field starting at p: the first SP or HTAB, or `end`.
    NATKIT_ALWAYS_INLINE static const char* skip_field(const char* p, const char* end) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && (defined(__GNUC__) || defined(__clang__))
        // Eight bytes at a time: the lowest byte below 0x21 (a blank or a control character) of
        // a word is found exactly by this bit trick (higher ones may be false alarms).
        constexpr std::uint64_t ones = 0x0101010101010101ull;
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            const std::uint64_t low = (w - ones * 0x21) & ~w & (ones * 0x80);
            if (low == 0) {
                p += 8;
                continue;
            }
            p += static_cast<unsigned>(__builtin_ctzll(low)) / 8u;
            if (is_blank(*p)) return p;
            ++p;  // a control character inside the field
        }
#endif
        while (p != end && !is_blank(*p)) ++p;
        return p;
    }
    /// True when only blanks are left.
    bool at_end() noexcept {
        while (p_ < end_ && is_blank(*p_)) ++p_;
        return p_ == end_;
    }

private:
    const char* p_;
    const char* end_;
};

/// Parses 1..max_digits decimal digits (no sign) not above `max`.
inline bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out,
                          std::size_t max_digits = 19) noexcept {
    if (s.empty() || s.size() > max_digits) return false;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10u + static_cast<std::uint64_t>(c - '0');
    }
    if (v > max) return false;
    out = v;
    return true;
}
inline bool parse_u16(std::string_view s, std::uint16_t& out) noexcept {
    std::uint64_t v = 0;
    if (!parse_decimal(s, 65535u, v, 5)) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}

/// Writes the decimal digits of v to out (at least 20 bytes); returns how many.
inline std::size_t format_u64(std::uint64_t v, char* out) noexcept {
    std::size_t n = 1;
    for (std::uint64_t t = v; t >= 10u; t /= 10u) ++n;
    for (std::size_t k = n; k-- > 0; v /= 10u) out[k] = static_cast<char>('0' + static_cast<int>(v % 10u));
    return n;
}

/// A decimal number formatted on the stack.
struct decimal {
    explicit decimal(std::uint64_t v) noexcept {
        char* q = buffer + sizeof buffer;
        do {
            *--q = static_cast<char>('0' + static_cast<int>(v % 10u));
            v /= 10u;
        } while (v != 0);
        text = q;
        size = static_cast<std::size_t>(buffer + sizeof buffer - q);
    }
    decimal(const decimal&) = delete;
    decimal& operator=(const decimal&) = delete;
    std::string_view view() const noexcept { return std::string_view(text, size); }

    char buffer[20];
    const char* text;  ///< the digits, at the end of buffer
    std::size_t size;
};

/// 1-based number of the line containing `where` in the text starting at `begin`.
inline std::size_t line_number(const char* begin, const char* where) noexcept {
    std::size_t n = 1;
    for (const char* p = begin; p < where; ++p) n += (*p == '\n');
    return n;
}

/// Pointer to the first byte of `s` (for turning views back into positions).
inline const char* begin_of(std::string_view s) noexcept { return s.data(); }
inline const char* end_of(std::string_view s) noexcept { return s.data() + s.size(); }

}  // namespace detail
}  // namespace sdp
NATKIT_END_NAMESPACE

#endif  // NATKIT_SDP_DETAIL_TEXT_HPP
