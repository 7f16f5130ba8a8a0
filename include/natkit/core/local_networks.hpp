// natkit/core/local_networks.hpp - which addresses count as "local" (behind the NAT).
//
// A PBX rewrites the addresses in the SIP and SDP it sends only when they are local, and only
// when the destination is not: a phone on the LAN must keep seeing the PBX's LAN address. This
// is the one place that decides what "local" means: the private and special-purpose ranges
// below by default, plus any prefixes the configuration adds (a VPN, a routed office subnet).
#ifndef NATKIT_CORE_LOCAL_NETWORKS_HPP
#define NATKIT_CORE_LOCAL_NETWORKS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/cidr.hpp"
#include "natkit/core/endpoint.hpp"

NATKIT_BEGIN_NAMESPACE

/// A set of networks whose addresses are local: by default the ranges no NAT's outside ever
/// sees (is_default_local), plus up to `capacity` configured prefixes.
///
/// A value type without heap storage (about 400 bytes): copy it freely, e.g. into per-call
/// rewrite rules.
class local_networks {
public:
    /// How many prefixes add() accepts.
    static constexpr std::size_t capacity = 16;

    /// The default ranges and no extra prefix.
    constexpr local_networks() noexcept = default;

    /// No default range: only what add() adds is local.
    static constexpr local_networks none() noexcept {
        local_networks n;
        n.defaults_ = false;
        return n;
    }

    /// Whether the default ranges count (they do unless turned off).
    constexpr bool defaults() const noexcept { return defaults_; }
    /// Whether the default ranges (RFC 1918, RFC 6598, link-local, ULA, loopback) count as local.
    constexpr void set_defaults(bool on) noexcept { defaults_ = on; }

    /// Adds a prefix whose addresses are local. Fails with std::errc::no_buffer_space when
    /// `capacity` prefixes are there already. Adding a prefix twice is not an error.
    std::error_code add(const cidr& network) noexcept {
        for (std::size_t k = 0; k < count_; ++k)
            if (extra_[k] == network) return {};
        if (count_ == capacity) return std::make_error_code(std::errc::no_buffer_space);
        extra_[count_++] = network;
        return {};
    }
    /// Removes every added prefix (the defaults stay as they are).
    constexpr void clear() noexcept { count_ = 0; }

    ///@{
    /// The added prefixes.
    const cidr* begin() const noexcept { return extra_.data(); }
    const cidr* end() const noexcept { return extra_.data() + count_; }
    constexpr std::size_t size() const noexcept { return count_; }
    ///@}

    /// True when `a` is in a default range (if those count) or in an added prefix.
    /// The unspecified addresses (0.0.0.0, ::) and multicast addresses are never local: they
    /// name no host on the LAN (RFC 3264 §8.4 hold, RFC 5771), so nothing rewrites them.
    bool contains(const ip_address& a) const noexcept {
        if (a.is_unspecified() || a.is_multicast()) return false;
        if (defaults_ && is_default_local(a)) return true;
        for (std::size_t k = 0; k < count_; ++k)
            if (extra_[k].contains(a)) return true;
        return false;
    }

    /// The default local ranges:
    /// - IPv4: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918 §3), 100.64.0.0/10
    ///   (RFC 6598 shared address space, carrier-grade NAT), 169.254.0.0/16 (RFC 3927
    ///   link-local), 127.0.0.0/8 (RFC 1122 §3.2.1.3 loopback);
    /// - IPv6: fc00::/7 (RFC 4193 unique local), fe80::/10 (RFC 4291 §2.5.6 link-local),
    ///   ::1 (RFC 4291 §2.5.3 loopback).
    /// IPv4-mapped IPv6 addresses are IPv6 here and not in any default range.
    static constexpr bool is_default_local(const ip_address& a) noexcept {
        const std::uint8_t* b = a.data();
        if (a.is_v4()) {
            return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
                   (b[0] == 100 && (b[1] & 0xC0) == 64) || (b[0] == 169 && b[1] == 254) || b[0] == 127;
        }
        return (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) || a.is_loopback();
    }

private:
    std::array<cidr, capacity> extra_{};
    std::size_t count_ = 0;
    bool defaults_ = true;
};

NATKIT_END_NAMESPACE

#endif  // NATKIT_CORE_LOCAL_NETWORKS_HPP
