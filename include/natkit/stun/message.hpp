// natkit/stun/message.hpp - a validated, read-only view of one STUN message (RFC 8489 §5, §14).
//
//     auto msg = stun::message_view::parse(datagram);
//     if (!msg) return msg.error();                    // truncated, not STUN, bad framing ...
//     if (msg->check_fingerprint()) ...                 // an error_code: false means "ok"
//     auto mapped = msg->get<stun::attr::xor_mapped_address>();
//
// The view points into the caller's bytes: no copy, no allocation. Keep the bytes alive.
#ifndef NATKIT_STUN_MESSAGE_HPP
#define NATKIT_STUN_MESSAGE_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/stun/attribute.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/constant_time.hpp"
#include "natkit/stun/detail/crc32.hpp"
#include "natkit/stun/detail/hmac.hpp"
#include "natkit/stun/error.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/integrity_key.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// RFC 8489 §14.7: FINGERPRINT is the CRC-32 of the message up to it, XOR-ed with this.
inline constexpr std::uint32_t fingerprint_xor = 0x5354554E;

/// Walks the attributes of a validated message in order.
class attribute_iterator {
public:
    ///@{
    /// Forward iterator types.
    using value_type = attribute;
    using difference_type = std::ptrdiff_t;
    using pointer = const attribute*;
    using reference = const attribute&;
    using iterator_category = std::forward_iterator_tag;
    ///@}

    attribute_iterator() noexcept = default;
    /// An iterator at the attribute header at `offset` of a validated `message`.
    attribute_iterator(bytes_view message, std::size_t offset) noexcept : msg_(message) { load(offset); }

    ///@{
    /// The current attribute; advance to the next.
    reference operator*() const noexcept { return current_; }
    pointer operator->() const noexcept { return &current_; }
    attribute_iterator& operator++() noexcept {
        load(current_.offset + 4 + padded_size(current_.value.size()));
        return *this;
    }
    attribute_iterator operator++(int) noexcept {
        auto copy = *this;
        ++*this;
        return copy;
    }
    ///@}
    ///@{
    /// Equal when both point at the same attribute.
    friend bool operator==(const attribute_iterator& a, const attribute_iterator& b) noexcept {
        return a.current_.offset == b.current_.offset;
    }
    friend bool operator!=(const attribute_iterator& a, const attribute_iterator& b) noexcept { return !(a == b); }
    ///@}

private:
    void load(std::size_t offset) noexcept {
        current_.offset = offset;
        if (offset + 4 > msg_.size()) {
            current_.offset = msg_.size();  // end
            return;
        }
        current_.type = detail::load_be16(msg_.data() + offset);
        current_.value = msg_.subview(offset + 4, detail::load_be16(msg_.data() + offset + 2));
    }

    bytes_view msg_;
    attribute current_;
};

/// A STUN message that passed structural validation: header, length, alignment, attribute
/// framing, the sizes of the fixed-size standard attributes, and the placement rules of
/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT. Cheap to copy.
class message_view {
public:
    /// Validates `datagram` as exactly one STUN message. On failure, `error_offset` (when
    /// given) receives the offset of the byte where validation failed.
    static result<message_view> parse(bytes_view datagram, std::size_t* error_offset = nullptr) noexcept {
        message_view m;
        std::size_t where = 0;
        const errc e = m.validate(datagram, where);
        if (e != errc{}) {
            if (error_offset) *error_offset = where;
            return e;
        }
        return m;
    }

    ///@{
    /// Message type, method and class (RFC 8489 §5).
    std::uint16_t type() const noexcept { return detail::load_be16(data_.data()); }
    stun::method method() const noexcept { return method_of(type()); }
    stun::message_class message_class() const noexcept { return class_of(type()); }
    bool is_request() const noexcept { return message_class() == stun::message_class::request; }
    bool is_indication() const noexcept { return message_class() == stun::message_class::indication; }
    bool is_success_response() const noexcept { return message_class() == stun::message_class::success_response; }
    bool is_error_response() const noexcept { return message_class() == stun::message_class::error_response; }
    ///@}

