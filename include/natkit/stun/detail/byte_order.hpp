// natkit/stun/detail/byte_order.hpp - unaligned big/little-endian loads and stores.
//
// STUN is big-endian on the wire (RFC 8489 §5) as are SHA-1/SHA-256 words (FIPS 180-4 §3.1);
// MD5 is little-endian (RFC 1321 §2). The memcpy + byte-swap form compiles to a single
// (possibly unaligned) load/store and a bswap/movbe on GCC and Clang; the shift form is the
// fallback for compilers or byte orders this header does not recognise.
#ifndef NATKIT_STUN_DETAIL_BYTE_ORDER_HPP
#define NATKIT_STUN_DETAIL_BYTE_ORDER_HPP

#include <cstdint>
#include <cstring>

#include "natkit/config.hpp"

// Defining both macros to 0 beforehand forces the shift fallback, e.g. to test it on x86.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(NATKIT_STUN_DETAIL_NATIVE_LE) && \
    !defined(NATKIT_STUN_DETAIL_NATIVE_BE)
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATKIT_STUN_DETAIL_NATIVE_LE 1
#elif defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NATKIT_STUN_DETAIL_NATIVE_BE 1
#endif
#endif
#ifndef NATKIT_STUN_DETAIL_NATIVE_LE
#define NATKIT_STUN_DETAIL_NATIVE_LE 0
#endif
#ifndef NATKIT_STUN_DETAIL_NATIVE_BE
#define NATKIT_STUN_DETAIL_NATIVE_BE 0
#endif

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
#if NATKIT_STUN_DETAIL_NATIVE_LE
    v = __builtin_bswap16(v);
#endif
    return v;
#else
    return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
#endif
}

inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
#if NATKIT_STUN_DETAIL_NATIVE_LE
    v = __builtin_bswap32(v);
#endif
    return v;
#else
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
#endif
}

inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
#if NATKIT_STUN_DETAIL_NATIVE_LE
    v = __builtin_bswap64(v);
#endif
    return v;
#else
    return (static_cast<std::uint64_t>(load_be32(p)) << 32) | load_be32(p + 4);
#endif
}

inline void store_be16(std::uint8_t* p, std::uint16_t v) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
#if NATKIT_STUN_DETAIL_NATIVE_LE
    v = __builtin_bswap16(v);
#endif
    std::memcpy(p, &v, sizeof v);
#else
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
#endif
}

inline void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
#if NATKIT_STUN_DETAIL_NATIVE_LE
    v = __builtin_bswap32(v);
#endif
    std::memcpy(p, &v, sizeof v);
#else
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
#endif
}

inline void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
#if NATKIT_STUN_DETAIL_NATIVE_LE
    v = __builtin_bswap64(v);
#endif
    std::memcpy(p, &v, sizeof v);
#else
    store_be32(p, static_cast<std::uint32_t>(v >> 32));
    store_be32(p + 4, static_cast<std::uint32_t>(v));
#endif
}

inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
#if NATKIT_STUN_DETAIL_NATIVE_BE
    v = __builtin_bswap32(v);
#endif
    return v;
#else
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
#endif
}

inline void store_le32(std::uint8_t* p, std::uint32_t v) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
#if NATKIT_STUN_DETAIL_NATIVE_BE
    v = __builtin_bswap32(v);
#endif
    std::memcpy(p, &v, sizeof v);
#else
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
    p[2] = static_cast<std::uint8_t>(v >> 16);
    p[3] = static_cast<std::uint8_t>(v >> 24);
#endif
}

inline void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
#if NATKIT_STUN_DETAIL_NATIVE_LE || NATKIT_STUN_DETAIL_NATIVE_BE
#if NATKIT_STUN_DETAIL_NATIVE_BE
    v = __builtin_bswap64(v);
#endif
    std::memcpy(p, &v, sizeof v);
#else
    store_le32(p, static_cast<std::uint32_t>(v));
    store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
#endif
}

/// Rotate left; n must be in 1..31 (all callers pass constants).
constexpr std::uint32_t rotl32(std::uint32_t x, unsigned n) noexcept { return (x << n) | (x >> (32u - n)); }
/// Rotate right; n must be in 1..31.
constexpr std::uint32_t rotr32(std::uint32_t x, unsigned n) noexcept { return (x >> n) | (x << (32u - n)); }

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_BYTE_ORDER_HPP
