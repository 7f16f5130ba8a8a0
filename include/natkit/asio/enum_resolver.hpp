// natkit/asio/enum_resolver.hpp - ENUM lookups (RFC 6116) over Asio: a telephone number in,
// the ordered SIP URIs out, asking a DNS resolver over UDP and over TCP when an answer is
// truncated, with timeouts and retransmissions.
//
//     natkit::asio::enum_resolver_options opt;           // enum_::lookup_options + the server
//     opt.suffixes = {"e164.arpa", "e164.org"};
//     natkit::asio::enum_resolver resolver(io.get_executor(), opt);
//     resolver.async_lookup("+49 30 1234-5678",
//         [](natkit::asio::error_code ec, natkit::enum_::lookup_result r) {
//             if (!ec) for (auto& uri : r.uris) try_call(uri);
//         });
//     // or: auto r = co_await resolver.async_lookup(number, net::use_awaitable);
//
// Completion signature: void(error_code, enum_::lookup_result). The error is empty when there
// are URIs; otherwise it is the result's reason (natkit.enum: nxdomain, no_sip_service,
// timed_out, ...; the socket's own error for network failures), or net::error::
// operation_aborted after cancellation. The result lists every DNS question asked.
//
// The protocol - which domains, rules, retransmissions, when to switch to TCP - is
// enum_::lookup's; this file only moves its bytes. Each lookup uses its own UDP socket,
// connected to the server (so only the server's datagrams are read, and an ICMP "port
// unreachable" ends the query at once instead of after the timeout), on a port the OS
// picks at random, with random query ids (RFC 5452 §9.2), and a new TCP connection for every
// truncated answer (RFC 7766 §5).
//
// The server is options.server, or else the first "nameserver" of options.resolv_conf
// (/etc/resolv.conf), whose "timeout" and "attempts" options also apply unless
// use_resolv_conf_options is false. Without either, 127.0.0.1:53 (what the C library does).
//
// Threading: as for Asio's own objects; with an io_context run by several threads, call
// async_lookup from the executor (use a strand). The resolver may be destroyed while lookups
// run: each lookup owns its sockets and options.
#ifndef NATKIT_ASIO_ENUM_RESOLVER_HPP
#define NATKIT_ASIO_ENUM_RESOLVER_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "natkit/asio/config.hpp"
#include "natkit/asio/detail/completion.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/enum/error.hpp"
#include "natkit/enum/lookup.hpp"
#include "natkit/enum/resolv_conf.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {

/// The completion signature of enum_resolver::async_lookup.
using enum_lookup_signature = void(error_code, enum_::lookup_result);

/// enum_::lookup_options and where the DNS server comes from.
struct enum_resolver_options : enum_::lookup_options {
    /// The DNS server to ask (a recursive resolver, or an authoritative server with
    /// query.recursion_desired = false). Empty: the first nameserver of resolv_conf.
    std::optional<endpoint> server;
    /// Where the system's resolver configuration is read from when `server` is empty.
    std::string resolv_conf = "/etc/resolv.conf";
    /// Take "options timeout:N attempts:N" from resolv_conf as well (only when it names the server).
    bool use_resolv_conf_options = false;
};

namespace detail {

#if defined(NATKIT_ASIO_USE_BOOST)
/// natkit.enum as a Boost.System category: Boost before 1.81 cannot hold a std::error_code.
class enum_boost_category final : public error_category {
public:
    const char* name() const noexcept override { return enum_::error_category().name(); }
    std::string message(int value) const override { return enum_::error_category().message(value); }
};
inline const error_category& enum_category_for_asio() noexcept {
    static const enum_boost_category category;
    return category;
}
#endif

/// A std::error_code (natkit.enum, or a socket error taken from Asio) as the Asio error type.
inline error_code to_asio_error(const std::error_code& e) noexcept {
#if defined(NATKIT_ASIO_USE_BOOST)
    if (!e) return {};
    if (e.category() == enum_::error_category()) return error_code(e.value(), enum_category_for_asio());
    if (e.category() == std::system_category()) return error_code(e.value(), boost::system::system_category());
    return error_code(e.value(), boost::system::generic_category());
#else
    return e;
#endif
}
inline std::error_code to_std_error(const error_code& e) noexcept {
#if defined(NATKIT_ASIO_USE_BOOST)
    return static_cast<std::error_code>(e);
#else
    return e;
#endif
}

/// RFC 5452 §9.2: query ids from the system's random source (getrandom() on Linux).
inline std::uint16_t random_query_id(void*) {
    std::random_device rd;
    return static_cast<std::uint16_t>(rd());
}

/// One lookup: a UDP socket, a TCP socket for truncated answers, one timer.
template <class Handler, class Executor>
class enum_lookup_op final : public std::enable_shared_from_this<enum_lookup_op<Handler, Executor>> {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::size_t max_udp_answer = 65535;

