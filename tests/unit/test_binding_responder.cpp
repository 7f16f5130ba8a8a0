// The Binding server logic: RFC 5780 four-address behaviour, classic RFC 3489 clients,
// errors, authentication, and hostile input.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/binding_responder.hpp"
#include "natkit/stun/builder.hpp"
#include "support/allocations.hpp"

using namespace natkit;
using namespace natkit::stun;
using namespace std::chrono_literals;

namespace {
const endpoint ip1p1(ip_address::v4(192, 0, 2, 1), 3478);
const endpoint ip2p2(ip_address::v4(192, 0, 2, 2), 3479);
const endpoint ip1p2(ip_address::v4(192, 0, 2, 1), 3479);
const endpoint ip2p1(ip_address::v4(192, 0, 2, 2), 3478);
const endpoint client(ip_address::v4(203, 0, 113, 5), 40001);
const transaction_id tid = transaction_id::from(reinterpret_cast<const std::uint8_t*>("abcdefghijkl"));

struct request_spec {
    std::optional<change_request_value> change{};
    std::optional<std::uint16_t> response_port{};
    std::size_t padding = 0;
    bool classic = false;
    bool fingerprint = true;
    std::vector<std::uint16_t> extra_types{};
    std::string_view username{}, realm{}, nonce{};
    const integrity_key* key = nullptr;
    method m = method::binding;
    message_class cls = message_class::request;
    std::optional<endpoint> response_address{};
};

std::vector<std::uint8_t> request(const request_spec& s) {
    std::vector<std::uint8_t> out;
    message_builder b(out, s.m, s.cls, tid, s.classic ? 0x01020304u : magic_cookie);
    if (s.change) b.add<attr::change_request>(*s.change);
    if (s.response_port) b.add<attr::response_port>(*s.response_port);
    if (s.padding) {
        std::vector<std::uint8_t> pad(s.padding, 0x55);
        b.add<attr::padding>(bytes_view(pad));
    }
    for (auto t : s.extra_types) b.add_raw(t, bytes_view("\0\0\0\0", 4));
    if (s.response_address) b.add<attr::response_address>(*s.response_address);
    if (!s.username.empty()) b.add<attr::username>(s.username);
    if (!s.realm.empty()) b.add<attr::realm>(s.realm);
    if (!s.nonce.empty()) b.add<attr::nonce>(s.nonce);
    if (s.key) b.add_integrity(*s.key);
    if (s.fingerprint && !s.classic) b.add_fingerprint();
    REQUIRE(b.finish());
    return out;
}

struct exchange {
    std::optional<responder_reply> reply;
    std::array<std::uint8_t, 1500> buf{};
    std::optional<message_view> msg;
};

void run(binding_responder& r, const std::vector<std::uint8_t>& req, const endpoint& local, exchange& ex,
         time_point now = time_point{}) {
    ex.reply = r.handle(req, client, local, ex.buf, now);
    if (ex.reply) {
        auto m = message_view::parse(ex.reply->datagram);
        REQUIRE(m);
        ex.msg = *m;
    }
}
}  // namespace

