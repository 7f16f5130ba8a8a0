// natkit/enum/lookup.hpp - a whole ENUM lookup (RFC 6116) as a sans-I/O state machine: from a
// telephone number to the ordered list of SIP URIs, through every configured suffix,
// non-terminal NAPTR rules, retransmissions and the switch to TCP on truncation.
//
//     enum_::lookup_options opt;                          // suffixes, timeout, attempts, bounds
//     enum_::lookup l(opt);
//     auto action = l.start("+49 30 1234-5678", now);
//     while (action != enum_::lookup_action::done) {
//         if (action == enum_::lookup_action::send)
//             send(l.transport(), l.transport() == enum_::transport::udp ? l.query() : l.tcp_query());
//         // then feed what arrives, or the timer at l.deadline():
//         action = got_datagram ? l.on_response(bytes, now) : l.on_timer(now);
//     }
//     use(l.result().uris);                                // or l.result().error
//
// Over UDP a query is sent up to `attempts` times, `timeout` apart; an answer with TC set is
// asked again over TCP (RFC 7766 §5), on a new connection each time (the adapter's job). Each
// suffix is tried in turn until one yields URIs (RFC 6116 leaves the choice of trees to the
// client). One query is outstanding at a time, so the order of the URIs is simply the order
// of the rules: a non-terminal rule's URIs take its place in the list.
#ifndef NATKIT_ENUM_LOOKUP_HPP
#define NATKIT_ENUM_LOOKUP_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/clock.hpp"
#include "natkit/enum/dns_message.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/dns_query.hpp"
#include "natkit/enum/error.hpp"
#include "natkit/enum/number.hpp"
#include "natkit/enum/rules.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

enum class transport : std::uint8_t { udp, tcp };

/// What the caller does next.
enum class lookup_action : std::uint8_t {
    send,  ///< send query() over UDP or tcp_query() over a new TCP connection, per transport(); wait until deadline()
    wait,  ///< nothing to send; keep waiting for an answer until deadline()
    done,  ///< finished: see result()
};

/// What a lookup looks in and how hard it tries.
struct lookup_options {
    /// The trees to look in, in order ("e164.arpa", then e.g. "e164.org").
    std::vector<std::string> suffixes{std::string(default_suffix)};
    /// How long to wait for each answer (resolv.conf's "timeout", 5 s there; ENUM sits in a
    /// call set-up, so less here).
    std::chrono::milliseconds timeout{2000};
    /// Transmissions of one query over UDP (resolv.conf's "attempts").
    unsigned attempts = 2;
    /// Non-terminal rules followed one after the other (RFC 3402 §3.3 leaves the bound to the
    /// client; RFC 5483 §6 recommends a small one).
    std::size_t max_non_terminal = 5;
    /// DNS questions asked for one lookup, over all suffixes and branches.
    std::size_t max_queries = 16;
    query_options query;  ///< RD and EDNS(0) of the queries
    rule_options rules;   ///< which Enumservices count, the regex step budget
    /// Where query ids come from; RFC 5452 §9.2 wants them unpredictable. When null the ids
    /// come from a fixed pseudo-random sequence: fine for tests, not against spoofing. The
    /// Asio adapter sets a random source.
    std::uint16_t (*id_generator)(void* context) = nullptr;
    void* id_generator_context = nullptr;  ///< passed to id_generator
};

/// One DNS question of a lookup and how it ended, for diagnostics.
struct lookup_query_record {
    std::string domain;          ///< the QNAME, as text
    bool over_tcp = false;       ///< asked again over TCP after a truncated UDP answer
    unsigned transmissions = 0;  ///< datagrams and TCP queries sent; 0 for a question not asked (bounds)
    std::error_code error;  ///< empty when the answer gave usable rules
};

/// How a lookup ended.
struct lookup_result {
    /// The SIP URIs in the order the caller should try them.
    std::vector<std::string> uris;
    /// Empty when uris is not; otherwise the reason, from the most telling suffix: rule
    /// failures first, then no SIP service, server failures and timeouts, no NAPTR records,
    /// NXDOMAIN.
    std::error_code error;
    /// The suffix that gave the URIs.
    std::string suffix;
    /// Every question asked, in order.
    std::vector<lookup_query_record> queries;
};

/// One ENUM lookup; see the file comment.
class lookup {
public:
    /// A lookup with these options; start() begins it.
    explicit lookup(lookup_options options = {}) : options_(std::move(options)) {
        if (options_.attempts == 0) options_.attempts = 1;
    }

    /// Starts the lookup of `number` (e164_number::parse() syntax). done when the number is
    /// not one (result().error says why) or no suffix gives a domain.
    lookup_action start(std::string_view number, time_point now) {
        result_ = lookup_result{};
        done_ = false;
        suffix_index_ = 0;
        queries_ = 0;
        auto n = e164_number::parse(number);
        if (!n) return finish(n.error());
        number_ = *n;
        suffix_error_ = {};
        best_error_ = {};
        return begin_suffix(now);
    }

