// natkit-enum-lookup: the SIP URIs of a telephone number from ENUM (RFC 6116), in the order a
// caller should try them.
//
//   natkit-enum-lookup NUMBER [--suffix DOMAIN]... [--dns IP[:PORT]] [--json]
//                      [--timeout-ms N] [--attempts N] [--edns SIZE] [--no-recursion] [--verbose]
//
// NUMBER is a full E.164 number, separators allowed ("+49 30 1234-5678"). Suffixes are tried
// in the order given (default e164.arpa). The DNS server defaults to the first nameserver of
// /etc/resolv.conf. Exit status: 0 with at least one URI, 1 when there is none (the reason on
// stderr, or in the JSON), 2 bad arguments.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../cli.hpp"
#include "natkit/asio/enum_resolver.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/enum/number.hpp"

namespace {

namespace na = natkit::asio;
namespace net = natkit::asio::net;
namespace enum_ = natkit::enum_;
using cli::json_string;

constexpr const char* program = "natkit-enum-lookup";

int usage_error(const std::string& message) { return cli::usage_error(program, message); }

void print_usage() {
    std::cout << "usage: " << program
              << " NUMBER [--suffix DOMAIN]... [--dns IP[:PORT]] [--json] [--timeout-ms N] [--attempts N]\n"
                 "       [--edns SIZE] [--no-recursion] [--verbose]\n"
                 "  NUMBER            full E.164 number: '+', digits, separators ' -.()/' allowed\n"
                 "  --suffix DOMAIN   ENUM tree to look in, repeatable, tried in order (default e164.arpa)\n"
                 "  --dns IP[:PORT]   DNS server (default: first nameserver of /etc/resolv.conf; port 53)\n"
                 "  --json            print one JSON object\n"
                 "  --timeout-ms N    wait per transmission (default 2000)\n"
                 "  --attempts N      UDP transmissions per question (default 2)\n"
                 "  --edns SIZE       EDNS(0) UDP payload size, 0 for none (default 1232)\n"
                 "  --no-recursion    clear RD (ask an authoritative server directly)\n"
                 "  --verbose         list every DNS question on stderr\n";
}

std::optional<unsigned> parse_count(std::string_view v, unsigned max) {
    if (v.empty() || v.size() > 5) return std::nullopt;
    unsigned n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10u + static_cast<unsigned>(c - '0');
    }
    if (n > max) return std::nullopt;
    return n;
}

std::string json_error(const std::error_code& e) { return e ? json_string(e.message()) : "null"; }

}  // namespace

int main(int argc, char** argv) {
    std::optional<std::string> number;
    std::vector<std::string> suffixes;
    na::enum_resolver_options options;
    bool json = false, verbose = false;

    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string_view(argv[++i]);
        };
        if (a == "--help" || a == "-h") {
            print_usage();
            return 0;
        } else if (a == "--suffix") {
            const auto v = value();
            if (!v) return usage_error("--suffix needs a DOMAIN");
            if (!enum_::dns_name::from_text(*v)) return usage_error("bad --suffix '" + std::string(*v) + "'");
            suffixes.emplace_back(*v);
        } else if (a == "--dns") {
            const auto v = value();
            if (!v) return usage_error("--dns needs IP[:PORT]");
            auto e = natkit::endpoint::parse(*v, 53);
            if (!e) return usage_error("bad --dns '" + std::string(*v) + "', expected IP[:PORT]");
            options.server = *e;
        } else if (a == "--timeout-ms") {
            const auto v = value();
            const auto ms = v ? cli::parse_millis(*v) : std::nullopt;
            if (!ms) return usage_error("--timeout-ms needs a number of milliseconds > 0");
            options.timeout = *ms;
        } else if (a == "--attempts") {
            const auto v = value();
            const auto n = v ? parse_count(*v, 10) : std::nullopt;
            if (!n || *n == 0) return usage_error("--attempts needs a number from 1 to 10");
            options.attempts = *n;
        } else if (a == "--edns") {
            const auto v = value();
            const auto n = v ? parse_count(*v, 65535) : std::nullopt;
            if (!n || (*n != 0 && *n < 512)) return usage_error("--edns needs 0 or a size from 512 to 65535");
            options.query.edns_udp_size = static_cast<std::uint16_t>(*n);
        } else if (a == "--no-recursion") {
            options.query.recursion_desired = false;
        } else if (a == "--json") {
            json = true;
        } else if (a == "--verbose") {
            verbose = true;
        } else if (!a.empty() && a[0] == '-' && a.size() > 1 && a[1] == '-') {
            return usage_error("unknown argument '" + std::string(a) + "'");
        } else if (!number) {
            number = std::string(a);
        } else {
            return usage_error("more than one NUMBER ('" + *number + "', '" + std::string(a) + "')");
        }
    }
    if (!number) return usage_error("NUMBER is required");
    const auto parsed = enum_::e164_number::parse(*number);
    if (!parsed) return usage_error("bad NUMBER '" + *number + "': " + parsed.error().message());
    if (!suffixes.empty()) options.suffixes = suffixes;

    net::io_context io;
    na::enum_resolver resolver(io.get_executor(), options);
    std::optional<enum_::lookup_result> result;
    na::error_code failure;
    resolver.async_lookup(*number, [&](na::error_code ec, enum_::lookup_result r) {
        failure = ec;
        result = std::move(r);
    });
    io.run();
    if (!result) return cli::fatal(program, "lookup did not complete");
    const enum_::lookup_result& r = *result;

    if (verbose) {
        for (const auto& q : r.queries)
            std::fprintf(stderr, "%s: NAPTR %s via %s%s, %u transmission(s): %s\n", program, q.domain.c_str(),
                         resolver.server().to_string().c_str(), q.over_tcp ? " (udp, then tcp)" : " (udp)",
                         q.transmissions, q.error ? q.error.message().c_str() : "ok");
    }
    if (json) {
        std::cout << "{\"number\": " << json_string(parsed->aus()) << ", \"server\": "
                  << json_string(resolver.server().to_string()) << ", \"suffix\": "
                  << (r.suffix.empty() ? std::string("null") : json_string(r.suffix)) << ", \"uris\": [";
        for (std::size_t k = 0; k < r.uris.size(); ++k) std::cout << (k ? ", " : "") << json_string(r.uris[k]);
        std::cout << "], \"error\": " << (failure ? json_string(failure.message()) : "null") << ", \"queries\": [";
        for (std::size_t k = 0; k < r.queries.size(); ++k) {
            const auto& q = r.queries[k];
            std::cout << (k ? ", " : "") << "{\"domain\": " << json_string(q.domain)
                      << ", \"tcp\": " << (q.over_tcp ? "true" : "false") << ", \"transmissions\": " << q.transmissions
                      << ", \"error\": " << json_error(q.error) << "}";
        }
        std::cout << "]}\n";
        return failure ? 1 : 0;
    }
    if (failure) return cli::fatal(program, "no SIP URI for " + std::string(parsed->aus()) + ": " + failure.message());
    for (const auto& uri : r.uris) std::cout << cli::printable(uri) << "\n";
    return 0;
}
