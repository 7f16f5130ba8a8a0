// The STUN parser and builder on malformed, hostile and random input, and round trips.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/vectors.hpp"

using namespace natkit;
using namespace natkit::stun;

namespace {
using vec_builder = message_builder<std::vector<std::uint8_t>>;
const transaction_id tid = transaction_id::from(reinterpret_cast<const std::uint8_t*>("0123456789ab"));

std::vector<std::uint8_t> build(const std::function<void(vec_builder&)>& fill,
                                std::uint16_t type = make_message_type(method::binding, message_class::request)) {
    std::vector<std::uint8_t> out;
    vec_builder b(out, type, tid);
    fill(b);
    REQUIRE(b.finish());
    return out;
}

std::error_code parse_error(const std::vector<std::uint8_t>& bytes, std::size_t* offset = nullptr) {
    return message_view::parse(bytes, offset).error();
}

void put16(std::vector<std::uint8_t>& m, std::size_t at, std::uint16_t v) {
    m[at] = static_cast<std::uint8_t>(v >> 8);
    m[at + 1] = static_cast<std::uint8_t>(v);
}
}  // namespace

TEST_CASE("Message type interleaves method and class bits (RFC 8489 §5)") {
    CHECK(make_message_type(method::binding, message_class::request) == 0x0001);
    CHECK(make_message_type(method::binding, message_class::indication) == 0x0011);
    CHECK(make_message_type(method::binding, message_class::success_response) == 0x0101);
    CHECK(make_message_type(method::binding, message_class::error_response) == 0x0111);
    // TURN Allocate (0x003) error response is 0x0113 (RFC 8656 §18).
    CHECK(make_message_type(static_cast<method>(0x003), message_class::error_response) == 0x0113);
    for (unsigned m = 0; m < 0x1000; ++m) {
        for (unsigned c = 0; c < 4; ++c) {
            const auto t = make_message_type(static_cast<method>(m), static_cast<message_class>(c));
            REQUIRE(t < 0x4000);
            REQUIRE(static_cast<unsigned>(method_of(t)) == m);
            REQUIRE(static_cast<unsigned>(class_of(t)) == c);
        }
    }
}

TEST_CASE("Every truncation of a valid message is rejected without reading past it") {
    for (const auto& full : {vectors::sample_request(), vectors::ipv4_response(), vectors::ipv6_response(),
                             vectors::long_term_request(), vectors::rfc8489_b1_request()}) {
        for (std::size_t n = 0; n < full.size(); ++n) {
            // A heap copy of exactly n bytes, so AddressSanitizer sees any overread.
            std::vector<std::uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
            prefix.shrink_to_fit();
            std::size_t offset = 12345;
            const auto ec = parse_error(prefix, &offset);
            REQUIRE(ec);
            CHECK(offset <= n);
            CHECK((ec == errc::truncated || ec == errc::bad_length));
        }
    }
}

TEST_CASE("Header errors name the byte where parsing failed") {
    auto m = vectors::ipv4_response();
    std::size_t offset = 0;

    auto not_stun = m;
    not_stun[0] |= 0x80;
    CHECK(parse_error(not_stun, &offset) == errc::not_stun);
    CHECK(offset == 0);

    auto misaligned = m;
    put16(misaligned, 2, 0x003d);
    CHECK(parse_error(misaligned, &offset) == errc::bad_length);
    CHECK(offset == 2);

    auto trailing = m;
    trailing.push_back(0);
    trailing.push_back(0);
    trailing.push_back(0);
    trailing.push_back(0);
    CHECK(parse_error(trailing, &offset) == errc::bad_length);

    auto attr_overflow = m;
    put16(attr_overflow, 22, 0x00f0);  // SOFTWARE claims 240 bytes
    CHECK(parse_error(attr_overflow, &offset) == errc::attribute_truncated);
    CHECK(offset == 20);
}

