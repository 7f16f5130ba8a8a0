// The RTP port pool of the link manager: a PBX's media ports (by default 55000-56000), handed
// out as pairs, RTP on an even port and RTCP on the odd port above it (RFC 3550 §11).
#ifndef NATKIT_EXAMPLES_LINK_MANAGER_RTP_PORT_POOL_HPP
#define NATKIT_EXAMPLES_LINK_MANAGER_RTP_PORT_POOL_HPP

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "natkit/asio/config.hpp"
#include "natkit/asio/error.hpp"

namespace link_manager {

namespace net = natkit::asio::net;
using udp = net::ip::udp;

/// The two sockets of one call's audio stream. They live as long as the pool, so an id given
/// to the keepalive service for them stays valid; a call opens and closes them.
struct media_sockets {
    explicit media_sockets(net::io_context& io, std::uint16_t rtp_port) : rtp(io), rtcp(io), port(rtp_port) {}
    udp::socket rtp;
    udp::socket rtcp;
    std::uint16_t port;                           ///< the RTP port; RTCP is port + 1
    std::uint32_t keepalive_ids[2] = {0, 0};      ///< the sockets' ids in the keepalive service
    bool registered = false;                      ///< keepalive_ids are set
    bool in_use = false;
    std::array<std::uint8_t, 1500> buffers[2]{};  ///< receive buffers: RTP, RTCP
    udp::endpoint senders[2]{};
};

class rtp_port_pool {
public:
    /// Pairs from `first` (rounded up to even) to `last`; both sockets bind to `address`.
    rtp_port_pool(net::io_context& io, net::ip::address address, std::uint16_t first, std::uint16_t last)
        : io_(io), address_(address), first_(static_cast<std::uint16_t>(first + (first & 1u))) {
        const unsigned count = last > first_ ? (static_cast<unsigned>(last) - first_ + 1u) / 2u : 0u;
        pairs_.resize(count);
    }

    /// Opens the next free pair whose two ports can both be bound (another program may hold
    /// some); nullptr when none can. Allocation rotates through the range, so a port just
    /// released is not reused at once: late RTP of the old call must not reach the new one.
    media_sockets* allocate(natkit::asio::error_code& ec) {
        ec = make_error_code(std::errc::address_in_use);
        for (std::size_t tried = 0; tried < pairs_.size(); ++tried) {
            const std::size_t i = next_;
            next_ = (next_ + 1) % pairs_.size();
            auto& slot = pairs_[i];
            if (!slot) slot = std::make_unique<media_sockets>(io_, static_cast<std::uint16_t>(first_ + 2 * i));
            if (slot->in_use) continue;
            if (open(*slot, ec)) {
                slot->in_use = true;
                return slot.get();
            }
        }
        return nullptr;
    }

    void release(media_sockets& m) {
        natkit::asio::error_code ignored;
        m.rtp.close(ignored);
        m.rtcp.close(ignored);
        m.in_use = false;
    }

    std::size_t capacity() const noexcept { return pairs_.size(); }

private:
    bool open(media_sockets& m, natkit::asio::error_code& ec) {
        const udp::endpoint rtp(address_, m.port), rtcp(address_, static_cast<std::uint16_t>(m.port + 1));
        m.rtp.open(rtp.protocol(), ec);
        if (!ec) m.rtp.bind(rtp, ec);
        if (!ec) m.rtcp.open(rtcp.protocol(), ec);
        if (!ec) m.rtcp.bind(rtcp, ec);
        if (ec) release(m);
        return !ec;
    }

    net::io_context& io_;
    net::ip::address address_;
    std::uint16_t first_;
    std::vector<std::unique_ptr<media_sockets>> pairs_;
    std::size_t next_ = 0;
};

}  // namespace link_manager

#endif  // NATKIT_EXAMPLES_LINK_MANAGER_RTP_PORT_POOL_HPP
