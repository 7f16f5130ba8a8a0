// natkit/asio/discovery.hpp - runs nat::discovery (RFC 5780 / RFC 3489 NAT classification)
// on Asio UDP sockets and a steady_timer.
//
//     natkit::asio::async_discover(socket, &second_socket, config, seed,
//         [](natkit::asio::error_code ec, natkit::nat::discovery_result r) { ... });
//
// The sockets must be open and bound; `config.local` must be the primary socket's real
// address (see natkit-discover for finding it when bound to 0.0.0.0). While the discovery
// runs it reads both sockets itself; datagrams that are not its own go to `on_other`
// (when given) instead of being lost. Completion signature: void(error_code, discovery_result).
#ifndef NATKIT_ASIO_DISCOVERY_HPP
#define NATKIT_ASIO_DISCOVERY_HPP

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "natkit/asio/config.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/nat/discovery.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

using discover_signature = void(error_code, nat::discovery_result);
/// Receives datagrams that arrive on the discovery's sockets but are not its own.
using other_datagram_handler = std::function<void(int socket, bytes_view, const endpoint& from)>;

namespace detail {

template <class Handler>
class discovery_op : public std::enable_shared_from_this<discovery_op<Handler>> {
public:
    discovery_op(Handler&& h, net::ip::udp::socket& primary, net::ip::udp::socket* secondary,
                 const nat::discovery_config& cfg, std::uint64_t seed, other_datagram_handler on_other)
        : handler_(std::move(h)),
          work_(net::get_associated_executor(handler_, primary.get_executor())),
          sockets_{&primary, secondary},
          timer_(primary.get_executor()),
          discovery_(cfg, seed, std::chrono::steady_clock::now()),
          on_other_(std::move(on_other)) {}

    void start() {
        for (int s = 0; s < 2; ++s)
            if (sockets_[static_cast<std::size_t>(s)]) receive(s);
        pump();
    }

private:
    void receive(int s) {
        auto self = this->shared_from_this();
        auto& sock = *sockets_[static_cast<std::size_t>(s)];
        ++outstanding_;
        sock.async_receive_from(net::buffer(buffers_[static_cast<std::size_t>(s)]), senders_[static_cast<std::size_t>(s)],
                                [self, s](const error_code& ec, std::size_t n) { self->on_receive(s, ec, n); });
    }

    void on_receive(int s, const error_code& ec, std::size_t n) {
        --outstanding_;
        if (!done_ && !ec) {
            const bytes_view data(buffers_[static_cast<std::size_t>(s)].data(), n);
            const endpoint from = to_natkit(senders_[static_cast<std::size_t>(s)]);
            const bool ours = discovery_.on_datagram(s, data, from, std::chrono::steady_clock::now());
            if (!ours && on_other_) on_other_(s, data, from);
            pump();
        }
        // ICMP port unreachable (a closed port on the far side) shows up as connection_refused
        // on Linux: not fatal, keep reading.
        if (!done_ && (!ec || ec == net::error::connection_refused)) receive(s);
        else finish_if_idle();
    }

    void pump() {
        if (done_) return;
        const auto now = std::chrono::steady_clock::now();
        nat::transmit tx;
        while (discovery_.poll_transmit(now, tx)) {
            auto* sock = sockets_[static_cast<std::size_t>(tx.socket)];
            if (!sock) continue;
            error_code ignored;  // a lost send is a lost packet: the discovery retransmits
            sock->send_to(net::buffer(tx.datagram.data(), tx.datagram.size()), to_udp(tx.to), 0, ignored);
        }
        if (discovery_.finished()) {
            done_ = true;
            for (auto* sock : sockets_)
                if (sock) {
                    error_code ignored;
                    sock->cancel(ignored);
                }
            timer_.cancel();
            finish_if_idle();
            return;
        }
        timer_.expires_at(discovery_.next_deadline());
        auto self = this->shared_from_this();
        ++outstanding_;
        timer_.async_wait([self](const error_code&) {
            --self->outstanding_;
            if (self->done_) self->finish_if_idle();
            else self->pump();
        });
    }

    /// The handler runs once every operation the discovery started has completed.
    void finish_if_idle() {
        if (!done_ || outstanding_ != 0 || completed_) return;
        completed_ = true;
        auto ex = work_.get_executor();
        net::dispatch(ex, [h = std::move(handler_), r = discovery_.result(), w = std::move(work_)]() mutable {
            std::move(h)(error_code(), r);
        });
    }

    Handler handler_;
    net::executor_work_guard<net::associated_executor_t<Handler, net::ip::udp::socket::executor_type>> work_;
    std::array<net::ip::udp::socket*, 2> sockets_;
    net::steady_timer timer_;
    nat::discovery discovery_;
    other_datagram_handler on_other_;
    std::array<std::array<std::uint8_t, 1500>, 2> buffers_{};
    std::array<net::ip::udp::endpoint, 2> senders_{};
    int outstanding_ = 0;
    bool done_ = false;
    bool completed_ = false;
};

}  // namespace detail

/// Classifies the NAT in front of `primary` (and tests hairpinning from `secondary` when
/// config.test_hairpinning is set; `secondary` may be null otherwise).
template <class CompletionToken>
auto async_discover(net::ip::udp::socket& primary, net::ip::udp::socket* secondary, const nat::discovery_config& config,
                    std::uint64_t seed, CompletionToken&& token, other_datagram_handler on_other = {}) {
    return net::async_initiate<CompletionToken, discover_signature>(
        [&primary, secondary, config, seed](auto handler, other_datagram_handler other) {
            using handler_type = std::decay_t<decltype(handler)>;
            auto op = std::make_shared<detail::discovery_op<handler_type>>(std::move(handler), primary, secondary,
                                                                           config, seed, std::move(other));
            op->start();
        },
        token, std::move(on_other));
}

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_DISCOVERY_HPP
