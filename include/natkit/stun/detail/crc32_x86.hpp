// natkit/stun/detail/crc32_x86.hpp - CRC-32/ISO-HDLC with carry-less multiplication
// (PCLMULQDQ), after Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
// Instruction" (Gopal et al., 2009): fold 512 bits at a time in four lanes, then 128 bits at a
// time, then reduce 128 bits to the 32-bit remainder with two folds and a Barrett reduction.
//
// Compiled with a target attribute, so consumers need no -mpclmul; call it only when
// cpu_features() has cpu_x86_pclmul. crc32.hpp does the dispatch and the bytes after the last
// whole 16-byte block.
//
// Bit order. The CRC is reflected: the first message bit is bit 0 of byte 0 and is the
// highest-degree coefficient. A 16-byte block loaded into an XMM register (little endian) thus
// holds a polynomial of degree < 128 with x^(127-i) at bit i, and a 64-bit lane holds one of
// degree < 64 with x^(63-i) at bit i ("reflected"). PCLMULQDQ of two reflected 64-bit lanes A
// and B gives the 128-bit reflected form of A*B*x (the product has degree <= 126 and lands one
// bit low), which is why the constants below carry one power of x less than the shift they
// stand for.
#ifndef NATKIT_STUN_DETAIL_CRC32_X86_HPP
#define NATKIT_STUN_DETAIL_CRC32_X86_HPP

#include <cstddef>
#include <cstdint>

#include "natkit/config.hpp"
#include "natkit/stun/detail/cpu_features.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {
namespace crc32_clmul_constants {

/// The CRC-32 generator polynomial P (ISO 3309, RFC 1952), bit d = coefficient of x^d.
inline constexpr std::uint64_t poly = 0x104C11DB7u;

/// x^n mod P (bit d = coefficient of x^d).
constexpr std::uint64_t xpow_mod(unsigned n) noexcept {
    std::uint64_t r = 1;
    for (unsigned i = 0; i < n; ++i) {
        r <<= 1;
        if (r >> 32) r ^= poly;
    }
    return r;
}

/// floor(x^64 / P), the Barrett constant (degree 32).
constexpr std::uint64_t barrett_mu() noexcept {
    // Long division of x^64, one dividend bit at a time; r holds the 33-bit window.
    std::uint64_t r = 0, q = 0;
    for (int i = 64; i >= 0; --i) {
        r = (r << 1) | (i == 64 ? 1u : 0u);
        if (r >> 32) {
            r ^= poly;
            q |= std::uint64_t{1} << i;
        }
    }
    return q;
}

/// The reflected 64-bit lane of a polynomial of degree < 64 (x^d at bit 63 - d).
constexpr std::uint64_t reflect(std::uint64_t p) noexcept {
    std::uint64_t r = 0;
    for (unsigned d = 0; d < 64; ++d)
        if ((p >> d) & 1u) r |= std::uint64_t{1} << (63 - d);
    return r;
}

// Folding a 128-bit value X = H*x^64 + L (H in the low lane, L in the high lane) across D more
// bits: X*x^D = H*x^(64+D) + L*x^D, so H is multiplied by x^(63+D) mod P and L by x^(D-1) mod P
// (one power less for PCLMULQDQ's extra x); the sum has degree < 96 and is congruent mod P.
struct fold_constant {
    std::uint64_t lo;  ///< for the low lane (H)
    std::uint64_t hi;  ///< for the high lane (L)
};
constexpr fold_constant fold_by(unsigned bits) noexcept {
    return {reflect(xpow_mod(63 + bits)), reflect(xpow_mod(bits - 1))};
}

inline constexpr fold_constant fold_512 = fold_by(512);
inline constexpr fold_constant fold_384 = fold_by(384);
inline constexpr fold_constant fold_256 = fold_by(256);
inline constexpr fold_constant fold_128 = fold_by(128);
/// Final reduction: lo multiplies the low lane by x^95 (128 -> 96 bits), hi the top 32 of the
/// 96 bits by x^63 (96 -> 64 bits); see update_blocks().
inline constexpr fold_constant reduce_128 = {reflect(xpow_mod(95)), reflect(xpow_mod(63))};
/// Barrett: lo = mu, hi = P without its x^32 term (only the low 32 bits of q*P are needed).
inline constexpr fold_constant barrett = {reflect(barrett_mu()), reflect(poly & 0xFFFFFFFFu)};

}  // namespace crc32_clmul_constants
}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#if NATKIT_STUN_DETAIL_X86_CRYPTO
#include <immintrin.h>

