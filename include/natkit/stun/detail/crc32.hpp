// natkit/stun/detail/crc32.hpp - CRC-32/ISO-HDLC (the zlib/gzip CRC, RFC 1952 §8), as STUN
// FINGERPRINT requires (RFC 8489 §14.7: CRC-32 of the message XOR 0x5354554E).
//
// Reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF, applied inside so
// that, as with zlib, crc32(b, crc32(a)) == crc32(a || b) and crc32("123456789") == 0xCBF43926.
#ifndef NATKIT_STUN_DETAIL_CRC32_HPP
#define NATKIT_STUN_DETAIL_CRC32_HPP

#include <cstddef>
#include <cstdint>

#include "natkit/config.hpp"
#include "natkit/stun/detail/byte_order.hpp"

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

/// Table-driven CRC-32 that runs on any CPU; byte order independent (words are loaded LE).
inline std::uint32_t crc32_portable(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept {
    const auto& t = crc32_tables.t;
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t c = ~crc;
    while (n >= 8) {
        const std::uint32_t lo = load_le32(p) ^ c;
        const std::uint32_t hi = load_le32(p + 4);
        c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
            t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
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
    return ~c;
}

/// CRC-32 with zlib semantics; pass the previous result as `crc` to continue a running CRC.
inline std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept {
    return crc32_portable(data, n, crc);
}

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_CRC32_HPP
