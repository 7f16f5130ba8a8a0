// natkit-stun-server: a STUN Binding server (RFC 8489) on UDP, with RFC 5780 NAT behaviour
// discovery support when given a second address, and optional long-term credentials.
//
//   natkit-stun-server --primary IP[:PORT] [--alternate IP[:PORT]]
//                      [--realm R --user U:PASS [--user U:PASS]...] [--verbose] [--no-batch]
//
// Ports default to 3478 (primary) and 3479 (alternate); port 0 picks free ones (see the
// "listening on" line). With --alternate it listens on the
// four addresses IP1:P1, IP1:P2, IP2:P1, IP2:P2 and honours CHANGE-REQUEST. It prints one
// "listening on ..." line when ready, and its counters on SIGINT or SIGTERM. On Linux it reads
// and answers datagrams in batches (recvmmsg, sendmmsg); --no-batch makes it use one system
// call per datagram, as elsewhere, to compare the two.
// Exit status: 0 after a signal, 1 when a socket cannot be bound, 2 for bad arguments.
#include <array>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "natkit/asio/stun_server.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/stun/integrity_key.hpp"
#include "natkit/stun/message.hpp"
#include "natkit/version.hpp"

namespace {

namespace na = natkit::asio;
namespace net = natkit::asio::net;
namespace stun = natkit::stun;

constexpr const char* program = "natkit-stun-server";

int usage_error(const std::string& message) {
    std::cerr << program << ": " << message << " (try --help)\n";
    return 2;
}

void print_usage() {
    std::cout << "usage: " << program
              << " --primary IP[:PORT] [--alternate IP[:PORT]] [--realm R --user U:PASS]... [--verbose]\n"
                 "  --primary IP[:PORT]    first address (port 3478 by default)\n"
                 "  --alternate IP[:PORT]  second address for RFC 5780 (port 3479 by default): four sockets\n"
                 "  --realm R              long-term credentials (RFC 8489 9.2) in realm R ...\n"
                 "  --user U:PASS          ... for user U with password PASS (repeatable)\n"
                 "  --verbose              log every request\n"
                 "  --no-batch             one datagram per system call, no recvmmsg/sendmmsg batches\n";
}

std::string describe(const stun::responder_reply& reply) {
    auto msg = stun::message_view::parse(reply.datagram);
    if (!msg) return "?";
    if (msg->is_success_response()) return "success";
    if (auto e = msg->get<stun::attr::error_code>()) return "error " + std::to_string(e->code);
    return "error";
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<natkit::endpoint> primary, alternate;
    std::optional<std::string> realm;
    std::map<std::string, std::string, std::less<>> users;
    bool verbose = false;
    bool batch = true;

    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string_view(argv[++i]);
        };
        if (a == "--help" || a == "-h") {
            print_usage();
            return 0;
        } else if (a == "--primary" || a == "--alternate") {
            const auto v = value();
            if (!v) return usage_error(std::string(a) + " needs IP[:PORT]");
            const bool is_primary = a == "--primary";
            auto e = natkit::endpoint::parse(*v, is_primary ? 3478 : 3479);
            if (!e) return usage_error("bad " + std::string(a) + " '" + std::string(*v) + "', expected IP[:PORT]");
            (is_primary ? primary : alternate) = *e;
        } else if (a == "--realm") {
            const auto v = value();
            if (!v || v->empty()) return usage_error("--realm needs a name");
            realm = std::string(*v);
        } else if (a == "--user") {
            const auto v = value();
            const auto colon = v ? v->find(':') : std::string_view::npos;
            if (!v || colon == std::string_view::npos || colon == 0) return usage_error("--user needs USER:PASSWORD");
            users[std::string(v->substr(0, colon))] = std::string(v->substr(colon + 1));
        } else if (a == "--verbose" || a == "-v") {
            verbose = true;
        } else if (a == "--no-batch") {
            batch = false;
        } else {
            return usage_error("unknown argument '" + std::string(a) + "'");
        }
    }
    if (!primary) return usage_error("--primary is required");
    if (alternate) {
        // RFC 5780 §6: two addresses of one family; CHANGE-REQUEST needs both to be the
        // addresses clients see (a wildcard socket cannot tell RESPONSE-ORIGIN).
        if (alternate->family() != primary->family())
            return usage_error("--primary and --alternate must be of the same address family");
        if (alternate->address() == primary->address())
            return usage_error("--alternate needs an IP address other than --primary's");
        if (alternate->port() != 0 && alternate->port() == primary->port())
            return usage_error("--alternate needs a port other than --primary's");
        if (primary->address().is_unspecified() || alternate->address().is_unspecified())
            return usage_error("with --alternate both addresses must be specific, not 0.0.0.0 or ::");
    }
    if (realm.has_value() != !users.empty()) return usage_error("--realm and --user go together");

    const std::string software = "natkit-stun-server " NATKIT_VERSION_STRING;
    std::array<std::uint8_t, 32> nonce_secret{};
    std::map<std::string, stun::integrity_key, std::less<>> keys;
    stun::responder_config cfg;
    cfg.primary = *primary;
    cfg.alternate = alternate;
    cfg.software = software;
    if (realm) {
        std::random_device rd;
        for (auto& b : nonce_secret) b = static_cast<std::uint8_t>(rd());
        for (const auto& [user, password] : users)
            keys.emplace(user, stun::integrity_key::long_term(user, *realm, password));
        cfg.auth = stun::auth_mechanism::long_term;
        cfg.realm = *realm;
        cfg.nonce_secret = natkit::bytes_view(nonce_secret.data(), nonce_secret.size());
        cfg.credentials = [&keys](std::string_view user) -> std::optional<stun::integrity_key> {
            const auto it = keys.find(user);
            if (it == keys.end()) return std::nullopt;
            return it->second;
        };
    }

    net::io_context io(1);
    na::stun_server server(io.get_executor(), cfg);
    if (const auto ec = server.open()) {
        std::cerr << program << ": cannot listen on " << primary->to_string()
                  << (alternate ? " and " + alternate->to_string() : std::string()) << ": " << ec.message() << "\n";
        return 1;
    }
    if (verbose) {
        server.set_observer([](const na::stun_server_event& e) {
            std::cout << "request from " << e.source.to_string() << " on " << e.local.to_string() << ": ";
            if (!e.reply)
                std::cout << "dropped";
            else {
                std::cout << describe(*e.reply) << " from " << e.reply->from.to_string() << " to "
                          << e.reply->to.to_string();
                if (e.send_error) std::cout << " not sent: " << e.send_error.message();
            }
            std::cout << std::endl;
        });
    }
    server.use_batched_io(batch);
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const na::error_code& ec, int) {
        if (ec) return;
        server.stop();
        const auto s = server.stats();
        std::cout << "stopped: received " << s.received << ", answered " << s.responder.answered << ", errors "
                  << s.responder.errors << ", dropped " << s.responder.dropped << ", sent " << s.sent
                  << ", send errors " << s.send_errors << ", receive errors " << s.receive_errors << ", reads "
                  << s.receive_calls << std::endl;
    });
    server.start();

    std::cout << "listening on";
    for (const auto& e : server.local_endpoints()) std::cout << ' ' << e.to_string();
    if (realm) std::cout << " (long-term credentials, realm " << *realm << ")";
    std::cout << std::endl;

    io.run();
    return 0;
}
