// natkit-bench-codec, libre's half: the rows done with libre's STUN codec (baresip/re).
//
// libre decodes a message from an mbuf into a heap object with one heap node per attribute (and
// heap copies of the strings); stun_msg_chk_fingerprint() and stun_msg_chk_mi() then check the
// decoded message. The datagram's mbuf is set up once, as a receiver gets it from its socket.
// Builds go through stun_msg_encode() into an mbuf allocated once with room to spare and rewound
// each iteration, the closest libre has to a fixed buffer.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

#include <benchmark/benchmark.h>

// libre's headers read the feature macros of its own build (re.mk); see tests/interop/re_peer.hpp.
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

#include "alloc_counter.hpp"
#include "codec_bench.hpp"

namespace codec_bench {
namespace {

struct re_deref {
    void operator()(void* p) const noexcept { mem_deref(p); }
};
using mbuf_ptr = std::unique_ptr<mbuf, re_deref>;

mbuf_ptr datagram(const std::vector<std::uint8_t>& bytes) {
    mbuf_ptr mb(mbuf_alloc(bytes.size()));
    if (mb && mbuf_write_mem(mb.get(), bytes.data(), bytes.size()) == 0) {
        mb->pos = 0;
        return mb;
    }
    return nullptr;
}

const std::uint8_t* key_of(const inputs& in) { return reinterpret_cast<const std::uint8_t*>(in.password.data()); }

sa mapped_address(const inputs& in) {
    sa s;
    sa_init(&s, AF_INET);
    const std::uint32_t ip = (std::uint32_t{in.mapped_ip[0]} << 24) | (std::uint32_t{in.mapped_ip[1]} << 16) |
                             (std::uint32_t{in.mapped_ip[2]} << 8) | std::uint32_t{in.mapped_ip[3]};
    sa_set_in(&s, ip, in.mapped_port);
    return s;
}

void bench_a(benchmark::State& state, const inputs& in) {
    const mbuf_ptr mb = datagram(in.request);
    const std::uint8_t* key = key_of(in);
    const std::size_t key_len = in.password.size();
    auto run = [&](std::uint32_t& priority, std::uint64_t& controlled) {
        stun_msg* msg = nullptr;
        if (stun_msg_decode(&msg, mb.get(), nullptr) != 0) return false;
        const bool checked = stun_msg_chk_fingerprint(msg) == 0 && stun_msg_chk_mi(msg, key, key_len) == 0;
        const stun_attr* p = stun_msg_attr(msg, STUN_ATTR_PRIORITY);
        const stun_attr* c = stun_msg_attr(msg, STUN_ATTR_CONTROLLED);
        if (p) priority = p->v.priority;
        if (c) controlled = c->v.controlled;
        mem_deref(msg);
        return checked && p && c;
    };
    std::uint32_t priority = 0;
    std::uint64_t controlled = 0;
    if (!mb || !run(priority, controlled) || priority != in.priority || controlled != in.ice_controlled) {
        state.SkipWithError("libre: unexpected result for the RFC 5769 request");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        bool ok = run(priority, controlled);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(priority);
        benchmark::DoNotOptimize(controlled);
    }
    meter.report(state);
}

template <bool Check>
void bench_b(benchmark::State& state, const inputs& in) {
    const mbuf_ptr mb = datagram(in.response);
    const std::uint8_t* key = key_of(in);
    const std::size_t key_len = in.password.size();
    const sa expected = mapped_address(in);
    auto run = [&](sa& mapped) {
        stun_msg* msg = nullptr;
        if (stun_msg_decode(&msg, mb.get(), nullptr) != 0) return false;
        bool ok = true;
        if constexpr (Check) ok = stun_msg_chk_fingerprint(msg) == 0 && stun_msg_chk_mi(msg, key, key_len) == 0;
        const stun_attr* x = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
        if (x) mapped = x->v.xor_mapped_addr;
        mem_deref(msg);
        return ok && x;
    };
    sa mapped;
    sa_init(&mapped, AF_UNSPEC);
    if (!mb || !run(mapped) || !sa_cmp(&mapped, &expected, SA_ALL)) {
        state.SkipWithError("libre: unexpected result for the RFC 5769 response");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        bool ok = run(mapped);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(mapped);
    }
    meter.report(state);
}

void bench_c1(benchmark::State& state, const inputs& in) {
    const mbuf_ptr mb(mbuf_alloc(256));
    const std::uint8_t* tid = in.tid.data();
    auto build = [&] {
        mbuf_rewind(mb.get());
        return stun_msg_encode(mb.get(), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid, nullptr, nullptr, 0, true, 0x00,
                               0);
    };
    if (!mb || build() != 0 || mb->end != in.request_fp.size() ||
        std::memcmp(mb->buf, in.request_fp.data(), mb->end) != 0) {
        state.SkipWithError("libre: unexpected bytes for the FINGERPRINT-only request");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        int err = build();
        benchmark::DoNotOptimize(err);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

void bench_c2(benchmark::State& state, const inputs& in) {
    const mbuf_ptr mb(mbuf_alloc(256));
    const std::uint8_t* tid = in.tid.data();
    const std::uint8_t* key = key_of(in);
    const std::size_t key_len = in.password.size();
    const sa mapped = mapped_address(in);
    const char* software = in.software.c_str();
    auto build = [&] {
        mbuf_rewind(mb.get());
        return stun_msg_encode(mb.get(), STUN_METHOD_BINDING, STUN_CLASS_SUCCESS_RESP, tid, nullptr, key, key_len, true,
                               0x20, 2, STUN_ATTR_SOFTWARE, software, STUN_ATTR_XOR_MAPPED_ADDR, &mapped);
    };
    if (!mb || build() != 0 || mb->end != in.response.size() ||
        std::memcmp(mb->buf, in.response.data(), mb->end) != 0) {
        state.SkipWithError("libre: the built response differs from RFC 5769 2.2");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        int err = build();
        benchmark::DoNotOptimize(err);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

}  // namespace

void register_libre(const inputs& in) {
    const inputs* p = &in;
    auto reg = [p](const row& r, void (*fn)(benchmark::State&, const inputs&)) {
        benchmark::RegisterBenchmark(benchmark_name(r, lib_libre).c_str(), [p, fn](benchmark::State& s) { fn(s, *p); })
            ->Unit(benchmark::kNanosecond);
    };
    reg(row_a, bench_a);
    reg(row_b, bench_b<true>);
    reg(row_b2, bench_b<false>);
    reg(row_c1, bench_c1);
    reg(row_c2, bench_c2);
}

}  // namespace codec_bench