    /// Bytes 4-7: the magic cookie, or the first 32 bits of a classic transaction id.
    std::uint32_t cookie() const noexcept { return detail::load_be32(data_.data() + 4); }
    /// A classic RFC 3489 message: no magic cookie, 128-bit transaction id (RFC 8489 §5, §12).
    bool legacy() const noexcept { return cookie() != magic_cookie; }
    /// The transaction id (bytes 8-19).
    stun::transaction_id transaction_id() const noexcept { return stun::transaction_id::from(data_.data() + 8); }

    /// The whole message, header included.
    bytes_view bytes() const noexcept { return data_; }
    /// Length of the whole message in bytes.
    std::size_t size() const noexcept { return data_.size(); }
    /// What attribute traits need to decode values of this message.
    attribute_context context() const noexcept { return attribute_context{data_.data()}; }

    ///@{
    /// Iteration over the attributes, in order.
    attribute_iterator begin() const noexcept { return attribute_iterator(data_, header_size); }
    attribute_iterator end() const noexcept { return attribute_iterator(data_, data_.size()); }
    ///@}

    /// The first attribute of this type; RFC 8489 §14 says later duplicates are ignored.
    std::optional<attribute> find(std::uint16_t attr_type) const noexcept {
        for (const attribute& a : *this)
            if (a.type == attr_type) return a;
        return std::nullopt;
    }
    /// True when an attribute of this type is present.
    bool has(std::uint16_t attr_type) const noexcept { return find(attr_type).has_value(); }

    /// The decoded value of the first attribute of `Trait`, or errc::attribute_missing,
    /// or the trait's decoding error.
    template <class Trait>
    result<typename Trait::value_type> get() const noexcept {
        const std::optional<attribute> a = find(Trait::type);
        if (!a) return errc::attribute_missing;
        return Trait::decode(a->value, context());
    }
    template <class Trait>
    /// True when an attribute of `Trait` is present.
    bool has() const noexcept { return has(Trait::type); }

    /// Writes the comprehension-required attribute types that are neither natkit's standard
    /// ones nor in `also_known` (the caller's own traits), each once, and returns how many it
    /// wrote; when there are more distinct types than `capacity`, it returns capacity + 1 (the
    /// first `capacity` are written). A server answers 420 listing them (RFC 8489 §6.3.1.1).
    std::size_t unknown_required_attributes(std::uint16_t* out, std::size_t capacity,
                                            const std::uint16_t* also_known = nullptr,
                                            std::size_t also_known_count = 0) const noexcept {
        std::size_t n = 0;
        for (const attribute& a : *this) {
            if (!is_comprehension_required(a.type) || is_known_attribute(a.type)) continue;
            bool listed = false;
            for (std::size_t i = 0; i < also_known_count && !listed; ++i) listed = also_known[i] == a.type;
            for (std::size_t i = 0; i < n && !listed; ++i) listed = out[i] == a.type;
            if (listed) continue;
            if (n == capacity) return capacity + 1;  // a type beyond those stored: more than fit
            out[n++] = a.type;
        }
        return n;
    }

    ///@{
    /// Whether FINGERPRINT, MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 are present.
    bool has_fingerprint() const noexcept { return fingerprint_at_ != 0; }
    bool has_integrity() const noexcept { return integrity_at_ != 0; }
    bool has_integrity_sha256() const noexcept { return integrity_sha256_at_ != 0; }
    ///@}

    /// RFC 8489 §14.7: CRC-32 of everything before FINGERPRINT, XOR 0x5354554E.
    /// Returns an empty error_code when it matches.
    std::error_code check_fingerprint() const noexcept {
        if (!fingerprint_at_) return errc::no_fingerprint;
        const std::uint32_t expected = detail::crc32(data_.data(), fingerprint_at_) ^ fingerprint_xor;
        const std::uint32_t actual = detail::load_be32(data_.data() + fingerprint_at_ + 4);
        return expected == actual ? std::error_code() : make_error_code(errc::fingerprint_mismatch);
    }

