// Interop with libre's STUN codec (baresip/re, used by baresip and restund): what natkit builds,
// libre decodes and verifies, and the reverse.
//
// Not covered because libre (1.1.0) lacks it: MESSAGE-INTEGRITY-SHA256, PASSWORD-ALGORITHM(S)
// and USERHASH (RFC 8489 only); classic RFC 3489 messages (its encoder always writes the magic
// cookie); long-term key derivation inside the codec (the caller passes MD5(user:realm:pass),
// computed below with libre's md5()). stun_msg_chk_mi() assumes MESSAGE-INTEGRITY is last or
// followed only by FINGERPRINT, which is what natkit builds.
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "catch.hpp"
#include "interop/re_peer.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/vectors.hpp"

using namespace natkit;
using namespace natkit::stun;

namespace {

std::vector<std::uint8_t> build_or_fail(message_builder<>& b) {
    auto msg = b.finish();
    REQUIRE(msg);
    return interop::to_vector(*msg);
}

const stun_attr* attr_of(const interop::re_decoded& d, stun_attrib type) { return stun_msg_attr(d.msg.get(), type); }

// libre encodes into an mbuf that grows as needed.
struct re_encoder {
    interop::re_mbuf_ptr mb{mbuf_alloc(512)};
    std::vector<std::uint8_t> bytes() const { return interop::re_bytes(*mb); }
};

}  // namespace

// --- natkit builds, libre reads ------------------------------------------------------------

TEST_CASE("libre decodes and verifies a natkit ICE Binding request") {
    const auto tid = interop::make_tid(7);
    const std::string password = "ice-password-for-libre";
    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::request, tid);
    b.add<attr::username>("RFRAG:LFRAG");
    b.add<attr::priority>(0x6e0001ffu);
    b.add<attr::ice_controlling>(0x0123456789abcdefull);
    b.add<attr::use_candidate>(empty_value{});
    b.add_integrity(integrity_key::short_term(password));
    b.add_fingerprint();
    const auto bytes = build_or_fail(b);

    auto d = interop::re_decode(bytes);
    REQUIRE(d.err == 0);
    CHECK(d.unknown.typec == 0);
    CHECK(stun_msg_class(d.msg.get()) == STUN_CLASS_REQUEST);
    CHECK(stun_msg_method(d.msg.get()) == STUN_METHOD_BINDING);
    CHECK(stun_msg_mcookie(d.msg.get()));
    CHECK(std::memcmp(stun_msg_tid(d.msg.get()), tid.bytes.data(), 12) == 0);
    CHECK(stun_msg_chk_fingerprint(d.msg.get()) == 0);
    CHECK(stun_msg_chk_mi(d.msg.get(), interop::key_data(password), password.size()) == 0);
    const std::string wrong = "ice-password-for-librE";
    CHECK(stun_msg_chk_mi(d.msg.get(), interop::key_data(wrong), wrong.size()) == EBADMSG);

    const stun_attr* user = attr_of(d, STUN_ATTR_USERNAME);
    REQUIRE(user);
    CHECK(std::string(user->v.username) == "RFRAG:LFRAG");
    const stun_attr* prio = attr_of(d, STUN_ATTR_PRIORITY);
    REQUIRE(prio);
    CHECK(prio->v.priority == 0x6e0001ffu);
    const stun_attr* controlling = attr_of(d, STUN_ATTR_CONTROLLING);
    REQUIRE(controlling);
    CHECK(controlling->v.controlling == 0x0123456789abcdefull);
    CHECK(attr_of(d, STUN_ATTR_USE_CAND) != nullptr);
    CHECK(attr_of(d, STUN_ATTR_CONTROLLED) == nullptr);
}

TEST_CASE("libre rejects a natkit request whose FINGERPRINT or signed bytes were damaged") {
    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::request, interop::make_tid(8));
    b.add<attr::priority>(1234);
    b.add_integrity(integrity_key::short_term("k"));
    b.add_fingerprint();
    auto bytes = build_or_fail(b);
    const std::uint8_t key = 'k';

    SECTION("FINGERPRINT byte flipped") {
        bytes.back() ^= 0x80;
        auto d = interop::re_decode(bytes);
        REQUIRE(d.err == 0);
        CHECK(stun_msg_chk_fingerprint(d.msg.get()) == EBADMSG);
        CHECK(stun_msg_chk_mi(d.msg.get(), &key, 1) == 0);
    }
    SECTION("PRIORITY byte flipped") {
        bytes[27] ^= 0x01;
        auto d = interop::re_decode(bytes);
        REQUIRE(d.err == 0);
        CHECK(stun_msg_chk_fingerprint(d.msg.get()) == EBADMSG);
        CHECK(stun_msg_chk_mi(d.msg.get(), &key, 1) == EBADMSG);
    }
}

