// natkit/keepalive/scheduler.hpp - keeps many NAT bindings open and notices at once when a
// public address changes (RFC 8489 Binding requests, RFC 5626 §4.4.1 CRLF keepalives).
//
// The situation: a PBX's SIP socket and each RTP socket sit behind a NAT whose UDP mappings
// expire after 30 s to 5 min of silence, and whose public address changes when the DSL line
// reconnects. Each binding sends a keepalive when it has been idle for its interval; a
// Binding request's answer also tells the mapped address, so a change shows up within one
// interval and the PBX can re-register with the new Contact.
//
// Sans-I/O: the scheduler never sends or reads a clock. poll(now, handler) calls
// handler.on_send() for each keepalive due and handler.on_event() for what it learned;
// on_datagram() takes received datagrams (it ignores what is not its own); next_deadline()
// says when to poll again. A hierarchical timing wheel keeps add, remove and reschedule O(1);
// each binding costs at most 64 bytes.
#ifndef NATKIT_KEEPALIVE_SCHEDULER_HPP
#define NATKIT_KEEPALIVE_SCHEDULER_HPP

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/keepalive/timing_wheel.hpp"
#include "natkit/keepalive/transaction_ids.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/message.hpp"

NATKIT_BEGIN_NAMESPACE
namespace keepalive {

/// What a binding sends when it is idle.
enum class keepalive_kind : std::uint8_t {
    binding_request,     ///< STUN Binding request: keeps the mapping and reports it (RFC 8489)
    binding_indication,  ///< STUN Binding indication: keeps the mapping, learns nothing (RFC 8489 §6.1)
    crlf,                ///< "\r\n\r\n" ping on a SIP TCP/TLS flow, answered by "\r\n" (RFC 5626 §4.4.1)
};

/// A binding's handle: index and generation, so a stale handle never touches a new binding.
struct binding_id {
    ///@{
    /// Slot index and generation (a reused slot gets a new generation); compared as a pair.
    std::uint32_t index = 0;
    std::uint16_t generation = 0;
    friend bool operator==(binding_id a, binding_id b) noexcept {
        return a.index == b.index && a.generation == b.generation;
    }
    friend bool operator!=(binding_id a, binding_id b) noexcept { return !(a == b); }
    ///@}
};

/// One binding: the socket to send on, the server, the interval and what to send.
struct binding_options {
    std::uint32_t socket = 0;             ///< the caller's id for the socket or flow to send on
    endpoint server{};                    ///< where keepalives go (the STUN server, or the SIP peer for CRLF)
    std::optional<endpoint> secondary{};  ///< used after the binding was declared lost
    std::chrono::milliseconds interval{10000};  ///< send when idle this long (at most 24 h)
    double jitter = 0.2;  ///< each interval is shortened by a random 0-20 % (never lengthened)
/// What to send when idle.
    keepalive_kind kind = keepalive_kind::binding_request;
};

/// Settings shared by every binding of a scheduler.
struct scheduler_config {
    unsigned lost_after = 3;                  ///< consecutive failed rounds before `lost`
    std::chrono::milliseconds rto{500};       ///< first retransmission (RFC 8489 §6.2.1), then doubling
    std::chrono::milliseconds crlf_pong_timeout{10000};  ///< RFC 5626 §4.4.1: a pong within 10 s
    /// Keys the transaction ids (transaction_ids.hpp) and seeds the jitter. 0: a 128-bit key
    /// from the OS's random source; otherwise a key derived from this value (tests).
    std::uint64_t seed = 0;
};

enum class event_kind : std::uint8_t {
    mapped,    ///< first answer: `current` is the public address
    changed,   ///< the public address moved from `previous` to `current` (re-register now)
    lost,      ///< `lost_after` rounds in a row failed
    restored,  ///< a round succeeded after `lost` (`current` holds the mapping, if known)
};

/// What the scheduler learned about a binding: `kind` of event, the binding and its socket,
/// the public address before and after (for `changed`), and when.
template <class TimePoint>
struct basic_event {
    ///@{
    /// See the struct's description.
    event_kind kind;
    binding_id id;
    std::uint32_t socket;
    endpoint previous;
    endpoint current;
    TimePoint at;
    ///@}
};

/// One keepalive to send now: `bytes` from the caller's socket `socket` to `to`. The view is
/// valid during the on_send() call only.
struct keepalive_transmit {
    ///@{
    /// The binding, the socket to send from, the destination, the bytes and their kind.
    binding_id id;
    std::uint32_t socket;
    endpoint to;
    bytes_view bytes;
    keepalive_kind kind;
    ///@}
    bool retransmission;  ///< a repeat within the round (RFC 8489 §6.2.1), not a new round
};

/// The keepalive scheduler (see the top of this header): bindings on a timing wheel, driven by
/// poll(), on_datagram() and next_deadline(); `Clock` only names the time_point type.
template <class Clock = std::chrono::steady_clock>
class scheduler {
public:
    ///@{
    /// The time point type of `Clock`, and the event type handlers receive.
    using time_point = typename Clock::time_point;
    using event = basic_event<time_point>;
    ///@}

