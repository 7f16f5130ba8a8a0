// RFC 5769 and RFC 8489 Appendix B.1 vectors: parse, verify, and re-encode byte for byte.
#include <array>
#include <cstdint>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/vectors.hpp"

using namespace natkit;
using namespace natkit::stun;

namespace {
transaction_id tid_of(const std::vector<std::uint8_t>& m) { return transaction_id::from(m.data() + 8); }

std::vector<std::uint8_t> flipped(std::vector<std::uint8_t> m, std::size_t at) {
    m[at] ^= 0x01;
    return m;
}
}  // namespace

TEST_CASE("RFC 5769 2.1 sample request parses, verifies and re-encodes") {
    const auto bytes = vectors::sample_request();
    REQUIRE(bytes.size() == 108);
    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->method() == method::binding);
    CHECK(msg->is_request());
    CHECK_FALSE(msg->legacy());
    CHECK(msg->get<attr::software>().value() == "STUN test client");
    CHECK(msg->get<attr::priority>().value() == 0x6e0001ffu);
    CHECK(msg->get<attr::ice_controlled>().value() == 0x932ff9b151263b36ull);
    CHECK(msg->get<attr::username>().value() == "evtj:h6vY");
    CHECK_FALSE(msg->check_fingerprint());
    const auto key = integrity_key::short_term(vectors::short_term_password);
    CHECK_FALSE(msg->check_integrity(key));
    CHECK(msg->check_integrity(integrity_key::short_term("wrong")) == errc::integrity_mismatch);

    std::array<std::uint8_t, 200> buf{};
    message_builder b(buf, method::binding, message_class::request, tid_of(bytes));
    b.set_padding_byte(0x20);
    b.add<attr::software>("STUN test client");
    b.add<attr::priority>(0x6e0001ffu);
    b.add<attr::ice_controlled>(0x932ff9b151263b36ull);
    b.add<attr::username>("evtj:h6vY");
    b.add_integrity(key);
    b.add_fingerprint();
    auto built = b.finish();
    REQUIRE(built);
    CHECK(*built == bytes_view(bytes));
}

TEST_CASE("RFC 5769 2.2 IPv4 response parses, verifies and re-encodes") {
    const auto bytes = vectors::ipv4_response();
    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->is_success_response());
    CHECK(msg->get<attr::software>().value() == "test vector");
    const endpoint mapped = msg->get<attr::xor_mapped_address>().value();
    CHECK(mapped == endpoint(ip_address::v4(192, 0, 2, 1), 32853));
    const auto key = integrity_key::short_term(vectors::short_term_password);
    CHECK_FALSE(msg->check_integrity(key));
    CHECK_FALSE(msg->check_fingerprint());

    std::vector<std::uint8_t> out;  // a growable container goes through the same template
    message_builder b(out, method::binding, message_class::success_response, tid_of(bytes));
    b.set_padding_byte(0x20);
    b.add<attr::software>("test vector");
    b.add<attr::xor_mapped_address>(mapped);
    b.add_integrity(key);
    b.add_fingerprint();
    REQUIRE(b.finish());
    CHECK(out == bytes);
}

TEST_CASE("RFC 5769 2.3 IPv6 response parses, verifies and re-encodes") {
    const auto bytes = vectors::ipv6_response();
    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    const endpoint mapped = msg->get<attr::xor_mapped_address>().value();
    CHECK(mapped.to_string() == "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
    const auto key = integrity_key::short_term(vectors::short_term_password);
    CHECK_FALSE(msg->check_integrity(key));
    CHECK_FALSE(msg->check_fingerprint());

    std::array<std::uint8_t, 92> exact{};  // exactly the size needed
    message_builder b(exact, method::binding, message_class::success_response, tid_of(bytes));
    b.set_padding_byte(0x20);
    b.add<attr::software>("test vector");
    b.add<attr::xor_mapped_address>(mapped);
    b.add_integrity(key);
    b.add_fingerprint();
    auto built = b.finish();
    REQUIRE(built);
    CHECK(*built == bytes_view(bytes));
}

TEST_CASE("RFC 5769 2.4 long-term request verifies with MD5(username:realm:password)") {
    const auto bytes = vectors::long_term_request();
    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->get<attr::username>().value() == vectors::long_term_username);
    CHECK(msg->get<attr::nonce>().value() == vectors::long_term_nonce);
    CHECK(msg->get<attr::realm>().value() == vectors::long_term_realm);
    CHECK_FALSE(msg->has_fingerprint());
    CHECK(msg->check_fingerprint() == errc::no_fingerprint);
    const auto key =
        integrity_key::long_term(vectors::long_term_username, vectors::long_term_realm, vectors::long_term_password);
    CHECK_FALSE(msg->check_integrity(key));
    CHECK(msg->check_integrity(integrity_key::long_term(vectors::long_term_username, "example.com",
                                                        vectors::long_term_password)) == errc::integrity_mismatch);

    std::array<std::uint8_t, 116> buf{};
    message_builder b(buf, method::binding, message_class::request, tid_of(bytes));
    b.add<attr::username>(vectors::long_term_username);
    b.add<attr::nonce>(vectors::long_term_nonce);
    b.add<attr::realm>(vectors::long_term_realm);
    b.add_integrity(key);
    auto built = b.finish();
    REQUIRE(built);
    CHECK(*built == bytes_view(bytes));
}

