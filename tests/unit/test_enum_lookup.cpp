// NAPTR rule processing (RFC 3402, RFC 3403 §4.1, RFC 6116 §3.4) and the sans-I/O ENUM lookup
// against an in-memory zone: order and preference, terminal and non-terminal rules, loops and
// bounds, suffixes, NXDOMAIN, retransmission, spoofed answers, truncation to TCP.
#include <chrono>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/enum/lookup.hpp"
#include "natkit/enum/rules.hpp"
#include "support/dns_zone.hpp"

using namespace natkit;
using namespace natkit::enum_;
using namespace std::chrono_literals;
using dnstest::naptr;

namespace {

rule_evaluation evaluate(const std::vector<naptr>& set, std::string_view aus, std::string_view owner = "x.example") {
    dnstest::response_writer w(1, owner);
    for (const naptr& n : set) w.add_naptr(n);
    static std::vector<std::uint8_t> bytes;  // the evaluation's name_refs point into it
    bytes = w.finish();
    auto msg = dns_message::parse(bytes);
    REQUIRE(msg);
    return evaluate_rules(*msg, *dns_name::from_text(owner), aus);
}

std::vector<std::string> uris_of(const rule_evaluation& ev) {
    std::vector<std::string> out;
    for (const rule_step& s : ev.steps) out.push_back(s.terminal ? s.uri : "next:" + s.next_domain.to_string());
    return out;
}

naptr sip(unsigned order, unsigned pref, std::string uri, std::string services = "E2U+sip") {
    return naptr{order, pref, "u", std::move(services), "!^.*$!" + uri + "!", ""};
}
naptr next(unsigned order, unsigned pref, std::string domain) { return naptr{order, pref, "", "E2U", "", std::move(domain)}; }

/// Runs a lookup against a zone; `lose` drops that many transmissions first (the timer fires).
struct harness {
    dnstest::zone zone;
    time_point now{};
    unsigned lose = 0;
    unsigned udp_sent = 0, tcp_sent = 0;
    std::vector<std::uint16_t> ids;

    lookup_result run(lookup& l, std::string_view number) {
        lookup_action a = l.start(number, now);
        for (int guard = 0; a != lookup_action::done; ++guard) {
            REQUIRE(guard < 200);
            if (a == lookup_action::wait) {
                REQUIRE(l.deadline() != time_point::max());
                now = l.deadline();
                a = l.on_timer(now);
                continue;
            }
            const bool tcp = l.transport() == transport::tcp;
            (tcp ? tcp_sent : udp_sent)++;
            ids.push_back(l.query_id());
            // The TCP frame is the length and then the same message.
            const bytes_view framed = l.tcp_query();
            REQUIRE(framed.size() == l.query().size() + 2);
            REQUIRE(((framed[0] << 8) | framed[1]) == static_cast<int>(l.query().size()));
            const std::vector<std::uint8_t> q(l.query().begin(), l.query().end());
            if (lose > 0) {
                --lose;
                now = l.deadline();
                a = l.on_timer(now);
                continue;
            }
            auto answer = zone.answer(q, tcp);
            REQUIRE(answer);
            now += 3ms;
            a = l.on_response(*answer, now);
        }
        return l.result();
    }
};

const char* const number = "+49 30 1234-5678";
const char* const arpa = "8.7.6.5.4.3.2.1.0.3.9.4.e164.arpa";
const char* const org = "8.7.6.5.4.3.2.1.0.3.9.4.e164.org";

}  // namespace

TEST_CASE("Rules: the RFC 6116 example set gives its one SIP URI") {
    // RFC 6116's example for +441632960083 (3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa).
    const auto ev = evaluate({sip(10, 100, "sip:info@example.com"),
                              naptr{10, 101, "u", "E2U+h323", "!^.*$!h323:info@example.com!", ""},
                              naptr{10, 102, "u", "E2U+msg", "!^.*$!mailto:info@example.com!", ""}},
                             "+441632960083", "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa");
    CHECK(ev.naptr_records == 3);
    CHECK(uris_of(ev) == std::vector<std::string>{"sip:info@example.com"});
    CHECK_FALSE(ev.reason);
}

