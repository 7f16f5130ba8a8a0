// natkit/stun/binding_client.hpp - the client side of one STUN Binding request (RFC 8489 §6,
// §9.2, §10; RFC 5780 §7; RFC 3489 interop), sans-I/O.
//
//     stun::binding_request_options opt;
//     opt.server = stun_server;                                  // e.g. 203.0.113.5:3478
//     stun::binding_client c(opt, stun::transaction_id::generate(rng), now);
//     send(c.request(), c.destination());                         // the first transmission
//     // event loop: wake at c.deadline(), feed datagrams from the socket
//     if (c.on_timer(now)) send(c.request(), c.destination());    // retransmission
//     switch (c.on_response(msg, from, now)) {
//     case stun::response_verdict::not_mine: /* someone else's datagram */ break;
//     case stun::response_verdict::send_again: send(c.request(), c.destination()); break;  // 300/401/438
//     case stun::response_verdict::done: use(c.result()); break;  // state(): succeeded or failed
//     }
//
// No sockets, no clock, no heap: time comes in as steady_clock time points, the request is built
// into a buffer inside the object, and the result is copied out of the response so it outlives
// the datagram.
#ifndef NATKIT_STUN_BINDING_CLIENT_HPP
#define NATKIT_STUN_BINDING_CLIENT_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/result.hpp"
#include "natkit/stun/attribute.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/sha256.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/integrity_key.hpp"
#include "natkit/stun/message.hpp"
#include "natkit/stun/retransmission.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// What to ask for in one Binding request and how to run the transaction.
struct binding_request_options {
    /// Where the request goes first (a 300 Try Alternate may move it, see binding_client).
    endpoint server;
    /// RFC 5780 §7.2 CHANGE-REQUEST (also RFC 3489 §11.2.4). The answer then legitimately comes
    /// from another address or port, so the source check on responses is skipped.
    std::optional<change_request_value> change_request;
    /// RFC 5780 §7.5 RESPONSE-PORT: the server answers to this port of the client's address.
    /// The response arrives on another socket; the caller routes it to this object.
    std::optional<std::uint16_t> response_port;
    /// RFC 5780 §7.6 PADDING: this many (zero) bytes, to probe fragmentation. 0: no PADDING.
    std::size_t padding = 0;
    /// RFC 8489 §14.14 SOFTWARE; empty: none. Borrowed: the caller keeps it alive.
    std::string_view software;
    /// RFC 8489 §14.7 FINGERPRINT as the last attribute (never in a legacy_rfc3489 request).
    bool fingerprint = true;
    /// RFC 8489 §6.2.1 timers (RTO, Rc, Rm) and §6.2.2 Ti.
    retransmission_policy policy;
    /// UDP retransmits; a stream transport (TCP/TLS) only times out after Ti.
    transport_kind transport = transport_kind::udp;
    /// Long-term credentials (RFC 8489 §9.2), used only when the server challenges with 401.
    /// Borrowed: the caller keeps them alive as long as the binding_client. Pass them already
    /// prepared with OpaqueString (see integrity_key.hpp). An empty username means "none".
    std::string_view username;
    /// The long-term password (see username).
    std::string_view password;
    /// Send a classic RFC 3489 request: bytes 4-7 carry 32 bits derived from the transaction id
    /// instead of the magic cookie (the 128-bit classic id, RFC 8489 §5), and no FINGERPRINT.
    bool legacy_rfc3489 = false;
    /// Accept responses from any source address. Otherwise, over UDP, a response must come from
    /// destination() (RFC 8489 §6.3.1.2 says the server answers from where the request went),
    /// unless change_request is set. An IPv4-mapped IPv6 source (a dual-stack socket) matches
    /// the IPv4 address it embeds.
    bool accept_any_source = false;
    /// Where a new transaction id comes from when the request is re-sent as a new transaction
    /// (after 300, 401, 438). When null, the new id is the first 12 bytes of
    /// SHA-256("natkit.tid" || old id): deterministic, distinct from every earlier id of this
    /// client with overwhelming probability, and as unpredictable as the original id was to
    /// anyone who did not see it. RFC 8489 §6 wants ids "cryptographically random": with a
    /// CSPRNG at hand, set this to a function that draws from it.
    stun::transaction_id (*transaction_id_generator)(void* context) = nullptr;
    /// Passed to transaction_id_generator.
    void* transaction_id_generator_context = nullptr;
};

