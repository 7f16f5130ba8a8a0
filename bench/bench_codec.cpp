// natkit-bench-codec: natkit's STUN codec against libnice's and libre's on the same work
// (the RFC 5769 vectors), in one binary; prints a table with the ratios at the end.
//
//     natkit-bench-codec --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The table takes the median of the repetitions when there are any, and CPU time per operation
// (robust against the preemption of a shared machine). Every benchmark first checks that its
// library gets the expected values (or bytes) and reports an error instead of a time otherwise.
#define NATKIT_ALLOC_COUNTER_IMPLEMENTATION
#include "alloc_counter.hpp"
#include "table_reporter.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "codec_bench.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"
#include "support/vectors.hpp"

using namespace natkit;
using namespace natkit::stun;

namespace {

codec_bench::inputs make_inputs() {
    codec_bench::inputs in;
    in.request = vectors::sample_request();
    in.response = vectors::ipv4_response();
    in.username = vectors::short_term_username;
    in.password = vectors::short_term_password;
    in.software = "test vector";
    std::memcpy(in.tid.data(), in.request.data() + 8, 12);
    in.priority = 0x6e0001ffu;
    in.ice_controlled = 0x932ff9b151263b36ull;
    in.mapped_ip = {192, 0, 2, 1};
    in.mapped_port = 32853;

    std::array<std::uint8_t, 64> buf{};
    message_builder b(buf, method::binding, message_class::request, transaction_id::from(in.tid.data()));
    b.add_fingerprint();
    auto out = b.finish();
    if (out) in.request_fp.assign(out->begin(), out->end());
    return in;
}

void bench_natkit_a(benchmark::State& state, const codec_bench::inputs& in) {
    const integrity_key key = integrity_key::short_term(in.password);  // once per credential
    const std::uint8_t* data = in.request.data();
    const std::size_t size = in.request.size();
    {
        auto msg = message_view::parse(bytes_view(data, size));
        if (!msg || msg->check_fingerprint() || msg->check_integrity(key) ||
            msg->get<attr::priority>().value_or(0u) != in.priority ||
            msg->get<attr::ice_controlled>().value_or(0u) != in.ice_controlled) {
            state.SkipWithError("natkit: unexpected result for the RFC 5769 request");
            return;
        }
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        benchmark::DoNotOptimize(data);
        auto msg = message_view::parse(bytes_view(data, size));
        bool ok = msg && !msg->check_fingerprint() && !msg->check_integrity(key);
        auto priority = msg->get<attr::priority>();
        auto controlled = msg->get<attr::ice_controlled>();
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(priority);
        benchmark::DoNotOptimize(controlled);
    }
    meter.report(state);
}

template <bool Check>
void bench_natkit_b(benchmark::State& state, const codec_bench::inputs& in) {
    const integrity_key key = integrity_key::short_term(in.password);
    const std::uint8_t* data = in.response.data();
    const std::size_t size = in.response.size();
    const endpoint expected(ip_address::v4_bytes(in.mapped_ip.data()), in.mapped_port);
    {
        auto msg = message_view::parse(bytes_view(data, size));
        if (!msg || msg->check_fingerprint() || msg->check_integrity(key) ||
            msg->get<attr::xor_mapped_address>().value_or(endpoint()) != expected) {
            state.SkipWithError("natkit: unexpected result for the RFC 5769 response");
            return;
        }
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        benchmark::DoNotOptimize(data);
        auto msg = message_view::parse(bytes_view(data, size));
        if constexpr (Check) {
            bool ok = msg && !msg->check_fingerprint() && !msg->check_integrity(key);
            benchmark::DoNotOptimize(ok);
        }
        auto mapped = msg->get<attr::xor_mapped_address>();
        benchmark::DoNotOptimize(mapped);
    }
    meter.report(state);
}

void bench_natkit_c1(benchmark::State& state, const codec_bench::inputs& in) {
    const transaction_id tid = transaction_id::from(in.tid.data());
    std::array<std::uint8_t, 64> buf{};
    auto build = [&] {
        message_builder b(buf, method::binding, message_class::request, tid);
        b.add_fingerprint();
        return b.finish();
    };
    {
        auto out = build();
        if (!out || *out != bytes_view(in.request_fp)) {
            state.SkipWithError("natkit: unexpected bytes for the FINGERPRINT-only request");
            return;
        }
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        auto out = build();
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

void bench_natkit_c2(benchmark::State& state, const codec_bench::inputs& in) {
    const integrity_key key = integrity_key::short_term(in.password);
    const transaction_id tid = transaction_id::from(in.tid.data());
    const endpoint mapped(ip_address::v4_bytes(in.mapped_ip.data()), in.mapped_port);
    const std::string_view software = in.software;
    std::array<std::uint8_t, 128> buf{};
    auto build = [&] {
        message_builder b(buf, method::binding, message_class::success_response, tid);
        b.set_padding_byte(0x20);  // as RFC 5769, so the output can be checked against it
        b.add<attr::software>(software);
        b.add<attr::xor_mapped_address>(mapped);
        b.add_integrity(key);
        b.add_fingerprint();
        return b.finish();
    };
    {
        auto out = build();
        if (!out || *out != bytes_view(in.response)) {
            state.SkipWithError("natkit: the built response differs from RFC 5769 2.2");
            return;
        }
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        auto out = build();
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

using natkit_bench::table_reporter;

std::string format_ns(const table_reporter::result* r) {
    char buf[32];
    if (!r) return "-";
    if (r->failed) return "error";
    std::snprintf(buf, sizeof buf, "%.1f", r->cpu_ns);
    return buf;
}

std::string format_ratio(const table_reporter::result* other, const table_reporter::result* natkit) {
    char buf[32];
    if (!other || !natkit || other->failed || natkit->failed || natkit->cpu_ns <= 0) return "-";
    std::snprintf(buf, sizeof buf, "%.2fx", other->cpu_ns / natkit->cpu_ns);
    return buf;
}

std::string format_allocs(const table_reporter::result* r) {
    char buf[32];
    if (!r || r->failed || r->allocs_per_op < 0) return "-";
    std::snprintf(buf, sizeof buf, "%.3g", r->allocs_per_op);
    return buf;
}

void print_table(const table_reporter& rep) {
    std::printf("\nnatkit vs libnice vs libre: CPU ns per operation (median of repetitions when run with them);\n"
                "ratio = other library's time / natkit's (above 1: natkit is faster); allocs/op counts %s.\n\n",
                natkit_bench::counts_malloc ? "operator new and malloc/calloc/realloc" : "operator new only");
    std::printf("%-58s %10s %10s %10s %9s %9s  %-21s %s\n", "row", "natkit", "libnice", "libre", "nice/nk",
                "re/nk", "allocs/op nk/nice/re", "targets");
    for (const codec_bench::row& r : codec_bench::rows) {
        const auto* nk = rep.find(codec_bench::benchmark_name(r, codec_bench::lib_natkit));
        const auto* nice = rep.find(codec_bench::benchmark_name(r, codec_bench::lib_libnice));
        const auto* re = rep.find(codec_bench::benchmark_name(r, codec_bench::lib_libre));
        const std::string allocs = format_allocs(nk) + "/" + format_allocs(nice) + "/" + format_allocs(re);

        std::string verdict;
        auto ok = [](const auto* x) { return x && !x->failed && x->cpu_ns > 0; };
        if (ok(nk)) {
            char buf[96];
            bool met = true;
            std::string missed;
            if (ok(nice) && nice->cpu_ns / nk->cpu_ns < r.min_vs_libnice) {
                met = false;
                std::snprintf(buf, sizeof buf, " <%.1fx nice", r.min_vs_libnice);
                missed += buf;
            }
            if (ok(re) && re->cpu_ns / nk->cpu_ns < r.min_vs_libre) {
                met = false;
                std::snprintf(buf, sizeof buf, " <%.1fx re", r.min_vs_libre);
                missed += buf;
            }
            if (r.max_ns > 0 && nk->cpu_ns > r.max_ns) {
                met = false;
                std::snprintf(buf, sizeof buf, " >%.0fns", r.max_ns);
                missed += buf;
            }
            if (nk->allocs_per_op > 0) {
                met = false;
                missed += " allocates";
            }
            verdict = met ? "met" : "MISSED:" + missed;
        }
        std::printf("%-58s %10s %10s %10s %9s %9s  %-21s %s\n", r.description, format_ns(nk).c_str(),
                    format_ns(nice).c_str(), format_ns(re).c_str(), format_ratio(nice, nk).c_str(),
                    format_ratio(re, nk).c_str(), allocs.c_str(), verdict.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    static const codec_bench::inputs in = make_inputs();
    using codec_bench::benchmark_name;
    using codec_bench::lib_natkit;
    auto reg = [](const codec_bench::row& r, void (*fn)(benchmark::State&, const codec_bench::inputs&)) {
        benchmark::RegisterBenchmark(benchmark_name(r, lib_natkit).c_str(), [fn](benchmark::State& s) { fn(s, in); })
            ->Unit(benchmark::kNanosecond);
    };
    reg(codec_bench::row_a, bench_natkit_a);
    reg(codec_bench::row_b, bench_natkit_b<true>);
    reg(codec_bench::row_b2, bench_natkit_b<false>);
    reg(codec_bench::row_c1, bench_natkit_c1);
    reg(codec_bench::row_c2, bench_natkit_c2);
    codec_bench::register_libnice(in);
    codec_bench::register_libre(in);

    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_table(reporter);
    benchmark::Shutdown();
    return 0;
}
