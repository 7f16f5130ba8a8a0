// natkit/stun/detail/sha256.hpp - SHA-256 (FIPS 180-4 §6.2), for STUN
// MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, RFC 8489 §14.6) and the SHA-256 long-term key
// (RFC 8489 §9.2.2).
//
// Same shape as sha1: plain arrays and a byte counter, trivially copyable, so a precomputed
// HMAC state is cloned with a memcpy; and the same choice of block compression (SHA-NI chosen at
// run time, ARMv8 SHA-256 when compiled for it, portable otherwise or with
// NATKIT_PORTABLE_CRYPTO=1).
#ifndef NATKIT_STUN_DETAIL_SHA256_HPP
#define NATKIT_STUN_DETAIL_SHA256_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/stun/detail/block_hash.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/cpu_features.hpp"
#include "natkit/stun/detail/sha256_x86.hpp"
#include "natkit/stun/detail/sha_arm.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

// FIPS 180-4 §4.2.2; 16-byte aligned for the SHA-NI code.
alignas(16) inline constexpr std::uint32_t sha256_k[64] = {
    0x428A2F98u, 0x71374491u, 0xB5C0FBCFu, 0xE9B5DBA5u, 0x3956C25Bu, 0x59F111F1u, 0x923F82A4u, 0xAB1C5ED5u,
    0xD807AA98u, 0x12835B01u, 0x243185BEu, 0x550C7DC3u, 0x72BE5D74u, 0x80DEB1FEu, 0x9BDC06A7u, 0xC19BF174u,
    0xE49B69C1u, 0xEFBE4786u, 0x0FC19DC6u, 0x240CA1CCu, 0x2DE92C6Fu, 0x4A7484AAu, 0x5CB0A9DCu, 0x76F988DAu,
    0x983E5152u, 0xA831C66Du, 0xB00327C8u, 0xBF597FC7u, 0xC6E00BF3u, 0xD5A79147u, 0x06CA6351u, 0x14292967u,
    0x27B70A85u, 0x2E1B2138u, 0x4D2C6DFCu, 0x53380D13u, 0x650A7354u, 0x766A0ABBu, 0x81C2C92Eu, 0x92722C85u,
    0xA2BFE8A1u, 0xA81A664Bu, 0xC24B8B70u, 0xC76C51A3u, 0xD192E819u, 0xD6990624u, 0xF40E3585u, 0x106AA070u,
    0x19A4C116u, 0x1E376C08u, 0x2748774Cu, 0x34B0BCB5u, 0x391C0CB3u, 0x4ED8AA4Au, 0x5B9CCA4Fu, 0x682E6FF3u,
    0x748F82EEu, 0x78A5636Fu, 0x84C87814u, 0x8CC70208u, 0x90BEFFFAu, 0xA4506CEBu, 0xBEF9A3F7u, 0xC67178F2u,
};

namespace sha256_portable_impl {

// One round of FIPS 180-4 §6.2.2 step 3. The caller renames arguments instead of shifting
// a..h, so `h` receives the new `a` and `d` the new `e`.
NATKIT_ALWAYS_INLINE void round(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t& d, std::uint32_t e,
                                std::uint32_t f, std::uint32_t g, std::uint32_t& h, std::uint32_t kw) noexcept {
    h += (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g))) + kw;
    d += h;
    h += (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) | (c & (a | b)));
}

// Message schedule (FIPS 180-4 §6.2.2 step 1) computed as the rounds need it, over a ring of
// 16 words: keeps the schedule next to its use and its ALU work fills idle slots of the
// round's dependency chain.
template <bool First>
NATKIT_ALWAYS_INLINE std::uint32_t schedule(std::uint32_t* w, std::size_t t) noexcept {
    if constexpr (First) return w[t];
    const std::uint32_t w15 = w[(t + 1) & 15];
    const std::uint32_t w2 = w[(t + 14) & 15];
    const std::uint32_t s0 = rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3);
    const std::uint32_t s1 = rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10);
    const std::uint32_t v = w[t & 15] + s0 + w[(t + 9) & 15] + s1;
    w[t & 15] = v;
    return v;
}

