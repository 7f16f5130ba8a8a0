// natkit/core/bytes.hpp - non-owning views over raw bytes (C++17 has no std::span).
#ifndef NATKIT_CORE_BYTES_HPP
#define NATKIT_CORE_BYTES_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE

namespace detail {
template <class C, class = void>
struct is_contiguous_bytes : std::false_type {};
template <class C>
struct is_contiguous_bytes<C, std::void_t<decltype(std::declval<C&>().data()), decltype(std::declval<C&>().size())>>
    : std::bool_constant<sizeof(*std::declval<C&>().data()) == 1 &&
                         std::is_integral_v<std::remove_cv_t<std::remove_reference_t<decltype(*std::declval<C&>().data())>>>> {};
}  // namespace detail

/// A read-only view of `size()` bytes owned by someone else.
class bytes_view {
public:
    constexpr bytes_view() noexcept = default;
    ///@{
    /// A view of `size` bytes at `data`.
    constexpr bytes_view(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
    bytes_view(const void* data, std::size_t size) noexcept : data_(static_cast<const std::uint8_t*>(data)), size_(size) {}
    ///@}
    /// Any contiguous container of bytes (std::vector<uint8_t>, std::array, std::string, std::string_view).
    template <class C, class = std::enable_if_t<detail::is_contiguous_bytes<const C>::value &&
                                                !std::is_same_v<std::decay_t<C>, bytes_view>>>
    bytes_view(const C& c) noexcept  // NOLINT(google-explicit-constructor): views convert implicitly, like string_view
        : data_(reinterpret_cast<const std::uint8_t*>(c.data())), size_(c.size()) {}

    ///@{
    /// Pointer, length and iteration, as std::string_view.
    constexpr const std::uint8_t* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const std::uint8_t* begin() const noexcept { return data_; }
    constexpr const std::uint8_t* end() const noexcept { return data_ + size_; }
    constexpr std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }
    ///@}

    /// Bytes [offset, offset + count), clamped to the view.
    constexpr bytes_view subview(std::size_t offset, std::size_t count = static_cast<std::size_t>(-1)) const noexcept {
        if (offset > size_) offset = size_;
        if (count > size_ - offset) count = size_ - offset;
        return bytes_view(data_ + offset, count);
    }
    /// The bytes as characters (for text attributes and SIP/SDP text).
    std::string_view as_chars() const noexcept { return {reinterpret_cast<const char*>(data_), size_}; }

    ///@{
    /// Byte-wise comparison.
    friend bool operator==(bytes_view a, bytes_view b) noexcept {
        return a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_) == 0);
    }
    friend bool operator!=(bytes_view a, bytes_view b) noexcept { return !(a == b); }
    ///@}

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

/// A writable view of `size()` bytes owned by someone else (a fixed output buffer).
class mutable_bytes {
public:
    constexpr mutable_bytes() noexcept = default;
    ///@{
    /// A writable view of `size` bytes at `data`, or of a whole array or contiguous container.
    constexpr mutable_bytes(std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
    mutable_bytes(void* data, std::size_t size) noexcept : data_(static_cast<std::uint8_t*>(data)), size_(size) {}
    template <std::size_t N>
    constexpr mutable_bytes(std::uint8_t (&array)[N]) noexcept : data_(array), size_(N) {}  // NOLINT
    template <class C, class = std::enable_if_t<detail::is_contiguous_bytes<C>::value &&
                                                !std::is_const_v<std::remove_reference_t<decltype(*std::declval<C&>().data())>> &&
                                                !std::is_same_v<std::decay_t<C>, mutable_bytes>>>
    mutable_bytes(C& c) noexcept : data_(reinterpret_cast<std::uint8_t*>(c.data())), size_(c.size()) {}  // NOLINT
    ///@}

    ///@{
    /// Pointer and length.
    constexpr std::uint8_t* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    ///@}
    /// Read-only view of the same bytes.
    constexpr operator bytes_view() const noexcept { return bytes_view(data_, size_); }  // NOLINT

private:
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

NATKIT_END_NAMESPACE

#endif  // NATKIT_CORE_BYTES_HPP
