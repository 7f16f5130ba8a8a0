// natkit-bench-keepalive: the keepalive scheduler's own cost per keepalive and its memory per
// binding with 1,000,000 bindings at 10-30 s intervals, next to two baselines in the same run:
// a std::priority_queue scheduler doing the same work, and one Asio steady_timer per binding.
// Prints how each figure was obtained, then a table with the ratios.
//
//     natkit-bench-keepalive                 # everything, about a minute
//     natkit-bench-keepalive --quick         # 100,000 bindings, short windows (a smoke test)
//     natkit-bench-keepalive --only=natkit   # one section: natkit, pq, request, asio, service, breakdown
//     perf record natkit-bench-keepalive --only=profile   # natkit's steady state alone
//
// Options: --bindings=N (default 1000000), --window=S (virtual seconds per measured window,
// default 40), --asio-window=S (real seconds, default 2), --reps=N (default 3).
//
// What is measured, in short (the program prints the long form):
//  - natkit and std::priority_queue run in virtual time: poll(now) is called every 1 ms (and,
//    separately, every 10 ms) of a simulated clock, and the process CPU time of all polls in a
//    window of steady state is divided by the keepalives sent in it. Each keepalive gets a fresh
//    transaction id and is built (28-byte STUN message with FINGERPRINT) by the same code in all
//    three implementations, and handed to a handler that reads its last byte.
//  - Asio has no virtual clock, so its timers run in real time, with intervals scaled down so
//    that many expire in a few seconds: CPU time of io_context::run over a window divided by
//    the expirations in it; each handler does the same idle check and message build and
//    re-arms its timer.
//  - Memory: glibc's bytes in use (mallinfo2: uordblks + hblkhd, so allocator headers and
//    vector slack count) after adding the bindings minus before, divided by the bindings.
//  - Allocations: bench/alloc_counter.hpp (operator new and malloc), plus aligned_alloc, which
//    Asio uses for its handler memory and which alloc_counter.hpp does not hook (see below).
#define NATKIT_ALLOC_COUNTER_IMPLEMENTATION
#include "alloc_counter.hpp"

#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <asio.hpp>
#include <benchmark/benchmark.h>

#include "natkit/asio/keepalive_service.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/keepalive/scheduler.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"

#if NATKIT_ALLOC_COUNTER_HOOK_MALLOC
// Asio allocates its handler memory with std::aligned_alloc (asio/detail/memory.hpp), which
// glibc serves without going through the interposed malloc; count it here so that Asio's
// allocations per keepalive are not reported as zero. (Nothing in this program uses aligned
// operator new, which alloc_counter.hpp counts itself before calling aligned_alloc.)
extern "C" {
void* __libc_memalign(std::size_t alignment, std::size_t size);
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    natkit_bench::detail::note_allocation();
    return __libc_memalign(alignment, size);
}
}
#endif

