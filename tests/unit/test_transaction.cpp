// STUN client transactions: RFC 8489 §6.2 timers, the RFC 6298 RTO estimator, and
// binding_client against scripted server responses (fabricated time, no sockets).
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/binding_client.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "natkit/stun/retransmission.hpp"

using namespace natkit;
using namespace natkit::stun;
using namespace std::chrono_literals;

namespace {

using steady_time = std::chrono::steady_clock::time_point;
const steady_time t0 = steady_time(std::chrono::hours(1));

const endpoint server_ep(ip_address::v4(203, 0, 113, 5), 3478);
const endpoint other_server_ep(ip_address::v4(203, 0, 113, 6), 3479);
const endpoint alternate_ep(ip_address::v4(203, 0, 113, 9), 3478);
const endpoint public_ep(ip_address::v4(192, 0, 2, 1), 32853);
const endpoint stranger_ep(ip_address::v4(192, 0, 2, 99), 3478);

transaction_id make_tid(std::uint8_t seed) {
    transaction_id t;
    for (std::size_t i = 0; i < t.bytes.size(); ++i) t.bytes[i] = static_cast<std::uint8_t>(seed + i);
    return t;
}

message_view parsed(bytes_view bytes) {
    auto m = message_view::parse(bytes);
    REQUIRE(m);
    return *m;
}

using response_builder = message_builder<std::vector<std::uint8_t>>;

/// A response to `request` (same id and bytes 4-7), filled by `fill`.
template <class Fill>
std::vector<std::uint8_t> respond(bytes_view request, message_class cls, Fill&& fill) {
    const message_view req = parsed(request);
    std::vector<std::uint8_t> out;
    response_builder b(out, method::binding, cls, req.transaction_id(), req.cookie());
    fill(b);
    REQUIRE(b.finish());
    return out;
}

std::vector<std::uint8_t> success_for(bytes_view request, const endpoint& mapped) {
    return respond(request, message_class::success_response,
                   [&](response_builder& b) { b.add<attr::xor_mapped_address>(mapped); });
}

std::vector<std::uint8_t> error_for(bytes_view request, std::uint16_t code, std::string_view reason) {
    return respond(request, message_class::error_response,
                   [&](response_builder& b) { b.add<attr::error_code>(error_value{code, reason}); });
}

binding_request_options defaults() {
    binding_request_options o;
    o.server = server_ep;
    return o;
}

binding_request_options with_credentials() {
    binding_request_options o = defaults();
    o.username = "alice";
    o.password = "s3cret";
    return o;
}

/// The 401 of RFC 8489 §9.2.4 to an unauthenticated request.
std::vector<std::uint8_t> challenge_for(bytes_view request, std::uint16_t code, std::string_view realm,
                                        std::string_view nonce, const std::uint16_t* algorithms = nullptr,
                                        std::size_t algorithm_count = 0) {
    return respond(request, message_class::error_response, [&](response_builder& b) {
        b.add<attr::error_code>(error_value{code, code == 401 ? "Unauthenticated" : "Stale Nonce"});
        b.add<attr::realm>(realm);
        b.add<attr::nonce>(nonce);
        if (algorithms) b.add<attr::password_algorithms>(password_algorithms_list(algorithms, algorithm_count));
    });
}

std::vector<std::uint8_t> authenticated_success(bytes_view request, const integrity_key& key, bool sha256) {
    return respond(request, message_class::success_response, [&](response_builder& b) {
        b.add<attr::xor_mapped_address>(public_ep);
        if (sha256) b.add_integrity_sha256(key);
        else b.add_integrity(key);
        b.add_fingerprint();
    });
}

}  // namespace

// --- retransmission_timer ---------------------------------------------------------------------

TEST_CASE("retransmission_timer follows the RFC 8489 6.2.1 example schedule with the defaults") {
    retransmission_timer timer(retransmission_policy{}, transport_kind::udp, t0);
    CHECK(timer.transmissions() == 1);
    // Sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; timeout at 39.5 s.
    const std::array<std::chrono::milliseconds, 6> retransmissions{500ms, 1500ms, 3500ms, 7500ms, 15500ms, 31500ms};
    unsigned expected_sends = 1;
    for (const auto at : retransmissions) {
        REQUIRE(timer.deadline() == t0 + at);
        CHECK(timer.on_timer(t0 + at - 1ns) == timer_event::none);
        CHECK(timer.on_timer(t0 + at) == timer_event::retransmit);
        ++expected_sends;
        CHECK(timer.transmissions() == expected_sends);
        CHECK(timer.last_send() == t0 + at);
    }
    CHECK(timer.transmissions() == 7);
    REQUIRE(timer.deadline() == t0 + 39500ms);
    CHECK(timer.on_timer(t0 + 39500ms - 1ns) == timer_event::none);
    CHECK(timer.on_timer(t0 + 39500ms) == timer_event::timed_out);
    CHECK(timer.timed_out());
    CHECK(timer.transmissions() == 7);
    CHECK(timer.deadline() == steady_time::max());
    CHECK(timer.on_timer(t0 + 100s) == timer_event::timed_out);  // stays timed out, never retransmits
}

