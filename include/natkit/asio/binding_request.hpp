// natkit/asio/binding_request.hpp - one STUN Binding request over an Asio UDP or TCP socket,
// as an asynchronous operation with a completion token.
//
//     natkit::asio::binding_request_options opt;
//     opt.server = natkit::endpoint::parse("192.0.2.1:3478").value();
//     natkit::asio::async_binding_request(udp_socket, opt,
//         [](natkit::asio::error_code ec, natkit::stun::binding_result r) {
//             if (!ec) use(*r.mapped_address);
//         });
//     // or: auto r = co_await natkit::asio::async_binding_request(udp_socket, opt, net::use_awaitable);
//     // or: std::future<stun::binding_result> f = ...(udp_socket, opt, net::use_future);
//
// Completion signature: void(error_code, stun::binding_result). The error is empty on success;
// errc::timed_out, errc::error_response (result.error_code and result.reason() say which),
// errc::bad_response, errc::integrity_violation, errc::request_too_large; over TCP also
// errc::stream_error and errc::connection_closed; or the socket's own error
// (net::error::operation_aborted after cancellation or close(), connection_refused, ...).
// The result is filled as far as the transaction got (stun::binding_result): on success the
// mapped address, RESPONSE-ORIGIN, OTHER-ADDRESS, SOFTWARE, the RTT.
//
// The protocol (RFC 8489 retransmissions, 300 Try Alternate, 401/438 long-term credentials,
// RFC 5780 CHANGE-REQUEST) is stun::binding_client's; this file only moves its bytes.
//
// UDP: while the request runs, this operation owns the socket's receive side: it keeps one
// receive pending and hands every datagram that is not a response to this request to
// options.on_other_datagram (SIP on a shared signalling socket, RTP, ...) instead of dropping
// it. Start no other receive on the socket meanwhile. When the socket already has a receive
// loop of its own, use binding_dispatcher instead; likewise with RFC 5780 RESPONSE-PORT,
// whose answer arrives on another socket (dispatch() it from that socket's loop).
//
// TCP (RFC 8489 §6.2.2): the socket is connected to options.server unless it already is
// (open and bind it first to choose the local address), the request is written once, the
// response is read with stun::stream_framer; Ti (options.policy.ti, 39.5 s by default) bounds
// connect + request. One request per connection; after a failure the socket is closed, after
// success it stays connected (local_endpoint() tells the local address).
//
// Threading: as for Asio's own operations. The socket must not be destroyed (close() is fine)
// while the request runs; with an io_context run by several threads use a strand.
#ifndef NATKIT_ASIO_BINDING_REQUEST_HPP
#define NATKIT_ASIO_BINDING_REQUEST_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "natkit/asio/config.hpp"
#include "natkit/asio/detail/completion.hpp"
#include "natkit/asio/detail/udp_transaction.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/asio/error.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/stun/binding_client.hpp"
#include "natkit/stun/message.hpp"
#include "natkit/stun/stream_framer.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

/// The completion signature of the Binding request operations.
using binding_request_signature = void(error_code, stun::binding_result);

/// stun::binding_request_options plus what only the UDP receive loop needs. The string
/// views (software, username, password) are copied when the request starts.
struct binding_request_options : stun::binding_request_options {
    /// Every datagram the request's receive loop reads that is not a response to it: called
    /// with the bytes (valid during the call) and the sender. Without it such datagrams are
    /// dropped. Runs on the socket's executor; it must not throw.
    std::function<void(bytes_view datagram, const net::ip::udp::endpoint& from)> on_other_datagram;
};

namespace detail {

/// The UDP request with its own receive loop.
template <class Handler>
class udp_request_op final : public udp_transaction {
public:
    /// Large enough for any UDP datagram, so that others' datagrams reach on_other_datagram whole.
    static constexpr std::size_t receive_buffer_size = 65536;