namespace {

namespace ka = natkit::keepalive;
namespace stun = natkit::stun;
using natkit::endpoint;
using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using std::chrono::milliseconds;

// ------------------------------------------------------------------------------------------
// Measuring

std::uint64_t process_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}
std::uint64_t wall_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count());
}
/// Heap bytes in use according to glibc: small chunks (with their headers) plus mmapped ones.
std::size_t heap_bytes() {
    const struct mallinfo2 mi = ::mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

struct sample {
    std::uint64_t cpu, wall, allocs;
};
sample take() { return sample{process_cpu_ns(), wall_ns(), natkit_bench::alloc_snapshot().allocations}; }
struct span {
    double cpu_ns, wall_ns;
    std::uint64_t allocs;
};
span since(const sample& a) {
    const sample b = take();
    return span{static_cast<double>(b.cpu - a.cpu), static_cast<double>(b.wall - a.wall), b.allocs - a.allocs};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// ------------------------------------------------------------------------------------------
// The workload: the same bindings for every implementation.

struct workload {
    std::vector<std::uint32_t> interval_ms;
    double jitter = 0.1;
    std::array<endpoint, 2> servers{endpoint(natkit::ip_address::v4(192, 0, 2, 1), 3478),
                                    endpoint(natkit::ip_address::v4(198, 51, 100, 7), 3478)};
    std::size_t size() const { return interval_ms.size(); }
    ka::binding_options options(std::size_t i, ka::keepalive_kind kind) const {
        ka::binding_options o;
        o.socket = static_cast<std::uint32_t>(i % 64);
        o.server = servers[i % 2];
        o.interval = milliseconds(interval_ms[i]);
        o.jitter = jitter;
        o.kind = kind;
        return o;
    }
    /// Keepalives per second in steady state: each binding every jittered interval, which is
    /// uniform in [interval * (1 - jitter), interval].
    double rate_per_s() const {
        double r = 0;
        for (const auto ms : interval_ms) r += 1000.0 / (ms * (1 - jitter / 2));
        return r;
    }
};

workload make_workload(std::size_t n, std::uint32_t lo_ms, std::uint32_t hi_ms, std::uint64_t seed) {
    workload w;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::uint32_t> d(lo_ms, hi_ms);
    w.interval_ms.resize(n);
    for (auto& ms : w.interval_ms) ms = d(rng);
    return w;
}

/// The caller of poll(): counts keepalives and reads each one's last byte (the FINGERPRINT's),
/// so the message must really be built.
struct counting_handler {
    std::uint64_t sends = 0;
    std::uint64_t events = 0;
    std::uint32_t check = 0;
    void on_send(const ka::keepalive_transmit& t) noexcept {
        ++sends;
        benchmark::DoNotOptimize(t.bytes.data());
        check += t.bytes[t.bytes.size() - 1];
    }
    template <class Event>
    void on_event(const Event&) noexcept {
        ++events;
    }
};

/// The same, and it remembers each request so that an answer can be fed back.
struct answering_handler : counting_handler {
    struct pending {
        std::uint32_t socket;
        endpoint to;
        std::array<std::uint8_t, 12> tid;
    };
    std::vector<pending> queue;
    void on_send(const ka::keepalive_transmit& t) noexcept {
        counting_handler::on_send(t);
        pending p{t.socket, t.to, {}};
        std::memcpy(p.tid.data(), t.bytes.data() + 8, 12);
        queue.push_back(p);
    }
};

// ------------------------------------------------------------------------------------------
// Baseline 1: a straightforward std::priority_queue scheduler with the same semantics as
// natkit's for Binding indications and requests: idle-only keepalives (a timer that finds
// recent traffic re-arms), interval shortened by a random part of the jitter, RFC 8489 §6.2.1
// retransmissions at RTO, 3 RTO, 7 RTO ... within a round, the same transaction ids (one per
// message, keepalive::detail::transaction_ids, one id at a time where natkit computes the ids of
// a poll in batches) and the same 28-byte message (keepalive_message_writer), answers parsed
// with stun::message_view. A heap cannot cancel, so rescheduling pushes a new entry and the old
// one is skipped when it surfaces (a sequence number per binding tells them apart); remove()
// is the same. No secondary server and no CRLF: the benchmark uses neither.

class pq_scheduler {
public:
    using event = ka::basic_event<time_point>;

    explicit pq_scheduler(time_point epoch, ka::scheduler_config cfg = {})
        : epoch_(epoch), cfg_(cfg), ids_(cfg.seed), rng_(ids_.derived_seed()) {}

    void reserve(std::size_t n) {
        records_.reserve(n);
        std::vector<entry> storage;
        storage.reserve(n);
        heap_ = heap_type(later{}, std::move(storage));
    }

    ka::binding_id add(const ka::binding_options& o, time_point now) {
        std::uint32_t index;
        if (!free_.empty()) {
            index = free_.back();
            free_.pop_back();
        } else {
            index = static_cast<std::uint32_t>(records_.size());
            records_.emplace_back();
        }
        record& r = records_[index];
        const auto generation = static_cast<std::uint16_t>(r.generation + 1);
        const std::uint32_t seq = r.seq;
        const std::uint32_t counter = r.round;
        r = record{};
        r.generation = generation;
        r.seq = seq;
        r.round = counter;
        r.socket = o.socket;
        r.to = o.server;
        r.interval_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(o.interval.count(), 1, 86400000));
        r.jitter_pct = static_cast<std::uint8_t>(std::clamp(o.jitter, 0.0, 0.9) * 100 + 0.5);
        r.kind = o.kind;
        r.active = true;
        const std::int64_t t = ms(now);
        r.last_outbound = t - r.interval_ms;
        schedule(index, r, t);
        return ka::binding_id{index, generation};
    }
    void remove(ka::binding_id id) {
        record* r = find(id);
        if (!r) return;
        r->active = false;
        ++r->seq;  // its heap entry is stale now
        free_.push_back(id.index);
    }
    void note_outbound(ka::binding_id id, time_point now) noexcept {
        if (record* r = find(id)) r->last_outbound = ms(now);
    }

    template <class Handler>
    void poll(time_point now, Handler& handler) {
        const std::int64_t t = ms(now);
        while (!heap_.empty() && heap_.top().due <= t) {
            const entry e = heap_.top();
            heap_.pop();
            record& r = records_[e.index];
            if (!r.active || r.seq != e.seq) continue;
            fire(e.index, r, t, now, handler);
        }
    }

    template <class Handler>
    bool on_datagram(std::uint32_t socket, natkit::bytes_view data, const endpoint& from, time_point now,
                     Handler& handler) {
        if (data.size() < stun::header_size || (data[0] & 0xC0u) != 0) return false;
        auto msg = stun::message_view::parse(data);
        if (!msg || msg->method() != stun::method::binding || msg->legacy()) return false;
        if (!msg->is_success_response() && !msg->is_error_response()) return false;
        const auto tid = msg->transaction_id();
        const std::uint32_t index = ids_.index_of(tid.bytes.data());
        if (index >= records_.size()) return false;
        record& r = records_[index];
        if (!r.active || r.socket != socket || !ids_.matches(tid.bytes.data(), index, r.round)) return false;
        if (!r.in_round) return true;
        if (from != r.to && msg->has_fingerprint() && msg->check_fingerprint()) return false;
        std::optional<endpoint> mapped;
        if (msg->is_success_response()) {
            if (auto x = msg->get<stun::attr::xor_mapped_address>()) mapped = *x;
            else if (auto m = msg->get<stun::attr::mapped_address>()) mapped = *m;
        }
        end_round(index, r, mapped.has_value(), mapped, ms(now), now, handler);
        return true;
    }

    std::size_t heap_entries() const { return heap_.size(); }

private:
    struct record {
        endpoint to{};
        endpoint mapped{};
        std::int64_t last_outbound = 0;
        std::int64_t round_start = 0;
        std::uint32_t socket = 0;
        std::uint32_t interval_ms = 0;
        std::uint32_t round = 0;
        std::uint32_t seq = 0;
        std::uint16_t generation = 0;
        std::uint8_t jitter_pct = 0;
        ka::keepalive_kind kind{};
        std::uint8_t sent = 0;
        std::uint8_t failures = 0;
        bool active = false;
        bool in_round = false;
        bool is_mapped = false;
    };
    struct entry {
        std::int64_t due;
        std::uint32_t index;
        std::uint32_t seq;
    };
    struct later {
        bool operator()(const entry& a, const entry& b) const noexcept { return a.due > b.due; }
    };
    using heap_type = std::priority_queue<entry, std::vector<entry>, later>;

    std::int64_t ms(time_point t) const noexcept {
        return std::chrono::duration_cast<milliseconds>(t - epoch_).count();
    }
    record* find(ka::binding_id id) noexcept {
        if (id.index >= records_.size()) return nullptr;
        record& r = records_[id.index];
        return r.active && r.generation == id.generation ? &r : nullptr;
    }
    void schedule(std::uint32_t index, record& r, std::int64_t due) { heap_.push(entry{due, index, ++r.seq}); }

    std::uint64_t next_random() noexcept {
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        return rng_ * 0x2545F4914F6CDD1Dull;
    }
    std::int64_t jittered(const record& r) noexcept {
        const std::uint64_t span = std::uint64_t{r.interval_ms} * r.jitter_pct / 100;
        const std::uint64_t cut = span ? ((next_random() >> 32) * (span + 1)) >> 32 : 0;
        return static_cast<std::int64_t>(r.interval_ms - cut);
    }
    static std::int64_t shortest(const record& r) noexcept {
        return static_cast<std::int64_t>(r.interval_ms - std::uint64_t{r.interval_ms} * r.jitter_pct / 100);
    }
    // The same transaction ids and the same message writer as natkit's scheduler.
    template <class Handler>
    void send(std::uint32_t index, const record& r, Handler& handler) {
        std::array<std::uint8_t, ka::detail::keepalive_message_size> buf;
        writer_.write(buf.data(), r.kind == ka::keepalive_kind::binding_indication, ids_.make(index, r.round));
        ka::keepalive_transmit t{};
        t.id = ka::binding_id{index, r.generation};
        t.socket = r.socket;
        t.to = r.to;
        t.bytes = natkit::bytes_view(buf.data(), buf.size());
        t.kind = r.kind;
        t.retransmission = r.sent > 1;
        handler.on_send(t);
    }

    template <class Handler>
    void fire(std::uint32_t index, record& r, std::int64_t t, time_point now, Handler& handler) {
        if (r.in_round) {
            const std::int64_t round_end = r.round_start + shortest(r);
            if (t >= round_end) {
                end_round(index, r, false, std::nullopt, t, now, handler);
                return;
            }
            ++r.sent;
            send(index, r, handler);
            schedule_retransmission(index, r);
            return;
        }
        const std::int64_t idle = t - r.last_outbound;
        if (idle < shortest(r)) {
            schedule(index, r, t + jittered(r) - idle);
            return;
        }
        r.round_start = t;
        r.last_outbound = t;
        ++r.round;  // a new transaction id per round and per indication, as natkit
        if (r.kind == ka::keepalive_kind::binding_indication) {
            send(index, r, handler);
            schedule(index, r, t + jittered(r));
            return;
        }
        r.sent = 1;
        r.in_round = true;
        send(index, r, handler);
        schedule_retransmission(index, r);
    }
    void schedule_retransmission(std::uint32_t index, record& r) {
        const unsigned k = r.sent < 31 ? r.sent : 31u;
        const std::int64_t rto = std::max<std::int64_t>(1, cfg_.rto.count());
        const std::int64_t at = r.round_start + ((std::int64_t{1} << k) - 1) * rto;
        schedule(index, r, std::min(at, r.round_start + shortest(r)));
    }
    template <class Handler>
    void end_round(std::uint32_t index, record& r, bool success, const std::optional<endpoint>& mapped,
                   std::int64_t t, time_point now, Handler& handler) {
        r.in_round = false;
        const ka::binding_id id{index, r.generation};
        if (success) {
            r.failures = 0;
            if (mapped && (!r.is_mapped || *mapped != r.mapped)) {
                const endpoint old = r.mapped;
                const auto kind = r.is_mapped ? ka::event_kind::changed : ka::event_kind::mapped;
                r.is_mapped = true;
                r.mapped = *mapped;
                handler.on_event(event{kind, id, r.socket, old, *mapped, now});
            }
        } else if (r.failures < 0xFF && ++r.failures == cfg_.lost_after) {
            handler.on_event(event{ka::event_kind::lost, id, r.socket, r.mapped, r.mapped, now});
        }
        const std::int64_t wait = jittered(r) - (t - r.round_start);
        schedule(index, r, t + std::max<std::int64_t>(wait, 0));
    }

    time_point epoch_;
    ka::scheduler_config cfg_;
    ka::detail::transaction_ids ids_;
    ka::detail::keepalive_message_writer writer_;
    std::uint64_t rng_;
    std::vector<record> records_;
    std::vector<std::uint32_t> free_;
    heap_type heap_;
};

// ------------------------------------------------------------------------------------------
// Results

struct row {
    std::string name;
    double ns_per_keepalive;
    double bytes_per_binding;  // < 0: not measured
    double allocs_per_keepalive;
    int baseline;  // index of the row the ratio is taken against, -1 for none
    std::string how;
};
std::vector<row> rows;
std::vector<std::string> notes;

int add_row(row r) {
    rows.push_back(std::move(r));
    return static_cast<int>(rows.size() - 1);
}
std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

struct options {
    std::size_t bindings = 1000000;
    double window_s = 40;        // virtual seconds per measured natkit/pq window
    double asio_window_s = 2;    // real seconds per Asio window
    std::size_t asio_saturated = 100000;
    std::size_t asio_rate = 100000;
    int reps = 3;
    std::string only;
    bool wants(const char* section) const { return only.empty() || only == section; }
};

const time_point t0 = time_point{} + std::chrono::hours(1000);

// ------------------------------------------------------------------------------------------
// Virtual time: natkit's scheduler and the priority_queue baseline.

template <class Scheduler, class Handler>
void drive(Scheduler& s, Handler& h, time_point from, time_point to, milliseconds step) {
    for (time_point t = from + step; t <= to; t += step) s.poll(t, h);
}

struct virtual_result {
    double ns_1ms = 0, ns_10ms = 0, wall_1ms = 0, allocs_per_ka = 0;
    double bytes_reserved = 0, bytes_unreserved = 0, bytes_after = 0;
    double add_ns = 0, add_ns_unreserved = 0, remove_ns = 0, churn_remove_ns = 0, churn_add_ns = 0;
    double note_outbound_ns = 0, first_round_ns = 0;
    double busy_ns = 0, busy_share = 0;
    double rate = 0;
};

template <class Scheduler>
std::unique_ptr<Scheduler> make_scheduler() {
    return std::make_unique<Scheduler>(t0);
}

/// Binding indications: the pure scheduling case.
template <class Scheduler>
virtual_result run_indications(const char* name, const workload& w, const options& opt) {
    virtual_result res;
    const std::size_t n = w.size();
    std::vector<ka::binding_id> ids;
    ids.reserve(n);
    std::printf("  %s: %zu bindings, binding_indication ...\n", name, n);
    std::fflush(stdout);

    // Memory without reserve(): what a user who just calls add() pays.
    {
        const std::size_t before = heap_bytes();
        auto s = make_scheduler<Scheduler>();
        const sample a = take();
        for (std::size_t i = 0; i < n; ++i) ids.push_back(s->add(w.options(i, ka::keepalive_kind::binding_indication), t0));
        res.add_ns_unreserved = since(a).cpu_ns / static_cast<double>(n);
        res.bytes_unreserved = static_cast<double>(heap_bytes() - before) / static_cast<double>(n);
        ids.clear();
    }
    const std::size_t before = heap_bytes();
    auto s = make_scheduler<Scheduler>();
    s->reserve(n);
    const sample a = take();
    for (std::size_t i = 0; i < n; ++i) ids.push_back(s->add(w.options(i, ka::keepalive_kind::binding_indication), t0));
    res.add_ns = since(a).cpu_ns / static_cast<double>(n);
    res.bytes_reserved = static_cast<double>(heap_bytes() - before) / static_cast<double>(n);

    counting_handler h;
    {  // every binding's first keepalive is due at once
        const sample b = take();
        s->poll(t0, h);
        res.first_round_ns = since(b).cpu_ns / static_cast<double>(h.sends);
    }
    time_point now = t0;
    drive(*s, h, now, now + std::chrono::seconds(30), milliseconds(1));  // into steady state
    now += std::chrono::seconds(30);

    const auto window = std::chrono::milliseconds(static_cast<std::int64_t>(opt.window_s * 1000));
    std::vector<double> ns1, ns10, wall1;
    std::uint64_t allocs = 0, sends = 0;
    for (int rep = 0; rep < opt.reps; ++rep) {
        for (const auto step : {milliseconds(1), milliseconds(10)}) {
            const std::uint64_t s0 = h.sends;
            const sample b = take();
            drive(*s, h, now, now + window, step);
            const span d = since(b);
            now += window;
            (step.count() == 1 ? ns1 : ns10).push_back(d.cpu_ns / static_cast<double>(h.sends - s0));
            if (step.count() == 1) wall1.push_back(d.wall_ns / static_cast<double>(h.sends - s0));
            allocs += d.allocs;
            sends += h.sends - s0;
            res.rate = static_cast<double>(h.sends - s0) / opt.window_s;
        }
    }
    res.ns_1ms = median(ns1);
    res.ns_10ms = median(ns10);
    res.wall_1ms = median(wall1);
    res.allocs_per_ka = static_cast<double>(allocs) / static_cast<double>(sends);
    res.bytes_after = static_cast<double>(heap_bytes() - before) / static_cast<double>(n);

    // note_outbound on random bindings (a cache miss each, as for a PBX's RTP sockets).
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
    {
        const std::size_t calls = std::max<std::size_t>(n * 5, 5000000);
        const sample b = take();
        for (std::size_t i = 0; i < calls; ++i) s->note_outbound(ids[order[i % n]], now);
        res.note_outbound_ns = since(b).cpu_ns / static_cast<double>(calls);
    }
    // Half the bindings carry traffic (note_outbound once a virtual second, in index order):
    // their timers fire, find the binding busy and re-arm without sending.
    {
        drive(*s, h, now, now + std::chrono::seconds(30), milliseconds(1));  // the note above settles
        now += std::chrono::seconds(30);
        const std::uint64_t s0 = h.sends;
        double poll_ns = 0, note_ns = 0;
        const auto busy_window = window / 2;
        for (time_point t = now; t < now + busy_window; t += std::chrono::seconds(1)) {
            std::uint64_t c0 = process_cpu_ns();
            for (std::size_t i = 0; i < n; i += 2) s->note_outbound(ids[i], t);
            std::uint64_t c1 = process_cpu_ns();
            drive(*s, h, t, t + std::chrono::seconds(1), milliseconds(1));
            std::uint64_t c2 = process_cpu_ns();
            note_ns += static_cast<double>(c1 - c0);
            poll_ns += static_cast<double>(c2 - c1);
        }
        now += busy_window;
        res.busy_ns = poll_ns / static_cast<double>(h.sends - s0);
        res.busy_share = static_cast<double>(h.sends - s0) / (res.rate * std::chrono::duration<double>(busy_window).count());
        (void)note_ns;
    }
    // Churn: remove a tenth of the bindings at random and add as many new ones.
    {
        const std::size_t k = n / 10;
        const sample b = take();
        for (std::size_t i = 0; i < k; ++i) s->remove(ids[order[i]]);
        res.churn_remove_ns = since(b).cpu_ns / static_cast<double>(k);
        const sample c = take();
        for (std::size_t i = 0; i < k; ++i)
            ids[order[i]] = s->add(w.options(order[i], ka::keepalive_kind::binding_indication), now);
        res.churn_add_ns = since(c).cpu_ns / static_cast<double>(k);
        drive(*s, h, now, now + std::chrono::seconds(1), milliseconds(1));
        now += std::chrono::seconds(1);
    }
    {  // remove everything, in random order
        const sample b = take();
        for (std::size_t i = 0; i < n; ++i) s->remove(ids[order[i]]);
        res.remove_ns = since(b).cpu_ns / static_cast<double>(n);
    }
    benchmark::DoNotOptimize(h.check);
    return res;
}

/// Steady-state cost at a smaller size (poll every 1 ms), to show how much of the cost is
/// the memory the bindings occupy; and the cost of a poll() that finds nothing due.
template <class Scheduler>
double steady_state_ns(const workload& w, double window_s) {
    auto s = make_scheduler<Scheduler>();
    s->reserve(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) s->add(w.options(i, ka::keepalive_kind::binding_indication), t0);
    counting_handler h;
    s->poll(t0, h);
    drive(*s, h, t0, t0 + std::chrono::seconds(30), milliseconds(1));
    const time_point from = t0 + std::chrono::seconds(30);
    const std::uint64_t s0 = h.sends;
    const sample a = take();
    drive(*s, h, from, from + milliseconds(static_cast<std::int64_t>(window_s * 1000)), milliseconds(1));
    const double ns = since(a).cpu_ns / static_cast<double>(h.sends - s0);
    benchmark::DoNotOptimize(h.check);
    return ns;
}
template <class Scheduler>
double idle_poll_ns() {
    auto s = make_scheduler<Scheduler>();
    ka::binding_options o;
    o.interval = std::chrono::hours(24);
    o.kind = ka::keepalive_kind::binding_indication;
    s->add(o, t0);
    counting_handler h;
    s->poll(t0, h);
    const int polls = 1000000;
    const sample a = take();
    drive(*s, h, t0, t0 + milliseconds(polls), milliseconds(1));
    return since(a).cpu_ns / polls;
}

struct request_result {
    double ns = 0, poll_share = 0, allocs_per_ka = 0, bytes_after = 0, rate = 0;
    std::uint64_t events = 0;
};

/// Binding requests answered at once (round-trip 0): poll() sends, then each request's answer
/// (a 32-byte success response with XOR-MAPPED-ADDRESS, the transaction id copied in) goes to
/// on_datagram() at the same virtual time. Measures poll + on_datagram per keepalive.
template <class Scheduler>
request_result run_requests_answered(const char* name, const workload& w, const options& opt) {
    request_result res;
    const std::size_t n = w.size();
    std::printf("  %s: %zu bindings, binding_request, answered ...\n", name, n);
    std::fflush(stdout);
    std::array<std::uint8_t, 32> answer{};
    {
        stun::transaction_id tid{};
        stun::message_builder<> b(answer, stun::method::binding, stun::message_class::success_response, tid);
        b.add<stun::attr::xor_mapped_address>(endpoint(natkit::ip_address::v4(203, 0, 113, 9), 40000));
        if (!b.finish() || b.size() != answer.size()) std::abort();
    }
    answering_handler h;
    h.queue.reserve(n);
    const std::size_t before = heap_bytes();
    auto s = make_scheduler<Scheduler>();
    s->reserve(n);
    for (std::size_t i = 0; i < n; ++i) s->add(w.options(i, ka::keepalive_kind::binding_request), t0);

    double poll_ns = 0, answer_ns = 0;
    auto step_once = [&](time_point t) {
        const std::uint64_t w0 = wall_ns();
        s->poll(t, h);
        const std::uint64_t w1 = wall_ns();
        for (const auto& p : h.queue) {
            std::memcpy(answer.data() + 8, p.tid.data(), 12);
            s->on_datagram(p.socket, natkit::bytes_view(answer.data(), answer.size()), p.to, t, h);
        }
        h.queue.clear();
        poll_ns += static_cast<double>(w1 - w0);
        answer_ns += static_cast<double>(wall_ns() - w1);
    };
    time_point now = t0;
    step_once(now);
    for (int i = 0; i < 30000; ++i) step_once(now += milliseconds(1));

    const auto steps = static_cast<int>(opt.window_s * 1000);
    poll_ns = answer_ns = 0;
    const std::uint64_t s0 = h.sends, e0 = h.events;
    const sample a = take();
    for (int i = 0; i < steps; ++i) step_once(now += milliseconds(1));
    const span d = since(a);
    const auto sends = static_cast<double>(h.sends - s0);
    res.ns = d.cpu_ns / sends;
    res.poll_share = poll_ns / (poll_ns + answer_ns);
    res.allocs_per_ka = static_cast<double>(d.allocs) / sends;
    res.bytes_after = static_cast<double>(heap_bytes() - before) / static_cast<double>(n);
    res.rate = sends / opt.window_s;
    res.events = h.events - e0;
    benchmark::DoNotOptimize(h.check);
    return res;
}

/// Binding requests that nobody answers: every round retransmits until it times out.
/// Measures poll() per transmission (first sends and retransmissions alike).
request_result run_requests_unanswered(const workload& w, const options& opt) {
    request_result res;
    const std::size_t n = w.size();
    std::printf("  natkit: %zu bindings, binding_request, never answered ...\n", n);
    std::fflush(stdout);
    auto s = make_scheduler<ka::scheduler<>>();
    s->reserve(n);
    for (std::size_t i = 0; i < n; ++i) s->add(w.options(i, ka::keepalive_kind::binding_request), t0);
    counting_handler h;
    time_point now = t0;
    s->poll(now, h);
    drive(*s, h, now, now + std::chrono::seconds(20), milliseconds(1));
    now += std::chrono::seconds(20);
    // Five or six transmissions per round: a quarter of the window gives as many samples.
    const auto window = std::chrono::milliseconds(static_cast<std::int64_t>(opt.window_s * 250));
    const std::uint64_t s0 = h.sends, e0 = h.events;
    const sample a = take();
    drive(*s, h, now, now + window, milliseconds(1));
    const span d = since(a);
    const auto sends = static_cast<double>(h.sends - s0);
    res.ns = d.cpu_ns / sends;
    res.allocs_per_ka = static_cast<double>(d.allocs) / sends;
    res.rate = sends / std::chrono::duration<double>(window).count();
    res.events = h.events - e0;
    benchmark::DoNotOptimize(h.check);
    return res;
}

// ------------------------------------------------------------------------------------------
// Baseline 2: one asio::steady_timer per binding, in real time.

struct asio_binding {
    explicit asio_binding(::asio::io_context& io) : timer(io) {}
    ::asio::steady_timer timer;
    time_point last_outbound{};
    endpoint to{};
    std::uint32_t index = 0;
    std::uint32_t socket = 0;
    std::uint32_t interval_ms = 0;
    std::uint32_t counter = 0;
    std::uint16_t generation = 1;
    std::uint8_t jitter_pct = 0;
};

class asio_timer_per_binding {
public:
    asio_timer_per_binding(::asio::io_context& io, const workload& w) : io_(io), w_(w) {}

    void add_all() {
        bindings_.reserve(w_.size());
        for (std::size_t i = 0; i < w_.size(); ++i) {
            bindings_.emplace_back(io_);
            asio_binding& b = bindings_.back();
            const auto o = w_.options(i, ka::keepalive_kind::binding_indication);
            b.index = static_cast<std::uint32_t>(i);
            b.socket = o.socket;
            b.to = o.server;
            b.interval_ms = static_cast<std::uint32_t>(o.interval.count());
            b.jitter_pct = static_cast<std::uint8_t>(o.jitter * 100 + 0.5);
            b.last_outbound = clock_type::now() - o.interval;
            // Due at once, as natkit's first keepalive.
            b.timer.expires_after(clock_type::duration::zero());
            wait(b);
        }
    }
    /// Cancels every timer; handlers that were already due when the io_context stopped run
    /// with success later, and must not re-arm either.
    void cancel_all() {
        stopping_ = true;
        for (auto& b : bindings_) b.timer.cancel();
    }
    std::size_t size() const { return bindings_.size(); }

    std::uint64_t sends = 0;
    std::uint64_t aborted = 0;
    std::uint32_t check = 0;

private:
    void wait(asio_binding& b) {
        b.timer.async_wait([this, &b](const std::error_code& ec) {
            if (ec || stopping_) {
                ++aborted;
                return;
            }
            fire(b);
        });
    }
    std::uint64_t next_random() noexcept {
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        return rng_ * 0x2545F4914F6CDD1Dull;
    }
    std::uint32_t jittered(const asio_binding& b) noexcept {
        const std::uint64_t span = std::uint64_t{b.interval_ms} * b.jitter_pct / 100;
        const std::uint64_t cut = span ? ((next_random() >> 32) * (span + 1)) >> 32 : 0;
        return static_cast<std::uint32_t>(b.interval_ms - cut);
    }
    void fire(asio_binding& b) {
        // The due time stands in for "now" in the idle check: no clock read for it.
        const time_point now = b.timer.expiry();
        const auto idle = now - b.last_outbound;
        const auto shortest = milliseconds(b.interval_ms - std::uint64_t{b.interval_ms} * b.jitter_pct / 100);
        if (idle < shortest) {
            b.timer.expires_after(milliseconds(jittered(b)) - idle);
            wait(b);
            return;
        }
        b.last_outbound = now;
        // The same transaction ids and message writer as natkit's scheduler.
        std::array<std::uint8_t, ka::detail::keepalive_message_size> buf;
        writer_.write(buf.data(), true, ids_.make(b.index, ++b.counter));
        ka::keepalive_transmit t{};
        t.id = ka::binding_id{b.index, b.generation};
        t.socket = b.socket;
        t.to = b.to;
        t.bytes = natkit::bytes_view(buf.data(), buf.size());
        t.kind = ka::keepalive_kind::binding_indication;
        ++sends;
        benchmark::DoNotOptimize(t.bytes.data());
        check += t.bytes[t.bytes.size() - 1];
        // Re-armed an interval from now (a late timer must not pile up in the past).
        b.timer.expires_after(milliseconds(jittered(b)));
        wait(b);
    }

    ::asio::io_context& io_;
    const workload& w_;
    std::vector<asio_binding> bindings_;
    ka::detail::transaction_ids ids_;
    ka::detail::keepalive_message_writer writer_;
    std::uint64_t rng_ = ids_.derived_seed();
    bool stopping_ = false;
};

struct realtime_result {
    double ns = 0, wall_ns = 0, allocs_per_ka = 0, bytes = 0, add_ns = 0, remove_ns = 0, rate = 0, demand = 0;
    double add_allocs = 0;
};

/// Runs `io` until `warmup + window` of real time and measures the window only.
template <class Count>
void run_window(::asio::io_context& io, double warmup_s, double window_s, Count count, realtime_result& res) {
    ::asio::steady_timer mark(io), stop(io);
    sample a{};
    std::uint64_t c0 = 0;
    const auto start = clock_type::now();
    mark.expires_at(start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(warmup_s)));
    stop.expires_at(mark.expiry() + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(window_s)));
    mark.async_wait([&](const std::error_code&) {
        c0 = count();
        a = take();
    });
    stop.async_wait([&](const std::error_code&) {
        const span d = since(a);
        const auto k = static_cast<double>(count() - c0);
        res.ns = d.cpu_ns / k;
        res.wall_ns = d.wall_ns / k;
        res.allocs_per_ka = static_cast<double>(d.allocs) / k;
        res.rate = k / window_s;
        io.stop();
    });
    io.run();
}

