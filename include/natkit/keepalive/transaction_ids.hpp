// natkit/keepalive/transaction_ids.hpp - transaction ids for keepalives that look uniformly
// random (RFC 8489 §5) yet name their binding, and the 28-byte keepalive message itself.
//
// RFC 8489 §5: the transaction id "MUST be uniformly and randomly chosen from the interval
// 0 .. 2**96-1, and MUST be cryptographically random". A scheduler with a million bindings must
// also find the binding an answer belongs to in O(1), without a table of ids in flight (which
// would cost memory per binding). So each id is a keyed, invertible encoding of (binding index,
// per-binding message counter), built like a two-round unbalanced Feistel network / SIV:
//
//     T    = SipHash-2-4(k1, index << 32 | counter)         64 bits, the authenticator
//     tid  = T || (index XOR low32(SipHash-2-4(k2, T)))     96 bits
//
// (index, counter) never repeats under one key, so T is a PRF output on distinct inputs
// (uniform, unpredictable without k1), and the last 32 bits are the index masked by a PRF of T
// (uniform too). An answer's id gives back the index (one SipHash of T), and T is checked
// against the binding's current counter (one more): an off-path attacker must guess 64 bits.
// The PRF is AES-128 (FIPS 197) with the AES-NI instructions when the CPU has them (two
// blocks, about 5 ns), otherwise SipHash-2-4 (Aumasson & Bernstein, 2012; about 20 ns for the
// two calls). Both are PRFs with a 128-bit key; an object picks one when it is constructed and
// keeps it, so the ids it decodes are the ones it made.
//
// The keys come from the OS's random source (getrandom/arc4random) unless the caller gives a
// seed (tests, reproducible runs), which then is the only secret: 64 bits.
#ifndef NATKIT_KEEPALIVE_TRANSACTION_IDS_HPP
#define NATKIT_KEEPALIVE_TRANSACTION_IDS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>

#if defined(__linux__)
#include <sys/random.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h>
#endif

#include "natkit/config.hpp"

#if !NATKIT_PORTABLE_CRYPTO && defined(__x86_64__) && (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 5))
/// 1 when the AES-NI code path for keepalive transaction ids is compiled (chosen at run time).
#define NATKIT_KEEPALIVE_X86_AES 1
#include <cpuid.h>
#include <immintrin.h>
#define NATKIT_KEEPALIVE_TARGET_AES __attribute__((target("aes,sse4.1")))
#else
#define NATKIT_KEEPALIVE_X86_AES 0
#endif

#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/crc32.hpp"
#include "natkit/stun/header.hpp"