    enum_lookup_op(const Executor& ex, const enum_::lookup_options& options, const endpoint& server, Handler&& handler)
        : lookup_(options),
          server_(server),
          udp_(ex),
          tcp_(ex),
          timer_(ex),
          completion_(std::move(handler), ex) {}

    void run(std::string_view number) {
        initiating_ = true;
        completion_.on_cancel([this] { cancel(); });
        handle(lookup_.start(number, clock::now()));
        initiating_ = false;
    }

private:
    std::shared_ptr<enum_lookup_op> self() { return this->shared_from_this(); }

    void handle(enum_::lookup_action action) {
        if (done_) return;
        switch (action) {
        case enum_::lookup_action::done:
            return finish();
        case enum_::lookup_action::wait:
            return arm_timer();
        case enum_::lookup_action::send:
            break;
        }
        // A new transmission: whatever a previous TCP connection still does is stale.
        ++tcp_generation_;
        error_code ignored;
        if (tcp_.is_open()) tcp_.close(ignored);
        if (lookup_.transport() == enum_::transport::udp)
            send_udp();
        else
            send_tcp();
        arm_timer();
    }

    void send_udp() {
        if (!udp_.is_open()) {
            error_code ec;
            const auto remote = to_udp(server_);
            udp_.open(remote.protocol(), ec);
            if (!ec) udp_.connect(remote, ec);  // an ephemeral port the OS picks at random
            if (ec) return handle(lookup_.on_transport_error(to_std_error(ec), clock::now()));
        }
        const bytes_view q = lookup_.query();
        auto message = std::make_shared<std::vector<std::uint8_t>>(q.begin(), q.end());
        udp_.async_send(net::buffer(*message), [self = self(), message](const error_code& ec, std::size_t) {
            if (ec && !self->done_ && ec != net::error::operation_aborted)
                self->handle(self->lookup_.on_transport_error(to_std_error(ec), clock::now()));
        });
        if (!receiving_) receive();
    }

    void receive() {
        receiving_ = true;
        udp_.async_receive(net::buffer(udp_buffer_), [self = self()](const error_code& ec, std::size_t n) {
            self->receiving_ = false;
            if (self->done_) return;
            if (ec == net::error::operation_aborted) return;
            if (ec) {
                // ICMP port/host unreachable on the connected socket: the server is not there.
                self->handle(self->lookup_.on_transport_error(to_std_error(ec), clock::now()));
            } else if (self->lookup_.transport() == enum_::transport::udp) {
                self->handle(self->lookup_.on_response(bytes_view(self->udp_buffer_.data(), n), clock::now()));
            }
            if (!self->done_ && !self->receiving_) self->receive();
        });
    }

    void send_tcp() {
        const unsigned generation = tcp_generation_;
        const bytes_view q = lookup_.tcp_query();
        tcp_out_.assign(q.begin(), q.end());
        tcp_.async_connect(to_tcp(server_), [self = self(), generation](const error_code& ec) {
            if (!self->current(generation)) return;
            if (ec) return self->handle(self->lookup_.on_transport_error(to_std_error(ec), clock::now()));
            net::async_write(self->tcp_, net::buffer(self->tcp_out_),
                             [self, generation](const error_code& e, std::size_t) {
                                 if (!self->current(generation)) return;
                                 if (e) return self->handle(self->lookup_.on_transport_error(to_std_error(e), clock::now()));
                                 self->read_tcp_length(generation);
                             });
        });
    }

    void read_tcp_length(unsigned generation) {
        net::async_read(tcp_, net::buffer(tcp_length_), [self = self(), generation](const error_code& ec, std::size_t) {
            if (!self->current(generation)) return;
            if (ec) return self->tcp_failed(ec);
            const std::size_t length = (std::size_t{self->tcp_length_[0]} << 8) | self->tcp_length_[1];
            self->tcp_in_.assign(length, 0);
            net::async_read(self->tcp_, net::buffer(self->tcp_in_), [self, generation](const error_code& e, std::size_t) {
                if (!self->current(generation)) return;
                if (e) return self->tcp_failed(e);
                error_code ignored;
                self->tcp_.close(ignored);  // one answer per connection
                self->handle(self->lookup_.on_response(bytes_view(self->tcp_in_), clock::now()));
            });
        });
    }