TEST_CASE("Placement rules: FINGERPRINT last, only FINGERPRINT after integrity (RFC 8489 §14.5-14.7)") {
    const auto key = integrity_key::short_term("pw");
    SECTION("attribute after FINGERPRINT") {
        auto m = build([](vec_builder& b) { b.add_fingerprint(); });
        // Append a SOFTWARE attribute by hand behind the FINGERPRINT.
        const std::uint8_t extra[] = {0x80, 0x22, 0x00, 0x04, 'a', 'b', 'c', 'd'};
        m.insert(m.end(), std::begin(extra), std::end(extra));
        put16(m, 2, static_cast<std::uint16_t>(m.size() - 20));
        std::size_t offset = 0;
        CHECK(parse_error(m, &offset) == errc::attribute_after_fingerprint);
        CHECK(offset == 28);
    }
    SECTION("attribute after MESSAGE-INTEGRITY") {
        auto m = build([&](vec_builder& b) { b.add_integrity(key); });
        const std::uint8_t extra[] = {0x80, 0x22, 0x00, 0x04, 'a', 'b', 'c', 'd'};
        m.insert(m.end(), std::begin(extra), std::end(extra));
        put16(m, 2, static_cast<std::uint16_t>(m.size() - 20));
        CHECK(parse_error(m) == errc::attribute_after_integrity);
    }
    SECTION("MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow MESSAGE-INTEGRITY") {
        auto m = build([&](vec_builder& b) {
            b.add<attr::software>("x");
            b.add_integrity(key);
            b.add_integrity_sha256(key);
            b.add_fingerprint();
        });
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK_FALSE(msg->check_integrity_sha1(key));
        CHECK_FALSE(msg->check_integrity_sha256(key));
        CHECK_FALSE(msg->check_fingerprint());
    }
    SECTION("the builder refuses what the parser would reject") {
        std::vector<std::uint8_t> out;
        message_builder b(out, method::binding, message_class::request, tid);
        CHECK_FALSE(b.add_integrity_sha256(key));
        CHECK(b.add_integrity(key) == errc::out_of_order);
        CHECK(b.finish().error() == errc::out_of_order);

        message_builder b2(out, method::binding, message_class::request, tid);
        CHECK_FALSE(b2.add_fingerprint());
        CHECK(b2.add<attr::software>("late") == errc::out_of_order);
    }
}

TEST_CASE("Known attributes with impossible lengths are rejected") {
    struct bad_case {
        std::uint16_t type;
        std::size_t len;
    };
    for (const auto c : {bad_case{0x8028, 8}, bad_case{0x0008, 16}, bad_case{0x001C, 12}, bad_case{0x001C, 36},
                         bad_case{0x001C, 18}, bad_case{0x0020, 12}, bad_case{0x0001, 4}, bad_case{0x0024, 8},
                         bad_case{0x8029, 4}, bad_case{0x0025, 4}, bad_case{0x0003, 8}, bad_case{0x001E, 20},
                         bad_case{0x0009, 0}}) {
        std::vector<std::uint8_t> value(c.len, 0);
        auto m = build([&](vec_builder& b) { b.add_raw(c.type, bytes_view(value)); });
        INFO("type " << c.type << " length " << c.len);
        CHECK(parse_error(m) == errc::bad_attribute_length);
    }
}

TEST_CASE("Attribute values that break their definition decode to errors, not garbage") {
    SECTION("address family") {
        const std::uint8_t v[] = {0, 3, 0x12, 0x34, 1, 2, 3, 4};
        auto m = build([&](vec_builder& b) { b.add_raw(attr::xor_mapped_address::type, bytes_view(v, sizeof v)); });
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK(msg->get<attr::xor_mapped_address>().error() == errc::bad_address_family);
    }
    SECTION("IPv4 family with an IPv6-sized value") {
        std::uint8_t v[20] = {0, 1, 0x12, 0x34};
        auto m = build([&](vec_builder& b) { b.add_raw(attr::mapped_address::type, bytes_view(v, sizeof v)); });
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK(msg->get<attr::mapped_address>().error() == errc::bad_attribute_length);
    }
    SECTION("ERROR-CODE class outside 3-6") {
        const std::uint8_t v[] = {0, 0, 7, 1, 'x', 0, 0, 0};
        auto m = build([&](vec_builder& b) { b.add_raw(attr::error_code::type, bytes_view(v, 5)); });
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK(msg->get<attr::error_code>().error() == errc::bad_value);
    }
    SECTION("missing attribute") {
        auto m = build([](vec_builder&) {});
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK(msg->get<attr::software>().error() == errc::attribute_missing);
        CHECK_FALSE(msg->has<attr::software>());
    }
    SECTION("SOFTWARE longer than 763 bytes") {
        const std::string long_text(764, 'a');
        std::vector<std::uint8_t> out;
        message_builder b(out, method::binding, message_class::request, tid);
        CHECK(b.add<attr::software>(long_text) == errc::value_too_long);
        auto m = build([&](vec_builder& bb) { bb.add_raw(attr::software::type, bytes_view(long_text)); });
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK(msg->get<attr::software>().error() == errc::value_too_long);
    }
}

