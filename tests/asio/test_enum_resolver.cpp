// enum_resolver against a scripted DNS server on 127.0.0.1 (UDP and TCP, answering from an
// in-memory zone): completion tokens, retransmission after a lost datagram, timeouts, the switch
// to TCP on truncation, cancellation.
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "asio_support.hpp"
#include "catch.hpp"
#include "natkit/asio/enum_resolver.hpp"
#include "support/dns_zone.hpp"

using namespace natkit_test;
using namespace std::chrono_literals;
namespace enum_ = natkit::enum_;

namespace {

/// Answers NAPTR queries on one UDP and one TCP socket of 127.0.0.1 (same port) from a zone.
struct fake_dns {
    dnstest::zone zone;
    unsigned drop = 0;         ///< UDP queries to ignore first
    bool silent = false;       ///< ignore every UDP query
    unsigned udp_queries = 0;
    unsigned tcp_queries = 0;
    udp::socket udp_socket;
    tcp::acceptor acceptor;
    std::array<std::uint8_t, 2048> buffer{};
    udp::endpoint from;

    explicit fake_dns(net::io_context& io) : udp_socket(io, udp::endpoint(lo1, 0)), acceptor(io) {
        const tcp::endpoint at(lo1, udp_socket.local_endpoint().port());
        acceptor.open(at.protocol());
        acceptor.bind(at);
        acceptor.listen();
        receive();
        accept();
    }
    natkit::endpoint address() const { return na::to_natkit(udp_socket.local_endpoint()); }

    void receive() {
        udp_socket.async_receive_from(net::buffer(buffer), from, [this](const na::error_code& ec, std::size_t n) {
            if (ec) return;
            ++udp_queries;
            if (!silent && drop == 0) {
                auto answer = zone.answer(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n)), false);
                if (answer) udp_socket.send_to(net::buffer(*answer), from);
            } else if (drop > 0) {
                --drop;
            }
            receive();
        });
    }

    void accept() {
        acceptor.async_accept([this](const na::error_code& ec, tcp::socket s) {
            if (ec) return;
            auto conn = std::make_shared<tcp::socket>(std::move(s));
            auto len = std::make_shared<std::array<std::uint8_t, 2>>();
            net::async_read(*conn, net::buffer(*len), [this, conn, len](const na::error_code& e, std::size_t) {
                if (e) return;
                auto q = std::make_shared<std::vector<std::uint8_t>>(((*len)[0] << 8) | (*len)[1]);
                net::async_read(*conn, net::buffer(*q), [this, conn, q](const na::error_code& e2, std::size_t) {
                    if (e2) return;
                    ++tcp_queries;
                    auto answer = zone.answer(*q, true);
                    auto framed = std::make_shared<std::vector<std::uint8_t>>();
                    framed->push_back(static_cast<std::uint8_t>(answer->size() >> 8));
                    framed->push_back(static_cast<std::uint8_t>(answer->size()));
                    framed->insert(framed->end(), answer->begin(), answer->end());
                    net::async_write(*conn, net::buffer(*framed), [conn, framed](const na::error_code&, std::size_t) {});
                });
            });
            accept();
        });
    }
};

struct lookup_outcome {
    std::optional<enum_::lookup_result> result;
    na::error_code ec;
    bool done = false;
    auto handler() {
        return [this](na::error_code e, enum_::lookup_result r) {
            ec = e;
            result = std::move(r);
            done = true;
        };
    }
};

na::enum_resolver_options options_for(const fake_dns& dns) {
    na::enum_resolver_options opt;
    opt.server = dns.address();
    opt.timeout = 150ms;
    opt.attempts = 2;
    return opt;
}

const char* const domain = "8.7.6.5.4.3.2.1.0.3.9.4.e164.arpa";
dnstest::naptr sip_rule(unsigned pref, const std::string& uri) {
    return dnstest::naptr{10, pref, "u", "E2U+sip", "!^.*$!" + uri + "!", ""};
}

}  // namespace

