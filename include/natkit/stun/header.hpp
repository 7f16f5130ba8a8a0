// natkit/stun/header.hpp - the fixed 20-byte STUN header: type, cookie, transaction id (RFC 8489 §5).
#ifndef NATKIT_STUN_HEADER_HPP
#define NATKIT_STUN_HEADER_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// RFC 8489 §5: the fixed value in bytes 4-7 that tells an RFC 5389/8489 message from a
/// classic RFC 3489 one (whose 128-bit transaction id occupies those bytes).
inline constexpr std::uint32_t magic_cookie = 0x2112A442;
inline constexpr std::size_t header_size = 20;
/// The length field counts attribute bytes and is a multiple of 4 (RFC 8489 §5).
inline constexpr std::size_t max_message_size = header_size + 0xFFFC;

/// STUN methods. Binding is the only one RFC 8489 defines; other values (TURN's) may be cast.
enum class method : std::uint16_t { binding = 0x001 };

/// The two class bits of the message type (RFC 8489 §5).
enum class message_class : std::uint8_t {
    request = 0,
    indication = 1,
    success_response = 2,
    error_response = 3,
};

/// RFC 8489 §5: the 12 method bits M0-M11 are interleaved with the class bits C0 (bit 4)
/// and C1 (bit 8): 0b00MMMMMC MMMCMMMM.
constexpr std::uint16_t make_message_type(method m, message_class c) noexcept {
    const auto mv = static_cast<unsigned>(m) & 0x0FFFu;
    const auto cv = static_cast<unsigned>(c);
    return static_cast<std::uint16_t>((mv & 0x000Fu) | ((mv & 0x0070u) << 1) | ((mv & 0x0F80u) << 2) |
                                      ((cv & 1u) << 4) | ((cv & 2u) << 7));
}
constexpr method method_of(std::uint16_t type) noexcept {
    return static_cast<method>((type & 0x000Fu) | ((type & 0x00E0u) >> 1) | ((type & 0x3E00u) >> 2));
}
constexpr message_class class_of(std::uint16_t type) noexcept {
    return static_cast<message_class>(((type & 0x0010u) >> 4) | ((type & 0x0100u) >> 7));
}

/// The 96-bit transaction id of RFC 8489 §5. Classic RFC 3489 messages have 128 bits: their
/// first 32 stand where the magic cookie would (see message_view::cookie()).
struct transaction_id {
    /// The 12 bytes, in wire order.
    std::array<std::uint8_t, 12> bytes{};

    /// The id stored at `twelve_bytes`.
    static transaction_id from(const std::uint8_t* twelve_bytes) noexcept {
        transaction_id t;
        std::memcpy(t.bytes.data(), twelve_bytes, 12);
        return t;
    }
    /// RFC 8489 §6: "uniformly and randomly chosen from the interval 0 .. 2**96-1"; take the
    /// bits from the caller's generator (seed it from std::random_device or a CSPRNG).
    template <class UniformRandomBitGenerator>
    static transaction_id generate(UniformRandomBitGenerator& rng) {
        transaction_id t;
        std::uniform_int_distribution<unsigned> byte(0, 255);
        for (auto& b : t.bytes) b = static_cast<std::uint8_t>(byte(rng));
        return t;
    }
    ///@{
    /// Compared byte-wise (the order is for use as a map key).
    friend bool operator==(const transaction_id& a, const transaction_id& b) noexcept { return a.bytes == b.bytes; }
    friend bool operator!=(const transaction_id& a, const transaction_id& b) noexcept { return !(a == b); }
    friend bool operator<(const transaction_id& a, const transaction_id& b) noexcept { return a.bytes < b.bytes; }
    ///@}
};

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_HEADER_HPP
