// natkit/enum/dns_query.hpp - writes a DNS query (RFC 1035 §4.1) into the caller's buffer.
//
//     std::array<std::uint8_t, enum_::max_query_size> buf;
//     auto q = enum_::build_query(buf, id, name, enum_::rr_type::naptr);   // result<bytes_view>
//
// Over TCP the message is preceded by its length in two octets (RFC 1035 §4.2.2); see
// build_tcp_query().
#ifndef NATKIT_ENUM_DNS_QUERY_HPP
#define NATKIT_ENUM_DNS_QUERY_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/dns_message.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// How build_query() writes the header and the OPT record.
struct query_options {
    /// RD: ask the server to recurse (what a stub resolver talking to /etc/resolv.conf's
    /// server wants); clear it to query an authoritative server directly.
    bool recursion_desired = true;
    /// EDNS(0) (RFC 6891 §6.2.3): the UDP payload size advertised in an OPT record; 0 sends
    /// no OPT record, which limits UDP answers to 512 octets (RFC 1035 §4.2.1). 1232 is the
    /// size DNS Flag Day 2020 recommends (no IP fragmentation on usual paths).
    std::uint16_t edns_udp_size = 1232;
};

/// Header, the longest name, type and class, an OPT record.
inline constexpr std::size_t max_query_size = dns_message::header_size + dns_name::max_size + 4 + 11;

namespace detail {
inline void store16(std::uint8_t* p, unsigned v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
}  // namespace detail

/// One question (`name`, `type`, class IN) with the given id. errc::buffer_too_small when
/// `out` cannot hold it (max_query_size always can).
inline result<bytes_view> build_query(mutable_bytes out, std::uint16_t id, const dns_name& name, std::uint16_t type,
                                      const query_options& options = {}) noexcept {
    const bool edns = options.edns_udp_size != 0;
    const std::size_t size = dns_message::header_size + name.size() + 4 + (edns ? 11 : 0);
    if (out.size() < size) return errc::buffer_too_small;
    std::uint8_t* p = out.data();
    std::memset(p, 0, size);
    detail::store16(p, id);
    detail::store16(p + 2, options.recursion_desired ? 0x0100u : 0u);  // QUERY, RD as asked
    detail::store16(p + 4, 1);                                         // QDCOUNT
    detail::store16(p + 10, edns ? 1u : 0u);                           // ARCOUNT
    std::size_t pos = dns_message::header_size;
    std::memcpy(p + pos, name.wire().data(), name.size());
    pos += name.size();
    detail::store16(p + pos, type);
    detail::store16(p + pos + 2, class_in);
    pos += 4;
    if (edns) {
        // RFC 6891 §6.1.2: root owner, type OPT, CLASS = payload size, TTL 0 (version 0, no
        // DO bit), no options.
        p[pos] = 0;
        detail::store16(p + pos + 1, rr_type::opt);
        detail::store16(p + pos + 3, options.edns_udp_size < 512 ? 512u : options.edns_udp_size);
        pos += 11;
    }
    return bytes_view(p, pos);
}

/// The same query framed for TCP: two octets of length first (RFC 1035 §4.2.2).
inline result<bytes_view> build_tcp_query(mutable_bytes out, std::uint16_t id, const dns_name& name,
                                          std::uint16_t type, const query_options& options = {}) noexcept {
    if (out.size() < 2) return errc::buffer_too_small;
    auto q = build_query(mutable_bytes(out.data() + 2, out.size() - 2), id, name, type, options);
    if (!q) return q.error();
    detail::store16(out.data(), static_cast<unsigned>(q->size()));
    return bytes_view(out.data(), q->size() + 2);
}

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_DNS_QUERY_HPP
