// natkit/nat/discovery.hpp - NAT behaviour discovery as a sans-I/O state machine
// (RFC 5780 §4.3-4.5, and the classic RFC 3489 §10.1 flow).
//
// It never touches a socket or a clock. Feed it time and received datagrams; it says what to
// send, from which of your sockets, to where, and when to call it again:
//
//     nat::discovery d(config, seed, now);
//     nat::transmit tx;
//     while (!d.finished()) {
//         while (d.poll_transmit(now, tx)) socket[tx.socket].send_to(tx.datagram, tx.to);
//         wait for a datagram or until d.next_deadline(); then
//         d.on_datagram(socket_index, bytes, from, now);
//     }
//     d.result();   // nat_type, mapping, filtering, hairpinning, mapped address, evidence
//
// The flow, chosen to be fast and never to draw a conclusion from a lost packet:
//  1. Test I: a Binding request to the server; its answer gives the mapped address and the
//     server's other address (OTHER-ADDRESS, or CHANGED-ADDRESS from a classic server).
//  2. Filtering (RFC 5780 §4.4): CHANGE-REQUEST "change IP and port" and "change port" in
//     parallel. Filtering runs before mapping, because the mapping tests send to the other
//     addresses and would open the NAT's filter for exactly the answers filtering waits for.
//  3. Mapping (RFC 5780 §4.3): requests to IP2:P1 and IP2:P2 in parallel; hairpinning (§4.5)
//     from the second socket alongside, when asked.
// A missing answer is judged only after several retransmissions at an interval derived from
// the round-trip time test I measured. What the server claims is checked against what was
// observed: the alternate address comes from test I only (servers get OTHER-ADDRESS wrong on
// their other addresses), and a CHANGE-REQUEST answer counts only if it really came from the
// changed address (a server that ignores CHANGE-REQUEST must not make a NAT look like a cone).
#ifndef NATKIT_NAT_DISCOVERY_HPP
#define NATKIT_NAT_DISCOVERY_HPP

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/clock.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/nat/behavior.hpp"
#include "natkit/stun/binding_client.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/sha256.hpp"
#include "natkit/stun/message.hpp"

