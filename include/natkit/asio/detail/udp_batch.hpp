// natkit/asio/detail/udp_batch.hpp - many UDP datagrams per system call on Linux (recvmmsg,
// sendmmsg) for the Asio adapters, with all the memory of a batch allocated up front.
//
// Private to natkit/asio. NATKIT_ASIO_HAS_UDP_BATCH is 1 where the calls exist (Linux with
// the GNU declarations, which g++ and clang++ enable for C++); define NATKIT_ASIO_NO_UDP_BATCH
// to turn it off.
#ifndef NATKIT_ASIO_DETAIL_UDP_BATCH_HPP
#define NATKIT_ASIO_DETAIL_UDP_BATCH_HPP

#include "natkit/asio/config.hpp"

#if defined(__linux__) && !defined(NATKIT_ASIO_NO_UDP_BATCH)
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#endif

// MSG_WAITFORONE comes with the recvmmsg/sendmmsg declarations (glibc's __USE_GNU, musl).
#if defined(__linux__) && !defined(NATKIT_ASIO_NO_UDP_BATCH) && defined(MSG_WAITFORONE)
#define NATKIT_ASIO_HAS_UDP_BATCH 1
#else
#define NATKIT_ASIO_HAS_UDP_BATCH 0
#endif

#if NATKIT_ASIO_HAS_UDP_BATCH

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"

NATKIT_BEGIN_NAMESPACE
namespace asio {
namespace detail {

/// The endpoint of an AF_INET or AF_INET6 socket address (IPv6 scope ids are not kept).
inline bool from_sockaddr(const sockaddr_storage& ss, endpoint& out) noexcept {
    if (ss.ss_family == AF_INET) {
        sockaddr_in s;
        std::memcpy(&s, &ss, sizeof s);
        std::array<std::uint8_t, 4> a{};
        std::memcpy(a.data(), &s.sin_addr, 4);
        out = endpoint(ip_address::v4_bytes(a.data()), ntohs(s.sin_port));
        return true;
    }
    if (ss.ss_family == AF_INET6) {
        sockaddr_in6 s;
        std::memcpy(&s, &ss, sizeof s);
        std::array<std::uint8_t, 16> a{};
        std::memcpy(a.data(), &s.sin6_addr, 16);
        out = endpoint(ip_address::v6(a.data()), ntohs(s.sin6_port));
        return true;
    }
    return false;
}

/// The socket address of `e`; its length.
inline socklen_t to_sockaddr(const endpoint& e, sockaddr_storage& ss) noexcept {
    std::memset(&ss, 0, sizeof ss);
    if (e.address().is_v4()) {
        sockaddr_in s{};
        s.sin_family = AF_INET;
        s.sin_port = htons(e.port());
        std::memcpy(&s.sin_addr, e.address().data(), 4);
        std::memcpy(&ss, &s, sizeof s);
        return sizeof s;
    }
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    s.sin6_port = htons(e.port());
    std::memcpy(&s.sin6_addr, e.address().data(), 16);
    std::memcpy(&ss, &s, sizeof s);
    return sizeof s;
}

/// Replaces the port of an AF_INET or AF_INET6 socket address (the rest, e.g. an IPv6 scope
/// id, stays).
inline void set_sockaddr_port(sockaddr_storage& ss, std::uint16_t port) noexcept {
    const std::uint16_t net_port = htons(port);
    if (ss.ss_family == AF_INET)
        std::memcpy(reinterpret_cast<unsigned char*>(&ss) + offsetof(sockaddr_in, sin_port), &net_port, 2);
    else if (ss.ss_family == AF_INET6)
        std::memcpy(reinterpret_cast<unsigned char*>(&ss) + offsetof(sockaddr_in6, sin6_port), &net_port, 2);
}

/// Storage for one batch of received datagrams (with their source addresses) and one batch of
/// datagrams to send, and the recvmmsg/sendmmsg calls over them. Nothing is allocated after
/// construction.
class udp_batch {
public:
    /// Datagrams per system call. recvmmsg and sendmmsg take at most UIO_MAXIOV (1024); 64 keeps
    /// a batch's headers in a few kilobytes and already makes the system call overhead small
    /// next to the kernel's per-datagram work.
    static constexpr std::size_t capacity = 64;

