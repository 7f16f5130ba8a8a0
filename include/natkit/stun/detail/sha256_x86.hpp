// natkit/stun/detail/sha256_x86.hpp - SHA-256 block compression with the x86 SHA extensions
// (SHA256RNDS2, SHA256MSG1, SHA256MSG2; Intel SDM vol. 2, and Intel's "Intel SHA Extensions"
// paper, 2013).
//
// Compiled with a target attribute, so consumers need no -msha; call it only when
// cpu_features() has cpu_x86_sha. sha256.hpp does the dispatch.
#ifndef NATKIT_STUN_DETAIL_SHA256_X86_HPP
#define NATKIT_STUN_DETAIL_SHA256_X86_HPP

#include <cstddef>
#include <cstdint>
#include <utility>

#include "natkit/config.hpp"
#include "natkit/stun/detail/cpu_features.hpp"

#if NATKIT_STUN_DETAIL_X86_CRYPTO
#include <immintrin.h>

#define NATKIT_STUN_DETAIL_TARGET_SHA __attribute__((target("sha,sse4.1")))

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {
namespace sha256_x86 {

// Rounds 4k..4k+3. The schedule words go in groups of four, G_k = W[4k..4k+3] with W[4k] in the
// bottom lane (the order SHA256RNDS2 takes them). FIPS 180-4 §6.2.2
// W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16] becomes
// G_k = MSG2(MSG1(G_{k-4}, G_{k-3}) + W[t-7..t-4], G_{k-1}): MSG1 forms W[t-16] + σ0(W[t-15]),
// W[t-7..t-4] are the top three lanes of G_{k-2} and the bottom one of G_{k-1} (PALIGNR), and
// MSG2 adds σ1(W[t-2]) (the top two lanes use the bottom two results). m[k & 3] holds G_k.
// SHA256RNDS2 does two rounds on the state split as ABEF and CDGH and returns the new ABEF; the
// old ABEF is the new CDGH, so the two halves swap roles between the two calls.
template <int K>
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void group(__m128i& abef, __m128i& cdgh, __m128i* m,
                                                              const std::uint32_t* k) noexcept {
    if constexpr (K >= 4) {
        const __m128i w7 = _mm_alignr_epi8(m[(K + 3) & 3], m[(K + 2) & 3], 4);
        m[K & 3] =
            _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(m[K & 3], m[(K + 1) & 3]), w7), m[(K + 3) & 3]);
    }
    __m128i wk = _mm_add_epi32(m[K & 3], _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 4 * K)));
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);  // now the new ABEF
    wk = _mm_shuffle_epi32(wk, 0x0E);              // rounds 4k+2, 4k+3 take the top two lanes
    abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
}

template <int... K>
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void groups(__m128i& abef, __m128i& cdgh, __m128i* m,
                                                               const std::uint32_t* k,
                                                               std::integer_sequence<int, K...>) noexcept {
    (group<K>(abef, cdgh, m, k), ...);
}

// One block: the state absorbs the message groups m[0..3].
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void block(__m128i& abef, __m128i& cdgh, __m128i* m,
                                                              const std::uint32_t* k) noexcept {
    const __m128i abef_in = abef;
    const __m128i cdgh_in = cdgh;
    groups(abef, cdgh, m, k, std::make_integer_sequence<int, 16>());
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
}

// Lanes listed from the top: ABEF = {A, B, E, F}, CDGH = {C, D, G, H}.
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void load_state(const std::uint32_t* h, __m128i& abef,
                                                                   __m128i& cdgh) noexcept {
    const __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
    const __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
    const __m128i cdab = _mm_shuffle_epi32(abcd, 0xB1);    // from the top: C D A B
    const __m128i efgh_r = _mm_shuffle_epi32(efgh, 0x1B);  // from the top: E F G H
    abef = _mm_alignr_epi8(cdab, efgh_r, 8);
    cdgh = _mm_blend_epi16(efgh_r, cdab, 0xF0);
}

NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void store_state(std::uint32_t* h, __m128i abef,
                                                                    __m128i cdgh) noexcept {
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);  // from the top: F E B A
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);  // from the top: D C H G
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

/// Compresses `blocks` whole 64-byte blocks from `p` into the state h[0..7] (FIPS 180-4
/// H0..H7); `k` is the 64 round constants (FIPS 180-4 §4.2.2).
NATKIT_STUN_DETAIL_TARGET_SHA inline void compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks,
                                                   const std::uint32_t* k) noexcept {
    // Byte-swaps each 32-bit lane: big-endian message words, W[4k] in the bottom lane.
    const __m128i swap = _mm_set_epi64x(0x0C0D0E0F08090A0BLL, 0x0405060700010203LL);
    __m128i abef, cdgh;
    load_state(h, abef, cdgh);
    for (; blocks != 0; --blocks, p += 64) {
        __m128i m[4];
        for (int i = 0; i < 4; ++i)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), swap);
        block(abef, cdgh, m, k);
    }
    store_state(h, abef, cdgh);
}

/// HMAC's last two compressions (RFC 2104 §2) in one go: the inner hash with state inner_h
/// absorbs its final, already padded block `last`; then the outer hash with state h absorbs the
/// padded block holding the inner digest, which starts a block and ends a message of `bits`
/// bits. The digest's big-endian bytes are the message words themselves, so they go from the
/// inner state to the outer schedule in registers. inner_h is left unchanged.
NATKIT_STUN_DETAIL_TARGET_SHA inline void compress_nested(std::uint32_t* h, const std::uint32_t* inner_h,
                                                          const std::uint8_t* last, std::uint64_t bits,
                                                          const std::uint32_t* k) noexcept {
    const __m128i swap = _mm_set_epi64x(0x0C0D0E0F08090A0BLL, 0x0405060700010203LL);
    __m128i abef, cdgh;
    load_state(inner_h, abef, cdgh);
    __m128i m[4];
    for (int i = 0; i < 4; ++i)
        m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(last + 16 * i)), swap);
    block(abef, cdgh, m, k);
    // W0..W7 = H0..H7, W0 in the bottom lane: store_state's permutation, in registers.
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    m[0] = _mm_blend_epi16(feba, dchg, 0xF0);
    m[1] = _mm_alignr_epi8(dchg, feba, 8);
    m[2] = _mm_cvtsi32_si128(static_cast<int>(0x80000000u));  // W8: the 1 bit
    // W14, W15: the length, high word first.
    m[3] = _mm_set_epi32(static_cast<int>(static_cast<std::uint32_t>(bits)),
                         static_cast<int>(static_cast<std::uint32_t>(bits >> 32)), 0, 0);
    load_state(h, abef, cdgh);
    block(abef, cdgh, m, k);
    store_state(h, abef, cdgh);
}

}  // namespace sha256_x86
}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_X86_CRYPTO
#endif  // NATKIT_STUN_DETAIL_SHA256_X86_HPP