NATKIT_BEGIN_NAMESPACE
namespace nat {

/// Socket indexes in transmit::socket and on_datagram().
inline constexpr int primary_socket = 0;    ///< the socket being classified (e.g. the SIP socket)
inline constexpr int secondary_socket = 1;  ///< a second socket, only for the hairpinning test

/// What to classify and how: the STUN server, the flow, the optional tests and the timing.
struct discovery_config {
    endpoint server;                           ///< the STUN server's primary address (IP1:P1)
    std::optional<endpoint> alternate_server{};  ///< IP2:P2 when the server does not announce it
    /// RFC 5780 behaviour discovery, classic RFC 3489, or automatic (RFC 5780 when the server
    /// announces OTHER-ADDRESS, else classic).
    discovery_mode mode = discovery_mode::automatic;
    /// The primary socket's real address (not 0.0.0.0): equal to the mapped address means no NAT.
    endpoint local{};
    bool test_hairpinning = false;  ///< RFC 5780 §4.5; needs the secondary socket
    /// RFC 5780 §4.6: measure how long an idle mapping lives (needs the secondary socket and a
    /// server that honours RESPONSE-PORT). Slow by nature: it waits idle periods of 1 s, 2 s,
    /// 4 s ... up to lifetime_max, then bisects to lifetime_resolution.
    bool test_lifetime = false;
    /// The longest idle period the lifetime test tries.
    std::chrono::seconds lifetime_max{300};
    /// How closely the lifetime test bisects.
    std::chrono::milliseconds lifetime_resolution{1000};
    /// How long test I waits for any answer before concluding "UDP blocked" (10 sends, evenly
    /// spaced, since no round-trip time is known yet). 450 ms covers every terrestrial path
    /// (RTTs above 300 ms are rare; RFC 8489 §6.2.1 starts from a 500 ms RTO for the same
    /// reason) and keeps the "UDP blocked" verdict under half a second; raise it for
    /// geostationary satellite links (RTT 550-700 ms).
    std::chrono::milliseconds first_timeout{450};
    /// The follow-up tests retransmit every max(rto_floor, 2 x RTT of test I) ...
    std::chrono::milliseconds rto_floor{25};
    /// ... this many times in all before a test counts as unanswered. With 10 sends a test that
    /// should be answered is misjudged only if all 10 exchanges fail: 0.36^10 < 4e-5 at 20 %
    /// loss each way (a wrong verdict is worse than a slow one; on a fast path the 10 sends
    /// take 10 x 25 ms).
    unsigned transmissions = 10;
    std::string_view software{};  ///< SOFTWARE in the requests; empty for none
};

/// The tests, named after RFC 5780 §4.3-4.5 (RFC 3489 §10.1 has the same ones).
enum class test_kind : std::uint8_t {
    binding,                    ///< test I: to IP1:P1, no change
    filtering_change_ip_port,   ///< filtering test II: CHANGE-REQUEST change IP and port
    filtering_change_port,      ///< filtering test III: CHANGE-REQUEST change port
    mapping_alternate_ip,       ///< mapping test II: to IP2:P1
    mapping_alternate_ip_port,  ///< mapping test III: to IP2:P2
    hairpinning,                ///< from the secondary socket to the primary's mapped address
    lifetime_refresh,           ///< §4.6: a Binding request that (re)creates the primary's mapping
    lifetime_probe,             ///< §4.6: from the secondary socket, RESPONSE-PORT = that mapping's port
};

constexpr std::string_view to_string(test_kind k) noexcept {
    switch (k) {
    case test_kind::binding: return "binding";
    case test_kind::filtering_change_ip_port: return "filtering-change-ip-port";
    case test_kind::filtering_change_port: return "filtering-change-port";
    case test_kind::mapping_alternate_ip: return "mapping-alternate-ip";
    case test_kind::mapping_alternate_ip_port: return "mapping-alternate-ip-port";
    case test_kind::hairpinning: return "hairpinning";
    case test_kind::lifetime_refresh: return "lifetime-refresh";
    case test_kind::lifetime_probe: return "lifetime-probe";
    }
    return "unknown";
}

/// What one test sent and what came back: the evidence behind the verdict.
struct test_evidence {
    /// Which test this was.
    test_kind kind = test_kind::binding;
    /// The socket it was sent from.
    int socket = primary_socket;
    /// Where it was sent.
    endpoint to{};
    /// The CHANGE-REQUEST flags it carried.
    stun::change_request_value change{};
    /// Whether an answer came.
    bool answered = false;
    /// Answered, but not from where CHANGE-REQUEST asked: the answer is ignored as evidence.
    bool wrong_source = false;
    /// Where the answer came from.
    endpoint from{};
    /// XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS) of the answer.
    std::optional<endpoint> mapped{};
    /// RESPONSE-ORIGIN (or SOURCE-ADDRESS) of the answer.
    std::optional<endpoint> response_origin{};
    std::optional<endpoint> other_address{};  ///< OTHER-ADDRESS or CHANGED-ADDRESS
    duration started{};                       ///< since the discovery began
    duration rtt{};                           ///< time to the answer (from the first send)
    bool rtt_reliable = false;                ///< answered after a single send (Karn's rule)
    /// Requests sent for this test.
    unsigned transmissions = 0;
};

/// The verdict and the evidence behind it.
struct discovery_result {
    /// The RFC 3489 NAT type.
    nat_type type = nat_type::unknown;
    /// Mapping behaviour (RFC 4787 §4.1, RFC 5780 §4.3).
    behavior mapping = behavior::unknown;
    /// Filtering behaviour (RFC 4787 §5, RFC 5780 §4.4).
    behavior filtering = behavior::unknown;
    std::optional<bool> hairpinning{};  ///< empty when not tested
    /// §4.6: the longest idle time after which the mapping was seen alive (a lower bound when
    /// it equals lifetime_max); empty when not tested or not measurable.
    std::optional<std::chrono::milliseconds> binding_lifetime{};
    std::optional<endpoint> mapped{};   ///< the primary socket's public address (test I)
    discovery_mode mode = discovery_mode::automatic;  ///< the flow that was used
    std::optional<endpoint> alternate{};              ///< the server's IP2:P2 used by the tests
    std::string_view note{};  ///< why the verdict is unknown or limited; empty when all went well
    /// The last tests (a lifetime measurement runs many; the earliest are kept first).
    std::array<test_evidence, 24> tests{};
    /// How many entries of `tests` are used.
    std::size_t test_count = 0;
    /// How long the discovery took.
    duration elapsed{};
};

/// One datagram to send: from socket `socket` to `to`. `datagram` stays valid until the next
/// call into the discovery.
struct transmit {
    /// The socket to send from (primary_socket or secondary_socket).
    int socket = primary_socket;
    /// The destination.
    endpoint to{};
    /// The bytes to send.
    bytes_view datagram{};
};

/// The NAT behaviour discovery state machine (RFC 5780 §4, RFC 3489 §10.1), sans-I/O:
/// feed it datagrams and time, send what poll_transmit() gives, wake at next_deadline(), read
/// result() when finished().
class discovery {
public:
    /// Starts at `now`. `seed` feeds the transaction ids (take it from a CSPRNG or
    /// std::random_device: unpredictable ids keep off-path attackers from faking answers).
    discovery(const discovery_config& config, std::uint64_t seed, time_point now) : cfg_(config), start_(now), seed_(seed) {
        result_.mode = cfg_.mode;
        first_rto_ = std::max(std::chrono::milliseconds(1), cfg_.first_timeout / 10);
        start_test(test_kind::binding, primary_socket, cfg_.server, {}, first_policy(), now);
    }