/// Where a binding_client stands.
enum class binding_state : std::uint8_t {
    pending,    ///< waiting for a response (retransmitting over UDP)
    succeeded,  ///< a success response arrived; result() holds the mapped address
    failed,     ///< an error response, a bad response, or an unusable request; see result().failure
    timed_out,  ///< no response within the give-up time (RFC 8489 §6.2.1, §6.2.2)
};

/// What the caller does after binding_client::on_response().
enum class response_verdict : std::uint8_t {
    not_mine,    ///< not a response to this transaction (or discarded, e.g. bad integrity): ignore it
    send_again,  ///< a new transaction was started: send request() to destination() now
    done,        ///< the transaction ended: state() is succeeded or failed, result() is filled
};

/// Why a binding_client ended in binding_state::failed.
enum class binding_failure : std::uint8_t {
    none,
    error_response,       ///< the server answered with ERROR-CODE (see error_code, reason()), including
                          ///< a 300/401/438 that could not be followed (again)
    bad_response,         ///< RFC 8489 §6.3.3/§6.3.4: an unknown comprehension-required attribute,
                          ///< an error response without a valid ERROR-CODE, or a success response
                          ///< without a usable (XOR-)MAPPED-ADDRESS
    integrity_violation,  ///< RFC 8489 §9.2.5: responses to an authenticated request failed the
                          ///< integrity check (stream: at once; UDP: reported instead of a timeout)
    request_too_large,    ///< the request does not fit in binding_client::max_request_size bytes
};

/// The outcome of a Binding transaction, copied out of the response.
class binding_result {
public:
    /// Capacity of the copied ERROR-CODE reason and SOFTWARE texts (RFC 8489 §14.8, §14.14 allow
    /// fewer than 128 characters, up to 763 bytes); longer texts are cut at a UTF-8 boundary.
    static constexpr std::size_t max_text_size = 128;

    /// The reflexive address: XOR-MAPPED-ADDRESS (RFC 8489 §14.2), else MAPPED-ADDRESS
    /// (§14.1, what classic RFC 3489 servers send). Empty unless state() is succeeded.
    std::optional<endpoint> mapped_address;
    /// True when mapped_address came from XOR-MAPPED-ADDRESS.
    bool xor_mapped = false;
    /// Where the final response came from.
    endpoint from;
    std::optional<endpoint> other_address;    ///< RFC 5780 §7.4 OTHER-ADDRESS
    std::optional<endpoint> response_origin;  ///< RFC 5780 §7.3 RESPONSE-ORIGIN
    std::optional<endpoint> changed_address;  ///< RFC 3489 §11.2.3 CHANGED-ADDRESS
    std::optional<endpoint> source_address;   ///< RFC 3489 §11.2.5 SOURCE-ADDRESS
    /// ERROR-CODE of the final error response (300-699); 0 when there was none.
    std::uint16_t error_code = 0;
    /// Why the transaction failed; binding_failure::none when it succeeded.
    binding_failure failure = binding_failure::none;
    /// Time from the first transmission of the final transaction to its response. With one
    /// transmission it is a true RTT sample; after retransmissions it is only an upper bound,
    /// because the response cannot be matched to the transmission that caused it (Karn's
    /// algorithm, RFC 8489 §6.2.1): then rtt_reliable is false and the value must not be fed
    /// to an rto_estimator. Zero when no response arrived.
    std::chrono::steady_clock::duration rtt{};
    /// True when rtt is a true round-trip sample (one transmission).
    bool rtt_reliable = false;
    /// Requests sent in the final transaction (1 to Rc).
    unsigned transmissions = 0;
    /// Transactions run: 1, plus one per followed 300, answered 401 or 438.
    unsigned transactions = 0;

