// sip::rewrite: top Via of requests (RFC 3261 §20.42, RFC 3581), Contact in all its forms
// (§20.10, §7.3.3), the SDP body including multipart (RFC 2046), Content-Length (§20.14); and the
// headers it must not touch.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/sip/rewriter.hpp"
#include "support/allocations.hpp"

using namespace natkit;

namespace {

ip_address ip(const char* text) { return *ip_address::parse(text); }

sip::rewrite_rules pbx_rules() {
    sip::rewrite_rules r;
    REQUIRE_FALSE(r.set_public_endpoint(ip("203.0.113.5"), 65002));
    REQUIRE_FALSE(r.set_public_endpoint(ip("2001:db8:5::5"), 65002));
    REQUIRE_FALSE(r.sdp.set_public_address(ip("203.0.113.5")));
    REQUIRE_FALSE(r.sdp.set_public_address(ip("2001:db8:5::5")));
    REQUIRE_FALSE(r.sdp.ports.add(*sdp::port_mapping::range(55000, 55999, 40000)));
    return r;
}

/// Header lines joined with CRLF, then the empty line and the body.
std::string message(std::initializer_list<const char*> headers, const std::string& body = "") {
    std::string s;
    for (const char* h : headers) s.append(h).append("\r\n");
    return s + "\r\n" + body;
}

std::string rewrite_ok(const std::string& in, const sip::rewrite_rules& rules) {
    std::string out;
    const auto r = sip::rewrite(in, rules, out);
    INFO(r.error().message() << " at line " << r.line());
    REQUIRE(r);
    return out;
}

sdp::rewrite_result rewrite_fails(const std::string& in, const sip::rewrite_rules& rules) {
    std::string out;
    auto r = sip::rewrite(in, rules, out);
    REQUIRE_FALSE(r);
    return r;
}

/// The value of the Content-Length header of a rewritten message (first one found).
std::size_t body_size(const std::string& msg) { return msg.size() - msg.find("\r\n\r\n") - 4; }

const std::string sdp_body =
    "v=0\r\no=PBX 1 1 IN IP4 192.168.1.10\r\ns=-\r\nc=IN IP4 192.168.1.10\r\nt=0 0\r\n"
    "m=audio 55012 RTP/AVP 8\r\na=sendrecv\r\n";
const std::string sdp_public =
    "v=0\r\no=PBX 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n"
    "m=audio 40012 RTP/AVP 8\r\na=sendrecv\r\n";

}  // namespace