NATKIT_BEGIN_NAMESPACE
namespace keepalive {
namespace detail {

inline constexpr std::uint64_t rotl64(std::uint64_t x, int b) noexcept { return (x << b) | (x >> (64 - b)); }

struct sip_state {
    std::uint64_t v0, v1, v2, v3;
};
/// One SipRound (forced inline: compilers otherwise keep it a call, which costs as much again).
NATKIT_ALWAYS_INLINE constexpr void sip_round(sip_state& s) noexcept {
    s.v0 += s.v1; s.v1 = rotl64(s.v1, 13); s.v1 ^= s.v0; s.v0 = rotl64(s.v0, 32);
    s.v2 += s.v3; s.v3 = rotl64(s.v3, 16); s.v3 ^= s.v2;
    s.v0 += s.v3; s.v3 = rotl64(s.v3, 21); s.v3 ^= s.v0;
    s.v2 += s.v1; s.v1 = rotl64(s.v1, 17); s.v1 ^= s.v2; s.v2 = rotl64(s.v2, 32);
}

/// SipHash-2-4 of one 8-byte message word `m` (read little-endian, as the reference reads the
/// bytes) under the key (k0, k1).
NATKIT_ALWAYS_INLINE constexpr std::uint64_t siphash24_u64(std::uint64_t k0, std::uint64_t k1, std::uint64_t m) noexcept {
    sip_state s{k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
                k1 ^ 0x7465646279746573ull};
    s.v3 ^= m;
    sip_round(s);
    sip_round(s);
    s.v0 ^= m;
    const std::uint64_t last = std::uint64_t{8} << 56;  // no bytes left, message length 8
    s.v3 ^= last;
    sip_round(s);
    sip_round(s);
    s.v0 ^= last;
    s.v2 ^= 0xff;
    sip_round(s);
    sip_round(s);
    sip_round(s);
    sip_round(s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

#if NATKIT_KEEPALIVE_X86_AES
/// AES-128 with AES-NI: key expansion (FIPS 197 §5.2) and the encryption of one block.
namespace aes_ni {
template <int Rcon>
NATKIT_KEEPALIVE_TARGET_AES inline __m128i expand(__m128i key) noexcept {
    __m128i gen = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(key, Rcon), 0xFF);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, gen);
}
NATKIT_KEEPALIVE_TARGET_AES inline void key_schedule(const std::uint8_t* key16, std::uint8_t* out176) noexcept {
    __m128i k[11];
    k[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key16));
    k[1] = expand<0x01>(k[0]);
    k[2] = expand<0x02>(k[1]);
    k[3] = expand<0x04>(k[2]);
    k[4] = expand<0x08>(k[3]);
    k[5] = expand<0x10>(k[4]);
    k[6] = expand<0x20>(k[5]);
    k[7] = expand<0x40>(k[6]);
    k[8] = expand<0x80>(k[7]);
    k[9] = expand<0x1B>(k[8]);
    k[10] = expand<0x36>(k[9]);
    for (int i = 0; i < 11; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(out176 + 16 * i), k[i]);
}
NATKIT_KEEPALIVE_TARGET_AES NATKIT_ALWAYS_INLINE __m128i encrypt(const std::uint8_t* rk, __m128i x) noexcept {
    x = _mm_xor_si128(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rk)));
    for (int i = 1; i < 10; ++i) x = _mm_aesenc_si128(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rk + 16 * i)));
    return _mm_aesenclast_si128(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rk + 160)));
}
/// One block, for tests against FIPS 197 appendix C.1.
NATKIT_KEEPALIVE_TARGET_AES inline void encrypt_block(const std::uint8_t* rk, const std::uint8_t* in, std::uint8_t* out) noexcept {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), encrypt(rk, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in))));
}
// The PRF inputs: one block per use, told apart by the domain in the top 64 bits.
NATKIT_KEEPALIVE_TARGET_AES NATKIT_ALWAYS_INLINE std::uint64_t authenticator(const std::uint8_t* rk, std::uint32_t index,
                                                                            std::uint32_t counter) noexcept {
    const __m128i in = _mm_set_epi64x(1, static_cast<long long>(std::uint64_t{index} << 32 | counter));
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(encrypt(rk, in)));
}
NATKIT_KEEPALIVE_TARGET_AES NATKIT_ALWAYS_INLINE std::uint32_t mask(const std::uint8_t* rk, std::uint64_t t) noexcept {
    const __m128i in = _mm_set_epi64x(2, static_cast<long long>(t));
    return static_cast<std::uint32_t>(_mm_cvtsi128_si32(encrypt(rk, in)));
}
NATKIT_KEEPALIVE_TARGET_AES inline void make(const std::uint8_t* rk, std::uint32_t index, std::uint32_t counter,
                                             std::uint8_t* out12) noexcept {
    const std::uint64_t t = authenticator(rk, index, counter);
    stun::detail::store_be64(out12, t);
    stun::detail::store_be32(out12 + 8, index ^ mask(rk, t));
}
/// Two blocks through AES-128 side by side (their latencies overlap).
NATKIT_KEEPALIVE_TARGET_AES NATKIT_ALWAYS_INLINE void encrypt2(const __m128i* k, __m128i& a, __m128i& b) noexcept {
    a = _mm_xor_si128(a, k[0]);
    b = _mm_xor_si128(b, k[0]);
    for (int r = 1; r < 10; ++r) {
        a = _mm_aesenc_si128(a, k[r]);
        b = _mm_aesenc_si128(b, k[r]);
    }
    a = _mm_aesenclast_si128(a, k[10]);
    b = _mm_aesenclast_si128(b, k[10]);
}
/// Ids for inputs[i] = index << 32 | counter, i < n: the round keys stay in registers and two
/// ids are in flight at once, so the AES latency overlaps.
NATKIT_KEEPALIVE_TARGET_AES inline void make_batch(const std::uint8_t* rk, const std::uint64_t* inputs, std::size_t n,
                                                   stun::transaction_id* out) noexcept {
    __m128i k[11];
    for (int i = 0; i < 11; ++i) k[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rk + 16 * i));
    std::size_t i = 0;
    for (; i < n; i += 2) {
        const std::size_t j = i + 1 < n ? i + 1 : i;  // an odd tail computes its last id twice
        __m128i a = _mm_set_epi64x(1, static_cast<long long>(inputs[i]));
        __m128i b = _mm_set_epi64x(1, static_cast<long long>(inputs[j]));
        encrypt2(k, a, b);
        const auto ta = static_cast<std::uint64_t>(_mm_cvtsi128_si64(a));
        const auto tb = static_cast<std::uint64_t>(_mm_cvtsi128_si64(b));
        a = _mm_set_epi64x(2, static_cast<long long>(ta));
        b = _mm_set_epi64x(2, static_cast<long long>(tb));
        encrypt2(k, a, b);
        stun::detail::store_be64(out[i].bytes.data(), ta);
        stun::detail::store_be32(out[i].bytes.data() + 8,
                                 static_cast<std::uint32_t>(inputs[i] >> 32) ^ static_cast<std::uint32_t>(_mm_cvtsi128_si32(a)));
        stun::detail::store_be64(out[j].bytes.data(), tb);
        stun::detail::store_be32(out[j].bytes.data() + 8,
                                 static_cast<std::uint32_t>(inputs[j] >> 32) ^ static_cast<std::uint32_t>(_mm_cvtsi128_si32(b)));
    }
}
NATKIT_KEEPALIVE_TARGET_AES inline std::uint32_t index_of(const std::uint8_t* rk, const std::uint8_t* tid12) noexcept {
    return stun::detail::load_be32(tid12 + 8) ^ mask(rk, stun::detail::load_be64(tid12));
}
NATKIT_KEEPALIVE_TARGET_AES inline bool matches(const std::uint8_t* rk, const std::uint8_t* tid12, std::uint32_t index,
                                                std::uint32_t counter) noexcept {
    return stun::detail::load_be64(tid12) == authenticator(rk, index, counter);
}
inline bool available() noexcept {
    unsigned a = 0, b = 0, c = 0, d = 0;
    // CPUID leaf 1, ECX bit 25: AES; bit 19: SSE4.1 (Intel SDM vol. 2A).
    return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 25)) != 0 && (c & (1u << 19)) != 0;
}
}  // namespace aes_ni
#endif