#define NATKIT_STUN_DETAIL_TARGET_CLMUL __attribute__((target("pclmul,sse4.1")))

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {
namespace crc32_x86 {

NATKIT_STUN_DETAIL_TARGET_CLMUL NATKIT_ALWAYS_INLINE __m128i constant(crc32_clmul_constants::fold_constant k) noexcept {
    return _mm_set_epi64x(static_cast<long long>(k.hi), static_cast<long long>(k.lo));
}

NATKIT_STUN_DETAIL_TARGET_CLMUL NATKIT_ALWAYS_INLINE __m128i fold(__m128i x, __m128i k) noexcept {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

NATKIT_STUN_DETAIL_TARGET_CLMUL NATKIT_ALWAYS_INLINE __m128i load(const std::uint8_t* p) noexcept {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

/// Advances the CRC register `c` (the state before the final inversion, as in the table code)
/// over n bytes at p; n must be a multiple of 16 and at least 16.
NATKIT_STUN_DETAIL_TARGET_CLMUL inline std::uint32_t update_blocks(std::uint32_t c, const std::uint8_t* p,
                                                                   std::size_t n) noexcept {
    namespace k = crc32_clmul_constants;
    // The register's effect equals XORing it into the first 32 message bits.
    const __m128i c0 = _mm_cvtsi32_si128(static_cast<int>(c));
    __m128i x;
    if (n >= 64) {
        __m128i x0 = _mm_xor_si128(load(p), c0);
        __m128i x1 = load(p + 16);
        __m128i x2 = load(p + 32);
        __m128i x3 = load(p + 48);
        p += 64;
        n -= 64;
        const __m128i k512 = constant(k::fold_512);
        while (n >= 64) {  // four independent lanes hide PCLMULQDQ's latency
            x0 = _mm_xor_si128(fold(x0, k512), load(p));
            x1 = _mm_xor_si128(fold(x1, k512), load(p + 16));
            x2 = _mm_xor_si128(fold(x2, k512), load(p + 32));
            x3 = _mm_xor_si128(fold(x3, k512), load(p + 48));
            p += 64;
            n -= 64;
        }
        x = _mm_xor_si128(_mm_xor_si128(fold(x0, constant(k::fold_384)), fold(x1, constant(k::fold_256))),
                          _mm_xor_si128(fold(x2, constant(k::fold_128)), x3));
    } else {
        x = _mm_xor_si128(load(p), c0);
        p += 16;
        n -= 16;
    }
    const __m128i k128 = constant(k::fold_128);
    for (; n != 0; n -= 16, p += 16) x = _mm_xor_si128(fold(x, k128), load(p));

    // The register is X*x^32 mod P. X*x^32 = H*x^96 + L*x^32: H times x^95 (lane arithmetic
    // above) plus L moved 32 bits lower (the shift also moves half of H into bits 0..31, which
    // the blend clears) gives Y of degree < 96 (bits 32..127).
    const __m128i kr = constant(k::reduce_128);
    const __m128i l32 = _mm_blend_epi16(_mm_srli_si128(x, 4), _mm_setzero_si128(), 0x03);
    const __m128i y = _mm_xor_si128(_mm_clmulepi64_si128(x, kr, 0x00), l32);
    // Y = Yh*x^64 + Yl with Yh (degree < 32) in bits 32..63: Yh times x^63 lands in the high
    // lane, degree < 64; Z = that + Yl.
    const __m128i zv = _mm_xor_si128(_mm_clmulepi64_si128(y, kr, 0x10), y);
    const auto z = static_cast<std::uint64_t>(_mm_extract_epi64(zv, 1));
    // Barrett (Z = Zh*x^32 + Zl, degree < 64): q = floor(Zh*mu / x^32), Z mod P = Zl + (q*P mod
    // x^32). Zh sits in z's low 32 bits; moved up one bit it stands for Zh*x^31, so the product
    // with mu stands for Zh*mu*x^32 and q comes out alone in the low lane's bits 32..63,
    // reflected, ready for the next multiplication.
    const __m128i kb = constant(k::barrett);
    const __m128i zh = _mm_cvtsi64_si128(static_cast<long long>((z & 0xFFFFFFFFu) << 1));
    const __m128i q = _mm_clmulepi64_si128(zh, kb, 0x00);
    // q*P0*x: its x^0..x^31 coefficients are bits 95..126, i.e. bits 31..62 of the high lane.
    const __m128i qp = _mm_clmulepi64_si128(q, kb, 0x10);
    const auto qp_hi = static_cast<std::uint64_t>(_mm_extract_epi64(qp, 1));
    return static_cast<std::uint32_t>(z >> 32) ^ static_cast<std::uint32_t>(qp_hi >> 31);
}

}  // namespace crc32_x86
}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_X86_CRYPTO
#endif  // NATKIT_STUN_DETAIL_CRC32_X86_HPP
