// natkit/enum/dns_name.hpp - domain names: an uncompressed wire-form name of at most 255
// octets (RFC 1035 §2.3.4, §3.1), and the reader of names in DNS messages that follows
// compression pointers (RFC 1035 §4.1.4) without trusting them.
//
// dns_name holds its octets inline (no allocation). Comparison ignores ASCII case (RFC 4343).
#ifndef NATKIT_ENUM_DNS_NAME_HPP
#define NATKIT_ENUM_DNS_NAME_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

namespace detail {
constexpr unsigned char ascii_lower(unsigned char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}
}  // namespace detail

/// A domain name in uncompressed wire form: length-prefixed labels ending with the root's
/// zero octet. Default-constructed it is the root.
class dns_name {
public:
    /// RFC 1035 §2.3.4: 63 octets a label, 255 the whole name (length octets included).
    static constexpr std::size_t max_label = 63;
    static constexpr std::size_t max_size = 255;  ///< see max_label

    dns_name() noexcept { wire_[0] = 0; }

    /// From text: labels separated by dots, an optional final dot, "." alone for the root.
    /// RFC 1035 §5.1 escapes are understood: backslash-dot for a dot inside a label, two
    /// backslashes for one, backslash and three decimal digits for any octet.
    /// errc::bad_domain for empty labels, control characters or bad escapes; label_too_long,
    /// name_too_long beyond the limits.
    static result<dns_name> from_text(std::string_view text) noexcept {
        dns_name n;
        if (text == ".") return n;
        if (text.empty()) return errc::bad_domain;
        if (text.back() == '.' && (text.size() < 2 || text[text.size() - 2] != '\\')) text.remove_suffix(1);
        char label[max_label + 1];
        std::size_t len = 0;
        for (std::size_t i = 0;; ++i) {
            if (i == text.size() || text[i] == '.') {
                if (len == 0) return errc::bad_domain;
                if (!n.append_label(std::string_view(label, len))) return errc::name_too_long;
                len = 0;
                if (i == text.size()) break;
                continue;
            }
            unsigned char c = static_cast<unsigned char>(text[i]);
            if (c <= 0x20 || c == 0x7F) return errc::bad_domain;
            if (c == '\\') {
                if (++i == text.size()) return errc::bad_domain;
                c = static_cast<unsigned char>(text[i]);
                if (c >= '0' && c <= '9') {
                    if (i + 2 >= text.size()) return errc::bad_domain;
                    unsigned v = 0;
                    for (std::size_t k = 0; k < 3; ++k) {
                        const char d = text[i + k];
                        if (d < '0' || d > '9') return errc::bad_domain;
                        v = v * 10u + static_cast<unsigned>(d - '0');
                    }
                    if (v > 255u) return errc::bad_domain;
                    c = static_cast<unsigned char>(v);
                    i += 2;
                }
            }
            if (len == max_label) return errc::label_too_long;
            label[len++] = static_cast<char>(c);
        }
        return n;
    }

    /// Adds a label before the root; false (and no change) when it is empty, longer than 63
    /// octets, or would make the name longer than 255.
    bool append_label(std::string_view label) noexcept {
        if (label.empty() || label.size() > max_label || size_ + 1 + label.size() > max_size) return false;
        wire_[size_ - 1] = static_cast<std::uint8_t>(label.size());
        std::memcpy(wire_.data() + size_, label.data(), label.size());
        size_ += label.size() + 1;
        wire_[size_ - 1] = 0;
        return true;
    }

    /// Appends all labels of `tail`; false (and no change) when the result would be too long.
    bool append(const dns_name& tail) noexcept {
        if (size_ - 1 + tail.size_ > max_size) return false;
        std::memcpy(wire_.data() + size_ - 1, tail.wire_.data(), tail.size_);
        size_ += tail.size_ - 1;
        return true;
    }

    /// The wire form, root octet included (1-255 octets).
    bytes_view wire() const noexcept { return bytes_view(wire_.data(), size_); }
    /// Octets of the wire form.
    std::size_t size() const noexcept { return size_; }
    /// The root, ".".
    bool is_root() const noexcept { return size_ == 1; }
    /// Labels, the root not counted.
    std::size_t label_count() const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0; wire_[i] != 0; i += 1u + wire_[i]) ++n;
        return n;
    }

    /// Text form without the final dot ("." for the root). Dots and backslashes inside labels
    /// are escaped, other octets outside 0x21-0x7E as a backslash and three digits (RFC 1035 §5.1), so
    /// from_text() reads back the same name. Writes at most `capacity` characters and returns
    /// how many the whole text needs (at most 4 * 255).
    std::size_t format(char* out, std::size_t capacity) const noexcept {
        std::size_t n = 0;
        const auto put = [&](char c) {
            if (n < capacity) out[n] = c;
            ++n;
        };
        if (is_root()) {
            put('.');
            return n;
        }
        for (std::size_t i = 0; wire_[i] != 0; i += 1u + wire_[i]) {
            if (i != 0) put('.');
            for (std::size_t k = 1; k <= wire_[i]; ++k) {
                const std::uint8_t c = wire_[i + k];
                if (c == '.' || c == '\\') {
                    put('\\');
                    put(static_cast<char>(c));
                } else if (c < 0x21 || c > 0x7E) {
                    put('\\');
                    put(static_cast<char>('0' + c / 100));
                    put(static_cast<char>('0' + c / 10 % 10));
                    put(static_cast<char>('0' + c % 10));
                } else {
                    put(static_cast<char>(c));
                }
            }
        }
        return n;
    }
    /// format() into a string.
    std::string to_string() const {
        std::string s(format(nullptr, 0), '\0');
        format(s.data(), s.size());
        return s;
    }

    /// Equal ignoring ASCII case (RFC 4343 §3).
    friend bool operator==(const dns_name& a, const dns_name& b) noexcept {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (detail::ascii_lower(a.wire_[i]) != detail::ascii_lower(b.wire_[i])) return false;
        return true;
    }
    /// Not equal, ignoring ASCII case.
    friend bool operator!=(const dns_name& a, const dns_name& b) noexcept { return !(a == b); }

