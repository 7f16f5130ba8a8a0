// natkit/asio/stun_server.hpp - a STUN Binding server on UDP: stun::binding_responder on one
// socket (IP1:P1) or, with an alternate address, on the four of RFC 5780 §6 (IP1:P1, IP1:P2,
// IP2:P1, IP2:P2).
//
//     stun::responder_config cfg;
//     cfg.primary = endpoint::parse("192.0.2.1:3478").value();
//     cfg.alternate = endpoint::parse("192.0.2.2:3479").value();  // optional
//     natkit::asio::stun_server server(io.get_executor(), cfg);
//     if (auto ec = server.open()) fail(ec);                      // binds the sockets
//     server.start();                                              // receive loops
//     io.run();                                                    // ... server.stop() ends them
//
// Each reply leaves from the socket whose address is reply.from (CHANGE-REQUEST picks another
// one) to reply.to. Port 0 in the configuration picks free ports (the four sockets then share
// the two chosen port numbers); the config() after open() has the real ones.
//
// Batched I/O on Linux: each socket waits for readability (async_wait), then is drained with
// recvmmsg, up to 64 datagrams per call and a few calls per turn; the responder answers each
// into its own reply buffer, and the replies leave with one sendmmsg per outgoing socket
// (CHANGE-REQUEST answers go out of another of the four sockets). Elsewhere, or after
// use_batched_io(false), one async_receive_from and one send_to per datagram. Both paths
// answer the same way and count the same way; the batched one makes two system calls per
// batch instead of two per request.
//
// No allocation per request: the receive buffers (and on Linux the batch of message headers
// and reply buffers) are allocated by start(), replies are sent at once without blocking (a
// reply that would block is dropped and counted, as the network could have lost it: the
// client retransmits), and Asio recycles the memory of its wait and receive operations.
//
// Bind to the addresses clients reach, not to 0.0.0.0 or ::: the responder reports the
// socket's own address as RESPONSE-ORIGIN (and derives OTHER-ADDRESS and CHANGE-REQUEST
// sources from it), and Asio cannot tell which local address a datagram arrived on.
//
// Threading: call everything from the executor's thread (or strand); stats() too.
#ifndef NATKIT_ASIO_STUN_SERVER_HPP
#define NATKIT_ASIO_STUN_SERVER_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "natkit/asio/config.hpp"
#include "natkit/asio/detail/udp_batch.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/stun/binding_responder.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

/// What a stun_server counted since it was made.
struct stun_server_stats {
    stun::responder_stats responder;   ///< answered / errors / dropped, from the responder
    std::uint64_t received = 0;        ///< datagrams read from the sockets
    /// Reads that returned datagrams: received / receive_calls datagrams per system call
    /// (1 without batched I/O).
    std::uint64_t receive_calls = 0;
    std::uint64_t sent = 0;            ///< replies handed to the network
    std::uint64_t send_errors = 0;     ///< replies that could not be sent (would block, no route, ...)
    std::uint64_t receive_errors = 0;  ///< failed receives (other than stop())
};

/// One handled datagram, for logs (stun_server::set_observer).
struct stun_server_event {
    endpoint source;                     ///< where the datagram came from
    endpoint local;                      ///< the server address it arrived on
    const stun::responder_reply* reply;  ///< what was sent (from, to); null when dropped
    error_code send_error;               ///< why the reply could not be sent, if so
};

/// An RFC 5780 STUN server on two or four UDP sockets: stun::binding_responder for the logic.
class stun_server {
public:
    /// The executor the sockets run on.
    using executor_type = net::any_io_executor;
    /// Any UDP datagram fits, so that long PADDING requests (RFC 5780 §7.6) arrive whole.
    static constexpr std::size_t receive_buffer_size = 65536;
    /// Replies are small: addresses, SOFTWARE (< 764 bytes), at most 512 bytes of PADDING.
    static constexpr std::size_t reply_buffer_size = 2048;
    /// True where the sockets are read and written in batches (Linux: recvmmsg, sendmmsg).
    static constexpr bool batched_io_supported = NATKIT_ASIO_HAS_UDP_BATCH != 0;

    /// `config` is kept: its primary and alternate say where to listen (ports 0: any free
    /// one), the rest configures the stun::binding_responder. Its string views (software,
    /// realm, nonce_secret) are borrowed and must outlive the server.
    stun_server(const executor_type& executor, stun::responder_config config)
        : executor_(executor), config_(std::move(config)), impl_(std::make_shared<impl>()) {}

    stun_server(const stun_server&) = delete;
    stun_server& operator=(const stun_server&) = delete;
    ~stun_server() { stop(); }