template <bool First>
NATKIT_ALWAYS_INLINE void rounds16(std::uint32_t* s, std::uint32_t* w, std::size_t base) noexcept {
    std::uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (std::size_t t = base; t < base + 16; t += 8) {
        round(a, b, c, d, e, f, g, h, sha256_k[t] + schedule<First>(w, t));
        round(h, a, b, c, d, e, f, g, sha256_k[t + 1] + schedule<First>(w, t + 1));
        round(g, h, a, b, c, d, e, f, sha256_k[t + 2] + schedule<First>(w, t + 2));
        round(f, g, h, a, b, c, d, e, sha256_k[t + 3] + schedule<First>(w, t + 3));
        round(e, f, g, h, a, b, c, d, sha256_k[t + 4] + schedule<First>(w, t + 4));
        round(d, e, f, g, h, a, b, c, sha256_k[t + 5] + schedule<First>(w, t + 5));
        round(c, d, e, f, g, h, a, b, sha256_k[t + 6] + schedule<First>(w, t + 6));
        round(b, c, d, e, f, g, h, a, sha256_k[t + 7] + schedule<First>(w, t + 7));
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
    s[4] = e;
    s[5] = f;
    s[6] = g;
    s[7] = h;
}

}  // namespace sha256_portable_impl

/// Compresses `blocks` whole 64-byte blocks from `p` into hs[0..7], on any CPU.
inline void sha256_compress_portable(std::uint32_t* hs, const std::uint8_t* p, std::size_t blocks) noexcept {
    using namespace sha256_portable_impl;
    std::uint32_t w[16];
    std::uint32_t s[8];
    for (; blocks != 0; --blocks, p += 64) {
        for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(p + 4 * t);
        for (std::size_t i = 0; i < 8; ++i) s[i] = hs[i];
        rounds16<true>(s, w, 0);
        rounds16<false>(s, w, 16);
        rounds16<false>(s, w, 32);
        rounds16<false>(s, w, 48);
        for (std::size_t i = 0; i < 8; ++i) hs[i] += s[i];
    }
}

/// True when this build has a CPU-specific SHA-256 and this CPU runs it.
inline bool sha256_accelerated_available() noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    return (cpu_features() & cpu_x86_sha) != 0;
#elif NATKIT_STUN_DETAIL_ARM_SHA
    return true;
#else
    return false;
#endif
}

/// The CPU-specific SHA-256 compression; only call it when sha256_accelerated_available(). In a
/// build without one (NATKIT_PORTABLE_CRYPTO, other CPUs) it is the portable code.
inline void sha256_compress_accelerated(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    sha256_x86::compress(h, p, blocks, sha256_k);
#elif NATKIT_STUN_DETAIL_ARM_SHA
    sha_arm::sha256_compress(h, p, blocks, sha256_k);
#else
    sha256_compress_portable(h, p, blocks);
#endif
}

/// The fastest SHA-256 compression this CPU runs.
inline void sha256_compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (cpu_features() & cpu_x86_sha)
        sha256_x86::compress(h, p, blocks, sha256_k);
    else
        sha256_compress_portable(h, p, blocks);
#else
    sha256_compress_accelerated(h, p, blocks);
#endif
}

/// The final, padded block (FIPS 180-4 §5.1.1) of a message whose last 32 bytes are a SHA-256
/// digest with state words d[0..7] and start a block; `bits` is the message length in bits.
inline void sha256_digest_block(std::uint8_t* block, const std::uint32_t* d, std::uint64_t bits) noexcept {
    for (std::size_t i = 0; i < 8; ++i) store_be32(block + 4 * i, d[i]);
    block[32] = 0x80;
    std::memset(block + 33, 0, 64 - 8 - 33);
    store_be64(block + 56, bits);
}

/// HMAC's last two compressions (RFC 2104 §2): inner_h absorbs the padded block `last`, then
/// h absorbs sha256_digest_block(inner_h, bits). inner_h is left unspecified.
inline void sha256_compress_nested_portable(std::uint32_t* h, std::uint32_t* inner_h, const std::uint8_t* last,
                                            std::uint64_t bits) noexcept {
    sha256_compress_portable(inner_h, last, 1);
    std::uint8_t block[64];
    sha256_digest_block(block, inner_h, bits);
    sha256_compress_portable(h, block, 1);
}

