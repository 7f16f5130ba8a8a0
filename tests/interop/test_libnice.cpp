// Interop with libnice's STUN codec (libnice/stun, as used by GStreamer/Pidgin/Farstream ICE):
// what natkit builds, libnice validates and reads back, and the reverse.
//
// Not covered because libnice (0.1.21) lacks it: MESSAGE-INTEGRITY-SHA256, PASSWORD-ALGORITHM(S)
// and USERHASH (RFC 8489 only), a reader for UNKNOWN-ATTRIBUTES (read raw below), and a way to
// check MESSAGE-INTEGRITY or FINGERPRINT outside stun_agent_validate(), which also insists that
// a response answers a request the same agent sent.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "catch.hpp"
#include "interop/nice_peer.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/vectors.hpp"

using namespace natkit;
using namespace natkit::stun;
using interop::nice_credentials;

namespace {

constexpr unsigned short_term_fp = STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT;

// An ICE connectivity check as a controlling agent sends it (RFC 8445 §7.1).
std::vector<std::uint8_t> natkit_ice_request(const transaction_id& tid, const std::string& password,
                                             std::uint16_t extra_unknown_attribute = 0) {
    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::request, tid);
    b.add<attr::username>("RFRAG:LFRAG");
    b.add<attr::priority>(0x6e0001ffu);
    b.add<attr::ice_controlling>(0x0123456789abcdefull);
    b.add<attr::use_candidate>(empty_value{});
    if (extra_unknown_attribute) {
        const std::uint8_t value[3] = {1, 2, 3};
        b.add_raw(extra_unknown_attribute, bytes_view(value, sizeof value));
    }
    b.add_integrity(integrity_key::short_term(password));
    b.add_fingerprint();
    auto msg = b.finish();
    REQUIRE(msg);
    return interop::to_vector(*msg);
}

// A libnice client's request with MESSAGE-INTEGRITY and FINGERPRINT; libnice remembers the
// transaction (and the key pointer, so `password` must outlive the agent's use of it).
std::vector<std::uint8_t> nice_client_request(StunAgent& client, const std::string& password) {
    std::array<std::uint8_t, 256> buf{};
    StunMessage req;
    REQUIRE(stun_agent_init_request(&client, &req, buf.data(), buf.size(), STUN_BINDING));
    REQUIRE(stun_message_append_string(&req, STUN_ATTRIBUTE_USERNAME, "LFRAG:RFRAG") == STUN_MESSAGE_RETURN_SUCCESS);
    const std::size_t len = stun_agent_finish_message(&client, &req, interop::key_data(password), password.size());
    REQUIRE(len > 0);
    return {buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len)};
}

transaction_id tid_of(const std::vector<std::uint8_t>& m) { return transaction_id::from(m.data() + 8); }

}  // namespace

// --- natkit builds, libnice reads ----------------------------------------------------------