    /// Checks MESSAGE-INTEGRITY-SHA256 when present, else MESSAGE-INTEGRITY (RFC 8489 §9.1.3:
    /// the SHA-256 one is preferred when both are there). Empty error_code when it matches.
    std::error_code check_integrity(const integrity_key& key) const noexcept {
        if (integrity_sha256_at_) return check_integrity_sha256(key);
        return check_integrity_sha1(key);
    }
    /// RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length
    /// field counting up to and including MESSAGE-INTEGRITY.
    std::error_code check_integrity_sha1(const integrity_key& key) const noexcept {
        if (!integrity_at_) return errc::no_integrity;
        const auto mac = compute_hmac(key.sha1(), integrity_at_, 20);
        return detail::constant_time_equal(mac.data(), data_.data() + integrity_at_ + 4, 20)
                   ? std::error_code()
                   : make_error_code(errc::integrity_mismatch);
    }
    /// RFC 8489 §14.6: HMAC-SHA256, possibly truncated to the attribute's 16-32 bytes.
    std::error_code check_integrity_sha256(const integrity_key& key) const noexcept {
        if (!integrity_sha256_at_) return errc::no_integrity;
        const std::size_t len = detail::load_be16(data_.data() + integrity_sha256_at_ + 2);
        const auto mac = compute_hmac(key.sha256(), integrity_sha256_at_, len);
        return detail::constant_time_equal(mac.data(), data_.data() + integrity_sha256_at_ + 4, len)
                   ? std::error_code()
                   : make_error_code(errc::integrity_mismatch);
    }

    /// The HMAC that an integrity attribute at `offset` with a value of `value_len` bytes must
    /// carry: the header is hashed with its length field set as if that attribute were the
    /// last, then the message up to the attribute. Shared by the parser and the builder.
    template <class Hash>
    static typename Hash::digest integrity_hmac(const detail::hmac_key<Hash>& key, const std::uint8_t* message,
                                                std::size_t offset, std::size_t value_len) noexcept {
        detail::hmac<Hash> h(key);
        std::uint8_t length[2];
        detail::store_be16(length, static_cast<std::uint16_t>(offset + 4 + value_len - header_size));
        h.update(message, 2);
        h.update(length, 2);
        h.update(message + 4, offset - 4);
        return h.finish();
    }

private:
    template <class Hash>
    typename Hash::digest compute_hmac(const detail::hmac_key<Hash>& key, std::size_t offset,
                                       std::size_t value_len) const noexcept {
        return integrity_hmac(key, data_.data(), offset, value_len);
    }

    /// errc{} (zero) when `d` is a well-formed message.
    errc validate(bytes_view d, std::size_t& where) noexcept {
        where = 0;
        if (d.size() < header_size) {
            where = d.size();
            return errc::truncated;
        }
        if ((d[0] & 0xC0u) != 0) return errc::not_stun;  // RFC 8489 §5: top two bits are zero
        const std::size_t length = detail::load_be16(d.data() + 2);
        where = 2;
        if (length % 4 != 0) return errc::bad_length;  // attributes are 4-byte aligned (§5)
        if (header_size + length > d.size()) return errc::truncated;
        if (header_size + length < d.size()) return errc::bad_length;

        std::size_t pos = header_size;
        while (pos < d.size()) {
            where = pos;
            if (d.size() - pos < 4) return errc::attribute_truncated;
            const std::uint16_t t = detail::load_be16(d.data() + pos);
            const std::size_t len = detail::load_be16(d.data() + pos + 2);
            if (padded_size(len) > d.size() - pos - 4) return errc::attribute_truncated;
            if (fingerprint_at_) return errc::attribute_after_fingerprint;  // §14.7: it is last
            // §14.5, §14.6: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and
            // FINGERPRINT may follow; after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT.
            if (t != attr::fingerprint::type) {
                if (integrity_sha256_at_ || (integrity_at_ && t != attr::message_integrity_sha256::type))
                    return errc::attribute_after_integrity;
            }
            if (!detail::attribute_length_ok(t, len)) return errc::bad_attribute_length;
            if (t == attr::fingerprint::type) fingerprint_at_ = static_cast<std::uint32_t>(pos);
            else if (t == attr::message_integrity::type) integrity_at_ = static_cast<std::uint32_t>(pos);
            else if (t == attr::message_integrity_sha256::type) integrity_sha256_at_ = static_cast<std::uint32_t>(pos);
            pos += 4 + padded_size(len);
        }
        data_ = d;
        return errc{};
    }

    bytes_view data_;
    // Offsets of the attribute headers found while validating; 0 means absent (offset 0 is
    // the message header, so no attribute can stand there).
    std::uint32_t integrity_at_ = 0;
    std::uint32_t integrity_sha256_at_ = 0;
    std::uint32_t fingerprint_at_ = 0;
};

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_MESSAGE_HPP
