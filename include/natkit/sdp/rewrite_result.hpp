// natkit/sdp/rewrite_result.hpp - what an SDP or SIP rewrite produced, or why and where it failed.
#ifndef NATKIT_SDP_REWRITE_RESULT_HPP
#define NATKIT_SDP_REWRITE_RESULT_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {

/// The outcome of sdp::rewrite or sip::rewrite: the rewritten bytes (in the caller's buffer or
/// container) and how many edits were made, or the error and the input line it is about.
///
///     auto r = sip::rewrite(message, rules, buffer);
///     if (!r) log("line %zu: %s", r.line(), r.error().message().c_str());
///     else send(r.output());
class [[nodiscard]] rewrite_result {
public:
    /// An empty success.
    rewrite_result() noexcept = default;

    /// A success: `size` output bytes at `data`, `changes` edits made.
    static rewrite_result success(const std::uint8_t* data, std::size_t size, std::size_t changes) noexcept {
        rewrite_result r;
        r.data_ = data;
        r.size_ = size;
        r.changes_ = changes;
        return r;
    }
    /// A failure; `size` is the output size the rewrite needed when the error is a too small
    /// buffer, else 0.
    static rewrite_result failure(std::error_code ec, std::size_t line, std::size_t size = 0) noexcept {
        rewrite_result r;
        r.error_value_ = ec.value();
        r.error_category_ = &ec.category();
        r.line_ = line;
        r.size_ = size;
        return r;
    }

    ///@{
    /// True on success.
    bool ok() const noexcept { return error_category_ == nullptr; }
    explicit operator bool() const noexcept { return ok(); }
    ///@}
    /// The error; empty when the rewrite succeeded.
    std::error_code error() const noexcept {
        return ok() ? std::error_code() : std::error_code(error_value_, *error_category_);
    }
    /// On failure, the 1-based line of the input the error is about (for an SDP inside a SIP
    /// message, the line of the message); 0 when it is about no line (a too small buffer).
    std::size_t line() const noexcept { return line_; }

    /// The rewritten message; empty on failure.
    bytes_view output() const noexcept { return bytes_view(data_, ok() ? size_ : 0); }
    /// output() as text.
    std::string_view text() const noexcept { return output().as_chars(); }
    /// The size of output(); after a too small buffer error, the size the output needs.
    std::size_t size() const noexcept { return size_; }
    /// How many fields were changed, lines added or lines removed. 0 means the output is the
    /// input, byte for byte.
    std::size_t changes() const noexcept { return changes_; }

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t changes_ = 0;
    std::size_t line_ = 0;
    int error_value_ = 0;
    const std::error_category* error_category_ = nullptr;
};

}  // namespace sdp
NATKIT_END_NAMESPACE

#endif  // NATKIT_SDP_REWRITE_RESULT_HPP