realtime_result run_asio(const workload& w, double warmup_s, double window_s) {
    realtime_result res;
    res.demand = w.rate_per_s();
    ::asio::io_context io(1);
    const std::size_t before = heap_bytes();
    auto sched = std::make_unique<asio_timer_per_binding>(io, w);
    const sample a = take();
    sched->add_all();
    const span d = since(a);
    res.add_ns = d.cpu_ns / static_cast<double>(w.size());
    res.add_allocs = static_cast<double>(d.allocs) / static_cast<double>(w.size());
    res.bytes = static_cast<double>(heap_bytes() - before) / static_cast<double>(w.size());
    run_window(io, warmup_s, window_s, [&] { return sched->sends; }, res);
    // Removal: cancel each timer (its handler runs with operation_aborted), then destroy.
    const sample b = take();
    sched->cancel_all();
    io.restart();
    io.run();
    sched.reset();
    res.remove_ns = since(b).cpu_ns / static_cast<double>(w.size());
    benchmark::DoNotOptimize(res);
    return res;
}

/// natkit's own Asio adapter: one steady_timer for the whole scheduler (keepalive_service).
/// No socket is registered, so on_send sends nothing; the observer counts and reads the bytes.
realtime_result run_service(const workload& w, double warmup_s, double window_s) {
    realtime_result res;
    res.demand = w.rate_per_s();
    ::asio::io_context io(1);
    std::uint64_t sends = 0;
    std::uint32_t check = 0;
    auto svc = std::make_unique<natkit::asio::keepalive_service>(io.get_executor());
    svc->on_send([&](const ka::keepalive_transmit& t) {
        ++sends;
        benchmark::DoNotOptimize(t.bytes.data());
        check += t.bytes[t.bytes.size() - 1];
    });
    std::vector<ka::binding_id> ids;
    ids.reserve(w.size());
    const std::size_t before_adds = heap_bytes();
    const sample a = take();
    for (std::size_t i = 0; i < w.size(); ++i) ids.push_back(svc->add(w.options(i, ka::keepalive_kind::binding_indication)));
    const span d = since(a);
    res.add_ns = d.cpu_ns / static_cast<double>(w.size());
    res.add_allocs = static_cast<double>(d.allocs) / static_cast<double>(w.size());
    res.bytes = static_cast<double>(heap_bytes() - before_adds) / static_cast<double>(w.size());
    run_window(io, warmup_s, window_s, [&] { return sends; }, res);
    const sample b = take();
    for (const auto id : ids) svc->remove(id);
    svc.reset();
    res.remove_ns = since(b).cpu_ns / static_cast<double>(w.size());
    benchmark::DoNotOptimize(check);
    return res;
}

