// bench/rewrite_bench.hpp - what natkit-bench-rewrite's translation units share: the rows, the
// messages, the rules every library applies, and the registration hooks of the GNU oSIP and
// sofia-sip halves.
//
// oSIP's and sofia-sip's headers cannot share a translation unit (both define sdp_media_t,
// sdp_connection_t ... differently), so each library's benchmarks live in their own file and see
// the work only as strings and integers.
#ifndef NATKIT_BENCH_REWRITE_BENCH_HPP
#define NATKIT_BENCH_REWRITE_BENCH_HPP

#include <cstdio>
#include <string>

namespace rewrite_bench {

/// One row of the comparison: the same message rewritten by each library. The targets are
/// natkit's goals (reported, not asserted).
struct row {
    const char* id;           ///< benchmark name prefix
    const char* description;  ///< for the table
    double min_vs_osip;       ///< target: oSIP's time / natkit's at least this
    double min_vs_sofia;      ///< target: sofia-sip's time / natkit's at least this
    double max_ns;            ///< target: natkit at most this many ns (0: no bound)
};

inline constexpr row row_invite{"a_invite_av_ice", "a  INVITE, audio+video SDP with 8 ICE candidates (2.4 KB)", 5, 5,
                                1000};
inline constexpr row row_answer{"b_200ok_audio", "b  200 OK, audio SDP of a desk phone (0.8 KB)", 5, 5, 0};
inline constexpr row rows[] = {row_invite, row_answer};

inline constexpr const char* lib_natkit = "natkit";
inline constexpr const char* lib_osip = "osip";
inline constexpr const char* lib_sofia = "sofia";

inline std::string benchmark_name(const row& r, const char* lib) { return std::string(r.id) + "/" + lib; }

/// The PBX's situation, as every library applies it: its LAN address, the public address of
/// its SIP socket and of its RTP sockets, and the RTP/RTCP port map.
struct inputs {
    std::string local_ip = "192.168.1.10";
    std::string public_ip = "203.0.113.5";
    unsigned public_sip_port = 65002;
    /// The router forwards the RTP port range local_first..local_last to public_first.. .
    unsigned local_first = 55000, local_last = 55999, public_first = 40000;
    std::string invite;           ///< row a's message
    std::string answer;           ///< row b's message
    std::string invite_expected;  ///< natkit's output for row a (tests/corpus/sip/invite-audio-video-ice.out)
    std::string answer_expected;

    /// The public port of a local port; the port itself when it is not mapped.
    unsigned map_port(unsigned local) const {
        return local >= local_first && local <= local_last ? local - local_first + public_first : local;
    }
};

/// "\n" -> "\r\n".
inline std::string crlf(const char* text) {
    std::string s;
    for (; *text; ++text) {
        if (*text == '\n') s += '\r';
        s += *text;
    }
    return s;
}

/// A SIP message with the given head (start line and headers, without Content-Length) and SDP.
inline std::string with_body(const char* head, const char* sdp) {
    const std::string body = crlf(sdp);
    return crlf(head) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// Row a: a PBX's INVITE to its SIP provider for a WebRTC-capable extension: audio and video,
/// RTCP on its own ports (a=rtcp with address), ICE host candidates for both components in
/// IPv4 and IPv6.
inline std::string typical_invite() {
    return with_body(R"(INVITE sip:+4930123456@sip.provider.example SIP/2.0
Via: SIP/2.0/UDP 192.168.1.10:65002;branch=z9hG4bK-524287-1---77c8b4d2
Max-Forwards: 70
Contact: "Reception" <sip:+4989111222@192.168.1.10:65002;transport=udp>
To: <sip:+4930123456@sip.provider.example>
From: "Reception" <sip:+4989111222@sip.provider.example>;tag=8f4c2a91
Call-ID: 3c26700b-ae4c-1c8d-b2a1-0050568c2e01
CSeq: 1 INVITE
Allow: INVITE, ACK, CANCEL, BYE, REFER, OPTIONS, NOTIFY, UPDATE, PRACK, INFO
Supported: replaces, timer, 100rel
User-Agent: natkit-test-pbx/1.0
Content-Type: application/sdp
)",
                     R"(v=0
o=- 2890844526 2890844526 IN IP4 192.168.1.10
s=-
c=IN IP4 192.168.1.10
t=0 0
a=group:BUNDLE 0 1
a=ice-options:trickle
m=audio 55200 UDP/TLS/RTP/SAVPF 111 9 0 8 101
c=IN IP4 192.168.1.10
a=rtcp:55201 IN IP4 192.168.1.10
a=candidate:1467250027 1 udp 2122260223 192.168.1.10 55200 typ host generation 0
a=candidate:1467250027 2 udp 2122260222 192.168.1.10 55201 typ host generation 0
a=candidate:3274587218 1 udp 2122262783 fd00:1::10 55202 typ host generation 0
a=candidate:3274587218 2 udp 2122262782 fd00:1::10 55203 typ host generation 0
a=ice-ufrag:Q4dz
a=ice-pwd:6M3e0LMJ0tH2wk0UpRw3hDpN
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08
a=setup:actpass
a=mid:0
a=sendrecv
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ssrc:3735928559 cname:0aF1cB2dE3fG4hI5
m=video 55204 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 192.168.1.10
a=rtcp:55205 IN IP4 192.168.1.10
a=candidate:1467250027 1 udp 2122260223 192.168.1.10 55204 typ host generation 0
a=candidate:1467250027 2 udp 2122260222 192.168.1.10 55205 typ host generation 0
a=candidate:3274587218 1 udp 2122262783 fd00:1::10 55206 typ host generation 0
a=candidate:3274587218 2 udp 2122262782 fd00:1::10 55207 typ host generation 0
a=ice-ufrag:Q4dz
a=ice-pwd:6M3e0LMJ0tH2wk0UpRw3hDpN
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08
a=setup:actpass
a=mid:1
a=sendrecv
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 H264/90000
a=fmtp:97 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=ssrc:2231627014 cname:0aF1cB2dE3fG4hI5
)");
}

/// Row b: the PBX answers a call from the provider for a desk phone (audio only, implicit RTCP).
inline std::string typical_answer() {
    return with_body(R"(SIP/2.0 200 OK
Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK3a8f.b2d4e1c7;received=198.51.100.7;rport=5060
Record-Route: <sip:198.51.100.7;lr;ftag=as6a1d09b2>
From: <sip:+4930987654@sip.provider.example>;tag=as6a1d09b2
To: <sip:+4989111222@203.0.113.5>;tag=9c1e7f3a
Call-ID: 5ac0e7d95f3b48b6@198.51.100.7
CSeq: 102 INVITE
Contact: "PBX" <sip:+4989111222@192.168.1.10:65002>
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS
Supported: replaces, timer
Session-Expires: 1800;refresher=uac
Content-Type: application/sdp
)",
                     R"(v=0
o=PBX 7364102 7364102 IN IP4 192.168.1.10
s=Talk
c=IN IP4 192.168.1.10
t=0 0
m=audio 55320 RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
)");
}

/// Checks a library's output for `message` (defined with natkit in bench_rewrite.cpp): every
/// address and port that should change did, Content-Length is right. Empty when fine, else why.
std::string check_output(const inputs& in, const std::string& message, const std::string& output);

/// Registers each library's rows; the inputs must outlive the benchmark run.
void register_osip(const inputs& in);
void register_sofia(const inputs& in);

}  // namespace rewrite_bench

#endif  // NATKIT_BENCH_REWRITE_BENCH_HPP