TEST_CASE("retransmission_timer honours a custom RTO, Rc and Rm") {
    SECTION("RTO 100 ms, Rc 3, Rm 4: sends at 0, 100, 300 ms, timeout at 700 ms") {
        retransmission_timer timer(retransmission_policy{100ms, 3, 4}, transport_kind::udp, t0);
        CHECK(timer.deadline() == t0 + 100ms);
        CHECK(timer.on_timer(t0 + 100ms) == timer_event::retransmit);
        CHECK(timer.deadline() == t0 + 300ms);
        CHECK(timer.on_timer(t0 + 300ms) == timer_event::retransmit);
        CHECK(timer.transmissions() == 3);
        CHECK(timer.deadline() == t0 + 700ms);  // last send + Rm * RTO
        CHECK(timer.on_timer(t0 + 699ms) == timer_event::none);
        CHECK(timer.on_timer(t0 + 700ms) == timer_event::timed_out);
        CHECK(timer.transmissions() == 3);
    }
    SECTION("Rc 1: no retransmission, timeout Rm * RTO after the only send") {
        retransmission_timer timer(retransmission_policy{200ms, 1, 5}, transport_kind::udp, t0);
        CHECK(timer.deadline() == t0 + 1s);
        CHECK(timer.on_timer(t0 + 1s) == timer_event::timed_out);
        CHECK(timer.transmissions() == 1);
    }
    SECTION("Rc 0 still counts the first send") {
        retransmission_timer timer(retransmission_policy{200ms, 0, 2}, transport_kind::udp, t0);
        CHECK(timer.transmissions() == 1);
        CHECK(timer.deadline() == t0 + 400ms);
    }
}

TEST_CASE("retransmission_timer over a stream transport only times out after Ti") {
    SECTION("default Ti 39.5 s") {
        retransmission_timer timer(retransmission_policy{}, transport_kind::stream, t0);
        CHECK(timer.deadline() == t0 + 39500ms);
        CHECK(timer.on_timer(t0 + 500ms) == timer_event::none);
        CHECK(timer.on_timer(t0 + 31500ms) == timer_event::none);
        CHECK(timer.on_timer(t0 + 39500ms) == timer_event::timed_out);
        CHECK(timer.transmissions() == 1);
    }
    SECTION("configured Ti") {
        retransmission_policy p;
        p.ti = 5s;
        retransmission_timer timer(p, transport_kind::stream, t0);
        CHECK(timer.deadline() == t0 + 5s);
        CHECK(timer.on_timer(t0 + 5s) == timer_event::timed_out);
    }
}

TEST_CASE("retransmission_timer: early calls do nothing, a late call sends once and re-bases") {
    retransmission_timer timer(retransmission_policy{}, transport_kind::udp, t0);
    SECTION("early") {
        CHECK(timer.on_timer(t0) == timer_event::none);
        CHECK(timer.on_timer(t0 + 499ms) == timer_event::none);
        CHECK(timer.transmissions() == 1);
        CHECK(timer.deadline() == t0 + 500ms);
    }
    SECTION("late: 10 s past the start, four deadlines missed") {
        CHECK(timer.on_timer(t0 + 10s) == timer_event::retransmit);
        CHECK(timer.transmissions() == 2);
        CHECK(timer.on_timer(t0 + 10s) == timer_event::none);  // no burst
        // The next interval (doubled to 1 s) counts from the actual send.
        CHECK(timer.deadline() == t0 + 11s);
        CHECK(timer.on_timer(t0 + 11s) == timer_event::retransmit);
        CHECK(timer.deadline() == t0 + 13s);
    }
    SECTION("late past the give-up time: still one send, then a full Rm * RTO wait") {
        for (int i = 0; i < 5; ++i) REQUIRE(timer.on_timer(timer.deadline()) == timer_event::retransmit);
        REQUIRE(timer.transmissions() == 6);
        CHECK(timer.on_timer(t0 + 100s) == timer_event::retransmit);
        CHECK(timer.transmissions() == 7);
        CHECK(timer.deadline() == t0 + 108s);
        CHECK(timer.on_timer(t0 + 108s) == timer_event::timed_out);
    }
}

// --- rto_estimator ---------------------------------------------------------------------------

TEST_CASE("rto_estimator follows RFC 6298 section 2") {
    rto_estimator est;
    CHECK(est.rto() == 500ms);  // RFC 8489 6.2.1 initial value, from the policy
    CHECK(est.samples() == 0);

    SECTION("first sample R: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR") {
        est.add_sample(100ms);
        CHECK(est.srtt() == 100ms);
        CHECK(est.rttvar() == 50ms);
        CHECK(est.rto() == 300ms);

        SECTION("second sample R': RTTVAR updated with the old SRTT, then SRTT") {
            est.add_sample(300ms);
            // RTTVAR = 3/4 * 50 + 1/4 * |100 - 300| = 87.5 ms; SRTT = 7/8 * 100 + 1/8 * 300 = 125 ms
            CHECK(est.rttvar() == 87500us);
            CHECK(est.srtt() == 125ms);
            CHECK(est.rto() == 475ms);
        }
        SECTION("steady samples converge to SRTT + G") {
            est.add_sample(100ms);
            CHECK(est.rttvar() == 37500us);
            CHECK(est.rto() == 250ms);
            for (int i = 0; i < 100; ++i) est.add_sample(100ms);
            CHECK(est.srtt() == 100ms);
            CHECK(est.rto() == 101ms);  // K * RTTVAR fell below G = 1 ms
        }
        SECTION("a new path RTT pulls SRTT over") {
            for (int i = 0; i < 100; ++i) est.add_sample(200ms);
            CHECK(est.srtt() > 199ms);
            CHECK(est.srtt() <= 200ms);
            CHECK(est.rto() < 205ms);
        }
    }
    SECTION("policy() carries the estimate, rounded up to whole milliseconds") {
        est.add_sample(std::chrono::microseconds(100100));  // RTO = 300.3 ms
        CHECK(est.policy().rto == 301ms);
        CHECK(est.policy().rc == 7);
        est.reset();
        CHECK(est.rto() == 500ms);
        CHECK(est.samples() == 0);
    }
}

