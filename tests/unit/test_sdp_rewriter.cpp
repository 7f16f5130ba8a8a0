// sdp::rewrite: what it changes (RFC 8866 c=/o=/m=, RFC 3605 a=rtcp, RFC 8839 candidates) and
// everything it must leave alone (RFC 3264 hold, rejected streams, multicast, foreign addresses,
// line endings, spacing, unknown lines).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/sdp/rewriter.hpp"
#include "support/allocations.hpp"

using namespace natkit;

namespace {

ip_address ip(const char* text) { return *ip_address::parse(text); }

/// The PBX of the examples: public 203.0.113.5 / 2001:db8:5::5, RTP range 55000-55999 forwarded
/// to 40000-40999.
sdp::rewrite_rules pbx_rules() {
    sdp::rewrite_rules r;
    REQUIRE_FALSE(r.set_public_address(ip("203.0.113.5")));
    REQUIRE_FALSE(r.set_public_address(ip("2001:db8:5::5")));
    REQUIRE_FALSE(r.ports.add(*sdp::port_mapping::range(55000, 55999, 40000)));
    return r;
}

/// Lines joined with CRLF (each line gets one).
std::string crlf(std::initializer_list<const char*> lines) {
    std::string s;
    for (const char* l : lines) s.append(l).append("\r\n");
    return s;
}

std::string rewrite_ok(const std::string& in, const sdp::rewrite_rules& rules) {
    std::string out;
    const auto r = sdp::rewrite(in, rules, out);
    INFO(r.error().message() << " at line " << r.line());
    REQUIRE(r);
    CHECK(r.text() == out);
    return out;
}

struct failure {
    std::error_code error;
    std::size_t line;
};
failure rewrite_fails(const std::string& in, const sdp::rewrite_rules& rules) {
    std::string out;
    const auto r = sdp::rewrite(in, rules, out);
    REQUIRE_FALSE(r);
    CHECK(r.output().empty());
    return {r.error(), r.line()};
}

const std::string desk_phone =
    crlf({"v=0", "o=PBX 1882345 1882345 IN IP4 192.168.1.10", "s=Talk", "c=IN IP4 192.168.1.10", "t=0 0",
          "m=audio 55012 RTP/AVP 9 8 0 101", "a=rtpmap:9 G722/8000", "a=sendrecv"});

}  // namespace

TEST_CASE("the session and media addresses and the m= port become public") {
    const auto rules = pbx_rules();
    CHECK(rewrite_ok(desk_phone, rules) ==
          crlf({"v=0", "o=PBX 1882345 1882345 IN IP4 203.0.113.5", "s=Talk", "c=IN IP4 203.0.113.5", "t=0 0",
                "m=audio 40012 RTP/AVP 9 8 0 101", "a=rtpmap:9 G722/8000", "a=sendrecv"}));

    SECTION("a media-level c= overrides the session's") {
        const std::string in = crlf({"v=0", "o=- 1 1 IN IP4 198.51.100.20", "s=-", "c=IN IP4 198.51.100.20", "t=0 0",
                                     "m=audio 55000 RTP/AVP 0", "c=IN IP4 10.1.2.3", "m=audio 55002 RTP/AVP 0"});
        // The first stream's address is local: address and port change. The second inherits the
        // public session address: its port is someone else's and stays.
        CHECK(rewrite_ok(in, rules) ==
              crlf({"v=0", "o=- 1 1 IN IP4 198.51.100.20", "s=-", "c=IN IP4 198.51.100.20", "t=0 0",
                    "m=audio 40000 RTP/AVP 0", "c=IN IP4 203.0.113.5", "m=audio 55002 RTP/AVP 0"}));
    }
    SECTION("IPv6") {
        const std::string in = crlf(
            {"v=0", "o=- 1 1 IN IP6 fd00:1::10", "s=-", "c=IN IP6 FD00:1:0::10", "t=0 0", "m=audio 55400 RTP/AVP 0"});
        CHECK(rewrite_ok(in, rules) == crlf({"v=0", "o=- 1 1 IN IP6 2001:db8:5::5", "s=-", "c=IN IP6 2001:db8:5::5",
                                             "t=0 0", "m=audio 40400 RTP/AVP 0"}));
    }
    SECTION("the port/count form when one mapping holds the whole block") {
        const std::string in = crlf({"v=0", "s=-", "c=IN IP4 10.0.0.2", "t=0 0", "m=video 55010/2 RTP/AVP 31",
                                     "m=application 55020/3 UDP/BFCP *"});
        CHECK(rewrite_ok(in, rules) == crlf({"v=0", "s=-", "c=IN IP4 203.0.113.5", "t=0 0",
                                             "m=video 40010/2 RTP/AVP 31", "m=application 40020/3 UDP/BFCP *"}));
    }
}