    /// The next datagram to send at `now`, if any; call until it returns false. Also advances
    /// the timers, so call it whenever next_deadline() is reached.
    bool poll_transmit(time_point now, transmit& out) {
        for (auto& p : probes_) {
            if (!p.client) continue;
            if (p.client->on_timer(now)) p.send_due = true;
            if (p.client->state() != stun::binding_state::pending) finish_probe(p, now);
        }
        advance(now);
        for (auto& p : probes_) {
            if (p.client && p.send_due) {
                p.send_due = false;
                out = transmit{p.socket, p.client->destination(), p.client->request()};
                return true;
            }
        }
        return false;
    }

    /// When poll_transmit() next has work; time_point::max() when finished.
    time_point next_deadline() const noexcept {
        time_point t = phase_ == phase::lifetime && lifetime_wake_ != time_point{} ? lifetime_wake_ : time_point::max();
        for (const auto& p : probes_)
            if (p.client) t = std::min(t, p.send_due ? time_point::min() : p.client->deadline());
        return t;
    }

    /// Offers a datagram that arrived on socket `socket` from `from`. Returns true when it
    /// belonged to the discovery (so a socket shared with SIP can pass everything through here).
    bool on_datagram(int socket, bytes_view data, const endpoint& from, time_point now) {
        auto msg = stun::message_view::parse(data);
        if (!msg) return false;
        if (msg->is_request() && socket == primary_socket) return on_hairpin_request(*msg, from, now);
        for (auto& p : probes_) {
            if (!p.client || p.recv_socket != socket || p.kind == test_kind::hairpinning) continue;
            const auto verdict = p.client->on_response(*msg, from, now);
            if (verdict == stun::response_verdict::not_mine) continue;
            if (verdict == stun::response_verdict::send_again) p.send_due = true;
            else finish_probe(p, now);
            advance(now);
            return true;
        }
        return false;
    }

