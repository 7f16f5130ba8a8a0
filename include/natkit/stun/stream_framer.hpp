// natkit/stun/stream_framer.hpp - whole STUN messages out of a TCP or TLS byte stream.
//
// Over a stream, STUN messages follow each other with no other framing (RFC 8489 §6.2.2):
// the 20-byte header's length field says where each one ends. Feed the framer whatever the
// socket returned, fragmented or coalesced, and take the complete messages out:
//
//     std::array<std::uint8_t, 2048> storage;
//     stun::stream_framer framer(storage);
//     framer.append(chunk);                       // returns how many bytes it took
//     while (auto msg = framer.next()) { ... }    // result<bytes_view>, empty view = need more
//
// It never allocates: messages larger than the storage are an error (message_too_large).
#ifndef NATKIT_STUN_STREAM_FRAMER_HPP
#define NATKIT_STUN_STREAM_FRAMER_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/error.hpp"
#include "natkit/stun/header.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// The size of the STUN message that `prefix` begins, from its header alone: 0 when fewer
/// than 20 bytes are there yet, errc::not_stun or errc::bad_length when the header is invalid.
inline result<std::size_t> framed_size(bytes_view prefix) noexcept {
    if (prefix.size() < header_size) return std::size_t{0};
    if ((prefix[0] & 0xC0u) != 0) return errc::not_stun;
    const std::size_t length = detail::load_be16(prefix.data() + 2);
    if (length % 4 != 0) return errc::bad_length;
    return header_size + length;
}

/// Collects stream bytes in caller-provided storage and hands out whole messages.
class stream_framer {
public:
    /// A framer that keeps partial messages in `storage` (the largest message that fits).
    explicit stream_framer(mutable_bytes storage) noexcept : storage_(storage) {}

    /// Copies as much of `in` as fits; returns the number of bytes taken. Call next() until it
    /// yields an empty view, then append the rest.
    std::size_t append(bytes_view in) noexcept {
        compact();
        const std::size_t n = in.size() < storage_.size() - end_ ? in.size() : storage_.size() - end_;
        if (n) std::memcpy(storage_.data() + end_, in.data(), n);
        end_ += n;
        return n;
    }

    /// The next complete message, valid until the next append(); an empty view when more bytes
    /// are needed; an error when the stream holds something that is not STUN (the stream
    /// cannot be resynchronised then, RFC 8489 has no framing to find the next message) or a
    /// message larger than the storage.
    result<bytes_view> next() noexcept {
        const bytes_view pending(storage_.data() + begin_, end_ - begin_);
        const result<std::size_t> size = framed_size(pending);
        if (!size) return size.error();
        if (*size > storage_.size()) return errc::message_too_large;
        if (*size == 0 || pending.size() < *size) return bytes_view{};
        begin_ += *size;
        return pending.subview(0, *size);
    }

    /// How many more bytes the next message needs before next() can return it (at least 1
    /// while its header is incomplete); 0 when one is ready.
    std::size_t bytes_needed() const noexcept {
        const bytes_view pending(storage_.data() + begin_, end_ - begin_);
        const result<std::size_t> size = framed_size(pending);
        if (!size) return 0;
        if (*size == 0) return header_size - pending.size();
        return *size > pending.size() ? *size - pending.size() : 0;
    }

    /// Bytes held that have not been returned by next().
    std::size_t buffered() const noexcept { return end_ - begin_; }

private:
    void compact() noexcept {
        if (begin_ == 0) return;
        if (end_ > begin_) std::memmove(storage_.data(), storage_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }

    mutable_bytes storage_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_STREAM_FRAMER_HPP