    /// Binds the sockets: IP1:P1 only, or all four with an alternate. Fails with
    /// net::error::invalid_argument when the alternate has the primary's IP address or port
    /// or another address family, net::error::already_open when open, or the bind error.
    error_code open() {
        if (!impl_->slots.empty()) return net::error::already_open;
        const endpoint primary = config_.primary;
        if (config_.alternate) {
            const endpoint& alternate = *config_.alternate;
            if (alternate.family() != primary.family() || alternate.address() == primary.address() ||
                (alternate.port() != 0 && alternate.port() == primary.port()))
                return net::error::invalid_argument;
        }
        error_code ec;
        // With port 0 the ports are only known after binding IP1:P1 and IP2:P2; the other two
        // sockets may then find a port taken, so try again with new ones a few times.
        for (int attempt = 0; attempt < 16; ++attempt) {
            close_all();
            impl_->slots.clear();  // nothing is pending on them before start()
            ec = bind_all();
            if (!ec) break;
            const bool any_port = primary.port() == 0 || (config_.alternate && config_.alternate->port() == 0);
            if (!(any_port && ec == net::error::address_in_use)) break;
        }
        if (ec) {
            close_all();
            impl_->slots.clear();
            return ec;
        }
        config_.primary = impl_->slots[0]->local;
        if (config_.alternate) config_.alternate = impl_->slots[3]->local;
        impl_->responder.emplace(config_);
        return {};
    }

    /// Starts one receive loop per socket. open() first.
    void start() {
        if (impl_->running || impl_->slots.empty()) return;
        impl_->running = true;
#if NATKIT_ASIO_HAS_UDP_BATCH
        if (impl_->batched) {
            if (!impl_->batch) impl_->batch = std::make_unique<batch_state>();
            for (std::size_t i = 0; i < impl_->slots.size(); ++i) impl_->wait(i);
            return;
        }
#endif
        for (std::size_t i = 0; i < impl_->slots.size(); ++i) {
            slot& s = *impl_->slots[i];
            // Default-initialised: pages are touched only as far as datagrams fill them.
            if (!s.buffer) s.buffer.reset(new std::uint8_t[receive_buffer_size]);
            impl_->receive(i);
        }
    }

    /// Before start(): `false` takes the path of systems without batched I/O, one receive and
    /// one send system call per datagram (to compare the two, or to rule batching out when
    /// looking for a problem). Ignored where batched I/O is not supported.
    void use_batched_io(bool on) noexcept { impl_->batched = on && batched_io_supported; }
    /// Whether start() reads and writes the sockets in batches.
    bool batched_io() const noexcept { return impl_->batched; }

    /// Closes the sockets; their pending receives end with operation_aborted. The stats and
    /// local_endpoints() stay; a stopped server cannot be opened again.
    void stop() {
        impl_->running = false;
        close_all();
    }

    /// Called after each datagram was handled (e.g. to log it). Runs on the executor; must
    /// not throw.
    void set_observer(std::function<void(const stun_server_event&)> observer) { impl_->observer = std::move(observer); }

    /// The counters of the responder and of the sockets.
    stun_server_stats stats() const {
        stun_server_stats s = impl_->counters;
        if (impl_->responder) s.responder = impl_->responder->stats();
        return s;
    }

    /// The configuration with the real ports (after open()).
    const stun::responder_config& config() const noexcept { return config_; }

    /// The bound addresses: IP1:P1, then (with an alternate) IP1:P2, IP2:P1, IP2:P2.
    std::vector<endpoint> local_endpoints() const {
        std::vector<endpoint> out;
        for (const auto& s : impl_->slots) out.push_back(s->local);
        return out;
    }

    /// True between a successful open() and stop().
    bool is_open() const noexcept { return !impl_->slots.empty() && impl_->slots[0]->socket.is_open(); }
    /// The executor the sockets run on.
    executor_type get_executor() const noexcept { return executor_; }

private:
    struct slot {
        explicit slot(const executor_type& ex) : socket(ex) {}
        net::ip::udp::socket socket;
        endpoint local;
        net::ip::udp::endpoint from;
        std::unique_ptr<std::uint8_t[]> buffer;  // receive_buffer_size bytes, one-datagram path
    };

#if NATKIT_ASIO_HAS_UDP_BATCH
    /// One batch: the datagrams and their sources, a reply buffer per datagram, what the
    /// responder said and how the send went. Made by start(); the sockets' handlers run one
    /// at a time (see Threading), so the four sockets share it.
    struct batch_state {
        static constexpr std::size_t capacity = detail::udp_batch::capacity;
        static constexpr std::uint8_t no_socket = 0xFF;
        detail::udp_batch io{receive_buffer_size};
        std::array<std::array<std::uint8_t, reply_buffer_size>, capacity> out;
        std::array<std::optional<stun::responder_reply>, capacity> reply{};
        std::array<endpoint, capacity> source{};
        std::array<std::uint8_t, capacity> via{};  // index of the socket the reply leaves from
        std::array<error_code, capacity> send_error{};
    };
#endif

