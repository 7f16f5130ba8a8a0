// natkit/stun/detail/crc32_arm.hpp - CRC-32/ISO-HDLC with the ARMv8 CRC32 instructions
// (CRC32B/H/W/X use the reflected polynomial 0x04C11DB7, the same CRC as zlib's; Arm ARM, ACLE
// __crc32b/h/w/d). They update the register without the initial and final inversion.
//
// Used only when the compiler targets a CPU that has them (__ARM_FEATURE_CRC32, see
// cpu_features.hpp); crc32.hpp picks it at compile time.
#ifndef NATKIT_STUN_DETAIL_CRC32_ARM_HPP
#define NATKIT_STUN_DETAIL_CRC32_ARM_HPP

#include <cstddef>
#include <cstdint>

#include "natkit/config.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/cpu_features.hpp"

#if NATKIT_STUN_DETAIL_ARM_CRC32
#include <arm_acle.h>

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {
namespace crc32_arm {

/// Advances the CRC register `c` (before the final inversion) over n bytes at p.
inline std::uint32_t update(std::uint32_t c, const std::uint8_t* p, std::size_t n) noexcept {
    for (; n >= 8; n -= 8, p += 8)
        c = __crc32d(c,
                     static_cast<std::uint64_t>(load_le32(p)) | (static_cast<std::uint64_t>(load_le32(p + 4)) << 32));
    if (n >= 4) {
        c = __crc32w(c, load_le32(p));
        p += 4;
        n -= 4;
    }
    for (; n != 0; --n, ++p) c = __crc32b(c, *p);
    return c;
}

}  // namespace crc32_arm
}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_ARM_CRC32
#endif  // NATKIT_STUN_DETAIL_CRC32_ARM_HPP
