// natkit/stun/detail/sha1.hpp - SHA-1 (FIPS 180-4 §6.1), for STUN MESSAGE-INTEGRITY
// (HMAC-SHA1, RFC 8489 §14.5).
//
// The state is plain arrays and a byte counter, so the object is trivially copyable: an HMAC key
// keeps a hash state that has absorbed key^ipad and each message starts from a memcpy of it.
//
// Block compression: SHA-NI on x86-64 CPUs that have it (chosen at run time), the ARMv8 SHA-1
// instructions when compiled for them, the portable code otherwise or with
// NATKIT_PORTABLE_CRYPTO=1. sha1_portable and sha1_accelerated fix the choice (for tests).
#ifndef NATKIT_STUN_DETAIL_SHA1_HPP
#define NATKIT_STUN_DETAIL_SHA1_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/stun/detail/block_hash.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/cpu_features.hpp"
#include "natkit/stun/detail/sha1_x86.hpp"
#include "natkit/stun/detail/sha_arm.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {
namespace sha1_portable_impl {

// One SHA-1 step (FIPS 180-4 §6.1.2 step 3) with the variable rotation done by the caller
// renaming arguments, which saves the four moves per round.
template <int Stage>
NATKIT_ALWAYS_INLINE void step(std::uint32_t a, std::uint32_t& b, std::uint32_t c, std::uint32_t d, std::uint32_t& e,
                               std::uint32_t w) noexcept {
    std::uint32_t f;
    std::uint32_t k;
    // FIPS 180-4 §4.1.1 functions and §4.2.1 constants; Ch in its xor form (one op fewer).
    if constexpr (Stage == 0) {
        f = d ^ (b & (c ^ d));
        k = 0x5A827999u;
    } else if constexpr (Stage == 1) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1u;
    } else if constexpr (Stage == 2) {
        f = (b & c) | (d & (b | c));
        k = 0x8F1BBCDCu;
    } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6u;
    }
    e += rotl32(a, 5) + f + k + w;
    b = rotl32(b, 30);
}

// Message schedule (FIPS 180-4 §6.1.2 step 1) computed as the rounds need it, over a ring of
// 16 words. Computed up front into w[80], GCC 12 vectorises the loop two words at a time and
// each vector load straddles two earlier stores, which defeats store forwarding (2.7x slower
// per block on x86-64); done inline the schedule also fills idle slots of the round chain.
template <int Stage>
NATKIT_ALWAYS_INLINE std::uint32_t schedule(std::uint32_t* w, std::size_t t) noexcept {
    if (Stage == 0 && t < 16) return w[t];
    const std::uint32_t v = rotl32(w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[t & 15], 1);
    w[t & 15] = v;
    return v;
}

template <int Stage>
NATKIT_ALWAYS_INLINE void stage(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c, std::uint32_t& d,
                                std::uint32_t& e, std::uint32_t* w) noexcept {
    for (std::size_t t = Stage * 20; t < Stage * 20 + 20; t += 5) {
        step<Stage>(a, b, c, d, e, schedule<Stage>(w, t));
        step<Stage>(e, a, b, c, d, schedule<Stage>(w, t + 1));
        step<Stage>(d, e, a, b, c, schedule<Stage>(w, t + 2));
        step<Stage>(c, d, e, a, b, schedule<Stage>(w, t + 3));
        step<Stage>(b, c, d, e, a, schedule<Stage>(w, t + 4));
    }
}

}  // namespace sha1_portable_impl

/// Compresses `blocks` whole 64-byte blocks from `p` into h[0..4], on any CPU.
inline void sha1_compress_portable(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
    using namespace sha1_portable_impl;
    std::uint32_t w[16];
    for (; blocks != 0; --blocks, p += 64) {
        for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(p + 4 * t);
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        stage<0>(a, b, c, d, e, w);
        stage<1>(a, b, c, d, e, w);
        stage<2>(a, b, c, d, e, w);
        stage<3>(a, b, c, d, e, w);
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
}

/// True when this build has a CPU-specific SHA-1 and this CPU runs it.
inline bool sha1_accelerated_available() noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    return (cpu_features() & cpu_x86_sha) != 0;
#elif NATKIT_STUN_DETAIL_ARM_SHA
    return true;
#else
    return false;
#endif
}

/// The CPU-specific SHA-1 compression; only call it when sha1_accelerated_available(). In a
/// build without one (NATKIT_PORTABLE_CRYPTO, other CPUs) it is the portable code.
inline void sha1_compress_accelerated(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    sha1_x86::compress(h, p, blocks);
#elif NATKIT_STUN_DETAIL_ARM_SHA
    sha_arm::sha1_compress(h, p, blocks);
#else
    sha1_compress_portable(h, p, blocks);
#endif
}

/// The fastest SHA-1 compression this CPU runs.
inline void sha1_compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    // One relaxed load and a branch that always goes the same way, per call (not per block).
    if (cpu_features() & cpu_x86_sha)
        sha1_x86::compress(h, p, blocks);
    else
        sha1_compress_portable(h, p, blocks);
#else
    sha1_compress_accelerated(h, p, blocks);
