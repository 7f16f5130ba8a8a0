// natkit/stun/retransmission.hpp - when a STUN client retransmits a request and when it gives
// up (RFC 8489 §6.2.1, §6.2.2), and the RFC 6298 estimator that supplies the RTO.
//
//     stun::retransmission_timer timer(policy, stun::transport_kind::udp, now);  // first send: now
//     ... arm the event loop's timer for timer.deadline() ...
//     switch (timer.on_timer(now)) {
//     case stun::timer_event::retransmit: send(request); break;
//     case stun::timer_event::timed_out: fail(); break;
//     case stun::timer_event::none: break;                        // woken early: re-arm
//     }
//
// Pure logic: time comes in as std::chrono::steady_clock::time_point arguments; no clock is read.
#ifndef NATKIT_STUN_RETRANSMISSION_HPP
#define NATKIT_STUN_RETRANSMISSION_HPP

#include <chrono>
#include <cstdint>
#include <limits>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace stun {

/// RFC 8489 §6.2.2: over TCP/TLS a request is not retransmitted and times out after Ti,
/// "SHOULD have a default of 39.5 s", chosen to equal the UDP give-up time with default timers.
inline constexpr std::chrono::milliseconds default_stream_timeout{39500};

/// The retransmission parameters of RFC 8489 §6.2.1 (all "SHOULD be configurable").
struct retransmission_policy {
    /// Initial RTO: "SHOULD be greater than or equal to 500 ms" (RFC 8489 §6.2.1); keep it with
    /// 1 ms accuracy, never rounded up to a second. Values below 1 ms are treated as 1 ms.
    std::chrono::milliseconds rto{500};
    /// Rc: the total number of requests sent, the first one included (default 7).
    /// 0 is treated as 1: the first request is always sent.
    unsigned rc = 7;
    /// Rm: after the last request, wait Rm times the (initial) RTO before giving up (default 16).
    unsigned rm = 16;
    /// Ti: the timeout of a request over a stream transport (RFC 8489 §6.2.2).
    std::chrono::milliseconds ti = default_stream_timeout;
    /// RFC 8489 §6.2.1 doubles the interval after each retransmission. A caller that derived the
    /// RTO from measured round trips on this very path (NAT discovery's follow-up tests) may
    /// turn that off and retransmit every RTO: more tries within the same wait, so that packet
    /// loss is not mistaken for a filtered answer.
    bool exponential_backoff = true;
};

/// Whether STUN itself must retransmit (UDP, DTLS-over-UDP) or the transport is reliable
/// (TCP, TLS-over-TCP), which only needs the Ti timeout (RFC 8489 §6.2.1, §6.2.2).
enum class transport_kind : std::uint8_t { udp, stream };

/// What retransmission_timer::on_timer() asks the caller to do.
enum class timer_event : std::uint8_t {
    none,        ///< nothing is due yet (woken early); wait until deadline()
    retransmit,  ///< send the request again now
    timed_out,   ///< the transaction failed: no response within the give-up time
};

namespace detail {
using steady_duration = std::chrono::steady_clock::duration;
using steady_time = std::chrono::steady_clock::time_point;

/// `t + d` clamped to time_point::max() (d >= 0), so absurd policies cannot overflow.
constexpr steady_time add_saturating(steady_time t, steady_duration d) noexcept {
    const auto room = steady_time::max() - t;
    return d >= room ? steady_time::max() : t + d;
}
/// `d * n` clamped to duration::max() (d >= 0).
constexpr steady_duration mul_saturating(steady_duration d, unsigned n) noexcept {
    if (n == 0 || d.count() == 0) return steady_duration::zero();
    const auto limit = steady_duration::max().count() / static_cast<steady_duration::rep>(n);
    return d.count() > limit ? steady_duration::max() : d * static_cast<steady_duration::rep>(n);
}
}  // namespace detail