TEST_CASE("rto_estimator clamps to its floor and ceiling") {
    retransmission_policy p;
    p.rto = 1s;
    rto_estimator est(p, 200ms, 2s);
    CHECK(est.rto() == 1s);
    est.add_sample(10ms);
    CHECK(est.rto() == 200ms);
    for (int i = 0; i < 5; ++i) est.add_sample(30s);
    CHECK(est.rto() == 2s);
    est.add_sample(-5ms);  // a bogus negative sample counts as 0 and cannot break the estimate
    CHECK(est.rto() == 2s);
}

// --- binding_client: requests and success ------------------------------------------------------

TEST_CASE("binding_client builds an RFC 8489 Binding request") {
    binding_request_options o = defaults();
    o.software = "natkit test";
    o.change_request = change_request_value{true, false};
    o.response_port = 40000;
    o.padding = 100;
    binding_client c(o, make_tid(1), t0);
    CHECK(c.state() == binding_state::pending);
    CHECK(c.destination() == server_ep);
    CHECK(c.deadline() == t0 + 500ms);
    const message_view req = parsed(c.request());
    CHECK(req.is_request());
    CHECK(req.method() == method::binding);
    CHECK_FALSE(req.legacy());
    CHECK(req.transaction_id() == make_tid(1));
    CHECK(req.get<attr::software>().value() == "natkit test");
    CHECK(req.get<attr::change_request>().value() == change_request_value{true, false});
    CHECK(req.get<attr::response_port>().value() == 40000);
    CHECK(req.get<attr::padding>().value().size() == 100);
    CHECK_FALSE(req.has<attr::username>());
    CHECK_FALSE(req.has_integrity());
    CHECK(req.has_fingerprint());
    CHECK_FALSE(req.check_fingerprint());

    SECTION("without FINGERPRINT when asked") {
        o.fingerprint = false;
        binding_client d(o, make_tid(1), t0);
        CHECK_FALSE(parsed(d.request()).has_fingerprint());
    }
    SECTION("a request that does not fit fails at once") {
        o.padding = 2000;
        binding_client d(o, make_tid(1), t0);
        CHECK(d.state() == binding_state::failed);
        CHECK(d.result().failure == binding_failure::request_too_large);
        CHECK(d.build_error() == errc::buffer_too_small);
        CHECK(d.request().empty());
        CHECK(d.deadline() == steady_time::max());
        CHECK_FALSE(d.on_timer(t0 + 1s));
    }
}

TEST_CASE("binding_client: success response gives the XOR-mapped address and the extras") {
    binding_client c(defaults(), make_tid(2), t0);
    const auto response = respond(c.request(), message_class::success_response, [](response_builder& b) {
        b.add<attr::xor_mapped_address>(public_ep);
        b.add<attr::mapped_address>(endpoint(ip_address::v4(192, 0, 2, 77), 1));  // XOR wins
        b.add<attr::response_origin>(server_ep);
        b.add<attr::other_address>(other_server_ep);
        b.add<attr::software>("test server");
        b.add_fingerprint();
    });
    CHECK(c.on_response(parsed(response), server_ep, t0 + 30ms) == response_verdict::done);
    REQUIRE(c.state() == binding_state::succeeded);
    const binding_result& r = c.result();
    REQUIRE(r.mapped_address);
    CHECK(*r.mapped_address == public_ep);
    CHECK(r.xor_mapped);
    CHECK(r.from == server_ep);
    CHECK(r.response_origin == server_ep);
    CHECK(r.other_address == other_server_ep);
    CHECK_FALSE(r.changed_address);
    CHECK(r.software() == "test server");
    CHECK(r.error_code == 0);
    CHECK(r.reason().empty());
    CHECK(r.failure == binding_failure::none);
    CHECK(r.rtt == 30ms);
    CHECK(r.rtt_reliable);
    CHECK(r.transmissions == 1);
    CHECK(r.transactions == 1);
    CHECK(c.deadline() == steady_time::max());
    CHECK_FALSE(c.on_timer(t0 + 1s));

    SECTION("a duplicate response after done is not_mine and changes nothing") {
        const auto other = success_for(c.request(), stranger_ep);
        CHECK(c.on_response(parsed(other), server_ep, t0 + 40ms) == response_verdict::not_mine);
        CHECK(*c.result().mapped_address == public_ep);
        CHECK(c.result().rtt == 30ms);
    }
}