    /// True when the verdict is final.
    bool finished() const noexcept { return finished_; }
    /// The verdict so far (final when finished()).
    const discovery_result& result() const noexcept { return result_; }

private:
    struct probe {
        test_kind kind = test_kind::binding;
        int socket = primary_socket;       // sends from here
        int recv_socket = primary_socket;  // the answer arrives here (RESPONSE-PORT moves it)
        std::optional<stun::binding_client> client;
        bool send_due = false;
        std::size_t evidence = 0;
    };
    enum class phase : std::uint8_t { binding, filtering, mapping, lifetime, done };

    stun::retransmission_policy first_policy() const noexcept {
        stun::retransmission_policy p;
        p.rto = first_rto_;
        p.rc = 10;
        p.rm = 1;
        p.exponential_backoff = false;
        return p;
    }
    stun::retransmission_policy follow_up_policy() const noexcept {
        stun::retransmission_policy p;
        const auto twice_rtt = std::chrono::duration_cast<std::chrono::milliseconds>(2 * rtt_) +
                               std::chrono::milliseconds(1);
        p.rto = std::max(cfg_.rto_floor, twice_rtt);
        p.rc = cfg_.transmissions == 0 ? 1 : cfg_.transmissions;
        p.rm = 1;
        p.exponential_backoff = false;
        return p;
    }

    stun::transaction_id next_transaction_id() noexcept {
        // SHA-256(seed || counter): distinct, unpredictable without the seed.
        std::uint8_t in[16];
        stun::detail::store_be64(in, seed_);
        stun::detail::store_be64(in + 8, ++tid_counter_);
        const auto h = stun::detail::sha256::hash(in, sizeof in);
        return stun::transaction_id::from(h.data());
    }

    void start_test(test_kind kind, int socket, const endpoint& to, stun::change_request_value change,
                    const stun::retransmission_policy& policy, time_point now,
                    std::optional<std::uint16_t> response_port = std::nullopt, int recv_socket = -1) {
        if (result_.test_count == result_.tests.size()) {
            // Full (only a long lifetime search gets here): keep the six classification tests
            // and the latest lifetime steps.
            constexpr std::size_t keep = 6;
            for (std::size_t i = keep + 1; i < result_.tests.size(); ++i) result_.tests[i - 1] = result_.tests[i];
            --result_.test_count;
            for (auto& p : probes_)
                if (p.client && p.evidence > keep) --p.evidence;
        }
        probe* slot = nullptr;
        for (auto& p : probes_)
            if (!p.client) slot = &p;
        if (!slot) return;
        stun::binding_request_options o;
        o.server = to;
        if (change.change_ip || change.change_port) o.change_request = change;
        o.software = cfg_.software;
        o.policy = policy;
        o.response_port = response_port;
        o.legacy_rfc3489 = cfg_.mode == discovery_mode::rfc3489;  // classic requests, classic answers
        slot->kind = kind;
        slot->socket = socket;
        slot->recv_socket = recv_socket < 0 ? socket : recv_socket;
        slot->client.emplace(o, next_transaction_id(), now);
        slot->send_due = true;
        slot->evidence = result_.test_count++;
        test_evidence& e = result_.tests[slot->evidence];
        e = test_evidence{};
        e.kind = kind;
        e.socket = socket;
        e.to = to;
        e.change = change;
        e.started = now - start_;
    }

    void finish_probe(probe& p, time_point) {
        test_evidence& e = result_.tests[p.evidence];
        const stun::binding_result& r = p.client->result();
        e.transmissions = r.transmissions;
        if (p.client->state() == stun::binding_state::succeeded) {
            e.answered = true;
            e.from = r.from;
            e.mapped = r.mapped_address;
            e.response_origin = r.response_origin;
            e.other_address = r.other_address ? r.other_address : r.changed_address;
            e.rtt = r.rtt;
            e.rtt_reliable = r.rtt_reliable;
            e.wrong_source = !came_from_changed_address(e);
            if (p.kind == test_kind::binding) rfc5780_server_ = r.other_address.has_value();
        }
        p.client.reset();
        p.send_due = false;
    }

