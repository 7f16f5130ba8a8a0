// Interop test support: libre's STUN codec (never include together with nice_peer.hpp).
#pragma once

#include <array>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "interop/common.hpp"

// libre: its headers read the HAVE_* macros that its own build (re.mk) defines. Without
// HAVE_STDBOOL_H re_types.h #defines bool/true/false, which must not happen in C++.
// The CMake targets define them too; these guards keep the header usable on its own.
#ifndef HAVE_STDBOOL_H
#define HAVE_STDBOOL_H 1
#endif
#ifndef HAVE_INTTYPES_H
#define HAVE_INTTYPES_H 1
#endif
#ifndef HAVE_INET6
#define HAVE_INET6 1
#endif
#include <re.h>

namespace interop {

// --- libre -------------------------------------------------------------------------------

inline sa to_re_sa(const natkit::endpoint& e) {
    sa s;
    sa_init(&s, e.address().is_v4() ? AF_INET : AF_INET6);
    if (e.address().is_v4()) sa_set_in(&s, e.address().v4_host_order(), e.port());
    else sa_set_in6(&s, e.address().data(), e.port());
    return s;
}

inline natkit::endpoint from_re_sa(const sa& s) {
    if (sa_af(&s) == AF_INET) return {natkit::ip_address::v4(sa_in(&s)), sa_port(&s)};
    if (sa_af(&s) == AF_INET6) {
        std::uint8_t b[16];
        sa_in6(&s, b);
        return {natkit::ip_address::v6(b), sa_port(&s)};
    }
    return {};
}

/// Releases libre's reference-counted objects (mbuf, stun_msg).
struct re_deref {
    void operator()(void* p) const noexcept { mem_deref(p); }
};
using re_mbuf_ptr = std::unique_ptr<mbuf, re_deref>;
using re_msg_ptr = std::unique_ptr<stun_msg, re_deref>;

/// stun_msg_decode() keeps a reference to the mbuf, so it must come from mbuf_alloc().
struct re_decoded {
    re_mbuf_ptr mb;
    re_msg_ptr msg;
    stun_unknown_attr unknown{};
    int err = 0;
};

inline re_decoded re_decode(natkit::bytes_view bytes) {
    re_decoded d;
    d.mb.reset(mbuf_alloc(bytes.size()));
    if (!d.mb || mbuf_write_mem(d.mb.get(), bytes.data(), bytes.size()) != 0) {
        d.err = ENOMEM;
        return d;
    }
    d.mb->pos = 0;
    stun_msg* m = nullptr;
    d.err = stun_msg_decode(&m, d.mb.get(), &d.unknown);
    d.msg.reset(m);
    return d;
}

inline std::vector<std::uint8_t> re_bytes(const mbuf& mb) { return {mb.buf, mb.buf + mb.end}; }

/// The long-term key of RFC 8489 §9.2.2 computed with libre's own MD5, as libre's TURN client
/// does: libre's STUN codec itself only takes a ready key.
inline std::array<std::uint8_t, 16> re_long_term_key(std::string_view user, std::string_view realm,
                                                     std::string_view password) {
    std::string s;
    s.append(user).append(":").append(realm).append(":").append(password);
    std::array<std::uint8_t, 16> out{};
    md5(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), out.data());
    return out;
}

}  // namespace interop