TEST_CASE("Rules: ORDER first, PREFERENCE within it, higher ORDERs ignored once one applies (RFC 3403 §4.1)") {
    const auto ev = evaluate({sip(100, 20, "sip:b@x"), sip(200, 1, "sip:never@x"), sip(100, 10, "sip:a@x"),
                              naptr{50, 1, "u", "E2U+h323", "!^.*$!h323:a@x!", ""}, sip(100, 20, "sips:c@x", "E2U+sips")},
                             "+1");
    // ORDER 50 has no SIP rule, so ORDER 100 is the first that applies; equal preferences keep
    // the server's order.
    CHECK(uris_of(ev) == std::vector<std::string>{"sip:a@x", "sip:b@x", "sips:c@x"});
    CHECK(uris_of(evaluate({sip(20, 1, "sip:second@x"), sip(10, 50, "sip:first@x")}, "+1")) ==
          std::vector<std::string>{"sip:first@x"});
}

TEST_CASE("Rules: unknown flags are ignored, non-SIP services skipped, legacy sip+E2U accepted") {
    const auto ev = evaluate({naptr{10, 1, "s", "E2U+sip", "!^.*$!sip:s@x!", ""},  // not ENUM's flag
                              naptr{10, 2, "up", "E2U+sip", "!^.*$!sip:up@x!", ""},
                              naptr{10, 3, "u", "SIP+D2U", "!^.*$!sip:d2u@x!", ""},
                              naptr{10, 4, "U", "sip+E2U", "!^.*$!sip:legacy@x!", ""}},
                             "+1");
    CHECK(uris_of(ev) == std::vector<std::string>{"sip:legacy@x"});
    const auto none = evaluate({naptr{10, 1, "s", "E2U+sip", "!^.*$!sip:s@x!", ""},
                                naptr{10, 3, "u", "E2U+h323", "!^.*$!h323:x!", ""}},
                               "+1");
    CHECK(none.steps.empty());
    CHECK(none.reason == errc::no_sip_service);
}

TEST_CASE("Rules: non-terminal rules lead to a domain, by REPLACEMENT or by REGEXP (RFC 3403 §6)") {
    auto ev = evaluate({next(10, 20, "enum.example.net"), sip(10, 10, "sip:direct@x")}, "+1");
    CHECK(uris_of(ev) == std::vector<std::string>{"sip:direct@x", "next:enum.example.net"});
    // RFC 3403 §6.1: the CID example, a non-terminal rule whose regexp computes the domain.
    ev = evaluate({naptr{100, 10, "", "", "!^urn:cid:.+@([^\\.]+\\.)(.*)$!\\2!i", ""}},
                  "urn:cid:39CB83F7.A8450130@fake.gatech.edu", "cid.urn.arpa");
    CHECK(uris_of(ev) == std::vector<std::string>{"next:gatech.edu"});
    // ... whose next records carry flags ("a", "s") that ENUM does not use.
    ev = evaluate({naptr{100, 50, "a", "z3950+N2L+N2C", "", "cidserver.example.com"},
                   naptr{100, 50, "a", "rcds+N2C", "", "cidserver.example.com"},
                   naptr{100, 50, "s", "http+N2L+N2C+N2R", "", "www.example.com"}},
                  "urn:cid:39CB83F7.A8450130@fake.gatech.edu", "gatech.edu");
    CHECK(ev.steps.empty());
    CHECK(ev.reason == errc::no_sip_service);
    // A non-terminal rule of another application is not followed; one without a target fails.
    ev = evaluate({naptr{10, 1, "", "SIP+D2U", "", "elsewhere.example"}, naptr{10, 2, "", "E2U", "", ""}}, "+1");
    CHECK(ev.steps.empty());
    CHECK(ev.reason == errc::bad_domain);
}