    void tcp_failed(const error_code& ec) {
        const std::error_code e = ec == net::error::eof ? make_error_code(enum_::errc::connection_closed) : to_std_error(ec);
        handle(lookup_.on_transport_error(e, clock::now()));
    }

    bool current(unsigned generation) const noexcept { return !done_ && generation == tcp_generation_; }

    void arm_timer() {
        const auto deadline = lookup_.deadline();
        if (deadline == clock::time_point::max() || deadline == armed_for_) return;
        armed_for_ = deadline;
        timer_.expires_at(deadline);
        timer_.async_wait([self = self()](const error_code&) {
            if (self->done_) return;
            // The lookup checks the deadline itself: an early or cancelled wait changes nothing.
            const auto now = clock::now();
            if (now < self->armed_for_) return;
            self->armed_for_ = {};
            self->handle(self->lookup_.on_timer(now));
        });
    }

    void cancel() {
        if (done_) return;
        finish(net::error::operation_aborted);
    }

    void finish(std::optional<error_code> forced = std::nullopt) {
        done_ = true;
        error_code ignored;
        timer_.cancel();
        if (udp_.is_open()) udp_.close(ignored);
        if (tcp_.is_open()) tcp_.close(ignored);
        enum_::lookup_result result = lookup_.result();
        const error_code ec = forced ? *forced : to_asio_error(result.error);
        completion_.complete(initiating_, ec, std::move(result));
    }

    enum_::lookup lookup_;
    endpoint server_;
    net::ip::udp::socket udp_;
    net::ip::tcp::socket tcp_;
    net::steady_timer timer_;
    operation_completion<Handler, Executor, enum_::lookup_result> completion_;
    std::array<std::uint8_t, max_udp_answer> udp_buffer_{};
    std::vector<std::uint8_t> tcp_out_;
    std::array<std::uint8_t, 2> tcp_length_{};
    std::vector<std::uint8_t> tcp_in_;
    clock::time_point armed_for_{};
    unsigned tcp_generation_ = 0;
    bool receiving_ = false;
    bool done_ = false;
    bool initiating_ = false;
};

}  // namespace detail

/// Looks up telephone numbers in ENUM. Cheap to copy; holds the executor and the options.
class enum_resolver {
public:
    using executor_type = net::any_io_executor;  ///< where lookups run

    /// Reads resolv.conf (when options.server is empty) once, here.
    enum_resolver(const executor_type& executor, enum_resolver_options options = {})
        : executor_(executor), options_(std::move(options)) {
        if (!options_.id_generator) options_.id_generator = &detail::random_query_id;
        if (options_.server) {
            server_ = *options_.server;
            return;
        }
        std::ifstream in(options_.resolv_conf);
        std::stringstream text;
        if (in) text << in.rdbuf();
        const auto conf = enum_::resolv_conf::parse(text.str());
        server_ = conf.nameservers.empty() ? endpoint(ip_address::v4(127, 0, 0, 1), 53) : conf.nameservers.front();
        if (options_.use_resolv_conf_options) {
            if (conf.timeout) options_.timeout = *conf.timeout;
            if (conf.attempts) options_.attempts = *conf.attempts;
        }
    }

    /// The executor the lookups run on.
    executor_type get_executor() const noexcept { return executor_; }
    /// The DNS server the lookups ask.
    const endpoint& server() const noexcept { return server_; }
    /// The options, with the defaults filled in.
    const enum_resolver_options& options() const noexcept { return options_; }

    /// Looks up `number` (enum_::e164_number syntax). See the file comment.
    template <class CompletionToken>
    auto async_lookup(std::string_view number, CompletionToken&& token) {
        return net::async_initiate<CompletionToken, enum_lookup_signature>(initiate{this}, token, std::string(number));
    }

private:
    struct initiate {
        enum_resolver* self;
        template <class Handler>
        void operator()(Handler&& handler, const std::string& number) const {
            using op = detail::enum_lookup_op<std::decay_t<Handler>, executor_type>;
            std::decay_t<Handler> h(std::forward<Handler>(handler));
            auto o = std::make_shared<op>(self->executor_, self->options_, self->server_, std::move(h));
            o->run(number);
        }
    };

    executor_type executor_;
    enum_resolver_options options_;
    endpoint server_;
};

}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_ENUM_RESOLVER_HPP
