// natkit/stun/binding_responder.hpp - the logic of a STUN Binding server (RFC 8489 §6.3,
// RFC 5780 §6-7, classic RFC 3489 §8-9), without sockets.
//
// A server with an alternate address listens on four transport addresses: IP1:P1, IP1:P2,
// IP2:P1 and IP2:P2 (RFC 5780 §6). Give handle() the request, where it came from and which
// of the server's addresses it arrived on; it returns the response and which local address
// to send it from (CHANGE-REQUEST picks another one) and to whom:
//
//     stun::binding_responder responder({primary, alternate});
//     std::array<std::uint8_t, 1500> out;
//     if (auto reply = responder.handle(datagram, source, local, out, now))
//         socket_for(reply->from).send_to(reply->datagram, reply->to);
//
// It never sends anywhere but to the request's source address (RESPONSE-PORT changes only
// the port), never to a RESPONSE-ADDRESS: no reflection or amplification towards third parties.
#ifndef NATKIT_STUN_BINDING_RESPONDER_HPP
#define NATKIT_STUN_BINDING_RESPONDER_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/clock.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/detail/constant_time.hpp"
#include "natkit/stun/detail/hmac.hpp"
#include "natkit/stun/detail/sha1.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/integrity_key.hpp"
#include "natkit/stun/message.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// How a binding_responder authenticates requests (RFC 8489 §9).
enum class auth_mechanism : std::uint8_t {
    none,        ///< answer everyone (a plain public STUN server)
    short_term,  ///< §9.1: USERNAME + MESSAGE-INTEGRITY keyed with the user's password
    long_term,   ///< §9.2: REALM + NONCE challenge, key MD5(username:realm:password)
};

/// Looks up the key of a user; std::nullopt when the user is unknown. For long-term
/// credentials build it with integrity_key::long_term(username, realm, password).
using credential_lookup = std::function<std::optional<integrity_key>(std::string_view username)>;

/// What the server is: its addresses, SOFTWARE and authentication.
struct responder_config {
    endpoint primary{};                 ///< IP1:P1
    std::optional<endpoint> alternate{};  ///< IP2:P2; enables CHANGE-REQUEST and OTHER-ADDRESS
    std::string_view software{};        ///< SOFTWARE in every response; empty for none
    /// Whether requests must be authenticated, and how (RFC 8489 §9).
    auth_mechanism auth = auth_mechanism::none;
    std::string_view realm{};           ///< long-term only
    credential_lookup credentials{};    ///< short- and long-term
    /// Secret for stateless nonces (long-term): random bytes the caller keeps alive.
    bytes_view nonce_secret{};
    /// How long a nonce stays valid before 438 Stale Nonce.
    std::chrono::seconds nonce_lifetime{600};
};

/// What to send: `datagram` (a view into the caller's output buffer), from which local
/// address, to which destination.
struct responder_reply {
    /// The response (or error response) to send.
    bytes_view datagram;
    /// The local address to send it from (another one after CHANGE-REQUEST).
    endpoint from;
    /// Where to send it: the request's source, or its RESPONSE-PORT.
    endpoint to;
};

/// Counters for logs and tests.
struct responder_stats {
    std::uint64_t answered = 0;       ///< success responses
    std::uint64_t errors = 0;         ///< error responses (400, 401, 420, 438)
    std::uint64_t dropped = 0;        ///< not STUN, not a request, bad FINGERPRINT ...
};

/// The Binding server logic (RFC 8489 §6.3, RFC 5780 §6, RFC 3489 classic clients), no I/O:
/// datagram in, reply (bytes, source address, destination) out.
class binding_responder {
public:
    /// A server with this configuration.
    explicit binding_responder(responder_config config) : cfg_(std::move(config)) {}

    /// Handles one datagram that arrived on `local` (one of the server's addresses) from
    /// `source`. Returns the reply to send, or nothing when the datagram must be dropped
    /// (RFC 8489 §6.3: what fails the basic checks is discarded silently). `now` matters only
    /// for long-term nonces.
    std::optional<responder_reply> handle(bytes_view datagram, const endpoint& source, const endpoint& local,
                                          mutable_bytes out, time_point now = time_point{}) noexcept {
        auto msg = message_view::parse(datagram);
        // §6.3: only well-formed requests are answered; indications and responses never are.
        if (!msg || !msg->is_request() || (msg->has_fingerprint() && msg->check_fingerprint())) {
            ++stats_.dropped;
            return std::nullopt;
        }
        auto reply = respond(*msg, source, local, out, now);
        if (!reply) ++stats_.dropped;
        return reply;
    }

    /// Counters of answered, rejected and dropped datagrams.
    const responder_stats& stats() const noexcept { return stats_; }
    /// The configuration it was built with.
    const responder_config& config() const noexcept { return cfg_; }

