// sip::demultiplexer: one socket, several protocols (RFC 7983 §7, RFC 3261 §7, RFC 5626 §4.4.1).
#include <cstdint>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/sip/demultiplexer.hpp"
#include "support/allocations.hpp"

using namespace natkit;

namespace {

std::vector<std::uint8_t> stun_binding_request() {
    std::vector<std::uint8_t> d = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
    d.resize(20, 0x5A);
    return d;
}
std::vector<std::uint8_t> rtp_packet() {
    std::vector<std::uint8_t> d(172, 0);
    d[0] = 0x80;
    d[1] = 8;  // PCMA
    return d;
}
std::vector<std::uint8_t> rtcp_receiver_report() { return {0x81, 201, 0x00, 0x07, 0, 0, 0, 1}; }
std::vector<std::uint8_t> dtls_client_hello() { return {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; }

/// Records what it is handed; SIP, STUN, RTP and RTCP have members, the rest goes to on_other.
struct recorder {
    std::vector<std::string> calls;
    void on_stun(bytes_view d, const endpoint& from) {
        calls.push_back("stun " + std::to_string(d.size()) + " " + from.to_string());
    }
    void on_sip(bytes_view d, const endpoint&) { calls.push_back("sip " + std::string(d.as_chars().substr(0, 6))); }
    void on_rtp(bytes_view, const endpoint&) { calls.push_back("rtp"); }
    void on_rtcp(bytes_view, const endpoint&) { calls.push_back("rtcp"); }
    void on_other(packet_kind k, bytes_view, const endpoint&) { calls.push_back("other " + std::string(to_string(k))); }
};

/// Only SIP: everything else is dropped.
struct sip_only {
    int sip = 0;
    void on_sip(bytes_view) { ++sip; }
};

}  // namespace

TEST_CASE("the demultiplexer routes each datagram to its handler member") {
    sip::demultiplexer<recorder> demux{recorder{}};
    const endpoint from = *endpoint::parse("198.51.100.7:5060");
    const std::string invite = "INVITE sip:100@203.0.113.5 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7\r\n\r\n";
    const std::string options = "OPTIONS sip:100@203.0.113.5 SIP/2.0\r\n\r\n";

    CHECK(demux.dispatch(stun_binding_request(), from).kind == packet_kind::stun);
    CHECK(demux.dispatch(bytes_view(invite), from).handled);
    CHECK(demux.dispatch(bytes_view(options), from).kind == packet_kind::sip);  // 'O' is in the TURN channel range
    CHECK(demux.dispatch(rtp_packet(), from).kind == packet_kind::rtp);
    CHECK(demux.dispatch(rtcp_receiver_report(), from).kind == packet_kind::rtcp);
    CHECK(demux.dispatch(dtls_client_hello(), from).kind == packet_kind::dtls);
    const auto unknown = demux.dispatch(bytes_view(std::string("hello")), from);
    CHECK(unknown.kind == packet_kind::unknown);
    CHECK(unknown.handled);

    CHECK(demux.handler().calls == std::vector<std::string>{"stun 20 198.51.100.7:5060", "sip INVITE", "sip OPTION",
                                                            "rtp", "rtcp", "other dtls", "other unknown"});
    CHECK(demux.count(packet_kind::sip) == 2);
    CHECK(demux.count(packet_kind::stun) == 1);
    CHECK(demux.dropped() == 0);
}

TEST_CASE("RFC 5626 CRLF keepalives: a ping is answered with a pong") {
    sip::demultiplexer<sip_only> demux{sip_only{}};
    const auto ping = demux.dispatch(bytes_view(std::string("\r\n\r\n")));
    CHECK(ping.kind == packet_kind::crlf_ping);
    CHECK(ping.reply.as_chars() == "\r\n");
    CHECK_FALSE(ping.handled);
    const auto pong = demux.dispatch(bytes_view(std::string("\r\n")));
    CHECK(pong.kind == packet_kind::crlf_pong);
    CHECK(pong.reply.empty());
    demux.answer_keepalives(false);
    CHECK(demux.dispatch(bytes_view(std::string("\r\n\r\n"))).reply.empty());

    CHECK(demux.dispatch(bytes_view(std::string("SIP/2.0 200 OK\r\n\r\n"))).handled);
    CHECK_FALSE(demux.dispatch(stun_binding_request()).handled);
    CHECK(demux.handler().sip == 1);
    CHECK(demux.dropped() == 4);
}

TEST_CASE("dispatching allocates nothing") {
    sip::demultiplexer<sip_only> demux{sip_only{}};
    const auto rtp = rtp_packet();
    const std::string invite = "INVITE sip:x SIP/2.0\r\n\r\n";
    CHECK(allocations_during([&] {
              for (int k = 0; k < 100; ++k) {
                  (void)demux.dispatch(rtp);
                  (void)demux.dispatch(bytes_view(invite));
              }
          }) == 0);
    CHECK(demux.handler().sip == 100);
}