TEST_CASE("Rules: a rule meant for SIP that fails says why") {
    auto ev = evaluate({naptr{10, 1, "u", "E2U+sip", "!^\\+44(.*)$!sip:\\1@x!", ""}}, "+4930");
    CHECK(ev.reason == errc::regex_no_match);
    REQUIRE(ev.failures.size() == 1);
    CHECK(ev.failures[0].preference == 1);
    ev = evaluate({naptr{10, 1, "u", "E2U+sip", "!^.*$!mailto:a@x!", ""}}, "+1");
    CHECK(ev.reason == errc::bad_uri);
    ev = evaluate({naptr{10, 1, "u", "E2U+sip", "", ""}}, "+1");
    CHECK(ev.reason == errc::bad_substitution);
    ev = evaluate({naptr{10, 1, "u", "E2U+sip", "!\\w+!sip:x!", ""}}, "+1");
    CHECK(ev.reason == errc::unsupported_regex);
    // A failing rule does not hide a good one of the same ORDER.
    ev = evaluate({naptr{10, 1, "u", "E2U+sip", "!^\\+44(.*)$!sip:\\1@x!", ""}, sip(10, 2, "sip:ok@x")}, "+4930");
    CHECK(uris_of(ev) == std::vector<std::string>{"sip:ok@x"});
    CHECK(ev.failures.size() == 1);
    CHECK(evaluate({}, "+1").reason == errc::no_naptr_records);
}

TEST_CASE("Rules: records of another owner are not used; a CNAME in the answer is followed") {
    dnstest::response_writer w(1, "a.example");
    w.add_naptr(sip(10, 1, "sip:other@x"), "b.example");
    auto bytes = w.finish();
    auto msg = dns_message::parse(bytes);
    REQUIRE(msg);
    CHECK(evaluate_rules(*msg, *dns_name::from_text("a.example"), "+1").reason == errc::no_naptr_records);

    dnstest::response_writer c(1, "a.example");
    c.add_cname("b.example");
    c.add_naptr(sip(10, 1, "sip:via-cname@x"), "b.example");
    bytes = c.finish();
    msg = dns_message::parse(bytes);
    REQUIRE(msg);
    const auto ev = evaluate_rules(*msg, *dns_name::from_text("a.example"), "+1");
    CHECK(uris_of(ev) == std::vector<std::string>{"sip:via-cname@x"});
}

TEST_CASE("Lookup: the URIs of the first suffix, back-references filled from the number") {
    harness h;
    h.zone.records[arpa] = {naptr{10, 10, "u", "E2U+sip", "!^\\+49(.*)$!sip:\\1@example.de!", ""},
                            sip(10, 20, "sip:office@example.de")};
    lookup l;
    const auto r = h.run(l, number);
    CHECK_FALSE(r.error);
    CHECK(r.uris == std::vector<std::string>{"sip:3012345678@example.de", "sip:office@example.de"});
    CHECK(r.suffix == "e164.arpa");
    REQUIRE(r.queries.size() == 1);
    CHECK(r.queries[0].domain == arpa);
    CHECK(r.queries[0].transmissions == 1);
    CHECK(h.udp_sent == 1);
    CHECK(h.tcp_sent == 0);
}

TEST_CASE("Lookup: suffixes in order; NXDOMAIN and empty answers move on to the next") {
    harness h;
    h.zone.records[org] = {sip(10, 10, "sip:alt@example.org")};
    lookup_options opt;
    opt.suffixes = {"e164.arpa", "e164.org"};
    lookup l(opt);
    auto r = h.run(l, number);
    CHECK(r.uris == std::vector<std::string>{"sip:alt@example.org"});
    CHECK(r.suffix == "e164.org");
    REQUIRE(r.queries.size() == 2);
    CHECK(r.queries[0].error == errc::nxdomain);
    CHECK_FALSE(r.queries[1].error);
    CHECK(h.zone.asked == std::vector<std::string>{arpa, org});

    // Nothing anywhere: the more telling reason wins (an existing domain without NAPTR records
    // says more than NXDOMAIN).
    harness none;
    none.zone.records[org] = {};
    lookup l2(opt);
    r = none.run(l2, number);
    CHECK(r.uris.empty());
    CHECK(r.error == errc::no_naptr_records);
    harness nx;
    lookup l3(opt);
    CHECK(nx.run(l3, number).error == errc::nxdomain);
    // A server failure is reported as such.
    harness fail;
    fail.zone.rcodes[arpa] = 2;
    lookup l4;
    CHECK(fail.run(l4, number).error == errc::server_failure);
    fail.zone.rcodes[arpa] = 5;
    lookup l5;
    CHECK(fail.run(l5, number).error == errc::refused);
}