    /// The ERROR-CODE reason phrase (possibly truncated); empty when none.
    std::string_view reason() const noexcept { return {reason_.data(), reason_size_}; }
    /// The response's SOFTWARE (possibly truncated); empty when none.
    std::string_view software() const noexcept { return {software_.data(), software_size_}; }

private:
    friend class binding_client;
    std::array<char, max_text_size> reason_{};
    std::array<char, max_text_size> software_{};
    std::size_t reason_size_ = 0;
    std::size_t software_size_ = 0;
};

namespace detail {

/// Copies up to `capacity` bytes of `text`, cut before a UTF-8 continuation byte so that no
/// character is split; returns the number copied.
inline std::size_t copy_utf8_prefix(char* out, std::size_t capacity, std::string_view text) noexcept {
    std::size_t n = text.size() <= capacity ? text.size() : capacity;
    if (n < text.size()) {
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0u) == 0x80u) --n;
    }
    if (n != 0) std::memcpy(out, text.data(), n);
    return n;
}

/// Transport addresses compare equal also when one is the IPv4-mapped IPv6 form
/// (\::ffff:a.b.c.d, RFC 4291 §2.5.5.2) of the other, as a dual-stack socket reports them.
inline endpoint unmap_v4(const endpoint& e) noexcept {
    if (!e.address().is_v4_mapped()) return e;
    return endpoint(ip_address::v4_bytes(e.address().data() + 12), e.port());
}
inline bool same_transport_address(const endpoint& a, const endpoint& b) noexcept {
    return unmap_v4(a) == unmap_v4(b);
}

/// The STUN Security Features announced by a "nonce cookie" (RFC 8489 §9.2, §18.1): "obMatJos2"
/// followed by the base64 encoding of 24 feature bits, bit 0 being the most significant.
struct nonce_features {
    bool cookie = false;
    bool password_algorithms = false;  ///< bit 0
    bool username_anonymity = false;   ///< bit 1
};
inline nonce_features parse_nonce_cookie(std::string_view nonce) noexcept {
    constexpr std::string_view prefix = "obMatJos2";
    nonce_features f;
    if (nonce.size() < prefix.size() + 4 || nonce.substr(0, prefix.size()) != prefix) return f;
    // Only the first base64 character matters: it carries feature bits 0-5 (RFC 4648 §4).
    const char c = nonce[prefix.size()];
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    if (v < 0) return f;
    f.cookie = true;
    f.password_algorithms = (v & 0x20) != 0;
    f.username_anonymity = (v & 0x10) != 0;
    return f;
}

/// SHA-256(tag || id), for the derived ids and classic cookies documented on the options.
inline sha256::digest tagged_hash(std::string_view tag, const transaction_id& id) noexcept {
    sha256 h;
    h.update(tag.data(), tag.size());
    h.update(id.bytes.data(), id.bytes.size());
    return h.finish();
}
inline transaction_id derive_transaction_id(const transaction_id& old) noexcept {
    return transaction_id::from(tagged_hash("natkit.tid", old).data());
}
/// The 32 bits a classic request carries in bytes 4-7; never the magic cookie, else the server
/// would take the request for an RFC 5389/8489 one.
inline std::uint32_t classic_cookie(const transaction_id& id) noexcept {
    const std::uint32_t c = load_be32(tagged_hash("natkit.rfc3489", id).data());
    return c == magic_cookie ? c ^ 1u : c;
}

}  // namespace detail