    /// The server address that differs from `local` in IP and/or port (RFC 5780 §6):
    /// with IP1:P1, IP2:P2 configured, the one with the other IP if `change_ip`, and the
    /// other port if `change_port`.
    endpoint changed(const endpoint& local, bool change_ip, bool change_port) const noexcept {
        if (!cfg_.alternate) return local;
        const endpoint& p = cfg_.primary;
        const endpoint& a = *cfg_.alternate;
        endpoint e = local;
        if (change_ip) e.set_address(local.address() == p.address() ? a.address() : p.address());
        if (change_port) e.set_port(local.port() == p.port() ? a.port() : p.port());
        return e;
    }

private:
    std::optional<responder_reply> respond(const message_view& req, const endpoint& source, const endpoint& local,
                                           mutable_bytes out, time_point now) noexcept {
        const bool classic = req.legacy();
        if (req.method() != method::binding) return error(req, 400, "Bad Request", source, local, out, nullptr, now);

        // §6.3.1.1: comprehension-required attributes we do not understand get 420. Classic
        // RESPONSE-ADDRESS and PASSWORD are known but refused (no reflection; no RFC 3489
        // shared secrets), and CHANGE-REQUEST without an alternate address is "unknown" as
        // RFC 5780 §6.1 says.
        std::array<std::uint16_t, 8> unknown{};
        std::size_t n = req.unknown_required_attributes(unknown.data(), unknown.size());
        auto refuse = [&](std::uint16_t type) {
            if (req.has(type) && n < unknown.size()) unknown[n++] = type;
        };
        refuse(attr::response_address::type);
        refuse(0x0007);  // PASSWORD
        if (!cfg_.alternate) refuse(attr::change_request::type);
        if (n > 0) {
            if (n > unknown.size()) n = unknown.size();
            return error(req, 420, "Unknown Attribute", source, local, out, nullptr, now,
                         u16_list(unknown.data(), n));
        }

        // §9: authentication, when configured.
        std::optional<integrity_key> key;
        if (cfg_.auth != auth_mechanism::none) {
            auto checked = authenticate(req, source, local, out, now, key);
            if (checked) return checked;  // an error response (or drop) decided by authenticate()
            if (!key) return std::nullopt;
        }

        bool change_ip = false, change_port = false;
        if (auto cr = req.get<attr::change_request>()) {
            change_ip = cr->change_ip;
            change_port = cr->change_port;
        } else if (req.has<attr::change_request>()) {
            return error(req, 400, "Bad Request", source, local, out, key ? &*key : nullptr, now);
        }
        endpoint to = source;
        if (auto rp = req.get<attr::response_port>()) {
            // RFC 5780 §6.1: PADDING together with RESPONSE-PORT is refused (400): a padded
            // answer aimed at another port would be an amplifier.
            if (req.has<attr::padding>()) return error(req, 400, "Bad Request", source, local, out, key ? &*key : nullptr, now);
            to.set_port(*rp);  // RFC 5780 §7.5
        }
        const endpoint from = changed(local, change_ip, change_port);
        const endpoint other = changed(local, true, true);

        message_builder b(out, method::binding, message_class::success_response, req.transaction_id(), req.cookie());
        if (classic) {
            // RFC 3489 §11.2: MAPPED-ADDRESS, SOURCE-ADDRESS, CHANGED-ADDRESS.
            b.add<attr::mapped_address>(source);
            b.add<attr::source_address>(from);
            if (cfg_.alternate) b.add<attr::changed_address>(other);
        } else {
            b.add<attr::xor_mapped_address>(source);
            // RFC 5780 §6.1: MAPPED-ADDRESS as well, so that a client can detect an ALG that
            // rewrites addresses (the two then differ), as coturn's natdiscovery does.
            b.add<attr::mapped_address>(source);
            b.add<attr::response_origin>(from);  // RFC 5780 §7.3
            if (cfg_.alternate) b.add<attr::other_address>(other);  // RFC 5780 §7.4
        }
        if (!cfg_.software.empty()) b.add<attr::software>(cfg_.software);
        add_padding(b, req, key.has_value(), classic);
        if (key) b.add_integrity(*key);
        if (!classic) b.add_fingerprint();
        auto built = b.finish();
        if (!built) return std::nullopt;
        ++stats_.answered;
        return responder_reply{*built, from, to};
    }

    /// RFC 5780 §6.1: a request with PADDING gets PADDING in the response, of the request's
    /// length where that keeps the response no larger than the request, else shorter: PADDING
    /// exists to test fragmentation, not to let a small packet trigger a big one.
    template <class Builder>
    void add_padding(Builder& b, const message_view& req, bool integrity, bool classic) const noexcept {
        const auto pad = req.find(attr::padding::type);
        if (!pad) return;
        const std::size_t trailer = (integrity ? 24u : 0u) + (classic ? 0u : 8u) + 4u;  // + PADDING header
        const std::size_t used = b.size() + trailer;
        std::size_t len = pad->value.size();
        if (used + padded_size(len) > req.size()) len = req.size() > used ? req.size() - used : 0;
        b.template add<attr::zero_padding>(len & ~std::size_t{3});
    }