TEST_CASE("what the rewriter never touches") {
    const auto rules = pbx_rules();
    SECTION("RFC 3264 hold addresses stay, their ports are mapped") {
        const std::string in =
            crlf({"v=0", "o=- 1 2 IN IP4 192.168.1.10", "s=-", "c=IN IP4 0.0.0.0", "t=0 0", "m=audio 55012 RTP/AVP 0",
                  "a=inactive", "m=audio 55014 RTP/AVP 0", "c=IN IP6 ::", "a=sendonly"});
        CHECK(rewrite_ok(in, rules) ==
              crlf({"v=0", "o=- 1 2 IN IP4 203.0.113.5", "s=-", "c=IN IP4 0.0.0.0", "t=0 0", "m=audio 40012 RTP/AVP 0",
                    "a=inactive", "m=audio 40014 RTP/AVP 0", "c=IN IP6 ::", "a=sendonly"}));
    }
    SECTION("port 0: a rejected stream") {
        const std::string in = crlf({"v=0", "s=-", "c=IN IP4 192.168.1.10", "t=0 0", "m=audio 55000 RTP/AVP 0",
                                     "m=video 0 RTP/AVP 31", "a=rtcp:0"});
        CHECK(rewrite_ok(in, rules) == crlf({"v=0", "s=-", "c=IN IP4 203.0.113.5", "t=0 0", "m=audio 40000 RTP/AVP 0",
                                             "m=video 0 RTP/AVP 31", "a=rtcp:0"}));
    }
    SECTION("multicast with TTL and count, and its streams' ports") {
        const std::string in = crlf({"v=0", "o=- 1 1 IN IP4 224.2.17.12", "s=-", "c=IN IP4 224.2.17.12/127", "t=0 0",
                                     "m=audio 55000 RTP/AVP 0", "c=IN IP4 224.2.1.1/127/3", "m=video 55100 RTP/AVP 31",
                                     "c=IN IP6 ff15::101/3"});
        std::string out;
        const auto r = sdp::rewrite(in, rules, out);
        REQUIRE(r);
        CHECK(out == in);
        CHECK(r.changes() == 0);
    }
    SECTION("public and foreign addresses, FQDNs, other network types") {
        const std::string in =
            crlf({"v=0", "o=- 1 1 IN IP4 pbx.example.com", "s=-", "c=IN IP4 198.51.100.20", "t=0 0",
                  "m=audio 55000 RTP/AVP 0", "c=IN IP4 media.local", "m=audio 55002 RTP/AVP 0",
                  "c=ATM NSAP 47.0005.80.ffe100.0000.f21a.0170.0020481a0001.00", "m=audio 55004 RTP/AVP 0",
                  "c=IN IP4 media-1.example.net", "a=rtcp:55005 IN IP4 8.8.8.8"});
        std::string out;
        const auto r = sdp::rewrite(in, rules, out);
        REQUIRE(r);
        CHECK(out == in);
        CHECK(r.changes() == 0);
    }
    SECTION("a family without a public address") {
        auto v4_only = pbx_rules();
        v4_only.clear_public_address(address_family::ipv6);
        const std::string in = crlf({"v=0", "o=- 1 1 IN IP6 fd00::10", "s=-", "c=IN IP6 fd00::10", "t=0 0",
                                     "m=audio 55000 RTP/AVP 0", "a=rtcp:55001 IN IP6 fd00::10"});
        std::string out;
        const auto r = sdp::rewrite(in, v4_only, out);
        REQUIRE(r);
        CHECK(out == in);
    }
    SECTION("an SDP with nothing local comes out byte-identical") {
        const std::string in =
            crlf({"v=0", "o=- 4611731400430051336 2 IN IP4 198.51.100.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
                  "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 198.51.100.1", "a=rtcp:9 IN IP4 0.0.0.0",
                  "a=candidate:1 1 udp 2122260223 198.51.100.1 55000 typ host", "a=rtcp-mux"});
        for (auto policy : {sdp::ice_policy::keep, sdp::ice_policy::add_srflx}) {
            auto r = pbx_rules();
            r.ice = policy;
            std::string out;
            const auto res = sdp::rewrite(in, r, out);
            REQUIRE(res);
            CHECK(out == in);
            CHECK(res.changes() == 0);
        }
    }
}