/// The retransmission schedule of one STUN request (RFC 8489 §6.2.1) or its single timeout over
/// a stream transport (§6.2.2).
///
/// Over UDP the request is sent at 0, RTO, 3·RTO, 7·RTO, ... (the interval doubles after each
/// retransmission), Rc requests in all; the transaction fails Rm·RTO after the last one. With the
/// defaults: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s, timeout at 39.5 s. Over a stream
/// there is no retransmission and the timeout is Ti (39.5 s) after the send.
///
/// Late calls: each interval is measured from the moment a retransmission was actually made,
/// i.e. from the `now` of the on_timer() call that returned retransmit, not from the scheduled
/// deadline. An event loop that wakes up late (or a host resuming from suspend, `now` far past
/// several deadlines) therefore gets exactly one retransmission per call, never a burst, and the
/// rest of the schedule (including the give-up time, Rm·RTO after the last send) shifts by the
/// lateness. This keeps the RFC's spacing between datagrams that actually left, which is what
/// matters for congestion (RFC 8489 §6.2.1, RFC 8085 §3.1.3).
class retransmission_timer {
public:
    ///@{
    /// The clock the timer is driven with.
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;
    using duration = clock::duration;
    using timer_event = stun::timer_event;
    ///@}

    /// Starts the schedule; `first_send` is when the caller sent the request for the first time.
    retransmission_timer(const retransmission_policy& policy, transport_kind transport, time_point first_send) noexcept
        : rto_(policy.rto < std::chrono::milliseconds(1) ? duration(std::chrono::milliseconds(1))
                                                          : duration(policy.rto)),
          interval_(rto_),
          first_send_(first_send),
          last_send_(first_send),
          rc_(policy.rc == 0 ? 1u : policy.rc),
          rm_(policy.rm),
          transport_(transport),
          backoff_(policy.exponential_backoff) {
        if (transport_ == transport_kind::stream) {
            const duration ti = policy.ti < duration::zero() ? duration::zero() : duration(policy.ti);
            deadline_ = detail::add_saturating(first_send_, ti);
        } else {
            schedule_next();
        }
    }

    /// The time of the next retransmission or, after the last one (or over a stream), the
    /// give-up time. time_point::max() once timed out.
    time_point deadline() const noexcept { return deadline_; }

    /// Reports what is due at `now`: retransmit (send once now), timed_out (give up), or none
    /// when `now` is before deadline(). Once timed out, every later call returns timed_out.
    timer_event on_timer(time_point now) noexcept {
        if (timed_out_) return timer_event::timed_out;
        if (now < deadline_) return timer_event::none;
        if (transport_ == transport_kind::stream || sent_ >= rc_) {
            timed_out_ = true;
            deadline_ = time_point::max();
            return timer_event::timed_out;
        }
        ++sent_;
        last_send_ = now;  // re-base: see the class comment on late calls
        if (backoff_) interval_ = interval_ > duration::max() / 2 ? duration::max() : interval_ * 2;  // §6.2.1
        schedule_next();
        return timer_event::retransmit;
    }

    /// Requests sent so far, the first one included (1 after construction, at most Rc).
    unsigned transmissions() const noexcept { return sent_; }
    /// True once on_timer() has reported timed_out.
    bool timed_out() const noexcept { return timed_out_; }
    /// When the request was first sent (the constructor's argument).
    time_point first_send() const noexcept { return first_send_; }
    /// When the request was last sent (first_send() until the first retransmission).
    time_point last_send() const noexcept { return last_send_; }
    /// The initial RTO this schedule uses.
    duration rto() const noexcept { return rto_; }

private:
    void schedule_next() noexcept {
        // §6.2.1: after the Rc-th request, wait Rm times the RTO ("providing ample time to get a
        // response if only this final request actually succeeds").
        deadline_ = sent_ >= rc_ ? detail::add_saturating(last_send_, detail::mul_saturating(rto_, rm_))
                                 : detail::add_saturating(last_send_, interval_);
    }

    duration rto_;
    duration interval_;  // the wait before the next retransmission
    time_point first_send_;
    time_point last_send_;
    time_point deadline_{};
    unsigned rc_;
    unsigned rm_;
    unsigned sent_ = 1;
    transport_kind transport_;
    bool backoff_;
    bool timed_out_ = false;
};