double clock_read_ns() {
    const int k = 1000000;
    const sample a = take();
    for (int i = 0; i < k; ++i) benchmark::DoNotOptimize(clock_type::now());
    return since(a).cpu_ns / k;
}

// ------------------------------------------------------------------------------------------

/// What building one keepalive costs, measured alone (hot caches): the transaction id, the
/// message, and for comparison the generic stun::message_builder the scheduler used before.
void print_breakdown() {
    const std::size_t k = 4000000;
    ka::detail::transaction_ids ids(0);
    ka::detail::keepalive_message_writer writer;
    std::array<std::uint8_t, 28> buf{};
    std::uint32_t sink = 0;
    sample a = take();
    for (std::size_t i = 0; i < k; ++i) {
        const auto tid = ids.make(static_cast<std::uint32_t>(i & 0xFFFFF), static_cast<std::uint32_t>(i));
        sink += tid.bytes[11];
        benchmark::DoNotOptimize(sink);
    }
    const double id_ns = since(a).cpu_ns / static_cast<double>(k);
    // In batches of 16, as the scheduler hands over the keepalives of one poll.
    std::array<std::uint64_t, 16> in{};
    std::array<stun::transaction_id, 16> out{};
    a = take();
    for (std::size_t i = 0; i < k; i += 16) {
        for (std::size_t j = 0; j < 16; ++j) in[j] = (std::uint64_t{(i + j) & 0xFFFFF} << 32) | static_cast<std::uint32_t>(i);
        ids.make_batch(in.data(), in.size(), out.data());
        sink += out[15].bytes[11];
        benchmark::DoNotOptimize(sink);
    }
    const double batch_id_ns = since(a).cpu_ns / static_cast<double>(k);
    stun::transaction_id tid{};
    a = take();
    for (std::size_t i = 0; i < k; ++i) {
        stun::detail::store_be64(tid.bytes.data(), i);  // (a byte store would stall the CRC's word loads)
        writer.write(buf.data(), true, tid);
        benchmark::DoNotOptimize(buf.data());
        sink += buf[27];
    }
    const double write_ns = since(a).cpu_ns / static_cast<double>(k);
    a = take();
    for (std::size_t i = 0; i < k; ++i) {
        stun::detail::store_be64(tid.bytes.data(), i);
        stun::message_builder b(buf, stun::method::binding, stun::message_class::indication, tid);
        b.add_fingerprint();
        benchmark::DoNotOptimize(buf.data());
        sink += (*b.finish())[27];
    }
    const double builder_ns = since(a).cpu_ns / static_cast<double>(k);
    std::uint32_t hits = 0;
    const auto probe = ids.make(12345, 678);
    a = take();
    for (std::size_t i = 0; i < k; ++i) {
        const std::uint32_t index = ids.index_of(probe.bytes.data());
        hits += ids.matches(probe.bytes.data(), index, static_cast<std::uint32_t>(678 + (i & 1)));
        benchmark::DoNotOptimize(hits);
    }
    const double check_ns = since(a).cpu_ns / static_cast<double>(k);
    benchmark::DoNotOptimize(sink);
    std::printf("Where the time goes, per keepalive, measured alone with hot caches:\n"
                "  transaction id (PRF twice: %-8s)           %5.1f ns   (in batches of 16: %.1f ns; natkit batches,\n"
                "                                                           the baselines make one id per keepalive)\n"
                "  28-byte message + FINGERPRINT (CRC of the id)  %5.1f ns   (stun::message_builder: %.1f ns)\n"
                "  matching an answer's id (decode + check)       %5.1f ns\n",
                ids.prf() == ka::detail::id_prf::aes_ni ? "AES-NI" : "SipHash", id_ns, batch_id_ns, write_ns, builder_ns,
                check_ns);
    notes.push_back("building one keepalive alone: id " + fmt("%.1f", id_ns) + " ns (" + fmt("%.1f", batch_id_ns) +
                    " batched) + message " + fmt("%.1f", write_ns) +
                    " ns (hot caches); the rest of ns/keepalive is scheduling and memory traffic");
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* prefix) -> const char* {
            const std::size_t n = std::strlen(prefix);
            return a.compare(0, n, prefix) == 0 ? a.c_str() + n : nullptr;
        };
        if (a == "--quick") {
            o.bindings = 100000;
            o.window_s = 20;
            o.asio_window_s = 1;
            o.asio_saturated = 20000;
            o.asio_rate = 20000;
            o.reps = 1;
        } else if (const char* v = value("--bindings=")) {
            o.bindings = std::strtoull(v, nullptr, 10);
        } else if (const char* v2 = value("--window=")) {
            o.window_s = std::strtod(v2, nullptr);
        } else if (const char* v3 = value("--asio-window=")) {
            o.asio_window_s = std::strtod(v3, nullptr);
        } else if (const char* v4 = value("--reps=")) {
            o.reps = std::max(1, std::atoi(v4));
        } else if (const char* v5 = value("--only=")) {
            o.only = v5;
        } else {
            std::fprintf(stderr, "usage: %s [--quick] [--bindings=N] [--window=S] [--asio-window=S] [--reps=N] "
                                 "[--only=natkit|pq|request|asio|service|profile|breakdown]\n", argv[0]);
            std::exit(2);
        }
    }
    return o;
}