TEST_CASE("Lookup: non-terminal rules are followed, their URIs take the rule's place") {
    harness h;
    h.zone.records[arpa] = {sip(10, 10, "sip:first@x"), next(10, 20, "pbx.example.net"), sip(10, 30, "sip:last@x")};
    h.zone.records["pbx.example.net"] = {naptr{1, 1, "u", "E2U+sip", "!^\\+(.*)$!sip:\\1@pbx.example.net!", ""},
                                         next(1, 2, "deeper.example.net")};
    h.zone.records["deeper.example.net"] = {sip(5, 5, "sips:deep@x", "E2U+sips")};
    lookup l;
    const auto r = h.run(l, number);
    CHECK(r.uris == std::vector<std::string>{"sip:first@x", "sip:493012345678@pbx.example.net", "sips:deep@x",
                                             "sip:last@x"});
    CHECK(h.zone.asked == std::vector<std::string>{arpa, "pbx.example.net", "deeper.example.net"});
}

TEST_CASE("Lookup: non-terminal loops and chains beyond the bound end with a reason") {
    SECTION("a loop back to the first domain") {
        harness h;
        h.zone.records[arpa] = {next(10, 10, "a.example")};
        h.zone.records["a.example"] = {next(10, 10, "b.example")};
        h.zone.records["b.example"] = {next(10, 10, arpa)};
        lookup l;
        const auto r = h.run(l, number);
        CHECK(r.uris.empty());
        CHECK(r.error == errc::non_terminal_loop);
        CHECK(h.zone.asked.size() == 3);
    }
    SECTION("a rule pointing at its own domain, beside a good one") {
        harness h;
        h.zone.records[arpa] = {next(10, 10, arpa), sip(10, 20, "sip:ok@x")};
        lookup l;
        const auto r = h.run(l, number);
        CHECK(r.uris == std::vector<std::string>{"sip:ok@x"});
        CHECK_FALSE(r.error);
        REQUIRE(r.queries.size() == 2);
        CHECK(r.queries[1].error == errc::non_terminal_loop);
    }
    SECTION("a chain longer than max_non_terminal") {
        harness h;
        h.zone.records[arpa] = {next(10, 10, "n1.example")};
        for (int k = 1; k < 10; ++k)
            h.zone.records["n" + std::to_string(k) + ".example"] = {next(10, 10, "n" + std::to_string(k + 1) + ".example")};
        lookup_options opt;
        opt.max_non_terminal = 3;
        lookup l(opt);
        const auto r = h.run(l, number);
        CHECK(r.error == errc::too_many_non_terminal);
        CHECK(h.zone.asked.size() == 4);  // the suffix's domain and three hops
    }
    SECTION("more questions than max_queries") {
        harness h;
        h.zone.records[arpa] = {next(10, 1, "a.example"), next(10, 2, "b.example"), next(10, 3, "c.example")};
        h.zone.records["a.example"] = {naptr{1, 1, "u", "E2U+sip", "!^x!sip:never!", ""}};
        h.zone.records["b.example"] = {sip(1, 1, "sip:b@x")};
        h.zone.records["c.example"] = {sip(1, 1, "sip:c@x")};
        lookup_options opt;
        opt.max_queries = 3;
        lookup l(opt);
        const auto r = h.run(l, number);
        CHECK(r.uris == std::vector<std::string>{"sip:b@x"});
        CHECK(h.zone.asked.size() == 3);
        CHECK(r.queries.back().error == errc::too_many_queries);
    }
}

