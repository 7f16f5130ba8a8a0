// The rewrite rules' building blocks: CIDR prefixes, the local-network policy, the port map and
// the public addresses.
#include <string>

#include "catch.hpp"
#include "natkit/core/cidr.hpp"
#include "natkit/core/local_networks.hpp"
#include "natkit/sdp/port_map.hpp"
#include "natkit/sdp/rewrite_rules.hpp"
#include "natkit/sip/rewrite_rules.hpp"

using namespace natkit;

namespace {
ip_address ip(const char* text) { return *ip_address::parse(text); }
cidr net(const char* text) { return *cidr::parse(text); }
}  // namespace

TEST_CASE("cidr parses prefixes and tests membership bit by bit") {
    SECTION("IPv4") {
        const cidr c = net("172.16.0.0/12");
        CHECK(c.prefix_length() == 12);
        CHECK(c.contains(ip("172.16.0.1")));
        CHECK(c.contains(ip("172.31.255.255")));
        CHECK_FALSE(c.contains(ip("172.32.0.0")));
        CHECK_FALSE(c.contains(ip("172.15.255.255")));
        CHECK(c.to_string() == "172.16.0.0/12");
    }
    SECTION("IPv6") {
        const cidr c = net("fe80::/10");
        CHECK(c.contains(ip("fe80::1")));
        CHECK(c.contains(ip("febf:ffff::1")));
        CHECK_FALSE(c.contains(ip("fec0::1")));
        CHECK(net("2001:db8::/32").contains(ip("2001:db8:ffff::1")));
        CHECK(net("::/0").contains(ip("2001:db8::1")));
    }
    SECTION("host bits are cleared, a bare address is one host") {
        CHECK(net("192.168.1.77/24") == net("192.168.1.0/24"));
        CHECK(net("192.168.1.77/24").to_string() == "192.168.1.0/24");
        CHECK(net("198.51.100.7").prefix_length() == 32);
        CHECK(net("198.51.100.7").contains(ip("198.51.100.7")));
        CHECK_FALSE(net("198.51.100.7").contains(ip("198.51.100.8")));
        CHECK(net("2001:db8::1").prefix_length() == 128);
        CHECK(net("0.0.0.0/0").contains(ip("203.0.113.5")));
    }
    SECTION("families never mix") {
        CHECK_FALSE(net("0.0.0.0/0").contains(ip("::1")));
        CHECK_FALSE(net("::/0").contains(ip("10.0.0.1")));
        CHECK_FALSE(net("10.0.0.0/8").contains(ip("::ffff:10.0.0.1")));
    }
    SECTION("errors") {
        CHECK(cidr::parse("10.0.0.0/33").error() == cidr_errc::bad_prefix_length);
        CHECK(cidr::parse("fd00::/129").error() == cidr_errc::bad_prefix_length);
        CHECK(cidr::parse("10.0.0.0/").error() == cidr_errc::bad_prefix_length);
        CHECK(cidr::parse("10.0.0.0/-1").error() == cidr_errc::bad_prefix_length);
        CHECK(cidr::parse("10.0.0.0/1234").error() == cidr_errc::bad_prefix_length);
        CHECK(cidr::parse("10.0.0/8").error() == parse_errc::bad_address);
        CHECK(cidr::parse("").error() == parse_errc::bad_address);
        CHECK(cidr::make(ip("10.0.0.0"), 40).error() == cidr_errc::bad_prefix_length);
        CHECK(std::string(cidr::parse("10.0.0.0/33").error().category().name()) == "natkit.cidr");
    }
}

