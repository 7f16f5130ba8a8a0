// natkit/stun/detail/hmac.hpp - HMAC (RFC 2104) over any hash with natkit's sha1 shape
// (block_size, digest_size, digest, update, finish, hash; trivially copyable state).
//
// STUN computes one HMAC per message with a key that lives as long as the credentials, so
// hmac_key absorbs key^ipad and key^opad once (RFC 2104 §4, "precomputed" variant) and each
// message costs only the blocks of the message plus one outer block.
#ifndef NATKIT_STUN_DETAIL_HMAC_HPP
#define NATKIT_STUN_DETAIL_HMAC_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {
namespace detail {

/// Overwrites `n` bytes with zeros through a volatile pointer, so the stores are not removed as
/// dead (the buffer is about to go out of scope), unlike a plain memset.
inline void secure_wipe(void* p, std::size_t n) noexcept {
    volatile auto* v = static_cast<volatile std::uint8_t*>(p);
    for (std::size_t i = 0; i < n; ++i) v[i] = 0;
}

template <class Hash>
class hmac_key {
    static_assert(std::is_trivially_copyable<Hash>::value, "hmac clones hash states by copy");
    static_assert(Hash::digest_size <= Hash::block_size, "RFC 2104 §2 assumes L <= B");

public:
    /// The empty key (all zero block).
    hmac_key() noexcept { init(nullptr, 0); }
    /// Keys longer than the block are replaced by their hash (RFC 2104 §2).
    hmac_key(const void* key, std::size_t n) noexcept { init(key, n); }

    /// A copy of the hash state after absorbing key^ipad.
    Hash inner() const noexcept { return inner_; }
    /// A copy of the hash state after absorbing key^opad.
    Hash outer() const noexcept { return outer_; }

private:
    void init(const void* key, std::size_t n) noexcept {
        std::uint8_t block[Hash::block_size] = {};
        if (n > Hash::block_size) {
            typename Hash::digest d = Hash::hash(key, n);
            std::memcpy(block, d.data(), d.size());
            secure_wipe(d.data(), d.size());
        } else if (n != 0) {
            std::memcpy(block, key, n);
        }
        for (auto& b : block) b = static_cast<std::uint8_t>(b ^ 0x36u);
        inner_.update(block, sizeof block);
        // ipad ^ opad turns key^ipad into key^opad without a second copy of the key.
        for (auto& b : block) b = static_cast<std::uint8_t>(b ^ (0x36u ^ 0x5Cu));
        outer_.update(block, sizeof block);
        secure_wipe(block, sizeof block);
    }

    Hash inner_;
    Hash outer_;
};

/// True when Hash has `digest finish_outer(Hash& inner)`: the outer hash absorbs the inner one's
/// digest without serialising it to bytes first.
template <class Hash, class = void>
struct has_finish_outer : std::false_type {};
template <class Hash>
struct has_finish_outer<Hash, std::void_t<decltype(std::declval<Hash&>().finish_outer(std::declval<Hash&>()))>>
    : std::true_type {};

/// One HMAC computation: construct from a key, update any number of times, finish once.
template <class Hash>
class hmac {
public:
    explicit hmac(const hmac_key<Hash>& key) noexcept : inner_(key.inner()), outer_(key.outer()) {}

    void update(const void* data, std::size_t n) noexcept { inner_.update(data, n); }

    /// H(key^opad || H(key^ipad || text)); the object is spent afterwards.
    typename Hash::digest finish() noexcept {
        if constexpr (has_finish_outer<Hash>::value) {
            return outer_.finish_outer(inner_);  // the inner digest stays in words (sha1, sha256)
        } else {
            const typename Hash::digest d = inner_.finish();
            outer_.update(d.data(), d.size());
            return outer_.finish();
        }
    }

private:
    Hash inner_;
    Hash outer_;
};

template <class Hash>
typename Hash::digest hmac_compute(const hmac_key<Hash>& key, const void* data, std::size_t n) noexcept {
    hmac<Hash> h(key);
    h.update(data, n);
    return h.finish();
}

}  // namespace detail
}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_DETAIL_HMAC_HPP
