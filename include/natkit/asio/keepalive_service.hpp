// natkit/asio/keepalive_service.hpp - runs keepalive::scheduler on an Asio steady_timer and
// the caller's UDP sockets.
//
// The service sends on sockets it does not own and reads none of them: the application's
// receive loop, which already splits SIP from STUN (sip/demultiplexer.hpp or
// natkit::classify), hands each STUN datagram to dispatch(). So SIP and keepalives share one
// socket, as on a PBX's trunk port.
//
//     natkit::asio::keepalive_service ka(io.get_executor());
//     auto sock_id = ka.add_socket(sip_socket);
//     ka.on_event([](const auto& e) { if (e.kind == event_kind::changed) reregister(e.current); });
//     auto id = ka.add({sock_id, stun_server});
//     ... in the receive loop: if (!ka.dispatch(sock_id, bytes, from)) handle_sip(bytes);
//     ... after sending SIP on it: ka.note_outbound(id);
#ifndef NATKIT_ASIO_KEEPALIVE_SERVICE_HPP
#define NATKIT_ASIO_KEEPALIVE_SERVICE_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "natkit/asio/config.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/keepalive/scheduler.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

/// keepalive::scheduler on an Asio timer: keepalives go out on the application's UDP sockets,
/// answers come back through dispatch() from the application's own receive loop.
class keepalive_service {
public:
    ///@{
    /// The scheduler, its event type, and the callbacks for events and sends.
    using scheduler_type = keepalive::scheduler<std::chrono::steady_clock>;
    using event = scheduler_type::event;
    using event_handler = std::function<void(const event&)>;
    using send_observer = std::function<void(const keepalive::keepalive_transmit&)>;
    ///@}

    /// A service whose timer runs on `ex`.
    explicit keepalive_service(net::any_io_executor ex, keepalive::scheduler_config config = {})
        : timer_(ex), scheduler_(std::chrono::steady_clock::now(), config) {}
    keepalive_service(const keepalive_service&) = delete;
    keepalive_service& operator=(const keepalive_service&) = delete;
    /// Pending timer handlers that run after destruction find `alive_` false and do nothing.
    ~keepalive_service() {
        *alive_ = false;
        stop();
    }

    /// Registers a socket the service may send on; returns its id for binding_options::socket.
    std::uint32_t add_socket(net::ip::udp::socket& s) {
        sockets_.push_back(&s);
        return static_cast<std::uint32_t>(sockets_.size() - 1);
    }

    /// Adds a binding (its first keepalive goes out at once).
    keepalive::binding_id add(const keepalive::binding_options& o) {
        const auto id = scheduler_.add(o, std::chrono::steady_clock::now());
        run();
        return id;
    }
    /// Removes a binding.
    void remove(keepalive::binding_id id) { scheduler_.remove(id); }
    /// The application sent on this binding's socket: postpone its keepalive.
    void note_outbound(keepalive::binding_id id) { scheduler_.note_outbound(id, std::chrono::steady_clock::now()); }
    /// The binding's public address, once known.
    std::optional<endpoint> mapped(keepalive::binding_id id) const { return scheduler_.mapped(id); }

    /// Receives mapped, changed, lost and restored events.
    void on_event(event_handler h) { on_event_ = std::move(h); }
    /// Sees every keepalive sent (for logs and tests).
    void on_send(send_observer o) { on_send_ = std::move(o); }

    /// Offers a datagram received on socket `socket`; true when it was a keepalive answer.
    bool dispatch(std::uint32_t socket, bytes_view data, const endpoint& from) {
        const bool ours = scheduler_.on_datagram(socket, data, from, std::chrono::steady_clock::now(), *this);
        if (ours) run();
        return ours;
    }
    /// A CRLF pong arrived on this binding's flow (RFC 5626 §4.4.1).
    void pong(keepalive::binding_id id) {
        scheduler_.on_pong(id, std::chrono::steady_clock::now(), *this);
        run();
    }

    /// Stops the timer; no keepalive is sent after this.
    void stop() {
        stopped_ = true;
        timer_.cancel();
    }

    ///@{
    /// The scheduler's handler interface (called by the scheduler, not by the application).
    void on_send(const keepalive::keepalive_transmit& t) {
        if (t.socket < sockets_.size()) {
            error_code ignored;  // a failed send is a lost keepalive: the round retransmits
            sockets_[t.socket]->send_to(net::buffer(t.bytes.data(), t.bytes.size()), to_udp(t.to), 0, ignored);
        }
        if (on_send_) on_send_(t);
    }
    void on_event(const event& e) {
        if (on_event_) on_event_(e);
    }
    ///@}

private:
    /// Polls what is due and re-arms the timer for the next deadline.
    void run() {
        if (stopped_) return;
        scheduler_.poll(std::chrono::steady_clock::now(), *this);
        const auto next = scheduler_.next_deadline();
        if (next == std::chrono::steady_clock::time_point::max()) return;
        if (armed_ && next >= armed_for_) return;
        armed_ = true;
        armed_for_ = next;
        const std::uint64_t generation = ++generation_;  // a re-arm makes older waits stale
        timer_.expires_at(next);
        timer_.async_wait([this, alive = alive_, generation](const error_code& ec) {
            if (!*alive || generation != generation_) return;
            armed_ = false;
            if (!ec) run();
        });
    }

    net::steady_timer timer_;
    scheduler_type scheduler_;
    std::vector<net::ip::udp::socket*> sockets_;
    event_handler on_event_;
    send_observer on_send_;
    std::chrono::steady_clock::time_point armed_for_{};
    std::uint64_t generation_ = 0;
    bool armed_ = false;
    bool stopped_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_KEEPALIVE_SERVICE_HPP