TEST_CASE("binding_client: classic MAPPED-ADDRESS") {
    SECTION("an RFC 3489 server answering a modern request") {
        binding_client c(defaults(), make_tid(3), t0);
        const auto response = respond(c.request(), message_class::success_response, [](response_builder& b) {
            b.add<attr::mapped_address>(public_ep);
            b.add<attr::source_address>(server_ep);
            b.add<attr::changed_address>(other_server_ep);
        });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 10ms) == response_verdict::done);
        REQUIRE(c.state() == binding_state::succeeded);
        CHECK(c.result().mapped_address == public_ep);
        CHECK_FALSE(c.result().xor_mapped);
        CHECK(c.result().source_address == server_ep);
        CHECK(c.result().changed_address == other_server_ep);
    }
    SECTION("a legacy_rfc3489 request: 128-bit id, no FINGERPRINT") {
        binding_request_options o = defaults();
        o.legacy_rfc3489 = true;
        binding_client c(o, make_tid(4), t0);
        const message_view req = parsed(c.request());
        CHECK(req.legacy());
        CHECK(req.cookie() == c.cookie());
        CHECK_FALSE(req.has_fingerprint());

        // Same 96 bits, but the magic cookie where our 32 extra id bits stand: not ours.
        std::vector<std::uint8_t> modern;
        response_builder mb(modern, method::binding, message_class::success_response, make_tid(4));
        mb.add<attr::mapped_address>(stranger_ep);
        REQUIRE(mb.finish());
        CHECK(c.on_response(parsed(modern), server_ep, t0 + 5ms) == response_verdict::not_mine);

        const auto response = respond(c.request(), message_class::success_response, [](response_builder& b) {
            b.add<attr::mapped_address>(public_ep);
            b.add<attr::changed_address>(other_server_ep);
        });
        REQUIRE(parsed(response).legacy());
        CHECK(c.on_response(parsed(response), server_ep, t0 + 10ms) == response_verdict::done);
        REQUIRE(c.state() == binding_state::succeeded);
        CHECK(c.result().mapped_address == public_ep);
        CHECK(c.result().changed_address == other_server_ep);
    }
}

TEST_CASE("binding_client ignores what is not its response") {
    binding_client c(defaults(), make_tid(5), t0);
    const auto good = success_for(c.request(), public_ep);

    SECTION("another transaction id") {
        std::vector<std::uint8_t> stray;
        response_builder b(stray, method::binding, message_class::success_response, make_tid(6));
        b.add<attr::xor_mapped_address>(stranger_ep);
        REQUIRE(b.finish());
        CHECK(c.on_response(parsed(stray), server_ep, t0 + 1ms) == response_verdict::not_mine);
        CHECK(c.state() == binding_state::pending);
    }
    SECTION("a request or an indication with our id") {
        const message_view req = parsed(c.request());
        CHECK(c.on_response(req, server_ep, t0 + 1ms) == response_verdict::not_mine);
        std::vector<std::uint8_t> ind;
        response_builder b(ind, method::binding, message_class::indication, make_tid(5));
        REQUIRE(b.finish());
        CHECK(c.on_response(parsed(ind), server_ep, t0 + 1ms) == response_verdict::not_mine);
    }
    SECTION("a response from another source") {
        CHECK(c.on_response(parsed(good), stranger_ep, t0 + 1ms) == response_verdict::not_mine);
        CHECK(c.on_response(parsed(good), endpoint(server_ep.address(), 3479), t0 + 1ms) ==
              response_verdict::not_mine);
        CHECK(c.state() == binding_state::pending);
    }
    SECTION("a broken FINGERPRINT") {
        auto bad = respond(c.request(), message_class::success_response, [](response_builder& b) {
            b.add<attr::xor_mapped_address>(public_ep);
            b.add_fingerprint();
        });
        bad.back() ^= 0x01;
        CHECK(c.on_response(parsed(bad), server_ep, t0 + 1ms) == response_verdict::not_mine);
    }
    SECTION("bytes that are not STUN") {
        const std::array<std::uint8_t, 4> junk{0x80, 0x00, 0x00, 0x00};
        CHECK(c.on_datagram(junk, server_ep, t0 + 1ms) == response_verdict::not_mine);
    }
    // ... and then still takes the real one.
    CHECK(c.on_datagram(good, server_ep, t0 + 2ms) == response_verdict::done);
    CHECK(c.state() == binding_state::succeeded);
}

