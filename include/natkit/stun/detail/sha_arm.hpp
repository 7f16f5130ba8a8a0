// natkit/stun/detail/sha_arm.hpp - SHA-1 and SHA-256 block compression with the ARMv8
// cryptographic extension (SHA1C/P/M/H, SHA1SU0/1, SHA256H/H2, SHA256SU0/1; Arm ARM, ACLE).
//
// Used only when the compiler targets a CPU that has the instructions (__ARM_FEATURE_SHA2, see
// cpu_features.hpp); sha1.hpp and sha256.hpp pick it at compile time.
#ifndef NATKIT_STUN_DETAIL_SHA_ARM_HPP
#define NATKIT_STUN_DETAIL_SHA_ARM_HPP

#include <cstddef>
#include <cstdint>
#include <utility>

#include "natkit/config.hpp"
#include "natkit/stun/detail/cpu_features.hpp"

#if NATKIT_STUN_DETAIL_ARM_SHA
#include <arm_neon.h>

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {
namespace sha_arm {

// Four big-endian message words from p, the first in lane 0.
inline uint32x4_t load_words(const std::uint8_t* p) noexcept { return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p))); }

// SHA-1 rounds 4k..4k+3. m[k & 3] holds G_k = W[4k..4k+3]; FIPS 180-4 §6.1.2 W[t] =
// ROTL1(W[t-3]^W[t-8]^W[t-14]^W[t-16]) is G_k = SU1(SU0(G_{k-4}, G_{k-3}, G_{k-2}), G_{k-1}).
// `e` is this group's E; SHA1H of the A it starts from is the next group's.
template <int K>
NATKIT_ALWAYS_INLINE void sha1_group(uint32x4_t& abcd, std::uint32_t& e, uint32x4_t* m) noexcept {
    if constexpr (K >= 4)
        m[K & 3] = vsha1su1q_u32(vsha1su0q_u32(m[K & 3], m[(K + 1) & 3], m[(K + 2) & 3]), m[(K + 3) & 3]);
    // FIPS 180-4 §4.2.1
    constexpr std::uint32_t k = K < 5 ? 0x5A827999u : K < 10 ? 0x6ED9EBA1u : K < 15 ? 0x8F1BBCDCu : 0xCA62C1D6u;
    const uint32x4_t wk = vaddq_u32(m[K & 3], vdupq_n_u32(k));
    const std::uint32_t next_e = vsha1h_u32(vgetq_lane_u32(abcd, 0));
    if constexpr (K < 5)
        abcd = vsha1cq_u32(abcd, e, wk);
    else if constexpr (K < 10 || K >= 15)
        abcd = vsha1pq_u32(abcd, e, wk);
    else
        abcd = vsha1mq_u32(abcd, e, wk);
    e = next_e;
}

template <int... K>
NATKIT_ALWAYS_INLINE void sha1_groups(uint32x4_t& abcd, std::uint32_t& e, uint32x4_t* m,
                                      std::integer_sequence<int, K...>) noexcept {
    (sha1_group<K>(abcd, e, m), ...);
}

/// Compresses `blocks` whole 64-byte blocks from `p` into h[0..4].
inline void sha1_compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
    uint32x4_t abcd = vld1q_u32(h);
    std::uint32_t e = h[4];
    for (; blocks != 0; --blocks, p += 64) {
        const uint32x4_t abcd_in = abcd;
        const std::uint32_t e_in = e;
        uint32x4_t m[4] = {load_words(p), load_words(p + 16), load_words(p + 32), load_words(p + 48)};
        sha1_groups(abcd, e, m, std::make_integer_sequence<int, 20>());
        abcd = vaddq_u32(abcd, abcd_in);
        e += e_in;
    }
    vst1q_u32(h, abcd);
    h[4] = e;
}

// SHA-256 rounds 4k..4k+3. m[k & 3] holds G_k; FIPS 180-4 §6.2.2
// W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16] is G_k = SU1(SU0(G_{k-4}, G_{k-3}), G_{k-2}, G_{k-1}).
template <int K>
NATKIT_ALWAYS_INLINE void sha256_group(uint32x4_t& abcd, uint32x4_t& efgh, uint32x4_t* m,
                                       const std::uint32_t* k) noexcept {
    if constexpr (K >= 4)
        m[K & 3] = vsha256su1q_u32(vsha256su0q_u32(m[K & 3], m[(K + 1) & 3]), m[(K + 2) & 3], m[(K + 3) & 3]);
    const uint32x4_t wk = vaddq_u32(m[K & 3], vld1q_u32(k + 4 * K));
    const uint32x4_t abcd_before = abcd;
    abcd = vsha256hq_u32(abcd, efgh, wk);
    efgh = vsha256h2q_u32(efgh, abcd_before, wk);
}

template <int... K>
NATKIT_ALWAYS_INLINE void sha256_groups(uint32x4_t& abcd, uint32x4_t& efgh, uint32x4_t* m, const std::uint32_t* k,
                                        std::integer_sequence<int, K...>) noexcept {
    (sha256_group<K>(abcd, efgh, m, k), ...);
}

/// Compresses `blocks` whole 64-byte blocks from `p` into h[0..7]; `k` is the 64 round constants.
inline void sha256_compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks,
                            const std::uint32_t* k) noexcept {
    uint32x4_t abcd = vld1q_u32(h);
    uint32x4_t efgh = vld1q_u32(h + 4);
    for (; blocks != 0; --blocks, p += 64) {
        const uint32x4_t abcd_in = abcd;
        const uint32x4_t efgh_in = efgh;
        uint32x4_t m[4] = {load_words(p), load_words(p + 16), load_words(p + 32), load_words(p + 48)};
        sha256_groups(abcd, efgh, m, k, std::make_integer_sequence<int, 16>());
        abcd = vaddq_u32(abcd, abcd_in);
        efgh = vaddq_u32(efgh, efgh_in);
    }
    vst1q_u32(h, abcd);
    vst1q_u32(h + 4, efgh);
}

}  // namespace sha_arm
}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_ARM_SHA
#endif  // NATKIT_STUN_DETAIL_SHA_ARM_HPP