TEST_CASE("RFC 8489 B.1 (errata) verifies with USERHASH and MESSAGE-INTEGRITY-SHA256") {
    const auto bytes = vectors::rfc8489_b1_request();
    REQUIRE(bytes.size() == 164);
    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->get<attr::nonce>().value() == vectors::b1_nonce);
    CHECK(msg->get<attr::realm>().value() == vectors::long_term_realm);
    const auto alg = msg->get<attr::password_algorithm>().value();
    CHECK(alg.algorithm == static_cast<std::uint16_t>(password_algorithm::sha256));
    CHECK(alg.parameters.empty());

    // USERHASH = SHA-256(username ":" realm) (RFC 8489 §14.4).
    const auto userhash = make_userhash(vectors::long_term_username, vectors::long_term_realm);
    CHECK(msg->get<attr::userhash>().value() == bytes_view(userhash));

    const auto key = integrity_key::long_term(vectors::long_term_username, vectors::long_term_realm,
                                              vectors::long_term_password, password_algorithm::sha256);
    CHECK(msg->has_integrity_sha256());
    CHECK_FALSE(msg->check_integrity(key));
    CHECK_FALSE(msg->check_integrity_sha256(key));
    CHECK(msg->check_integrity_sha1(key) == errc::no_integrity);

    std::array<std::uint8_t, 164> buf{};
    message_builder b(buf, method::binding, message_class::request, tid_of(bytes));
    b.add<attr::userhash>(bytes_view(userhash));
    b.add<attr::nonce>(vectors::b1_nonce);
    b.add<attr::realm>(vectors::long_term_realm);
    b.add<attr::password_algorithm>({static_cast<std::uint16_t>(password_algorithm::sha256), {}});
    b.add_integrity_sha256(key);
    auto built = b.finish();
    REQUIRE(built);
    CHECK(*built == bytes_view(bytes));
}

TEST_CASE("Flipping any byte of MESSAGE-INTEGRITY or FINGERPRINT fails the check") {
    const auto key = integrity_key::short_term(vectors::short_term_password);
    for (const auto& bytes : {vectors::sample_request(), vectors::ipv4_response(), vectors::ipv6_response()}) {
        auto msg = message_view::parse(bytes);
        REQUIRE(msg);
        const std::size_t fp_value = bytes.size() - 4;
        const std::size_t mi_value = fp_value - 4 - 20;
        for (std::size_t i = 0; i < 20; ++i) {
            const auto bad = flipped(bytes, mi_value + i);
            auto m = message_view::parse(bad);
            REQUIRE(m);
            CHECK(m->check_integrity(key) == errc::integrity_mismatch);
        }
        for (std::size_t i = 0; i < 4; ++i) {
            const auto bad = flipped(bytes, fp_value + i);
            auto m = message_view::parse(bad);
            REQUIRE(m);
            CHECK(m->check_fingerprint() == errc::fingerprint_mismatch);
            CHECK_FALSE(m->check_integrity(key));  // the MAC does not cover FINGERPRINT
        }
        // Any byte before MESSAGE-INTEGRITY is covered by both.
        for (std::size_t i = 20; i < mi_value - 4; ++i) {
            auto bad = flipped(bytes, i);
            auto m = message_view::parse(bad);
            if (!m) continue;  // some flips break the framing, which is also a rejection
            CHECK(m->check_integrity(key) == errc::integrity_mismatch);
            CHECK(m->check_fingerprint() == errc::fingerprint_mismatch);
        }
    }
    const auto lt = vectors::long_term_request();
    const auto lt_key =
        integrity_key::long_term(vectors::long_term_username, vectors::long_term_realm, vectors::long_term_password);
    for (std::size_t i = lt.size() - 20; i < lt.size(); ++i) {
        auto bad = flipped(lt, i);
        auto m = message_view::parse(bad);
        REQUIRE(m);
        CHECK(m->check_integrity(lt_key) == errc::integrity_mismatch);
    }
    const auto b1 = vectors::rfc8489_b1_request();
    const auto b1_key = integrity_key::long_term(vectors::long_term_username, vectors::long_term_realm,
                                                 vectors::long_term_password, password_algorithm::sha256);
    for (std::size_t i = b1.size() - 32; i < b1.size(); ++i) {
        auto bad = flipped(b1, i);
        auto m = message_view::parse(bad);
        REQUIRE(m);
        CHECK(m->check_integrity(b1_key) == errc::integrity_mismatch);
    }
}
