// natkit/stun/detail/crc32.hpp - CRC-32/ISO-HDLC (the zlib/gzip CRC, RFC 1952 §8), as STUN
// FINGERPRINT requires (RFC 8489 §14.7: CRC-32 of the message XOR 0x5354554E).
//
// Reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF, applied inside so
// that, as with zlib, crc32(b, crc32(a)) == crc32(a || b) and crc32("123456789") == 0xCBF43926.
//
// crc32() uses PCLMULQDQ folding on x86-64 CPUs that have it (chosen at run time, for inputs long
// enough to gain from it), the ARMv8 CRC32 instructions when compiled for them, and the
// slicing-by-8 tables otherwise or with NATKIT_PORTABLE_CRYPTO=1.
#ifndef NATKIT_STUN_DETAIL_CRC32_HPP
#define NATKIT_STUN_DETAIL_CRC32_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/cpu_features.hpp"
#include "natkit/stun/detail/crc32_arm.hpp"
#include "natkit/stun/detail/crc32_x86.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

/// Slicing-by-8 tables: t[k][b] is the CRC register contribution of byte b followed by k zero
/// bytes, so eight input bytes are folded with eight independent lookups instead of a chain of
/// eight dependent ones.
struct crc32_table_set {
    std::uint32_t t[8][256];
};

constexpr crc32_table_set make_crc32_tables() noexcept {
    crc32_table_set s{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        s.t[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t i = 0; i < 256; ++i) {
            const std::uint32_t prev = s.t[k - 1][i];
            s.t[k][i] = (prev >> 8) ^ s.t[0][prev & 0xFFu];
        }
    }
    return s;
}

/// Built at compile time; `inline` gives one 8 KiB copy per program.
inline constexpr crc32_table_set crc32_tables = make_crc32_tables();

/// Advances the CRC register `c` (the state between the initial and the final inversion) over
/// n bytes with the tables; any CPU, byte order independent (words are loaded LE).
inline std::uint32_t crc32_table_update(std::uint32_t c, const std::uint8_t* p, std::size_t n) noexcept {
    const auto& t = crc32_tables.t;
    while (n >= 8) {
        const std::uint32_t lo = load_le32(p) ^ c;
        const std::uint32_t hi = load_le32(p + 4);
        c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^ t[3][hi & 0xFFu] ^
            t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    if (n >= 4) {  // STUN lengths are multiples of 4: one 4-byte step finishes most inputs
        const std::uint32_t x = load_le32(p) ^ c;
        c = t[3][x & 0xFFu] ^ t[2][(x >> 8) & 0xFFu] ^ t[1][(x >> 16) & 0xFFu] ^ t[0][x >> 24];
        p += 4;
        n -= 4;
    }
    for (; n != 0; --n, ++p) c = t[0][(c ^ *p) & 0xFFu] ^ (c >> 8);
    return c;
}

/// Table-driven CRC-32 that runs on any CPU.
inline std::uint32_t crc32_portable(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept {
    return ~crc32_table_update(~crc, static_cast<const std::uint8_t*>(data), n);
}

/// True when this build has a CPU-specific CRC-32 and this CPU runs it.
inline bool crc32_accelerated_available() noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    return (cpu_features() & cpu_x86_pclmul) != 0;
#elif NATKIT_STUN_DETAIL_ARM_CRC32
    return true;
#else
    return false;
#endif
}

/// CRC-32 with the CPU-specific code for every length it handles (PCLMULQDQ: all whole 16-byte
/// blocks, the tables after them); only call it when crc32_accelerated_available(). In a build
/// without one (NATKIT_PORTABLE_CRYPTO, other CPUs) it is the portable code.
inline std::uint32_t crc32_accelerated(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept {
    const auto* p = static_cast<const std::uint8_t*>(data);
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    std::uint32_t c = ~crc;
    const std::size_t blocks = n & ~std::size_t{15};
    if (blocks != 0) c = crc32_x86::update_blocks(c, p, blocks);
    return ~crc32_table_update(c, p + blocks, n - blocks);
#elif NATKIT_STUN_DETAIL_ARM_CRC32
    return ~crc32_arm::update(~crc, p, n);
#else
    return ~crc32_table_update(~crc, p, n);
#endif
}

/// Shortest input crc32() hands to PCLMULQDQ. The folding ends with a fixed reduction (four
/// dependent carry-less multiplications); from 16 to 28 bytes that costs about what the table
/// steps it replaces do, from 32 bytes on PCLMULQDQ wins (bench/bench_crypto.cpp, crc32_* rows).
inline constexpr std::size_t crc32_clmul_min_size = 32;

#if defined(__GNUC__) || defined(__clang__)
#define NATKIT_STUN_DETAIL_NOINLINE __attribute__((noinline))
#else
#define NATKIT_STUN_DETAIL_NOINLINE
#endif

/// crc32()'s work on the register (between the inversions). Kept out of line: inlined, its two
/// paths made callers such as message_builder::add_fingerprint() too big to be inlined in turn,
/// which cost a 20-byte FINGERPRINT 3x its time (bench_codec row c1).
NATKIT_STUN_DETAIL_NOINLINE inline std::uint32_t crc32_update(std::uint32_t c, const std::uint8_t* p,
                                                              std::size_t n) noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (n >= crc32_clmul_min_size && (cpu_features() & cpu_x86_pclmul) != 0) {
        const std::size_t blocks = n & ~std::size_t{15};
        c = crc32_x86::update_blocks(c, p, blocks);
        p += blocks;
        n -= blocks;
    }
#elif NATKIT_STUN_DETAIL_ARM_CRC32
    return crc32_arm::update(c, p, n);
#endif
    return crc32_table_update(c, p, n);
}

/// CRC-32 with zlib semantics; pass the previous result as `crc` to continue a running CRC.
inline std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept {
    return ~crc32_update(~crc, static_cast<const std::uint8_t*>(data), n);
}

/// Which code crc32() runs for long inputs: "pclmulqdq", "armv8-crc32" or "portable".
inline std::string_view crc32_implementation() noexcept {
#if NATKIT_STUN_DETAIL_X86_CRYPTO
    if (crc32_accelerated_available()) return "pclmulqdq";
#elif NATKIT_STUN_DETAIL_ARM_CRC32
    return "armv8-crc32";
#endif
    return "portable";
}

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_CRC32_HPP
