// natkit/stun/builder.hpp - writes a STUN message into the caller's buffer (RFC 8489 §5, §14).
//
//     std::array<std::uint8_t, 548> buf;                      // fixed: never written past
//     stun::message_builder b(buf, stun::method::binding, stun::message_class::success_response, tid);
//     b.add<stun::attr::xor_mapped_address>(client);
//     b.add<stun::attr::software>("natkit");
//     b.add_integrity(key);
//     b.add_fingerprint();
//     result<bytes_view> msg = b.finish();                     // or errc::buffer_too_small ...
//
// A growable container (std::vector<std::uint8_t>, std::string, anything with data(), size()
// and resize()) works the same way and ends up holding exactly the message. Errors are
// sticky: once an add fails, later adds do nothing and finish() reports the first error.
#ifndef NATKIT_STUN_BUILDER_HPP
#define NATKIT_STUN_BUILDER_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <type_traits>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/stun/attribute.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/crc32.hpp"
#include "natkit/stun/error.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/integrity_key.hpp"
#include "natkit/stun/message.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

namespace detail {
template <class C, class = void>
struct is_growable : std::false_type {};
template <class C>
struct is_growable<C, std::void_t<decltype(std::declval<C&>().resize(std::size_t{}))>>
    : natkit::detail::is_contiguous_bytes<C> {};

/// Where the builder writes: a fixed span it never writes past, or a container it resizes.
template <class Storage, bool Growable = is_growable<Storage>::value>
class builder_storage {
public:
    using argument = mutable_bytes;
    explicit builder_storage(mutable_bytes b) noexcept : buf_(b) {}
    std::uint8_t* data() noexcept { return buf_.data(); }
    bool ensure(std::size_t total) noexcept { return total <= buf_.size(); }
    void finish(std::size_t) noexcept {}

private:
    mutable_bytes buf_;
};

template <class Container>
class builder_storage<Container, true> {
public:
    using argument = Container&;
    explicit builder_storage(Container& c) noexcept : c_(&c) { c_->resize(0); }
    std::uint8_t* data() noexcept { return reinterpret_cast<std::uint8_t*>(c_->data()); }
    bool ensure(std::size_t total) {
        if (c_->size() < total) c_->resize(total);
        return true;
    }
    void finish(std::size_t size) { c_->resize(size); }

private:
    Container* c_;
};
}  // namespace detail

/// Builds one STUN message. `Storage` is mutable_bytes for a fixed buffer (what a
/// std::array, a C array or a mutable_bytes deduce to) or a growable container type.
template <class Storage = mutable_bytes>
class message_builder {
    using storage_type = detail::builder_storage<Storage>;

public:
    /// Starts a message of the given 14-bit type. `cookie` is the magic cookie; pass the
    /// request's bytes 4-7 to answer a classic RFC 3489 request with its 128-bit id.
    message_builder(typename storage_type::argument out, std::uint16_t type, const transaction_id& tid,
                    std::uint32_t cookie = magic_cookie) noexcept
        : out_(out) {
        if (!out_.ensure(header_size)) {
            error_ = errc::buffer_too_small;
            return;
        }
        std::uint8_t* p = out_.data();
        detail::store_be16(p, static_cast<std::uint16_t>(type & 0x3FFFu));
        detail::store_be16(p + 2, 0);
        detail::store_be32(p + 4, cookie);
        std::memcpy(p + 8, tid.bytes.data(), tid.bytes.size());
        size_ = header_size;
    }
    /// A message with `tid` and `cookie` (another cookie only for classic RFC 3489 messages).
    message_builder(typename storage_type::argument out, stun::method m, stun::message_class c,
                    const transaction_id& tid, std::uint32_t cookie = magic_cookie) noexcept
        : message_builder(out, make_message_type(m, c), tid, cookie) {}

    /// The byte written into attribute padding (RFC 8489 §14: any value; RFC 5769 uses 0x20).
    void set_padding_byte(std::uint8_t b) noexcept { padding_byte_ = b; }

    /// Appends the attribute `Trait` with value `v`.
    template <class Trait>
    std::error_code add(const typename Trait::value_type& v) noexcept {
        if (!writable(Trait::type)) return error_;
        const std::size_t len = Trait::size(v);
        if (len > detail::trait_max_size<Trait>::value) return fail(errc::value_too_long);
        std::uint8_t* value = reserve_attribute(Trait::type, len);
        if (!value) return error_;
        Trait::encode(v, value, attribute_context{out_.data()});
        return {};
    }

    /// Appends an attribute with an already-encoded value.
    std::error_code add_raw(std::uint16_t type, bytes_view value) noexcept {
        if (!writable(type)) return error_;
        std::uint8_t* dst = reserve_attribute(type, value.size());
        if (!dst) return error_;
        if (!value.empty()) std::memcpy(dst, value.data(), value.size());
        return {};
    }

