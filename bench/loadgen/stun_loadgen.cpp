// natkit-stun-loadgen - keeps a window of STUN Binding requests in flight against one server on
// loopback and reports answered requests per second, loss and latency percentiles.
//
//     natkit-stun-loadgen --server 127.0.0.1:3478 [--duration 5] [--window 128] [--json]
//
// One UDP socket, one thread pinned to one core (sched_setaffinity), requests and responses
// moved in batches with sendmmsg/recvmmsg. Each slot of the window holds one outstanding
// request with its own transaction id (slot number + generation); an answer that parses, is a
// Binding success response, carries that exact id and maps to our own address frees the slot,
// which sends its next request at once. A request unanswered after --timeout-ms is lost and
// the slot moves on with a fresh id (a late answer to the old id counts as "late").
//
// Only requests sent inside the measurement window (after the warm-up) are counted; at the
// end nothing more is sent and their answers are awaited for up to --timeout-ms.
//
// Linux only. Loopback only: it refuses any other server or local address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "natkit/core/endpoint.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/message.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using natkit::endpoint;
namespace stun = natkit::stun;

struct options {
    endpoint server;
    endpoint local = endpoint(natkit::ip_address::v4(127, 0, 0, 1), 0);
    double duration_s = 5.0;
    double warmup_s = 0.5;
    unsigned window = 128;
    unsigned timeout_ms = 500;
    unsigned batch = 32;
    int cpu = 0;
    bool fingerprint = false;
    bool json = false;
};

[[noreturn]] void usage(const char* why) {
    if (why) std::fprintf(stderr, "natkit-stun-loadgen: %s\n", why);
    std::fprintf(stderr,
                 "usage: natkit-stun-loadgen --server IP:PORT [--local IP[:PORT]] [--duration S]\n"
                 "           [--warmup S] [--window N] [--timeout-ms N] [--batch N] [--cpu N|-1]\n"
                 "           [--fingerprint] [--json]\n"
                 "  loopback only (127.0.0.0/8, ::1). Defaults: duration 5, warmup 0.5, window 128,\n"
                 "  timeout-ms 500, batch 32, cpu 0 (-1: do not pin).\n");
    std::exit(2);
}

unsigned long parse_number(const char* flag, const char* text, unsigned long lo, unsigned long hi) {
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) {
        std::fprintf(stderr, "natkit-stun-loadgen: %s wants an integer in %lu..%lu, not '%s'\n", flag, lo, hi, text);
        std::exit(2);
    }
    return v;
}

double parse_seconds(const char* flag, const char* text) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end || !(v >= 0.0) || v > 3600.0) {
        std::fprintf(stderr, "natkit-stun-loadgen: %s wants seconds, not '%s'\n", flag, text);
        std::exit(2);
    }
    return v;
}

options parse_options(int argc, char** argv) {
    options o;
    bool have_server = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (a == "--server") {
            auto e = endpoint::parse(value(), 3478);
            if (!e) usage("bad --server");
            o.server = *e;
            have_server = true;
        } else if (a == "--local") {
            auto e = endpoint::parse(value(), 0);
            if (!e) usage("bad --local");
            o.local = *e;
        } else if (a == "--duration") {
            o.duration_s = parse_seconds("--duration", value());
        } else if (a == "--warmup") {
            o.warmup_s = parse_seconds("--warmup", value());
        } else if (a == "--window") {
            o.window = static_cast<unsigned>(parse_number("--window", value(), 1, 65536));
        } else if (a == "--timeout-ms") {
            o.timeout_ms = static_cast<unsigned>(parse_number("--timeout-ms", value(), 1, 10000));
        } else if (a == "--batch") {
            o.batch = static_cast<unsigned>(parse_number("--batch", value(), 1, 1024));
        } else if (a == "--cpu") {
            const char* v = value();
            o.cpu = std::string_view(v) == "-1" ? -1 : static_cast<int>(parse_number("--cpu", v, 0, CPU_SETSIZE - 1));
        } else if (a == "--fingerprint") {
            o.fingerprint = true;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "-h" || a == "--help") {
            usage(nullptr);
        } else {
            usage("unknown argument");
        }
    }
    if (!have_server) usage("--server is required");
    // A load generator aimed anywhere but at this host is a flood: refuse it.
    if (!o.server.address().is_loopback() || !o.local.address().is_loopback()) usage("only loopback addresses are allowed");
    if (o.server.family() != o.local.family()) usage("--server and --local must be of the same family");
    if (o.server.port() == 0) usage("--server needs a port");
    if (o.duration_s <= 0.0) usage("--duration must be positive");
    return o;
}

