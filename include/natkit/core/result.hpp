// natkit/core/result.hpp - a value or a std::error_code (C++17 has no std::expected).
#ifndef NATKIT_CORE_RESULT_HPP
#define NATKIT_CORE_RESULT_HPP

#include <cassert>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE

/// Holds either a T or the std::error_code that explains why there is none.
/// natkit never throws: reading value() of a failed result is a programming error
/// caught by assert(), so check has_value() (or `if (r)`) first.
template <class T>
class [[nodiscard]] result {
public:
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported");

    ///@{
    /// A result holding a value, or a failed result holding an error (never an empty error).
    result(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>) : ok_(true) { new (&storage_) T(v); }  // NOLINT
    result(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(true) { new (&storage_) T(std::move(v)); }  // NOLINT
    result(std::error_code ec) noexcept  // NOLINT
        : ok_(false), error_value_(ec.value()), error_category_(&ec.category()) {
        assert(ec && "a failed result needs an error");
    }
    template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
    result(E code) noexcept : result(std::error_code(make_error_code(code))) {}  // NOLINT
    ///@}

    ///@{
    /// Copy and move; the value is copied or moved when there is one.
    result(const result& o) : ok_(o.ok_), error_value_(o.error_value_), error_category_(o.error_category_) {
        if (ok_) new (&storage_) T(*o);
    }
    result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : ok_(o.ok_), error_value_(o.error_value_), error_category_(o.error_category_) {
        if (ok_) new (&storage_) T(std::move(*o));
    }
    result& operator=(const result& o) {
        if (this != &o) {
            destroy();
            ok_ = o.ok_;
            error_value_ = o.error_value_;
            error_category_ = o.error_category_;
            if (ok_) new (&storage_) T(*o);
        }
        return *this;
    }
    result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &o) {
            destroy();
            ok_ = o.ok_;
            error_value_ = o.error_value_;
            error_category_ = o.error_category_;
            if (ok_) new (&storage_) T(std::move(*o));
        }
        return *this;
    }
    ~result() { destroy(); }
    ///@}

    ///@{
    /// True when the result holds a value.
    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    ///@}
    /// The error; an empty (false) error_code when the result holds a value.
    std::error_code error() const noexcept {
        return ok_ ? std::error_code() : std::error_code(error_value_, *error_category_);
    }

    ///@{
    /// The value; the result must hold one (assert()).
    T& value() & noexcept { assert(ok_); return *ptr(); }
    const T& value() const& noexcept { assert(ok_); return *ptr(); }
    T&& value() && noexcept { assert(ok_); return std::move(*ptr()); }
    T& operator*() & noexcept { return value(); }
    const T& operator*() const& noexcept { return value(); }
    T&& operator*() && noexcept { return std::move(*this).value(); }
    T* operator->() noexcept { return &value(); }
    const T* operator->() const noexcept { return &value(); }
    ///@}
    /// The value, or `fallback` converted to T when the result holds an error.
    template <class U>
    T value_or(U&& fallback) const& { return ok_ ? *ptr() : static_cast<T>(std::forward<U>(fallback)); }

private:
    T* ptr() noexcept { return std::launder(reinterpret_cast<T*>(&storage_)); }
    const T* ptr() const noexcept { return std::launder(reinterpret_cast<const T*>(&storage_)); }
    void destroy() noexcept {
        if (ok_) ptr()->~T();
    }

    // The error is kept as its parts: building a std::error_code on the success path would
    // call std::system_category() out of line, a measurable cost in hot parsers.
    std::aligned_storage_t<sizeof(T), alignof(T)> storage_;
    bool ok_;
    int error_value_ = 0;
    const std::error_category* error_category_ = nullptr;
};

NATKIT_END_NAMESPACE

#endif  // NATKIT_CORE_RESULT_HPP