TEST_CASE("libnice validates a natkit ICE Binding request (short-term MI, FINGERPRINT)") {
    const auto tid = interop::make_tid(1);
    const auto bytes = natkit_ice_request(tid, "pass-word-22-chars-xyz");

    StunAgent agent = interop::nice_agent(short_term_fp);
    nice_credentials creds{"RFRAG:LFRAG", "pass-word-22-chars-xyz"};
    StunMessage msg;
    REQUIRE(stun_agent_validate(&agent, &msg, bytes.data(), bytes.size(), interop::nice_validater, &creds) ==
            STUN_VALIDATION_SUCCESS);
    CHECK(creds.calls == 1);
    CHECK(creds.seen_username == "RFRAG:LFRAG");
    CHECK(stun_message_get_class(&msg) == STUN_REQUEST);
    CHECK(stun_message_get_method(&msg) == STUN_BINDING);
    CHECK(stun_message_has_cookie(&msg));
    CHECK(interop::nice_tid(msg) == tid);

    std::uint32_t priority = 0;
    REQUIRE(stun_message_find32(&msg, STUN_ATTRIBUTE_PRIORITY, &priority) == STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(priority == 0x6e0001ffu);
    std::uint64_t tiebreaker = 0;
    REQUIRE(stun_message_find64(&msg, STUN_ATTRIBUTE_ICE_CONTROLLING, &tiebreaker) == STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(tiebreaker == 0x0123456789abcdefull);
    CHECK(stun_message_find_flag(&msg, STUN_ATTRIBUTE_USE_CANDIDATE) == STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(stun_message_find_flag(&msg, STUN_ATTRIBUTE_ICE_CONTROLLED) == STUN_MESSAGE_RETURN_NOT_FOUND);
    CHECK(interop::nice_find_string(msg, STUN_ATTRIBUTE_USERNAME) == "RFRAG:LFRAG");
}

TEST_CASE("libnice rejects a natkit request with the wrong key or a damaged FINGERPRINT") {
    const auto bytes = natkit_ice_request(interop::make_tid(2), "right-password");
    StunMessage msg;

    SECTION("wrong password: MESSAGE-INTEGRITY does not match") {
        StunAgent agent = interop::nice_agent(short_term_fp);
        nice_credentials creds{"RFRAG:LFRAG", "wrong-password"};
        CHECK(stun_agent_validate(&agent, &msg, bytes.data(), bytes.size(), interop::nice_validater, &creds) ==
              STUN_VALIDATION_UNAUTHORIZED);
    }
    SECTION("last FINGERPRINT byte flipped") {
        auto bad = bytes;
        bad.back() ^= 0x01;
        StunAgent agent = interop::nice_agent(short_term_fp);
        nice_credentials creds{"RFRAG:LFRAG", "right-password"};
        CHECK(stun_agent_validate(&agent, &msg, bad.data(), bad.size(), interop::nice_validater, &creds) ==
              STUN_VALIDATION_BAD_REQUEST);
    }
    SECTION("PRIORITY byte flipped, FINGERPRINT not required: MESSAGE-INTEGRITY catches it") {
        auto bad = bytes;
        bad[20 + 4 + 12 + 4 + 3] ^= 0x01;  // USERNAME "RFRAG:LFRAG" pads to 12; last PRIORITY byte
        StunAgent agent = interop::nice_agent(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS);
        nice_credentials creds{"RFRAG:LFRAG", "right-password"};
        CHECK(stun_agent_validate(&agent, &msg, bad.data(), bad.size(), interop::nice_validater, &creds) ==
              STUN_VALIDATION_UNAUTHORIZED);
    }
}

TEST_CASE("libnice accepts natkit success responses with XOR-MAPPED-ADDRESS (IPv4 and IPv6)") {
    const std::string password = "response-password";
    const auto mapped = GENERATE(std::string("203.0.113.77:65002"), std::string("[2001:db8:1234:5678:11:2233:4455:6677]:32853"));
    const endpoint expected = interop::ep(mapped);

    StunAgent client = interop::nice_agent(short_term_fp);
    const auto request = nice_client_request(client, password);
    const transaction_id tid = tid_of(request);

    auto build = [&](const std::string& key) {
        std::array<std::uint8_t, 256> buf{};
        message_builder b(buf, method::binding, message_class::success_response, tid);
        b.add<attr::xor_mapped_address>(expected);
        b.add<attr::software>("natkit interop");
        b.add_integrity(integrity_key::short_term(key));
        b.add_fingerprint();
        auto msg = b.finish();
        REQUIRE(msg);
        return interop::to_vector(*msg);
    };

    StunMessage msg;
    // Signed with another key: libnice keeps the transaction open and reports it.
    const auto forged = build("not-the-password");
    CHECK(stun_agent_validate(&client, &msg, forged.data(), forged.size(), nullptr, nullptr) ==
          STUN_VALIDATION_UNAUTHORIZED);

    const auto bytes = build(password);
    REQUIRE(stun_agent_validate(&client, &msg, bytes.data(), bytes.size(), nullptr, nullptr) ==
            STUN_VALIDATION_SUCCESS);
    CHECK(stun_message_get_class(&msg) == STUN_RESPONSE);
    sockaddr_storage addr{};
    socklen_t addrlen = sizeof addr;
    REQUIRE(stun_message_find_xor_addr(&msg, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &addr, &addrlen) ==
            STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(interop::from_sockaddr(addr) == expected);
    CHECK(addrlen == (expected.address().is_v4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)));
    CHECK(interop::nice_find_string(msg, STUN_ATTRIBUTE_SOFTWARE) == "natkit interop");

    // The transaction is closed now: a replay is unmatched.
    CHECK(stun_agent_validate(&client, &msg, bytes.data(), bytes.size(), nullptr, nullptr) ==
          STUN_VALIDATION_UNMATCHED_RESPONSE);
}

TEST_CASE("libnice accepts a natkit 420 error response with UNKNOWN-ATTRIBUTES, MI and FINGERPRINT") {
    const std::string password = "error-password";
    StunAgent client = interop::nice_agent(short_term_fp);
    const auto request = nice_client_request(client, password);

    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::error_response, tid_of(request));
    b.add<attr::error_code>({420, "Unknown Attribute"});
    const std::uint16_t unknown[] = {0x7F01, 0x0031, 0x0032};  // odd count: the value needs padding
    b.add<attr::unknown_attributes>(unknown);
    b.add_integrity(integrity_key::short_term(password));
    b.add_fingerprint();
    auto built = b.finish();
    REQUIRE(built);
    const auto bytes = interop::to_vector(*built);

    StunMessage msg;
    REQUIRE(stun_agent_validate(&client, &msg, bytes.data(), bytes.size(), nullptr, nullptr) ==
            STUN_VALIDATION_SUCCESS);
    CHECK(stun_message_get_class(&msg) == STUN_ERROR);
    int code = 0;
    REQUIRE(stun_message_find_error(&msg, &code) == STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(code == 420);
    // libnice has no UNKNOWN-ATTRIBUTES reader: read the raw value.
    std::uint16_t len = 0;
    const auto* value = static_cast<const std::uint8_t*>(stun_message_find(&msg, STUN_ATTRIBUTE_UNKNOWN_ATTRIBUTES, &len));
    REQUIRE(value != nullptr);
    REQUIRE(len == 6);
    CHECK(value[0] == 0x7F);
    CHECK(value[1] == 0x01);
    CHECK(value[2] == 0x00);
    CHECK(value[3] == 0x31);
    CHECK(value[4] == 0x00);
    CHECK(value[5] == 0x32);
}

TEST_CASE("libnice accepts a natkit 401 error response without MESSAGE-INTEGRITY") {
    // RFC 8489 §9.2.4: the challenge carries REALM and NONCE and cannot be signed yet; libnice
    // waives the integrity check for 400, 401 and 438.
    StunAgent client = interop::nice_agent(short_term_fp);
    const std::string password = "pw";
    const auto request = nice_client_request(client, password);

    std::array<std::uint8_t, 256> buf{};
    message_builder b(buf, method::binding, message_class::error_response, tid_of(request));
    b.add<attr::error_code>({401, "Unauthorized"});
    b.add<attr::realm>("example.org");
    b.add<attr::nonce>("f//499k954d6OL34oL9FSTvy64sA");
    b.add_fingerprint();
    auto built = b.finish();
    REQUIRE(built);
    const auto bytes = interop::to_vector(*built);

    StunMessage msg;
    REQUIRE(stun_agent_validate(&client, &msg, bytes.data(), bytes.size(), nullptr, nullptr) ==
            STUN_VALIDATION_SUCCESS);
    int code = 0;
    REQUIRE(stun_message_find_error(&msg, &code) == STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(code == 401);
    CHECK(interop::nice_find_string(msg, STUN_ATTRIBUTE_REALM) == "example.org");
    CHECK(interop::nice_find_string(msg, STUN_ATTRIBUTE_NONCE) == "f//499k954d6OL34oL9FSTvy64sA");
}

TEST_CASE("libnice validates natkit long-term (MD5) credentials") {
    constexpr unsigned long_term = STUN_AGENT_USAGE_LONG_TERM_CREDENTIALS;
    StunMessage msg;

    SECTION("an ASCII user, with FINGERPRINT") {
        std::array<std::uint8_t, 256> buf{};
        message_builder b(buf, method::binding, message_class::request, interop::make_tid(3));
        b.add<attr::username>("alice");
        b.add<attr::realm>("example.org");
        b.add<attr::nonce>("f//499k954d6OL34oL9FSTvy64sA");
        b.add_integrity(integrity_key::long_term("alice", "example.org", "s3cret"));
        b.add_fingerprint();
        auto built = b.finish();
        REQUIRE(built);
        const auto bytes = interop::to_vector(*built);

        StunAgent agent = interop::nice_agent(long_term | STUN_AGENT_USAGE_USE_FINGERPRINT);
        nice_credentials creds{"alice", "s3cret"};
        CHECK(stun_agent_validate(&agent, &msg, bytes.data(), bytes.size(), interop::nice_validater, &creds) ==
              STUN_VALIDATION_SUCCESS);
        CHECK(creds.calls == 1);

        nice_credentials wrong{"alice", "s3cret!"};
        CHECK(stun_agent_validate(&agent, &msg, bytes.data(), bytes.size(), interop::nice_validater, &wrong) ==
              STUN_VALIDATION_UNAUTHORIZED);
    }
    SECTION("natkit's re-encoding of the RFC 5769 2.4 vector (UTF-8 user, SASLprep'd password)") {
        const auto vector = vectors::long_term_request();
        std::array<std::uint8_t, 116> buf{};
        message_builder b(buf, method::binding, message_class::request, tid_of(vector));
        b.add<attr::username>(vectors::long_term_username);
        b.add<attr::nonce>(vectors::long_term_nonce);
        b.add<attr::realm>(vectors::long_term_realm);
        b.add_integrity(integrity_key::long_term(vectors::long_term_username, vectors::long_term_realm,
                                                 vectors::long_term_password));
        auto built = b.finish();
        REQUIRE(built);
        REQUIRE(*built == bytes_view(vector));

        StunAgent agent = interop::nice_agent(long_term);
        nice_credentials creds{vectors::long_term_username, vectors::long_term_password};
        CHECK(stun_agent_validate(&agent, &msg, built->data(), built->size(), interop::nice_validater, &creds) ==
              STUN_VALIDATION_SUCCESS);
    }
}

// --- libnice builds, natkit reads ----------------------------------------------------------

TEST_CASE("natkit parses and verifies a libnice ICE Binding request") {
    const std::string password = "nice-password-0123456";
    StunAgent client = interop::nice_agent(short_term_fp);
    stun_agent_set_software(&client, "libnice interop");

    std::array<std::uint8_t, 256> buf{};
    StunMessage req;
    REQUIRE(stun_agent_init_request(&client, &req, buf.data(), buf.size(), STUN_BINDING));
    REQUIRE(stun_message_append_string(&req, STUN_ATTRIBUTE_USERNAME, "LFRAG:RFRAG") == STUN_MESSAGE_RETURN_SUCCESS);
    REQUIRE(stun_message_append32(&req, STUN_ATTRIBUTE_PRIORITY, 0x7e7f00ffu) == STUN_MESSAGE_RETURN_SUCCESS);
    REQUIRE(stun_message_append64(&req, STUN_ATTRIBUTE_ICE_CONTROLLED, 0xfedcba9876543210ull) ==
            STUN_MESSAGE_RETURN_SUCCESS);
    REQUIRE(stun_message_append_flag(&req, STUN_ATTRIBUTE_USE_CANDIDATE) == STUN_MESSAGE_RETURN_SUCCESS);
    const std::size_t len = stun_agent_finish_message(&client, &req, interop::key_data(password), password.size());
    REQUIRE(len > 0);

    auto msg = message_view::parse(bytes_view(buf.data(), len));
    REQUIRE(msg);
    CHECK(msg->is_request());
    CHECK(msg->method() == method::binding);
    CHECK_FALSE(msg->legacy());
    CHECK(msg->transaction_id() == interop::nice_tid(req));
    CHECK(msg->has_integrity());
    CHECK(msg->has_fingerprint());
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::short_term(password)));
    CHECK(msg->check_integrity(integrity_key::short_term("nice-password-0123457")) == errc::integrity_mismatch);
    CHECK(msg->get<attr::software>().value() == "libnice interop");
    CHECK(msg->get<attr::username>().value() == "LFRAG:RFRAG");
    CHECK(msg->get<attr::priority>().value() == 0x7e7f00ffu);
    CHECK(msg->get<attr::ice_controlled>().value() == 0xfedcba9876543210ull);
    CHECK(msg->has<attr::use_candidate>());
    CHECK_FALSE(msg->has<attr::ice_controlling>());
    std::uint16_t unknown[4];
    CHECK(msg->unknown_required_attributes(unknown, 4) == 0);
}

TEST_CASE("natkit parses and verifies libnice success responses (IPv4 and IPv6)") {
    const std::string password = "server-password";
    const auto mapped = GENERATE(std::string("198.51.100.7:55000"), std::string("[2001:db8::1:2]:3478"));
    const endpoint expected = interop::ep(mapped);

    // libnice answers a request it validated: the response reuses the request's key.
    const auto request = natkit_ice_request(interop::make_tid(4), password);
    StunAgent server = interop::nice_agent(short_term_fp);
    stun_agent_set_software(&server, "libnice server");
    nice_credentials creds{"RFRAG:LFRAG", password};
    StunMessage req;
    REQUIRE(stun_agent_validate(&server, &req, request.data(), request.size(), interop::nice_validater, &creds) ==
            STUN_VALIDATION_SUCCESS);

    std::array<std::uint8_t, 256> buf{};
    StunMessage resp;
    REQUIRE(stun_agent_init_response(&server, &resp, buf.data(), buf.size(), &req));
    const auto addr = interop::to_sockaddr(expected);
    REQUIRE(stun_message_append_xor_addr(&resp, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &addr.storage, addr.length) ==
            STUN_MESSAGE_RETURN_SUCCESS);
    const std::size_t len = stun_agent_finish_message(&server, &resp, nullptr, 0);
    REQUIRE(len > 0);

    auto msg = message_view::parse(bytes_view(buf.data(), len));
    REQUIRE(msg);
    CHECK(msg->is_success_response());
    CHECK(msg->transaction_id() == tid_of(request));
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::short_term(password)));
    CHECK(msg->check_integrity(integrity_key::short_term("server-passworD")) == errc::integrity_mismatch);
    CHECK(msg->get<attr::xor_mapped_address>().value() == expected);
    CHECK(msg->get<attr::software>().value() == "libnice server");
}

