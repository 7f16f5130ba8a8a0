// The DNS codec of natkit/enum: the query builder (exact bytes), the response parser on valid,
// truncated and hostile messages (compression loops, forward and out-of-range pointers,
// long labels and names, bad NAPTR RDATA), and the NAPTR RDATA fields (RFC 3403 §4.1).
#include <algorithm>
#include <array>
#include <iterator>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/enum/dns_message.hpp"
#include "natkit/enum/dns_query.hpp"
#include "natkit/enum/naptr.hpp"
#include "support/dns_zone.hpp"
#include "support/hex.hpp"

using namespace natkit;
using namespace natkit::enum_;

namespace {
std::error_code parse_error(const std::vector<std::uint8_t>& m, std::size_t* where = nullptr) {
    return dns_message::parse(m, where).error();
}

/// A header with the given counts, then `body`.
std::vector<std::uint8_t> message(unsigned qd, unsigned an, const std::vector<std::uint8_t>& body) {
    const std::uint8_t header[12] = {0xAB, 0xCD, 0x84, 0x00, 0, static_cast<std::uint8_t>(qd),
                                     0, static_cast<std::uint8_t>(an), 0, 0, 0, 0};
    std::vector<std::uint8_t> m(sizeof header + body.size());
    std::copy(std::begin(header), std::end(header), m.begin());
    std::copy(body.begin(), body.end(), m.begin() + static_cast<std::ptrdiff_t>(sizeof header));
    return m;
}

const dnstest::naptr sip_rule{10, 100, "u", "E2U+sip", "!^.*$!sip:info@example.com!", ""};
}  // namespace

TEST_CASE("DNS query: exact bytes with and without EDNS(0) (RFC 1035 §4.1, RFC 6891 §6.1.2)") {
    std::array<std::uint8_t, max_query_size> buf{};
    const auto name = *dns_name::from_text("a.b");
    query_options plain;
    plain.edns_udp_size = 0;
    auto q = build_query(buf, 0x1234, name, rr_type::naptr, plain);
    REQUIRE(q);
    CHECK(*q == bytes_view(from_hex("1234 0100 0001 0000 0000 0000 0161 0162 00 0023 0001")));

    q = build_query(buf, 0x1234, name, rr_type::naptr);  // EDNS 1232 by default
    REQUIRE(q);
    CHECK(*q == bytes_view(from_hex("1234 0100 0001 0000 0000 0001 0161 0162 00 0023 0001 00 0029 04d0 00000000 0000")));

    query_options authoritative;
    authoritative.recursion_desired = false;
    authoritative.edns_udp_size = 4096;
    q = build_query(buf, 0xFFFF, name, rr_type::naptr, authoritative);
    REQUIRE(q);
    CHECK((*q)[2] == 0x00);
    CHECK((*q)[q->size() - 8] == 0x10);  // CLASS = 4096

    std::array<std::uint8_t, 300> tcp{};
    auto framed = build_tcp_query(tcp, 7, name, rr_type::naptr, plain);
    REQUIRE(framed);
    CHECK(framed->size() == 23);
    CHECK((*framed)[0] == 0);
    CHECK((*framed)[1] == 21);

    // The query parses back as one question.
    auto m = dns_message::parse(*q);
    REQUIRE(m);
    CHECK_FALSE(m->is_response());
    CHECK(m->question().name.equals(name));
    CHECK(m->question().type == rr_type::naptr);
    CHECK(m->additional_count() == 1);
}

TEST_CASE("DNS query: a buffer too small is an error, never an overflow") {
    const auto name = *dns_name::from_text("8.7.6.5.4.3.2.1.0.3.9.4.e164.arpa");
    std::vector<std::uint8_t> buf(200, 0xEE);
    for (std::size_t size = 0; size < 12 + name.size() + 4 + 11; ++size) {
        auto q = build_query(mutable_bytes(buf.data(), size), 1, name, rr_type::naptr);
        REQUIRE(q.error() == errc::buffer_too_small);
    }
    for (std::size_t i = 0; i < buf.size(); ++i) REQUIRE(buf[i] == 0xEE);
    CHECK(build_query(mutable_bytes(buf.data(), 12 + name.size() + 4 + 11), 1, name, rr_type::naptr));
    CHECK(build_tcp_query(mutable_bytes(buf.data(), 1), 1, name, rr_type::naptr).error() == errc::buffer_too_small);
}