TEST_CASE("every byte not edited comes out as it came in") {
    const auto rules = pbx_rules();
    SECTION("bare LF line endings, and a last line without one") {
        const std::string in =
            "v=0\no=- 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 55000 RTP/AVP 0";
        CHECK(rewrite_ok(in, rules) ==
              "v=0\no=- 1 1 IN IP4 203.0.113.5\ns=-\nc=IN IP4 203.0.113.5\nt=0 0\nm=audio 40000 RTP/AVP 0");
    }
    SECTION("mixed line endings, blank and unknown lines, odd spacing") {
        const std::string in =
            "v=0\r\no=-  1 1 IN  IP4\t192.168.1.10 \ns=-\r\n\r\nx-vendor=whatever 192.168.1.10\r\n"
            "c=IN   IP4   192.168.1.10   \r\nt=0 0\nm=audio  55000   RTP/AVP 0 \r\na=x-local:192.168.1.10\r\n"
            "not a line at all\r\n";
        CHECK(rewrite_ok(in, rules) ==
              "v=0\r\no=-  1 1 IN  IP4\t203.0.113.5 \ns=-\r\n\r\nx-vendor=whatever 192.168.1.10\r\n"
              "c=IN   IP4   203.0.113.5   \r\nt=0 0\nm=audio  40000   RTP/AVP 0 \r\na=x-local:192.168.1.10\r\n"
              "not a line at all\r\n");
    }
    SECTION("case-insensitive tokens keep their case") {
        const std::string in = crlf({"v=0", "c=in ip4 192.168.1.10", "m=audio 55000 rtp/avp 0"});
        CHECK(rewrite_ok(in, rules) == crlf({"v=0", "c=in ip4 203.0.113.5", "m=audio 40000 rtp/avp 0"}));
    }
}

