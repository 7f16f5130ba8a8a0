// RFC 7983 first-byte demultiplexing, SIP text and RFC 5626 CRLF keepalives.
#include <cstdint>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/core/packet_kind.hpp"
#include "support/vectors.hpp"

using namespace natkit;

namespace {
packet_kind kind_of(const std::string& s) { return classify(bytes_view(s)); }
packet_kind kind_of(std::vector<std::uint8_t> v) { return classify(bytes_view(v)); }
}  // namespace

TEST_CASE("classify tells the protocols on a shared socket apart") {
    CHECK(kind_of(vectors::sample_request()) == packet_kind::stun);
    CHECK(kind_of(vectors::ipv6_response()) == packet_kind::stun);
    auto truncated = vectors::sample_request();
    truncated.pop_back();
    CHECK(kind_of(truncated) == packet_kind::unknown);

    CHECK(kind_of(std::vector<std::uint8_t>{0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) == packet_kind::dtls);
    CHECK(kind_of(std::vector<std::uint8_t>{0x10, 0x00, 0, 0}) == packet_kind::zrtp);
    CHECK(kind_of(std::vector<std::uint8_t>{0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4}) == packet_kind::turn_channel);

    std::vector<std::uint8_t> rtp(172, 0);
    rtp[0] = 0x80;  // V=2
    rtp[1] = 0x00;  // PCMU
    CHECK(kind_of(rtp) == packet_kind::rtp);
    rtp[1] = 0x80 | 96;  // marker + dynamic PT
    CHECK(kind_of(rtp) == packet_kind::rtp);
    std::vector<std::uint8_t> rtcp = {0x81, 200, 0x00, 0x06, 0, 0, 0, 1};  // SR
    CHECK(kind_of(rtcp) == packet_kind::rtcp);
    rtcp[1] = 201;  // RR
    CHECK(kind_of(rtcp) == packet_kind::rtcp);

    CHECK(kind_of("INVITE sip:100@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2\r\n\r\n") == packet_kind::sip);
    CHECK(kind_of("SIP/2.0 200 OK\r\n\r\n") == packet_kind::sip);
    CHECK(kind_of("OPTIONS sip:x SIP/2.0\r\n") == packet_kind::sip);
    CHECK(kind_of("\r\n\r\n") == packet_kind::crlf_ping);
    CHECK(kind_of("\r\n") == packet_kind::crlf_pong);

    CHECK(kind_of("") == packet_kind::unknown);
    CHECK(kind_of("hello world") == packet_kind::unknown);
    CHECK(kind_of("\r\n\r\n\r\n") == packet_kind::unknown);
    CHECK(kind_of(std::vector<std::uint8_t>{0xff, 0xff}) == packet_kind::unknown);
    CHECK(to_string(packet_kind::crlf_ping) == "crlf-ping");
}