    /// RFC 5780 §4.4 and the pitfall of servers that ignore CHANGE-REQUEST: an answer counts
    /// only if it came from the address the request asked for.
    bool came_from_changed_address(const test_evidence& e) const noexcept {
        if (!e.change.change_ip && !e.change.change_port) return true;
        const bool ip_changed = e.from.address() != cfg_.server.address();
        const bool port_changed = e.from.port() != cfg_.server.port();
        return ip_changed == e.change.change_ip && port_changed == e.change.change_port;
    }

    /// RFC 5780 §4.5: our own request, sent from the secondary socket to the primary's mapped
    /// address, arrived on the primary socket: the NAT hairpins.
    bool on_hairpin_request(const stun::message_view& msg, const endpoint& from, time_point now) {
        for (auto& p : probes_) {
            if (!p.client || p.kind != test_kind::hairpinning) continue;
            if (msg.transaction_id() != p.client->transaction_id()) continue;
            test_evidence& e = result_.tests[p.evidence];
            e.answered = true;
            e.from = from;
            e.rtt = now - (start_ + e.started);
            e.transmissions = p.client->transmissions();
            p.client.reset();
            p.send_due = false;
            advance(now);
            return true;
        }
        return false;
    }

    const test_evidence* evidence(test_kind k) const noexcept {
        for (std::size_t i = 0; i < result_.test_count; ++i)
            if (result_.tests[i].kind == k) return &result_.tests[i];
        return nullptr;
    }
    bool running(test_kind k) const noexcept {
        for (const auto& p : probes_)
            if (p.client && p.kind == k) return true;
        return false;
    }
    void cancel(test_kind k) noexcept {
        for (auto& p : probes_)
            if (p.client && p.kind == k) {
                result_.tests[p.evidence].transmissions = p.client->transmissions();
                p.client.reset();
                p.send_due = false;
            }
    }

    void advance(time_point now) {
        for (;;) {
            const phase before = phase_;
            switch (phase_) {
            case phase::binding: after_binding(now); break;
            case phase::filtering: after_filtering(now); break;
            case phase::mapping: after_mapping(now); break;
            case phase::lifetime: lifetime_step(now); break;
            case phase::done: return;
            }
            if (phase_ == before) return;
        }
    }

    void finish(time_point now, std::string_view note = {}) {
        for (auto& p : probes_) {
            p.client.reset();
            p.send_due = false;
        }
        if (result_.note.empty()) result_.note = note;
        if (result_.type != nat_type::udp_blocked) result_.type = classify(result_.mapping, result_.filtering);
        result_.elapsed = now - start_;
        phase_ = phase::done;
        finished_ = true;
    }