    /// Returns an error reply (or drop) when the request fails authentication; otherwise
    /// leaves the reply empty and sets `key` to the key that signs the response.
    std::optional<responder_reply> authenticate(const message_view& req, const endpoint& source, const endpoint& local,
                                                mutable_bytes out, time_point now, std::optional<integrity_key>& key) {
        const bool has_mi = req.has_integrity() || req.has_integrity_sha256();
        auto user = req.get<attr::username>();
        if (cfg_.auth == auth_mechanism::short_term) {
            // §9.1.3: no MESSAGE-INTEGRITY or no USERNAME is 400; unknown user or bad MAC 401.
            if (!has_mi || !user) return error(req, 400, "Bad Request", source, local, out, nullptr, now);
            key = cfg_.credentials ? cfg_.credentials(*user) : std::nullopt;
            if (!key || req.check_integrity(*key)) {
                key.reset();
                return error(req, 401, "Unauthorized", source, local, out, nullptr, now);
            }
            return std::nullopt;
        }
        // §9.2.4 long-term: challenge first, then check realm, nonce, user, MAC.
        if (!has_mi) return error(req, 401, "Unauthorized", source, local, out, nullptr, now);
        auto realm = req.get<attr::realm>();
        auto nonce = req.get<attr::nonce>();
        if (!user || !realm || !nonce) return error(req, 400, "Bad Request", source, local, out, nullptr, now);
        if (!nonce_valid(*nonce, source, now)) return error(req, 438, "Stale Nonce", source, local, out, nullptr, now);
        key = (*realm == cfg_.realm && cfg_.credentials) ? cfg_.credentials(*user) : std::nullopt;
        if (!key || req.check_integrity(*key)) {
            key.reset();
            return error(req, 401, "Unauthorized", source, local, out, nullptr, now);
        }
        return std::nullopt;
    }

    std::optional<responder_reply> error(const message_view& req, std::uint16_t code, std::string_view reason,
                                         const endpoint& source, const endpoint& local, mutable_bytes out,
                                         const integrity_key* key, time_point now, u16_list unknown = {}) noexcept {
        message_builder b(out, req.method(), message_class::error_response, req.transaction_id(), req.cookie());
        b.add<attr::error_code>({code, reason});
        if (unknown.size() > 0) b.add<attr::unknown_attributes>(unknown);
        char nonce_text[nonce_size];
        if (cfg_.auth == auth_mechanism::long_term && (code == 401 || code == 438)) {
            b.add<attr::realm>(cfg_.realm);
            b.add<attr::nonce>(make_nonce(nonce_text, source, now));
        }
        if (!cfg_.software.empty()) b.add<attr::software>(cfg_.software);
        if (key) b.add_integrity(*key);
        if (!req.legacy()) b.add_fingerprint();
        auto built = b.finish();
        if (!built) return std::nullopt;
        ++stats_.errors;
        return responder_reply{*built, local, source};  // errors never honour CHANGE-REQUEST
    }

    // Stateless nonces (RFC 8489 §9.2: the server picks the format): 8 hex digits of the
    // expiry time in seconds, then 16 hex digits of HMAC-SHA1(secret, expiry | client IP).
    static constexpr std::size_t nonce_size = 24;

    std::string_view make_nonce(char (&text)[nonce_size], const endpoint& source, time_point now) const noexcept {
        const auto expiry = static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + cfg_.nonce_lifetime).count());
        write_nonce(text, expiry, source);
        return std::string_view(text, nonce_size);
    }
    bool nonce_valid(std::string_view nonce, const endpoint& source, time_point now) const noexcept {
        if (nonce.size() != nonce_size) return false;
        std::uint32_t expiry = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            const char c = nonce[i];
            const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (v < 0) return false;
            expiry = (expiry << 4) | static_cast<std::uint32_t>(v);
        }
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
        if (static_cast<long long>(expiry) < now_s) return false;
        char expected[nonce_size];
        write_nonce(expected, expiry, source);
        return detail::constant_time_equal(expected, nonce.data(), nonce_size);
    }
    void write_nonce(char (&text)[nonce_size], std::uint32_t expiry, const endpoint& source) const noexcept {
        static constexpr char hex[] = "0123456789abcdef";
        detail::hmac_key<detail::sha1> k(cfg_.nonce_secret.data(), cfg_.nonce_secret.size());
        detail::hmac<detail::sha1> h(k);
        std::uint8_t e[4];
        detail::store_be32(e, expiry);
        h.update(e, 4);
        h.update(source.address().data(), source.address().size());
        const auto mac = h.finish();
        for (std::size_t i = 0; i < 4; ++i) {
            text[2 * i] = hex[e[i] >> 4];
            text[2 * i + 1] = hex[e[i] & 0xF];
        }
        for (std::size_t i = 0; i < 8; ++i) {
            text[8 + 2 * i] = hex[mac[i] >> 4];
            text[8 + 2 * i + 1] = hex[mac[i] & 0xF];
        }
    }

    responder_config cfg_;
    responder_stats stats_;
};

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_BINDING_RESPONDER_HPP