TEST_CASE("Classic RFC 3489 messages are recognised and flagged legacy") {
    // A classic Binding request: 128-bit transaction id, no magic cookie, CHANGE-REQUEST.
    std::vector<std::uint8_t> out;
    message_builder b(out, method::binding, message_class::request, tid, 0xdeadbeef);
    b.add<attr::change_request>({true, false});
    REQUIRE(b.finish());
    auto msg = message_view::parse(out);
    REQUIRE(msg);
    CHECK(msg->legacy());
    CHECK(msg->cookie() == 0xdeadbeef);
    CHECK(msg->transaction_id() == tid);
    CHECK(msg->get<attr::change_request>().value() == change_request_value{true, false});

    const auto sample = vectors::sample_request();
    auto modern = message_view::parse(sample);
    REQUIRE(modern);
    CHECK_FALSE(modern->legacy());
}

TEST_CASE("Unknown comprehension-required attributes are listed once each") {
    auto m = build([](vec_builder& b) {
        b.add_raw(0x7001, {});
        b.add_raw(0x8001, {});   // comprehension-optional: not listed
        b.add<attr::software>("s");  // known
        b.add_raw(0x7002, {});
        b.add_raw(0x7001, {});   // duplicate
        b.add_raw(0x4000, {});
    });
    auto msg = message_view::parse(m);
    REQUIRE(msg);
    std::uint16_t out[8] = {};
    REQUIRE(msg->unknown_required_attributes(out, 8) == 3);
    CHECK(out[0] == 0x7001);
    CHECK(out[1] == 0x7002);
    CHECK(out[2] == 0x4000);
    const std::uint16_t mine[] = {0x7002};
    REQUIRE(msg->unknown_required_attributes(out, 8, mine, 1) == 2);
    CHECK(out[1] == 0x4000);
    // A too-small output says there were more than fit.
    std::uint16_t one[1] = {};
    CHECK(msg->unknown_required_attributes(one, 1) == 2);
    CHECK(one[0] == 0x7001);
    CHECK(msg->unknown_required_attributes(out, 3) == 3);
    CHECK(msg->unknown_required_attributes(nullptr, 0) == 1);
}

TEST_CASE("The builder never writes past a fixed buffer") {
    const auto key = integrity_key::short_term("pw");
    const endpoint ep(ip_address::v4(203, 0, 113, 7), 40000);
    std::size_t needed = 0;
    {
        std::array<std::uint8_t, 256> big{};
        message_builder b(big, method::binding, message_class::success_response, tid);
        b.add<attr::software>("natkit test");
        b.add<attr::xor_mapped_address>(ep);
        b.add_integrity(key);
        b.add_fingerprint();
        needed = b.finish()->size();
    }
    for (std::size_t cap = 0; cap < needed; ++cap) {
        std::vector<std::uint8_t> buf(needed + 16, 0xAB);
        message_builder b(mutable_bytes(buf.data(), cap), method::binding, message_class::success_response, tid);
        b.add<attr::software>("natkit test");
        b.add<attr::xor_mapped_address>(ep);
        b.add_integrity(key);
        b.add_fingerprint();
        auto r = b.finish();
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::buffer_too_small);
        for (std::size_t i = cap; i < buf.size(); ++i) REQUIRE(buf[i] == 0xAB);
    }
}

TEST_CASE("MESSAGE-INTEGRITY-SHA256 truncation (RFC 8489 §14.6)") {
    const auto key = integrity_key::short_term("secret");
    for (std::size_t len : {16u, 20u, 24u, 28u, 32u}) {
        auto m = build([&](vec_builder& b) { b.add_integrity_sha256(key, len); });
        auto msg = message_view::parse(m);
        REQUIRE(msg);
        CHECK(msg->find(attr::message_integrity_sha256::type)->value.size() == len);
        CHECK_FALSE(msg->check_integrity(key));
        CHECK(msg->check_integrity(integrity_key::short_term("other")) == errc::integrity_mismatch);
    }
    std::vector<std::uint8_t> out;
    message_builder b(out, method::binding, message_class::request, tid);
    CHECK(b.add_integrity_sha256(key, 12) == errc::bad_value);
}