socklen_t to_sockaddr(const endpoint& e, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (e.address().is_v4()) {
        auto* s = reinterpret_cast<sockaddr_in*>(&ss);
        s->sin_family = AF_INET;
        s->sin_port = htons(e.port());
        std::memcpy(&s->sin_addr, e.address().data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(e.port());
    std::memcpy(&s->sin6_addr, e.address().data(), 16);
    return sizeof(sockaddr_in6);
}

endpoint from_sockaddr(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) {
        const auto* s = reinterpret_cast<const sockaddr_in*>(&ss);
        return endpoint(natkit::ip_address::v4_bytes(reinterpret_cast<const std::uint8_t*>(&s->sin_addr)), ntohs(s->sin_port));
    }
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&ss);
    return endpoint(natkit::ip_address::v6(reinterpret_cast<const std::uint8_t*>(&s->sin6_addr)), ntohs(s->sin6_port));
}

std::string to_text(const endpoint& e) {
    char buf[endpoint::max_text_size];
    return std::string(buf, e.format(buf, sizeof buf));
}

/// Latency histogram: 100 ns buckets up to the timeout (which bounds every recorded sample).
class histogram {
public:
    explicit histogram(std::chrono::nanoseconds max) : buckets_(static_cast<std::size_t>(static_cast<std::uint64_t>(max.count()) / resolution_ns) + 2, 0) {}
    void add(std::chrono::nanoseconds d) {
        const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count()));
        const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(ns / resolution_ns), buckets_.size() - 1);
        ++buckets_[i];
        ++count_;
        sum_ns_ += ns;
        max_ns_ = std::max(max_ns_, ns);
    }
    std::uint64_t count() const { return count_; }
    double mean_us() const { return count_ ? static_cast<double>(sum_ns_) / static_cast<double>(count_) / 1000.0 : 0.0; }
    double max_us() const { return static_cast<double>(max_ns_) / 1000.0; }
    /// The upper edge of the bucket holding the q-quantile, in µs.
    double quantile_us(double q) const {
        if (!count_) return 0.0;
        const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            seen += buckets_[i];
            if (seen >= rank) return static_cast<double>((i + 1) * resolution_ns) / 1000.0;
        }
        return max_us();
    }

private:
    static constexpr std::uint64_t resolution_ns = 100;
    std::vector<std::uint32_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ns_ = 0;
    std::uint64_t max_ns_ = 0;
};

struct slot {
    std::array<std::uint8_t, 32> request{};  // a bare Binding request, 28 bytes with FINGERPRINT
    std::size_t size = 0;
    stun::transaction_id tid;
    clock_type::time_point sent{};
    bool outstanding = false;
    bool measured = false;  // sent inside the measurement window
};

struct counters {
    std::uint64_t sent = 0;      // measured requests sent
    std::uint64_t answered = 0;  // ... answered correctly
    std::uint64_t all_answered = 0;  // answered correctly, warm-up and drain included
    std::uint64_t lost = 0;      // ... never answered within the timeout
    std::uint64_t late = 0;      // answers to ids that had timed out already
    std::uint64_t unmatched = 0; // well-formed answers to ids never sent
    std::uint64_t bad = 0;       // not STUN, not a Binding success response, no mapped address
    std::uint64_t wrong_mapped = 0;  // mapped address is not our socket's
    std::uint64_t send_errors = 0;
    std::uint64_t recv_errors = 0;   // e.g. ECONNREFUSED while the server is not there
};