    /// Shared with the pending receive handlers, so that they can run safely after the
    /// stun_server is gone (they then only see operation_aborted).
    struct impl : std::enable_shared_from_this<impl> {
        std::vector<std::unique_ptr<slot>> slots;
        std::optional<stun::binding_responder> responder;
        std::array<std::uint8_t, reply_buffer_size> reply_buffer{};
        stun_server_stats counters;
        std::function<void(const stun_server_event&)> observer;
        bool running = false;
        bool batched = batched_io_supported;
#if NATKIT_ASIO_HAS_UDP_BATCH
        std::unique_ptr<batch_state> batch;
        /// recvmmsg calls per readiness, at most: then the other sockets get their turn.
        static constexpr int batches_per_turn = 4;

        void wait(std::size_t i) {
            slots[i]->socket.async_wait(net::socket_base::wait_read,
                                        [self = shared_from_this(), i](const error_code& ec) { self->on_readable(i, ec); });
        }

        void on_readable(std::size_t i, const error_code& ec) {
            if (!running || i >= slots.size()) return;
            slot& s = *slots[i];
            if (ec) {
                if (ec == net::error::operation_aborted || !s.socket.is_open()) return;
                ++counters.receive_errors;
                wait(i);
                return;
            }
            for (int turn = 0; turn < batches_per_turn; ++turn) {
                error_code receive_error;
                const std::size_t n = batch->io.receive(s.socket.native_handle(), receive_error);
                if (receive_error) {
                    ++counters.receive_errors;  // e.g. an ICMP error reported by the OS: keep serving
                    wait(i);
                    return;
                }
                if (n > 0) {
                    ++counters.receive_calls;
                    answer_batch(i, n);
                    if (!running) return;  // the observer stopped the server
                }
                if (n < batch_state::capacity) {
                    // Drained. A datagram that arrives from now on completes the wait, even
                    // one that came before it starts (tested: the reactor re-checks readiness).
                    wait(i);
                    return;
                }
            }
            // More may be queued: read on after the handlers that are ready now.
            net::post(s.socket.get_executor(), [self = shared_from_this(), i] { self->on_readable(i, error_code{}); });
        }

        std::uint8_t socket_index(const endpoint& local) const noexcept {
            for (std::size_t j = 0; j < slots.size(); ++j)
                if (slots[j]->local == local) return static_cast<std::uint8_t>(j);
            return batch_state::no_socket;
        }

        void answer_batch(std::size_t i, std::size_t n) {
            const slot& s = *slots[i];
            batch_state& b = *batch;
            const auto now = std::chrono::steady_clock::now();
            counters.received += n;
            for (std::size_t k = 0; k < n; ++k) {
                b.send_error[k] = error_code{};
                b.via[k] = batch_state::no_socket;
                b.reply[k].reset();
                // An IPv4 or IPv6 socket has only those sources: nothing else to answer.
                if (!detail::from_sockaddr(b.io.source(k), b.source[k])) continue;
                b.reply[k] = responder->handle(b.io.datagram(k), b.source[k], s.local,
                                               mutable_bytes(b.out[k].data(), b.out[k].size()), now);
                if (!b.reply[k]) continue;
                b.via[k] = socket_index(b.reply[k]->from);
                if (b.via[k] == batch_state::no_socket) {
                    b.send_error[k] = net::error::invalid_argument;  // no socket has reply.from (cannot happen)
                    ++counters.send_errors;
                }
            }
            // One sendmmsg per socket the replies leave from.
            for (std::size_t j = 0; j < slots.size(); ++j) {
                b.io.clear_sends();
                for (std::size_t k = 0; k < n; ++k) {
                    if (b.via[k] != j) continue;
                    const stun::responder_reply& r = *b.reply[k];
                    // To the source with the reply's port (RESPONSE-PORT may change it);
                    // starting from the received address keeps an IPv6 scope id.
                    sockaddr_storage to = b.io.source(k);
                    socklen_t to_length = b.io.source_length(k);
                    detail::set_sockaddr_port(to, r.to.port());
                    if (endpoint(b.source[k].address(), r.to.port()) != r.to) to_length = detail::to_sockaddr(r.to, to);
                    b.io.add_send(r.datagram, to, to_length, k);
                }
                if (b.io.sends() == 0) continue;
                b.io.send(slots[j]->socket.native_handle(), [&](std::size_t k, const error_code& ec) {
                    b.send_error[k] = ec;
                    if (ec)
                        ++counters.send_errors;
                    else
                        ++counters.sent;
                });
            }
            if (observer)
                for (std::size_t k = 0; k < n; ++k)
                    observer(stun_server_event{b.source[k], s.local, b.reply[k] ? &*b.reply[k] : nullptr, b.send_error[k]});
        }
#endif

