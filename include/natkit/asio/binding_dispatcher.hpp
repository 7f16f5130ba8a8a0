// natkit/asio/binding_dispatcher.hpp - STUN Binding requests on a UDP socket whose receive
// loop belongs to someone else (a SIP stack, an RTP session).
//
// The dispatcher sends the requests and runs their timers; the caller's own receive loop
// shows it every datagram and keeps those it does not claim:
//
//     natkit::asio::binding_dispatcher stun(sip_socket);
//     stun.async_request(options, [](natkit::asio::error_code ec, natkit::stun::binding_result r) { ... });
//     // in the socket's existing receive handler:
//     if (!stun.dispatch(natkit::bytes_view(buf, n), sender)) sip.on_datagram(buf, n, sender);
//
// Completion is as for async_binding_request (binding_request.hpp); handlers are never called
// from inside dispatch() or async_request(). Destroying the dispatcher (or cancel()) ends the
// pending requests with net::error::operation_aborted. Not thread-safe: use it from the
// socket's executor (a strand when the io_context runs in several threads). The socket must
// outlive the requests (close() is fine: they then fail with the send error).
#ifndef NATKIT_ASIO_BINDING_DISPATCHER_HPP
#define NATKIT_ASIO_BINDING_DISPATCHER_HPP

#include <algorithm>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "natkit/asio/binding_request.hpp"
#include "natkit/asio/config.hpp"
#include "natkit/asio/detail/completion.hpp"
#include "natkit/asio/detail/udp_transaction.hpp"
#include "natkit/asio/error.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/stun/binding_client.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/message.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

class binding_dispatcher;

namespace detail {

/// What a dispatched request needs from its dispatcher: to leave its list when it ends.
class dispatcher_registry {
public:
    dispatcher_registry() = default;
    dispatcher_registry(const dispatcher_registry&) = delete;
    dispatcher_registry& operator=(const dispatcher_registry&) = delete;

    void add(std::shared_ptr<udp_transaction> t) { pending_.push_back(std::move(t)); }
    void remove(const udp_transaction* t) noexcept {
        pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                      [t](const std::shared_ptr<udp_transaction>& p) { return p.get() == t; }),
                       pending_.end());
    }

protected:
    std::vector<std::shared_ptr<udp_transaction>> pending_;
};

template <class Handler>
class dispatched_request final : public udp_transaction {
public:
    dispatched_request(socket_type& socket, const stun::binding_request_options& options, Handler&& handler,
                       dispatcher_registry* registry)
        : udp_transaction(socket, options),
          completion_(std::move(handler), socket.get_executor()),
          registry_(registry) {}

    void run() {
        registry_->add(shared_from_this());
        completion_.on_cancel([this] { abort(net::error::operation_aborted); });
        start();
    }

private:
    void on_finished() override {
        if (registry_) registry_->remove(this);
        registry_ = nullptr;
    }

    // Always posted: the request may end inside dispatch() or async_request(), where the
    // caller does not expect its handlers to run.
    void complete(const error_code& ec, const stun::binding_result& result) override {
        completion_.complete(true, ec, result);
    }

    binding_completion<Handler, socket_type::executor_type> completion_;
    dispatcher_registry* registry_;
};

}  // namespace detail

/// Binding requests over one UDP socket the application also reads: the application hands
/// every datagram it receives to dispatch(), which takes the STUN answers to pending requests.
class binding_dispatcher : private detail::dispatcher_registry {
public:
    /// The socket type the dispatcher sends on.
    using socket_type = net::ip::udp::socket;

    /// The socket must be open (and bound, when the local address matters) before the first
    /// request, and outlive the dispatcher's requests.
    explicit binding_dispatcher(socket_type& socket) noexcept : socket_(socket) {}
    binding_dispatcher(const binding_dispatcher&) = delete;
    binding_dispatcher& operator=(const binding_dispatcher&) = delete;
    ~binding_dispatcher() { cancel(); }

    /// Starts one Binding request; completion signature void(error_code, stun::binding_result).
    /// The options' strings are copied.
    template <class CompletionToken>
    auto async_request(const stun::binding_request_options& options, CompletionToken&& token) {
        return net::async_initiate<CompletionToken, binding_request_signature>(initiate{this}, token, options);
    }

    /// Offers a datagram the caller's receive loop read from `from`. Returns true when it was
    /// a response to one of the pending requests (then it is consumed); false for everything
    /// else, which the caller handles as if the dispatcher were not there.
    bool dispatch(bytes_view datagram, const net::ip::udp::endpoint& from) {
        // RFC 7983 §7: STUN starts with 0-3; responses to Binding (0x0101, 0x0111) with 1.
        if (pending_.empty() || datagram.size() < stun::header_size || datagram[0] != 0x01) return false;
        const auto msg = stun::message_view::parse(datagram);
        if (!msg) return false;
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            const std::shared_ptr<detail::udp_transaction> keep = pending_[i];  // offer() may remove it
            if (keep->offer(*msg, from)) return true;
        }
        return false;
    }

    /// Ends every pending request with net::error::operation_aborted.
    void cancel() {
        std::vector<std::shared_ptr<detail::udp_transaction>> ending;
        ending.swap(pending_);
        for (auto& t : ending) t->abort(net::error::operation_aborted);
    }

    /// Requests started and not yet ended.
    std::size_t pending() const noexcept { return pending_.size(); }

    /// The socket requests are sent on.
    socket_type& socket() noexcept { return socket_; }

private:
    struct initiate {
        binding_dispatcher* self;
        template <class Handler>
        void operator()(Handler&& handler, const stun::binding_request_options& options) const {
            using request = detail::dispatched_request<std::decay_t<Handler>>;
            detail::dispatcher_registry* registry = self;
            std::decay_t<Handler> h(std::forward<Handler>(handler));  // a token may pass an lvalue
            auto r = std::make_shared<request>(self->socket_, options, std::move(h), registry);
            r->run();
        }
    };

    socket_type& socket_;
};

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_BINDING_DISPATCHER_HPP