class loadgen {
public:
    loadgen(const options& o, int fd, endpoint local)
        : o_(o), fd_(fd), local_(local), slots_(o.window), send_queue_(o.window), hist_(std::chrono::milliseconds(o.timeout_ms)),
          recv_bufs_(o.batch), recv_iov_(o.batch), recv_msgs_(o.batch), send_iov_(o.batch), send_msgs_(o.batch),
          per_second_(static_cast<std::size_t>(o.duration_s) + 2, 0) {
        std::random_device rd;
        salt_ = (std::uint64_t{rd()} << 32) ^ rd();
        for (unsigned i = 0; i < o_.batch; ++i) {
            recv_iov_[i] = {recv_bufs_[i].data(), recv_bufs_[i].size()};
            recv_msgs_[i].msg_hdr.msg_iov = &recv_iov_[i];
            recv_msgs_[i].msg_hdr.msg_iovlen = 1;
            send_msgs_[i].msg_hdr.msg_iov = &send_iov_[i];
            send_msgs_[i].msg_hdr.msg_iovlen = 1;
        }
    }

    void run() {
        const auto start = clock_type::now();
        measure_start_ = start + to_duration(o_.warmup_s);
        measure_end_ = measure_start_ + to_duration(o_.duration_s);
        const auto timeout = std::chrono::milliseconds(o_.timeout_ms);
        for (unsigned i = 0; i < o_.window; ++i) queue(i);

        auto now = start;
        auto next_scan = now + std::chrono::milliseconds(1);
        // Load phase, then the drain: answers to measured requests are awaited for the timeout.
        while (true) {
            const bool sending = now < measure_end_;
            if (!sending && (outstanding_measured_ == 0 || now >= measure_end_ + timeout)) break;
            if (sending) flush_sends(now);
            const int n = ::recvmmsg(fd_, recv_msgs_.data(), o_.batch, MSG_DONTWAIT, nullptr);
            now = clock_type::now();
            if (n > 0) {
                for (int k = 0; k < n; ++k) on_datagram(recv_bufs_[static_cast<std::size_t>(k)].data(), recv_msgs_[static_cast<std::size_t>(k)].msg_len, now);
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                ++c_.recv_errors;  // ECONNREFUSED: an ICMP port unreachable came back
            } else if (send_count_ == 0) {
                pollfd p{fd_, POLLIN, 0};
                ::poll(&p, 1, 1);
                now = clock_type::now();
            }
            if (now >= next_scan) {
                expire(now, timeout, sending);
                next_scan = now + std::chrono::milliseconds(1);
            }
        }
        for (const slot& s : slots_)
            if (s.outstanding && s.measured) ++c_.lost;
    }