    udp_request_op(socket_type& socket, const asio::binding_request_options& options, Handler&& handler)
        : udp_transaction(socket, options),
          on_other_(options.on_other_datagram),
          completion_(std::move(handler), socket.get_executor()) {}

    void run() {
        initiating_ = true;
        completion_.on_cancel([this] { abort(net::error::operation_aborted); });
        start();
        if (!done_) receive();
        initiating_ = false;
    }

private:
    std::shared_ptr<udp_request_op> self() { return std::static_pointer_cast<udp_request_op>(shared_from_this()); }

    void receive() {
        receive_pending_ = true;
        auto on_receive = [self = self()](const error_code& ec, std::size_t n) { self->on_received(ec, n); };
#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
        socket_.async_receive_from(net::buffer(buffer_), from_,
                                   net::bind_cancellation_slot(receive_cancel_.slot(), std::move(on_receive)));
#else
        socket_.async_receive_from(net::buffer(buffer_), from_, std::move(on_receive));
#endif
    }

    void on_received(const error_code& ec, std::size_t n) {
        receive_pending_ = false;
        if (ec) {
            if (!done_) finish(ec);
            return settle();
        }
        const bytes_view datagram(buffer_.data(), n);
        bool ours = false;
        if (auto msg = stun::message_view::parse(datagram)) ours = offer(*msg, from_) || carries_our_id(*msg);
        // A datagram that a cancelled receive still delivered is passed on too: never swallowed.
        if (!ours && on_other_) on_other_(datagram, from_);
        if (!done_) receive();
        settle();
    }

    void on_finished() override {
        if (!receive_pending_) return;
#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
        receive_cancel_.emit(net::cancellation_type::terminal);
#else
        error_code ignored;
        socket_.cancel(ignored);  // Asio < 1.19: no per-operation cancellation
#endif
    }

    bool busy() const noexcept override { return receive_pending_; }

    void complete(const error_code& ec, const stun::binding_result& result) override {
        completion_.complete(initiating_, ec, result);
    }

    std::function<void(bytes_view, const net::ip::udp::endpoint&)> on_other_;
    binding_completion<Handler, socket_type::executor_type> completion_;
#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
    net::cancellation_signal receive_cancel_;
#endif
    net::ip::udp::endpoint from_;
    bool receive_pending_ = false;
    bool initiating_ = false;
    std::array<std::uint8_t, receive_buffer_size> buffer_{};
};

/// Equal, also when one is the IPv4-mapped IPv6 form of the other (a dual-stack socket's view).
inline bool same_transport_address(const endpoint& a, const endpoint& b) noexcept {
    const auto unmapped = [](const endpoint& e) {
        if (!e.address().is_v4_mapped()) return e;
        return endpoint(ip_address::v4_bytes(e.address().data() + 12), e.port());
    };
    return unmapped(a) == unmapped(b);
}

/// The TCP request: connect, write, read frames until the transaction ends.
template <class Handler>
class tcp_request_op final : public std::enable_shared_from_this<tcp_request_op<Handler>> {
public:
    using socket_type = net::ip::tcp::socket;
    using clock = std::chrono::steady_clock;
    /// Responses larger than this fail with errc::stream_error (real ones are far smaller).
    static constexpr std::size_t max_response_size = 8192;

    tcp_request_op(socket_type& socket, const stun::binding_request_options& options, Handler&& handler)
        : socket_(socket),
          options_(options, stun::transport_kind::stream),
          timer_(socket.get_executor()),
          framer_(mutable_bytes(frame_storage_.data(), frame_storage_.size())),
          completion_(std::move(handler), socket.get_executor()) {}