/// One Binding request from the client's point of view: builds it, says when to retransmit and
/// when to give up (RFC 8489 §6.2), matches responses, and follows at most one 300 Try
/// Alternate (§10) and the long-term credential challenge (§9.2.5: one 401, one 438) by
/// starting a new transaction. The object is self-contained (no heap; about 4 KB, mostly
/// the request buffer, REALM and NONCE copies and the HMAC key states), except that the
/// string_views in the options are borrowed.
///
/// Time: the constructor's `now` is the first transmission; the caller sends request() to
/// destination() right after constructing, and again whenever on_timer() returns true or
/// on_response() returns send_again. Over a stream transport a send_again after a 300 needs a
/// connection to the new destination() (RFC 8489 §10: "using the same transport protocol").
///
/// Responses to a request that carries MESSAGE-INTEGRITY(-SHA256) must pass the integrity
/// check with the long-term key, except 401 and 438 (the server could not compute it); over UDP
/// the others are discarded (not_mine) and retransmission goes on, and if the transaction then
/// times out it ends as failed with binding_failure::integrity_violation instead of timed_out;
/// over a stream the transaction ends at once with that failure (RFC 8489 §9.2.5).
class binding_client {
public:
    ///@{
    /// The clock the client is driven with (the caller passes its time points).
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;
    using duration = clock::duration;
    ///@}

    /// Capacity of the request buffer: the IPv6 minimum MTU (RFC 8200 §5), the size RFC 8489
    /// §6.1 names for UDP when the path MTU is unknown.
    static constexpr std::size_t max_request_size = 1280;
    /// RFC 8489 §14.9, §14.10: REALM and NONCE are at most 763 bytes.
    static constexpr std::size_t max_realm_size = 763;
    /// The NONCE limit (RFC 8489 §14.10).
    static constexpr std::size_t max_nonce_size = 763;
    /// PASSWORD-ALGORITHMS values longer than this (32 entries without parameters) cannot be
    /// echoed; such a challenge ends the transaction as failed.
    static constexpr std::size_t max_password_algorithms_size = 128;

    /// Builds the request (first transaction, without credentials: RFC 8489 §9.2.3.1) and
    /// starts the timer at `now`, the time of the first transmission. If the request does not
    /// fit (e.g. a huge padding), state() is failed with binding_failure::request_too_large,
    /// build_error() says why and request() is empty.
    binding_client(const binding_request_options& options, const stun::transaction_id& id, time_point now) noexcept
        : options_(options), destination_(options.server), tid_(id), timer_(options.policy, options.transport, now) {
        cookie_ = options_.legacy_rfc3489 ? detail::classic_cookie(tid_) : magic_cookie;
        if (!build()) fail_locally(binding_failure::request_too_large);
    }

    /// The request to send (again): valid until the next on_response() that returns send_again.
    bytes_view request() const noexcept { return bytes_view(request_.data(), request_size_); }
    /// Where to send it: options.server, or the ALTERNATE-SERVER after a followed 300.
    endpoint destination() const noexcept { return destination_; }
    /// When on_timer() next has something to do; time_point::max() once the transaction ended.
    time_point deadline() const noexcept {
        return state_ == binding_state::pending ? timer_.deadline() : time_point::max();
    }

    /// Returns true when request() must be sent again now (RFC 8489 §6.2.1; at most one
    /// retransmission per call, see retransmission_timer). After the give-up time state()
    /// becomes timed_out (or failed, see the class comment) and this returns false.
    bool on_timer(time_point now) noexcept {
        if (state_ != binding_state::pending) return false;
        switch (timer_.on_timer(now)) {
        case timer_event::none: return false;
        case timer_event::retransmit: return true;
        case timer_event::timed_out: break;
        }
        result_ = binding_result{};
        result_.transmissions = timer_.transmissions();
        result_.transactions = transactions_;
        if (integrity_failures_ != 0) {
            // §9.2.5: "instead of signaling a timeout ... signal that the integrity protection
            // was violated".
            result_.failure = binding_failure::integrity_violation;
            state_ = binding_state::failed;
        } else {
            state_ = binding_state::timed_out;
        }
        return false;
    }