    /// RFC 8489 §14.5 MESSAGE-INTEGRITY (HMAC-SHA1 with the key's precomputed state).
    std::error_code add_integrity(const integrity_key& key) noexcept {
        return add_hmac(attr::message_integrity::type, key.sha1(), 20);
    }
    /// RFC 8489 §14.6 MESSAGE-INTEGRITY-SHA256, truncated to `length` bytes (16-32, multiple of 4).
    std::error_code add_integrity_sha256(const integrity_key& key, std::size_t length = 32) noexcept {
        if (length < 16 || length > 32 || length % 4 != 0) return fail(errc::bad_value);
        return add_hmac(attr::message_integrity_sha256::type, key.sha256(), length);
    }
    /// RFC 8489 §14.7 FINGERPRINT; must be the last attribute.
    std::error_code add_fingerprint() noexcept {
        if (!writable(attr::fingerprint::type)) return error_;
        const std::size_t at = size_;
        std::uint8_t* value = reserve_attribute(attr::fingerprint::type, 4);
        if (!value) return error_;
        const std::uint32_t crc = detail::crc32(out_.data(), at) ^ fingerprint_xor;
        detail::store_be32(out_.data() + at + 4, crc);
        return {};
    }

    /// The finished message, or the first error met while building it.
    [[nodiscard]] result<bytes_view> finish() noexcept {
        if (error_) return error_;
        out_.finish(size_);
        return bytes_view(out_.data(), size_);
    }

    /// The first error that made the builder stop (also returned by finish()).
    std::error_code error() const noexcept { return error_; }
    /// Bytes written so far.
    std::size_t size() const noexcept { return size_; }

private:
    std::error_code fail(errc e) noexcept {
        if (!error_) error_ = e;
        return error_;
    }

    /// Mirrors the parser's placement rules (RFC 8489 §14.5-14.7) so that what is built parses.
    bool writable(std::uint16_t type) noexcept {
        if (error_) return false;
        if (sealed_ == seal::fingerprint) {
            fail(errc::out_of_order);
            return false;
        }
        if (type == attr::fingerprint::type) return true;
        if (sealed_ == seal::integrity_sha256 ||
            (sealed_ == seal::integrity && type != attr::message_integrity_sha256::type)) {
            fail(errc::out_of_order);
            return false;
        }
        return true;
    }

    /// Writes the attribute header and padding, bumps the length field, returns the value's
    /// first byte (or nullptr after recording an error).
    std::uint8_t* reserve_attribute(std::uint16_t type, std::size_t len) noexcept {
        const std::size_t total = size_ + 4 + padded_size(len);
        if (total > max_message_size) {
            fail(errc::message_too_large);
            return nullptr;
        }
        if (!out_.ensure(total)) {
            fail(errc::buffer_too_small);
            return nullptr;
        }
        std::uint8_t* p = out_.data();
        std::uint8_t* attr = p + size_;
        detail::store_be16(attr, type);
        detail::store_be16(attr + 2, static_cast<std::uint16_t>(len));
        for (std::size_t i = 4 + len; i < 4 + padded_size(len); ++i) attr[i] = padding_byte_;
        size_ = total;
        detail::store_be16(p + 2, static_cast<std::uint16_t>(size_ - header_size));
        if (type == attr::fingerprint::type) sealed_ = seal::fingerprint;
        else if (type == attr::message_integrity::type) sealed_ = seal::integrity;
        else if (type == attr::message_integrity_sha256::type) sealed_ = seal::integrity_sha256;
        return attr + 4;
    }

    template <class Hash>
    std::error_code add_hmac(std::uint16_t type, const detail::hmac_key<Hash>& key, std::size_t length) noexcept {
        if (!writable(type)) return error_;
        const std::size_t at = size_;
        std::uint8_t* value = reserve_attribute(type, length);
        if (!value) return error_;
        const auto mac = message_view::integrity_hmac(key, out_.data(), at, length);
        std::memcpy(out_.data() + at + 4, mac.data(), length);
        return {};
    }

    enum class seal : std::uint8_t { none, integrity, integrity_sha256, fingerprint };

    storage_type out_;
    std::size_t size_ = 0;
    std::error_code error_;
    seal sealed_ = seal::none;
    std::uint8_t padding_byte_ = 0;
};

// A fixed buffer (std::array, C array, mutable_bytes) deduces message_builder<mutable_bytes>;
// a growable container deduces message_builder<Container>.
template <class C, class... Rest, std::enable_if_t<detail::is_growable<C>::value, int> = 0>
message_builder(C&, Rest...) -> message_builder<C>;
template <class C, class... Rest, std::enable_if_t<!detail::is_growable<C>::value, int> = 0>
message_builder(C&, Rest...) -> message_builder<mutable_bytes>;
template <class... Rest>
message_builder(mutable_bytes, Rest...) -> message_builder<mutable_bytes>;

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_BUILDER_HPP
