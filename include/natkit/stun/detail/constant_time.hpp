// natkit/stun/detail/constant_time.hpp - comparison whose running time does not depend on
// where two buffers differ.
//
// A MAC check that stops at the first wrong byte tells an attacker, by timing, how many leading
// bytes of a forged MESSAGE-INTEGRITY were right (RFC 8489 §9.1.3, §9.2.4 compare HMACs).
#ifndef NATKIT_STUN_DETAIL_CONSTANT_TIME_HPP
#define NATKIT_STUN_DETAIL_CONSTANT_TIME_HPP

#include <cstddef>
#include <cstdint>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

/// True when the n bytes at a and b are equal; reads all n bytes whatever they hold.
inline bool constant_time_equal(const void* a, const void* b, std::size_t n) noexcept {
    const auto* pa = static_cast<const std::uint8_t*>(a);
    const auto* pb = static_cast<const std::uint8_t*>(b);
#if defined(__GNUC__) || defined(__clang__)
    std::uint32_t diff = 0;
    for (std::size_t i = 0; i < n; ++i) {
        diff |= static_cast<std::uint32_t>(pa[i] ^ pb[i]);
        // Hides diff's value from the optimiser so it cannot turn the loop into an early exit
        // once diff is non-zero.
        __asm__("" : "+r"(diff));
    }
#else
    // Without inline asm, a volatile accumulator is the portable barrier.
    volatile std::uint32_t diff = 0;
    for (std::size_t i = 0; i < n; ++i) diff = diff | static_cast<std::uint32_t>(pa[i] ^ pb[i]);
#endif
    return diff == 0;
}

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_CONSTANT_TIME_HPP
