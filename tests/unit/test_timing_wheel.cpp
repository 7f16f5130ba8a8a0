// The timing wheel's slot arrays under add / cancel / reschedule churn, against a reference
// model (a map of due ticks), including rescheduling from inside fire() and the sweep of stale
// entries.
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "catch.hpp"
#include "natkit/keepalive/timing_wheel.hpp"

using natkit::keepalive::timing_wheel;
using tick = timing_wheel::tick;

namespace {

/// The wheel and a plain model side by side; every fire is checked against the model.
struct checked_wheel {
    timing_wheel wheel;
    std::map<std::uint32_t, tick> due;  // scheduled nodes and their due tick
    std::set<std::uint32_t> at_once;    // of those, the ones scheduled for now or earlier
    std::size_t fired = 0, errors = 0;
    explicit checked_wheel(tick start) : wheel(start) {}

    void schedule(std::uint32_t id, tick at) {
        wheel.schedule(id, at);
        if (at <= wheel.now()) {  // fires at the start of the next advance
            due[id] = wheel.now();
            at_once.insert(id);
        } else {
            due[id] = std::min(at, wheel.now() + timing_wheel::max_delay);
            at_once.erase(id);
        }
    }
    void cancel(std::uint32_t id) {
        wheel.cancel(id);
        due.erase(id);
        at_once.erase(id);
    }
    template <class OnFire>
    void advance(tick to, OnFire&& on_fire) {
        const tick before = wheel.now();
        wheel.advance(to, [&](std::uint32_t id) {
            ++fired;
            auto it = due.find(id);
            if (it == due.end()) {  // fired though not scheduled (twice, or after cancel)
                ++errors;
                return;
            }
            // On time: at its due tick, or at the start of the advance if it was due already.
            const tick expected = it->second < before ? before : it->second;
            if (wheel.now() != expected) ++errors;
            due.erase(it);
            at_once.erase(id);
            on_fire(id);
        });
        // Nothing due in (before, to] may be left, except what fire() scheduled for "now".
        for (const auto& [id, t] : due)
            if (t <= to && t > before && at_once.count(id) == 0) ++errors;
    }
};

}  // namespace

TEST_CASE("Timing wheel: random churn matches a reference model") {
    std::mt19937_64 rng(42);
    checked_wheel w(5000);
    const std::uint32_t ids = 3000;
    auto delay = [&]() -> tick {
        switch (rng() % 6) {
        case 0: return rng() % 3;                 // now or very soon (the "due already" list)
        case 1: return rng() % 256;               // level 0
        case 2: return 256 + rng() % 65280;       // level 1
        case 3: return 65536 + rng() % 1000000;   // level 2
        case 4: return (tick{1} << 24) + rng() % 100000000;  // level 3
        default: return 10000 + rng() % 20000;    // keepalive-like
        }
    };
    for (int round = 0; round < 400; ++round) {
        for (int k = 0; k < 200; ++k) {
            const auto id = static_cast<std::uint32_t>(rng() % ids);
            const auto op = rng() % 10;
            if (op < 6) w.schedule(id, w.wheel.now() + delay());  // add or reschedule
            else if (op < 8) w.cancel(id);
            else w.schedule(id, w.wheel.now() - std::min<tick>(w.wheel.now(), rng() % 50));  // in the past
        }
        REQUIRE(w.wheel.size() == w.due.size());
        // Advance by anything from nothing to far; fire() reschedules some nodes, some at once.
        const tick step = rng() % 4 == 0 ? 0 : rng() % 3 == 0 ? rng() % 5000000 : rng() % 3000;
        w.advance(w.wheel.now() + step, [&](std::uint32_t id) {
            const auto r = rng() % 4;
            if (r == 0) w.schedule(id, w.wheel.now() + delay());
            else if (r == 1) w.schedule(id, w.wheel.now());  // again at once: waits for the next advance
        });
        REQUIRE(w.errors == 0);
        REQUIRE(w.wheel.size() == w.due.size());
        for (const auto& [id, t] : w.due) {
            REQUIRE(w.wheel.scheduled(id));
            if (w.at_once.count(id) == 0) REQUIRE(w.wheel.due_low32(id) == static_cast<std::uint32_t>(t));
        }
    }
    // Drain everything.
    while (w.wheel.size() > 0) w.advance(w.wheel.now() + 10000000, [](std::uint32_t) {});
    CHECK(w.errors == 0);
    CHECK(w.due.empty());
    CHECK(w.fired > 50000);
    CHECK(w.wheel.next_due() == ~tick{0});
}

TEST_CASE("Timing wheel: a timer rescheduled for now inside fire() waits for the next advance") {
    timing_wheel wheel(100);
    wheel.schedule(1, 100);  // due already
    wheel.cancel(1);
    wheel.schedule(1, 100);  // the same again: two entries for one node, one of them stale
    int fires = 0;
    wheel.advance(100, [&](std::uint32_t id) {
        ++fires;
        wheel.schedule(id, 0);  // in the past: at the next advance, not in this one
    });
    CHECK(fires == 1);
    CHECK(wheel.size() == 1);
    CHECK(wheel.next_due() == 100);
    wheel.advance(100, [&](std::uint32_t) { ++fires; });
    CHECK(fires == 2);
    CHECK(wheel.size() == 0);
}

TEST_CASE("Timing wheel: stale entries are dropped and memory stays bounded under churn") {
    timing_wheel wheel(0);
    const std::uint32_t n = 20000;
    wheel.reserve(n);
    for (std::uint32_t id = 0; id < n; ++id) wheel.schedule(id, 1000000 + id);  // far, level 2
    CHECK(wheel.entries() == n);
    const std::size_t reserved = wheel.memory_bytes();
    // Reschedule every node 50 times without time moving: each move leaves a stale entry,
    // which a sweep must collect long before they come due.
    std::mt19937 rng(1);
    for (int k = 0; k < 50; ++k)
        for (std::uint32_t id = 0; id < n; ++id) wheel.schedule(id, 1000000 + rng() % 5000000);
    CHECK(wheel.size() == n);
    CHECK(wheel.entries() < 2 * n);
    CHECK(wheel.memory_bytes() == reserved);  // sweeps, not allocations
    // Cancel all: what is left is stale, and every stale entry is dropped when it comes up.
    for (std::uint32_t id = 0; id < n; ++id) wheel.cancel(id);
    CHECK(wheel.size() == 0);
    int fires = 0;
    wheel.advance(10000000, [&](std::uint32_t) { ++fires; });
    CHECK(fires == 0);
    CHECK(wheel.entries() == 0);
}

TEST_CASE("Timing wheel: far timers are clamped to max_delay and fire exactly then") {
    timing_wheel wheel(7);
    wheel.schedule(3, 7 + timing_wheel::max_delay * 4);
    CHECK(wheel.due_low32(3) == static_cast<std::uint32_t>(7 + timing_wheel::max_delay));
    tick at = 0;
    while (wheel.size() > 0) wheel.advance(wheel.now() + (tick{1} << 26), [&](std::uint32_t) { at = wheel.now(); });
    CHECK(at == 7 + timing_wheel::max_delay);
}