TEST_CASE("Attribute values survive build and parse (property test)") {
    std::mt19937_64 rng(20261127);
    auto random_text = [&](std::size_t max) {
        std::string s(std::uniform_int_distribution<std::size_t>(0, max)(rng), ' ');
        for (auto& c : s) c = static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7e)(rng));
        return s;
    };
    auto random_endpoint = [&]() {
        std::uint8_t a[16];
        for (auto& x : a) x = static_cast<std::uint8_t>(rng());
        const auto port = static_cast<std::uint16_t>(rng());
        return (rng() & 1) ? endpoint(ip_address::v4_bytes(a), port) : endpoint(ip_address::v6(a), port);
    };
    for (int round = 0; round < 2000; ++round) {
        const auto id = transaction_id::generate(rng);
        const std::string software = random_text(100), user = random_text(60), reason = random_text(40);
        const endpoint xmapped = random_endpoint(), mapped = random_endpoint(), other = random_endpoint(),
                       origin = random_endpoint();
        const std::uint32_t prio = static_cast<std::uint32_t>(rng());
        const std::uint64_t tie = rng();
        const std::uint16_t code = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(300, 699)(rng));
        const change_request_value change{(rng() & 1) != 0, (rng() & 1) != 0};
        const std::uint16_t unknown[] = {static_cast<std::uint16_t>(rng() & 0x7fff), 0x0001};
        const auto key = integrity_key::short_term(random_text(30));
        const std::uint8_t pad = static_cast<std::uint8_t>(rng());

        std::vector<std::uint8_t> out;
        message_builder b(out, method::binding, message_class::error_response, id);
        b.set_padding_byte(pad);
        b.add<attr::software>(software);
        b.add<attr::username>(user);
        b.add<attr::xor_mapped_address>(xmapped);
        b.add<attr::mapped_address>(mapped);
        b.add<attr::other_address>(other);
        b.add<attr::response_origin>(origin);
        b.add<attr::priority>(prio);
        b.add<attr::ice_controlling>(tie);
        b.add<attr::use_candidate>({});
        b.add<attr::error_code>({code, reason});
        b.add<attr::change_request>(change);
        b.add<attr::response_port>(static_cast<std::uint16_t>(prio));
        b.add<attr::unknown_attributes>(unknown);
        const std::uint16_t algs[] = {1, 2};
        b.add<attr::password_algorithms>(algs);
        if (rng() & 1) b.add_integrity(key);
        if (rng() & 1) b.add_integrity_sha256(key, 16 + 4 * (rng() % 5));
        b.add_fingerprint();
        REQUIRE(b.finish());

        auto msg = message_view::parse(out);
        REQUIRE(msg);
        CHECK(msg->transaction_id() == id);
        CHECK(msg->is_error_response());
        CHECK(msg->get<attr::software>().value() == software);
        CHECK(msg->get<attr::username>().value() == user);
        CHECK(msg->get<attr::xor_mapped_address>().value() == xmapped);
        CHECK(msg->get<attr::mapped_address>().value() == mapped);
        CHECK(msg->get<attr::other_address>().value() == other);
        CHECK(msg->get<attr::response_origin>().value() == origin);
        CHECK(msg->get<attr::priority>().value() == prio);
        CHECK(msg->get<attr::ice_controlling>().value() == tie);
        CHECK(msg->get<attr::use_candidate>());
        const auto err = msg->get<attr::error_code>().value();
        CHECK(err.code == code);
        CHECK(err.reason == reason);
        CHECK(msg->get<attr::change_request>().value() == change);
        CHECK(msg->get<attr::response_port>().value() == static_cast<std::uint16_t>(prio));
        const auto ua = msg->get<attr::unknown_attributes>().value();
        REQUIRE(ua.size() == 2);
        CHECK(ua[0] == unknown[0]);
        CHECK(ua[1] == 0x0001);
        const auto pa = msg->get<attr::password_algorithms>().value();
        CHECK(pa.contains(1));
        CHECK(pa.contains(2));
        CHECK_FALSE(pa.contains(3));
        CHECK_FALSE(msg->check_fingerprint());
        if (msg->has_integrity() || msg->has_integrity_sha256()) {
            CHECK_FALSE(msg->check_integrity(key));
        }
    }
}

TEST_CASE("Random bytes never crash the parser, and what parses is self-consistent") {
    std::mt19937 rng(7);
    std::size_t accepted = 0;
    for (int i = 0; i < 100000; ++i) {
        std::vector<std::uint8_t> d(std::uniform_int_distribution<std::size_t>(0, 120)(rng));
        for (auto& x : d) x = static_cast<std::uint8_t>(rng());
        // Make a third of them look like STUN so the attribute walker gets exercised.
        if (d.size() >= 20 && i % 3 == 0) {
            d[0] &= 0x3f;
            const std::size_t len = (d.size() - 20) & ~std::size_t{3};
            d.resize(20 + len);
            d[2] = static_cast<std::uint8_t>(len >> 8);
            d[3] = static_cast<std::uint8_t>(len);
        }
        d.shrink_to_fit();
        auto msg = message_view::parse(d);
        if (!msg) continue;
        ++accepted;
        std::size_t walked = 20;
        for (const auto& a : *msg) {
            REQUIRE(a.offset == walked);
            walked += 4 + padded_size(a.value.size());
        }
        REQUIRE(walked == d.size());
        (void)msg->check_fingerprint();
        (void)msg->get<attr::xor_mapped_address>();
        (void)msg->get<attr::error_code>();
        (void)msg->get<attr::password_algorithms>();
    }
    CHECK(accepted > 0);
}