    /// A DNS message that arrived (UDP payload, or TCP message without its length prefix).
    /// Messages that do not answer the current question are ignored (wait) over UDP, where
    /// anyone can send them (RFC 5452 §9.1); over TCP they end the query.
    lookup_action on_response(bytes_view bytes, time_point now) {
        if (done_ || !query_pending_) return done_ ? lookup_action::done : lookup_action::wait;
        auto msg = dns_message::parse(bytes);
        const bool tcp = transport_ == transport::tcp;
        if (!msg) return tcp ? fail_query(msg.error(), now) : lookup_action::wait;
        if (msg->id() != id_) return tcp ? fail_query(errc::question_mismatch, now) : lookup_action::wait;
        if (!msg->is_response() || msg->opcode() != 0) return tcp ? fail_query(errc::not_response, now) : lookup_action::wait;
        const dns_question q = msg->question();
        if (msg->question_count() != 1 || q.type != rr_type::naptr || q.qclass != class_in ||
            !q.name.equals(slots_[current_].domain))
            return tcp ? fail_query(errc::question_mismatch, now) : lookup_action::wait;
        if (msg->truncated()) {
            if (tcp) return fail_query(errc::truncated_response, now);
            record().over_tcp = true;
            transport_ = transport::tcp;
            return transmit(true, now);
        }
        switch (msg->rcode()) {
        case rcode::no_error: break;
        case rcode::name_error: return fail_query(errc::nxdomain, now);
        case rcode::server_failure: return fail_query(errc::server_failure, now);
        case rcode::refused: return fail_query(errc::refused, now);
        default: return fail_query(errc::server_error, now);
        }
        rule_evaluation ev = evaluate_rules(*msg, slots_[current_].domain, number_.aus(), options_.rules);
        if (ev.steps.empty()) return fail_query(ev.reason, now);
        query_pending_ = false;
        // The slot makes way for its rules' outcomes, in order.
        const slot parent = slots_[current_];
        std::vector<slot> expanded;
        for (rule_step& s : ev.steps) {
            slot child;
            if (s.terminal) {
                child.uri = std::move(s.uri);
            } else {
                child.pending = true;
                child.domain = s.next_domain;
                child.path = parent.path;
                child.path.push_back(s.next_domain);
                bool seen = false;
                for (std::size_t k = 0; k + 1 < child.path.size() && !seen; ++k) seen = child.path[k] == s.next_domain;
                if (seen || child.path.size() > options_.max_non_terminal + 1) {
                    // Reported as a question that could not be asked.
                    lookup_query_record r;
                    r.domain = s.next_domain.to_string();
                    r.error = seen ? errc::non_terminal_loop : errc::too_many_non_terminal;
                    note_branch_error(r.error);
                    result_.queries.push_back(std::move(r));
                    continue;
                }
            }
            expanded.push_back(std::move(child));
        }
        slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(current_));
        slots_.insert(slots_.begin() + static_cast<std::ptrdiff_t>(current_), expanded.begin(), expanded.end());
        return next_query(now);
    }

    /// The timer fired (or the caller polls): retransmits, gives up on the query, or waits.
    lookup_action on_timer(time_point now) {
        if (done_) return lookup_action::done;
        if (!query_pending_ || now < deadline_) return lookup_action::wait;
        if (transport_ == transport::udp && record().transmissions < options_.attempts) return transmit(false, now);
        return fail_query(errc::timed_out, now);
    }

    /// The transport failed (ICMP port unreachable, TCP connection refused or closed early):
    /// the current query fails with `error` and the lookup goes on.
    lookup_action on_transport_error(std::error_code error, time_point now) {
        if (done_) return lookup_action::done;
        if (!query_pending_) return lookup_action::wait;
        return fail_query(error ? error : make_error_code(errc::connection_closed), now);
    }

    /// Finished: result() is final.
    bool done() const noexcept { return done_; }
    /// How the current query is to be sent.
    enum_::transport transport() const noexcept { return transport_; }
    /// The current query as a UDP payload.
    bytes_view query() const noexcept { return bytes_view(buffer_.data() + 2, query_size_); }
    /// The current query with the TCP length prefix (RFC 1035 §4.2.2).
    bytes_view tcp_query() const noexcept { return bytes_view(buffer_.data(), query_size_ + 2); }
    /// The id of the current query.
    std::uint16_t query_id() const noexcept { return id_; }
    /// The domain the current query asks about.
    dns_name current_domain() const { return query_pending_ ? slots_[current_].domain : dns_name(); }
    /// When on_timer() has something to do; time_point::max() when nothing is pending.
    time_point deadline() const noexcept { return query_pending_ && !done_ ? deadline_ : time_point::max(); }
    /// The outcome so far; final once done().
    const lookup_result& result() const noexcept { return result_; }
    /// The options given.
    const lookup_options& options() const noexcept { return options_; }

