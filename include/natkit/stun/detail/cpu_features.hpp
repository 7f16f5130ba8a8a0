// natkit/stun/detail/cpu_features.hpp - which CPU-specific crypto code is compiled in, and
// run-time detection of the instructions it needs.
//
// natkit is header-only and must not require -m flags from its consumers, so the x86 code is
// compiled with per-function target attributes and only called after CPUID said the instructions
// exist (Intel SDM vol. 2A, CPUID: leaf 1 ECX bit 1 PCLMULQDQ, bit 19 SSE4.1; leaf 7 sub-leaf 0
// EBX bit 29 SHA). SHA-NI and PCLMULQDQ only use XMM registers, whose state every x86-64 OS
// saves, so no XGETBV check is needed (unlike AVX).
//
// AArch64: the ARMv8 SHA-1/SHA-256 and CRC32 instructions are used when the compiler is told the
// target has them (__ARM_FEATURE_SHA2, __ARM_FEATURE_CRC32, e.g. -march=armv8-a+crypto+crc, the
// default on Apple silicon), on little-endian AArch64. There is no run-time detection on ARM: Clang before 16 declares
// the intrinsics only when the feature macros are defined, so target attributes cannot enable them.
//
// NATKIT_PORTABLE_CRYPTO=1 (natkit/config.hpp) compiles none of this: only the portable code.
#ifndef NATKIT_STUN_DETAIL_CPU_FEATURES_HPP
#define NATKIT_STUN_DETAIL_CPU_FEATURES_HPP

#include <atomic>
#include <cstdint>

#include "natkit/config.hpp"

#if !NATKIT_PORTABLE_CRYPTO && defined(__x86_64__) && (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 5))
/// 1 when the SHA-NI and PCLMULQDQ code paths are compiled (chosen at run time).
#define NATKIT_STUN_DETAIL_X86_CRYPTO 1
#include <cpuid.h>
#else
#define NATKIT_STUN_DETAIL_X86_CRYPTO 0
#endif

#if !NATKIT_PORTABLE_CRYPTO && defined(__aarch64__) && !defined(__ARM_BIG_ENDIAN) && defined(__ARM_FEATURE_SHA2) && \
    (defined(__GNUC__) || defined(__clang__))
/// 1 when the ARMv8 SHA-1/SHA-256 instructions are used (decided at compile time).
#define NATKIT_STUN_DETAIL_ARM_SHA 1
#else
#define NATKIT_STUN_DETAIL_ARM_SHA 0
#endif

#if !NATKIT_PORTABLE_CRYPTO && defined(__aarch64__) && !defined(__ARM_BIG_ENDIAN) && defined(__ARM_FEATURE_CRC32) && \
    (defined(__GNUC__) || defined(__clang__))
/// 1 when the ARMv8 CRC32 instructions are used (decided at compile time).
#define NATKIT_STUN_DETAIL_ARM_CRC32 1
#else
#define NATKIT_STUN_DETAIL_ARM_CRC32 0
#endif

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

/// Selects the compression function of a hash type: `dispatch` (the default) picks the fastest
/// one this CPU runs, the other two are fixed (tests and benchmarks compare them).
enum class crypto_impl { dispatch, portable, accelerated };

/// Bits of cpu_features().
enum : std::uint32_t {
    cpu_detected = 1u << 0,    ///< set once detection ran (so the cache is never 0 afterwards)
    cpu_x86_sha = 1u << 1,     ///< SHA-NI and SSE4.1 (the SHA code also uses PSHUFB, PBLENDW)
    cpu_x86_pclmul = 1u << 2,  ///< PCLMULQDQ and SSE4.1
};

#if NATKIT_STUN_DETAIL_X86_CRYPTO
inline std::uint32_t detect_cpu_features() noexcept {
    std::uint32_t f = cpu_detected;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool sse41 = (c & (1u << 19)) != 0;
    const bool pclmul = (c & (1u << 1)) != 0;
    if (sse41 && pclmul) f |= cpu_x86_pclmul;
    if (sse41 && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) != 0) f |= cpu_x86_sha;
    return f;
}
#else
inline std::uint32_t detect_cpu_features() noexcept { return cpu_detected; }
#endif

/// Detection result, 0 until the first call of cpu_features(). Constant-initialised, so it is
/// usable from static initialisers in any translation unit; threads racing on the first call
/// each store the same value.
inline std::atomic<std::uint32_t> cpu_feature_cache{0};

/// The cpu_* bits of this CPU; runs CPUID on the first call only (afterwards one relaxed load).
inline std::uint32_t cpu_features() noexcept {
    std::uint32_t f = cpu_feature_cache.load(std::memory_order_relaxed);
    if (NATKIT_UNLIKELY(f == 0)) {
        f = detect_cpu_features();
        cpu_feature_cache.store(f, std::memory_order_relaxed);
    }
    return f;
}

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_CPU_FEATURES_HPP
