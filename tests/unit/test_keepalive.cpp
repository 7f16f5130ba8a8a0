// The timing wheel and the keepalive scheduler with a fake clock and a scripted STUN server.
#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "catch.hpp"
#include "natkit/keepalive/scheduler.hpp"
#include "natkit/keepalive/timing_wheel.hpp"
#include "natkit/stun/binding_responder.hpp"

using namespace natkit;
using namespace natkit::keepalive;
using namespace std::chrono_literals;


namespace {
const time_point t0 = time_point{} + 100h;
const endpoint stun1(ip_address::v4(192, 0, 2, 1), 3478);
const endpoint stun2(ip_address::v4(192, 0, 2, 2), 3478);

struct recorder {
    std::vector<keepalive_transmit> sent;
    std::vector<std::vector<std::uint8_t>> bytes;
    std::vector<scheduler<>::event> events;
    time_point now{};
    std::vector<time_point> sent_at;
    void on_send(const keepalive_transmit& t) {
        sent.push_back(t);
        bytes.emplace_back(t.bytes.begin(), t.bytes.end());
        sent_at.push_back(now);
    }
    void on_event(const scheduler<>::event& e) { events.push_back(e); }
};

/// Answers a Binding request as a STUN server would, reporting `mapped` as the source.
std::vector<std::uint8_t> answer(const std::vector<std::uint8_t>& request, const endpoint& mapped, const endpoint& server) {
    stun::binding_responder r({server});
    std::array<std::uint8_t, 256> out{};
    auto reply = r.handle(request, mapped, server, out);
    REQUIRE(reply);
    return {reply->datagram.begin(), reply->datagram.end()};
}
}  // namespace

TEST_CASE("The timing wheel fires every timer exactly at its due tick, in order") {
    std::mt19937_64 rng(5);
    timing_wheel wheel(1000);
    std::map<std::uint32_t, timing_wheel::tick> due;
    for (std::uint32_t id = 0; id < 5000; ++id) {
        // Delays across all four levels, some far.
        const int level = static_cast<int>(rng() % 4);
        const timing_wheel::tick delay = 1 + rng() % (level == 0 ? 255 : level == 1 ? 65535 : level == 2 ? 16777215 : 300000000);
        wheel.schedule(id, 1000 + delay);
        due[id] = 1000 + delay;
    }
    for (std::uint32_t id = 0; id < 5000; id += 7) {  // cancel some, move some
        wheel.cancel(id);
        due.erase(id);
        if (id + 1 < 5000) {
            wheel.schedule(id + 1, 2000 + id);
            due[id + 1] = 2000 + id;
        }
    }
    REQUIRE(wheel.size() == due.size());
    std::size_t fired = 0;
    timing_wheel::tick last = 0;
    timing_wheel::tick horizon = 1000;
    while (wheel.size() > 0) {
        horizon += 1 + rng() % 5000000;
        wheel.advance(horizon, [&](std::uint32_t id) {
            REQUIRE(due.count(id) == 1);
            CHECK(wheel.now() == due[id]);
            CHECK(wheel.now() >= last);
            last = wheel.now();
            due.erase(id);
            ++fired;
        });
    }
    CHECK(due.empty());
    CHECK(fired > 4000);
}

TEST_CASE("First keepalive at once, mapped event, then one per interval") {
    scheduler<> s(t0);
    recorder rec;
    binding_options o;
    o.socket = 7;
    o.server = stun1;
    o.interval = 10s;
    o.jitter = 0;
    const auto id = s.add(o, t0);
    rec.now = t0;
    s.poll(t0, rec);
    REQUIRE(rec.sent.size() == 1);
    CHECK(rec.sent[0].socket == 7);
    CHECK(rec.sent[0].to == stun1);
    const endpoint pub(ip_address::v4(203, 0, 113, 9), 61000);
    CHECK(s.on_datagram(7, answer(rec.bytes[0], pub, stun1), stun1, t0 + 20ms, rec));
    REQUIRE(rec.events.size() == 1);
    CHECK(rec.events[0].kind == event_kind::mapped);
    CHECK(rec.events[0].current == pub);
    CHECK(s.mapped(id) == pub);
    // A duplicate answer is recognised but changes nothing.
    CHECK(s.on_datagram(7, answer(rec.bytes[0], pub, stun1), stun1, t0 + 30ms, rec));
    CHECK(rec.events.size() == 1);
    // Nothing more until the interval has passed.
    rec.now = t0 + 9999ms;
    s.poll(rec.now, rec);
    CHECK(rec.sent.size() == 1);
    rec.now = t0 + 10s;
    s.poll(rec.now, rec);
    CHECK(rec.sent.size() == 2);
    // Foreign datagrams are not swallowed.
    const std::string sip = "SIP/2.0 200 OK\r\n\r\n";
    CHECK_FALSE(s.on_datagram(7, bytes_view(sip), stun1, rec.now, rec));
}