    /// Offers a received STUN message (parsed by the caller) that arrived from `from` at `now`.
    /// See response_verdict; the result is complete when this returns done.
    response_verdict on_response(const message_view& response, const endpoint& from, time_point now) noexcept {
        if (state_ != binding_state::pending) return response_verdict::not_mine;  // late or duplicate
        if (!response.is_success_response() && !response.is_error_response()) return response_verdict::not_mine;
        if (response.method() != method::binding) return response_verdict::not_mine;
        // RFC 8489 §6.3: the transaction id must match one in progress; for a classic request the
        // id has 128 bits, so bytes 4-7 must match too (for a modern one: the magic cookie).
        if (response.cookie() != cookie_ || response.transaction_id() != tid_) return response_verdict::not_mine;
        // §6.3.1.2: over UDP the response comes from where the request was sent, unless
        // CHANGE-REQUEST asked for another address or port (RFC 5780 §7.2).
        if (options_.transport == transport_kind::udp && !options_.accept_any_source && !options_.change_request &&
            !detail::same_transport_address(from, destination_))
            return response_verdict::not_mine;
        // §7, §6.3: a wrong FINGERPRINT means this is not (our) STUN. Its absence is tolerated:
        // many servers omit it, and classic ones cannot send it.
        if (response.has_fingerprint() && response.check_fingerprint()) return response_verdict::not_mine;

        std::optional<error_value> error;
        if (response.is_error_response()) {
            auto e = response.get<attr::error_code>();
            if (e) error = *e;
        }
        const bool challenge = error && (error->code == 401 || error->code == 438);

        // §9.2.5: every other response to an authenticated request must carry a valid
        // MESSAGE-INTEGRITY(-SHA256) (which also discards a forged 400 without one).
        if (authenticated_ && !challenge && response.check_integrity(key_)) {
            ++integrity_failures_;
            if (options_.transport == transport_kind::udp) return response_verdict::not_mine;
            result_ = binding_result{};
            result_.from = from;
            result_.transmissions = timer_.transmissions();
            result_.transactions = transactions_;
            result_.failure = binding_failure::integrity_violation;
            state_ = binding_state::failed;
            return response_verdict::done;
        }
        // §9.2.5: "For all other responses, if the NONCE attribute starts with the 'nonce
        // cookie' with ... 'Password algorithms' bit set to 1 but PASSWORD-ALGORITHMS is not
        // present, the response MUST be ignored" (a bid-down attempt).
        if (!challenge) {
            const auto nonce_attr = response.get<attr::nonce>();
            if (nonce_attr && detail::parse_nonce_cookie(*nonce_attr).password_algorithms &&
                !response.has<attr::password_algorithms>())
                return response_verdict::not_mine;
        }

        // §6.3.3, §6.3.4: unknown comprehension-required attributes fail the transaction.
        if (response.unknown_required_attributes(nullptr, 0) != 0) {
            complete(response, from, now, binding_state::failed, binding_failure::bad_response);
            return response_verdict::done;
        }

        if (response.is_success_response()) return on_success(response, from, now);
        if (!error) {  // §6.3.4: no (valid) ERROR-CODE
            complete(response, from, now, binding_state::failed, binding_failure::bad_response);
            return response_verdict::done;
        }
        if (error->code == 300) return on_try_alternate(response, from, now);
        if (challenge) return on_challenge(response, from, now, error->code);
        // §6.3.4: 4xx fail; 5xx MAY be retried, natkit leaves that to the caller (a new client).
        complete(response, from, now, binding_state::failed, binding_failure::error_response);
        return response_verdict::done;
    }

    /// As on_response(), for raw bytes: anything that does not parse as STUN is not_mine.
    response_verdict on_datagram(bytes_view datagram, const endpoint& from, time_point now) noexcept {
        auto msg = message_view::parse(datagram);
        if (!msg) return response_verdict::not_mine;
        return on_response(*msg, from, now);
    }

    /// Where the transaction stands.
    binding_state state() const noexcept { return state_; }
    /// Filled when the transaction ended (state() is not pending).
    const binding_result& result() const noexcept { return result_; }