    void run() {
        initiating_ = true;
        completion_.on_cancel([this] { finish(net::error::operation_aborted); });
        connect_deadline_ = clock::now() + options_.get().policy.ti;
        arm_timer(connect_deadline_);
        connect(options_.get().server);
        initiating_ = false;
    }

private:
    void connect(const endpoint& destination) {
        error_code ec;
        const auto remote = socket_.remote_endpoint(ec);
        if (!ec && same_transport_address(to_natkit(remote), destination)) {
            on_connected(destination, generation_, {});
            return;
        }
        if (!ec) socket_.close(ec);  // connected elsewhere: a 300 moved the request
        connect_pending_ = true;
        socket_.async_connect(to_tcp(destination),
                              [self = this->shared_from_this(), destination, g = generation_](const error_code& e) {
                                  self->connect_pending_ = false;
                                  self->on_connected(destination, g, e);
                              });
    }

    void on_connected(const endpoint& destination, unsigned generation, const error_code& ec) {
        if (done_ || generation != generation_) return settle();
        if (ec) return finish(ec);
        connected_to_ = destination;
        framer_ = stun::stream_framer(mutable_bytes(frame_storage_.data(), frame_storage_.size()));
        if (!client_) {
            // The transaction (and Ti) starts with the first send (RFC 8489 §6.2.2).
            client_.emplace(options_.get(), random_transaction_id(), clock::now());
            if (client_->state() != stun::binding_state::pending) return finish(error_of(*client_));
        }
        arm_timer(client_->deadline());
        write();
        read();
        settle();
    }

    void write() {
        const bytes_view request = client_->request();
        std::memcpy(send_buffer_.data(), request.data(), request.size());
        write_pending_ = true;
        net::async_write(socket_, net::buffer(send_buffer_.data(), request.size()),
                         [self = this->shared_from_this(), g = generation_](const error_code& ec, std::size_t) {
                             self->write_pending_ = false;
                             if (!self->done_ && ec && g == self->generation_) return self->finish(ec);
                             self->settle();
                         });
    }

    void read() {
        if (read_pending_) return;
        read_pending_ = true;
        socket_.async_read_some(net::buffer(read_buffer_), [self = this->shared_from_this(), g = generation_](
                                                               const error_code& ec, std::size_t n) {
            self->read_pending_ = false;
            self->on_read(g, ec, n);
        });
    }

    void on_read(unsigned generation, const error_code& ec, std::size_t n) {
        if (done_ || generation != generation_) return settle();
        if (ec == net::error::eof) return finish(errc::connection_closed);
        if (ec) return finish(ec);
        const bytes_view data(read_buffer_.data(), n);
        std::size_t used = 0;
        while (used < data.size()) {
            const std::size_t taken = framer_.append(data.subview(used));
            used += taken;
            bool any = false;
            for (;;) {
                auto message = framer_.next();
                if (!message) return finish(errc::stream_error);  // not STUN, or too large
                if (message->empty()) break;
                any = true;
                if (!on_message(*message)) return settle();  // ended, or reconnecting
            }
            if (taken == 0 && !any) return finish(errc::stream_error);
        }
        read();
        settle();
    }

    /// Feeds one framed message to the client; false when reading must stop.
    bool on_message(bytes_view message) {
        switch (client_->on_datagram(message, connected_to_, clock::now())) {
            case stun::response_verdict::not_mine:
                return true;
            case stun::response_verdict::send_again:
                arm_timer(client_->deadline());
                if (same_transport_address(client_->destination(), connected_to_)) {
                    write();  // 401/438: the same connection (RFC 8489 §9.2.5)
                    return true;
                }
                // 300: "using the same transport protocol" to the alternate server (RFC 8489 §10).
                ++generation_;
                connect(client_->destination());
                return false;
            case stun::response_verdict::done:
                finish(error_of(*client_));
                return false;
        }
        return false;
    }

    void arm_timer(clock::time_point deadline) {
        if (deadline == clock::time_point::max()) return;
        timer_.expires_at(deadline);
        ++timer_waits_;
        timer_.async_wait([self = this->shared_from_this()](const error_code&) { self->on_timer(); });
    }