/// The RTO estimator of RFC 6298 §2 (SRTT and RTTVAR, alpha = 1/8, beta = 1/4, K = 4), with the
/// two exceptions RFC 8489 §6.2.1 makes for STUN: the initial RTO comes from the policy
/// (500 ms by default, not 1 s) and RTO is kept with 1 ms accuracy instead of being rounded up
/// to a second, so the default floor is 1 ms rather than RFC 6298's 1 s minimum (2.4).
///
/// Karn's rule (RFC 8489 §6.2.1, RFC 6298 §3) is the caller's job: feed add_sample() only with
/// RTTs of transactions whose request was sent once. A response to a retransmitted request
/// cannot be matched to the transmission that caused it, so its RTT is ambiguous and must not
/// be fed (binding_result::rtt_reliable says which is which).
///
/// RFC 8489 §6.2.1 also asks to cache the RTO per server (by IP address) and drop it after
/// 10 minutes without a transaction: keep one estimator per server and reset() it when stale.
class rto_estimator {
public:
    /// A duration of the steady clock.
    using duration = std::chrono::steady_clock::duration;

    /// RFC 6298 §2 clock granularity G, here the 1 ms accuracy RFC 8489 §6.2.1 asks for.
    static constexpr duration granularity = std::chrono::milliseconds(1);
    /// Default lower bound of rto() once samples exist (see the class comment).
    static constexpr duration default_floor = std::chrono::milliseconds(1);
    /// Default upper bound: RFC 6298 (2.5) allows a maximum "provided it is at least 60 seconds".
    static constexpr duration default_ceiling = std::chrono::seconds(60);

    /// Before the first sample rto() is `policy.rto` (not clamped); afterwards the RFC 6298 value
    /// clamped to [floor, ceiling].
    explicit rto_estimator(const retransmission_policy& policy = {}, duration floor = default_floor,
                           duration ceiling = default_ceiling) noexcept
        : policy_(policy), floor_(floor), ceiling_(ceiling < floor ? floor : ceiling) {}

    /// Adds one RTT measurement (RFC 6298 (2.2), (2.3)). Negative values count as 0 and values
    /// above the ceiling as the ceiling, so one absurd sample cannot overflow the arithmetic.
    void add_sample(duration rtt) noexcept {
        if (rtt < duration::zero()) rtt = duration::zero();
        if (rtt > ceiling_) rtt = ceiling_;
        if (samples_ == 0) {
            // (2.2): SRTT <- R, RTTVAR <- R/2
            srtt_ = rtt;
            rttvar_ = rtt / 2;
        } else {
            // (2.3): RTTVAR uses the SRTT from before this sample, so it is updated first.
            const duration delta = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
            rttvar_ = (3 * rttvar_ + delta) / 4;  // (1 - beta) RTTVAR + beta |SRTT - R'|
            srtt_ = (7 * srtt_ + rtt) / 8;        // (1 - alpha) SRTT + alpha R'
        }
        if (samples_ != std::numeric_limits<unsigned>::max()) ++samples_;
    }

    /// RTO = SRTT + max(G, K·RTTVAR), clamped to [floor, ceiling]; the policy's RTO before the
    /// first sample.
    duration rto() const noexcept {
        if (samples_ == 0) return policy_.rto;
        const duration k_rttvar = 4 * rttvar_;
        duration r = srtt_ + (k_rttvar > granularity ? k_rttvar : granularity);
        if (r < floor_) r = floor_;
        if (r > ceiling_) r = ceiling_;
        return r;
    }

    /// The policy given at construction with `rto` replaced by rto() rounded up to whole
    /// milliseconds: what the next transaction to this server should use (RFC 8489 §6.2.1).
    retransmission_policy policy() const noexcept {
        retransmission_policy p = policy_;
        p.rto = std::chrono::ceil<std::chrono::milliseconds>(rto());
        return p;
    }

    /// Forgets all samples: rto() is the policy's value again (a stale cache, RFC 8489 §6.2.1).
    void reset() noexcept {
        samples_ = 0;
        srtt_ = rttvar_ = duration::zero();
    }

    /// The smoothed round-trip time (RFC 6298 §2).
    duration srtt() const noexcept { return srtt_; }
    /// The round-trip time variation (RFC 6298 §2).
    duration rttvar() const noexcept { return rttvar_; }
    /// Number of samples added since construction or reset().
    unsigned samples() const noexcept { return samples_; }

private:
    retransmission_policy policy_;
    duration floor_;
    duration ceiling_;
    duration srtt_{};
    duration rttvar_{};
    unsigned samples_ = 0;
};

}  // namespace stun
NATKIT_END_NAMESPACE

#endif  // NATKIT_STUN_RETRANSMISSION_HPP