TEST_CASE("DNS response: records with compressed owner names and the NAPTR fields (RFC 3403 §4.1)") {
    dnstest::response_writer w(0xBEEF, "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa");
    w.add_naptr(sip_rule);
    w.add_naptr({10, 101, "u", "E2U+h323", "!^.*$!h323:info@example.com!", ""});
    w.add_naptr({20, 5, "", "E2U", "", "next.example.net"}, "other.example");
    const auto bytes = w.finish();
    auto m = dns_message::parse(bytes);
    REQUIRE(m);
    CHECK(m->id() == 0xBEEF);
    CHECK(m->is_response());
    CHECK(m->authoritative());
    CHECK_FALSE(m->truncated());
    CHECK(m->rcode() == rcode::no_error);
    CHECK(m->answer_count() == 3);
    const auto asked = *dns_name::from_text("3.8.0.0.6.9.2.3.6.1.4.4.E164.ARPA");
    CHECK(m->question().name.equals(asked));

    std::vector<naptr_record> records;
    for (const dns_record& rr : m->answers()) {
        CHECK(rr.type == rr_type::naptr);
        CHECK(rr.ttl == 300);
        auto n = naptr_record::parse(rr);
        REQUIRE(n);
        records.push_back(*n);
    }
    REQUIRE(records.size() == 3);
    CHECK(records[0].order == 10);
    CHECK(records[0].preference == 100);
    CHECK(records[0].flags == "u");
    CHECK(records[0].services == "E2U+sip");
    CHECK(records[0].regexp == "!^.*$!sip:info@example.com!");
    CHECK(records[0].replacement.decode()->is_root());
    CHECK(records[1].services == "E2U+h323");
    CHECK(records[2].order == 20);
    CHECK(records[2].flags.empty());
    CHECK(records[2].regexp.empty());
    CHECK(records[2].replacement.to_string() == "next.example.net");
    int owners_equal_question = 0;
    for (const dns_record& rr : m->answers()) owners_equal_question += rr.owner.equals(asked) ? 1 : 0;
    CHECK(owners_equal_question == 2);
}

TEST_CASE("DNS response: every truncation of a valid response is rejected") {
    dnstest::response_writer w(1, "4.3.2.1.6.7.9.8.6.4.e164.arpa");
    w.add_naptr(sip_rule);
    w.add_naptr({10, 102, "u", "E2U+sips", "!^\\+46(.*)$!sips:\\1@example.se!", ""});
    const auto full = w.finish();
    REQUIRE(dns_message::parse(full));
    for (std::size_t size = 0; size < full.size(); ++size) {
        // Copied so that ASan sees any read past the shorter message.
        std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
        std::size_t where = 0;
        const auto e = parse_error(cut, &where);
        INFO("size " << size);
        REQUIRE(e);
        CHECK((e == errc::truncated || e == errc::bad_rdata));
        CHECK(where <= size);
    }
    // Bytes after the last record the header announces are refused too.
    auto longer = full;
    longer.push_back(0);
    CHECK(parse_error(longer) == errc::trailing_bytes);
}