    void after_binding(time_point now) {
        if (running(test_kind::binding)) return;
        const test_evidence& t1 = *evidence(test_kind::binding);
        if (!t1.answered) {
            result_.type = nat_type::udp_blocked;
            finish(now, "no answer to the first Binding request");
            return;
        }
        result_.mapped = t1.mapped;
        // Karn's rule (RFC 8489 §6.2.1): after retransmissions the measured time is only an upper
        // bound (the answer may be to a later send); then assume at most one send interval.
        rtt_ = t1.rtt_reliable ? t1.rtt : std::min<duration>(t1.rtt, first_rto_);
        if (cfg_.local.address().is_unspecified()) {
            result_.note = "the local address is unspecified (0.0.0.0): NAT presence cannot be judged";
        } else {
            result_.mapping = (t1.mapped && *t1.mapped == cfg_.local) ? behavior::no_nat : behavior::unknown;
        }
        // The alternate address: given by the caller, else announced in test I's answer.
        std::optional<endpoint> other = cfg_.alternate_server;
        const bool classic_server = t1.other_address && !rfc5780_server_;
        if (!other) other = t1.other_address;
        if (cfg_.mode == discovery_mode::rfc5780 && !cfg_.alternate_server && !rfc5780_server_) {
            finish(now, "the server does not support RFC 5780 (no OTHER-ADDRESS)");
            return;
        }
        if (cfg_.mode == discovery_mode::rfc3489 && !cfg_.alternate_server && !classic_server) {
            finish(now, "the server sent no CHANGED-ADDRESS (RFC 3489)");
            return;
        }
        result_.mode = cfg_.mode != discovery_mode::automatic ? cfg_.mode
                       : classic_server                       ? discovery_mode::rfc3489
                                                              : discovery_mode::rfc5780;
        if (!other) {
            finish(now, "the server announces no alternate address: only the mapped address is known");
            return;
        }
        // An alternate that shares the primary's IP or port cannot tell the behaviours apart.
        if (other->address() == cfg_.server.address() || other->port() == cfg_.server.port()) {
            finish(now, "the server's alternate address shares the primary's IP or port: tests impossible");
            return;
        }
        alternate_ = *other;
        result_.alternate = alternate_;
        const auto policy = follow_up_policy();
        start_test(test_kind::filtering_change_ip_port, primary_socket, cfg_.server, {true, true}, policy, now);
        start_test(test_kind::filtering_change_port, primary_socket, cfg_.server, {false, true}, policy, now);
        phase_ = phase::filtering;
    }

    void after_filtering(time_point now) {
        const test_evidence* both = evidence(test_kind::filtering_change_ip_port);
        const test_evidence* port = evidence(test_kind::filtering_change_port);
        const bool both_ok = both->answered && !both->wrong_source;
        if (both_ok) {
            cancel(test_kind::filtering_change_port);  // §4.4: answered test II settles it
            result_.filtering = result_.mapping == behavior::no_nat ? behavior::no_nat : behavior::endpoint_independent;
        } else {
            if (running(test_kind::filtering_change_ip_port) || running(test_kind::filtering_change_port)) return;
            if (both->wrong_source || port->wrong_source) {
                result_.note = "the server ignored CHANGE-REQUEST (answered from the wrong address)";
                result_.filtering = behavior::unknown;
            } else {
                result_.filtering = port->answered ? behavior::address_dependent : behavior::address_and_port_dependent;
            }
        }
        phase_ = phase::mapping;
        if (result_.mapping == behavior::no_nat) {
            if (!cfg_.test_hairpinning && !cfg_.test_lifetime) return finish(now);
        } else {
            const auto policy = follow_up_policy();
            start_test(test_kind::mapping_alternate_ip, primary_socket, endpoint(alternate_.address(), cfg_.server.port()),
                       {}, policy, now);
            start_test(test_kind::mapping_alternate_ip_port, primary_socket, alternate_, {}, policy, now);
        }
        if (cfg_.test_hairpinning && result_.mapped)
            start_test(test_kind::hairpinning, secondary_socket, *result_.mapped, {}, follow_up_policy(), now);
    }

    void after_mapping(time_point now) {
        if (result_.mapping != behavior::no_nat) {
            const test_evidence* m2 = evidence(test_kind::mapping_alternate_ip);
            const test_evidence* m3 = evidence(test_kind::mapping_alternate_ip_port);
            if (m2->answered && m2->mapped && result_.mapped && *m2->mapped == *result_.mapped) {
                cancel(test_kind::mapping_alternate_ip_port);  // §4.3: test II equal to test I settles it
                result_.mapping = behavior::endpoint_independent;
            } else if (m2->answered && m3->answered && m2->mapped && m3->mapped) {
                result_.mapping = *m3->mapped == *m2->mapped ? behavior::address_dependent
                                                             : behavior::address_and_port_dependent;
            } else if (!running(test_kind::mapping_alternate_ip) && !running(test_kind::mapping_alternate_ip_port)) {
                result_.note = "the server's alternate address did not answer: mapping unknown";
            } else {
                return;
            }
        }
        if (running(test_kind::hairpinning)) return;
        if (const test_evidence* h = evidence(test_kind::hairpinning)) result_.hairpinning = h->answered;
        if (!cfg_.test_lifetime || !result_.mapped) return finish(now);
        phase_ = phase::lifetime;
        lifetime_idle_ = std::chrono::milliseconds(1000);
        start_test(test_kind::lifetime_refresh, primary_socket, cfg_.server, {}, follow_up_policy(), now);
    }

