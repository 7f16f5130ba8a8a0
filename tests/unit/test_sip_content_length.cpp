// Content-Length (RFC 3261 §20.14): parsing the value, and fix_content_length() for messages
// edited by other means.
#include <array>
#include <cstdint>
#include <string>

#include "catch.hpp"
#include "natkit/sip/content_length.hpp"
#include "support/allocations.hpp"

using namespace natkit;

TEST_CASE("parse_content_length reads 1*DIGIT with LWS around it") {
    const auto v = sip::parse_content_length("  0042 \t");
    REQUIRE(v);
    CHECK(v->value == 42);
    CHECK(v->digits == "0042");
    CHECK(sip::parse_content_length("\r\n 7")->value == 7);
    CHECK(sip::parse_content_length("0")->value == 0);
    CHECK(sip::parse_content_length("999999999")->value == 999999999);
    for (const char* bad :
         {"", "  ", "x", "12x", "1 2", "-1", "+1", "1000000000", "0x10", "00000000000000000000001000000000"})
        CHECK(sip::parse_content_length(bad).error() == sip::errc::bad_content_length);
}

TEST_CASE("fix_content_length sets the length to the body that is there") {
    std::string out;
    SECTION("too small, too large, compact, spacing kept") {
        CHECK(sip::fix_content_length("MESSAGE sip:x SIP/2.0\r\nl :  3 \r\n\r\nhello", out).text() ==
              "MESSAGE sip:x SIP/2.0\r\nl :  5 \r\n\r\nhello");
        CHECK(
            sip::fix_content_length("MESSAGE sip:x SIP/2.0\r\nContent-Length: 120\r\nX: y\r\n\r\nhello", out).text() ==
            "MESSAGE sip:x SIP/2.0\r\nContent-Length: 5\r\nX: y\r\n\r\nhello");
        CHECK(sip::fix_content_length("SIP/2.0 200 OK\nContent-Length: 9\n\n0123456789", out).text() ==
              "SIP/2.0 200 OK\nContent-Length: 10\n\n0123456789");
    }
    SECTION("right already, or absent: unchanged") {
        const std::string right = "SIP/2.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        const auto r = sip::fix_content_length(right, out);
        REQUIRE(r);
        CHECK(out == right);
        CHECK(r.changes() == 0);
        CHECK(sip::fix_content_length("SIP/2.0 200 OK\r\n\r\nhello", out).text() == "SIP/2.0 200 OK\r\n\r\nhello");
    }
    SECTION("errors") {
        CHECK(sip::fix_content_length("hello", out).error() == sip::errc::not_sip);
        CHECK(sip::fix_content_length("SIP/2.0 200 OK\r\nl: 1\r\n", out).error() == sip::errc::unterminated_headers);
        const auto dup = sip::fix_content_length("SIP/2.0 200 OK\r\nl: 1\r\nContent-Length: 1\r\n\r\nx", out);
        CHECK(dup.error() == sip::errc::duplicate_content_length);
        CHECK(dup.line() == 3);
        CHECK(sip::fix_content_length("SIP/2.0 200 OK\r\nl: one\r\n\r\nx", out).error() ==
              sip::errc::bad_content_length);
        std::array<std::uint8_t, 20> small{};
        const auto tiny = sip::fix_content_length("SIP/2.0 200 OK\r\nl: 1\r\n\r\nhello world", small);
        CHECK(tiny.error() == sip::errc::buffer_too_small);
        CHECK(tiny.size() == 36);
    }
    SECTION("no allocation into a fixed buffer") {
        std::array<std::uint8_t, 256> buf{};
        std::string text;
        CHECK(allocations_during(
                  [&] { (void)sip::fix_content_length("SIP/2.0 200 OK\r\nl: 1\r\n\r\nhello world", buf); }) == 0);
    }
}