    /// Each received datagram may have up to `datagram_size` bytes (larger ones are truncated,
    /// as a plain recvfrom would).
    explicit udp_batch(std::size_t datagram_size)
        : datagram_size_(datagram_size),
          // A stride that is not a multiple of the page size, so that the first bytes of the
          // slots (usually all a datagram uses) do not compete for the same cache sets.
          stride_(datagram_size + 64),
          // Default-initialised: the pages of a slot are touched only as far as datagrams fill
          // them, so 64 slots of 64 KiB cost little memory with small datagrams.
          in_(new std::uint8_t[capacity * (datagram_size + 64)]) {
        for (std::size_t k = 0; k < capacity; ++k) {
            rx_iov_[k].iov_base = in_.get() + k * stride_;
            rx_iov_[k].iov_len = datagram_size_;
            rx_[k].msg_hdr.msg_iov = &rx_iov_[k];
            rx_[k].msg_hdr.msg_iovlen = 1;
            rx_[k].msg_hdr.msg_name = &rx_addr_[k];
            tx_[k].msg_hdr.msg_iov = &tx_iov_[k];
            tx_[k].msg_hdr.msg_iovlen = 1;
            tx_[k].msg_hdr.msg_name = &tx_addr_[k];
        }
    }

    udp_batch(const udp_batch&) = delete;
    udp_batch& operator=(const udp_batch&) = delete;

    /// Reads up to `capacity` datagrams without blocking. Returns how many (0 when none is
    /// waiting); `ec` is set on other errors (e.g. an ICMP error the socket reports).
    std::size_t receive(int fd, error_code& ec) noexcept {
        ec = {};
        for (std::size_t k = 0; k < capacity; ++k) {
            rx_[k].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            rx_[k].msg_hdr.msg_controllen = 0;
            rx_[k].msg_hdr.msg_flags = 0;
        }
        int n;
        do {
            n = ::recvmmsg(fd, rx_.data(), static_cast<unsigned>(capacity), MSG_DONTWAIT, nullptr);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) ec = error_code(errno, net::error::get_system_category());
            return 0;
        }
        return static_cast<std::size_t>(n);
    }

    /// The k-th datagram of the last receive().
    bytes_view datagram(std::size_t k) const noexcept {
        return bytes_view(static_cast<const std::uint8_t*>(rx_iov_[k].iov_base), rx_[k].msg_len);
    }
    /// Its source address.
    const sockaddr_storage& source(std::size_t k) const noexcept { return rx_addr_[k]; }
    /// The length of its source address.
    socklen_t source_length(std::size_t k) const noexcept { return rx_[k].msg_hdr.msg_namelen; }

    /// Empties the send batch.
    void clear_sends() noexcept { tx_count_ = 0; }
    /// Adds a datagram to the send batch (at most `capacity`; more are ignored). `data` must
    /// stay valid until send(). `tag` comes back in send()'s callback.
    void add_send(bytes_view data, const sockaddr_storage& to, socklen_t to_length, std::size_t tag) noexcept {
        if (tx_count_ >= capacity) return;
        const std::size_t k = tx_count_++;
        tx_iov_[k].iov_base = const_cast<std::uint8_t*>(data.data());
        tx_iov_[k].iov_len = data.size();
        tx_addr_[k] = to;
        tx_[k].msg_hdr.msg_namelen = to_length;
        tx_[k].msg_hdr.msg_controllen = 0;
        tx_[k].msg_hdr.msg_flags = 0;
        tx_tag_[k] = tag;
    }
    /// Datagrams in the send batch.
    std::size_t sends() const noexcept { return tx_count_; }

    /// Sends the batch on `fd` without blocking, with as few sendmmsg calls as errors allow:
    /// a datagram that fails (would block, no route, ...) is skipped and the rest still go.
    /// Calls `done(tag, error)` for each datagram, in order.
    template <class Done>
    void send(int fd, Done&& done) noexcept {
        std::size_t k = 0;
        while (k < tx_count_) {
            int n;
            do {
                n = ::sendmmsg(fd, tx_.data() + k, static_cast<unsigned>(tx_count_ - k), MSG_DONTWAIT);
            } while (n < 0 && errno == EINTR);
            if (n <= 0) {
                // sendmmsg reports the error of the first datagram only when none went out.
                const error_code ec(n < 0 ? errno : EIO, net::error::get_system_category());
                done(tx_tag_[k], ec);
                ++k;
                continue;
            }
            for (int i = 0; i < n; ++i) done(tx_tag_[k++], error_code{});
        }
        tx_count_ = 0;
    }

private:
    std::size_t datagram_size_;
    std::size_t stride_;
    std::unique_ptr<std::uint8_t[]> in_;
    std::array<mmsghdr, capacity> rx_{};
    std::array<iovec, capacity> rx_iov_{};
    std::array<sockaddr_storage, capacity> rx_addr_{};
    std::array<mmsghdr, capacity> tx_{};
    std::array<iovec, capacity> tx_iov_{};
    std::array<sockaddr_storage, capacity> tx_addr_{};
    std::array<std::size_t, capacity> tx_tag_{};
    std::size_t tx_count_ = 0;
};

}  // namespace detail
}  // namespace asio
NATKIT_END_NAMESPACE

#endif  // NATKIT_ASIO_HAS_UDP_BATCH

#endif  // NATKIT_ASIO_DETAIL_UDP_BATCH_HPP
