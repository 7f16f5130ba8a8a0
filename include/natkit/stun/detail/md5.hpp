// natkit/stun/detail/md5.hpp - MD5 (RFC 1321), only for the STUN long-term credential key
// MD5(username ":" realm ":" password) (RFC 8489 §9.2.2, RFC 5389 §15.4). MD5 is broken for
// collision resistance; that use is what the standard prescribes, nothing else should use it.
//
// Same shape as sha1 (detail/block_hash.hpp): trivially copyable.
#ifndef NATKIT_STUN_DETAIL_MD5_HPP
#define NATKIT_STUN_DETAIL_MD5_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "natkit/config.hpp"
#include "natkit/stun/detail/block_hash.hpp"
#include "natkit/stun/detail/byte_order.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

/// MD5 (RFC 1321): the bit length and the digest words are little-endian (§3.2, §3.5).
class md5 : public block_hash<md5, 4, false> {
    friend block_hash<md5, 4, false>;

public:
    md5() noexcept { reset(); }

    void reset() noexcept {
        // RFC 1321 §3.3
        h_[0] = 0x67452301u;
        h_[1] = 0xEFCDAB89u;
        h_[2] = 0x98BADCFEu;
        h_[3] = 0x10325476u;
        total_ = 0;
    }

private:
    // RFC 1321 §3.4: T[i] = floor(2^32 * abs(sin(i))), i = 1..64.
    static constexpr std::uint32_t t_[64] = {
        0xD76AA478u, 0xE8C7B756u, 0x242070DBu, 0xC1BDCEEEu, 0xF57C0FAFu, 0x4787C62Au, 0xA8304613u, 0xFD469501u,
        0x698098D8u, 0x8B44F7AFu, 0xFFFF5BB1u, 0x895CD7BEu, 0x6B901122u, 0xFD987193u, 0xA679438Eu, 0x49B40821u,
        0xF61E2562u, 0xC040B340u, 0x265E5A51u, 0xE9B6C7AAu, 0xD62F105Du, 0x02441453u, 0xD8A1E681u, 0xE7D3FBC8u,
        0x21E1CDE6u, 0xC33707D6u, 0xF4D50D87u, 0x455A14EDu, 0xA9E3E905u, 0xFCEFA3F8u, 0x676F02D9u, 0x8D2A4C8Au,
        0xFFFA3942u, 0x8771F681u, 0x6D9D6122u, 0xFDE5380Cu, 0xA4BEEA44u, 0x4BDECFA9u, 0xF6BB4B60u, 0xBEBFBC70u,
        0x289B7EC6u, 0xEAA127FAu, 0xD4EF3085u, 0x04881D05u, 0xD9D4D039u, 0xE6DB99E5u, 0x1FA27CF8u, 0xC4AC5665u,
        0xF4292244u, 0x432AFF97u, 0xAB9423A7u, 0xFC93A039u, 0x655B59C3u, 0x8F0CCC92u, 0xFFEFF47Du, 0x85845DD1u,
        0x6FA87E4Fu, 0xFE2CE6E0u, 0xA3014314u, 0x4E0811A1u, 0xF7537E82u, 0xBD3AF235u, 0x2AD7D2BBu, 0xEB86D391u,
    };

    // One operation of RFC 1321 §3.4, a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s); the caller
    // renames arguments instead of rotating a..d. F and G are written in their xor forms.
    template <int Round>
    static NATKIT_ALWAYS_INLINE void step(std::uint32_t& a, std::uint32_t b, std::uint32_t c, std::uint32_t d,
                                          std::uint32_t xt, unsigned s) noexcept {
        std::uint32_t f;
        if constexpr (Round == 0) {
            f = d ^ (b & (c ^ d));
        } else if constexpr (Round == 1) {
            f = c ^ (d & (b ^ c));
        } else if constexpr (Round == 2) {
            f = b ^ c ^ d;
        } else {
            f = c ^ (b | ~d);
        }
        a = b + rotl32(a + f + xt, s);
    }

    /// Compresses `blocks` whole 64-byte blocks from `p` into `h`.
    static void compress(std::uint32_t* h, const std::uint8_t* p, std::size_t blocks) noexcept {
        std::uint32_t x[16];
        for (; blocks != 0; --blocks, p += block_size) {
            for (std::size_t i = 0; i < 16; ++i) x[i] = load_le32(p + 4 * i);
            std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
            // The message word order of each round is k = i, 5i+1, 3i+5, 7i (mod 16).
            for (std::size_t i = 0; i < 16; i += 4) {
                step<0>(a, b, c, d, x[i] + t_[i], 7);
                step<0>(d, a, b, c, x[i + 1] + t_[i + 1], 12);
                step<0>(c, d, a, b, x[i + 2] + t_[i + 2], 17);
                step<0>(b, c, d, a, x[i + 3] + t_[i + 3], 22);
            }
            for (std::size_t i = 0; i < 16; i += 4) {
                step<1>(a, b, c, d, x[(5 * i + 1) & 15] + t_[16 + i], 5);
                step<1>(d, a, b, c, x[(5 * i + 6) & 15] + t_[17 + i], 9);
                step<1>(c, d, a, b, x[(5 * i + 11) & 15] + t_[18 + i], 14);
                step<1>(b, c, d, a, x[(5 * i + 16) & 15] + t_[19 + i], 20);
            }
            for (std::size_t i = 0; i < 16; i += 4) {
                step<2>(a, b, c, d, x[(3 * i + 5) & 15] + t_[32 + i], 4);
                step<2>(d, a, b, c, x[(3 * i + 8) & 15] + t_[33 + i], 11);
                step<2>(c, d, a, b, x[(3 * i + 11) & 15] + t_[34 + i], 16);
                step<2>(b, c, d, a, x[(3 * i + 14) & 15] + t_[35 + i], 23);
            }
            for (std::size_t i = 0; i < 16; i += 4) {
                step<3>(a, b, c, d, x[(7 * i) & 15] + t_[48 + i], 6);
                step<3>(d, a, b, c, x[(7 * i + 7) & 15] + t_[49 + i], 10);
                step<3>(c, d, a, b, x[(7 * i + 14) & 15] + t_[50 + i], 15);
                step<3>(b, c, d, a, x[(7 * i + 21) & 15] + t_[51 + i], 21);
            }
            h[0] += a;
            h[1] += b;
            h[2] += c;
            h[3] += d;
        }
    }

};

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_MD5_HPP