    void report(const char* server_text) const {
        const double answered_per_s = static_cast<double>(c_.answered) / o_.duration_s;
        const double loss_pct = c_.sent ? 100.0 * static_cast<double>(c_.lost) / static_cast<double>(c_.sent) : 0.0;
        const std::size_t whole_seconds = static_cast<std::size_t>(o_.duration_s);
        std::uint64_t sec_min = 0, sec_max = 0;
        for (std::size_t i = 0; i < whole_seconds; ++i) {
            sec_min = i == 0 ? per_second_[i] : std::min(sec_min, per_second_[i]);
            sec_max = std::max(sec_max, per_second_[i]);
        }
        const std::string local_text = to_text(local_);
        if (o_.json) {
            std::printf("{\"server\":\"%s\",\"local\":\"%s\",\"cpu\":%d,\"window\":%u,\"duration_s\":%.3f,"
                        "\"sent\":%" PRIu64 ",\"answered\":%" PRIu64 ",\"all_answered\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"late\":%" PRIu64
                        ",\"unmatched\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"wrong_mapped\":%" PRIu64
                        ",\"send_errors\":%" PRIu64 ",\"recv_errors\":%" PRIu64 ",\"answered_per_s\":%.1f,"
                        "\"per_second_min\":%" PRIu64 ",\"per_second_max\":%" PRIu64 ",\"loss_pct\":%.4f,"
                        "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f}\n",
                        server_text, local_text.c_str(), o_.cpu, o_.window, o_.duration_s, c_.sent, c_.answered, c_.all_answered, c_.lost,
                        c_.late, c_.unmatched, c_.bad, c_.wrong_mapped, c_.send_errors, c_.recv_errors, answered_per_s,
                        sec_min, sec_max, loss_pct, hist_.quantile_us(0.50), hist_.quantile_us(0.90),
                        hist_.quantile_us(0.99), hist_.quantile_us(0.999), hist_.max_us(), hist_.mean_us());
            return;
        }
        std::printf("server %s from %s, window %u, %.2f s after %.2f s warm-up, cpu %d\n", server_text, local_text.c_str(),
                    o_.window, o_.duration_s, o_.warmup_s, o_.cpu);
        std::printf("sent %" PRIu64 "  answered %" PRIu64 "  lost %" PRIu64 " (%.4f %%)  late %" PRIu64 "  unmatched %" PRIu64
                    "  bad %" PRIu64 "  wrong-mapped %" PRIu64 "  send/recv errors %" PRIu64 "/%" PRIu64 "\n",
                    c_.sent, c_.answered, c_.lost, loss_pct, c_.late, c_.unmatched, c_.bad, c_.wrong_mapped, c_.send_errors,
                    c_.recv_errors);
        std::printf("answered/s %.0f (whole seconds: min %" PRIu64 ", max %" PRIu64 ")\n", answered_per_s, sec_min, sec_max);
        std::printf("latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n", hist_.quantile_us(0.50),
                    hist_.quantile_us(0.90), hist_.quantile_us(0.99), hist_.quantile_us(0.999), hist_.max_us(),
                    hist_.mean_us());
    }

    bool healthy() const { return c_.answered > 0; }

private:
    static clock_type::duration to_duration(double s) {
        return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
    }

    /// Gives slot i a fresh transaction id and request and puts it in the send queue.
    void queue(unsigned i) {
        slot& s = slots_[i];
        // Bytes 0-3 the slot, 4-11 a salted generation: distinct ids, and the slot is found
        // without a lookup table.
        const std::uint64_t gen = ++generation_ ^ salt_;
        for (int b = 0; b < 4; ++b) s.tid.bytes[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
        for (int b = 0; b < 8; ++b) s.tid.bytes[static_cast<std::size_t>(4 + b)] = static_cast<std::uint8_t>(gen >> (8 * b));
        stun::message_builder b(natkit::mutable_bytes(s.request.data(), s.request.size()), stun::method::binding,
                                stun::message_class::request, s.tid);
        if (o_.fingerprint) (void)b.add_fingerprint();
        auto bytes = b.finish();
        s.size = bytes ? bytes->size() : 0;
        s.outstanding = false;
        send_queue_[send_count_++] = i;
    }

    void flush_sends(clock_type::time_point now) {
        std::size_t done = 0;
        while (done < send_count_) {
            const std::size_t n = std::min<std::size_t>(send_count_ - done, o_.batch);
            for (std::size_t k = 0; k < n; ++k) {
                const slot& s = slots_[send_queue_[done + k]];
                send_iov_[k] = {const_cast<std::uint8_t*>(s.request.data()), s.size};
            }
            const int sent = ::sendmmsg(fd_, send_msgs_.data(), static_cast<unsigned>(n), 0);
            if (sent <= 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++c_.send_errors;
                break;  // retried on the next turn
            }
            for (int k = 0; k < sent; ++k) {
                slot& s = slots_[send_queue_[done + static_cast<std::size_t>(k)]];
                s.sent = now;
                s.outstanding = true;
                s.measured = now >= measure_start_ && now < measure_end_;
                if (s.measured) {
                    ++c_.sent;
                    ++outstanding_measured_;
                }
            }
            done += static_cast<std::size_t>(sent);
        }
        // Keep what did not go out at the front of the queue.
        std::copy(send_queue_.begin() + static_cast<std::ptrdiff_t>(done), send_queue_.begin() + static_cast<std::ptrdiff_t>(send_count_),
                  send_queue_.begin());
        send_count_ -= done;
    }

    void on_datagram(const std::uint8_t* data, unsigned size, clock_type::time_point now) {
        auto msg = stun::message_view::parse(natkit::bytes_view(data, size));
        if (!msg || msg->method() != stun::method::binding || msg->message_class() != stun::message_class::success_response) {
            ++c_.bad;
            return;
        }
        const stun::transaction_id tid = msg->transaction_id();
        const unsigned i = unsigned{tid.bytes[0]} | unsigned{tid.bytes[1]} << 8 | unsigned{tid.bytes[2]} << 16 | unsigned{tid.bytes[3]} << 24;
        if (i >= slots_.size() || slots_[i].tid != tid || !slots_[i].outstanding) {
            if (i < slots_.size() && std::equal(tid.bytes.begin(), tid.bytes.begin() + 4, slots_[i].tid.bytes.begin())) ++c_.late;
            else ++c_.unmatched;
            return;
        }
        // XOR-MAPPED-ADDRESS (RFC 8489 §14.2), else MAPPED-ADDRESS (what RFC 3489 servers send).
        auto mapped = msg->get<stun::attr::xor_mapped_address>();
        if (!mapped) mapped = msg->get<stun::attr::mapped_address>();
        if (!mapped) {
            ++c_.bad;
            return;
        }
        slot& s = slots_[i];
        s.outstanding = false;
        if (*mapped != local_) ++c_.wrong_mapped;
        else ++c_.all_answered;
        if (s.measured) {
            --outstanding_measured_;
            if (*mapped == local_) {
                ++c_.answered;
                hist_.add(now - s.sent);
                const auto second = static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(s.sent - measure_start_).count());
                if (second < per_second_.size()) ++per_second_[second];
            }
        }
        if (now < measure_end_) queue(i);
    }