TEST_CASE("local_networks: the private and special ranges, plus configured prefixes") {
    local_networks local;
    SECTION("defaults") {
        for (const char* a :
             {"10.0.0.1", "10.255.255.255", "172.16.5.4", "172.31.0.1", "192.168.1.10", "100.64.0.1", "100.127.255.254",
              "169.254.10.20", "127.0.0.1", "fd00:1::10", "fc00::1", "fe80::1", "::1"})
            CHECK(local.contains(ip(a)));
        for (const char* a : {"11.0.0.1", "172.32.0.1", "172.15.0.1", "192.169.0.1", "100.128.0.1", "100.63.255.255",
                              "203.0.113.5", "198.51.100.7", "2001:db8::1", "fec0::1", "::2", "::ffff:192.168.1.1"})
            CHECK_FALSE(local.contains(ip(a)));
    }
    SECTION("unspecified and multicast are never local") {
        local.add(net("0.0.0.0/0"));
        local.add(net("::/0"));
        CHECK_FALSE(local.contains(ip("0.0.0.0")));
        CHECK_FALSE(local.contains(ip("::")));
        CHECK_FALSE(local.contains(ip("224.2.17.12")));
        CHECK_FALSE(local.contains(ip("ff02::1")));
        CHECK(local.contains(ip("203.0.113.5")));
    }
    SECTION("configured prefixes, and defaults off") {
        CHECK_FALSE(local.add(net("198.51.100.0/24")));
        CHECK(local.contains(ip("198.51.100.20")));
        CHECK(local.size() == 1);
        CHECK_FALSE(local.add(net("198.51.100.0/24")));  // twice: once
        CHECK(local.size() == 1);
        local.set_defaults(false);
        CHECK_FALSE(local.contains(ip("10.0.0.1")));
        CHECK(local.contains(ip("198.51.100.20")));
        CHECK_FALSE(local_networks::none().contains(ip("192.168.1.1")));
    }
    SECTION("a full set says so") {
        for (unsigned k = 0; k < local_networks::capacity; ++k)
            REQUIRE_FALSE(local.add(*cidr::make(ip_address::v4(198, 18, static_cast<std::uint8_t>(k), 0), 24)));
        CHECK(local.add(net("198.19.0.0/16")) == std::errc::no_buffer_space);
        CHECK(local.contains(ip("198.18.15.1")));
    }
}

TEST_CASE("port_map maps single ports and ranges and refuses overlaps") {
    sdp::port_map map;
    REQUIRE_FALSE(map.add(sdp::port_mapping::single(55000, 40012)));
    REQUIRE_FALSE(map.add(*sdp::port_mapping::range(56000, 56999, 46000)));
    CHECK(map.find(55000) == std::optional<std::uint16_t>(40012));
    CHECK_FALSE(map.find(55001));
    CHECK(map.find(56000) == std::optional<std::uint16_t>(46000));
    CHECK(map.find(56999) == std::optional<std::uint16_t>(46999));
    CHECK_FALSE(map.find(57000));

    SECTION("blocks for m= port/count") {
        CHECK(map.find_block(56010, 4) == std::optional<std::uint16_t>(46010));
        CHECK_FALSE(map.find_block(56998, 4));  // runs past the range
        CHECK_FALSE(map.find_block(55000, 2));  // 55001 unmapped
        CHECK(map.find_block(55000, 1) == std::optional<std::uint16_t>(40012));
    }
    SECTION("overlaps and capacity") {
        CHECK(map.add(sdp::port_mapping::single(56500, 1)) == sdp::errc::overlapping_port_mapping);
        CHECK(map.add(*sdp::port_mapping::range(55990, 56000, 1)) == sdp::errc::overlapping_port_mapping);
        CHECK_FALSE(map.add(sdp::port_mapping::single(55000, 40012)));  // the same again is fine
        CHECK(map.size() == 2);
        sdp::port_map full;
        for (std::uint16_t k = 0; k < sdp::port_map::capacity; ++k)
            REQUIRE_FALSE(full.add(sdp::port_mapping::single(static_cast<std::uint16_t>(1000 + k), k)));
        CHECK(full.add(sdp::port_mapping::single(2000, 1)) == sdp::errc::too_many_port_mappings);
    }
    SECTION("set replaces a binding's public port, erase removes") {
        CHECK_FALSE(map.set(55000, 40999));
        CHECK(map.find(55000) == std::optional<std::uint16_t>(40999));
        CHECK_FALSE(map.set(55002, 41000));
        CHECK(map.find(55002) == std::optional<std::uint16_t>(41000));
        CHECK(map.erase(56500));
        CHECK_FALSE(map.find(56000));
        CHECK_FALSE(map.erase(56500));
    }
    SECTION("text forms") {
        const auto single = sdp::port_mapping::parse("55000=40012");
        REQUIRE(single);
        CHECK(*single == sdp::port_mapping::single(55000, 40012));
        const auto range = sdp::port_mapping::parse("55000-55999=40000");
        REQUIRE(range);
        CHECK(range->local_last == 55999);
        CHECK(range->map(55999) == 40999);
        for (const char* bad : {"", "55000", "=1", "1=", "a=1", "1=b", "2-1=5", "1-2-3=4", "65000-65535=65001",
                                "70000=1", "1=70000", " 1=2"})
            CHECK(sdp::port_mapping::parse(bad).error() == sdp::errc::bad_port_mapping);
    }
}