TEST_CASE("binding_client accepts another source when it asked for one") {
    SECTION("CHANGE-REQUEST (RFC 5780)") {
        binding_request_options o = defaults();
        o.change_request = change_request_value{true, true};
        binding_client c(o, make_tid(7), t0);
        const auto response = success_for(c.request(), public_ep);
        CHECK(c.on_response(parsed(response), other_server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.result().from == other_server_ep);
    }
    SECTION("accept_any_source") {
        binding_request_options o = defaults();
        o.accept_any_source = true;
        binding_client c(o, make_tid(7), t0);
        const auto response = success_for(c.request(), public_ep);
        CHECK(c.on_response(parsed(response), stranger_ep, t0 + 1ms) == response_verdict::done);
    }
    SECTION("the IPv4-mapped IPv6 form of the server's address") {
        binding_client c(defaults(), make_tid(7), t0);
        const auto response = success_for(c.request(), public_ep);
        const auto mapped = endpoint::parse("[::ffff:203.0.113.5]:3478");
        REQUIRE(mapped);
        CHECK(c.on_response(parsed(response), *mapped, t0 + 1ms) == response_verdict::done);
    }
    SECTION("any source over a stream (it is the connection's peer)") {
        binding_request_options o = defaults();
        o.transport = transport_kind::stream;
        binding_client c(o, make_tid(7), t0);
        const auto response = success_for(c.request(), public_ep);
        CHECK(c.on_response(parsed(response), stranger_ep, t0 + 1ms) == response_verdict::done);
    }
}

// --- binding_client: retransmission and timeout ---------------------------------------------

TEST_CASE("binding_client retransmits 6 times and times out at 39.5 s") {
    binding_client c(defaults(), make_tid(8), t0);
    unsigned sends = 1;  // the caller's first send
    std::vector<steady_time> send_times{t0};
    while (c.state() == binding_state::pending) {
        const steady_time now = c.deadline();
        REQUIRE(now < t0 + 60s);
        CHECK_FALSE(c.on_timer(now - 1ms));
        if (c.on_timer(now)) {
            ++sends;
            send_times.push_back(now);
        }
    }
    CHECK(sends == 7);
    CHECK(send_times.back() == t0 + 31500ms);
    CHECK(c.state() == binding_state::timed_out);
    CHECK(c.result().transmissions == 7);
    CHECK(c.result().failure == binding_failure::none);
    CHECK(c.deadline() == steady_time::max());
    // A response after the timeout is too late.
    const auto late = success_for(c.request(), public_ep);
    CHECK(c.on_response(parsed(late), server_ep, t0 + 40s) == response_verdict::not_mine);
    CHECK(c.state() == binding_state::timed_out);
}

TEST_CASE("binding_client over a stream never retransmits and times out after Ti") {
    binding_request_options o = defaults();
    o.transport = transport_kind::stream;
    binding_client c(o, make_tid(9), t0);
    CHECK(c.deadline() == t0 + 39500ms);
    CHECK_FALSE(c.on_timer(t0 + 500ms));
    CHECK_FALSE(c.on_timer(t0 + 39500ms));
    CHECK(c.state() == binding_state::timed_out);
    CHECK(c.result().transmissions == 1);
}

TEST_CASE("binding_client: RTT after a retransmission is measured from the first send, not reliable") {
    binding_client c(defaults(), make_tid(10), t0);
    REQUIRE(c.on_timer(t0 + 500ms));
    const auto response = success_for(c.request(), public_ep);
    CHECK(c.on_response(parsed(response), server_ep, t0 + 620ms) == response_verdict::done);
    CHECK(c.result().rtt == 620ms);
    CHECK_FALSE(c.result().rtt_reliable);
    CHECK(c.result().transmissions == 2);
}

// --- binding_client: error responses ---------------------------------------------------------

TEST_CASE("binding_client: an error response fails with its code and reason") {
    binding_client c(defaults(), make_tid(11), t0);
    SECTION("420") {
        const auto response = respond(c.request(), message_class::error_response, [](response_builder& b) {
            b.add<attr::error_code>(error_value{420, "Unknown Attribute"});
            const std::uint16_t unknown[] = {0x0003};
            b.add<attr::unknown_attributes>(u16_list(unknown));
            b.add<attr::software>("srv");
        });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().failure == binding_failure::error_response);
        CHECK(c.result().error_code == 420);
        CHECK(c.result().reason() == "Unknown Attribute");
        CHECK(c.result().software() == "srv");
        CHECK_FALSE(c.result().mapped_address);
    }
    SECTION("a long reason is truncated at a UTF-8 boundary") {
        const std::string reason = std::string(127, 'x') + "\xC3\xA9" + std::string(50, 'y');  // e-acute at 127
        const auto response = error_for(c.request(), 500, reason);
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.result().error_code == 500);
        CHECK(c.result().reason() == std::string(127, 'x'));
    }
    SECTION("401 without credentials configured") {
        const auto response = challenge_for(c.request(), 401, "example.org", "nonce-1");
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().error_code == 401);
    }
    SECTION("an error response without ERROR-CODE") {
        const auto response = respond(c.request(), message_class::error_response, [](response_builder&) {});
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.result().failure == binding_failure::bad_response);
    }
    SECTION("a success response with an unknown comprehension-required attribute") {
        const auto response = respond(c.request(), message_class::success_response, [](response_builder& b) {
            b.add<attr::xor_mapped_address>(public_ep);
            const std::array<std::uint8_t, 4> value{1, 2, 3, 4};
            b.add_raw(0x7F01, value);
        });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().failure == binding_failure::bad_response);
    }
    SECTION("a success response without a mapped address") {
        const auto response = respond(c.request(), message_class::success_response,
                                      [](response_builder& b) { b.add<attr::software>("x"); });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.result().failure == binding_failure::bad_response);
    }
}