    void on_timer() {
        --timer_waits_;
        if (done_) return settle();
        const auto now = clock::now();
        if (!client_) {
            if (now >= connect_deadline_) return finish(errc::timed_out);
            if (timer_waits_ == 0) arm_timer(connect_deadline_);
        } else {
            client_->on_timer(now);
            if (client_->state() != stun::binding_state::pending) return finish(error_of(*client_));
            if (timer_waits_ == 0) arm_timer(client_->deadline());
        }
        settle();
    }

    void finish(const error_code& ec) {
        if (done_) return;
        done_ = true;
        error_ = ec;
        timer_.cancel();
        error_code ignored;
        if (ec)
            socket_.close(ignored);  // cancels connect, read and write
        else
            socket_.cancel(ignored);  // the read that may still be pending
        settle();
    }

    void settle() {
        if (!done_ || completed_ || connect_pending_ || write_pending_ || read_pending_ || timer_waits_ != 0) return;
        completed_ = true;
        completion_.complete(initiating_, error_, client_ ? client_->result() : stun::binding_result{});
    }

    socket_type& socket_;
    owned_request_options options_;
    std::optional<stun::binding_client> client_;
    net::steady_timer timer_;
    clock::time_point connect_deadline_{};
    endpoint connected_to_{};
    std::array<std::uint8_t, stun::binding_client::max_request_size> send_buffer_{};
    std::array<std::uint8_t, max_response_size> frame_storage_{};
    std::array<std::uint8_t, 2048> read_buffer_{};
    stun::stream_framer framer_;
    binding_completion<Handler, socket_type::executor_type> completion_;
    error_code error_;
    unsigned generation_ = 0;  // bumped on reconnect: handlers of the old connection are ignored
    unsigned timer_waits_ = 0;
    bool connect_pending_ = false;
    bool write_pending_ = false;
    bool read_pending_ = false;
    bool done_ = false;
    bool completed_ = false;
    bool initiating_ = false;
};

struct initiate_udp_binding_request {
    template <class Handler>
    void operator()(Handler&& handler, net::ip::udp::socket* socket,
                    const asio::binding_request_options& options) const {
        using op = udp_request_op<std::decay_t<Handler>>;
        std::decay_t<Handler> h(std::forward<Handler>(handler));  // a token may pass an lvalue
        auto o = std::make_shared<op>(*socket, options, std::move(h));
        o->run();
    }
};

struct initiate_tcp_binding_request {
    template <class Handler>
    void operator()(Handler&& handler, net::ip::tcp::socket* socket,
                    const stun::binding_request_options& options) const {
        using op = tcp_request_op<std::decay_t<Handler>>;
        std::decay_t<Handler> h(std::forward<Handler>(handler));  // a token may pass an lvalue
        auto o = std::make_shared<op>(*socket, options, std::move(h));
        o->run();
    }
};

}  // namespace detail

/// One Binding request over a UDP socket (open, and bound if the local address matters)
/// that this operation reads from while it runs. See the file comment.
template <class CompletionToken>
auto async_binding_request(net::ip::udp::socket& socket, const binding_request_options& options,
                           CompletionToken&& token) {
    return net::async_initiate<CompletionToken, binding_request_signature>(detail::initiate_udp_binding_request{},
                                                                           token, &socket, options);
}

/// As above, without a receiver for other datagrams (they are dropped).
template <class CompletionToken>
auto async_binding_request(net::ip::udp::socket& socket, const stun::binding_request_options& options,
                           CompletionToken&& token) {
    binding_request_options o;
    static_cast<stun::binding_request_options&>(o) = options;
    return async_binding_request(socket, o, std::forward<CompletionToken>(token));
}

/// One Binding request over TCP (RFC 8489 §6.2.2). See the file comment.
template <class CompletionToken>
auto async_binding_request(net::ip::tcp::socket& socket, const stun::binding_request_options& options,
                           CompletionToken&& token) {
    return net::async_initiate<CompletionToken, binding_request_signature>(detail::initiate_tcp_binding_request{},
                                                                           token, &socket, options);
}

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_BINDING_REQUEST_HPP