    /// A scheduler whose clock starts at `epoch`.
    explicit scheduler(time_point epoch, scheduler_config config = {})
        : epoch_(epoch), cfg_(config), wheel_(0), ids_(config.seed) {
        rng_ = ids_.derived_seed();
    }

    /// Room for `n` bindings without reallocating.
    void reserve(std::size_t n) {
        records_.reserve(n);
        cold_.reserve(n);
        wheel_.reserve(n);
    }

    /// Adds a binding; its first keepalive is due at once (to learn the mapping). Returns an
    /// id with generation 0, which names no binding, when more than 65,535 distinct
    /// destinations are in use.
    binding_id add(const binding_options& o, time_point now) {
        const std::uint16_t server = server_index(o.server);
        const std::uint16_t secondary = o.secondary ? server_index(*o.secondary) : no_server;
        if (server == no_server || (o.secondary && secondary == no_server)) return binding_id{};
        std::uint32_t index;
        if (free_head_ != none) {
            index = free_head_;
            free_head_ = records_[index].socket;  // the free list threads through `socket`
        } else {
            index = static_cast<std::uint32_t>(records_.size());
            records_.emplace_back();
            cold_.emplace_back();
        }
        record& r = records_[index];
        // Generation 0 is never used, so binding_id{} names no binding. The message counter
        // carries on from the slot's previous binding: (index, counter) never repeats, and
        // neither does a transaction id.
        const std::uint16_t generation = static_cast<std::uint16_t>(r.generation + 1 == 0 ? 1 : r.generation + 1);
        const std::uint32_t counter = r.round;
        r = record{};
        r.round = counter;
        r.generation = generation;
        r.socket = o.socket;
        r.server = server;
        cold_[index] = cold{};
        cold_[index].secondary = secondary;
        const auto ms = o.interval.count() < 1 ? 1 : o.interval.count() > 86400000 ? 86400000 : o.interval.count();
        r.interval_ms = static_cast<std::uint32_t>(ms);
        const double j = o.jitter < 0 ? 0 : o.jitter > 0.9 ? 0.9 : o.jitter;
        r.jitter_pct = static_cast<std::uint8_t>(j * 100 + 0.5);
        r.flags = static_cast<std::uint8_t>(flag_active | (static_cast<unsigned>(o.kind) << kind_shift));
        r.last_outbound = ms32(now) - r.interval_ms;  // idle "forever": due now
        ++active_;
        words w{records_};
        wheel_.schedule(w, index, tick_of(now));
        return binding_id{index, generation};
    }

    /// Removes a binding (a stale id is ignored). O(1).
    void remove(binding_id id) {
        record* r = find(id);
        if (!r) return;
        words w{records_};
        wheel_.cancel(w, id.index);
        r = &records_[id.index];
        r->flags = 0;
        r->socket = free_head_;
        free_head_ = id.index;
        --active_;
    }

    /// The application sent something on this binding: its keepalive waits until the binding
    /// has been idle for the interval again. O(1), no timer is touched (the timer re-checks).
    void note_outbound(binding_id id, time_point now) noexcept {
        if (record* r = find(id)) r->last_outbound = ms32(now);
    }

    /// The binding's public address, once known.
    std::optional<endpoint> mapped(binding_id id) const noexcept {
        const record* r = find(id);
        if (!r || !(r->flags & flag_mapped)) return std::nullopt;
        return mapped_of(id.index);
    }
    /// Where the binding's keepalives go now (the secondary after a failover).
    std::optional<endpoint> server(binding_id id) const noexcept {
        const record* r = find(id);
        if (!r) return std::nullopt;
        return servers_[destination(id.index, *r)];
    }
    /// Number of bindings.
    std::size_t size() const noexcept { return active_; }