void print_methods() {
    std::printf(
        "\nHow the figures were obtained:\n"
        "  CPU time, not wall time, throughout: on a shared machine wall time also counts other processes.\n"
        "  ns/keepalive, virtual-time rows: process CPU time of all poll() calls in steady-state windows (after\n"
        "    30 virtual s) divided by the keepalives sent in them; median of the repetitions. poll() runs every\n"
        "    1 ms (or 10 ms) of a simulated clock; each keepalive is a 28-byte STUN Binding message with a fresh\n"
        "    transaction id and FINGERPRINT, built by the same code for every implementation (natkit computes the\n"
        "    ids of a poll in batches of 16); the handler counts it and reads its last byte.\n"
        "    'request + answer': every request is answered at once (a 32-byte success response with\n"
        "    XOR-MAPPED-ADDRESS, its transaction id copied in) through on_datagram(); poll() and on_datagram()\n"
        "    are both counted, and so is copying the id. 'request unanswered': per transmission, first sends and\n"
        "    RFC 8489 retransmissions alike (rounds time out; 'lost' events are raised).\n"
        "  ns/keepalive, Asio rows: process CPU time of io_context::run() (one thread, concurrency hint 1) over a\n"
        "    real-time window after a warm-up, divided by the expirations in it. Asio has no virtual clock, so the\n"
        "    intervals are scaled down. 'timer per binding': one steady_timer per binding; its handler does the\n"
        "    same idle check (the expiry stands in for now), builds the same message and re-arms with\n"
        "    expires_after (one clock read). 'keepalive_service': natkit::asio::keepalive_service, i.e. the\n"
        "    scheduler behind one steady_timer (clock reads in add/poll included), no socket registered.\n"
        "    'all bindings': the same number of bindings as the virtual rows at 1-3 s; 'saturated': 10-30 ms,\n"
        "    more due than one core can fire, so reactor wake-ups are amortised (the timer queue's own cost);\n"
        "    'PBX rate': a tenth of the bindings at 1-3 s, the expiration rate 1M bindings at 10-30 s have.\n"
        "  bytes/binding: glibc's bytes in use (mallinfo2 uordblks + hblkhd) after adding the bindings minus\n"
        "    before, divided by the bindings; allocator headers and vector slack count. natkit and\n"
        "    priority_queue rows call reserve(n) first (without it: see the notes); Asio rows: the vector of\n"
        "    per-binding structs (timer + state), each pending wait's handler memory and the timer queue.\n"
        "  allocs/keepalive: bench/alloc_counter.hpp (operator new, malloc) plus aligned_alloc (Asio's handler\n"
        "    memory) over the same window.\n");
}