TEST_CASE("natkit parses libnice's 420 answer to a natkit request with an unknown attribute") {
    const std::string password = "unknown-attr-password";
    const auto request = natkit_ice_request(interop::make_tid(5), password, 0x7F01);
    StunAgent server = interop::nice_agent(short_term_fp);
    nice_credentials creds{"RFRAG:LFRAG", password};
    StunMessage req;
    // libnice checks the signature first, then finds the comprehension-required 0x7F01.
    REQUIRE(stun_agent_validate(&server, &req, request.data(), request.size(), interop::nice_validater, &creds) ==
            STUN_VALIDATION_UNKNOWN_REQUEST_ATTRIBUTE);

    std::array<std::uint8_t, 256> buf{};
    StunMessage err;
    const std::size_t len = stun_agent_build_unknown_attributes_error(&server, &err, buf.data(), buf.size(), &req);
    REQUIRE(len > 0);

    auto msg = message_view::parse(bytes_view(buf.data(), len));
    REQUIRE(msg);
    CHECK(msg->is_error_response());
    CHECK(msg->transaction_id() == tid_of(request));
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::short_term(password)));
    const auto code = msg->get<attr::error_code>();
    REQUIRE(code);
    CHECK(code->code == 420);
    CHECK_FALSE(code->reason.empty());
    const auto unknown = msg->get<attr::unknown_attributes>();
    REQUIRE(unknown);
    REQUIRE(unknown->size() == 1);
    CHECK((*unknown)[0] == 0x7F01);

    // natkit's own server logic would list the same attribute.
    auto parsed_request = message_view::parse(request);
    REQUIRE(parsed_request);
    std::uint16_t listed[4];
    REQUIRE(parsed_request->unknown_required_attributes(listed, 4) == 1);
    CHECK(listed[0] == 0x7F01);
}

