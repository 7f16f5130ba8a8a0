// natkit/stun/integrity_key.hpp - the key of MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256,
// with its HMAC states precomputed once per credential (RFC 8489 §9).
//
// SASLprep / OpaqueString: RFC 8489 §9.1.1 and §9.2.2 ask that passwords (and, for long-term
// credentials, usernames and realms) go through the OpaqueString profile of RFC 8265 (SASLprep,
// RFC 4013, under RFC 5389). natkit does not do Unicode normalisation: it uses the bytes it is
// given. For ASCII credentials (what PBXs and STUN/TURN servers use in practice) both profiles
// are the identity, except that SASLprep maps a few invisible characters; a caller with
// non-ASCII credentials passes the already-prepared UTF-8 string.
#ifndef NATKIT_STUN_INTEGRITY_KEY_HPP
#define NATKIT_STUN_INTEGRITY_KEY_HPP

#include <array>
#include <cstdint>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/detail/hmac.hpp"
#include "natkit/stun/detail/md5.hpp"
#include "natkit/stun/detail/sha1.hpp"
#include "natkit/stun/detail/sha256.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// A credential ready for HMAC: HMAC-SHA1 (MESSAGE-INTEGRITY) and HMAC-SHA256
/// (MESSAGE-INTEGRITY-SHA256) states keyed once, so each check hashes only the message.
/// Build one per credential and reuse it; it is a value (copyable, no heap).
class integrity_key {
public:
    /// An empty key (HMAC with a zero-length key); mostly useful as a placeholder.
    integrity_key() noexcept = default;

    /// RFC 8489 §9.1.1 short-term credential: the key is the password itself.
    static integrity_key short_term(std::string_view password) noexcept { return from_raw(password); }

    /// RFC 8489 §9.2.2 long-term credential: key = MD5(username ":" realm ":" password), or
    /// SHA-256 of the same string when PASSWORD-ALGORITHM says SHA-256.
    static integrity_key long_term(std::string_view username, std::string_view realm, std::string_view password,
                                   password_algorithm algorithm = password_algorithm::md5) noexcept {
        if (algorithm == password_algorithm::sha256) {
            return from_raw(bytes_view(hash_credentials<detail::sha256>(username, realm, password)));
        }
        return from_raw(bytes_view(hash_credentials<detail::md5>(username, realm, password)));
    }

    /// A key given as raw bytes (e.g. a long-term key stored hashed, as TURN servers do).
    static integrity_key from_raw(bytes_view key) noexcept {
        integrity_key k;
        k.sha1_ = detail::hmac_key<detail::sha1>(key.data(), key.size());
        k.sha256_ = detail::hmac_key<detail::sha256>(key.data(), key.size());
        return k;
    }

    ///@{
    /// The precomputed HMAC states (for natkit's own use).
    const detail::hmac_key<detail::sha1>& sha1() const noexcept { return sha1_; }
    const detail::hmac_key<detail::sha256>& sha256() const noexcept { return sha256_; }
    ///@}

private:
    template <class Hash>
    static typename Hash::digest hash_credentials(std::string_view username, std::string_view realm,
                                                  std::string_view password) noexcept {
        Hash h;
        h.update(username.data(), username.size());
        h.update(":", 1);
        h.update(realm.data(), realm.size());
        h.update(":", 1);
        h.update(password.data(), password.size());
        return h.finish();
    }

    detail::hmac_key<detail::sha1> sha1_;
    detail::hmac_key<detail::sha256> sha256_;
};

/// RFC 8489 §14.4 USERHASH: SHA-256(username ":" realm), which lets a client hide its
/// username from observers.
inline std::array<std::uint8_t, 32> make_userhash(std::string_view username, std::string_view realm) noexcept {
    detail::sha256 h;
    h.update(username.data(), username.size());
    h.update(":", 1);
    h.update(realm.data(), realm.size());
    return h.finish();
}

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_INTEGRITY_KEY_HPP