// --- binding_client: 300 Try Alternate --------------------------------------------------------

TEST_CASE("binding_client follows one 300 ALTERNATE-SERVER") {
    binding_client c(defaults(), make_tid(12), t0);
    const transaction_id first_id = c.transaction_id();
    const auto try_alternate = [](bytes_view request, const endpoint& alt) {
        return respond(request, message_class::error_response, [&](response_builder& b) {
            b.add<attr::error_code>(error_value{300, "Try Alternate"});
            b.add<attr::alternate_server>(alt);
        });
    };
    const auto redirect = try_alternate(c.request(), alternate_ep);
    const auto stale_success = success_for(c.request(), stranger_ep);
    REQUIRE(c.on_timer(t0 + 500ms));
    CHECK(c.on_response(parsed(redirect), server_ep, t0 + 600ms) == response_verdict::send_again);
    CHECK(c.state() == binding_state::pending);
    CHECK(c.destination() == alternate_ep);
    CHECK(c.transaction_id() != first_id);
    CHECK(c.transmissions() == 1);
    CHECK(c.deadline() == t0 + 1100ms);  // a fresh timer from the new first send
    const message_view req = parsed(c.request());
    CHECK(req.transaction_id() == c.transaction_id());
    CHECK_FALSE(req.check_fingerprint());

    // Late answers to the first transaction, or from the first server, are not ours any more.
    CHECK(c.on_response(parsed(stale_success), server_ep, t0 + 700ms) == response_verdict::not_mine);
    CHECK(c.on_response(parsed(redirect), server_ep, t0 + 700ms) == response_verdict::not_mine);
    const auto success = success_for(c.request(), public_ep);
    CHECK(c.on_response(parsed(success), server_ep, t0 + 700ms) == response_verdict::not_mine);

    SECTION("the alternate answers") {
        CHECK(c.on_response(parsed(success), alternate_ep, t0 + 700ms) == response_verdict::done);
        CHECK(c.state() == binding_state::succeeded);
        CHECK(c.result().mapped_address == public_ep);
        CHECK(c.result().transactions == 2);
        CHECK(c.result().rtt == 100ms);
        CHECK(c.result().rtt_reliable);
    }
    SECTION("a second 300 ends as failed") {
        const auto again = try_alternate(c.request(), other_server_ep);
        CHECK(c.on_response(parsed(again), alternate_ep, t0 + 700ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().error_code == 300);
        CHECK(c.result().failure == binding_failure::error_response);
        CHECK(c.destination() == alternate_ep);
    }
}

TEST_CASE("binding_client: 300 edge cases") {
    SECTION("no ALTERNATE-SERVER") {
        binding_client c(defaults(), make_tid(13), t0);
        const auto response = error_for(c.request(), 300, "Try Alternate");
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().error_code == 300);
    }
    SECTION("redirect to itself is a loop") {
        binding_client c(defaults(), make_tid(13), t0);
        const auto response = respond(c.request(), message_class::error_response, [](response_builder& b) {
            b.add<attr::error_code>(error_value{300, "Try Alternate"});
            b.add<attr::alternate_server>(server_ep);
        });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
    }
    SECTION("the ALTERNATE-SERVER of our address family is chosen") {
        binding_client c(defaults(), make_tid(13), t0);
        const auto v6 = endpoint::parse("[2001:db8::9]:3478");
        REQUIRE(v6);
        const auto response = respond(c.request(), message_class::error_response, [&](response_builder& b) {
            b.add<attr::error_code>(error_value{300, "Try Alternate"});
            b.add<attr::alternate_server>(*v6);
            b.add<attr::alternate_server>(alternate_ep);
        });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::send_again);
        CHECK(c.destination() == alternate_ep);
    }
    SECTION("the new transaction id comes from the caller's generator when given") {
        binding_request_options o = defaults();
        o.transaction_id_generator = [](void* ctx) { return make_tid(static_cast<std::uint8_t>(*static_cast<int*>(ctx))); };
        int seed = 200;
        o.transaction_id_generator_context = &seed;
        binding_client c(o, make_tid(13), t0);
        const auto response = respond(c.request(), message_class::error_response, [](response_builder& b) {
            b.add<attr::error_code>(error_value{300, "Try Alternate"});
            b.add<attr::alternate_server>(alternate_ep);
        });
        CHECK(c.on_response(parsed(response), server_ep, t0 + 1ms) == response_verdict::send_again);
        CHECK(c.transaction_id() == make_tid(200));
        CHECK(parsed(c.request()).transaction_id() == make_tid(200));
    }
}

// --- binding_client: long-term credentials ---------------------------------------------------