        void receive(std::size_t i) {
            slot& s = *slots[i];
            s.socket.async_receive_from(
                net::buffer(s.buffer.get(), receive_buffer_size), s.from,
                [self = shared_from_this(), i](const error_code& ec, std::size_t n) { self->on_receive(i, ec, n); });
        }

        void on_receive(std::size_t i, const error_code& ec, std::size_t n) {
            if (!running || i >= slots.size()) return;
            slot& s = *slots[i];
            if (ec) {
                if (ec == net::error::operation_aborted || !s.socket.is_open()) return;
                ++counters.receive_errors;  // e.g. an ICMP error reported by the OS: keep serving
                receive(i);
                return;
            }
            ++counters.received;
            ++counters.receive_calls;
            const endpoint source = to_natkit(s.from);
            auto reply = responder->handle(bytes_view(s.buffer.get(), n), source, s.local,
                                           mutable_bytes(reply_buffer.data(), reply_buffer.size()),
                                           std::chrono::steady_clock::now());
            error_code send_error;
            if (reply) send(s, *reply, send_error);
            if (observer) observer(stun_server_event{source, s.local, reply ? &*reply : nullptr, send_error});
            receive(i);
        }

        void send(const slot& received_on, const stun::responder_reply& r, error_code& ec) {
            slot* via = nullptr;
            for (auto& s : slots)
                if (s->local == r.from) via = s.get();
            if (!via) {
                ec = net::error::invalid_argument;  // no socket has reply.from (cannot happen)
                ++counters.send_errors;
                return;
            }
            // To the source with the reply's port (RESPONSE-PORT may change it); starting from
            // the Asio endpoint keeps an IPv6 scope id that natkit::endpoint cannot hold.
            net::ip::udp::endpoint to = received_on.from;
            to.port(r.to.port());
            if (to_natkit(to) != r.to) to = to_udp(r.to);
            via->socket.send_to(net::buffer(r.datagram.data(), r.datagram.size()), to, 0, ec);
            if (ec)
                ++counters.send_errors;
            else
                ++counters.sent;
        }
    };

    error_code bind_one(const endpoint& e) {
        auto s = std::make_unique<slot>(executor_);
        const auto ep = to_udp(e);
        error_code ec;
        s->socket.open(ep.protocol(), ec);
        if (!ec && ep.address().is_v6()) s->socket.set_option(net::ip::v6_only(true), ec);
        if (!ec) s->socket.bind(ep, ec);
        if (!ec) s->socket.non_blocking(true, ec);
        if (!ec) s->local = to_natkit(s->socket.local_endpoint(ec));
        if (ec) return ec;
        impl_->slots.push_back(std::move(s));
        return {};
    }

    /// Binds IP1:P1 and IP2:P2 first (learning ports given as 0), then IP1:P2 and IP2:P1, and
    /// orders the slots IP1:P1, IP1:P2, IP2:P1, IP2:P2.
    error_code bind_all() {
        if (auto ec = bind_one(config_.primary)) return ec;
        if (!config_.alternate) return {};
        if (auto ec = bind_one(*config_.alternate)) return ec;
        const endpoint p = impl_->slots[0]->local;
        const endpoint a = impl_->slots[1]->local;
        if (p.port() == a.port()) return net::error::address_in_use;  // both picked by the OS: retry
        if (auto ec = bind_one(endpoint(p.address(), a.port()))) return ec;
        if (auto ec = bind_one(endpoint(a.address(), p.port()))) return ec;
        auto& v = impl_->slots;
        std::swap(v[1], v[2]);  // IP1:P1, IP1:P2, IP2:P2, IP2:P1
        std::swap(v[2], v[3]);  // IP1:P1, IP1:P2, IP2:P1, IP2:P2
        return {};
    }

    void close_all() {
        for (auto& s : impl_->slots) {
            error_code ignored;
            s->socket.close(ignored);
        }
    }

    executor_type executor_;
    stun::responder_config config_;
    std::shared_ptr<impl> impl_;
};

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_STUN_SERVER_HPP