TEST_CASE("Outbound traffic postpones the keepalive") {
    scheduler<> s(t0);
    recorder rec;
    binding_options o;
    o.server = stun1;
    o.interval = 10s;
    o.jitter = 0;
    o.kind = keepalive_kind::binding_indication;
    const auto id = s.add(o, t0);
    s.poll(t0, rec);
    REQUIRE(rec.sent.size() == 1);
    s.note_outbound(id, t0 + 6s);
    s.poll(t0 + 10s, rec);
    CHECK(rec.sent.size() == 1);  // idle for 4 s only
    s.poll(t0 + 15999ms, rec);
    CHECK(rec.sent.size() == 1);
    s.poll(t0 + 16s, rec);
    CHECK(rec.sent.size() == 2);
}

TEST_CASE("Retransmissions follow RFC 8489 within a round that ends before the next one") {
    scheduler<> s(t0);
    recorder rec;
    binding_options o;
    o.server = stun1;
    o.interval = 10s;
    o.jitter = 0;
    s.add(o, t0);
    for (auto t = t0; t <= t0 + 10s; t += 1ms) {
        rec.now = t;
        s.poll(t, rec);
    }
    // 0, 0.5, 1.5, 3.5, 7.5 s, then the round ends at 10 s and the next starts.
    REQUIRE(rec.sent_at.size() == 6);
    CHECK(rec.sent_at[0] == t0);
    CHECK(rec.sent_at[1] == t0 + 500ms);
    CHECK(rec.sent_at[2] == t0 + 1500ms);
    CHECK(rec.sent_at[3] == t0 + 3500ms);
    CHECK(rec.sent_at[4] == t0 + 7500ms);
    CHECK(rec.sent_at[5] == t0 + 10s);
    // A new round uses a new transaction id.
    CHECK(bytes_view(rec.bytes[4]).subview(8, 12) != bytes_view(rec.bytes[5]).subview(8, 12));
}

TEST_CASE("Lost after N failed rounds, failover to the secondary, restored, changed") {
    scheduler_config cfg;
    cfg.lost_after = 3;
    scheduler<> s(t0, cfg);
    recorder rec;
    binding_options o;
    o.server = stun1;
    o.secondary = stun2;
    o.interval = 2s;
    o.jitter = 0;
    const auto id = s.add(o, t0);
    const endpoint pub1(ip_address::v4(203, 0, 113, 9), 61000);
    const endpoint pub2(ip_address::v4(198, 51, 100, 4), 1024);
    rec.now = t0;
    s.poll(t0, rec);
    s.on_datagram(0, answer(rec.bytes.back(), pub1, stun1), stun1, t0, rec);
    // The server goes silent for 3 rounds.
    for (auto t = t0 + 1ms; t <= t0 + 8s; t += 1ms) {
        rec.now = t;
        s.poll(t, rec);
    }
    REQUIRE(rec.events.size() == 2);
    CHECK(rec.events[1].kind == event_kind::lost);
    CHECK(rec.events[1].at == t0 + 8s);  // the end of the third silent round (rounds at 2, 4, 6 s)
    CHECK(s.server(id) == stun2);
    // The next round, at once, goes to the secondary, which answers with a new address.
    REQUIRE(rec.sent_at.back() == t0 + 8s);
    REQUIRE(rec.sent.back().to == stun2);
    CHECK(s.on_datagram(0, answer(rec.bytes.back(), pub2, stun2), stun2, rec.now, rec));
    REQUIRE(rec.events.size() == 4);
    CHECK(rec.events[2].kind == event_kind::restored);
    CHECK(rec.events[3].kind == event_kind::changed);
    CHECK(rec.events[3].previous == pub1);
    CHECK(rec.events[3].current == pub2);
}

TEST_CASE("An answer from the wrong binding, socket or stale id is ignored") {
    scheduler<> s(t0);
    recorder rec;
    binding_options o;
    o.server = stun1;
    o.socket = 1;
    const auto a = s.add(o, t0);
    s.poll(t0, rec);
    const auto reply = answer(rec.bytes[0], endpoint(ip_address::v4(203, 0, 113, 1), 1), stun1);
    CHECK_FALSE(s.on_datagram(2, reply, stun1, t0, rec));  // another socket
    auto forged = reply;
    forged[19] ^= 1;  // the tag
    CHECK_FALSE(s.on_datagram(1, forged, stun1, t0, rec));
    s.remove(a);
    CHECK_FALSE(s.on_datagram(1, reply, stun1, t0, rec));
    const auto b = s.add(o, t0);  // reuses the slot with a new generation
    CHECK(b.index == a.index);
    CHECK_FALSE(s.mapped(a));
    CHECK(rec.events.empty());
}

