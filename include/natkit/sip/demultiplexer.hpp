// natkit/sip/demultiplexer.hpp - routes the datagrams of a shared socket to per-protocol handlers.
//
// A PBX's SIP socket carries SIP and the STUN keepalives/binding requests that learn its public
// address; a media socket carries RTP, RTCP, DTLS(-SRTP), ZRTP, TURN ChannelData and ICE's STUN.
// natkit::classify (core/packet_kind.hpp) tells them apart by RFC 7983 §7 first-byte rules, SIP
// text (RFC 3261 §7) and RFC 5626 §4.4.1 CRLF keepalives; the demultiplexer calls the handler
// member for the kind, with whatever context the caller passes along (e.g. the source endpoint):
//
//     struct handlers {
//         void on_stun(bytes_view d, const endpoint& from) { stun_client.on_datagram(d, from); }
//         void on_sip(bytes_view d, const endpoint& from) { sip_stack.receive(d.as_chars(), from); }
//         void on_other(packet_kind k, bytes_view d, const endpoint& from) { ++dropped; }
//     };
//     sip::demultiplexer<handlers> demux{handlers{}};
//     auto r = demux.dispatch(datagram, source);
//     if (!r.reply.empty()) socket.send_to(r.reply, source);  // the RFC 5626 pong
//
// Handler members, each optional: on_stun, on_sip, on_rtp, on_rtcp, on_dtls, on_zrtp,
// on_turn_channel, on_crlf_ping, on_crlf_pong, taking (bytes_view, context...); and
// on_other(packet_kind, bytes_view, context...) for every kind without its own member
// (including packet_kind::unknown). A datagram no member takes is dropped, and counted.
// Sans-I/O and allocation-free: the handler gets a view of the caller's datagram.
#ifndef NATKIT_SIP_DEMULTIPLEXER_HPP
#define NATKIT_SIP_DEMULTIPLEXER_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/packet_kind.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sip {

/// What demultiplexer::dispatch did with one datagram.
struct dispatch_result {
    packet_kind kind = packet_kind::unknown;  ///< what the datagram is
    bool handled = false;                     ///< a handler member was called
    /// Bytes to send back to the datagram's source: the single-CRLF "pong" that answers an
    /// RFC 5626 §4.4.1 double-CRLF "ping" (when answer_keepalives()); otherwise empty.
    bytes_view reply;
};

namespace detail {

#define NATKIT_SIP_DETAIL_HAS_MEMBER(name)                                                                       \
    template <class H, class Args, class = void>                                                                 \
    struct has_##name : std::false_type {};                                                                      \
    template <class H, class... Args>                                                                            \
    struct has_##name<H, void(Args...), std::void_t<decltype(std::declval<H&>().name(std::declval<Args>()...))>> \
        : std::true_type {};

NATKIT_SIP_DETAIL_HAS_MEMBER(on_stun)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_sip)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_rtp)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_rtcp)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_dtls)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_zrtp)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_turn_channel)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_crlf_ping)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_crlf_pong)
NATKIT_SIP_DETAIL_HAS_MEMBER(on_other)

#undef NATKIT_SIP_DETAIL_HAS_MEMBER

/// The RFC 5626 §4.4.1 pong.
inline constexpr std::uint8_t crlf_pong[2] = {'\r', '\n'};

}  // namespace detail

/// Calls the member of `Handler` that matches each datagram's packet_kind. See the top of this
/// header for the members it looks for.
template <class Handler>
class demultiplexer {
public:
    /// A demultiplexer that calls the members of `handler`.
    explicit demultiplexer(Handler handler) noexcept(std::is_nothrow_move_constructible_v<Handler>)
        : handler_(std::move(handler)) {}

