// Interop test support shared by the libnice and libre tests: natkit values and sockaddrs.
// libnice's and libre's headers cannot share a translation unit (both declare a C function
// stun_debug, with different signatures), so each library has its own header and test file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/stun/header.hpp"

namespace interop {

inline std::vector<std::uint8_t> to_vector(natkit::bytes_view b) { return {b.begin(), b.end()}; }

/// A password or key as the byte pointer C APIs take.
inline const std::uint8_t* key_data(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

inline natkit::endpoint ep(std::string_view text) { return natkit::endpoint::parse(text).value(); }

/// A transaction id with recognisable bytes; `seed` makes each test's id different.
inline natkit::stun::transaction_id make_tid(std::uint8_t seed) {
    natkit::stun::transaction_id t;
    for (std::size_t i = 0; i < t.bytes.size(); ++i) t.bytes[i] = static_cast<std::uint8_t>(seed * 16u + i);
    return t;
}

// --- sockaddr (what libnice speaks) -------------------------------------------------------

struct sockaddr_value {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

inline sockaddr_value to_sockaddr(const natkit::endpoint& e) {
    sockaddr_value s;
    if (e.address().is_v4()) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(e.port());
        std::memcpy(&in.sin_addr, e.address().data(), 4);
        std::memcpy(&s.storage, &in, sizeof in);
        s.length = sizeof in;
    } else {
        sockaddr_in6 in6{};
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(e.port());
        std::memcpy(&in6.sin6_addr, e.address().data(), 16);
        std::memcpy(&s.storage, &in6, sizeof in6);
        s.length = sizeof in6;
    }
    return s;
}

/// The endpoint a sockaddr holds; 0.0.0.0:0 for an unexpected family (a test then fails on it).
inline natkit::endpoint from_sockaddr(const sockaddr_storage& s) {
    if (s.ss_family == AF_INET) {
        sockaddr_in in;
        std::memcpy(&in, &s, sizeof in);
        return {natkit::ip_address::v4_bytes(reinterpret_cast<const std::uint8_t*>(&in.sin_addr)), ntohs(in.sin_port)};
    }
    if (s.ss_family == AF_INET6) {
        sockaddr_in6 in6;
        std::memcpy(&in6, &s, sizeof in6);
        return {natkit::ip_address::v6(reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr)), ntohs(in6.sin6_port)};
    }
    return {};
}

}  // namespace interop