private:
    struct slot {
        bool pending = false;
        std::string uri;
        dns_name domain;
        std::vector<dns_name> path;  // the domains from the suffix's first query to this one
    };

    lookup_query_record& record() { return result_.queries.back(); }

    lookup_action finish(std::error_code error) {
        done_ = true;
        query_pending_ = false;
        result_.error = error;
        return lookup_action::done;
    }

    lookup_action begin_suffix(time_point now) {
        for (; suffix_index_ < options_.suffixes.size(); ++suffix_index_) {
            auto domain = domain_for(number_, options_.suffixes[suffix_index_]);
            if (!domain) {
                note_suffix_error(domain.error());
                continue;
            }
            slots_.clear();
            slot s;
            s.pending = true;
            s.domain = *domain;
            s.path.push_back(*domain);
            slots_.push_back(std::move(s));
            suffix_error_ = {};
            return next_query(now);
        }
        return finish(best_error_ ? best_error_ : make_error_code(errc::bad_domain));
    }

    lookup_action next_query(time_point now) {
        for (;;) {
            current_ = 0;
            while (current_ < slots_.size() && !slots_[current_].pending) ++current_;
            if (current_ == slots_.size()) break;
            if (queries_ == options_.max_queries) {
                lookup_query_record r;
                r.domain = slots_[current_].domain.to_string();
                r.error = errc::too_many_queries;
                note_branch_error(r.error);
                result_.queries.push_back(std::move(r));
                slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(current_));
                continue;
            }
            ++queries_;
            lookup_query_record r;
            r.domain = slots_[current_].domain.to_string();
            result_.queries.push_back(std::move(r));
            transport_ = transport::udp;
            return transmit(true, now);
        }
        // Every branch of this suffix is resolved or failed.
        for (const slot& s : slots_) result_.uris.push_back(s.uri);
        if (!result_.uris.empty()) {
            done_ = true;
            query_pending_ = false;
            result_.suffix = options_.suffixes[suffix_index_];
            return lookup_action::done;
        }
        note_suffix_error(suffix_error_ ? suffix_error_ : make_error_code(errc::no_sip_service));
        ++suffix_index_;
        return begin_suffix(now);
    }

    /// Sends the current question: with a new id when `fresh`, else again as it was.
    lookup_action transmit(bool fresh, time_point now) {
        if (fresh) {
            id_ = next_id();
            const auto q = build_tcp_query(mutable_bytes(buffer_.data(), buffer_.size()), id_, slots_[current_].domain,
                                           rr_type::naptr, options_.query);
            if (!q) return fail_query(q.error(), now);  // cannot happen: the buffer fits any query
            query_size_ = q->size() - 2;
        }
        ++record().transmissions;
        query_pending_ = true;
        deadline_ = now + options_.timeout;
        return lookup_action::send;
    }

    lookup_action fail_query(std::error_code error, time_point now) {
        query_pending_ = false;
        record().error = error;
        note_branch_error(error);
        slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(current_));
        return next_query(now);
    }

    /// How telling an error is about why a suffix gave nothing (higher: more).
    static int weight(const std::error_code& e) noexcept {
        if (e == errc::nxdomain) return 1;
        if (e == errc::no_naptr_records) return 2;
        if (e.category() != error_category()) return 3;  // socket errors
        switch (static_cast<errc>(e.value())) {
        case errc::timed_out:
        case errc::server_failure:
        case errc::refused:
        case errc::server_error:
        case errc::connection_closed:
        case errc::truncated_response:
            return 3;
        case errc::no_sip_service:
            return 4;
        default:
            return 5;  // rules that were meant for SIP and failed; malformed answers
        }
    }
    void note_branch_error(std::error_code e) {
        if (!suffix_error_ || weight(e) > weight(suffix_error_)) suffix_error_ = e;
    }
    void note_suffix_error(std::error_code e) {
        if (!best_error_ || weight(e) > weight(best_error_)) best_error_ = e;
    }

    std::uint16_t next_id() noexcept {
        if (options_.id_generator) return options_.id_generator(options_.id_generator_context);
        // xorshift16 on a fixed seed: distinct consecutive ids, deterministic for tests.
        id_state_ ^= static_cast<std::uint16_t>(id_state_ << 7);
        id_state_ ^= static_cast<std::uint16_t>(id_state_ >> 9);
        id_state_ ^= static_cast<std::uint16_t>(id_state_ << 8);
        return id_state_;
    }

    lookup_options options_;
    e164_number number_;
    std::vector<slot> slots_;
    std::size_t current_ = 0;
    std::size_t suffix_index_ = 0;
    std::size_t queries_ = 0;
    std::error_code suffix_error_;
    std::error_code best_error_;
    lookup_result result_;
    std::array<std::uint8_t, max_query_size + 2> buffer_{};
    std::size_t query_size_ = 0;
    std::uint16_t id_ = 0;
    std::uint16_t id_state_ = 0x2545;
    enum_::transport transport_ = transport::udp;
    time_point deadline_{};
    bool query_pending_ = false;
    bool done_ = false;
};

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_LOOKUP_HPP