TEST_CASE("a=rtcp (RFC 3605): rewritten, and added when the implicit RTCP port would be wrong") {
    auto rules = pbx_rules();
    REQUIRE_FALSE(rules.ports.add(sdp::port_mapping::single(57000, 41012)));
    REQUIRE_FALSE(rules.ports.add(sdp::port_mapping::single(57001, 41977)));  // STUN gave a far-off port

    SECTION("port, and the optional address") {
        const std::string in =
            crlf({"v=0", "c=IN IP4 192.168.1.10", "m=audio 55000 RTP/AVP 0", "a=rtcp:55001", "m=audio 55002 RTP/AVP 0",
                  "a=rtcp:55003 IN IP4 192.168.1.11", "m=audio 55004 RTP/AVP 0", "a=rtcp:55005 IN IP6 fd00::1"});
        CHECK(rewrite_ok(in, rules) == crlf({"v=0", "c=IN IP4 203.0.113.5", "m=audio 40000 RTP/AVP 0", "a=rtcp:40001",
                                             "m=audio 40002 RTP/AVP 0", "a=rtcp:40003 IN IP4 203.0.113.5",
                                             "m=audio 40004 RTP/AVP 0", "a=rtcp:40005 IN IP6 2001:db8:5::5"}));
    }
    SECTION("an a=rtcp address that is public keeps its port") {
        const std::string in =
            crlf({"v=0", "c=IN IP4 192.168.1.10", "m=audio 55000 RTP/AVP 0", "a=rtcp:55001 IN IP4 198.51.100.9"});
        CHECK(rewrite_ok(in, rules) ==
              crlf({"v=0", "c=IN IP4 203.0.113.5", "m=audio 40000 RTP/AVP 0", "a=rtcp:55001 IN IP4 198.51.100.9"}));
    }
    SECTION("added at the end of the media section") {
        const std::string in = crlf({"v=0", "c=IN IP4 192.168.1.10", "t=0 0", "m=audio 57000 RTP/AVP 0 101",
                                     "a=rtpmap:101 telephone-event/8000", "a=sendrecv", "m=video 55010 RTP/AVP 31"});
        CHECK(rewrite_ok(in, rules) ==
              crlf({"v=0", "c=IN IP4 203.0.113.5", "t=0 0", "m=audio 41012 RTP/AVP 0 101",
                    "a=rtpmap:101 telephone-event/8000", "a=sendrecv", "a=rtcp:41977", "m=video 40010 RTP/AVP 31"}));
    }
    SECTION("added with the SDP's own line ending, after a last line without one, before trailing blanks") {
        CHECK(rewrite_ok("v=0\nc=IN IP4 10.0.0.2\nm=audio 57000 RTP/AVP 0\na=sendrecv", rules) ==
              "v=0\nc=IN IP4 203.0.113.5\nm=audio 41012 RTP/AVP 0\na=sendrecv\na=rtcp:41977");
        CHECK(rewrite_ok("v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 57000 RTP/AVP 0\r\n\r\n", rules) ==
              "v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 41012 RTP/AVP 0\r\na=rtcp:41977\r\n\r\n");
        // A bare CR at the very end is content of the last line, not a line ending (found by
        // natkit-fuzz-sdp: the added line must not end up with it).
        CHECK(rewrite_ok("v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 57000 RTP/AVP 0\r\na=x\r", rules) ==
              "v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 41012 RTP/AVP 0\r\na=x\r\r\na=rtcp:41977");
    }
    SECTION("not added: rtcp-mux, explicit a=rtcp, RTCP at public RTP + 1, RTCP unmapped, not RTP") {
        for (const char* extra : {"a=rtcp-mux", "a=rtcp-mux-only", "a=rtcp:57001"}) {
            const std::string in = crlf({"v=0", "c=IN IP4 10.0.0.2", "m=audio 57000 RTP/AVP 0", extra});
            const std::string out = rewrite_ok(in, rules);
            CHECK(out.find("a=rtcp:41977\r\n") ==
                  (std::string(extra) == "a=rtcp:57001" ? out.size() - 14 : std::string::npos));
            CHECK(out.find("a=rtcp:", 0) == out.rfind("a=rtcp:"));
        }
        CHECK(rewrite_ok(crlf({"v=0", "c=IN IP4 10.0.0.2", "m=audio 55000 RTP/AVP 0"}), rules) ==
              crlf({"v=0", "c=IN IP4 203.0.113.5", "m=audio 40000 RTP/AVP 0"}));
        REQUIRE_FALSE(rules.ports.add(sdp::port_mapping::single(57100, 41100)));
        CHECK(rewrite_ok(crlf({"v=0", "c=IN IP4 10.0.0.2", "m=audio 57100 RTP/AVP 0"}), rules) ==
              crlf({"v=0", "c=IN IP4 203.0.113.5", "m=audio 41100 RTP/AVP 0"}));
        CHECK(rewrite_ok(crlf({"v=0", "c=IN IP4 10.0.0.2", "m=application 57000 UDP/BFCP *"}), rules) ==
              crlf({"v=0", "c=IN IP4 203.0.113.5", "m=application 41012 UDP/BFCP *"}));
        CHECK(rewrite_ok(crlf({"v=0", "c=IN IP4 10.0.0.2", "m=audio 0 RTP/AVP 0"}), rules) ==
              crlf({"v=0", "c=IN IP4 203.0.113.5", "m=audio 0 RTP/AVP 0"}));
    }
}

