// natkit/asio/detail/udp_transaction.hpp - private: one stun::binding_client bound to a UDP
// socket and a steady_timer (sending, retransmitting, giving up). Who receives the datagrams
// differs: async_binding_request's own receive loop, or the caller's loop through
// binding_dispatcher; the subclasses add that and the completion handler.
#ifndef NATKIT_ASIO_DETAIL_UDP_TRANSACTION_HPP
#define NATKIT_ASIO_DETAIL_UDP_TRANSACTION_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "natkit/asio/config.hpp"
#include "natkit/asio/detail/completion.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/asio/error.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/stun/binding_client.hpp"
#include "natkit/stun/message.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {
namespace detail {

/// Lifetime: always owned by shared_ptr; every pending socket or timer operation holds a
/// reference, so the object lives until its last handler ran. The operation completes (the
/// subclass's complete()) once it has ended and no operation of its own is pending, so after
/// completion natkit no longer touches the socket.
class udp_transaction : public std::enable_shared_from_this<udp_transaction> {
public:
    using socket_type = net::ip::udp::socket;
    using clock = std::chrono::steady_clock;

    udp_transaction(const udp_transaction&) = delete;
    udp_transaction& operator=(const udp_transaction&) = delete;
    virtual ~udp_transaction() = default;

    bool finished() const noexcept { return done_; }

    /// Offers a parsed message that arrived from `from`; true when it belonged to this
    /// transaction (a response that ended it or restarted it after 300/401/438).
    bool offer(const stun::message_view& msg, const net::ip::udp::endpoint& from) {
        if (done_) return false;
        switch (client_.on_response(msg, to_natkit(from), clock::now())) {
            case stun::response_verdict::not_mine:
                return false;
            case stun::response_verdict::send_again:
                transmit();
                arm_timer();
                return true;
            case stun::response_verdict::done:
                finish(error_of(client_));
                return true;
        }
        return false;
    }

    /// True for a response that carries this transaction's id: a duplicate or a late answer
    /// after the transaction ended. Nobody else can use it.
    bool carries_our_id(const stun::message_view& msg) const noexcept {
        return (msg.is_success_response() || msg.is_error_response()) && msg.cookie() == client_.cookie() &&
               msg.transaction_id() == client_.transaction_id();
    }

    /// Ends the transaction early (cancellation) with `ec`.
    void abort(const error_code& ec) { finish(ec); }

protected:
    udp_transaction(socket_type& socket, const stun::binding_request_options& options)
        : socket_(socket),
          options_(options, stun::transport_kind::udp),
          client_(options_.get(), random_transaction_id(), clock::now()),
          timer_(socket.get_executor()) {}

    /// Sends the first request and starts the timer (or ends at once, e.g. request too large).
    void start() {
        if (client_.state() != stun::binding_state::pending) {
            finish(error_of(client_));
            return;
        }
        transmit();
        arm_timer();
    }

    /// Called once when the transaction ends, before settle(): stop the subclass's operations.
    virtual void on_finished() {}
    /// True while the subclass has operations of its own pending.
    virtual bool busy() const noexcept { return false; }
    /// Deliver the handler: the transaction ended and nothing is pending any more.
    virtual void complete(const error_code& ec, const stun::binding_result& result) = 0;

    void finish(const error_code& ec) {
        if (done_) return;
        done_ = true;
        error_ = ec;
        timer_.cancel();
        on_finished();
        settle();
    }

    /// Completes once the transaction ended and no operation of its own is pending.
    void settle() {
        if (!done_ || completed_ || send_pending_ || timer_waits_ != 0 || busy()) return;
        completed_ = true;
        complete(error_, client_.result());
    }

    socket_type& socket_;
    owned_request_options options_;
    stun::binding_client client_;
    bool done_ = false;

private:
    /// The request is copied: a 300/401/438 may rebuild it while a send is still queued.
    void transmit() {
        if (send_pending_) {
            resend_ = true;
            return;
        }
        const bytes_view request = client_.request();
        std::memcpy(send_buffer_.data(), request.data(), request.size());
        send_pending_ = true;
        socket_.async_send_to(net::buffer(send_buffer_.data(), request.size()), to_udp(client_.destination()),
                              [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_sent(ec); });
    }

    void on_sent(const error_code& ec) {
        send_pending_ = false;
        if (!done_) {
            if (ec) return finish(ec);
            if (resend_) {
                resend_ = false;
                transmit();
            }
        }
        settle();
    }

    /// A new expiry cancels the pending wait; its handler then only re-checks the client.
    void arm_timer() {
        const auto deadline = client_.deadline();
        if (deadline == clock::time_point::max()) return;
        timer_.expires_at(deadline);
        ++timer_waits_;
        timer_.async_wait([self = shared_from_this()](const error_code&) { self->on_timer(); });
    }

    void on_timer() {
        --timer_waits_;
        if (!done_) {
            const bool retransmit = client_.on_timer(clock::now());
            if (client_.state() != stun::binding_state::pending) return finish(error_of(client_));
            if (retransmit) transmit();
            if (timer_waits_ == 0) arm_timer();
        }
        settle();
    }

    net::steady_timer timer_;
    std::array<std::uint8_t, stun::binding_client::max_request_size> send_buffer_{};
    error_code error_;
    unsigned timer_waits_ = 0;
    bool send_pending_ = false;
    bool resend_ = false;
    bool completed_ = false;
};

}  // namespace detail
}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_DETAIL_UDP_TRANSACTION_HPP