TEST_CASE("RFC 5780: the right source, OTHER-ADDRESS and RESPONSE-ORIGIN on all four addresses") {
    binding_responder r({ip1p1, ip2p2, "natkit test"});
    struct expect {
        endpoint local;
        endpoint other;
    };
    for (const auto& e : {expect{ip1p1, ip2p2}, expect{ip1p2, ip2p1}, expect{ip2p1, ip1p2}, expect{ip2p2, ip1p1}}) {
        for (int flags = 0; flags < 4; ++flags) {
            const change_request_value change{(flags & 1) != 0, (flags & 2) != 0};
            INFO("local " << e.local.to_string() << " change-ip " << change.change_ip << " change-port "
                          << change.change_port);
            exchange ex;
            run(r, request({change}), e.local, ex);
            REQUIRE(ex.reply);
            const endpoint expected_from(
                change.change_ip ? e.other.address() : e.local.address(),
                change.change_port ? e.other.port() : e.local.port());
            CHECK(ex.reply->from == expected_from);
            CHECK(ex.reply->to == client);
            CHECK(ex.msg->is_success_response());
            CHECK(ex.msg->transaction_id() == tid);
            CHECK(ex.msg->get<attr::xor_mapped_address>().value() == client);
            CHECK(ex.msg->get<attr::response_origin>().value() == expected_from);
            CHECK(ex.msg->get<attr::other_address>().value() == e.other);
            CHECK(ex.msg->get<attr::software>().value() == "natkit test");
            CHECK_FALSE(ex.msg->check_fingerprint());
            CHECK(ex.msg->get<attr::mapped_address>().value() == client);  // ALG detection
        }
    }
}

TEST_CASE("Classic RFC 3489 clients get MAPPED-, SOURCE- and CHANGED-ADDRESS right on all four addresses") {
    binding_responder r({ip1p1, ip2p2});
    for (const auto& local : {ip1p1, ip1p2, ip2p1, ip2p2}) {
        for (int flags = 0; flags < 4; ++flags) {
            const change_request_value change{(flags & 1) != 0, (flags & 2) != 0};
            exchange ex;
            run(r, request({change, {}, 0, true}), local, ex);
            REQUIRE(ex.reply);
            CHECK(ex.msg->legacy());
            CHECK(ex.msg->cookie() == 0x01020304u);  // the 128-bit transaction id is echoed
            CHECK(ex.msg->get<attr::mapped_address>().value() == client);
            CHECK(ex.msg->get<attr::source_address>().value() == ex.reply->from);
            CHECK(ex.msg->get<attr::changed_address>().value() == r.changed(local, true, true));
            CHECK(ex.reply->from == r.changed(local, change.change_ip, change.change_port));
            CHECK_FALSE(ex.msg->has_fingerprint());
            CHECK_FALSE(ex.msg->has<attr::xor_mapped_address>());
        }
    }
}

TEST_CASE("Without an alternate address CHANGE-REQUEST gets 420 (RFC 5780 §6.1)") {
    binding_responder r({ip1p1});
    exchange ex;
    run(r, request({change_request_value{true, true}}), ip1p1, ex);
    REQUIRE(ex.reply);
    CHECK(ex.msg->is_error_response());
    CHECK(ex.msg->get<attr::error_code>()->code == 420);
    const auto unknown = ex.msg->get<attr::unknown_attributes>().value();
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0] == attr::change_request::type);
    CHECK(ex.reply->from == ip1p1);

    exchange plain;
    run(r, request({}), ip1p1, plain);
    REQUIRE(plain.reply);
    CHECK(plain.msg->is_success_response());
    CHECK_FALSE(plain.msg->has<attr::other_address>());
}

TEST_CASE("Unknown comprehension-required attributes get 420; RESPONSE-ADDRESS is never honoured") {
    binding_responder r({ip1p1, ip2p2});
    request_spec spec;
    spec.extra_types = {0x7777, 0x8888};
    spec.response_address = endpoint(ip_address::v4(198, 51, 100, 77), 9);  // a would-be victim
    exchange ex;
    run(r, request(spec), ip1p1, ex);
    REQUIRE(ex.reply);
    CHECK(ex.msg->get<attr::error_code>()->code == 420);
    const auto unknown = ex.msg->get<attr::unknown_attributes>().value();
    REQUIRE(unknown.size() == 2);
    CHECK(unknown[0] == 0x7777);
    CHECK(unknown[1] == attr::response_address::type);
    CHECK(ex.reply->to == client);  // back to the source, never elsewhere

    exchange optional_only;
    run(r, request({{}, {}, 0, false, true, {0x8888}}), ip1p1, optional_only);
    REQUIRE(optional_only.reply);
    CHECK(optional_only.msg->is_success_response());
}

