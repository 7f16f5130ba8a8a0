// natkit/stun/detail/sha1_x86.hpp - SHA-1 block compression with the x86 SHA extensions
// (SHA1RNDS4, SHA1NEXTE, SHA1MSG1, SHA1MSG2; Intel SDM vol. 2, and Intel's "Intel SHA
// Extensions" paper, 2013).
//
// Compiled with a target attribute, so consumers need no -msha; call it only when
// cpu_features() has cpu_x86_sha. sha1.hpp does the dispatch.
#ifndef NATKIT_STUN_DETAIL_SHA1_X86_HPP
#define NATKIT_STUN_DETAIL_SHA1_X86_HPP

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
namespace sha1_x86 {

// The 80 schedule words in groups of four, G_k = W[4k..4k+3] with W[4k] in the top lane (the
// order SHA1RNDS4 takes them). FIPS 180-4 §6.1.2 W[t] = ROTL1(W[t-3]^W[t-8]^W[t-14]^W[t-16])
// becomes G_k = MSG2(MSG1(G_{k-4}, G_{k-3}) ^ G_{k-2}, G_{k-1}): MSG1 forms W[t-16]^W[t-14],
// the XOR adds W[t-8], MSG2 adds W[t-3] and rotates (the last lane uses the first lane's result).
// m[k & 3] holds G_k; `e` holds, for k == 0, E in the top lane, and afterwards the ABCD the
// previous group started from (SHA1NEXTE turns its A into this group's E: E = ROTL30(A) four
// rounds later). The round function and constant are selected by k / 5 (rounds 0-19, 20-39, ...).
template <int K>
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void group(__m128i& abcd, __m128i& e, __m128i* m) noexcept {
    if constexpr (K >= 4) {
        m[K & 3] = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32(m[K & 3], m[(K + 1) & 3]), m[(K + 2) & 3]),
                                      m[(K + 3) & 3]);
    }
    __m128i ew;
    if constexpr (K == 0)
        ew = _mm_add_epi32(e, m[0]);
    else
        ew = _mm_sha1nexte_epu32(e, m[K & 3]);
    e = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, ew, K / 5);
}

template <int... K>
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void groups(__m128i& abcd, __m128i& e, __m128i* m,
                                                               std::integer_sequence<int, K...>) noexcept {
    (group<K>(abcd, e, m), ...);
}

// One block: the state (ABCD, and E in the top lane of e0) absorbs the message groups m[0..3].
NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void block(__m128i& abcd, __m128i& e0, __m128i* m) noexcept {
    const __m128i abcd_in = abcd;
    __m128i e = e0;
    groups(abcd, e, m, std::make_integer_sequence<int, 20>());
    abcd = _mm_add_epi32(abcd, abcd_in);
    e0 = _mm_sha1nexte_epu32(e, e0);  // E after round 79 is ROTL30 of A four rounds earlier
}

NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void load_state(const std::uint32_t* h, __m128i& abcd,
                                                                   __m128i& e0) noexcept {
    // A in the top lane, D in the bottom one.
    abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0x1B);
    e0 = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0);
}

NATKIT_STUN_DETAIL_TARGET_SHA NATKIT_ALWAYS_INLINE void store_state(std::uint32_t* h, __m128i abcd,
                                                                    __m128i e0) noexcept {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e0, 3));
}

/// Compresses `blocks` whole 64-byte blocks from `p` into the state h[0..4] (FIPS 180-4 H0..H4).
NATKIT_STUN_DETAIL_TARGET_SHA inline void compress(std::uint32_t* h, const std::uint8_t* p,
                                                   std::size_t blocks) noexcept {
    // Reverses the 16 bytes: four big-endian words, the first one in the top lane.
    const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090A0B0C0D0E0FLL);
    __m128i abcd, e0;
    load_state(h, abcd, e0);
    for (; blocks != 0; --blocks, p += 64) {
        __m128i m[4];
        for (int i = 0; i < 4; ++i)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), swap);
        block(abcd, e0, m);
    }
    store_state(h, abcd, e0);
}

/// HMAC's last two compressions (RFC 2104 §2) in one go: the inner hash with state inner_h
/// absorbs its final, already padded block `last`; then the outer hash with state h absorbs the
/// padded block holding the inner digest, which starts a block and ends a message of `bits`
/// bits. The digest's big-endian bytes are the message words themselves, so they go from the
/// inner state to the outer schedule in registers. inner_h is left unchanged.
NATKIT_STUN_DETAIL_TARGET_SHA inline void compress_nested(std::uint32_t* h, const std::uint32_t* inner_h,
                                                          const std::uint8_t* last, std::uint64_t bits) noexcept {
    const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090A0B0C0D0E0FLL);
    __m128i abcd, e0;
    load_state(inner_h, abcd, e0);
    __m128i m[4];
    for (int i = 0; i < 4; ++i)
        m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(last + 16 * i)), swap);
    block(abcd, e0, m);
    m[0] = abcd;  // W0..W3 = H0..H3, W0 on top like A
    // W4 = H4 (on top in e0, whose other lanes stay zero), W5 = the 1 bit.
    m[1] = _mm_or_si128(e0, _mm_set_epi32(0, static_cast<int>(0x80000000u), 0, 0));
    m[2] = _mm_setzero_si128();
    m[3] = _mm_set_epi64x(0, static_cast<long long>(bits));  // W14, W15: the length
    load_state(h, abcd, e0);
    block(abcd, e0, m);
    store_state(h, abcd, e0);
}

}  // namespace sha1_x86
}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_X86_CRYPTO
#endif  // NATKIT_STUN_DETAIL_SHA1_X86_HPP