TEST_CASE("binding_client answers a 401 once with MESSAGE-INTEGRITY") {
    binding_client c(with_credentials(), make_tid(14), t0);
    CHECK_FALSE(parsed(c.request()).has<attr::username>());  // RFC 8489 9.2.3.1: first request bare
    const transaction_id first_id = c.transaction_id();
    const auto challenge = challenge_for(c.request(), 401, "example.org", "f//499k954d6OL34oL9FSTvy64sA");
    CHECK(c.on_response(parsed(challenge), server_ep, t0 + 20ms) == response_verdict::send_again);
    CHECK(c.authenticated());
    CHECK(c.transaction_id() != first_id);

    const message_view req = parsed(c.request());
    CHECK(req.get<attr::username>().value() == "alice");
    CHECK(req.get<attr::realm>().value() == "example.org");
    CHECK(req.get<attr::nonce>().value() == "f//499k954d6OL34oL9FSTvy64sA");
    CHECK_FALSE(req.has<attr::password_algorithm>());
    CHECK_FALSE(req.has<attr::password_algorithms>());
    CHECK(req.has_integrity());
    CHECK_FALSE(req.has_integrity_sha256());
    const auto key = integrity_key::long_term("alice", "example.org", "s3cret");
    CHECK_FALSE(req.check_integrity(key));
    CHECK(req.check_integrity(integrity_key::long_term("alice", "example.org", "wrong")) == errc::integrity_mismatch);
    CHECK_FALSE(req.check_fingerprint());

    SECTION("authenticated success") {
        const auto ok = authenticated_success(c.request(), key, false);
        CHECK(c.on_response(parsed(ok), server_ep, t0 + 50ms) == response_verdict::done);
        CHECK(c.state() == binding_state::succeeded);
        CHECK(c.result().mapped_address == public_ep);
        CHECK(c.result().transactions == 2);
        CHECK(c.result().rtt == 30ms);
    }
    SECTION("responses with bad or no integrity are ignored, the good one is taken") {
        const auto forged = authenticated_success(c.request(), integrity_key::long_term("alice", "example.org", "x"), false);
        CHECK(c.on_response(parsed(forged), server_ep, t0 + 30ms) == response_verdict::not_mine);
        const auto bare = success_for(c.request(), stranger_ep);
        CHECK(c.on_response(parsed(bare), server_ep, t0 + 30ms) == response_verdict::not_mine);
        const auto bad_request = error_for(c.request(), 400, "Bad Request");  // §9.2.5: discarded
        CHECK(c.on_response(parsed(bad_request), server_ep, t0 + 30ms) == response_verdict::not_mine);
        CHECK(c.state() == binding_state::pending);
        const auto ok = authenticated_success(c.request(), key, false);
        CHECK(c.on_response(parsed(ok), server_ep, t0 + 60ms) == response_verdict::done);
        CHECK(c.state() == binding_state::succeeded);
    }
    SECTION("only forged responses until the timeout: integrity violation, not a timeout") {
        const auto forged = authenticated_success(c.request(), integrity_key::long_term("mallory", "example.org", "x"), false);
        CHECK(c.on_response(parsed(forged), server_ep, t0 + 30ms) == response_verdict::not_mine);
        while (c.state() == binding_state::pending) (void)c.on_timer(c.deadline());
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().failure == binding_failure::integrity_violation);
    }
    SECTION("a second 401 ends as failed") {
        const auto again = challenge_for(c.request(), 401, "example.org", "another-nonce");
        CHECK(c.on_response(parsed(again), server_ep, t0 + 40ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().error_code == 401);
        CHECK(c.result().reason() == "Unauthenticated");
    }
    SECTION("438 Stale Nonce is answered once with the new nonce") {
        const auto stale = challenge_for(c.request(), 438, "example.org", "fresh-nonce");
        CHECK(c.on_response(parsed(stale), server_ep, t0 + 40ms) == response_verdict::send_again);
        const message_view retry = parsed(c.request());
        CHECK(retry.get<attr::nonce>().value() == "fresh-nonce");
        CHECK(retry.get<attr::username>().value() == "alice");
        CHECK_FALSE(retry.check_integrity(key));
        SECTION("then success") {
            const auto ok = authenticated_success(c.request(), key, false);
            CHECK(c.on_response(parsed(ok), server_ep, t0 + 50ms) == response_verdict::done);
            CHECK(c.state() == binding_state::succeeded);
            CHECK(c.result().transactions == 3);
        }
        SECTION("a second 438 fails") {
            const auto stale2 = challenge_for(c.request(), 438, "example.org", "fresher-nonce");
            CHECK(c.on_response(parsed(stale2), server_ep, t0 + 50ms) == response_verdict::done);
            CHECK(c.state() == binding_state::failed);
            CHECK(c.result().error_code == 438);
        }
    }
}

TEST_CASE("binding_client: authenticated response with bad integrity over a stream ends the transaction") {
    binding_request_options o = with_credentials();
    o.transport = transport_kind::stream;
    binding_client c(o, make_tid(15), t0);
    const auto challenge = challenge_for(c.request(), 401, "example.org", "n");
    REQUIRE(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::send_again);
    const auto forged = authenticated_success(c.request(), integrity_key::long_term("alice", "example.org", "x"), false);
    CHECK(c.on_response(parsed(forged), server_ep, t0 + 2ms) == response_verdict::done);
    CHECK(c.state() == binding_state::failed);
    CHECK(c.result().failure == binding_failure::integrity_violation);
    CHECK_FALSE(c.result().mapped_address);
}