private:
    friend struct name_reader;
    std::array<std::uint8_t, max_size> wire_{};
    std::size_t size_ = 1;
};

/// Reads (possibly compressed) names out of a DNS message.
///
/// RFC 1035 §4.1.4 lets a name end in a pointer "to a prior occurrence of the same name".
/// Hostile messages use pointers to loop forever, to jump out of the message, or to make a
/// name grow past 255 octets; so every pointer must land strictly before the start of the
/// stretch being read (which also makes every walk finish), inside the message and after the
/// 12-byte header. A pointer that lands inside a stretch already read is a compression_loop,
/// one that lands later in the message a forward_pointer.
struct name_reader {
    static constexpr std::size_t header_size = 12;  ///< pointers never lead into it
    /// Compression pointers followed for one name; no sensible message needs more.
    static constexpr std::size_t max_pointers = 64;

    /// Reads the name at `offset` of `message`. On success `end` is the offset just past the
    /// name where it was written (after its first pointer, if any) and `out`, when given,
    /// holds the name. Never reads outside `message`.
    static errc read(bytes_view message, std::size_t offset, std::size_t& end, dns_name* out) noexcept {
        struct stretch {
            std::size_t first, last;  // [first, last]: the octets of one stretch, pointer included
        };
        stretch visited[max_pointers];
        std::size_t pointers = 0;
        std::size_t pos = offset;
        std::size_t start = offset;  // where the current stretch began
        std::size_t size = 0;        // octets of the uncompressed name so far, root excluded
        bool jumped = false;
        if (out) out->size_ = 1;
        for (;;) {
            if (pos >= message.size()) return errc::truncated;
            const std::uint8_t len = message[pos];
            if ((len & 0xC0u) == 0xC0u) {
                if (pos + 1 >= message.size()) return errc::truncated;
                const std::size_t target = (std::size_t{len & 0x3Fu} << 8) | message[pos + 1];
                if (!jumped) end = pos + 2;
                if (target >= message.size() || target < header_size) return errc::pointer_out_of_range;
                if (pointers == max_pointers) return errc::compression_loop;
                visited[pointers++] = stretch{start, pos + 1};
                if (target >= start) {
                    for (std::size_t k = 0; k < pointers; ++k)
                        if (target >= visited[k].first && target <= visited[k].last) return errc::compression_loop;
                    return errc::forward_pointer;
                }
                pos = start = target;
                jumped = true;
                continue;
            }
            // 0x40-0xBF: RFC 6891 §5 retired the extended label type 01, 10 is reserved;
            // either way the octet cannot be the length of a label.
            if (len > dns_name::max_label) return errc::label_too_long;
            if (len == 0) {
                if (!jumped) end = pos + 1;
                if (out) {
                    out->wire_[size] = 0;
                    out->size_ = size + 1;
                }
                return errc{};
            }
            if (pos + 1 + len > message.size()) return errc::truncated;
            if (size + 1 + len + 1 > dns_name::max_size) return errc::name_too_long;
            if (out) std::memcpy(out->wire_.data() + size, message.data() + pos, 1u + len);
            size += 1u + len;
            pos += 1u + len;
        }
    }

    /// Skips the name at `offset`, validating it as read() does.
    static errc skip(bytes_view message, std::size_t offset, std::size_t& end) noexcept {
        return read(message, offset, end, nullptr);
    }
};

/// A name inside a validated message: where it starts. Cheap to copy; decode() when needed.
class name_ref {
public:
    name_ref() noexcept = default;
    /// The name at `offset` of `message`.
    name_ref(bytes_view message, std::size_t offset) noexcept : message_(message), offset_(offset) {}

    /// Where the name starts in the message.
    std::size_t offset() const noexcept { return offset_; }
    /// The name, uncompressed; the reader's error when it cannot be read.
    result<dns_name> decode() const noexcept {
        dns_name n;
        std::size_t end = 0;
        const errc e = name_reader::read(message_, offset_, end, &n);
        if (e != errc{}) return e;
        return n;
    }
    /// True when the name is `other` (ignoring case); false also when it cannot be read.
    bool equals(const dns_name& other) const noexcept {
        auto n = decode();
        return n && *n == other;
    }
    /// The text form ("<bad name>" when it cannot be read).
    std::string to_string() const {
        auto n = decode();
        return n ? n->to_string() : std::string("<bad name>");
    }

private:
    bytes_view message_;
    std::size_t offset_ = 0;
};

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_DNS_NAME_HPP