    /// When poll() next has work (time_point::max() with no bindings).
    time_point next_deadline() const noexcept {
        const auto t = wheel_.next_due();
        if (t == ~timing_wheel::tick{0}) return time_point::max();
        return epoch_ + std::chrono::milliseconds(t);
    }

    /// Sends what is due at `now` through handler.on_send(const keepalive_transmit&) and
    /// reports rounds that ended through handler.on_event(const event&).
    template <class Handler>
    void poll(time_point now, Handler& handler) {
        const timing_wheel::tick t = tick_of(now);
        words w{records_};
        wheel_.advance(w, t, [&](std::uint32_t index) { fire(index, now, t, handler); });
        flush(handler);
    }

    /// Offers a datagram received on socket `socket`; returns true when it was the answer to
    /// one of this scheduler's Binding requests (then it must not go to SIP).
    template <class Handler>
    bool on_datagram(std::uint32_t socket, bytes_view data, const endpoint& from, time_point now, Handler& handler) {
        if (data.size() < stun::header_size || (data[0] & 0xC0u) != 0) return false;
        auto msg = stun::message_view::parse(data);
        if (!msg || msg->method() != stun::method::binding || msg->legacy()) return false;
        if (!msg->is_success_response() && !msg->is_error_response()) return false;
        const auto tid = msg->transaction_id();
        const std::uint32_t index = ids_.index_of(tid.bytes.data());
        if (index >= records_.size()) return false;
        record& r = records_[index];
        if (!(r.flags & flag_active) || r.socket != socket || !ids_.matches(tid.bytes.data(), index, r.round))
            return false;
        if (!(r.flags & flag_in_round)) return true;  // a late duplicate: ours, but nothing to do
        if (from != servers_[destination(index, r)] && msg->has_fingerprint() && msg->check_fingerprint())
            return false;
        std::optional<endpoint> mapped;
        if (msg->is_success_response()) {
            if (auto x = msg->get<stun::attr::xor_mapped_address>()) mapped = *x;
            else if (auto m = msg->get<stun::attr::mapped_address>()) mapped = *m;
        }
        end_round(index, mapped.has_value(), mapped, now, handler);
        return true;
    }

    /// A CRLF pong ("\r\n", RFC 5626 §4.4.1) arrived on the flow of this binding.
    template <class Handler>
    void on_pong(binding_id id, time_point now, Handler& handler) {
        record* r = find(id);
        if (r && (r->flags & flag_in_round)) end_round(id.index, true, std::nullopt, now, handler);
    }

private:
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    static constexpr std::uint16_t no_server = 0xFFFFu;
    enum : std::uint8_t {
        flag_active = 1,
        flag_mapped = 2,
        flag_in_round = 4,
        flag_lost = 8,
        flag_secondary = 16,
        flag_mapped_v6 = 32,
        kind_shift = 6,  // bits 6-7: the keepalive_kind
    };

    // What poll() reads for every keepalive, in 32 bytes (half a cache line, never split across
    // two). Times are the low 32 bits of milliseconds since the epoch, compared with wrap-safe
    // differences.
    struct alignas(32) record {
        std::uint32_t socket = 0;
        std::uint32_t interval_ms = 0;
        std::uint32_t round = 0;  // message counter: each round and each indication gets a new id
        std::uint32_t round_start = 0;
        std::uint32_t last_outbound = 0;
        std::uint32_t wheel = 0;  // the timing wheel's word for this binding
        std::uint16_t server = 0;
        std::uint16_t generation = 0;
        std::uint8_t flags = 0;
        std::uint8_t jitter_pct = 0;
        std::uint8_t sent = 0;  // transmissions in this round
        std::uint8_t failures = 0;
    };
    // What only answers and failover read: the mapped address (family in flag_mapped_v6) and
    // the secondary destination.
    struct cold {
        std::array<std::uint8_t, 16> mapped_address{};
        std::uint16_t mapped_port = 0;
        std::uint16_t secondary = no_server;
    };
    /// The wheel keeps its per-binding word in the record, read anyway when the timer fires.
    using record_vector = std::vector<record, detail::huge_page_allocator<record>>;
    struct words {
        record_vector& r;
        std::uint32_t& operator()(std::uint32_t id) noexcept { return r[id].wheel; }
        void prefetch(std::uint32_t id) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
            __builtin_prefetch(r.data() + id, 1, 3);
#else
            (void)id;
#endif
        }
    };

public:
    /// Scheduler state per binding: the record, the cold part and one 8-byte wheel entry (the
    /// issue's budget: 64). Shared, not per binding: up to 1,025 part-filled 256-byte wheel
    /// chunks, the destination table, and stale wheel entries (normally those of answered
    /// requests, for one RTO, and of removed bindings; they fill chunks already allocated, and
    /// the pool only grows past reserve() while they are at most a quarter of the live ones).
    static constexpr std::size_t bytes_per_binding = sizeof(record) + sizeof(cold) + 8;
    static_assert(sizeof(record) == 32, "the hot part of a binding is half a cache line");
    static_assert(bytes_per_binding <= 64, "a binding must cost at most 64 bytes");

private:
    record* find(binding_id id) noexcept {
        if (id.index >= records_.size()) return nullptr;
        record& r = records_[id.index];
        return (r.flags & flag_active) && r.generation == id.generation ? &r : nullptr;
    }
    const record* find(binding_id id) const noexcept { return const_cast<scheduler*>(this)->find(id); }