    /// The id of the current transaction (changes with each send_again).
    const stun::transaction_id& transaction_id() const noexcept { return tid_; }
    /// Bytes 4-7 of the request: the magic cookie, or the classic request's extra 32 id bits.
    std::uint32_t cookie() const noexcept { return cookie_; }
    /// Requests sent in the current transaction so far.
    unsigned transmissions() const noexcept { return timer_.transmissions(); }
    /// Why the request could not be built (stun::errc::buffer_too_small, value_too_long, ...).
    std::error_code build_error() const noexcept { return build_error_; }
    /// True when the current request carries long-term credentials (after a 401 or 438).
    bool authenticated() const noexcept { return authenticated_; }
    /// The options this client was made with (destination() may differ from options().server).
    const binding_request_options& options() const noexcept { return options_; }

private:
    std::string_view realm() const noexcept { return {realm_.data(), realm_size_}; }
    std::string_view nonce() const noexcept { return {nonce_.data(), nonce_size_}; }

    bool build() noexcept {
        message_builder b(mutable_bytes(request_.data(), request_.size()), method::binding, message_class::request,
                          tid_, cookie_);
        if (authenticated_) {
            // §9.2.5: USERHASH when the nonce cookie announces "Username anonymity", else USERNAME;
            // REALM and NONCE copied from the challenge; PASSWORD-ALGORITHMS echoed unchanged
            // with the chosen PASSWORD-ALGORITHM (the server checks both, §9.2.4).
            if (userhash_) {
                const auto hash = make_userhash(options_.username, realm());
                b.add<attr::userhash>(bytes_view(hash));
            } else {
                b.add<attr::username>(options_.username);
            }
            b.add<attr::realm>(realm());
            b.add<attr::nonce>(nonce());
            if (algorithms_size_ != 0) {
                b.add_raw(attr::password_algorithms::type, bytes_view(algorithms_.data(), algorithms_size_));
                b.add<attr::password_algorithm>(password_algorithm_value{static_cast<std::uint16_t>(algorithm_), {}});
            }
        }
        if (options_.change_request) b.add<attr::change_request>(*options_.change_request);
        if (options_.response_port) b.add<attr::response_port>(*options_.response_port);
        // RFC 3489 has no SOFTWARE, and classic servers (stund) reject a 0x8022 whose length is not a
        // multiple of 4: a classic request goes without it.
        if (!options_.software.empty() && !options_.legacy_rfc3489) b.add<attr::software>(options_.software);
        if (options_.padding != 0) b.add<attr::zero_padding>(options_.padding);
        if (authenticated_) {
            // §9.2.5: "If the response contains a PASSWORD-ALGORITHMS attribute, all the
            // subsequent requests MUST be authenticated using MESSAGE-INTEGRITY-SHA256 only";
            // without it the server is an RFC 5389 one, which knows only MESSAGE-INTEGRITY.
            if (algorithms_size_ != 0) b.add_integrity_sha256(key_);
            else b.add_integrity(key_);
        }
        // RFC 8489 §7: FINGERPRINT "is not backwards compatible with RFC 3489".
        if (options_.fingerprint && !options_.legacy_rfc3489) b.add_fingerprint();
        auto built = b.finish();
        if (!built) {
            build_error_ = built.error();
            request_size_ = 0;
            return false;
        }
        build_error_ = {};
        request_size_ = built->size();
        return true;
    }

    /// Starts a new transaction (RFC 8489 §10, §9.2.5 both say "a new transaction"): new id,
    /// rebuilt request, fresh timer with `now` as its first transmission.
    response_verdict restart(time_point now) noexcept {
        stun::transaction_id next;
        if (options_.transaction_id_generator) next = options_.transaction_id_generator(options_.transaction_id_generator_context);
        if (!options_.transaction_id_generator || next == tid_) next = detail::derive_transaction_id(tid_);
        tid_ = next;
        cookie_ = options_.legacy_rfc3489 ? detail::classic_cookie(tid_) : magic_cookie;
        ++transactions_;
        timer_ = retransmission_timer(options_.policy, options_.transport, now);
        integrity_failures_ = 0;
        if (!build()) {
            fail_locally(binding_failure::request_too_large);
            return response_verdict::done;
        }
        return response_verdict::send_again;
    }