TEST_CASE("the top Via of a request gets the public sent-by and rport") {
    const auto rules = pbx_rules();
    SECTION("only the first value of the first Via") {
        const std::string in =
            message({"OPTIONS sip:198.51.100.7 SIP/2.0",
                     "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1, SIP/2.0/UDP 192.168.1.11;branch=z9hG4bK0",
                     "Via: SIP/2.0/UDP 192.168.1.12:5060;branch=z9hG4bKx", "Content-Length: 0"});
        CHECK(rewrite_ok(in, rules) ==
              message(
                  {"OPTIONS sip:198.51.100.7 SIP/2.0",
                   "Via: SIP/2.0/UDP 203.0.113.5:65002;rport;branch=z9hG4bK1, SIP/2.0/UDP 192.168.1.11;branch=z9hG4bK0",
                   "Via: SIP/2.0/UDP 192.168.1.12:5060;branch=z9hG4bKx", "Content-Length: 0"}));
    }
    SECTION("rport is not added twice") {
        for (const char* via : {"Via: SIP/2.0/UDP 192.168.1.10:5060;rport;branch=z9hG4bK1",
                                "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1;rport",
                                "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=\"a;rport\" ; RPORT = 5060"}) {
            std::string expected = via;
            expected.replace(expected.find("192.168.1.10:5060"), 17, "203.0.113.5:65002");
            CHECK(rewrite_ok(message({"BYE sip:x SIP/2.0", via}), rules) ==
                  message({"BYE sip:x SIP/2.0", expected.c_str()}));
        }
        auto no_rport = rules;
        no_rport.add_rport = false;
        CHECK(rewrite_ok(message({"BYE sip:x SIP/2.0", "Via: SIP/2.0/UDP 192.168.1.10;branch=z9hG4bK1"}), no_rport) ==
              message({"BYE sip:x SIP/2.0", "Via: SIP/2.0/UDP 203.0.113.5:65002;branch=z9hG4bK1"}));
    }
    SECTION("a missing port is added; public port 0 keeps the port") {
        CHECK(rewrite_ok(message({"ACK sip:x SIP/2.0", "v: SIP/2.0/TCP 10.0.0.2;branch=z9hG4bK1"}), rules) ==
              message({"ACK sip:x SIP/2.0", "v: SIP/2.0/TCP 203.0.113.5:65002;rport;branch=z9hG4bK1"}));
        auto keep_port = rules;
        REQUIRE_FALSE(keep_port.set_public_endpoint(ip("203.0.113.5")));
        CHECK(rewrite_ok(message({"ACK sip:x SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bK1"}), keep_port) ==
              message({"ACK sip:x SIP/2.0", "Via: SIP/2.0/UDP 203.0.113.5:5070;rport;branch=z9hG4bK1"}));
        CHECK(rewrite_ok(message({"ACK sip:x SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1"}), keep_port) ==
              message({"ACK sip:x SIP/2.0", "Via: SIP/2.0/UDP 203.0.113.5;rport;branch=z9hG4bK1"}));
    }
    SECTION("spacing allowed by the grammar, IPv6, folding") {
        CHECK(rewrite_ok(message({"INFO sip:x SIP/2.0", "Via:SIP / 2.0 / UDP   192.168.1.10 : 5060 ;branch=z9hG4bK1"}),
                         rules) ==
              message({"INFO sip:x SIP/2.0", "Via:SIP / 2.0 / UDP   203.0.113.5:65002;rport ;branch=z9hG4bK1"}));
        CHECK(
            rewrite_ok(message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP [fd00:1::10]:5060;branch=z9hG4bK1"}), rules) ==
            message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP [2001:db8:5::5]:65002;rport;branch=z9hG4bK1"}));
        CHECK(
            rewrite_ok(message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP", "  192.168.1.10;branch=z9hG4bK1"}), rules) ==
            message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP", "  203.0.113.5:65002;rport;branch=z9hG4bK1"}));
    }
    SECTION("a public or named sent-by stays, rport is still added") {
        CHECK(rewrite_ok(message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP pbx.example.com:5060;branch=z9hG4bK1"}),
                         rules) ==
              message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP pbx.example.com:5060;rport;branch=z9hG4bK1"}));
        CHECK(rewrite_ok(message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK1"}), rules) ==
              message({"INFO sip:x SIP/2.0", "Via: SIP/2.0/UDP 198.51.100.20;rport;branch=z9hG4bK1"}));
    }
    SECTION("a response's Vias are the requester's and stay") {
        const std::string in = message({"SIP/2.0 180 Ringing", "Via: SIP/2.0/UDP 192.168.1.50:5060;branch=z9hG4bK1",
                                        "Contact: <sip:100@192.168.1.10:5060>", "Content-Length: 0"});
        CHECK(rewrite_ok(in, rules) ==
              message({"SIP/2.0 180 Ringing", "Via: SIP/2.0/UDP 192.168.1.50:5060;branch=z9hG4bK1",
                       "Contact: <sip:100@203.0.113.5:65002>", "Content-Length: 0"}));
    }
    SECTION("malformed top Via") {
        for (const char* via : {"Via: SIP/2.0/UDP", "Via: SIP/2.0 192.168.1.10", "Via: SIP/2.0/UDP 10.0.0.1:abc",
                                "Via: SIP/2.0/UDP [fd00::1:5060", "Via:", "Via: SIP/2.0/UDP 10.0.0.1:99999",
                                "Via: SIP/2.0/UDP 10.0.0.1:5060x;branch=z9hG4bK1", "Via: SIP/2.0/UDP 10.0.0.1 x"}) {
            const auto r = rewrite_fails(message({"INVITE sip:x SIP/2.0", "Max-Forwards: 70", via}), rules);
            CHECK(r.error() == sip::errc::bad_via);
            CHECK(r.line() == 3);
        }
    }
}

TEST_CASE("Contact in every form") {
    const auto rules = pbx_rules();
    const auto contact = [&](const char* value) {
        const std::string out = rewrite_ok(message({"SIP/2.0 200 OK", value}), rules);
        return out.substr(out.find("\r\n") + 2, out.find("\r\n\r\n") - out.find("\r\n") - 2);
    };
    CHECK(contact("Contact: <sip:100@192.168.1.10:5060;transport=udp>;expires=60") ==
          "Contact: <sip:100@203.0.113.5:65002;transport=udp>;expires=60");
    CHECK(contact("Contact: \"Reception, <desk> 1\" <sip:100@192.168.1.10>") ==
          "Contact: \"Reception, <desk> 1\" <sip:100@203.0.113.5:65002>");
    CHECK(contact("Contact: Reception Desk <sips:100@192.168.1.10:5061>") ==
          "Contact: Reception Desk <sips:100@203.0.113.5:65002>");
    CHECK(contact("Contact: sip:100@192.168.1.10:5060;expires=3600;q=0.7") ==
          "Contact: sip:100@203.0.113.5:65002;expires=3600;q=0.7");
    CHECK(contact("m: sip:192.168.1.10") == "m: sip:203.0.113.5:65002");
    CHECK(contact("CONTACT: <sip:100@192.168.1.10>, \"B\" <sip:101@10.0.0.2:5062>;q=0.1 ,sip:102@172.16.0.1") ==
          "CONTACT: <sip:100@203.0.113.5:65002>, \"B\" <sip:101@203.0.113.5:65002>;q=0.1 ,sip:102@203.0.113.5:65002");
    CHECK(contact("Contact: <sip:100@192.168.1.10>;+sip.instance=\"<urn:uuid:1,2>\", <sip:101@192.168.1.11>") ==
          "Contact: <sip:100@203.0.113.5:65002>;+sip.instance=\"<urn:uuid:1,2>\", <sip:101@203.0.113.5:65002>");
    CHECK(contact("Contact: <sip:+49;npdi;rn=+4930@192.168.1.10;user=phone?X-Foo=bar>") ==
          "Contact: <sip:+49;npdi;rn=+4930@203.0.113.5:65002;user=phone?X-Foo=bar>");
    CHECK(contact("Contact: <sip:100@[fd00:1::10]:5060>") == "Contact: <sip:100@[2001:db8:5::5]:65002>");
    CHECK(contact("Contact: <sip:100@192.168.1.10>,\r\n <sip:101@192.168.1.10>") ==
          "Contact: <sip:100@203.0.113.5:65002>,\r\n <sip:101@203.0.113.5:65002>");
    // Left alone: "*", other schemes, names, public or foreign addresses, broken ports.
    for (const char* same : {"Contact: *", "Contact: <tel:+4989111222>", "Contact: <sip:100@pbx.example.com:5060>",
                             "Contact: <sip:100@198.51.100.20>", "Contact: <urn:service:sos>",
                             "Contact: <sip:100@192.168.1.10:50x>", "Contact: <sip:100@fd00::1>"})
        CHECK(contact(same) == same);

    SECTION("one family without a public address") {
        auto v4_only = rules;
        v4_only.clear_public_endpoint(address_family::ipv6);
        const std::string in =
            message({"SIP/2.0 200 OK", "Contact: <sip:100@[fd00:1::10]:5060>, <sip:100@192.168.1.10>"});
        CHECK(rewrite_ok(in, v4_only) ==
              message({"SIP/2.0 200 OK", "Contact: <sip:100@[fd00:1::10]:5060>, <sip:100@203.0.113.5:65002>"}));
    }
    SECTION("malformed") {
        for (const char* bad :
             {"Contact: \"unterminated <sip:1@10.0.0.1>", "Contact: <sip:1@10.0.0.1", "Contact: \"x\" sip:1@10.0.0.1",
              "Contact: garbage", "Contact: <sip:1@10.0.0.1>;a=\"b"}) {
            const auto r = rewrite_fails(message({"SIP/2.0 200 OK", "To: <sip:x@y>", bad}), rules);
            CHECK(r.error() == sip::errc::bad_contact);
            CHECK(r.line() == 3);
        }
    }
}

TEST_CASE("Request-URI, Route, Record-Route, From, To and other headers stay") {
    const auto rules = pbx_rules();
    const std::string in = message(
        {"INVITE sip:100@192.168.1.50:5060 SIP/2.0", "Via: SIP/2.0/UDP 198.51.100.20:5060;rport;branch=z9hG4bK1",
         "Route: <sip:192.168.1.1;lr>", "Record-Route: <sip:192.168.1.10;lr>", "From: <sip:200@192.168.1.10>;tag=1",
         "To: <sip:100@192.168.1.50>", "P-Asserted-Identity: <sip:200@192.168.1.10>", "Call-ID: 1@192.168.1.10",
         "Content-Length: 0"});
    std::string out;
    const auto r = sip::rewrite(in, rules, out);
    REQUIRE(r);
    CHECK(out == in);
    CHECK(r.changes() == 0);
}

TEST_CASE("the SDP body and Content-Length") {
    const auto rules = pbx_rules();
    SECTION("rewritten, Content-Length recomputed") {
        const std::string in = message({"INVITE sip:x SIP/2.0", "Content-Type: application/sdp",
                                        ("Content-Length: " + std::to_string(sdp_body.size())).c_str()},
                                       sdp_body);
        const std::string out = rewrite_ok(in, rules);
        CHECK(out == message({"INVITE sip:x SIP/2.0", "Content-Type: application/sdp",
                              ("Content-Length: " + std::to_string(sdp_public.size())).c_str()},
                             sdp_public));
        CHECK(sdp_public.size() != sdp_body.size());
    }
    SECTION("compact forms, odd spacing, leading zeros, folding, content-type parameters") {
        const std::string len = std::to_string(sdp_body.size());
        const std::string pub = std::to_string(sdp_public.size());
        for (const auto& [header, expected] : std::vector<std::pair<std::string, std::string>>{
                 {"l: " + len, "l: " + pub},
                 {"Content-Length :  " + len + "  ", "Content-Length :  " + pub + "  "},
                 {"content-length:\t00" + len, "content-length:\t" + pub},
                 {"Content-Length:\r\n   " + len, "Content-Length:\r\n   " + pub}}) {
            for (const char* type : {"c: application/sdp", "Content-Type: Application/SDP ; charset=utf-8",
                                     "content-type:application/sdp"}) {
                const std::string out =
                    rewrite_ok(message({"INVITE sip:x SIP/2.0", type, header.c_str()}, sdp_body), rules);
                CHECK(out == message({"INVITE sip:x SIP/2.0", type, expected.c_str()}, sdp_public));
            }
        }
    }
    SECTION("no Content-Length: none is added; bytes after the body stay") {
        CHECK(rewrite_ok(message({"INVITE sip:x SIP/2.0", "c: application/sdp"}, sdp_body), rules) ==
              message({"INVITE sip:x SIP/2.0", "c: application/sdp"}, sdp_public));
        const std::string len = std::to_string(sdp_body.size());
        const std::string out = rewrite_ok(
            message({"INVITE sip:x SIP/2.0", "c: application/sdp", ("l: " + len).c_str()}, sdp_body + "junk\r\n"),
            rules);
        CHECK(out == message({"INVITE sip:x SIP/2.0", "c: application/sdp",
                              ("l: " + std::to_string(sdp_public.size())).c_str()},
                             sdp_public + "junk\r\n"));
    }
    SECTION("a width change of the number (99 -> 106, 101 -> 97)") {
        auto grow = rules;
        REQUIRE_FALSE(grow.sdp.ports.add(sdp::port_mapping::single(1, 65000)));
        const std::string body =
            "v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 1 RTP/AVP 0\r\nb=AS:64\r\na=x:" + std::string(99 - 60, 'y') + "\r\n";
        REQUIRE(body.size() == 99);
        const std::string out =
            rewrite_ok(message({"INVITE sip:x SIP/2.0", "c: application/sdp", "l: 99", "X: y"}, body), grow);
        CHECK(out.find("l: 106\r\nX: y\r\n\r\nv=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 65000 RTP/AVP 0\r\n") !=
              std::string::npos);
        CHECK(body_size(out) == 106);

        const std::string shrink =
            "v=0\r\nc=IN IP4 192.168.100.100\r\nm=audio 1 RTP/AVP 0\r\na=x:" + std::string(101 - 58, 'y') + "\r\n";
        REQUIRE(shrink.size() == 101);
        const std::string out2 =
            rewrite_ok(message({"INVITE sip:x SIP/2.0", "c: application/sdp", "l: 101", "X: y"}, shrink), rules);
        CHECK(out2.find("l: 97\r\nX: y\r\n\r\nv=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 1 RTP/AVP 0\r\n") !=
              std::string::npos);
        CHECK(body_size(out2) == 97);
    }
    SECTION("other bodies stay, and so does an encoded SDP") {
        for (const char* type : {"Content-Type: application/pidf+xml", "Content-Type: text/plain"}) {
            const std::string in = message({"MESSAGE sip:x SIP/2.0", "Via: SIP/2.0/UDP pbx;rport", type}, sdp_body);
            CHECK(rewrite_ok(in, rules) == in);
        }
        const std::string gz = message({"SIP/2.0 200 OK", "c: application/sdp", "e: gzip"}, sdp_body);
        CHECK(rewrite_ok(gz, rules) == gz);
        const std::string identity =
            message({"SIP/2.0 200 OK", "c: application/sdp", "Content-Encoding: identity"}, sdp_body);
        CHECK(rewrite_ok(identity, rules) ==
              message({"SIP/2.0 200 OK", "c: application/sdp", "Content-Encoding: identity"}, sdp_public));
    }
    SECTION("bare LF messages") {
        std::string body = sdp_body, pub = sdp_public;
        for (auto* s : {&body, &pub})
            for (std::size_t at; (at = s->find("\r\n")) != std::string::npos;) s->erase(at, 1);
        const std::string in =
            "SIP/2.0 200 OK\nm: <sip:1@192.168.1.10>\nc: application/sdp\nl: " + std::to_string(body.size()) + "\n\n" +
            body;
        CHECK(rewrite_ok(in, rules) == "SIP/2.0 200 OK\nm: <sip:1@203.0.113.5:65002>\nc: application/sdp\nl: " +
                                           std::to_string(pub.size()) + "\n\n" + pub);
    }
    SECTION("errors, with the message's line numbers") {
        const auto fails = [&](const std::string& in, std::error_code e, std::size_t line) {
            const auto r = rewrite_fails(in, rules);
            CHECK(r.error() == e);
            CHECK(r.line() == line);
        };
        fails("", sip::errc::not_sip, 1);
        fails("hello world\r\n\r\n", sip::errc::not_sip, 1);
        fails("GET / HTTP/1.1\r\nHost: x\r\n\r\n", sip::errc::not_sip, 1);  // classify() calls it SIP-like
        fails("INVITE sip:x SIP/3.0\r\n\r\n", sip::errc::not_sip, 1);
        fails("SIP/2.0 OK\r\n\r\n", sip::errc::not_sip, 1);
        CHECK(rewrite_ok("SIP/2.0 200\r\n\r\n", rules) == "SIP/2.0 200\r\n\r\n");
        CHECK(rewrite_ok("ack sip:x sip/2.0\r\n\r\n", rules) == "ack sip:x sip/2.0\r\n\r\n");
        fails("INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n", sip::errc::unterminated_headers, 3);
        fails("INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1", sip::errc::unterminated_headers, 2);
        fails(message({"INVITE sip:x SIP/2.0", "l: 12x"}), sip::errc::bad_content_length, 2);
        fails(message({"INVITE sip:x SIP/2.0", "Content-Length:"}), sip::errc::bad_content_length, 2);
        fails(message({"INVITE sip:x SIP/2.0", "Content-Length: -1"}), sip::errc::bad_content_length, 2);
        fails(message({"INVITE sip:x SIP/2.0", "Content-Length: 1000000000"}), sip::errc::bad_content_length, 2);
        fails(message({"INVITE sip:x SIP/2.0", "Content-Length: 0", "l: 0"}), sip::errc::duplicate_content_length, 3);
        fails(message({"INVITE sip:x SIP/2.0", "Max-Forwards: 70", "Content-Length: 500"}, sdp_body),
              sip::errc::body_truncated, 3);
        const std::string bad_sdp = "v=0\r\ns=-\r\nm=audio x RTP/AVP 0\r\n";
        fails(message({"INVITE sip:x SIP/2.0", "Content-Type: application/sdp"}, bad_sdp), sdp::errc::bad_media_line,
              6);
        fails(message({"INVITE sip:x SIP/2.0", "Content-Type: application/sdp"}, "hello\r\n"), sdp::errc::not_sdp, 4);
    }
}

TEST_CASE("SDP parts of multipart bodies (RFC 2046 §5.1)") {
    const auto rules = pbx_rules();
    const auto multipart = [](const std::string& sdp, const char* part_headers, const char* sep) {
        return std::string("preamble\r\n--b1\r\n") + part_headers + "\r\n\r\n" + sdp + sep +
               "--b1\r\nContent-Type: application/ISUP;version=itu-t92+\r\n\r\n\x01\x02\x03" + "\r\n--b1--\r\nepilogue";
    };
    SECTION("mixed, with a part-level Content-Length") {
        const std::string in_body = multipart(
            sdp_body, ("Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp_body.size())).c_str(),
            "\r\n");
        const std::string out_body = multipart(
            sdp_public,
            ("Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp_public.size())).c_str(), "\r\n");
        const std::string in = message({"INVITE sip:x SIP/2.0", "Content-Type: multipart/mixed;boundary=\"b1\"",
                                        ("Content-Length: " + std::to_string(in_body.size())).c_str()},
                                       in_body);
        CHECK(rewrite_ok(in, rules) == message({"INVITE sip:x SIP/2.0", "Content-Type: multipart/mixed;boundary=\"b1\"",
                                                ("Content-Length: " + std::to_string(out_body.size())).c_str()},
                                               out_body));
    }
    SECTION("an SDP part whose last line has no line ending of its own gets a=rtcp right") {
        auto single = rules;
        REQUIRE_FALSE(single.sdp.ports.add(sdp::port_mapping::single(57000, 41012)));
        REQUIRE_FALSE(single.sdp.ports.add(sdp::port_mapping::single(57001, 41977)));
        const std::string sdp = "v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 57000 RTP/AVP 0\r\na=sendrecv";
        const std::string in = message({"INVITE sip:x SIP/2.0", "Content-Type: multipart/alternative; boundary=b1"},
                                       multipart(sdp, "Content-Type: application/sdp", "\r\n"));
        CHECK(rewrite_ok(in, single) ==
              message({"INVITE sip:x SIP/2.0", "Content-Type: multipart/alternative; boundary=b1"},
                      multipart("v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 41012 RTP/AVP 0\r\na=sendrecv\r\na=rtcp:41977",
                                "Content-Type: application/sdp", "\r\n")));
    }
    SECTION("nested multipart, and a boundary that only starts like ours") {
        const std::string inner = "--in\r\nContent-Type: application/sdp\r\n\r\n" + sdp_body + "\r\n--in--";
        const std::string body =
            "--b1x\r\n\r\nnot a part\r\n--b1\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n" + inner +
            "\r\n--b1--\r\n";
        const std::string expected_inner = "--in\r\nContent-Type: application/sdp\r\n\r\n" + sdp_public + "\r\n--in--";
        const std::string expected =
            "--b1x\r\n\r\nnot a part\r\n--b1\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n" + expected_inner +
            "\r\n--b1--\r\n";
        CHECK(rewrite_ok(message({"INVITE sip:x SIP/2.0", "c: multipart/mixed;boundary=b1"}, body), rules) ==
              message({"INVITE sip:x SIP/2.0", "c: multipart/mixed;boundary=b1"}, expected));
    }
    SECTION("a part with a Content-Length but no content stays as it is") {
        const std::string body = "--b1\r\nContent-Type: application/sdp\r\nContent-Length: 331\r\n--b1--\r\n";
        const std::string in = message({"INVITE sip:x SIP/2.0", "c: multipart/mixed;boundary=b1"}, body);
        std::string out;
        const auto r = sip::rewrite(in, rules, out);
        REQUIRE(r);
        CHECK(out == in);
        CHECK(r.changes() == 0);
    }
    SECTION("errors inside a part carry the message's line number") {
        const std::string body = "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nc=IN IP4\r\n--b1--\r\n";
        const auto r = rewrite_fails(message({"INVITE sip:x SIP/2.0", "c: multipart/mixed;boundary=b1"}, body), rules);
        CHECK(r.error() == sdp::errc::bad_connection_line);
        CHECK(r.line() == 8);
    }
}

TEST_CASE("SIP output into fixed buffers and without allocation") {
    auto rules = pbx_rules();
    const std::string in = message(
        {"INVITE sip:x SIP/2.0", "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1", "Contact: <sip:1@192.168.1.10>",
         "Content-Type: application/sdp", ("Content-Length: " + std::to_string(sdp_body.size())).c_str()},
        sdp_body);
    std::string expected;
    REQUIRE(sip::rewrite(in, rules, expected));
    std::vector<std::uint8_t> buf(expected.size() + 8, 0xAA);
    REQUIRE(sip::rewrite(in, rules, mutable_bytes(buf.data(), expected.size())).text() == expected);
    for (std::size_t cap : {expected.size() - 1, expected.size() - 40, std::size_t{5}}) {
        std::fill(buf.begin(), buf.end(), std::uint8_t{0xAA});
        const auto r = sip::rewrite(in, rules, mutable_bytes(buf.data(), cap));
        CHECK(r.error() == sip::errc::buffer_too_small);
        CHECK(r.size() == expected.size());
        for (std::size_t k = cap; k < buf.size(); ++k) REQUIRE(buf[k] == 0xAA);
    }
    // A Content-Length that gets narrower ("0331" -> "329") still fits a buffer of exactly the
    // output's size (found by natkit-fuzz-sip).
    const std::string padded =
        message({"INVITE sip:x SIP/2.0", "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1",
                 "Content-Type: application/sdp", ("Content-Length: 0" + std::to_string(sdp_body.size())).c_str()},
                sdp_body);
    std::string padded_out;
    REQUIRE(sip::rewrite(padded, rules, padded_out));
    CHECK(padded_out.find("Content-Length: " + std::to_string(sdp_public.size()) + "\r\n") != std::string::npos);
    std::vector<std::uint8_t> exact(padded_out.size());
    CHECK(sip::rewrite(padded, rules, mutable_bytes(exact.data(), exact.size())).text() == padded_out);

    std::array<std::uint8_t, 4096> out{};
    std::size_t changes = 0;
    CHECK(allocations_during([&] { changes = sip::rewrite(in, rules, out).changes(); }) == 0);
    CHECK(changes == 7);  // Via sent-by, rport, Contact, o=, c=, m=, Content-Length
}