TEST_CASE("libre decodes natkit success responses with XOR-MAPPED-ADDRESS (IPv4 and IPv6)") {
    const auto mapped = GENERATE(std::string("192.0.2.1:32853"), std::string("[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
                                 std::string("[::ffff:203.0.113.9]:1"));
    const endpoint expected = interop::ep(mapped);
    const auto tid = interop::make_tid(9);
    const std::string password = "VOkJxbRl1RmTxUk/WvJxBt";

    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::success_response, tid);
    b.add<attr::software>("natkit interop");
    b.add<attr::xor_mapped_address>(expected);
    b.add_integrity(integrity_key::short_term(password));
    b.add_fingerprint();
    const auto bytes = build_or_fail(b);

    auto d = interop::re_decode(bytes);
    REQUIRE(d.err == 0);
    CHECK(stun_msg_class(d.msg.get()) == STUN_CLASS_SUCCESS_RESP);
    CHECK(stun_msg_chk_fingerprint(d.msg.get()) == 0);
    CHECK(stun_msg_chk_mi(d.msg.get(), interop::key_data(password), password.size()) == 0);
    const stun_attr* xma = attr_of(d, STUN_ATTR_XOR_MAPPED_ADDR);
    REQUIRE(xma);
    CHECK(interop::from_re_sa(xma->v.xor_mapped_addr) == expected);
    const stun_attr* sw = attr_of(d, STUN_ATTR_SOFTWARE);
    REQUIRE(sw);
    CHECK(std::string(sw->v.software) == "natkit interop");
}

TEST_CASE("libre decodes a natkit 420 error response with ERROR-CODE and UNKNOWN-ATTRIBUTES") {
    const std::string password = "err-pw";
    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::error_response, interop::make_tid(10));
    b.add<attr::error_code>({420, "Unknown Attribute"});
    const std::uint16_t unknown[] = {0x7F01, 0x0031, 0x0032};
    b.add<attr::unknown_attributes>(unknown);
    b.add<attr::software>("natkit");
    b.add_integrity(integrity_key::short_term(password));
    b.add_fingerprint();
    const auto bytes = build_or_fail(b);

    auto d = interop::re_decode(bytes);
    REQUIRE(d.err == 0);
    CHECK(stun_msg_class(d.msg.get()) == STUN_CLASS_ERROR_RESP);
    CHECK(stun_msg_chk_fingerprint(d.msg.get()) == 0);
    CHECK(stun_msg_chk_mi(d.msg.get(), interop::key_data(password), password.size()) == 0);
    const stun_attr* ec = attr_of(d, STUN_ATTR_ERR_CODE);
    REQUIRE(ec);
    CHECK(ec->v.err_code.code == 420);
    CHECK(std::string(ec->v.err_code.reason) == "Unknown Attribute");
    const stun_attr* ua = attr_of(d, STUN_ATTR_UNKNOWN_ATTR);
    REQUIRE(ua);
    REQUIRE(ua->v.unknown_attr.typec == 3);
    CHECK(ua->v.unknown_attr.typev[0] == 0x7F01);
    CHECK(ua->v.unknown_attr.typev[1] == 0x0031);
    CHECK(ua->v.unknown_attr.typev[2] == 0x0032);
}