    response_verdict on_success(const message_view& response, const endpoint& from, time_point now) noexcept {
        std::optional<endpoint> mapped;
        bool via_xor = false;
        // RFC 8489 §12 (RFC 5389 §12.2): a server answering a classic request sends
        // MAPPED-ADDRESS; an XOR-MAPPED-ADDRESS there would be XOR-ed with no cookie.
        if (!response.legacy()) {
            auto x = response.get<attr::xor_mapped_address>();
            if (x) {
                mapped = *x;
                via_xor = true;
            }
        }
        if (!mapped) {
            auto m = response.get<attr::mapped_address>();
            if (m) mapped = *m;
        }
        if (!mapped) {
            complete(response, from, now, binding_state::failed, binding_failure::bad_response);
            return response_verdict::done;
        }
        complete(response, from, now, binding_state::succeeded, binding_failure::none);
        result_.mapped_address = mapped;
        result_.xor_mapped = via_xor;
        return response_verdict::done;
    }

    /// RFC 8489 §10: follow ALTERNATE-SERVER once, to a server of the same address family (the
    /// first such attribute: the server puts the same-family one first and MAY add one of the
    /// other family). A second 300, a 300 without a usable ALTERNATE-SERVER, or one pointing
    /// back at the current server (a redirection loop) fails with error_code 300.
    /// The alternate server is a new server: the request to it starts without credentials
    /// (§9.2.3.1) and the same username and password answer its challenge.
    response_verdict on_try_alternate(const message_view& response, const endpoint& from, time_point now) noexcept {
        std::optional<endpoint> alternate;
        if (!redirected_) {
            for (const attribute& a : response) {
                if (a.type != attr::alternate_server::type) continue;
                auto ep = attr::alternate_server::decode(a.value, response.context());
                if (ep && detail::unmap_v4(*ep).family() == detail::unmap_v4(destination_).family()) {
                    alternate = *ep;
                    break;
                }
            }
        }
        if (!alternate || detail::same_transport_address(*alternate, destination_) ||
            detail::same_transport_address(*alternate, options_.server)) {
            complete(response, from, now, binding_state::failed, binding_failure::error_response);
            return response_verdict::done;
        }
        redirected_ = true;
        destination_ = *alternate;
        authenticated_ = false;
        challenge_answered_ = false;
        stale_nonce_answered_ = false;
        return restart(now);
    }

    /// RFC 8489 §9.2.5: answer a 401 once (the retry MUST change something: it adds the
    /// credentials), and a 438 Stale Nonce once, with REALM and NONCE from the response.
    response_verdict on_challenge(const message_view& response, const endpoint& from, time_point now,
                                  std::uint16_t code) noexcept {
        const auto give_up = [&]() {
            complete(response, from, now, binding_state::failed, binding_failure::error_response);
            return response_verdict::done;
        };
        if (options_.username.empty()) return give_up();
        bool& answered = code == 401 ? challenge_answered_ : stale_nonce_answered_;
        if (answered) return give_up();
        const auto realm_value = response.get<attr::realm>();
        const auto nonce_value = response.get<attr::nonce>();
        if (!realm_value || !nonce_value) return give_up();
        if (realm_value->size() > max_realm_size || nonce_value->size() > max_nonce_size) return give_up();
        const detail::nonce_features features = detail::parse_nonce_cookie(*nonce_value);

        const bool offers_algorithms = response.has<attr::password_algorithms>();
        // §9.2.5: a nonce cookie announcing PASSWORD-ALGORITHMS without the attribute means it was
        // stripped on the way (bid-down): "the client MUST NOT retry".
        if (features.password_algorithms && !offers_algorithms) return give_up();
        stun::password_algorithm chosen = stun::password_algorithm::md5;
        bytes_view algorithms_wire;
        if (offers_algorithms) {
            const auto list = response.get<attr::password_algorithms>();
            if (!list || list->wire().size() > max_password_algorithms_size) return give_up();
            // §9.2.5: "a PASSWORD-ALGORITHM attribute with the first algorithm supported on the
            // list" (the server lists them in its order of preference, §9.2.4).
            bool found = false;
            list->for_each([&](const password_algorithm_value& v) {
                if (found) return;
                if (v.algorithm == static_cast<std::uint16_t>(stun::password_algorithm::md5) ||
                    v.algorithm == static_cast<std::uint16_t>(stun::password_algorithm::sha256)) {
                    chosen = static_cast<stun::password_algorithm>(v.algorithm);
                    found = true;
                }
            });
            if (!found) return give_up();  // §9.2.5: none supported, "MUST NOT retry"
            algorithms_wire = list->wire();
        }

        answered = true;
        realm_size_ = realm_value->size();
        if (realm_size_ != 0) std::memcpy(realm_.data(), realm_value->data(), realm_size_);
        nonce_size_ = nonce_value->size();
        if (nonce_size_ != 0) std::memcpy(nonce_.data(), nonce_value->data(), nonce_size_);
        algorithms_size_ = algorithms_wire.size();
        if (algorithms_size_ != 0) std::memcpy(algorithms_.data(), algorithms_wire.data(), algorithms_size_);
        algorithm_ = chosen;
        userhash_ = features.username_anonymity;
        // §9.2.2: key = MD5 or SHA-256 of username ":" realm ":" password.
        key_ = integrity_key::long_term(options_.username, realm(), options_.password, chosen);
        authenticated_ = true;
        return restart(now);
    }

