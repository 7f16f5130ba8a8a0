// STUN over a byte stream (RFC 8489 §6.2.2): fragmented and coalesced input.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/message.hpp"
#include "natkit/stun/stream_framer.hpp"
#include "support/vectors.hpp"

using namespace natkit;
using namespace natkit::stun;

TEST_CASE("framed_size reads the header alone") {
    const auto m = vectors::sample_request();
    CHECK(framed_size(bytes_view(m.data(), 19)).value() == 0);
    CHECK(framed_size(bytes_view(m.data(), 20)).value() == 108);
    std::vector<std::uint8_t> bad = m;
    bad[0] = 0x80;
    CHECK(framed_size(bad).error() == errc::not_stun);
    bad = m;
    bad[3] = 0x57;
    CHECK(framed_size(bad).error() == errc::bad_length);
}

TEST_CASE("The stream framer yields whole messages from any split of the stream") {
    const std::vector<std::vector<std::uint8_t>> messages = {vectors::sample_request(), vectors::ipv4_response(),
                                                             vectors::ipv6_response(), vectors::long_term_request()};
    std::vector<std::uint8_t> stream;
    for (const auto& m : messages) stream.insert(stream.end(), m.begin(), m.end());

    std::mt19937 rng(42);
    for (int round = 0; round < 500; ++round) {
        std::array<std::uint8_t, 256> storage{};
        stream_framer framer(storage);
        std::size_t pos = 0, got = 0;
        const std::size_t max_chunk = round == 0 ? 1 : std::uniform_int_distribution<std::size_t>(1, 400)(rng);
        while (pos < stream.size() || framer.buffered() > 0) {
            const std::size_t chunk = std::min(stream.size() - pos, std::uniform_int_distribution<std::size_t>(1, max_chunk)(rng));
            pos += framer.append(bytes_view(stream.data() + pos, chunk));
            for (;;) {
                auto next = framer.next();
                REQUIRE(next);
                if (next->empty()) {
                    REQUIRE(framer.bytes_needed() > 0);
                    break;
                }
                REQUIRE(got < messages.size());
                CHECK(*next == bytes_view(messages[got]));
                CHECK(message_view::parse(*next));
                ++got;
            }
            if (pos == stream.size() && got == messages.size()) break;
        }
        REQUIRE(got == messages.size());
        CHECK(framer.buffered() == 0);
    }
}

TEST_CASE("bytes_needed says how much the next message still needs") {
    const auto m = vectors::ipv4_response();  // 80 bytes
    std::array<std::uint8_t, 128> storage{};
    stream_framer framer(storage);
    CHECK(framer.bytes_needed() == 20);
    framer.append(bytes_view(m.data(), 5));
    CHECK(framer.bytes_needed() == 15);
    framer.append(bytes_view(m.data() + 5, 30));
    CHECK(framer.bytes_needed() == 45);
    CHECK(framer.next()->empty());
    framer.append(bytes_view(m.data() + 35, 45));
    CHECK(framer.bytes_needed() == 0);
    CHECK(framer.next()->size() == 80);
}

TEST_CASE("The stream framer reports non-STUN and oversized messages") {
    std::array<std::uint8_t, 64> storage{};
    {
        stream_framer framer(storage);
        const std::string sip = "INVITE sip:bob@example.com SIP/2.0\r\n";
        framer.append(bytes_view(sip));
        CHECK(framer.next().error() == errc::not_stun);
    }
    {
        stream_framer framer(storage);
        const auto m = vectors::sample_request();  // 108 bytes > 64 bytes of storage
        CHECK(framer.append(m) == 64);
        CHECK(framer.next().error() == errc::message_too_large);
    }
}
