// natkit-bench-rewrite: natkit's SIP/SDP rewriter against GNU oSIP (libosip2) and sofia-sip on
// the same messages, in one binary; prints a table with the ratios at the end.
//
//     natkit-bench-rewrite --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The work, per message: the top Via's sent-by to the public address and port with ;rport, the
// Contact's host and port, the SDP's o= and c= addresses, the m= ports and the a=rtcp ports and
// addresses through the port map, and Content-Length. natkit edits the bytes in one pass into a
// fixed buffer; oSIP and sofia-sip parse the message and its SDP into their objects, change the
// same fields and serialise both. Before timing, each library's output is checked (with natkit,
// see check_output) and a library that gets it wrong reports an error instead of a time.
//
// The table takes the median of the repetitions when there are any, and CPU time per operation.
#define NATKIT_ALLOC_COUNTER_IMPLEMENTATION
#include "alloc_counter.hpp"
#include "table_reporter.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "natkit/sip/content_length.hpp"
#include "natkit/sip/rewriter.hpp"
#include "rewrite_bench.hpp"

using namespace natkit;

namespace rewrite_bench {

namespace {

sip::rewrite_rules rules_of(const inputs& in) {
    sip::rewrite_rules r;
    (void)r.set_public_endpoint(*ip_address::parse(in.public_ip), static_cast<std::uint16_t>(in.public_sip_port));
    (void)r.sdp.set_public_address(*ip_address::parse(in.public_ip));
    (void)r.sdp.ports.add(*sdp::port_mapping::range(static_cast<std::uint16_t>(in.local_first),
                                                    static_cast<std::uint16_t>(in.local_last),
                                                    static_cast<std::uint16_t>(in.public_first)));
    return r;
}

}  // namespace

std::string check_output(const inputs& in, const std::string& message, const std::string& output) {
    const sip::rewrite_rules rules = rules_of(in);
    std::string again;
    const auto r = sip::rewrite(output, rules, again);
    if (!r) return "natkit cannot read the output: line " + std::to_string(r.line()) + ": " + r.error().message();
    // Everything that had to change did: a second rewrite finds nothing left to do.
    if (r.changes() != 0)
        return "a local address or unmapped port is left (natkit would still change " + std::to_string(r.changes()) +
               " fields)";
    std::string fixed;
    const auto cl = sip::fix_content_length(output, fixed);
    if (!cl) return "Content-Length: " + cl.error().message();
    if (cl.changes() != 0) return "Content-Length does not match the body";
    // ... and the same output as natkit's in substance.
    const bool invite = message == in.invite;
    const std::vector<std::string> needles =
        invite ? std::vector<std::string>{"203.0.113.5:65002",
                                          "rport",
                                          "m=audio 40200 ",
                                          "m=video 40204 ",
                                          "a=rtcp:40201 IN IP4 203.0.113.5",
                                          "a=rtcp:40205 IN IP4 203.0.113.5",
                                          "IN IP4 203.0.113.5\r\ns=-",
                                          "a=candidate:1467250027 2 udp 2122260222 192.168.1.10 55205"}
               : std::vector<std::string>{"sip:+4989111222@203.0.113.5:65002", "m=audio 40320 ", "c=IN IP4 203.0.113.5",
                                          "Via: SIP/2.0/UDP 198.51.100.7:5060"};
    for (const std::string& n : needles)
        if (output.find(n) == std::string::npos) return "missing \"" + n + "\"";
    return {};
}

namespace {

void bench_natkit(benchmark::State& state, const inputs& in, const std::string& message, const std::string& expected) {
    const sip::rewrite_rules rules = rules_of(in);
    static std::array<std::uint8_t, 8192> buf;
    {
        const auto r = sip::rewrite(message, rules, buf);
        if (!r || r.text() != expected) {
            state.SkipWithError("natkit: unexpected output");
            return;
        }
        const std::string why = check_output(in, message, std::string(r.text()));
        if (!why.empty()) {
            state.SkipWithError(("natkit: " + why).c_str());
            return;
        }
    }
    const std::string_view text = message;
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        const char* data = text.data();
        benchmark::DoNotOptimize(data);
        auto r = sip::rewrite(std::string_view(data, text.size()), rules, buf);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
    meter.report(state);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(message.size()));
}

using natkit_bench::table_reporter;

std::string format_ns(const table_reporter::result* r) {
    char buf[32];
    if (!r) return "-";
    if (r->failed) return "error";
    std::snprintf(buf, sizeof buf, "%.0f", r->cpu_ns);
    return buf;
}

std::string format_ratio(const table_reporter::result* other, const table_reporter::result* natkit) {
    char buf[32];
    if (!other || !natkit || other->failed || natkit->failed || natkit->cpu_ns <= 0) return "-";
    std::snprintf(buf, sizeof buf, "%.1fx", other->cpu_ns / natkit->cpu_ns);
    return buf;
}

std::string format_allocs(const table_reporter::result* r) {
    char buf[32];
    if (!r || r->failed || r->allocs_per_op < 0) return "-";
    std::snprintf(buf, sizeof buf, "%.3g", r->allocs_per_op);
    return buf;
}

void print_table(const table_reporter& rep) {
    std::printf(
        "\nnatkit vs GNU oSIP vs sofia-sip, rewriting the same message: CPU ns per message (median of\n"
        "repetitions when run with them); ratio = other library's time / natkit's; allocs/op counts %s.\n\n",
        natkit_bench::counts_malloc ? "operator new and malloc/calloc/realloc" : "operator new only");
    std::printf("%-60s %8s %8s %8s %9s %9s  %-22s %s\n", "row", "natkit", "oSIP", "sofia", "oSIP/nk", "sofia/nk",
                "allocs/op nk/oSIP/sofia", "targets");
    for (const row& r : rows) {
        const auto* nk = rep.find(benchmark_name(r, lib_natkit));
        const auto* os = rep.find(benchmark_name(r, lib_osip));
        const auto* so = rep.find(benchmark_name(r, lib_sofia));
        const std::string allocs = format_allocs(nk) + "/" + format_allocs(os) + "/" + format_allocs(so);
        std::string verdict;
        const auto ok = [](const auto* x) { return x && !x->failed && x->cpu_ns > 0; };
        if (ok(nk)) {
            char buf[96];
            std::string missed;
            if (ok(os) && os->cpu_ns / nk->cpu_ns < r.min_vs_osip) {
                std::snprintf(buf, sizeof buf, " <%.0fx oSIP", r.min_vs_osip);
                missed += buf;
            }
            if (ok(so) && so->cpu_ns / nk->cpu_ns < r.min_vs_sofia) {
                std::snprintf(buf, sizeof buf, " <%.0fx sofia", r.min_vs_sofia);
                missed += buf;
            }
            if (r.max_ns > 0 && nk->cpu_ns > r.max_ns) {
                std::snprintf(buf, sizeof buf, " >%.0fns", r.max_ns);
                missed += buf;
            }
            if (nk->allocs_per_op > 0) missed += " allocates";
            verdict = missed.empty() ? "met" : "MISSED:" + missed;
        }
        std::printf("%-60s %8s %8s %8s %9s %9s  %-22s %s\n", r.description, format_ns(nk).c_str(),
                    format_ns(os).c_str(), format_ns(so).c_str(), format_ratio(os, nk).c_str(),
                    format_ratio(so, nk).c_str(), allocs.c_str(), verdict.c_str());
    }
}

}  // namespace
}  // namespace rewrite_bench

int main(int argc, char** argv) {
    using namespace rewrite_bench;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    static inputs in;
    in.invite = typical_invite();
    in.answer = typical_answer();
    {
        const sip::rewrite_rules rules = rules_of(in);
        (void)sip::rewrite(in.invite, rules, in.invite_expected);
        (void)sip::rewrite(in.answer, rules, in.answer_expected);
    }
    benchmark::RegisterBenchmark(benchmark_name(row_invite, lib_natkit).c_str(), [](benchmark::State& s) {
        bench_natkit(s, in, in.invite, in.invite_expected);
    })->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(benchmark_name(row_answer, lib_natkit).c_str(), [](benchmark::State& s) {
        bench_natkit(s, in, in.answer, in.answer_expected);
    })->Unit(benchmark::kNanosecond);
    register_osip(in);
    register_sofia(in);

    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_table(reporter);
    benchmark::Shutdown();
    return 0;
}