TEST_CASE("enum_resolver: URIs over UDP in order, with a callback") {
    net::io_context io;
    fake_dns dns(io);
    dns.zone.records[domain] = {sip_rule(20, "sip:second@x"),
                                dnstest::naptr{10, 10, "u", "E2U+sip", "!^\\+49(.*)$!sip:\\1@first!", ""}};
    na::enum_resolver resolver(io.get_executor(), options_for(dns));
    CHECK(resolver.server() == dns.address());
    lookup_outcome out;
    resolver.async_lookup("+49 30 1234-5678", out.handler());
    CHECK_FALSE(out.done);  // never inside the initiating call
    REQUIRE(run_until(io, [&] { return out.done; }));
    INFO(out.ec.message());
    REQUIRE_FALSE(out.ec);
    CHECK(out.result->uris == std::vector<std::string>{"sip:3012345678@first", "sip:second@x"});
    CHECK(dns.udp_queries == 1);
    CHECK(dns.tcp_queries == 0);
}

TEST_CASE("enum_resolver: a lost datagram is sent again after the timeout") {
    net::io_context io;
    fake_dns dns(io);
    dns.zone.records[domain] = {sip_rule(10, "sip:a@x")};
    dns.drop = 1;
    na::enum_resolver resolver(io.get_executor(), options_for(dns));
    lookup_outcome out;
    const auto start = std::chrono::steady_clock::now();
    resolver.async_lookup("+49 30 1234-5678", out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    REQUIRE_FALSE(out.ec);
    CHECK(std::chrono::steady_clock::now() - start >= 150ms);
    CHECK(out.result->queries.at(0).transmissions == 2);
    CHECK(dns.udp_queries == 2);
}

TEST_CASE("enum_resolver: a silent server ends in timed_out after every attempt") {
    net::io_context io;
    fake_dns dns(io);
    dns.silent = true;
    auto opt = options_for(dns);
    opt.suffixes = {"e164.arpa", "e164.org"};
    na::enum_resolver resolver(io.get_executor(), opt);
    lookup_outcome out;
    const auto start = std::chrono::steady_clock::now();
    resolver.async_lookup("+49 30 1234-5678", out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(out.ec == enum_::errc::timed_out);
    CHECK(dns.udp_queries == 4);  // two suffixes, two transmissions each
    CHECK(elapsed >= 4 * 150ms);
    CHECK(elapsed < 3s);
}

TEST_CASE("enum_resolver: a truncated UDP answer is asked again over TCP") {
    net::io_context io;
    fake_dns dns(io);
    std::vector<dnstest::naptr> many;
    for (unsigned k = 0; k < 30; ++k) many.push_back(sip_rule(k, "sip:agent" + std::to_string(k) + "@callcenter.example"));
    dns.zone.records[domain] = many;
    auto opt = options_for(dns);
    opt.query.edns_udp_size = 0;  // 512 octets
    na::enum_resolver resolver(io.get_executor(), opt);
    auto future = resolver.async_lookup("+49 30 1234-5678", net::use_future);
    std::thread runner([&] { io.run_for(5s); });
    REQUIRE(future.wait_for(5s) == std::future_status::ready);
    const enum_::lookup_result r = future.get();
    io.stop();
    runner.join();
    REQUIRE(r.uris.size() == 30);
    CHECK(r.uris.front() == "sip:agent0@callcenter.example");
    CHECK(r.uris.back() == "sip:agent29@callcenter.example");
    CHECK(r.queries.at(0).over_tcp);
    CHECK(dns.udp_queries == 1);
    CHECK(dns.tcp_queries == 1);
}

TEST_CASE("enum_resolver: NXDOMAIN is the error, with the result telling the question") {
    net::io_context io;
    fake_dns dns(io);
    na::enum_resolver resolver(io.get_executor(), options_for(dns));
    lookup_outcome out;
    resolver.async_lookup("+49 30 1234-5678", out.handler());
    REQUIRE(run_until(io, [&] { return out.done; }));
    CHECK(out.ec == enum_::errc::nxdomain);
    REQUIRE(out.result->queries.size() == 1);
    CHECK(out.result->queries[0].domain == domain);
}

#if NATKIT_ASIO_HAS_CANCELLATION_SLOT
TEST_CASE("enum_resolver: cancellation through the handler's slot ends with operation_aborted") {
    net::io_context io;
    fake_dns dns(io);
    dns.silent = true;
    na::enum_resolver resolver(io.get_executor(), options_for(dns));
    net::cancellation_signal signal;
    lookup_outcome out;
    resolver.async_lookup("+49 30 1234-5678", net::bind_cancellation_slot(signal.slot(), out.handler()));
    io.run_for(20ms);
    CHECK_FALSE(out.done);
    signal.emit(net::cancellation_type::terminal);
    REQUIRE(run_until(io, [&] { return out.done; }, 1s));
    CHECK(out.ec == net::error::operation_aborted);
}
#endif