TEST_CASE("ICE candidates by policy (RFC 8839)") {
    auto rules = pbx_rules();
    const std::string in =
        crlf({"v=0",
              "o=- 1 1 IN IP4 192.168.1.10",
              "s=-",
              "t=0 0",
              "a=ice-lite",
              "m=audio 55200 UDP/TLS/RTP/SAVPF 111",
              "c=IN IP4 192.168.1.10",
              "a=candidate:1467250027 1 udp 2122260223 192.168.1.10 55200 typ host generation 0",
              "a=candidate:1467250027 2 udp 2122260222 192.168.1.10 55201 typ host generation 0",
              "a=candidate:3274587218 1 UDP 2122262783 fd00:1::10 55202 typ host",
              "a=candidate:2999745851 1 tcp 1518280447 192.168.1.10 9 typ host tcptype active",
              "a=candidate:1 1 udp 2122194687 3f2b6c1e.local 55204 typ host",
              "a=candidate:2 1 udp 2122194687 198.51.100.3 55200 typ host",
              "a=candidate:3 1 udp 2122194687 192.168.1.10 60000 typ host",
              "a=candidate:4 1 udp 1686052607 198.51.100.99 61122 typ srflx raddr 192.168.1.10 rport 55200",
              "a=ice-ufrag:Q4dz",
              "a=ice-pwd:6M3e0LMJ0tH2wk0UpRw3hDpN",
              "a=ice-options:trickle",
              "a=end-of-candidates",
              "a=remote-candidates:1 192.168.1.10 55200",
              "a=ice-pacing:50",
              "a=ice-mismatch",
              "a=sendrecv"});
    SECTION("keep leaves them all") {
        const std::string out = rewrite_ok(in, rules);
        CHECK(out.find("a=candidate:1467250027 1 udp 2122260223 192.168.1.10 55200 typ host generation 0\r\n") !=
              std::string::npos);
        CHECK(out.find("srflx raddr 192.168.1.10 rport 55200\r\n") != std::string::npos);
        CHECK(out.find("nk") == std::string::npos);
    }
    SECTION("strip removes candidates and ICE attributes, nothing else") {
        rules.ice = sdp::ice_policy::strip;
        CHECK(rewrite_ok(in, rules) ==
              crlf({"v=0", "o=- 1 1 IN IP4 203.0.113.5", "s=-", "t=0 0", "m=audio 40200 UDP/TLS/RTP/SAVPF 111",
                    "c=IN IP4 203.0.113.5", "a=sendrecv"}));
    }
    SECTION("add-srflx adds a server-reflexive candidate after each mapped local UDP host") {
        rules.ice = sdp::ice_policy::add_srflx;
        const std::string out = rewrite_ok(in, rules);
        // RFC 8445 §5.1.2.1: (100 << 24) + (local preference << 8) + (256 - component); the
        // host's local preference 0x7f1e gives what Chrome computes for its own srflx candidate.
        CHECK(out.find("a=candidate:1467250027 1 udp 2122260223 192.168.1.10 55200 typ host generation 0\r\n"
                       "a=candidate:nk1467250027 1 udp 1686052607 203.0.113.5 40200 typ srflx raddr 192.168.1.10 rport "
                       "55200\r\n"
                       "a=candidate:1467250027 2 udp 2122260222 192.168.1.10 55201 typ host generation 0\r\n"
                       "a=candidate:nk1467250027 2 udp 1686052606 203.0.113.5 40201 typ srflx raddr 192.168.1.10 rport "
                       "55201\r\n"
                       "a=candidate:3274587218 1 UDP 2122262783 fd00:1::10 55202 typ host\r\n"
                       "a=candidate:nk3274587218 1 UDP 1686055167 2001:db8:5::5 40202 typ srflx raddr fd00:1::10 rport "
                       "55202\r\n"
                       "a=candidate:2999745851 1 tcp") != std::string::npos);
        // TCP, mDNS, public, unmapped and srflx candidates get none: three added in all.
        std::size_t added = 0;
        for (std::size_t at = out.find("a=candidate:nk"); at != std::string::npos;
             at = out.find("a=candidate:nk", at + 1))
            ++added;
        CHECK(added == 3);
    }
    SECTION("add-srflx after a last line without line ending") {
        rules.ice = sdp::ice_policy::add_srflx;
        CHECK(rewrite_ok("v=0\nc=IN IP4 10.0.0.2\nm=audio 55000 RTP/AVP 0\na=candidate:7 1 UDP 2130706431 10.0.0.2 "
                         "55000 typ host",
                         rules) ==
              "v=0\nc=IN IP4 203.0.113.5\nm=audio 40000 RTP/AVP 0\na=candidate:7 1 UDP 2130706431 10.0.0.2 55000 typ "
              "host\n"
              "a=candidate:nk7 1 UDP 1694498815 203.0.113.5 40000 typ srflx raddr 10.0.0.2 rport 55000");
    }
    SECTION("add-srflx needs well-formed candidates") {
        rules.ice = sdp::ice_policy::add_srflx;
        for (const char* bad :
             {"a=candidate:1 1 udp 2122260223 192.168.1.10 55200", "a=candidate:1 0 udp 1 10.0.0.1 1 typ host",
              "a=candidate:1 257 udp 1 10.0.0.1 1 typ host", "a=candidate:1 1 udp x 10.0.0.1 1 typ host",
              "a=candidate:1 1 udp 1 10.0.0.1 70000 typ host", "a=candidate:1 1 udp 1 10.0.0.1 1 type host",
              "a=candidate:123456789012345678901234567890123 1 udp 1 10.0.0.1 1 typ host"}) {
            const auto f = rewrite_fails(crlf({"v=0", "c=IN IP4 10.0.0.2", "m=audio 55000 RTP/AVP 0", bad}), rules);
            CHECK(f.error == sdp::errc::bad_candidate_line);
            CHECK(f.line == 4);
        }
        rules.ice = sdp::ice_policy::keep;  // never judged when they are kept
        CHECK(rewrite_ok(crlf({"v=0", "a=candidate:garbage"}), rules) == crlf({"v=0", "a=candidate:garbage"}));
    }
}