TEST_CASE("rewrite rules keep one public address per family") {
    sdp::rewrite_rules rules;
    CHECK_FALSE(rules.public_address(address_family::ipv4));
    CHECK(rules.public_address_text(address_family::ipv4).empty());
    REQUIRE_FALSE(rules.set_public_address(ip("203.0.113.5")));
    REQUIRE_FALSE(rules.set_public_address(ip("2001:DB8:0:0::5")));
    CHECK(*rules.public_address(address_family::ipv4) == ip("203.0.113.5"));
    CHECK(rules.public_address_text(address_family::ipv6) == "2001:db8::5");  // RFC 5952 text
    CHECK(rules.replaces(ip("192.168.1.10")));
    CHECK(rules.replaces(ip("fd00::1")));
    CHECK_FALSE(rules.replaces(ip("198.51.100.1")));
    rules.clear_public_address(address_family::ipv6);
    CHECK_FALSE(rules.replaces(ip("fd00::1")));
    CHECK(rules.set_public_address(ip("0.0.0.0")) == sdp::errc::bad_public_address);
    CHECK(rules.set_public_address(ip("ff02::1")) == sdp::errc::bad_public_address);
    CHECK(std::string(make_error_code(sdp::errc::bad_media_line).category().name()) == "natkit.sdp");
}

TEST_CASE("SIP rules: bracketed IPv6 host, optional port, and the per-destination decision") {
    sip::rewrite_rules rules;
    REQUIRE_FALSE(rules.set_public_endpoint(ip("203.0.113.5"), 65002));
    REQUIRE_FALSE(rules.set_public_endpoint(*endpoint::parse("[2001:db8::5]:5060")));
    CHECK(rules.public_host(address_family::ipv4) == "203.0.113.5");
    CHECK(rules.public_port(address_family::ipv4) == 65002);
    CHECK(rules.public_host(address_family::ipv6) == "[2001:db8::5]");
    CHECK(rules.set_public_endpoint(ip("::")) == sip::errc::bad_public_address);

    SECTION("rewrite only towards the outside") {
        CHECK(rules.should_rewrite(*endpoint::parse("198.51.100.7:5060")));  // SIP provider
        CHECK(rules.should_rewrite(ip("2001:db8:100::7")));
        CHECK_FALSE(rules.should_rewrite(*endpoint::parse("192.168.1.50:5060")));  // desk phone on the LAN
        CHECK_FALSE(rules.should_rewrite(ip("fe80::1")));
        CHECK_FALSE(rules.should_rewrite(ip("127.0.0.1")));
        rules.sdp.local.add(net("198.51.100.0/24"));  // the provider reached over a VPN
        CHECK_FALSE(rules.should_rewrite(*endpoint::parse("198.51.100.7:5060")));
    }
}