    void expire(clock_type::time_point now, std::chrono::milliseconds timeout, bool sending) {
        for (unsigned i = 0; i < slots_.size(); ++i) {
            slot& s = slots_[i];
            if (!s.outstanding || now - s.sent < timeout) continue;
            if (s.measured) {
                ++c_.lost;
                --outstanding_measured_;
            }
            s.outstanding = false;
            if (sending) queue(i);
        }
    }

    const options& o_;
    int fd_;
    endpoint local_;
    std::vector<slot> slots_;
    std::vector<unsigned> send_queue_;
    std::size_t send_count_ = 0;
    histogram hist_;
    std::vector<std::array<std::uint8_t, 2048>> recv_bufs_;
    std::vector<iovec> recv_iov_;
    std::vector<mmsghdr> recv_msgs_;
    std::vector<iovec> send_iov_;
    std::vector<mmsghdr> send_msgs_;
    std::vector<std::uint64_t> per_second_;
    counters c_;
    std::uint64_t generation_ = 0;
    std::uint64_t salt_ = 0;
    std::uint64_t outstanding_measured_ = 0;
    clock_type::time_point measure_start_{};
    clock_type::time_point measure_end_{};
};

}  // namespace

int main(int argc, char** argv) {
    const options o = parse_options(argc, argv);

    if (o.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(static_cast<std::size_t>(o.cpu), &set);
        if (::sched_setaffinity(0, sizeof set, &set) != 0) {
            std::fprintf(stderr, "natkit-stun-loadgen: sched_setaffinity(cpu %d): %s\n", o.cpu, std::strerror(errno));
            return 1;
        }
    }

    const int family = o.server.address().is_v4() ? AF_INET : AF_INET6;
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        std::perror("socket");
        return 1;
    }
    const int bufsize = 4 << 20;
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
    sockaddr_storage ss;
    socklen_t len = to_sockaddr(o.local, ss);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        std::perror("bind");
        return 1;
    }
    // connect(): the kernel drops datagrams from anyone else, and sendmmsg needs no address.
    len = to_sockaddr(o.server, ss);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        std::perror("connect");
        return 1;
    }
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        std::perror("getsockname");
        return 1;
    }
    const endpoint local = from_sockaddr(ss);

    loadgen g(o, fd, local);
    g.run();
    ::close(fd);
    g.report(to_text(o.server).c_str());
    return g.healthy() ? 0 : 1;
}