TEST_CASE("CRLF keepalives: a pong ends the round, a missing pong fails it (RFC 5626 §4.4.1)") {
    scheduler_config cfg;
    cfg.lost_after = 1;
    scheduler<> s(t0, cfg);
    recorder rec;
    binding_options o;
    o.server = stun1;
    o.kind = keepalive_kind::crlf;
    o.interval = 30s;
    o.jitter = 0;
    const auto id = s.add(o, t0);
    s.poll(t0, rec);
    REQUIRE(rec.sent.size() == 1);
    CHECK(rec.sent[0].bytes == bytes_view("\r\n\r\n", 4));
    s.on_pong(id, t0 + 50ms, rec);
    CHECK(rec.events.empty());
    s.poll(t0 + 30s, rec);
    REQUIRE(rec.sent.size() == 2);
    s.poll(t0 + 40s, rec);  // no pong within 10 s
    REQUIRE(rec.events.size() == 1);
    CHECK(rec.events[0].kind == event_kind::lost);
    s.poll(t0 + 60s, rec);
    s.on_pong(id, t0 + 60s + 5ms, rec);
    REQUIRE(rec.events.size() == 2);
    CHECK(rec.events[1].kind == event_kind::restored);
}

TEST_CASE("10,000 bindings over a simulated day: on time, never twice, no drift") {
    scheduler<> s(t0);
    s.reserve(10000);
    std::mt19937 rng(99);
    struct expect {
        std::chrono::milliseconds interval;
        double jitter;
        time_point last{};
        std::size_t count = 0;
    };
    std::vector<expect> bindings;
    std::vector<binding_id> ids;
    for (int i = 0; i < 10000; ++i) {
        binding_options o;
        o.socket = static_cast<std::uint32_t>(i);
        o.server = stun1;
        o.interval = std::chrono::milliseconds(60000 + rng() % 240000);  // 1-5 min NAT timeouts
        o.jitter = static_cast<double>(rng() % 3) * 0.1;
        o.kind = i % 2 ? keepalive_kind::binding_indication : keepalive_kind::binding_request;
        ids.push_back(s.add(o, t0));
        bindings.push_back({o.interval, o.jitter});
    }
    struct day_handler {
        scheduler<>* s;
        std::vector<expect>* b;
        time_point now;
        std::size_t violations = 0, sends = 0;
        void on_send(const keepalive_transmit& t) {
            ++sends;
            auto& e = (*b)[t.socket];
            if (e.count > 0) {
                const auto gap = now - e.last;
                const auto min_gap = std::chrono::duration_cast<std::chrono::milliseconds>(e.interval * (1 - e.jitter)) - 1ms;
                if (gap < min_gap || gap > e.interval) ++violations;
            }
            e.last = now;
            ++e.count;
            if (t.kind == keepalive_kind::binding_request) {
                // Answer at once, as a nearby server would.
                const std::vector<std::uint8_t> req(t.bytes.begin(), t.bytes.end());
                s->on_datagram(t.socket, answer(req, endpoint(ip_address::v4(203, 0, 113, 1), static_cast<std::uint16_t>(t.socket)), stun1), stun1, now, *this);
            }
        }
        void on_event(const scheduler<>::event&) {}
    } h{&s, &bindings, t0};
    const time_point end = t0 + 24h;
    std::size_t stuck = 0;
    while (h.now < end) {
        s.poll(h.now, h);
        const auto next = s.next_deadline();
        if (next <= h.now) ++stuck;  // time must always move on
        h.now = std::max(next, h.now + 1ms);
    }
    CHECK(stuck == 0);
    CHECK(h.violations == 0);
    CHECK(h.sends > 10000 * 86400 / 300);
    // No drift: each binding sent about 24 h / mean interval times.
    for (const auto& e : bindings) {
        const double mean = std::chrono::duration<double>(e.interval).count() * (1 - e.jitter / 2);
        const double expected = 86400.0 / mean;
        REQUIRE(e.count >= static_cast<std::size_t>(expected * 0.95));
        REQUIRE(e.count <= static_cast<std::size_t>(expected * 1.05) + 2);
    }
    for (auto id : ids) CHECK(s.mapped(id).has_value() == (id.index % 2 == 0));
}

TEST_CASE("Many distinct destinations: each binding keeps its own, and a full table fails add()") {
    scheduler<> s(t0);
    std::vector<binding_id> ids;
    for (std::uint32_t i = 0; i < 70000; ++i) {
        binding_options o;
        o.kind = keepalive_kind::crlf;
        o.server = endpoint(ip_address::v4(198, 51, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8)),
                            static_cast<std::uint16_t>(1000 + (i & 0xFF)));
        ids.push_back(s.add(o, t0));
    }
    std::size_t wrong = 0, failed = 0;
    for (std::uint32_t i = 0; i < ids.size(); ++i) {
        if (ids[i].generation == 0) {
            ++failed;
            continue;
        }
        const endpoint expected(ip_address::v4(198, 51, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8)),
                                static_cast<std::uint16_t>(1000 + (i & 0xFF)));
        if (s.server(ids[i]) != expected) ++wrong;
    }
    CHECK(wrong == 0);
    CHECK(failed == 70000 - 65535);
    CHECK_FALSE(s.server(binding_id{}));
}