TEST_CASE("natkit verifies a libnice long-term (MD5) request") {
    StunAgent client = interop::nice_agent(STUN_AGENT_USAGE_LONG_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    const std::string password = "long-term-secret";
    std::array<std::uint8_t, 256> buf{};
    StunMessage req;
    REQUIRE(stun_agent_init_request(&client, &req, buf.data(), buf.size(), STUN_BINDING));
    REQUIRE(stun_message_append_string(&req, STUN_ATTRIBUTE_USERNAME, "bob") == STUN_MESSAGE_RETURN_SUCCESS);
    REQUIRE(stun_message_append_string(&req, STUN_ATTRIBUTE_REALM, "pbx.example") == STUN_MESSAGE_RETURN_SUCCESS);
    REQUIRE(stun_message_append_string(&req, STUN_ATTRIBUTE_NONCE, "nonce-123") == STUN_MESSAGE_RETURN_SUCCESS);
    const std::size_t len = stun_agent_finish_message(&client, &req, interop::key_data(password), password.size());
    REQUIRE(len > 0);

    auto msg = message_view::parse(bytes_view(buf.data(), len));
    REQUIRE(msg);
    CHECK(msg->get<attr::username>().value() == "bob");
    CHECK(msg->get<attr::realm>().value() == "pbx.example");
    CHECK(msg->get<attr::nonce>().value() == "nonce-123");
    CHECK_FALSE(msg->check_fingerprint());
    CHECK_FALSE(msg->check_integrity(integrity_key::long_term("bob", "pbx.example", password)));
    CHECK(msg->check_integrity(integrity_key::long_term("bob", "pbx.example2", password)) == errc::integrity_mismatch);
    CHECK(msg->check_integrity(integrity_key::short_term(password)) == errc::integrity_mismatch);
}

// --- classic RFC 3489 (no magic cookie) ------------------------------------------------------

TEST_CASE("classic RFC 3489 Binding: libnice request, natkit response with MAPPED-ADDRESS") {
    // libnice's RFC 3489 mode writes a 128-bit transaction id where the cookie would be. natkit
    // flags the request as legacy and answers with the same 128 bits (RFC 8489 §12).
    StunAgent client;
    stun_agent_init(&client, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC3489, static_cast<StunAgentUsageFlags>(0));
    std::array<std::uint8_t, 128> req_buf{};
    StunMessage req;
    REQUIRE(stun_agent_init_request(&client, &req, req_buf.data(), req_buf.size(), STUN_BINDING));
    const std::size_t req_len = stun_agent_finish_message(&client, &req, nullptr, 0);
    REQUIRE(req_len == 20);
    StunTransactionId id;
    stun_message_id(&req, id);
    // stun_make_transid() could by chance produce the cookie (1 in 2^32); then the test is moot.
    REQUIRE_FALSE(stun_message_has_cookie(&req));

    auto request = message_view::parse(bytes_view(req_buf.data(), req_len));
    REQUIRE(request);
    CHECK(request->legacy());
    CHECK(request->is_request());
    CHECK(std::memcmp(&req_buf[4], id, 16) == 0);

    const endpoint mapped = interop::ep("203.0.113.5:40000");
    std::array<std::uint8_t, 128> buf{};
    message_builder b(buf, method::binding, message_class::success_response, request->transaction_id(),
                      request->cookie());
    b.add<attr::mapped_address>(mapped);
    auto built = b.finish();
    REQUIRE(built);

    StunMessage resp;
    REQUIRE(stun_agent_validate(&client, &resp, built->data(), built->size(), nullptr, nullptr) ==
            STUN_VALIDATION_SUCCESS);
    CHECK(stun_message_get_class(&resp) == STUN_RESPONSE);
    sockaddr_storage addr{};
    socklen_t addrlen = sizeof addr;
    REQUIRE(stun_message_find_addr(&resp, STUN_ATTRIBUTE_MAPPED_ADDRESS, &addr, &addrlen) ==
            STUN_MESSAGE_RETURN_SUCCESS);
    CHECK(interop::from_sockaddr(addr) == mapped);
}