void print_virtual(const char* name, const virtual_result& r) {
    std::printf("  %-22s poll every 1 ms: %6.1f ns/keepalive (wall %.1f)   every 10 ms: %6.1f ns   allocs/keepalive %.3g\n",
                name, r.ns_1ms, r.wall_1ms, r.ns_10ms, r.allocs_per_ka);
    std::printf("  %-22s first round (all due at once): %.1f ns/keepalive; %.0f keepalives/s in steady state\n", "",
                r.first_round_ns, r.rate);
    std::printf("  %-22s memory: %.1f B/binding with reserve(), %.1f without, %.1f after the windows\n", "",
                r.bytes_reserved, r.bytes_unreserved, r.bytes_after);
    std::printf("  %-22s add %.1f ns (%.1f without reserve), remove %.1f ns (all, random order), churn: remove %.1f ns, "
                "add %.1f ns\n", "", r.add_ns, r.add_ns_unreserved, r.remove_ns, r.churn_remove_ns, r.churn_add_ns);
    std::printf("  %-22s note_outbound (random binding) %.1f ns; with half the bindings busy: %.1f ns of poll per "
                "keepalive sent (%.0f %% of the idle rate sent)\n", "", r.note_outbound_ns, r.busy_ns,
                100 * r.busy_share);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const options opt = parse(argc, argv);
    std::printf("natkit-bench-keepalive: %zu bindings, intervals uniform 10-30 s, jitter 0.1\n", opt.bindings);
    std::printf("scheduler<>::bytes_per_binding = %zu (32-byte record, 20-byte cold part, one 8-byte wheel entry); "
                "sizeof(asio::steady_timer) = %zu\n", ka::scheduler<>::bytes_per_binding, sizeof(::asio::steady_timer));
    std::printf("Every implementation does the same work per keepalive: a fresh transaction id (keepalive::detail::\n"
                "transaction_ids: AES-128 x2 with AES-NI, else SipHash-2-4 x2) and the 28-byte message with FINGERPRINT (keepalive_message_writer);\n"
                "the ns/keepalive figures include both (see 'where the time goes' below for their share).\n");
    {
        const auto before = natkit_bench::alloc_snapshot().allocations;
        void* p = std::aligned_alloc(16, 64);
        benchmark::DoNotOptimize(p);
        std::free(p);
        if (natkit_bench::alloc_snapshot().allocations - before != 1)
            std::printf("warning: aligned_alloc is not counted; Asio's allocations will read low\n");
    }
    const double clock_ns = clock_read_ns();
    std::printf("steady_clock::now(): %.1f ns per call on this machine\n\n", clock_ns);
    const workload w = make_workload(opt.bindings, 10000, 30000, 1);

    if (opt.wants("natkit") || opt.only == "breakdown") print_breakdown();
    if (opt.only == "breakdown") return 0;
    if (opt.only == "profile") {  // natkit's steady state alone, for perf record
        std::printf("natkit steady state: %.1f ns/keepalive\n", steady_state_ns<ka::scheduler<>>(w, opt.window_s));
        return 0;
    }
    int natkit_ind = -1, natkit_ind10 = -1, natkit_req = -1;
    const std::string virtual_setup = "virtual time, " + std::to_string(opt.bindings / 1000) + "k bindings";
    if (opt.wants("natkit") || opt.wants("pq")) std::printf("Virtual time (poll(now) with a simulated clock):\n");
    if (opt.wants("natkit")) {
        const auto r = run_indications<ka::scheduler<>>("natkit", w, opt);
        print_virtual("natkit", r);
        natkit_ind = add_row({"natkit, indication, poll 1 ms", r.ns_1ms, r.bytes_reserved, r.allocs_per_ka, -1,
                              virtual_setup});
        natkit_ind10 = add_row({"natkit, indication, poll 10 ms", r.ns_10ms, r.bytes_reserved,
                                r.allocs_per_ka, natkit_ind, virtual_setup});
        notes.push_back("natkit: " + fmt("%.1f", r.bytes_unreserved) + " B/binding without reserve() (vector growth), " +
                        fmt("%.1f", r.bytes_reserved) + " with reserve(n); add " + fmt("%.1f", r.add_ns) + " ns, remove " +
                        fmt("%.1f", r.remove_ns) + " ns, note_outbound " + fmt("%.1f", r.note_outbound_ns) + " ns");
    }
    if (opt.wants("pq")) {
        const auto r = run_indications<pq_scheduler>("std::priority_queue", w, opt);
        print_virtual("std::priority_queue", r);
        add_row({"priority_queue, indication, poll 1 ms", r.ns_1ms, r.bytes_reserved, r.allocs_per_ka, natkit_ind,
                 virtual_setup});
        add_row({"priority_queue, indication, poll 10 ms", r.ns_10ms, r.bytes_reserved, r.allocs_per_ka,
                 natkit_ind10, virtual_setup});
        notes.push_back("std::priority_queue: " + fmt("%.1f", r.bytes_after) +
                        " B/binding after the windows (stale heap entries); add " + fmt("%.1f", r.add_ns) +
                        " ns, remove " + fmt("%.1f", r.remove_ns) + " ns (lazy), note_outbound " +
                        fmt("%.1f", r.note_outbound_ns) + " ns");
    }
    std::vector<std::pair<std::size_t, int>> natkit_by_size;  // virtual-time natkit rows by bindings
    if (natkit_ind >= 0) natkit_by_size.emplace_back(opt.bindings, natkit_ind);
    for (const std::size_t n : {std::size_t{10000}, std::size_t{100000}}) {
        if (n >= opt.bindings) continue;
        const workload ws = make_workload(n, 10000, 30000, 1);
        int k = -1;
        if (opt.wants("natkit")) {
            const double ns = steady_state_ns<ka::scheduler<>>(ws, opt.window_s);
            std::printf("  natkit, %zu bindings: %.1f ns/keepalive (poll every 1 ms)\n", n, ns);
            k = add_row({"natkit, indication, " + std::to_string(n / 1000) + "k bindings", ns, -1, 0, -1,
                         "virtual time, poll/1 ms"});
            natkit_by_size.emplace_back(n, k);
        }
        if (opt.wants("pq")) {
            const double ns = steady_state_ns<pq_scheduler>(ws, opt.window_s);
            std::printf("  std::priority_queue, %zu bindings: %.1f ns/keepalive (poll every 1 ms)\n", n, ns);
            add_row({"priority_queue, indication, " + std::to_string(n / 1000) + "k bindings", ns, -1, 0, k,
                     "virtual time, poll/1 ms"});
        }
    }
    if (opt.wants("natkit"))
        notes.push_back("natkit: a poll() with nothing due costs " + fmt("%.1f", idle_poll_ns<ka::scheduler<>>()) +
                        " ns (1 ms step); std::priority_queue: " + fmt("%.1f", idle_poll_ns<pq_scheduler>()) + " ns");
    if (opt.wants("request")) {
        const auto r = run_requests_answered<ka::scheduler<>>("natkit", w, opt);
        std::printf("  natkit, requests answered: %.1f ns/keepalive (poll %.0f %%, on_datagram %.0f %%), allocs %.3g, "
                    "%.1f B/binding, %.0f keepalives/s, %llu events\n", r.ns, 100 * r.poll_share,
                    100 * (1 - r.poll_share), r.allocs_per_ka, r.bytes_after, r.rate,
                    static_cast<unsigned long long>(r.events));
        natkit_req = add_row({"natkit, request + answer, poll 1 ms", r.ns, r.bytes_after, r.allocs_per_ka, -1,
                              virtual_setup + ", answered"});
        const auto p = run_requests_answered<pq_scheduler>("std::priority_queue", w, opt);
        std::printf("  priority_queue, requests answered: %.1f ns/keepalive (poll %.0f %%, on_datagram %.0f %%), allocs "
                    "%.3g, %.1f B/binding, %.0f keepalives/s\n", p.ns, 100 * p.poll_share, 100 * (1 - p.poll_share),
                    p.allocs_per_ka, p.bytes_after, p.rate);
        add_row({"priority_queue, request + answer, poll 1 ms", p.ns, p.bytes_after, p.allocs_per_ka, natkit_req,
                 virtual_setup + ", answered"});
        const auto u = run_requests_unanswered(w, opt);
        std::printf("  natkit, requests never answered: %.1f ns per transmission (incl. retransmissions), allocs %.3g, "
                    "%.0f transmissions/s, %llu events\n", u.ns, u.allocs_per_ka, u.rate,
                    static_cast<unsigned long long>(u.events));
        add_row({"natkit, request unanswered (per transmission)", u.ns, -1, u.allocs_per_ka, -1,
                 virtual_setup + ", no server"});
    }
    std::printf("\n");

    // Real time. Each load runs one steady_timer per binding, then natkit's keepalive_service
    // (one steady_timer for the whole scheduler) on the same bindings.
    struct load {
        const char* name;
        std::size_t n;
        std::uint32_t lo_ms, hi_ms;
        double warmup_s;
        bool service;
        int asio_row = -1, service_row = -1;
    };
    std::vector<load> loads = {
        {"all bindings, intervals / 10", opt.bindings, 1000, 3000, 1.5, true},
        {"saturated", opt.asio_saturated, 10, 30, 0.5, false},
        {"PBX rate", opt.asio_rate, 1000, 3000, 1.5, true},
    };
    if (opt.wants("asio") || opt.wants("service")) std::printf("Real time (Asio io_context, one thread):\n");
    for (auto& l : loads) {
        const workload ws = make_workload(l.n, l.lo_ms, l.hi_ms, 2);
        const std::string setup = "real time, " + std::to_string(l.n / 1000) + "k at " +
                                  (l.lo_ms >= 1000 ? std::to_string(l.lo_ms / 1000) + "-" + std::to_string(l.hi_ms / 1000) + " s"
                                                   : std::to_string(l.lo_ms) + "-" + std::to_string(l.hi_ms) + " ms");
        if (opt.wants("asio")) {
            const auto r = run_asio(ws, l.warmup_s, opt.asio_window_s);
            std::printf("  asio timer/binding, %s (%s): %.1f ns CPU per keepalive (%.1f wall), allocs %.3g, %.1f B/binding, "
                        "%.0f keepalives/s (%.0f/s due on average), add %.1f ns (%.2f allocs), remove %.1f ns\n",
                        l.name, setup.c_str(), r.ns, r.wall_ns, r.allocs_per_ka, r.bytes, r.rate, r.demand, r.add_ns,
                        r.add_allocs, r.remove_ns);
            // Compared with natkit's virtual-time row for as many bindings, when there is one.
            int versus = natkit_ind;
            for (const auto& [size, row_index] : natkit_by_size)
                if (size == l.n) versus = row_index;
            l.asio_row = add_row({std::string("asio timer per binding, ") + l.name, r.ns, r.bytes, r.allocs_per_ka,
                                  versus, setup});
        }
        if (opt.wants("service") && l.service) {
            const auto r = run_service(ws, l.warmup_s, opt.asio_window_s);
            std::printf("  natkit keepalive_service, %s (%s): %.1f ns CPU per keepalive (%.1f wall), allocs %.3g, "
                        "%.1f B/binding, %.0f keepalives/s, add %.1f ns (%.2f allocs), remove %.1f ns\n", l.name,
                        setup.c_str(), r.ns, r.wall_ns, r.allocs_per_ka, r.bytes, r.rate, r.add_ns, r.add_allocs,
                        r.remove_ns);
            l.service_row = add_row({std::string("natkit keepalive_service, ") + l.name, r.ns, r.bytes,
                                     r.allocs_per_ka, -1, setup});
        }
    }
    const int asio_sat = loads[0].asio_row;

    print_methods();
    std::printf("\n%-48s %12s %14s %12s %10s  %s\n", "implementation", "ns/keepalive", "bytes/binding", "allocs/ka",
                "x natkit", "setup");
    for (const auto& r : rows) {
        const std::string bytes = r.bytes_per_binding < 0 ? "-" : fmt("%.1f", r.bytes_per_binding);
        std::string ratio = "-";
        if (r.baseline >= 0) ratio = fmt("%.1fx", r.ns_per_keepalive / rows[static_cast<std::size_t>(r.baseline)].ns_per_keepalive);
        std::printf("%-48s %12.1f %14s %12.3g %10s  %s\n", r.name.c_str(), r.ns_per_keepalive, bytes.c_str(),
                    r.allocs_per_keepalive, ratio.c_str(), r.how.c_str());
    }
    std::printf("\n'x natkit': this row's ns/keepalive over the natkit virtual-time row it is compared with: same\n"
                "kind, poll step and number of bindings (the Asio rows: natkit's indication row with as many bindings).\n");
    auto end_to_end = [](int asio_row, int service_row, const char* load) {
        if (asio_row < 0 || service_row < 0) return;
        const double a = rows[static_cast<std::size_t>(asio_row)].ns_per_keepalive;
        const double s = rows[static_cast<std::size_t>(service_row)].ns_per_keepalive;
        std::printf("end to end on Asio, %s: steady_timer per binding %.1f ns vs natkit keepalive_service %.1f ns: %.1fx\n",
                    load, a, s, a / s);
    };
    for (const auto& l : loads) end_to_end(l.asio_row, l.service_row, l.name);
    for (const auto& n : notes) std::printf("%s\n", n.c_str());
    if (natkit_ind >= 0) {
        const row& k = rows[static_cast<std::size_t>(natkit_ind)];
        // Measured bytes include the wheel's shared chunks and list heads: no allowance.
        std::printf("\ntargets (natkit, %zu bindings): <= 50 ns/keepalive: %s (%.1f); <= 64 B/binding: %s (%.2f measured, "
                    "shared parts included; bytes_per_binding %zu)", opt.bindings,
                    k.ns_per_keepalive <= 50 ? "met" : "MISSED", k.ns_per_keepalive,
                    k.bytes_per_binding <= 64 ? "met" : "MISSED", k.bytes_per_binding,
                    ka::scheduler<>::bytes_per_binding);
        if (asio_sat >= 0) {
            const double x = rows[static_cast<std::size_t>(asio_sat)].ns_per_keepalive / k.ns_per_keepalive;
            std::printf("; >= 5x cheaper than a steady_timer per binding (as many timers): %s (%.1fx)",
                        x >= 5 ? "met" : "MISSED", x);
        }
        std::printf("\n");
    }
    return 0;
}