TEST_CASE("Lookup: lost datagrams are sent again, then the query times out") {
    harness h;
    h.zone.records[arpa] = {sip(10, 10, "sip:a@x")};
    h.lose = 1;
    lookup_options opt;
    opt.timeout = 700ms;
    opt.attempts = 3;
    lookup l(opt);
    auto r = h.run(l, number);
    CHECK(r.uris == std::vector<std::string>{"sip:a@x"});
    CHECK(r.queries[0].transmissions == 2);
    CHECK(h.ids[0] == h.ids[1]);  // the same question, so a late first answer still counts
    CHECK(h.now >= time_point{} + 700ms);

    harness lost;
    lost.lose = 100;
    lookup l2(opt);
    r = lost.run(l2, number);
    CHECK(r.error == errc::timed_out);
    CHECK(r.queries[0].transmissions == 3);
    CHECK(lost.now == time_point{} + 3 * 700ms);
}

TEST_CASE("Lookup: answers that do not match the question are ignored over UDP") {
    harness h;
    h.zone.records[arpa] = {sip(10, 10, "sip:a@x")};
    lookup l;
    time_point now{};
    REQUIRE(l.start(number, now) == lookup_action::send);
    const std::vector<std::uint8_t> q(l.query().begin(), l.query().end());
    auto good = *h.zone.answer(q, false);
    auto wrong_id = good;
    wrong_id[1] ^= 1;
    CHECK(l.on_response(wrong_id, now) == lookup_action::wait);
    dnstest::response_writer other(l.query_id(), "other.example");
    other.add_naptr(sip(10, 10, "sip:evil@x"));
    CHECK(l.on_response(other.finish(), now) == lookup_action::wait);
    auto query_back = q;  // a query is not a response
    CHECK(l.on_response(query_back, now) == lookup_action::wait);
    const std::vector<std::uint8_t> junk = {1, 2, 3};
    CHECK(l.on_response(junk, now) == lookup_action::wait);
    CHECK(l.on_timer(now + 1ms) == lookup_action::wait);  // before the deadline: nothing to do
    CHECK(l.on_response(good, now) == lookup_action::done);
    CHECK(l.result().uris == std::vector<std::string>{"sip:a@x"});
}

TEST_CASE("Lookup: a truncated UDP answer is asked again over TCP (RFC 7766 §5)") {
    harness h;
    std::vector<naptr> many;
    for (unsigned k = 0; k < 40; ++k)
        many.push_back(sip(10, 100 - k, "sip:user" + std::to_string(k) + "@pbx" + std::to_string(k) + ".example.com"));
    h.zone.records[arpa] = many;
    lookup l;
    const auto r = h.run(l, number);
    CHECK(h.udp_sent == 1);
    CHECK(h.tcp_sent == 1);
    REQUIRE(r.uris.size() == 40);
    CHECK(r.uris.front() == "sip:user39@pbx39.example.com");  // preference 61 first
    CHECK(r.uris.back() == "sip:user0@pbx0.example.com");
    CHECK(r.queries[0].over_tcp);
    CHECK(h.ids[0] != h.ids[1]);

    // Truncated again over TCP: nothing larger is possible.
    lookup l2;
    time_point now{};
    REQUIRE(l2.start(number, now) == lookup_action::send);
    dnstest::response_writer t(l2.query_id(), arpa);
    t.set_truncated();
    REQUIRE(l2.on_response(t.finish(), now) == lookup_action::send);
    REQUIRE(l2.transport() == transport::tcp);
    dnstest::response_writer t2(l2.query_id(), arpa);
    t2.set_truncated();
    CHECK(l2.on_response(t2.finish(), now) == lookup_action::done);
    CHECK(l2.result().error == errc::truncated_response);
}

TEST_CASE("Lookup: a bad number or suffix ends at once; transport errors end the query") {
    lookup l;
    CHECK(l.start("030 1234", time_point{}) == lookup_action::done);
    CHECK(l.result().error == errc::not_international);
    lookup_options opt;
    opt.suffixes = {"bad..suffix"};
    lookup l2(opt);
    CHECK(l2.start(number, time_point{}) == lookup_action::done);
    CHECK(l2.result().error == errc::bad_domain);

    lookup l3;
    REQUIRE(l3.start(number, time_point{}) == lookup_action::send);
    CHECK(l3.on_transport_error(std::make_error_code(std::errc::connection_refused), time_point{}) ==
          lookup_action::done);
    CHECK(l3.result().error == std::errc::connection_refused);
}