    static keepalive_kind kind_of(const record& r) noexcept { return static_cast<keepalive_kind>(r.flags >> kind_shift); }
    std::uint16_t destination(std::uint32_t index, const record& r) const noexcept {
        return (r.flags & flag_secondary) ? cold_[index].secondary : r.server;
    }
    endpoint mapped_of(std::uint32_t index) const noexcept {
        const cold& c = cold_[index];
        const ip_address a = (records_[index].flags & flag_mapped_v6) ? ip_address::v6(c.mapped_address.data())
                                                                      : ip_address::v4_bytes(c.mapped_address.data());
        return endpoint(a, c.mapped_port);
    }
    void set_mapped(std::uint32_t index, record& r, const endpoint& e) noexcept {
        cold& c = cold_[index];
        c.mapped_address = {};
        std::memcpy(c.mapped_address.data(), e.address().data(), e.address().is_v6() ? 16 : 4);
        c.mapped_port = e.port();
        r.flags = static_cast<std::uint8_t>(e.address().is_v6() ? (r.flags | flag_mapped_v6) : (r.flags & ~flag_mapped_v6));
    }

    /// The destination's index in servers_ (records keep 16 bits); no_server when the table
    /// is full (65,535 distinct destinations), which makes add() fail.
    std::uint16_t server_index(const endpoint& e) {
        auto it = server_ids_.find(e);
        if (it != server_ids_.end()) return it->second;
        if (servers_.size() >= no_server) return no_server;
        servers_.push_back(e);
        const auto id = static_cast<std::uint16_t>(servers_.size() - 1);
        server_ids_.emplace(e, id);
        return id;
    }