TEST_CASE("RESPONSE-PORT changes only the destination port (RFC 5780 §7.5)") {
    binding_responder r({ip1p1, ip2p2});
    exchange ex;
    run(r, request({{}, std::uint16_t{5555}}), ip1p1, ex);
    REQUIRE(ex.reply);
    CHECK(ex.reply->to == endpoint(client.address(), 5555));
    CHECK(ex.msg->get<attr::xor_mapped_address>().value() == client);
}

TEST_CASE("PADDING is echoed without making the response larger than the request") {
    binding_responder r({ip1p1, ip2p2, "natkit"});
    exchange plain;
    run(r, request({}), ip1p1, plain);
    const std::size_t unpadded = plain.reply->datagram.size();
    for (std::size_t pad : {4u, 64u, 200u, 1000u}) {
        exchange ex;
        const auto req = request({{}, {}, pad});
        run(r, req, ip1p1, ex);
        REQUIRE(ex.reply);
        CHECK(ex.msg->has<attr::padding>());
        // PADDING never makes the response larger than the request (beyond its own header).
        CHECK(ex.reply->datagram.size() <= std::max(req.size(), unpadded + 4));
        if (req.size() > unpadded + 4 + pad) CHECK(ex.msg->find(attr::padding::type)->value.size() == pad);
    }
}

TEST_CASE("PADDING with RESPONSE-PORT is refused with 400 (RFC 5780 §6.1)") {
    binding_responder r({ip1p1, ip2p2});
    exchange ex;
    run(r, request({{}, std::uint16_t{5555}, 64}), ip1p1, ex);
    REQUIRE(ex.reply);
    CHECK(ex.msg->get<attr::error_code>()->code == 400);
    CHECK(ex.reply->to == client);
}

TEST_CASE("What is not a valid request is dropped, and the server keeps serving") {
    binding_responder r({ip1p1, ip2p2});
    std::array<std::uint8_t, 1500> out{};
    const std::vector<std::uint8_t> garbage = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_FALSE(r.handle(garbage, client, ip1p1, out));
    auto req = request({});
    CHECK_FALSE(r.handle(bytes_view(req.data(), req.size() - 1), client, ip1p1, out));  // truncated
    auto bad_fp = req;
    bad_fp.back() ^= 1;
    CHECK_FALSE(r.handle(bad_fp, client, ip1p1, out));
    CHECK_FALSE(r.handle(request({{}, {}, 0, false, true, {}, {}, {}, {}, nullptr, method::binding,
                                  message_class::indication}),
                         client, ip1p1, out));
    CHECK_FALSE(r.handle(request({{}, {}, 0, false, true, {}, {}, {}, {}, nullptr, method::binding,
                                  message_class::success_response}),
                         client, ip1p1, out));
    CHECK(r.stats().dropped == 5);
    CHECK(r.handle(req, client, ip1p1, out));
    CHECK(r.stats().answered == 1);

    exchange other_method;
    run(r, request({{}, {}, 0, false, true, {}, {}, {}, {}, nullptr, static_cast<method>(0x003)}), ip1p1,
        other_method);
    REQUIRE(other_method.reply);
    CHECK(other_method.msg->get<attr::error_code>()->code == 400);
}

TEST_CASE("Answering a plain Binding request allocates nothing") {
    binding_responder r({ip1p1, ip2p2, "natkit"});
    const auto req = request({change_request_value{true, false}});
    std::array<std::uint8_t, 1500> out{};
    std::optional<responder_reply> reply;
    CHECK(allocations_during([&] { reply = r.handle(req, client, ip1p1, out); }) == 0);
    CHECK(reply);
}