TEST_CASE("libre verifies natkit long-term (MD5) credentials") {
    // libre's codec takes the key; the key is MD5(username:realm:password), computed here with
    // libre's MD5 the way its TURN client does.
    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::request, interop::make_tid(11));
    b.add<attr::username>("alice");
    b.add<attr::realm>("example.org");
    b.add<attr::nonce>("nonce-abc");
    b.add_integrity(integrity_key::long_term("alice", "example.org", "s3cret"));
    b.add_fingerprint();
    const auto bytes = build_or_fail(b);

    auto d = interop::re_decode(bytes);
    REQUIRE(d.err == 0);
    CHECK(stun_msg_chk_fingerprint(d.msg.get()) == 0);
    const auto key = interop::re_long_term_key("alice", "example.org", "s3cret");
    CHECK(stun_msg_chk_mi(d.msg.get(), key.data(), key.size()) == 0);
    const auto other = interop::re_long_term_key("alice", "example.org", "s3creT");
    CHECK(stun_msg_chk_mi(d.msg.get(), other.data(), other.size()) == EBADMSG);
    const stun_attr* realm = attr_of(d, STUN_ATTR_REALM);
    REQUIRE(realm);
    CHECK(std::string(realm->v.realm) == "example.org");
    const stun_attr* nonce = attr_of(d, STUN_ATTR_NONCE);
    REQUIRE(nonce);
    CHECK(std::string(nonce->v.nonce) == "nonce-abc");
}

TEST_CASE("libre verifies natkit's re-encoding of the RFC 5769 vectors") {
    const std::string password = vectors::short_term_password;
    const auto vector = vectors::ipv6_response();
    auto original = message_view::parse(vector);
    REQUIRE(original);
    std::array<std::uint8_t, 128> buf{};
    message_builder b(buf, method::binding, message_class::success_response, original->transaction_id());
    b.set_padding_byte(0x20);
    b.add<attr::software>("test vector");
    b.add<attr::xor_mapped_address>(original->get<attr::xor_mapped_address>().value());
    b.add_integrity(integrity_key::short_term(password));
    b.add_fingerprint();
    const auto bytes = build_or_fail(b);
    REQUIRE(bytes == vector);

    auto d = interop::re_decode(bytes);
    REQUIRE(d.err == 0);
    CHECK(stun_msg_chk_fingerprint(d.msg.get()) == 0);
    CHECK(stun_msg_chk_mi(d.msg.get(), interop::key_data(password), password.size()) == 0);
    const stun_attr* xma = attr_of(d, STUN_ATTR_XOR_MAPPED_ADDR);
    REQUIRE(xma);
    CHECK(interop::from_re_sa(xma->v.xor_mapped_addr) == interop::ep("[2001:db8:1234:5678:11:2233:4455:6677]:32853"));
}

// --- libre builds, natkit reads ------------------------------------------------------------

TEST_CASE("natkit parses and verifies a libre ICE Binding request") {
    const auto tid = interop::make_tid(12);
    const std::string password = "libre-ice-password";
    const std::uint32_t prio = 0x7e7f00ffu;
    const std::uint64_t tiebreaker = 0xfedcba9876543210ull;
    const std::uint8_t flag = 0;  // USE-CANDIDATE has no value, but libre skips null pointers

    re_encoder enc;
    REQUIRE(stun_msg_encode(enc.mb.get(), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid.bytes.data(), nullptr,
                            interop::key_data(password), password.size(), true, 0x20, 5,
                            STUN_ATTR_SOFTWARE, "libre interop", STUN_ATTR_USERNAME, "LFRAG:RFRAG",
                            STUN_ATTR_PRIORITY, &prio, STUN_ATTR_CONTROLLED, &tiebreaker,
                            STUN_ATTR_USE_CAND, &flag) == 0);
    const auto bytes = enc.bytes();

    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->is_request());
    CHECK(msg->method() == method::binding);
    CHECK(msg->transaction_id() == tid);
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::short_term(password)));
    CHECK(msg->check_integrity(integrity_key::short_term("libre-ice-passworD")) == errc::integrity_mismatch);
    CHECK(msg->get<attr::software>().value() == "libre interop");
    CHECK(msg->get<attr::username>().value() == "LFRAG:RFRAG");
    CHECK(msg->get<attr::priority>().value() == prio);
    CHECK(msg->get<attr::ice_controlled>().value() == tiebreaker);
    CHECK(msg->has<attr::use_candidate>());
}