    /// RFC 5780 §4.6: refresh the primary socket's mapping, stay idle for lifetime_idle_, then
    /// ask the server, from the secondary socket, to answer to that mapping's port
    /// (RESPONSE-PORT). An answer on the primary socket means the mapping outlived the wait.
    /// Doubling finds an upper bound, bisection narrows it to lifetime_resolution.
    void lifetime_step(time_point now) {
        if (running(test_kind::lifetime_refresh) || running(test_kind::lifetime_probe)) return;
        const test_evidence& last = result_.tests[result_.test_count - 1];
        if (last.kind == test_kind::lifetime_refresh) {
            if (!last.answered || !last.mapped) return finish(now, "the lifetime test lost the server");
            if (lifetime_wake_ == time_point{}) {
                lifetime_port_ = last.mapped->port();
                lifetime_wake_ = now + lifetime_idle_;
                return;
            }
            if (now < lifetime_wake_) return;
            lifetime_wake_ = time_point{};
            start_test(test_kind::lifetime_probe, secondary_socket, cfg_.server, {}, follow_up_policy(), now,
                       lifetime_port_, primary_socket);
            return;
        }
        // A probe ended.
        if (last.answered) lifetime_alive_ = lifetime_idle_;
        else lifetime_dead_ = lifetime_idle_;
        const bool bounded = lifetime_dead_.count() > 0;
        if (!last.answered && lifetime_alive_.count() == 0 && lifetime_idle_ <= std::chrono::milliseconds(1000))
            return finish(now, "no answer to RESPONSE-PORT even after 1 s: lifetime not measurable");
        if (!bounded && lifetime_idle_ >= cfg_.lifetime_max) {
            result_.binding_lifetime = lifetime_alive_;
            return finish(now);
        }
        if (bounded && lifetime_dead_ - lifetime_alive_ <= cfg_.lifetime_resolution) {
            result_.binding_lifetime = lifetime_alive_;
            return finish(now);
        }
        lifetime_idle_ = bounded ? lifetime_alive_ + (lifetime_dead_ - lifetime_alive_) / 2
                                 : std::min<std::chrono::milliseconds>(2 * lifetime_idle_, cfg_.lifetime_max);
        start_test(test_kind::lifetime_refresh, primary_socket, cfg_.server, {}, follow_up_policy(), now);
    }

    discovery_config cfg_;
    time_point start_;
    std::uint64_t seed_;
    std::uint64_t tid_counter_ = 0;
    std::chrono::milliseconds first_rto_{100};
    duration rtt_{};
    endpoint alternate_{};
    bool rfc5780_server_ = false;
    std::chrono::milliseconds lifetime_idle_{0}, lifetime_alive_{0}, lifetime_dead_{0};
    std::uint16_t lifetime_port_ = 0;
    time_point lifetime_wake_{};  // test I's answer carried OTHER-ADDRESS (not CHANGED-ADDRESS)
    phase phase_ = phase::binding;
    bool finished_ = false;
    std::array<probe, 3> probes_{};
    discovery_result result_{};
};

}  // namespace nat
NATKIT_END_NAMESPACE

#endif  // NATKIT_NAT_DISCOVERY_HPP