    /// Ends the transaction on a response: copies what a caller may want out of it.
    void complete(const message_view& response, const endpoint& from, time_point now, binding_state s,
                  binding_failure f) noexcept {
        result_ = binding_result{};
        result_.from = from;
        result_.failure = f;
        result_.transmissions = timer_.transmissions();
        result_.transactions = transactions_;
        result_.rtt = now - timer_.first_send();
        result_.rtt_reliable = timer_.transmissions() == 1;  // Karn: see binding_result::rtt
        copy_address<attr::other_address>(response, result_.other_address);
        copy_address<attr::response_origin>(response, result_.response_origin);
        copy_address<attr::changed_address>(response, result_.changed_address);
        copy_address<attr::source_address>(response, result_.source_address);
        if (const auto sw = response.get<attr::software>())
            result_.software_size_ = detail::copy_utf8_prefix(result_.software_.data(), result_.software_.size(), *sw);
        if (response.is_error_response()) {
            if (const auto e = response.get<attr::error_code>()) {
                result_.error_code = e->code;
                result_.reason_size_ = detail::copy_utf8_prefix(result_.reason_.data(), result_.reason_.size(), e->reason);
            }
        }
        state_ = s;
    }

    template <class Trait>
    static void copy_address(const message_view& response, std::optional<endpoint>& out) noexcept {
        auto v = response.get<Trait>();
        if (v) out = *v;
    }

    void fail_locally(binding_failure f) noexcept {
        result_ = binding_result{};
        result_.failure = f;
        result_.transactions = transactions_;
        state_ = binding_state::failed;
    }

    binding_request_options options_;
    endpoint destination_;
    stun::transaction_id tid_;
    std::uint32_t cookie_ = magic_cookie;
    retransmission_timer timer_;
    binding_state state_ = binding_state::pending;
    binding_result result_;
    unsigned transactions_ = 1;
    unsigned integrity_failures_ = 0;
    bool redirected_ = false;
    // Long-term credential state (RFC 8489 §9.2), from the last 401/438.
    bool authenticated_ = false;
    bool challenge_answered_ = false;
    bool stale_nonce_answered_ = false;
    bool userhash_ = false;
    stun::password_algorithm algorithm_ = stun::password_algorithm::md5;
    std::size_t realm_size_ = 0;
    std::size_t nonce_size_ = 0;
    std::size_t algorithms_size_ = 0;
    std::size_t request_size_ = 0;
    std::error_code build_error_;
    integrity_key key_;
    std::array<char, max_realm_size> realm_{};
    std::array<char, max_nonce_size> nonce_{};
    std::array<std::uint8_t, max_password_algorithms_size> algorithms_{};
    std::array<std::uint8_t, max_request_size> request_{};
};

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_BINDING_CLIENT_HPP