TEST_CASE("natkit parses and verifies libre success responses (IPv4 and IPv6)") {
    const auto mapped = GENERATE(std::string("198.51.100.7:55000"), std::string("[2001:db8::1:2]:3478"));
    const endpoint expected = interop::ep(mapped);
    const auto tid = interop::make_tid(13);
    const std::string password = "libre-response";
    const sa addr = interop::to_re_sa(expected);

    re_encoder enc;
    REQUIRE(stun_msg_encode(enc.mb.get(), STUN_METHOD_BINDING, STUN_CLASS_SUCCESS_RESP, tid.bytes.data(), nullptr,
                            interop::key_data(password), password.size(), true, 0x00, 2,
                            STUN_ATTR_XOR_MAPPED_ADDR, &addr, STUN_ATTR_SOFTWARE, "libre server") == 0);
    const auto bytes = enc.bytes();

    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->is_success_response());
    CHECK(msg->transaction_id() == tid);
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::short_term(password)));
    CHECK(msg->check_integrity(integrity_key::short_term("libre-responsE")) == errc::integrity_mismatch);
    CHECK(msg->get<attr::xor_mapped_address>().value() == expected);
    CHECK(msg->get<attr::software>().value() == "libre server");
}

TEST_CASE("natkit parses a libre 420 error response with ERROR-CODE and UNKNOWN-ATTRIBUTES") {
    const auto tid = interop::make_tid(14);
    const std::string password = "libre-error";
    char reason[] = "Unknown Attribute";
    const stun_errcode ec{420, reason};
    stun_unknown_attr ua{};
    ua.typev[0] = 0x7F01;
    ua.typev[1] = 0x0031;
    ua.typev[2] = 0x0032;
    ua.typec = 3;

    re_encoder enc;
    REQUIRE(stun_msg_encode(enc.mb.get(), STUN_METHOD_BINDING, STUN_CLASS_ERROR_RESP, tid.bytes.data(), &ec,
                            interop::key_data(password), password.size(), true, 0x00, 1,
                            STUN_ATTR_UNKNOWN_ATTR, &ua) == 0);
    const auto bytes = enc.bytes();

    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->is_error_response());
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::short_term(password)));
    const auto code = msg->get<attr::error_code>();
    REQUIRE(code);
    CHECK(code->code == 420);
    CHECK(code->reason == "Unknown Attribute");
    const auto unknown = msg->get<attr::unknown_attributes>();
    REQUIRE(unknown);
    REQUIRE(unknown->size() == 3);
    CHECK((*unknown)[0] == 0x7F01);
    CHECK((*unknown)[1] == 0x0031);
    CHECK((*unknown)[2] == 0x0032);
}

TEST_CASE("natkit verifies a libre long-term (MD5) request") {
    const auto tid = interop::make_tid(15);
    const auto key = interop::re_long_term_key("bob", "pbx.example", "long-term-secret");

    re_encoder enc;
    REQUIRE(stun_msg_encode(enc.mb.get(), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid.bytes.data(), nullptr,
                            key.data(), key.size(), true, 0x00, 3, STUN_ATTR_USERNAME, "bob",
                            STUN_ATTR_REALM, "pbx.example", STUN_ATTR_NONCE, "nonce-123") == 0);
    const auto bytes = enc.bytes();

    auto msg = message_view::parse(bytes);
    REQUIRE(msg);
    CHECK(msg->get<attr::username>().value() == "bob");
    CHECK(msg->get<attr::realm>().value() == "pbx.example");
    CHECK(msg->get<attr::nonce>().value() == "nonce-123");
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::long_term("bob", "pbx.example", "long-term-secret")));
    CHECK(msg->check_integrity(integrity_key::long_term("bob", "pbx.example", "long-term-secreT")) ==
          errc::integrity_mismatch);
}

TEST_CASE("libre and natkit encode the RFC 5769 IPv4 response identically") {
    // Same inputs, same padding byte: the two encoders agree byte for byte with the RFC.
    const auto vector = vectors::ipv4_response();
    const std::string password = vectors::short_term_password;
    const sa addr = interop::to_re_sa(interop::ep("192.0.2.1:32853"));
    re_encoder enc;
    REQUIRE(stun_msg_encode(enc.mb.get(), STUN_METHOD_BINDING, STUN_CLASS_SUCCESS_RESP, vector.data() + 8, nullptr,
                            interop::key_data(password), password.size(), true, 0x20, 2,
                            STUN_ATTR_SOFTWARE, "test vector", STUN_ATTR_XOR_MAPPED_ADDR, &addr) == 0);
    CHECK(enc.bytes() == vector);
}