TEST_CASE("DNS response: compression loops are detected") {
    // A name that is just a pointer to itself (offset 12).
    CHECK(parse_error(message(1, 0, {0xC0, 0x0C, 0, 35, 0, 1})) == errc::compression_loop);
    // A label, then a pointer back to the start of the same name.
    CHECK(parse_error(message(1, 0, {1, 'a', 0xC0, 0x0C, 0, 35, 0, 1})) == errc::compression_loop);
    // Two names pointing at each other: the second (offset 18) points to the first, whose pointer
    // at 14 leads back to the second.
    std::vector<std::uint8_t> body = {1, 'a', 0xC0, 18, 0, 0};  // question "a" + ptr to 18 (type/class 0)
    body.insert(body.end(), {1, 'b', 0xC0, 12});                // answer owner at 18: "b" + ptr to 12
    body.insert(body.end(), {0, 35, 0, 1, 0, 0, 0, 0, 0, 0});
    std::size_t where = 99;
    const auto e = parse_error(message(1, 1, body), &where);
    CHECK((e == errc::forward_pointer || e == errc::compression_loop));
    // The answer's owner, read on its own, meets the loop at the question's pointer.
    body = {1, 'a', 0xC0, 18, 0, 0, 1, 'b', 0xC0, 12};
    std::vector<std::uint8_t> m = message(0, 0, body);
    std::size_t end = 0;
    CHECK(name_reader::read(m, 18, end, nullptr) == errc::compression_loop);
    // A long chain of pointers, each to the one before: no loop, but more hops than allowed.
    std::vector<std::uint8_t> chain = {0};  // the root at offset 12
    for (unsigned k = 0; k < 100; ++k) {
        const unsigned target = k == 0 ? 12 : 13 + 2 * (k - 1);
        chain.push_back(static_cast<std::uint8_t>(0xC0 | (target >> 8)));
        chain.push_back(static_cast<std::uint8_t>(target));
    }
    m = message(0, 0, chain);
    CHECK(name_reader::read(m, 13 + 2 * 10, end, nullptr) == errc{});
    CHECK(name_reader::read(m, 13 + 2 * 99, end, nullptr) == errc::compression_loop);
}

TEST_CASE("DNS response: pointers forward, beyond the message or into the header are refused") {
    // The question's name points forward to the answer's owner.
    std::vector<std::uint8_t> body = {0xC0, 18, 0, 35, 0, 1, 1, 'x', 0, 0, 35, 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t where = 0;
    CHECK(parse_error(message(1, 1, body), &where) == errc::forward_pointer);
    CHECK(where == 12);
    CHECK(parse_error(message(1, 0, {0xC0, 0xFF, 0, 35, 0, 1})) == errc::pointer_out_of_range);
    CHECK(parse_error(message(1, 0, {0xFF, 0xFF, 0, 35, 0, 1})) == errc::pointer_out_of_range);
    CHECK(parse_error(message(1, 0, {0xC0, 0x02, 0, 35, 0, 1})) == errc::pointer_out_of_range);  // into the header
    CHECK(parse_error(message(1, 0, {0xC0})) == errc::truncated);  // half a pointer
}

TEST_CASE("DNS response: labels over 63 octets and names over 255 octets are refused") {
    // Length octets 0x40-0xBF are not labels (RFC 1035 §4.1.4, RFC 6891 §5).
    for (unsigned len : {0x40u, 0x7Fu, 0x80u, 0xBFu}) {
        std::vector<std::uint8_t> body = {static_cast<std::uint8_t>(len)};
        body.resize(1 + (len & 0x3F) + 8, 'a');
        CHECK(parse_error(message(1, 0, body)) == errc::label_too_long);
    }
    // 63 is fine.
    std::vector<std::uint8_t> ok = {63};
    ok.resize(64, 'a');
    ok.insert(ok.end(), {0, 0, 35, 0, 1});
    CHECK_FALSE(parse_error(message(1, 0, ok)));
    // 5 labels of 63 written out: 321 octets.
    std::vector<std::uint8_t> big;
    for (int k = 0; k < 5; ++k) {
        big.push_back(63);
        big.insert(big.end(), 63, 'b');
    }
    big.insert(big.end(), {0, 0, 35, 0, 1});
    CHECK(parse_error(message(1, 0, big)) == errc::name_too_long);
    // The same length reached through compression: four names of one 63-octet label each, each
    // ending in a pointer to the one before; the last is 4 * 64 + 1 = 257 octets uncompressed.
    std::vector<std::uint8_t> names = {63};
    names.insert(names.end(), 63, 'c');
    names.push_back(0);  // name 1 at 12: 65 octets
    std::size_t previous = 12;
    for (int k = 0; k < 3; ++k) {
        const std::size_t here = 12 + names.size();
        names.push_back(63);
        names.insert(names.end(), 63, static_cast<std::uint8_t>('d' + k));
        names.push_back(static_cast<std::uint8_t>(0xC0 | (previous >> 8)));
        names.push_back(static_cast<std::uint8_t>(previous));
        previous = here;
    }
    std::vector<std::uint8_t> m = message(0, 0, names);
    std::size_t end = 0;
    CHECK(name_reader::read(m, 12 + 65, end, nullptr) == errc{});       // 2 labels
    CHECK(name_reader::read(m, 12 + 65 + 66, end, nullptr) == errc{});  // 3 labels, 193 octets
    CHECK(name_reader::read(m, previous, end, nullptr) == errc::name_too_long);  // 4 labels + root = 257
}

TEST_CASE("DNS response: NAPTR RDATA must fill RDLENGTH exactly") {
    dnstest::response_writer w(1, "x.example");
    w.add_naptr(sip_rule);
    const auto good = w.finish();
    REQUIRE(dns_message::parse(good));
    // RDLENGTH is the 2 bytes before the RDATA; the RDATA starts after owner (2) + 10 fixed bytes.
    const std::size_t answer = 12 + 11 + 4;  // header, "x.example" (11 octets), type + class
    const std::size_t rdlength_at = answer + 2 + 8;
    const unsigned rdlength = (unsigned{good[rdlength_at]} << 8) | good[rdlength_at + 1];

    auto longer = good;  // one more byte inside the RDATA than the fields use
    longer[rdlength_at + 1] = static_cast<std::uint8_t>(rdlength + 1);
    longer.push_back(0);
    CHECK(parse_error(longer) == errc::bad_rdata);

    auto shorter = good;  // the replacement's root octet outside RDLENGTH
    shorter[rdlength_at + 1] = static_cast<std::uint8_t>(rdlength - 1);
    CHECK(parse_error(shorter));

    auto overrun = good;  // FLAGS claims 200 octets
    overrun[rdlength_at + 2 + 4] = 200;
    CHECK(parse_error(overrun) == errc::bad_rdata);

    auto tiny = good;  // RDLENGTH 3: not even ORDER and PREFERENCE
    tiny[rdlength_at + 1] = 3;
    tiny.resize(rdlength_at + 2 + 3);
    CHECK(parse_error(tiny) == errc::bad_rdata);
}

TEST_CASE("DNS response: random bytes and random mutations never crash the parser") {
    std::mt19937 rng(20240610);
    dnstest::response_writer w(1, "8.7.6.5.4.3.2.1.0.3.9.4.e164.arpa");
    w.add_naptr(sip_rule);
    w.add_naptr({20, 10, "", "E2U", "", "9.4.e164.example"});
    const auto base = w.finish();
    std::size_t accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        auto m = base;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
        auto parsed = dns_message::parse(m);
        if (!parsed) continue;
        ++accepted;
        for (const dns_record& rr : parsed->answers()) {
            (void)rr.owner.decode();
            if (rr.type == rr_type::naptr) REQUIRE(naptr_record::parse(rr));
        }
    }
    CHECK(accepted > 0);  // mutations of TTLs and text still parse
}

