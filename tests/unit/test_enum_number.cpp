// ENUM: telephone number to Application Unique String and domain (RFC 6116 §3.1, §3.4),
// domain names as text and wire form, resolv.conf.
#include <string>

#include "catch.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/number.hpp"
#include "natkit/enum/resolv_conf.hpp"

using namespace natkit;
using namespace natkit::enum_;

namespace {
std::string domain(std::string_view number, std::string_view suffix = "e164.arpa") {
    auto d = domain_text_for(number, suffix);
    REQUIRE(d);
    return *d;
}
std::error_code number_error(std::string_view number) { return e164_number::parse(number).error(); }
}  // namespace

TEST_CASE("ENUM: the Application Unique String keeps '+' and the digits only (RFC 6116 §3.1)") {
    // The RFC's own example.
    auto n = e164_number::parse("+44-116-496-0348");
    REQUIRE(n);
    CHECK(n->aus() == "+441164960348");
    CHECK(n->digits() == "441164960348");
    CHECK(e164_number::parse("+49 30 1234-5678")->aus() == "+493012345678");
    CHECK(e164_number::parse(" +1 (202) 555.1234 ")->aus() == "+12025551234");
    CHECK(e164_number::parse("+49 030/1234")->aus() == "+490301234");
    CHECK(e164_number::parse("+123456789012345")->aus() == "+123456789012345");  // 15 digits
}

TEST_CASE("ENUM: numbers that are not full E.164 numbers are refused with a reason") {
    CHECK(number_error("") == errc::empty_number);
    CHECK(number_error("  - ") == errc::empty_number);
    CHECK(number_error("+") == errc::empty_number);
    CHECK(number_error("+ - ()") == errc::empty_number);
    CHECK(number_error("4930123") == errc::not_international);
    CHECK(number_error("0049 30 123") == errc::not_international);
    CHECK(number_error("+49 30 12x4") == errc::bad_number);
    CHECK(number_error("+49+30") == errc::bad_number);
    CHECK(number_error("+49 30 1234;ext=5") == errc::bad_number);
    CHECK(number_error("+1234567890123456") == errc::number_too_long);  // 16 digits
    CHECK(number_error("+49\n30") == errc::bad_number);
}

TEST_CASE("ENUM: number to domain, digits reversed under the suffix (RFC 6116 §3.4, RFC 3761 §2.4)") {
    // The example and RFC 3761 §2.4's "+46-8-9761234".
    CHECK(domain("+49 30 1234-5678") == "8.7.6.5.4.3.2.1.0.3.9.4.e164.arpa");
    CHECK(domain("+46-8-9761234") == "4.3.2.1.6.7.9.8.6.4.e164.arpa");
    CHECK(domain("+44-116-496-0348") == "8.4.3.0.6.9.4.6.1.1.4.4.e164.arpa");
    // Other trees, written with or without the final dot.
    CHECK(domain("+49 30 1234-5678", "e164.org") == "8.7.6.5.4.3.2.1.0.3.9.4.e164.org");
    CHECK(domain("+4930", "e164.org.") == "0.3.9.4.e164.org");
    CHECK(domain("+4930", "enum.Example.NET") == "0.3.9.4.enum.Example.NET");
    // Case does not matter when names are compared (RFC 4343).
    CHECK(*domain_for(*e164_number::parse("+4930"), "E164.ARPA") == *domain_for(*e164_number::parse("+4930"), "e164.arpa"));
}

TEST_CASE("ENUM: unusable suffixes are errors, not odd queries") {
    const auto n = *e164_number::parse("+4930");
    CHECK(domain_for(n, "").error() == errc::bad_domain);
    CHECK(domain_for(n, "e164..arpa").error() == errc::bad_domain);
    CHECK(domain_for(n, ".e164.arpa").error() == errc::bad_domain);
    CHECK(domain_for(n, "e164 arpa").error() == errc::bad_domain);
    CHECK(domain_for(n, std::string(64, 'a') + ".arpa").error() == errc::label_too_long);
    CHECK(domain_for(n, std::string(63, 'a') + ".arpa"));
    // 15 digits take 30 octets; a suffix of 4 x 63-octet labels does not fit in 255.
    const std::string long_suffix = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + ".d";
    CHECK(domain_for(*e164_number::parse("+4930"), long_suffix));  // 8 + 1+63+1+63+1+63+1+1 + 1 = 203
    CHECK(domain_for(*e164_number::parse("+123456789012345"), long_suffix + "." + std::string(30, 'e')).error() ==
          errc::name_too_long);
}

TEST_CASE("DNS names: text form, escapes and the 63/255 octet limits (RFC 1035 §2.3.4, §5.1)") {
    auto n = dns_name::from_text("www.Example.com.");
    REQUIRE(n);
    CHECK(n->size() == 17);
    CHECK(n->label_count() == 3);
    CHECK(n->to_string() == "www.Example.com");
    CHECK(*n == *dns_name::from_text("WWW.EXAMPLE.COM"));
    CHECK(*n != *dns_name::from_text("www.example.org"));
    CHECK(dns_name::from_text(".")->is_root());
    CHECK(dns_name().to_string() == ".");

    auto escaped = dns_name::from_text("a\\.b.c\\\\d.\\007x");
    REQUIRE(escaped);
    CHECK(escaped->label_count() == 3);
    CHECK(escaped->to_string() == "a\\.b.c\\\\d.\\007x");
    CHECK(*dns_name::from_text(escaped->to_string()) == *escaped);
    CHECK(dns_name::from_text("a\\2").error() == errc::bad_domain);
    CHECK(dns_name::from_text("a\\256").error() == errc::bad_domain);

    std::string label63(63, 'x');
    CHECK(dns_name::from_text(label63));
    CHECK(dns_name::from_text(label63 + "x").error() == errc::label_too_long);
    // 255 octets exactly: 4 labels of 62 (63 octets each with the length) + root = 253; + "a" = 255.
    const std::string l62(62, 'y');
    const std::string name253 = l62 + "." + l62 + "." + l62 + "." + l62;
    CHECK(dns_name::from_text(name253)->size() == 253);
    CHECK(dns_name::from_text(name253 + ".a")->size() == 255);
    CHECK(dns_name::from_text(name253 + ".ab").error() == errc::name_too_long);
}

TEST_CASE("resolv.conf: name servers in order, timeout and attempts options") {
    const auto conf = resolv_conf::parse(
        "# generated\n"
        "search example.net\n"
        "nameserver 192.0.2.53\n"
        "nameserver   2001:db8::35 # second\n"
        "nameserver fe80::1%eth0\n"
        "nameserver not-an-address\n"
        "options rotate timeout:3 attempts:9 ndots:2\n"
        "nameserver 127.0.0.53");
    REQUIRE(conf.nameservers.size() == 3);
    CHECK(conf.nameservers[0].to_string() == "192.0.2.53:53");
    CHECK(conf.nameservers[1].to_string() == "[2001:db8::35]:53");
    CHECK(conf.nameservers[2].to_string() == "127.0.0.53:53");
    REQUIRE(conf.timeout);
    CHECK(*conf.timeout == std::chrono::seconds(3));
    REQUIRE(conf.attempts);
    CHECK(*conf.attempts == 5);  // capped as glibc does
    const auto empty = resolv_conf::parse("");
    CHECK(empty.nameservers.empty());
    CHECK_FALSE(empty.timeout);
}