/// sha256_compress_nested_portable() with the CPU-specific compression.
inline void sha256_compress_nested_accelerated(std::uint32_t* h, std::uint32_t* inner_h, const std::uint8_t* last,
                                               std::uint64_t bits) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    sha256_x86::compress_nested(h, inner_h, last, bits, sha256_k);
#else
    sha256_compress_accelerated(inner_h, last, 1);
    std::uint8_t block[64];
    sha256_digest_block(block, inner_h, bits);
    sha256_compress_accelerated(h, block, 1);
#endif
}

/// sha256_compress_nested_portable() with the fastest compression this CPU runs.
inline void sha256_compress_nested(std::uint32_t* h, std::uint32_t* inner_h, const std::uint8_t* last,
                                   std::uint64_t bits) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (cpu_features() & cpu_x86_sha)
        sha256_x86::compress_nested(h, inner_h, last, bits, sha256_k);
    else
        sha256_compress_nested_portable(h, inner_h, last, bits);
#else
    sha256_compress_nested_accelerated(h, inner_h, last, bits);
#endif
}

/// Which code sha256_compress() runs: "sha-ni", "armv8-sha256" or "portable".
inline std::string_view sha256_implementation() noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (sha256_accelerated_available()) return "sha-ni";
#elif NATKIT_STUN_DETAIL_ARM_SHA
    return "armv8-sha256";
#endif
    return "portable";
}

/// SHA-256 hash state; `Impl` picks the compression (see crypto_impl). Use the `sha256` alias.
template <crypto_impl Impl>
class basic_sha256 : public block_hash<basic_sha256<Impl>, 8, true> {
    using base = block_hash<basic_sha256<Impl>, 8, true>;
    friend base;

public:
    using typename base::digest;
    using base::block_size;
    using base::digest_size;

    basic_sha256() noexcept { reset(); }

    void reset() noexcept {
        // FIPS 180-4 §5.3.3
        this->h_[0] = 0x6A09E667u;
        this->h_[1] = 0xBB67AE85u;
        this->h_[2] = 0x3C6EF372u;
        this->h_[3] = 0xA54FF53Au;
        this->h_[4] = 0x510E527Fu;
        this->h_[5] = 0x9B05688Cu;
        this->h_[6] = 0x1F83D9ABu;
        this->h_[7] = 0x5BE0CD19u;
        this->total_ = 0;
    }

    /// HMAC's outer step (RFC 2104 §2): absorbs the digest of `inner` (which is finished and
    /// reset) and finishes this hash; the same result as update(inner.finish()) then finish().
    /// When this hash has absorbed whole blocks (HMAC's key^opad), the digest goes straight from
    /// inner's state words into the message schedule.
    digest finish_outer(basic_sha256& inner) noexcept {
        if (this->total_ % block_size != 0) {
            const digest d = inner.finish();
            this->update(d.data(), d.size());
            return this->finish();
        }
        inner.pad_but_last();
        const std::uint64_t bits = (this->total_ + digest_size) << 3;
        if constexpr (Impl == crypto_impl::portable)
            sha256_compress_nested_portable(this->h_, inner.h_, inner.buf_, bits);
        else if constexpr (Impl == crypto_impl::accelerated)
            sha256_compress_nested_accelerated(this->h_, inner.h_, inner.buf_, bits);
        else
            sha256_compress_nested(this->h_, inner.h_, inner.buf_, bits);
        inner.reset();
        return this->take_digest();
    }

private:
    static void compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
        if constexpr (Impl == crypto_impl::portable)
            sha256_compress_portable(h, p, blocks);
        else if constexpr (Impl == crypto_impl::accelerated)
            sha256_compress_accelerated(h, p, blocks);
        else
            sha256_compress(h, p, blocks);
    }
};

/// SHA-256 with the fastest compression this CPU runs.
using sha256 = basic_sha256<crypto_impl::dispatch>;
/// SHA-256 with the portable compression only.
using sha256_portable = basic_sha256<crypto_impl::portable>;
/// SHA-256 with the CPU-specific compression; only when sha256_accelerated_available().
using sha256_accelerated = basic_sha256<crypto_impl::accelerated>;

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_SHA256_HPP