TEST_CASE("o= session version bump") {
    auto rules = pbx_rules();
    rules.bump_version = true;
    CHECK(rewrite_ok(crlf({"v=0", "o=PBX 1000 999 IN IP4 192.168.1.10"}), rules) ==
          crlf({"v=0", "o=PBX 1000 1000 IN IP4 203.0.113.5"}));
    CHECK(rewrite_ok(crlf({"v=0", "o=- 4611731400430051336 18446744073709551615 IN IP4 198.51.100.1"}), rules) ==
          crlf({"v=0", "o=- 4611731400430051336 18446744073709551616 IN IP4 198.51.100.1"}));
    CHECK(rewrite_ok(crlf({"v=0", "o=- 1 0 IN IP4 pbx.example.com"}), rules) ==
          crlf({"v=0", "o=- 1 1 IN IP4 pbx.example.com"}));
    const auto f = rewrite_fails(crlf({"v=0", "o=- 1 v2 IN IP4 10.0.0.1"}), rules);
    CHECK(f.error == sdp::errc::bad_origin_line);
    CHECK(f.line == 2);
}

TEST_CASE("malformed lines it must change are errors with their line number") {
    const auto rules = pbx_rules();
    const auto fails = [&](const std::string& in, sdp::errc e, std::size_t line) {
        const auto f = rewrite_fails(in, rules);
        CHECK(f.error == e);
        CHECK(f.line == line);
    };
    fails("", sdp::errc::not_sdp, 1);
    fails("INVITE sip:x SIP/2.0\r\n", sdp::errc::not_sdp, 1);
    fails(crlf({"v=0", "s=-", "m=audio 55O00 RTP/AVP 0"}), sdp::errc::bad_media_line, 3);
    fails(crlf({"v=0", "m=audio 70000 RTP/AVP 0"}), sdp::errc::bad_media_line, 2);
    fails(crlf({"v=0", "m=audio 55000"}), sdp::errc::bad_media_line, 2);
    fails(crlf({"v=0", "m=audio 55000/0 RTP/AVP 0"}), sdp::errc::bad_media_line, 2);
    fails(crlf({"v=0", "m=audio 55000/x RTP/AVP 0"}), sdp::errc::bad_media_line, 2);
    fails(crlf({"v=0", "c=IN IP4"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP4 10.0.0.1 10.0.0.2"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP4 10.0.0.300"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP4 10.0.0.1.5"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP4 fd00::1"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP6 10.0.0.1"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP4 2001:db8::1.lab"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP6 fd00::1::2"}), sdp::errc::bad_connection_line, 2);
    fails(crlf({"v=0", "c=IN IP4 10.0.0.1/127"}), sdp::errc::bad_connection_line, 2);
    // The media-level c= is read before its m= line is written; the error names the c= line.
    fails(crlf({"v=0", "t=0 0", "m=audio 55000 RTP/AVP 0", "a=sendrecv", "c=IN IP4 1.2"}),
          sdp::errc::bad_connection_line, 5);
    // A c= among the attributes (against RFC 8866 §5 order) is fine while it would not have
    // changed the m= port's fate, and an error when it would.
    CHECK(rewrite_ok(crlf({"v=0", "c=IN IP4 10.0.0.1", "m=audio 55000 RTP/AVP 0", "a=sendrecv", "c=IN IP4 10.0.0.2"}),
                     rules) ==
          crlf({"v=0", "c=IN IP4 203.0.113.5", "m=audio 40000 RTP/AVP 0", "a=sendrecv", "c=IN IP4 203.0.113.5"}));
    fails(crlf({"v=0", "c=IN IP4 198.51.100.1", "m=audio 55000 RTP/AVP 0", "a=sendrecv", "c=IN IP4 10.0.0.2"}),
          sdp::errc::misplaced_connection_line, 5);
    fails(crlf({"v=0", "c=IN IP4 10.0.0.1", "m=audio 55000 RTP/AVP 0", "a=sendrecv", "c=IN IP4 198.51.100.1"}),
          sdp::errc::misplaced_connection_line, 5);
    fails(crlf({"v=0", "o=- 1 1 IN IP4"}), sdp::errc::bad_origin_line, 2);
    fails(crlf({"v=0", "o=- 1 1 IN IP4 300.1.1.1"}), sdp::errc::bad_origin_line, 2);
    fails(crlf({"v=0", "m=audio 1 RTP/AVP 0", "a=rtcp:"}), sdp::errc::bad_rtcp_line, 3);
    fails(crlf({"v=0", "m=audio 1 RTP/AVP 0", "a=rtcp:abc"}), sdp::errc::bad_rtcp_line, 3);
    fails(crlf({"v=0", "m=audio 1 RTP/AVP 0", "a=rtcp:5 IN IP4"}), sdp::errc::bad_rtcp_line, 3);
    fails(crlf({"v=0", "m=audio 1 RTP/AVP 0", "a=rtcp:5 IN IP4 10.0.0.1 x"}), sdp::errc::bad_rtcp_line, 3);
    fails(crlf({"v=0", "m=audio 1 RTP/AVP 0", "a=rtcp:5 IN IP4 10.0.0.256"}), sdp::errc::bad_rtcp_line, 3);
    fails("v=0\nc=IN IP4 10.0.0.2\nm=audio 55990/8 RTP/AVP 0\n", sdp::errc::port_range_unmapped, 3);
    fails("v=0\nc=IN IP4 10.0.0.2\nm=audio 65530/8 RTP/AVP 0\n", sdp::errc::bad_media_line, 3);

    CHECK(make_error_code(sdp::errc::bad_media_line).message() == "malformed m= line");
}

TEST_CASE("output into a fixed buffer: never past its end, the size needed on failure") {
    auto rules = pbx_rules();
    rules.ice = sdp::ice_policy::add_srflx;
    REQUIRE_FALSE(rules.ports.add(sdp::port_mapping::single(57000, 41012)));
    REQUIRE_FALSE(rules.ports.add(sdp::port_mapping::single(57001, 41977)));
    const std::string in = crlf({"v=0", "o=- 1 1 IN IP4 10.0.0.2", "c=IN IP4 10.0.0.2", "m=audio 57000 RTP/AVP 0",
                                 "a=candidate:1 1 UDP 2130706431 10.0.0.2 57000 typ host"});
    std::string expected;
    REQUIRE(sdp::rewrite(in, rules, expected));
    REQUIRE(expected.size() > in.size());

    std::vector<std::uint8_t> buf(expected.size() + 16, 0xAA);
    SECTION("exactly large enough") {
        const auto r = sdp::rewrite(in, rules, mutable_bytes(buf.data(), expected.size()));
        REQUIRE(r);
        CHECK(r.text() == expected);
        CHECK(r.output().data() == buf.data());
        CHECK(buf[expected.size()] == 0xAA);
    }
    SECTION("one byte short, or much shorter") {
        for (std::size_t capacity : {expected.size() - 1, in.size(), std::size_t{10}, std::size_t{0}}) {
            std::fill(buf.begin(), buf.end(), std::uint8_t{0xAA});
            const auto r = sdp::rewrite(in, rules, mutable_bytes(buf.data(), capacity));
            REQUIRE_FALSE(r);
            CHECK(r.error() == sdp::errc::buffer_too_small);
            CHECK(r.line() == 0);
            CHECK(r.size() == expected.size());
            for (std::size_t k = capacity; k < buf.size(); ++k) REQUIRE(buf[k] == 0xAA);
        }
    }
    SECTION("std::array and C arrays deduce a fixed buffer") {
        std::array<std::uint8_t, 512> arr{};
        const auto r = sdp::rewrite(in, rules, arr);
        REQUIRE(r);
        CHECK(r.text() == expected);
        std::uint8_t small[8];
        CHECK(sdp::rewrite(in, rules, small).error() == sdp::errc::buffer_too_small);
    }
    SECTION("growable containers end up holding exactly the output") {
        std::vector<std::uint8_t> v(3, 'x');
        REQUIRE(sdp::rewrite(in, rules, v));
        CHECK(std::string(v.begin(), v.end()) == expected);
        std::vector<char> c;
        REQUIRE(sdp::rewrite(in, rules, c));
        CHECK(std::string(c.begin(), c.end()) == expected);
        std::string big(100000, 'y');
        REQUIRE(sdp::rewrite(in, rules, big));
        CHECK(big == expected);
    }
}

TEST_CASE("rewriting allocates nothing") {
    auto rules = pbx_rules();
    rules.ice = sdp::ice_policy::add_srflx;
    rules.bump_version = true;
    const std::string in = desk_phone + "a=candidate:1 1 UDP 2130706431 192.168.1.10 55012 typ host\r\n";
    std::array<std::uint8_t, 2048> buf{};
    std::size_t size = 0;
    CHECK(allocations_during([&] {
              const auto r = sdp::rewrite(in, rules, buf);
              size = r.size();
          }) == 0);
    CHECK(size > in.size());
    std::string grown;
    grown.reserve(4096);
    CHECK(allocations_during([&] { (void)sdp::rewrite(in, rules, grown); }) == 0);
    CHECK(grown.size() == size);
}

TEST_CASE("a rewritten SDP rewrites to itself") {
    auto rules = pbx_rules();
    rules.ice = sdp::ice_policy::strip;
    const std::string once = rewrite_ok(desk_phone + "a=rtcp:55013 IN IP4 192.168.1.10\r\n", rules);
    std::string twice;
    const auto r = sdp::rewrite(once, rules, twice);
    REQUIRE(r);
    CHECK(twice == once);
    CHECK(r.changes() == 0);
}