/// 16 bytes from the OS's random source; false if it failed (then the caller falls back).
inline bool os_random(std::uint8_t* out, std::size_t n) noexcept {
#if defined(__linux__)
    std::size_t got = 0;
    while (got < n) {
        const auto r = ::getrandom(out + got, n - got, 0);
        if (r <= 0) return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    ::arc4random_buf(out, n);
    return true;
#else
    (void)out;
    (void)n;
    return false;
#endif
}

/// Which PRF transaction_ids uses: `automatic` picks AES-NI when the CPU has it.
enum class id_prf : std::uint8_t { automatic, siphash, aes_ni };

/// Encodes and decodes keepalive transaction ids (see the top of this file).
class transaction_ids {
public:
    /// seed 0: keys from the OS's random source; otherwise keys derived from the seed alone.
    explicit transaction_ids(std::uint64_t seed = 0, id_prf prf = id_prf::automatic) noexcept {
        std::array<std::uint8_t, 32> k{};
        if (seed != 0 || !os_random(k.data(), k.size())) {
            if (seed == 0) {  // no OS source: std::random_device is the best that is left
                std::random_device rd;
                seed = (std::uint64_t{rd()} << 32) ^ rd();
            }
            std::uint64_t z = seed;
            for (std::size_t i = 0; i < 4; ++i) {  // SplitMix64 expands the seed into four words
                z += 0x9E3779B97F4A7C15ull;
                std::uint64_t x = z;
                x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
                x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
                x ^= x >> 31;
                std::memcpy(k.data() + 8 * i, &x, 8);
            }
        }
        std::memcpy(k_.data(), k.data(), 32);
#if NATKIT_KEEPALIVE_X86_AES
        aes_ = prf == id_prf::aes_ni || (prf == id_prf::automatic && aes_ni::available());
        if (aes_) aes_ni::key_schedule(k.data(), rk_.data());  // the AES key: the first 16 bytes
#else
        (void)prf;
#endif
    }

    /// The PRF in use.
    id_prf prf() const noexcept { return aes_ ? id_prf::aes_ni : id_prf::siphash; }

    /// The id of message `counter` of binding `index`.
    stun::transaction_id make(std::uint32_t index, std::uint32_t counter) const noexcept {
#if NATKIT_KEEPALIVE_X86_AES
        if (aes_) {
            stun::transaction_id id;
            aes_ni::make(rk_.data(), index, counter, id.bytes.data());
            return id;
        }
#endif
        const std::uint64_t t = siphash24_u64(k_[0], k_[1], std::uint64_t{index} << 32 | counter);
        stun::transaction_id id;
        stun::detail::store_be64(id.bytes.data(), t);
        stun::detail::store_be32(id.bytes.data() + 8, index ^ static_cast<std::uint32_t>(siphash24_u64(k_[2], k_[3], t)));
        return id;
    }
    /// make() for n messages at once: inputs[i] = index << 32 | counter. Faster than n calls.
    void make_batch(const std::uint64_t* inputs, std::size_t n, stun::transaction_id* out) const noexcept {
#if NATKIT_KEEPALIVE_X86_AES
        if (aes_ && n > 1) {
            aes_ni::make_batch(rk_.data(), inputs, n, out);
            return;
        }
#endif
        for (std::size_t i = 0; i < n; ++i)
            out[i] = make(static_cast<std::uint32_t>(inputs[i] >> 32), static_cast<std::uint32_t>(inputs[i]));
    }
    /// The binding index an id claims (any 96 bits decode to some index: check with matches()).
    std::uint32_t index_of(const std::uint8_t* tid12) const noexcept {
#if NATKIT_KEEPALIVE_X86_AES
        if (aes_) return aes_ni::index_of(rk_.data(), tid12);
#endif
        const std::uint64_t t = stun::detail::load_be64(tid12);
        return stun::detail::load_be32(tid12 + 8) ^ static_cast<std::uint32_t>(siphash24_u64(k_[2], k_[3], t));
    }
    /// True when `tid12` is the id of message `counter` of binding `index`.
    bool matches(const std::uint8_t* tid12, std::uint32_t index, std::uint32_t counter) const noexcept {
#if NATKIT_KEEPALIVE_X86_AES
        if (aes_) return aes_ni::matches(rk_.data(), tid12, index, counter);
#endif
        return stun::detail::load_be64(tid12) == siphash24_u64(k_[0], k_[1], std::uint64_t{index} << 32 | counter);
    }

    /// A nonzero value derived from the key, to seed generators that need not be secret.
    std::uint64_t derived_seed() const noexcept { return siphash24_u64(k_[2], k_[3], 0x6a6974746572ull) | 1; }

private:
    std::array<std::uint64_t, 4> k_{};  // SipHash keys (k1 = k_[0..1], k2 = k_[2..3])
#if NATKIT_KEEPALIVE_X86_AES
    std::array<std::uint8_t, 176> rk_{};  // AES-128 round keys
#endif
    bool aes_ = false;
};

/// Size of a keepalive: a 20-byte STUN header and FINGERPRINT (RFC 8489 §14.7).
inline constexpr std::size_t keepalive_message_size = 28;

/// Writes a Binding request (or indication) with FINGERPRINT into `out`: byte for byte what
/// stun::message_builder(out, binding, cls, tid).add_fingerprint() produces, at a fraction of
/// its cost (the CRC of the fixed first 8 bytes is computed once; only the id is hashed).
class keepalive_message_writer {
public:
    constexpr keepalive_message_writer() noexcept
        : crc_after_header_{prefix_crc(request_type), prefix_crc(indication_type)} {}

    void write(std::uint8_t* out, bool indication, const stun::transaction_id& tid) const noexcept {
        const std::uint16_t type = indication ? indication_type : request_type;
        stun::detail::store_be16(out, type);
        stun::detail::store_be16(out + 2, 8);  // the message length counts FINGERPRINT (§14.7)
        stun::detail::store_be32(out + 4, stun::magic_cookie);
        std::memcpy(out + 8, tid.bytes.data(), 12);
        const std::uint32_t crc =
            ~stun::detail::crc32_table_update(crc_after_header_[indication ? 1 : 0], out + 8, 12) ^ 0x5354554Eu;
        stun::detail::store_be16(out + 20, 0x8028);
        stun::detail::store_be16(out + 22, 4);
        stun::detail::store_be32(out + 24, crc);
    }

private:
    static constexpr std::uint16_t request_type = 0x0001;     // Binding request (RFC 8489 §6)
    static constexpr std::uint16_t indication_type = 0x0011;  // Binding indication
    /// The CRC register after the first 8 bytes (type, length 8, magic cookie).
    static constexpr std::uint32_t prefix_crc(std::uint16_t type) noexcept {
        const std::uint8_t head[8] = {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 8,
                                      0x21, 0x12, 0xA4, 0x42};
        std::uint32_t c = 0xFFFFFFFFu;
        for (const std::uint8_t b : head) c = stun::detail::crc32_tables.t[0][(c ^ b) & 0xFFu] ^ (c >> 8);
        return c;
    }
    std::uint32_t crc_after_header_[2];
};

}  // namespace detail
}  // namespace keepalive
NATKIT_END_NAMESPACE

#endif  // NATKIT_KEEPALIVE_TRANSACTION_IDS_HPP
