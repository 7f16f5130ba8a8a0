// natkit/sdp/detail/output.hpp - where the rewriters write (private): a fixed buffer they never
// write past, or a container they resize; and the splicer that copies the input through them
// with edits.
#ifndef NATKIT_SDP_DETAIL_OUTPUT_HPP
#define NATKIT_SDP_DETAIL_OUTPUT_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {
namespace detail {

/// A contiguous byte container with resize(): std::string, std::vector<char>,
/// std::vector<std::uint8_t> ...
template <class C, class = void>
struct is_growable : std::false_type {};
template <class C>
struct is_growable<C, std::void_t<decltype(std::declval<C&>().resize(std::size_t{}))>>
    : natkit::detail::is_contiguous_bytes<C> {};

/// A fixed output buffer. Past its end nothing is written, but the size keeps counting, so
/// that a too small buffer reports the size it would have needed.
class fixed_sink {
public:
    explicit fixed_sink(mutable_bytes b) noexcept : data_(reinterpret_cast<char*>(b.data())), capacity_(b.size()) {}

    void write(const char* p, std::size_t n) noexcept {
        if (!overflow_ && n <= capacity_ - size_) {
            if (n != 0) std::memcpy(data_ + size_, p, n);
        } else {
            overflow_ = true;
        }
        size_ += n;
    }
    /// The last byte written, '\n' when none (or when it was not kept).
    char last() const noexcept { return (size_ == 0 || overflow_) ? '\n' : data_[size_ - 1]; }
    /// Moves the bytes from `from` to the end by `delta` (the size changes by as much); used to
    /// widen or narrow a number written earlier.
    void shift(std::size_t from, std::ptrdiff_t delta) noexcept {
        const std::size_t new_size = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(size_) + delta);
        if (!overflow_ && new_size > capacity_) overflow_ = true;
        if (!overflow_) {
            const std::size_t to = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(from) + delta);
            if (size_ > from) std::memmove(data_ + to, data_ + from, size_ - from);
        }
        size_ = new_size;
    }
    /// Overwrites n bytes at `pos` (within what was written).
    void overwrite(std::size_t pos, const char* p, std::size_t n) noexcept {
        if (!overflow_ && n != 0) std::memcpy(data_ + pos, p, n);
    }
    std::size_t size() const noexcept { return size_; }
    bool overflowed() const noexcept { return overflow_; }
    const std::uint8_t* data() const noexcept { return reinterpret_cast<const std::uint8_t*>(data_); }
    void finish() noexcept {}

private:
    char* data_;
    std::size_t capacity_;
    std::size_t size_ = 0;
    bool overflow_ = false;
};

/// A growable container: resized as needed (doubling), and to exactly the output at the end.
/// A container that already has the capacity (reserve()) is not reallocated.
template <class Container>
class growable_sink {
public:
    growable_sink(Container& c, std::size_t size_hint) : c_(&c) {
        if (c_->size() < size_hint) c_->resize(size_hint);
    }

    void write(const char* p, std::size_t n) {
        reserve(size_ + n);
        if (n != 0) std::memcpy(bytes() + size_, p, n);
        size_ += n;
    }
    char last() const noexcept { return size_ == 0 ? '\n' : reinterpret_cast<const char*>(c_->data())[size_ - 1]; }
    void shift(std::size_t from, std::ptrdiff_t delta) {
        const std::size_t new_size = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(size_) + delta);
        reserve(new_size);
        const std::size_t to = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(from) + delta);
        if (size_ > from) std::memmove(bytes() + to, bytes() + from, size_ - from);
        size_ = new_size;
    }
    void overwrite(std::size_t pos, const char* p, std::size_t n) noexcept {
        if (n != 0) std::memcpy(bytes() + pos, p, n);
    }
    std::size_t size() const noexcept { return size_; }
    bool overflowed() const noexcept { return false; }
    const std::uint8_t* data() const noexcept { return reinterpret_cast<const std::uint8_t*>(c_->data()); }
    void finish() { c_->resize(size_); }

private:
    char* bytes() noexcept { return reinterpret_cast<char*>(c_->data()); }
    void reserve(std::size_t n) {
        if (n > c_->size()) c_->resize(n > 2 * c_->size() ? n : 2 * c_->size());
    }

    Container* c_;
    std::size_t size_ = 0;
};

/// Copies an input through a sink, with edits: the bytes between edits go through untouched.
/// The input is one buffer; positions are pointers into it and only move forward.
template <class Sink>
class splicer {
public:
    splicer(const char* input, Sink& sink) noexcept : cursor_(input), sink_(&sink) {}

    /// Copies the input from the cursor up to `p` (nothing if the cursor is there or past it).
    void copy_to(const char* p) {
        if (p > cursor_) {
            sink_->write(cursor_, static_cast<std::size_t>(p - cursor_));
            cursor_ = p;
        }
    }
    /// Drops the input up to `p`: copy_to() first what is to be kept.
    void skip_to(const char* p) noexcept {
        if (p > cursor_) cursor_ = p;
    }
    /// Replaces the input [from, to) with `text`.
    void replace(const char* from, const char* to, std::string_view text) {
        copy_to(from);
        put(text);
        skip_to(to);
    }
    /// Writes `text` at the current output position.
    void put(std::string_view text) { sink_->write(text.data(), text.size()); }
    void put(char c) { sink_->write(&c, 1); }

    const char* cursor() const noexcept { return cursor_; }
    Sink& sink() noexcept { return *sink_; }

private:
    const char* cursor_;
    Sink* sink_;
};

}  // namespace detail
}  // namespace sdp
NATKIT_END_NAMESPACE

#endif  // NATKIT_SDP_DETAIL_OUTPUT_HPP