    timing_wheel::tick tick_of(time_point t) const noexcept {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - epoch_).count();
        return ms < 0 ? 0 : static_cast<timing_wheel::tick>(ms);
    }
    std::uint32_t ms32(time_point t) const noexcept { return static_cast<std::uint32_t>(tick_of(t)); }
    /// a - b for 32-bit millisecond stamps, correct across wrap-around (|a - b| < 24 days).
    static std::int64_t since(std::uint32_t a, std::uint32_t b) noexcept {
        return static_cast<std::int32_t>(a - b);
    }

    std::uint64_t next_random() noexcept {  // xorshift64*: jitter only, not security
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        return rng_ * 0x2545F4914F6CDD1Dull;
    }
    /// The interval shortened by a random part of the jitter: within [interval(1-j), interval].
    std::uint32_t jittered(const record& r) noexcept {
        const std::uint64_t span = std::uint64_t{r.interval_ms} * r.jitter_pct / 100;
        // A random 32-bit fraction scaled to [0, span] (multiply-shift instead of a division).
        const std::uint64_t cut = span ? ((next_random() >> 32) * (span + 1)) >> 32 : 0;
        return static_cast<std::uint32_t>(r.interval_ms - cut);
    }
    static std::uint32_t shortest(const record& r) noexcept {
        return static_cast<std::uint32_t>(r.interval_ms - std::uint64_t{r.interval_ms} * r.jitter_pct / 100);
    }

    void schedule(std::uint32_t index, timing_wheel::tick due) {
        words w{records_};
        wheel_.schedule(w, index, due);
    }

    /// Queues the keepalive of `index` (message `r.round`); poll() hands the queue over in
    /// batches, so that the ids of a batch are computed back to back: each id is two dependent
    /// PRF calls, whose latency one keepalive at a time would leave exposed.
    template <class Handler>
    void send(std::uint32_t index, const record& r, Handler& handler) {
        pending_[pending_size_++] = pending_send{index, r.round, r.generation, r.sent > 1};
        if (pending_size_ == pending_.size()) flush(handler);
    }

    /// Builds and hands over the queued keepalives. A binding removed, replaced or moved on to
    /// another message by the handler meanwhile is skipped (its record is looked up again:
    /// the handler may add bindings, which moves records).
    template <class Handler>
    void flush(Handler& handler) {
        // Only fire() queues, and the handler cannot reach it from here (poll() is not
        // re-entrant), so the queue stays as it is while it is handed over.
        const std::size_t n = pending_size_;
        if (n == 0) return;
        std::array<std::uint64_t, batch_size> inputs;
        for (std::size_t i = 0; i < n; ++i) inputs[i] = std::uint64_t{pending_[i].index} << 32 | pending_[i].counter;
        std::array<stun::transaction_id, batch_size> tids;
        ids_.make_batch(inputs.data(), n, tids.data());
        for (std::size_t i = 0; i < n; ++i) {
            const pending_send& p = pending_[i];
            const record& r = records_[p.index];
            if (!(r.flags & flag_active) || r.generation != p.generation || r.round != p.counter) continue;
            const auto kind = kind_of(r);
            std::array<std::uint8_t, detail::keepalive_message_size> buf;
            bytes_view bytes;
            if (kind == keepalive_kind::crlf) {
                bytes = bytes_view("\r\n\r\n", 4);
            } else {
                // RFC 8489 §7: FINGERPRINT tells STUN apart from SIP/RTP on a shared port.
                writer_.write(buf.data(), kind == keepalive_kind::binding_indication, tids[i]);
                bytes = bytes_view(buf.data(), buf.size());
            }
            handler.on_send(keepalive_transmit{binding_id{p.index, p.generation}, r.socket,
                                               servers_[destination(p.index, r)], bytes, kind, p.retransmission});
        }
        pending_size_ = 0;
    }

    template <class Handler>
    void fire(std::uint32_t index, time_point now, timing_wheel::tick now_tick, Handler& handler) {
        record& r = records_[index];
        const auto t = static_cast<std::uint32_t>(now_tick);
        const auto kind = kind_of(r);
        if (r.flags & flag_in_round) {
            // A retransmission (RFC 8489 §6.2.1: at RTO, 3 RTO, 7 RTO ...) or the end of a
            // round, which comes before the next round could be due.
            const std::uint32_t round_end = r.round_start + (kind == keepalive_kind::crlf
                                                                 ? std::min<std::uint32_t>(shortest(r), pong_ms())
                                                                 : shortest(r));
            if (since(t, round_end) >= 0) {
                end_round(index, false, std::nullopt, now, handler);
                // A round that used all its time is followed at once by the next one.
                const std::uint32_t w = records_[index].wheel;
                if (timing_wheel_scheduled(w) && wheel_.due_low32_of(w) == static_cast<std::uint32_t>(wheel_.now())) {
                    words ws{records_};
                    wheel_.cancel(ws, index);
                    fire(index, now, now_tick, handler);
                }
                return;
            }
            ++r.sent;
            schedule_retransmission(index, r, round_end, now_tick);
            send(index, records_[index], handler);
            return;
        }
        // Due only if idle for the interval: traffic noted since then postpones the keepalive.
        const std::int64_t idle = since(t, r.last_outbound);
        if (idle < std::int64_t{shortest(r)}) {
            schedule(index, now_tick + static_cast<timing_wheel::tick>(jittered(r) - idle));
            return;
        }
        r.round_start = t;
        r.last_outbound = t;
        ++r.round;  // a new transaction id for every round and every indication
        if (kind == keepalive_kind::binding_indication) {
            const std::uint32_t next = jittered(r);
            schedule(index, now_tick + next);
            send(index, records_[index], handler);
            return;
        }
        r.sent = 1;
        r.flags |= flag_in_round;
        if (kind == keepalive_kind::crlf)
            schedule(index, now_tick + std::min<std::uint32_t>(shortest(r), pong_ms()));
        else
            schedule_retransmission(index, r, r.round_start + shortest(r), now_tick);
        send(index, records_[index], handler);
    }
    static bool timing_wheel_scheduled(std::uint32_t w) noexcept { return basic_timing_wheel::scheduled_word(w); }

    std::uint32_t pong_ms() const noexcept { return static_cast<std::uint32_t>(cfg_.crlf_pong_timeout.count()); }

    /// The wheel tick of a 32-bit millisecond stamp near `now_tick`.
    static timing_wheel::tick tick_at(std::uint32_t stamp, timing_wheel::tick now_tick) noexcept {
        const std::int64_t t = static_cast<std::int64_t>(now_tick) + since(stamp, static_cast<std::uint32_t>(now_tick));
        return t < 0 ? 0 : static_cast<timing_wheel::tick>(t);
    }

    void schedule_retransmission(std::uint32_t index, const record& r, std::uint32_t round_end,
                                 timing_wheel::tick now_tick) {
        // The k-th retransmission goes out (2^k - 1) RTO after the round began, unless the
        // round ends first.
        const unsigned k = r.sent < 31 ? r.sent : 31u;
        const auto rto = static_cast<timing_wheel::tick>(cfg_.rto.count() < 1 ? 1 : cfg_.rto.count());
        const timing_wheel::tick at = tick_at(r.round_start, now_tick) + ((timing_wheel::tick{1} << k) - 1) * rto;
        const timing_wheel::tick end_tick = tick_at(round_end, now_tick);
        schedule(index, at < end_tick ? at : end_tick);
    }

    /// Ends the round of `index`: updates the binding, schedules its next round, then reports
    /// (the handler may add or remove bindings, so events go out last).
    template <class Handler>
    void end_round(std::uint32_t index, bool success, const std::optional<endpoint>& mapped, time_point now,
                   Handler& handler) {
        record& r = records_[index];
        r.flags = static_cast<std::uint8_t>(r.flags & ~flag_in_round);
        const binding_id id{index, r.generation};
        const std::uint32_t socket = r.socket;
        std::array<event, 2> out{};
        std::size_t n = 0;
        const endpoint before = (r.flags & flag_mapped) ? mapped_of(index) : endpoint{};
        if (success) {
            if (r.flags & flag_lost) {
                r.flags = static_cast<std::uint8_t>(r.flags & ~flag_lost);
                out[n++] = event{event_kind::restored, id, socket, before, mapped ? *mapped : before, now};
            }
            r.failures = 0;
            if (mapped) {
                if (!(r.flags & flag_mapped)) {
                    r.flags |= flag_mapped;
                    set_mapped(index, r, *mapped);
                    out[n++] = event{event_kind::mapped, id, socket, endpoint{}, *mapped, now};
                } else if (*mapped != before) {
                    set_mapped(index, r, *mapped);
                    out[n++] = event{event_kind::changed, id, socket, before, *mapped, now};
                }
            }
        } else {
            if (r.failures < 0xFF) ++r.failures;
            if (r.failures == cfg_.lost_after) {
                r.flags |= flag_lost;
                out[n++] = event{event_kind::lost, id, socket, before, before, now};
            }
            // After `lost`, switch servers every `lost_after` failed rounds (primary <-> secondary).
            if (r.failures >= cfg_.lost_after && cold_[index].secondary != no_server &&
                (r.failures - cfg_.lost_after) % cfg_.lost_after == 0)
                r.flags ^= flag_secondary;
        }
        // The next round: an interval after this one began (a success does not delay it).
        const timing_wheel::tick now_tick = tick_of(now);
        const std::int64_t elapsed = since(static_cast<std::uint32_t>(now_tick), r.round_start);
        const std::int64_t wait = std::int64_t{jittered(r)} - elapsed;
        schedule(index, now_tick + static_cast<timing_wheel::tick>(wait > 0 ? wait : 0));
        for (std::size_t i = 0; i < n; ++i) handler.on_event(out[i]);
    }

    time_point epoch_;
    scheduler_config cfg_;
    basic_timing_wheel wheel_;
    record_vector records_;
    std::vector<cold, detail::huge_page_allocator<cold>> cold_;
    std::vector<endpoint> servers_;
    std::unordered_map<endpoint, std::uint16_t> server_ids_;
    detail::transaction_ids ids_;
    detail::keepalive_message_writer writer_;
    struct pending_send {
        std::uint32_t index;
        std::uint32_t counter;
        std::uint16_t generation;
        bool retransmission;
    };
    static constexpr std::size_t batch_size = 16;
    std::array<pending_send, batch_size> pending_{};
    std::size_t pending_size_ = 0;
    std::uint32_t free_head_ = none;
    std::size_t active_ = 0;
    std::uint64_t rng_;
};

}  // namespace keepalive
NATKIT_END_NAMESPACE

#endif  // NATKIT_KEEPALIVE_SCHEDULER_HPP
