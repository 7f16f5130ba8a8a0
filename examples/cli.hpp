// Shared by the example programs: command-line parsing of host[:port], JSON text, and the
// local address a socket bound to 0.0.0.0 really sends from.
#ifndef NATKIT_EXAMPLES_CLI_HPP
#define NATKIT_EXAMPLES_CLI_HPP

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "natkit/asio/config.hpp"
#include "natkit/core/endpoint.hpp"

namespace cli {

/// Bad command line: one line on stderr, exit status 2.
inline int usage_error(const char* program, const std::string& message) {
    std::fprintf(stderr, "%s: %s (try --help)\n", program, message.c_str());
    return 2;
}
/// Runtime failure (network, bind, timeout): one line on stderr, exit status 1.
inline int fatal(const char* program, const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", program, message.c_str());
    return 1;
}

namespace net = natkit::asio::net;
using udp = net::ip::udp;

struct host_port {
    std::string host;
    std::uint16_t port = 0;  ///< 0: none given
};

inline bool parse_port(std::string_view s, std::uint16_t& port) {
    if (s.empty() || s.size() > 5) return false;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10u + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535u) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

/// "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 address (no port).
inline std::optional<host_port> parse_host_port(std::string_view text) {
    host_port r;
    if (text.empty()) return std::nullopt;
    std::string_view rest;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        r.host = std::string(text.substr(1, close - 1));
        rest = text.substr(close + 1);
    } else {
        const auto first = text.find(':');
        if (first != std::string_view::npos && first == text.rfind(':')) {
            r.host = std::string(text.substr(0, first));
            rest = text.substr(first);
        } else {
            r.host = std::string(text);  // no colon, or a bare IPv6 address
        }
    }
    if (r.host.empty()) return std::nullopt;
    if (!rest.empty() && (rest.front() != ':' || !parse_port(rest.substr(1), r.port))) return std::nullopt;
    return r;
}

/// host[:port] with `default_port` when none is given; std::nullopt on bad syntax.
inline std::optional<host_port> parse_host_port(std::string_view text, std::uint16_t default_port) {
    auto r = parse_host_port(text);
    if (r && r->port == 0) r->port = default_port;
    return r;
}

/// A positive number of milliseconds (at most 9 digits).
inline std::optional<std::chrono::milliseconds> parse_millis(std::string_view v) {
    if (v.empty() || v.size() > 9) return std::nullopt;
    long long ms = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return std::nullopt;
        ms = ms * 10 + (c - '0');
    }
    if (ms == 0) return std::nullopt;
    return std::chrono::milliseconds(ms);
}

/// Seconds with an optional fraction ("10", "0.5"), from 1 ms to 24 h.
inline std::optional<std::chrono::milliseconds> parse_seconds(std::string_view v) {
    if (v.empty() || v.size() > 12) return std::nullopt;
    char* end = nullptr;
    const std::string s(v);
    const double x = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !(x >= 0.001) || x > 86400) return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(x * 1000 + 0.5));
}

/// Resolves a host_port to a UDP endpoint (numeric addresses and names); nullopt on failure.
inline std::optional<udp::endpoint> resolve_udp(net::io_context& io, const host_port& hp, std::string& error) {
    udp::resolver resolver(io);
    natkit::asio::error_code ec;
    const auto results = resolver.resolve(hp.host, std::to_string(hp.port), udp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
        error = "cannot resolve '" + hp.host + "': " + (ec ? ec.message() : std::string("no address"));
        return std::nullopt;
    }
    return results.begin()->endpoint();
}

/// A JSON string literal; bytes that are not valid UTF-8 become U+FFFD.
inline std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        const std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0u) == 0x80u;
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out + "\"";
}

/// Text from the server for a terminal: control characters become '?'.
inline std::string printable(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    return out;
}

inline std::string json_endpoint(const std::optional<natkit::endpoint>& e) { return e ? json_string(e->to_string()) : "null"; }

/// The local address the OS would send from towards `server`, for reporting when the socket
/// is bound to the unspecified address (a connected UDP socket sends nothing).
inline std::optional<net::ip::address> route_source(net::io_context& io, const udp::endpoint& server) {
    udp::socket probe(io);
    natkit::asio::error_code ec;
    probe.open(server.protocol(), ec);
    if (!ec) probe.connect(server, ec);
    if (ec) return std::nullopt;
    const auto local = probe.local_endpoint(ec);
    if (ec) return std::nullopt;
    return local.address();
}

}  // namespace cli

#endif  // NATKIT_EXAMPLES_CLI_HPP