TEST_CASE("Short-term authentication (RFC 8489 §9.1.3)") {
    const auto alice = integrity_key::short_term("alice-secret");
    responder_config cfg{ip1p1, ip2p2};
    cfg.auth = auth_mechanism::short_term;
    cfg.credentials = [&](std::string_view user) -> std::optional<integrity_key> {
        if (user == "alice") return alice;
        return std::nullopt;
    };
    binding_responder r(cfg);

    exchange none;
    run(r, request({}), ip1p1, none);
    CHECK(none.msg->get<attr::error_code>()->code == 400);

    const auto wrong = integrity_key::short_term("guess");
    exchange bad;
    run(r, request({{}, {}, 0, false, true, {}, "alice", {}, {}, &wrong}), ip1p1, bad);
    CHECK(bad.msg->get<attr::error_code>()->code == 401);

    exchange unknown_user;
    run(r, request({{}, {}, 0, false, true, {}, "mallory", {}, {}, &alice}), ip1p1, unknown_user);
    CHECK(unknown_user.msg->get<attr::error_code>()->code == 401);

    exchange ok;
    run(r, request({{}, {}, 0, false, true, {}, "alice", {}, {}, &alice}), ip1p1, ok);
    REQUIRE(ok.msg->is_success_response());
    CHECK_FALSE(ok.msg->check_integrity(alice));
}

TEST_CASE("Long-term authentication: challenge, nonce expiry, wrong password (RFC 8489 §9.2.4)") {
    const std::uint8_t secret[] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    responder_config cfg{ip1p1, ip2p2};
    cfg.auth = auth_mechanism::long_term;
    cfg.realm = "pbx.example";
    cfg.nonce_secret = bytes_view(secret, sizeof secret);
    cfg.credentials = [](std::string_view user) -> std::optional<integrity_key> {
        if (user == "trunk1") return integrity_key::long_term("trunk1", "pbx.example", "s3cret");
        return std::nullopt;
    };
    binding_responder r(cfg);
    const time_point t0 = time_point{} + 1000h;

    exchange challenge;
    run(r, request({}), ip1p1, challenge, t0);
    REQUIRE(challenge.msg);
    CHECK(challenge.msg->get<attr::error_code>()->code == 401);
    CHECK(challenge.msg->get<attr::realm>().value() == "pbx.example");
    const std::string nonce(challenge.msg->get<attr::nonce>().value());

    const auto key = integrity_key::long_term("trunk1", "pbx.example", "s3cret");
    exchange ok;
    run(r, request({{}, {}, 0, false, true, {}, "trunk1", "pbx.example", nonce, &key}), ip1p1, ok, t0 + 10s);
    REQUIRE(ok.msg->is_success_response());
    CHECK_FALSE(ok.msg->check_integrity(key));

    exchange expired;
    run(r, request({{}, {}, 0, false, true, {}, "trunk1", "pbx.example", nonce, &key}), ip1p1, expired, t0 + 3600s);
    CHECK(expired.msg->get<attr::error_code>()->code == 438);
    CHECK(expired.msg->get<attr::nonce>().value() != nonce);

    std::string forged = nonce;
    forged[0] = forged[0] == 'f' ? 'e' : 'f';
    exchange forged_ex;
    run(r, request({{}, {}, 0, false, true, {}, "trunk1", "pbx.example", forged, &key}), ip1p1, forged_ex, t0);
    CHECK(forged_ex.msg->get<attr::error_code>()->code == 438);

    const auto wrong = integrity_key::long_term("trunk1", "pbx.example", "guess");
    exchange bad;
    run(r, request({{}, {}, 0, false, true, {}, "trunk1", "pbx.example", nonce, &wrong}), ip1p1, bad, t0);
    CHECK(bad.msg->get<attr::error_code>()->code == 401);

    exchange missing_realm;
    run(r, request({{}, {}, 0, false, true, {}, "trunk1", {}, nonce, &key}), ip1p1, missing_realm, t0);
    CHECK(missing_realm.msg->get<attr::error_code>()->code == 400);
}
