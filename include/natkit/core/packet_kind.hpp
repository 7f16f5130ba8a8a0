// natkit/core/packet_kind.hpp - what a datagram on a shared socket is, from its first bytes.
//
// One UDP port often carries several protocols: SIP and STUN on a PBX's signalling socket;
// RTP, RTCP, DTLS, ZRTP, TURN channel data and STUN on a media socket. RFC 7983 §7 tells
// them apart by the first byte; SIP (RFC 3261 §7) is text, and RFC 5626 §4.4.1 keepalives
// are a bare CRLF pair ("ping") or a single CRLF ("pong").
#ifndef NATKIT_CORE_PACKET_KIND_HPP
#define NATKIT_CORE_PACKET_KIND_HPP

#include <cstdint>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"

NATKIT_BEGIN_NAMESPACE

enum class packet_kind : std::uint8_t {
    unknown,
    stun,          ///< RFC 7983: first byte 0-3, and a plausible STUN header
    zrtp,          ///< 16-19
    dtls,          ///< 20-63
    turn_channel,  ///< 64-79 (RFC 8656 ChannelData)
    rtp,           ///< 128-191, RTP version 2, payload type not in the RTCP range
    rtcp,          ///< 128-191 with second byte 192-223 (RFC 5761 §4)
    sip,           ///< SIP request or response text
    crlf_ping,     ///< "\r\n\r\n" (RFC 5626 §4.4.1)
    crlf_pong,     ///< "\r\n"
};

constexpr std::string_view to_string(packet_kind k) noexcept {
    switch (k) {
    case packet_kind::stun: return "stun";
    case packet_kind::zrtp: return "zrtp";
    case packet_kind::dtls: return "dtls";
    case packet_kind::turn_channel: return "turn-channel";
    case packet_kind::rtp: return "rtp";
    case packet_kind::rtcp: return "rtcp";
    case packet_kind::sip: return "sip";
    case packet_kind::crlf_ping: return "crlf-ping";
    case packet_kind::crlf_pong: return "crlf-pong";
    case packet_kind::unknown: break;
    }
    return "unknown";
}

/// RFC 3261 §7.1/§7.2: a "SIP/2.0 " status line, or METHOD SP Request-URI where the methods
/// in use are upper-case tokens (INVITE, REGISTER, OPTIONS ...).
inline bool looks_like_sip(std::string_view text) noexcept {
    if (text.substr(0, 8) == "SIP/2.0 ") return true;
    std::size_t i = 0;
    while (i < text.size() && i < 32 && text[i] >= 'A' && text[i] <= 'Z') ++i;
    return i >= 3 && i < text.size() && text[i] == ' ';
}

/// Classifies one datagram. STUN needs a full, consistent header (length a multiple of 4
/// that matches the datagram), so a short or garbled datagram beginning with 0-3 is
/// `unknown` rather than STUN; the STUN parser then gives the precise error.
inline packet_kind classify(bytes_view d) noexcept {
    if (d.empty()) return packet_kind::unknown;
    const std::uint8_t b = d[0];
    if (b <= 3) {
        if (d.size() < 20) return packet_kind::unknown;
        const std::size_t length = (std::size_t{d[2]} << 8) | d[3];
        return (length % 4 == 0 && length + 20 == d.size()) ? packet_kind::stun : packet_kind::unknown;
    }
    if (b >= 16 && b <= 19) return packet_kind::zrtp;
    if (b >= 20 && b <= 63) return packet_kind::dtls;
    if (b >= 64 && b <= 79) {
        // Upper-case letters A-O share this range with TURN channel numbers, so SIP methods
        // such as INVITE and OPTIONS are recognised first; ChannelData must also carry a
        // length that fits the datagram (RFC 8656 §12.4: padding to 4 only over streams).
        if (looks_like_sip(d.as_chars())) return packet_kind::sip;
        if (d.size() < 4) return packet_kind::unknown;
        const std::size_t length = (std::size_t{d[2]} << 8) | d[3];
        return (d.size() >= 4 + length && d.size() <= 4 + length + 3) ? packet_kind::turn_channel
                                                                     : packet_kind::unknown;
    }
    if (b >= 128 && b <= 191) {
        if (d.size() < 4) return packet_kind::unknown;
        // RFC 5761 §4: RTCP packet types 192-223 (SR 200, RR 201 ...) never collide with RTP
        // payload types once the marker bit is included, given PTs 64-95 are avoided.
        const std::uint8_t pt = d[1];
        if (pt >= 192 && pt <= 223) return d.size() >= 8 ? packet_kind::rtcp : packet_kind::unknown;
        return d.size() >= 12 ? packet_kind::rtp : packet_kind::unknown;
    }
    const std::string_view text = d.as_chars();
    if (text == "\r\n\r\n") return packet_kind::crlf_ping;
    if (text == "\r\n") return packet_kind::crlf_pong;
    return looks_like_sip(text) ? packet_kind::sip : packet_kind::unknown;
}

NATKIT_END_NAMESPACE

#endif  // NATKIT_CORE_PACKET_KIND_HPP
