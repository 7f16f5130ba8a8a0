// natkit/stun/attribute.hpp - one raw attribute, and the shape of an attribute trait.
//
// An attribute trait is a struct that names a STUN attribute's type code and says how to
// decode and encode its value; message_view::get<Trait>() and message_builder::add<Trait>()
// take any trait of this form, so users add their own attributes the same way natkit does:
//
//     struct my_attr {
//         static constexpr std::uint16_t type = 0xC0DE;   // comprehension-optional range
//         using value_type = std::uint32_t;
//         static result<value_type> decode(bytes_view value, const attribute_context&) noexcept;
//         static std::size_t size(const value_type&) noexcept;          // value bytes, unpadded
//         static void encode(const value_type&, std::uint8_t* out, const attribute_context&) noexcept;
//         static constexpr std::size_t max_size = 4;      // optional: builder rejects longer values
//     };
#ifndef NATKIT_STUN_ATTRIBUTE_HPP
#define NATKIT_STUN_ATTRIBUTE_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// An attribute as it stands in a message: its type code and a view of its value
/// (without padding). `offset` is where its 4-byte header starts in the message.
struct attribute {
    /// The attribute type code.
    std::uint16_t type = 0;
    /// The value, without padding.
    bytes_view value;
    /// Offset of the attribute's header in the message.
    std::size_t offset = 0;
};

/// RFC 8489 §14: types 0x0000-0x7FFF are comprehension-required; an agent that does not
/// understand one must reject the message (a server answers 420 UNKNOWN-ATTRIBUTES).
constexpr bool is_comprehension_required(std::uint16_t type) noexcept { return type < 0x8000u; }

/// What a trait may need besides the value: the message header, whose bytes 4-19
/// (magic cookie and transaction id) are the XOR pad of XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
struct attribute_context {
    const std::uint8_t* header = nullptr;  ///< the 20-byte header of the message
    /// The 16-byte XOR pad: magic cookie and transaction id.
    const std::uint8_t* xor_pad() const noexcept { return header + 4; }
};

/// Attributes are padded to a multiple of 4 bytes (RFC 8489 §14).
constexpr std::size_t padded_size(std::size_t n) noexcept { return (n + 3u) & ~std::size_t{3}; }

namespace detail {
template <class Trait, class = void>
struct trait_max_size : std::integral_constant<std::size_t, 0xFFFF> {};
template <class Trait>
struct trait_max_size<Trait, std::void_t<decltype(Trait::max_size)>> : std::integral_constant<std::size_t, Trait::max_size> {};
}  // namespace detail

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_ATTRIBUTE_HPP
