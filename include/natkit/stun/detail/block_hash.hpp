// natkit/stun/detail/block_hash.hpp - the message buffering and padding that MD5, SHA-1 and
// SHA-256 share: all three are Merkle-Damgard hashes over 64-byte blocks of 32-bit words, padded
// with 0x80, zeros and the message length in bits as 64 bits (FIPS 180-4 §5.1.1: big-endian;
// RFC 1321 §3.1-3.2: little-endian).
//
// The state is plain arrays and a byte counter, so every hash is trivially copyable: an HMAC key
// keeps a state that has absorbed key^ipad and each message starts from a memcpy of it.
#ifndef NATKIT_STUN_DETAIL_BLOCK_HASH_HPP
#define NATKIT_STUN_DETAIL_BLOCK_HASH_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "natkit/config.hpp"
#include "natkit/stun/detail/byte_order.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

/// Base of a block hash `Derived` with `Words` state words, which provides
/// `static void compress(std::uint32_t* h, const std::uint8_t* blocks, std::size_t count)` and
/// `void reset()` (initial words, total_ = 0). `BigEndian`: the length and the digest words are
/// big-endian (SHA) rather than little-endian (MD5).
template <class Derived, std::size_t Words, bool BigEndian>
class block_hash {
public:
    static constexpr std::size_t block_size = 64;
    static constexpr std::size_t digest_size = 4 * Words;
    using digest = std::array<std::uint8_t, digest_size>;

    void update(const void* data, std::size_t n) noexcept {
        if (n == 0) return;  // data may be null
        const auto* p = static_cast<const std::uint8_t*>(data);
        const std::size_t used = static_cast<std::size_t>(total_ % block_size);
        total_ += n;
        if (used != 0) {
            const std::size_t take = block_size - used;
            if (n < take) {
                std::memcpy(buf_ + used, p, n);
                return;
            }
            std::memcpy(buf_ + used, p, take);
            Derived::compress(h_, buf_, 1);
            p += take;
            n -= take;
        }
        const std::size_t blocks = n / block_size;
        if (blocks != 0) {
            Derived::compress(h_, p, blocks);
            p += blocks * block_size;
            n -= blocks * block_size;
        }
        if (n != 0) std::memcpy(buf_, p, n);
    }

    /// Pads, returns the digest and resets the object for a new message.
    digest finish() noexcept {
        pad_but_last();
        Derived::compress(h_, buf_, 1);
        return take_digest();
    }

    static digest hash(const void* data, std::size_t n) noexcept {
        Derived h;
        h.update(data, n);
        return h.finish();
    }

protected:
    block_hash() noexcept = default;

    /// Pads the message and compresses all but its last block, which is left in buf_ (HMAC's
    /// outer step of SHA-1/SHA-256 compresses that block together with the outer hash's).
    void pad_but_last() noexcept {
        std::size_t used = static_cast<std::size_t>(total_ % block_size);
        const std::uint64_t bits = total_ << 3;
        buf_[used++] = 0x80;
        if (used > block_size - 8) {
            std::memset(buf_ + used, 0, block_size - used);
            Derived::compress(h_, buf_, 1);
            used = 0;
        }
        std::memset(buf_ + used, 0, block_size - 8 - used);
        if constexpr (BigEndian) store_be64(buf_ + block_size - 8, bits);
        else store_le64(buf_ + block_size - 8, bits);
    }

    /// The state words as the digest; resets the object.
    digest take_digest() noexcept {
        digest out;
        for (std::size_t i = 0; i < Words; ++i) {
            if constexpr (BigEndian) store_be32(out.data() + 4 * i, h_[i]);
            else store_le32(out.data() + 4 * i, h_[i]);
        }
        static_cast<Derived*>(this)->reset();
        return out;
    }

    std::uint32_t h_[Words];
    std::uint64_t total_;  // bytes absorbed so far; the tail of the last partial block is in buf_
    std::uint8_t buf_[block_size];
};

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_BLOCK_HASH_HPP