    /// Classifies `datagram` and hands it, with `context...`, to the handler member for its
    /// kind (or on_other). The handler sees a view: copy what must outlive the call.
    template <class... Context>
    dispatch_result dispatch(bytes_view datagram, Context&&... context) {
        dispatch_result r;
        r.kind = classify(datagram);
        ++counts_[static_cast<std::size_t>(r.kind)];
        switch (r.kind) {
            case packet_kind::stun:
                r.handled = call<detail::has_on_stun>([&](auto& h) { h.on_stun(datagram, context...); }, r.kind,
                                                      datagram, context...);
                break;
            case packet_kind::sip:
                r.handled = call<detail::has_on_sip>([&](auto& h) { h.on_sip(datagram, context...); }, r.kind, datagram,
                                                     context...);
                break;
            case packet_kind::rtp:
                r.handled = call<detail::has_on_rtp>([&](auto& h) { h.on_rtp(datagram, context...); }, r.kind, datagram,
                                                     context...);
                break;
            case packet_kind::rtcp:
                r.handled = call<detail::has_on_rtcp>([&](auto& h) { h.on_rtcp(datagram, context...); }, r.kind,
                                                      datagram, context...);
                break;
            case packet_kind::dtls:
                r.handled = call<detail::has_on_dtls>([&](auto& h) { h.on_dtls(datagram, context...); }, r.kind,
                                                      datagram, context...);
                break;
            case packet_kind::zrtp:
                r.handled = call<detail::has_on_zrtp>([&](auto& h) { h.on_zrtp(datagram, context...); }, r.kind,
                                                      datagram, context...);
                break;
            case packet_kind::turn_channel:
                r.handled = call<detail::has_on_turn_channel>([&](auto& h) { h.on_turn_channel(datagram, context...); },
                                                              r.kind, datagram, context...);
                break;
            case packet_kind::crlf_ping:
                r.handled = call<detail::has_on_crlf_ping>([&](auto& h) { h.on_crlf_ping(datagram, context...); },
                                                           r.kind, datagram, context...);
                if (answer_keepalives_) r.reply = bytes_view(detail::crlf_pong, sizeof detail::crlf_pong);
                break;
            case packet_kind::crlf_pong:
                r.handled = call<detail::has_on_crlf_pong>([&](auto& h) { h.on_crlf_pong(datagram, context...); },
                                                           r.kind, datagram, context...);
                break;
            case packet_kind::unknown:
                r.handled = call_other(r.kind, datagram, context...);
                break;
        }
        if (!r.handled) ++dropped_;
        return r;
    }

    /// Whether dispatch() offers the CRLF pong for a CRLF ping (on by default).
    void answer_keepalives(bool on) noexcept { answer_keepalives_ = on; }
    /// Whether dispatch() offers the CRLF pong.
    bool answer_keepalives() const noexcept { return answer_keepalives_; }

    /// Datagrams dispatched so far of kind `k`.
    std::uint64_t count(packet_kind k) const noexcept { return counts_[static_cast<std::size_t>(k)]; }
    /// Datagrams no handler member took.
    std::uint64_t dropped() const noexcept { return dropped_; }

    ///@{
    /// The handler.
    Handler& handler() noexcept { return handler_; }
    const Handler& handler() const noexcept { return handler_; }
    ///@}

private:
    template <template <class, class, class> class Has, class Call, class... Context>
    bool call(Call&& member, packet_kind kind, bytes_view datagram, Context&... context) {
        if constexpr (Has<Handler, void(bytes_view, Context & ...), void>::value) {
            member(handler_);
            return true;
        } else {
            return call_other(kind, datagram, context...);
        }
    }

    template <class... Context>
    bool call_other(packet_kind kind, bytes_view datagram, Context&... context) {
        if constexpr (detail::has_on_other<Handler, void(packet_kind, bytes_view, Context & ...), void>::value) {
            handler_.on_other(kind, datagram, context...);
            return true;
        } else {
            (void)kind;
            (void)datagram;
            ((void)context, ...);
            return false;
        }
    }

    static_assert(static_cast<std::size_t>(packet_kind::crlf_pong) == 9, "one counter per packet_kind");
    Handler handler_;
    std::array<std::uint64_t, 10> counts_{};
    std::uint64_t dropped_ = 0;
    bool answer_keepalives_ = true;
};

}  // namespace sip
NATKIT_END_NAMESPACE

#endif  // NATKIT_SIP_DEMULTIPLEXER_HPP