TEST_CASE("NAPTR flags and services as ENUM reads them (RFC 6116 §3.4.1, §3.4.2)") {
    CHECK(classify_flags("u") == naptr_flag_kind::terminal_uri);
    CHECK(classify_flags("U") == naptr_flag_kind::terminal_uri);
    CHECK(classify_flags("") == naptr_flag_kind::non_terminal);
    CHECK(classify_flags("s") == naptr_flag_kind::unusable);
    CHECK(classify_flags("a") == naptr_flag_kind::unusable);
    CHECK(classify_flags("up") == naptr_flag_kind::unusable);

    auto s = classify_services("E2U+sip");
    CHECK(s.enum_service);
    CHECK(s.sip);
    CHECK_FALSE(s.sips);
    s = classify_services("e2u+SIPS");
    CHECK(s.enum_service);
    CHECK(s.sips);
    s = classify_services("E2U+pres+sip");
    CHECK(s.sip);
    s = classify_services("E2U+sip:foo");
    CHECK(s.sip);
    s = classify_services("sip+E2U");  // RFC 2916
    CHECK(s.enum_service);
    CHECK(s.sip);
    s = classify_services("E2U+voice:tel");
    CHECK(s.enum_service);
    CHECK_FALSE(s.sip);
    s = classify_services("E2U");
    CHECK(s.enum_service);
    CHECK_FALSE(s.sip);
    s = classify_services("SIP+D2U");  // RFC 3263, another DDDS application
    CHECK_FALSE(s.enum_service);
    CHECK_FALSE(s.sip);
    s = classify_services("E2Usip");
    CHECK_FALSE(s.enum_service);
    CHECK(classify_services("").empty);
}