TEST_CASE("binding_client: 401 with PASSWORD-ALGORITHMS (RFC 8489 9.2.5)") {
    binding_client c(with_credentials(), make_tid(16), t0);
    // Nonce cookie "obMatJos2" + base64 of the feature bits; 'g' = 100000b: "Password algorithms".
    const std::string nonce = "obMatJos2gAAAxyz";

    SECTION("SHA-256 offered first: PASSWORD-ALGORITHM sha256 and MESSAGE-INTEGRITY-SHA256") {
        const std::uint16_t offered[] = {2, 1};
        const auto challenge = challenge_for(c.request(), 401, "example.org", nonce, offered, 2);
        const auto offered_wire = parsed(challenge).find(attr::password_algorithms::type).value().value;
        CHECK(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::send_again);
        const message_view req = parsed(c.request());
        CHECK(req.get<attr::password_algorithm>().value().algorithm == 2);
        CHECK(req.find(attr::password_algorithms::type).value().value == offered_wire);  // echoed unchanged
        CHECK(req.has_integrity_sha256());
        CHECK_FALSE(req.has_integrity());
        const auto key = integrity_key::long_term("alice", "example.org", "s3cret", password_algorithm::sha256);
        CHECK_FALSE(req.check_integrity(key));
        CHECK(req.check_integrity(integrity_key::long_term("alice", "example.org", "s3cret")) ==
              errc::integrity_mismatch);  // not the MD5 key

        const auto ok = authenticated_success(c.request(), key, true);
        CHECK(c.on_response(parsed(ok), server_ep, t0 + 2ms) == response_verdict::done);
        CHECK(c.state() == binding_state::succeeded);
    }
    SECTION("a second 401 ends as failed") {
        const std::uint16_t offered[] = {2};
        const auto challenge = challenge_for(c.request(), 401, "example.org", nonce, offered, 1);
        REQUIRE(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::send_again);
        const auto again = challenge_for(c.request(), 401, "example.org", nonce, offered, 1);
        CHECK(c.on_response(parsed(again), server_ep, t0 + 2ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().error_code == 401);
    }
    SECTION("MD5 listed first: the first supported one is used, still with MESSAGE-INTEGRITY-SHA256") {
        const std::uint16_t offered[] = {1, 2};
        const auto challenge = challenge_for(c.request(), 401, "example.org", nonce, offered, 2);
        CHECK(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::send_again);
        const message_view req = parsed(c.request());
        CHECK(req.get<attr::password_algorithm>().value().algorithm == 1);
        CHECK(req.has_integrity_sha256());
        CHECK_FALSE(req.check_integrity(integrity_key::long_term("alice", "example.org", "s3cret")));
    }
    SECTION("unknown algorithms only: no retry") {
        const std::uint16_t offered[] = {0x7777};
        const auto challenge = challenge_for(c.request(), 401, "example.org", nonce, offered, 1);
        CHECK(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
    }
    SECTION("bid-down: the nonce cookie announces PASSWORD-ALGORITHMS but it was stripped") {
        const auto challenge = challenge_for(c.request(), 401, "example.org", nonce);
        CHECK(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::done);
        CHECK(c.state() == binding_state::failed);
        CHECK(c.result().error_code == 401);
    }
    SECTION("username anonymity: USERHASH instead of USERNAME") {
        // 'w' = 110000b: "Password algorithms" and "Username anonymity".
        const std::uint16_t offered[] = {2};
        const auto challenge = challenge_for(c.request(), 401, "example.org", "obMatJos2wAAAxyz", offered, 1);
        CHECK(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::send_again);
        const message_view req = parsed(c.request());
        CHECK_FALSE(req.has<attr::username>());
        const auto hash = make_userhash("alice", "example.org");
        CHECK(req.get<attr::userhash>().value() == bytes_view(hash));
        CHECK_FALSE(req.check_integrity(
            integrity_key::long_term("alice", "example.org", "s3cret", password_algorithm::sha256)));
    }
}

TEST_CASE("binding_client: a 300 after authentication starts over at the alternate server") {
    binding_client c(with_credentials(), make_tid(17), t0);
    const auto challenge = challenge_for(c.request(), 401, "example.org", "n1");
    REQUIRE(c.on_response(parsed(challenge), server_ep, t0 + 1ms) == response_verdict::send_again);
    const auto key = integrity_key::long_term("alice", "example.org", "s3cret");
    const auto redirect = respond(c.request(), message_class::error_response, [&](response_builder& b) {
        b.add<attr::error_code>(error_value{300, "Try Alternate"});
        b.add<attr::alternate_server>(alternate_ep);
        b.add_integrity(key);  // the response to an authenticated request must be authenticated
    });
    CHECK(c.on_response(parsed(redirect), server_ep, t0 + 2ms) == response_verdict::send_again);
    CHECK(c.destination() == alternate_ep);
    CHECK_FALSE(c.authenticated());
    CHECK_FALSE(parsed(c.request()).has<attr::username>());
    // The alternate server's own challenge is answered with the same credentials.
    const auto challenge2 = challenge_for(c.request(), 401, "alt.example.org", "n2");
    CHECK(c.on_response(parsed(challenge2), alternate_ep, t0 + 3ms) == response_verdict::send_again);
    CHECK_FALSE(parsed(c.request()).check_integrity(integrity_key::long_term("alice", "alt.example.org", "s3cret")));
}