#endif
}

/// The final, padded block (FIPS 180-4 §5.1.1) of a message whose last 20 bytes are a SHA-1
/// digest with state words d[0..4] and start a block; `bits` is the message length in bits.
inline void sha1_digest_block(std::uint8_t* block, const std::uint32_t* d, std::uint64_t bits) noexcept {
    for (std::size_t i = 0; i < 5; ++i) store_be32(block + 4 * i, d[i]);
    block[20] = 0x80;
    std::memset(block + 21, 0, 64 - 8 - 21);
    store_be64(block + 56, bits);
}

/// HMAC's last two compressions (RFC 2104 §2): inner_h absorbs the padded block `last`, then
/// h absorbs sha1_digest_block(inner_h, bits). inner_h is left unspecified.
inline void sha1_compress_nested_portable(std::uint32_t* h, std::uint32_t* inner_h, const std::uint8_t* last,
                                          std::uint64_t bits) noexcept {
    sha1_compress_portable(inner_h, last, 1);
    std::uint8_t block[64];
    sha1_digest_block(block, inner_h, bits);
    sha1_compress_portable(h, block, 1);
}

/// sha1_compress_nested_portable() with the CPU-specific compression.
inline void sha1_compress_nested_accelerated(std::uint32_t* h, std::uint32_t* inner_h, const std::uint8_t* last,
                                             std::uint64_t bits) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    sha1_x86::compress_nested(h, inner_h, last, bits);
#else
    sha1_compress_accelerated(inner_h, last, 1);
    std::uint8_t block[64];
    sha1_digest_block(block, inner_h, bits);
    sha1_compress_accelerated(h, block, 1);
#endif
}

/// sha1_compress_nested_portable() with the fastest compression this CPU runs.
inline void sha1_compress_nested(std::uint32_t* h, std::uint32_t* inner_h, const std::uint8_t* last,
                                 std::uint64_t bits) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (cpu_features() & cpu_x86_sha)
        sha1_x86::compress_nested(h, inner_h, last, bits);
    else
        sha1_compress_nested_portable(h, inner_h, last, bits);
#else
    sha1_compress_nested_accelerated(h, inner_h, last, bits);
#endif
}

/// Which code sha1_compress() runs: "sha-ni", "armv8-sha1" or "portable".
inline std::string_view sha1_implementation() noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (sha1_accelerated_available()) return "sha-ni";
#elif NATKIT_STUN_DETAIL_ARM_SHA
    return "armv8-sha1";
#endif
    return "portable";
}

/// SHA-1 hash state; `Impl` picks the compression (see crypto_impl). Use the `sha1` alias.
template <crypto_impl Impl>
class basic_sha1 : public block_hash<basic_sha1<Impl>, 5, true> {
    using base = block_hash<basic_sha1<Impl>, 5, true>;
    friend base;

public:
    using typename base::digest;
    using base::block_size;
    using base::digest_size;

    basic_sha1() noexcept { reset(); }

    void reset() noexcept {
        // FIPS 180-4 §5.3.1
        this->h_[0] = 0x67452301u;
        this->h_[1] = 0xEFCDAB89u;
        this->h_[2] = 0x98BADCFEu;
        this->h_[3] = 0x10325476u;
        this->h_[4] = 0xC3D2E1F0u;
        this->total_ = 0;
    }

    /// HMAC's outer step (RFC 2104 §2): absorbs the digest of `inner` (which is finished and
    /// reset) and finishes this hash; the same result as update(inner.finish()) then finish().
    /// When this hash has absorbed whole blocks (HMAC's key^opad), the digest goes straight from
    /// inner's state words into the message schedule.
    digest finish_outer(basic_sha1& inner) noexcept {
        if (this->total_ % block_size != 0) {
            const digest d = inner.finish();
            this->update(d.data(), d.size());
            return this->finish();
        }
        inner.pad_but_last();
        const std::uint64_t bits = (this->total_ + digest_size) << 3;
        if constexpr (Impl == crypto_impl::portable)
            sha1_compress_nested_portable(this->h_, inner.h_, inner.buf_, bits);
        else if constexpr (Impl == crypto_impl::accelerated)
            sha1_compress_nested_accelerated(this->h_, inner.h_, inner.buf_, bits);
        else
            sha1_compress_nested(this->h_, inner.h_, inner.buf_, bits);
        inner.reset();
        return this->take_digest();
    }

private:
    static void compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
        if constexpr (Impl == crypto_impl::portable)
            sha1_compress_portable(h, p, blocks);
        else if constexpr (Impl == crypto_impl::accelerated)
            sha1_compress_accelerated(h, p, blocks);
        else
            sha1_compress(h, p, blocks);
    }
};

/// SHA-1 with the fastest compression this CPU runs.
using sha1 = basic_sha1<crypto_impl::dispatch>;
/// SHA-1 with the portable compression only.
using sha1_portable = basic_sha1<crypto_impl::portable>;
/// SHA-1 with the CPU-specific compression; only when sha1_accelerated_available().
using sha1_accelerated = basic_sha1<crypto_impl::accelerated>;

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_SHA1_HPP
