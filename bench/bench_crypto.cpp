// natkit-bench-crypto: natkit's HMAC-SHA1, HMAC-SHA256 and CRC-32 (dispatching, portable, and
// CPU-specific forced) next to OpenSSL's HMAC and zlib's crc32 on the same bytes, in one binary;
// prints a table with the ratios at the end.
//
//     natkit-bench-crypto --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// HMAC rows: natkit with the key's inner and outer states precomputed once (hmac_key, what
// integrity_key holds per credential); OpenSSL's one-shot HMAC() (keys and allocates on every
// call); OpenSSL with a keyed context reused per operation, both the EVP_MAC way (EVP_MAC_init
// with a null key restarts from the stored keyed state) and the deprecated HMAC_CTX way
// (HMAC_Init_ex with a null key, likewise). 76 bytes is what MESSAGE-INTEGRITY covers in the
// RFC 5769 §2.1 request. CRC rows: the STUN FINGERPRINT CRC over typical message sizes.
//
// The table takes the median of the repetitions when there are any, and CPU time per operation.
// Every benchmark first checks that its result equals the portable natkit code's and reports an
// error instead of a time otherwise.
#define NATKIT_ALLOC_COUNTER_IMPLEMENTATION
#include "alloc_counter.hpp"
#include "table_reporter.hpp"

// HMAC_CTX is deprecated in OpenSSL 3 but is what many applications still use; it is measured
// here on purpose.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <zlib.h>

#include "natkit/stun/detail/crc32.hpp"
#include "natkit/stun/detail/hmac.hpp"
#include "natkit/stun/detail/sha1.hpp"
#include "natkit/stun/detail/sha256.hpp"

namespace sd = natkit::stun::detail;

namespace {

// RFC 5769 §2.1's short-term password, as the key.
constexpr std::string_view key = "VOkJxbRl1RmTxUk/WvJxBt";
constexpr std::size_t hmac_len = 76;

std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::mt19937 rng(20240607);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

const std::vector<std::uint8_t>& input() {
    static const std::vector<std::uint8_t> v = random_bytes(2048);
    return v;
}

// ---- HMAC -------------------------------------------------------------------------------------

template <class Hash>
struct hash_traits;
template <sd::crypto_impl I>
struct hash_traits<sd::basic_sha1<I>> {
    static const EVP_MD* md() { return EVP_sha1(); }
    static constexpr const char* name = "SHA1";
    static bool accelerated_available() { return sd::sha1_accelerated_available(); }
};
template <sd::crypto_impl I>
struct hash_traits<sd::basic_sha256<I>> {
    static const EVP_MD* md() { return EVP_sha256(); }
    static constexpr const char* name = "SHA256";
    static bool accelerated_available() { return sd::sha256_accelerated_available(); }
};

// The portable code's MAC over the benchmark input, which every variant must reproduce.
template <class PortableHash>
typename PortableHash::digest expected_mac() {
    const sd::hmac_key<PortableHash> k(key.data(), key.size());
    return sd::hmac_compute(k, input().data(), hmac_len);
}

template <class Hash, class PortableHash>
void bench_natkit_hmac(benchmark::State& state) {
    if (std::is_same<Hash, sd::basic_sha1<sd::crypto_impl::accelerated>>::value ||
        std::is_same<Hash, sd::basic_sha256<sd::crypto_impl::accelerated>>::value) {
        if (!hash_traits<Hash>::accelerated_available()) {
            state.SkipWithError("this CPU (or build) has no accelerated code for this hash");
            return;
        }
    }
    const sd::hmac_key<Hash> k(key.data(), key.size());  // once per credential
    const std::uint8_t* data = input().data();
    if (sd::hmac_compute(k, data, hmac_len) != expected_mac<PortableHash>()) {
        state.SkipWithError("natkit: MAC differs from the portable code's");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        benchmark::DoNotOptimize(data);
        auto mac = sd::hmac_compute(k, data, hmac_len);
        benchmark::DoNotOptimize(mac);
    }
    meter.report(state);
}

template <class PortableHash>
void bench_openssl_oneshot(benchmark::State& state) {
    const EVP_MD* md = hash_traits<PortableHash>::md();
    const std::uint8_t* data = input().data();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    const auto expected = expected_mac<PortableHash>();
    if (!HMAC(md, key.data(), static_cast<int>(key.size()), data, hmac_len, out, &out_len) ||
        out_len != expected.size() || std::memcmp(out, expected.data(), out_len) != 0) {
        state.SkipWithError("OpenSSL HMAC(): MAC differs from natkit's");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        benchmark::DoNotOptimize(data);
        HMAC(md, key.data(), static_cast<int>(key.size()), data, hmac_len, out, &out_len);
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

template <class PortableHash>
void bench_openssl_evp_mac(benchmark::State& state) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    char digest[16];
    std::snprintf(digest, sizeof digest, "%s", hash_traits<PortableHash>::name);
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    const auto* k = reinterpret_cast<const unsigned char*>(key.data());
    const std::uint8_t* data = input().data();
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t out_len = 0;
    const auto expected = expected_mac<PortableHash>();
    // Keyed once; every operation restarts from the keyed state (a null key keeps the key).
    if (!ctx || !EVP_MAC_init(ctx, k, key.size(), params) || !EVP_MAC_update(ctx, data, hmac_len) ||
        !EVP_MAC_final(ctx, out, &out_len, sizeof out) || out_len != expected.size() ||
        std::memcmp(out, expected.data(), out_len) != 0) {
        state.SkipWithError("OpenSSL EVP_MAC: MAC differs from natkit's");
    } else {
        natkit_bench::alloc_meter meter;
        for (auto _ : state) {
            benchmark::DoNotOptimize(data);
            EVP_MAC_init(ctx, nullptr, 0, nullptr);
            EVP_MAC_update(ctx, data, hmac_len);
            EVP_MAC_final(ctx, out, &out_len, sizeof out);
            benchmark::DoNotOptimize(out);
            benchmark::ClobberMemory();
        }
        meter.report(state);
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

template <class PortableHash>
void bench_openssl_hmac_ctx(benchmark::State& state) {
    HMAC_CTX* ctx = HMAC_CTX_new();
    const std::uint8_t* data = input().data();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    const auto expected = expected_mac<PortableHash>();
    if (!ctx ||
        !HMAC_Init_ex(ctx, key.data(), static_cast<int>(key.size()), hash_traits<PortableHash>::md(), nullptr) ||
        !HMAC_Update(ctx, data, hmac_len) || !HMAC_Final(ctx, out, &out_len) || out_len != expected.size() ||
        std::memcmp(out, expected.data(), out_len) != 0) {
        state.SkipWithError("OpenSSL HMAC_CTX: MAC differs from natkit's");
    } else {
        natkit_bench::alloc_meter meter;
        for (auto _ : state) {
            benchmark::DoNotOptimize(data);
            HMAC_Init_ex(ctx, nullptr, 0, nullptr, nullptr);
            HMAC_Update(ctx, data, hmac_len);
            HMAC_Final(ctx, out, &out_len);
            benchmark::DoNotOptimize(out);
            benchmark::ClobberMemory();
        }
        meter.report(state);
    }
    HMAC_CTX_free(ctx);
}

// ---- CRC-32 -----------------------------------------------------------------------------------

enum class crc_impl { natkit, portable, accelerated, zlib };

void bench_crc(benchmark::State& state, crc_impl which, std::size_t n) {
    if (which == crc_impl::accelerated && !sd::crc32_accelerated_available()) {
        state.SkipWithError("this CPU (or build) has no accelerated CRC-32");
        return;
    }
    auto run = [which](const std::uint8_t* p, std::size_t len) -> std::uint32_t {
        switch (which) {
            case crc_impl::natkit:
                return sd::crc32(p, len);
            case crc_impl::portable:
                return sd::crc32_portable(p, len);
            case crc_impl::accelerated:
                return sd::crc32_accelerated(p, len);
            case crc_impl::zlib:
                return static_cast<std::uint32_t>(::crc32(0L, p, static_cast<uInt>(len)));
        }
        return 0;
    };
    const std::uint8_t* data = input().data();
    if (run(data, n) != sd::crc32_portable(data, n)) {
        state.SkipWithError("CRC differs from the portable code's");
        return;
    }
    natkit_bench::alloc_meter meter;
    switch (which) {  // one loop per implementation, so the timed loop has no switch in it
        case crc_impl::natkit:
            for (auto _ : state) {
                benchmark::DoNotOptimize(data);
                std::uint32_t c = sd::crc32(data, n);
                benchmark::DoNotOptimize(c);
            }
            break;
        case crc_impl::portable:
            for (auto _ : state) {
                benchmark::DoNotOptimize(data);
                std::uint32_t c = sd::crc32_portable(data, n);
                benchmark::DoNotOptimize(c);
            }
            break;
        case crc_impl::accelerated:
            for (auto _ : state) {
                benchmark::DoNotOptimize(data);
                std::uint32_t c = sd::crc32_accelerated(data, n);
                benchmark::DoNotOptimize(c);
            }
            break;
        case crc_impl::zlib:
            for (auto _ : state) {
                benchmark::DoNotOptimize(data);
                uLong c = ::crc32(0L, data, static_cast<uInt>(n));
                benchmark::DoNotOptimize(c);
            }
            break;
    }
    meter.report(state);
}

// ---- table ------------------------------------------------------------------------------------

using natkit_bench::table_reporter;

bool ok(const table_reporter::result* r) { return r && !r->failed && r->cpu_ns > 0; }

std::string format_ns(const table_reporter::result* r) {
    char buf[32];
    if (!r) return "-";
    if (r->failed) return "n/a";
    std::snprintf(buf, sizeof buf, "%.1f", r->cpu_ns);
    return buf;
}

std::string format_ratio(const table_reporter::result* other, const table_reporter::result* natkit) {
    char buf[32];
    if (!ok(other) || !ok(natkit)) return "-";
    std::snprintf(buf, sizeof buf, "%.2fx", other->cpu_ns / natkit->cpu_ns);
    return buf;
}

/// One row of the table: natkit (dispatching) against its own portable and forced-accelerated
/// code and up to three other implementations of the same work.
struct row {
    std::string id;                   ///< benchmark name prefix
    std::string description;          ///< for the table
    double max_ns;                    ///< target for natkit (0: none)
    std::vector<std::string> others;  ///< benchmark name suffixes of the other implementations
};

std::vector<row> rows() {
    std::vector<row> r;
    const std::vector<std::string> openssl = {"openssl_oneshot", "openssl_evp_mac", "openssl_hmac_ctx"};
    r.push_back({"hmac_sha1_76", "HMAC-SHA1 76 B", 120, openssl});
    r.push_back({"hmac_sha256_76", "HMAC-SHA256 76 B", 0, openssl});
    for (std::size_t n : {20u, 32u, 48u, 64u, 100u, 200u, 1500u})
        r.push_back(
            {"crc32_" + std::to_string(n), "CRC-32 " + std::to_string(n) + " B", n == 100 ? 20.0 : 0.0, {"zlib"}});
    return r;
}

void print_table(const table_reporter& rep) {
    std::printf(
        "\nnatkit crypto vs OpenSSL %s / zlib %s: CPU ns per operation (median of repetitions when run with "
        "them).\nnatkit = what natkit uses (SHA-1/SHA-256: %s/%s, CRC-32: %s from %zu bytes, tables below); "
        "portable and accel = that code forced.\nratio = other's time / natkit's (above 1: natkit is faster). "
        "OpenSSL: oneshot = HMAC(), evp_mac / hmac_ctx = keyed context reused.\n\n",
        OpenSSL_version(OPENSSL_VERSION_STRING), zlibVersion(), std::string(sd::sha1_implementation()).c_str(),
        std::string(sd::sha256_implementation()).c_str(), std::string(sd::crc32_implementation()).c_str(),
        sd::crc32_clmul_min_size);
    std::printf("%-17s %8s %9s %8s | %9s %9s %9s | %9s %9s %9s %9s | %-9s %s\n", "row", "natkit", "portable", "accel",
                "other1", "other2", "other3", "o1/nk", "o2/nk", "o3/nk", "port/nk", "allocs nk", "target");
    for (const row& r : rows()) {
        const auto* nk = rep.find(r.id + "/natkit");
        const auto* port = rep.find(r.id + "/natkit_portable");
        const auto* acc = rep.find(r.id + "/natkit_accel");
        std::vector<const table_reporter::result*> o;
        for (std::size_t i = 0; i < 3; ++i)
            o.push_back(i < r.others.size() ? rep.find(r.id + "/" + r.others[i]) : nullptr);

        std::string verdict;
        if (ok(nk)) {
            std::string missed;
            char buf[64];
            if (r.max_ns > 0 && nk->cpu_ns > r.max_ns) {
                std::snprintf(buf, sizeof buf, " >%.0fns", r.max_ns);
                missed += buf;
            }
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (ok(o[i]) && o[i]->cpu_ns < nk->cpu_ns) missed += " slower than " + r.others[i];
            }
            if (nk->allocs_per_op > 0) missed += " allocates";
            verdict = missed.empty() ? "met" : "MISSED:" + missed;
            if (r.max_ns > 0 && missed.empty()) {
                std::snprintf(buf, sizeof buf, " (<=%.0fns)", r.max_ns);
                verdict += buf;
            }
        }
        char allocs[16] = "-";
        if (ok(nk) && nk->allocs_per_op >= 0) std::snprintf(allocs, sizeof allocs, "%.3g", nk->allocs_per_op);
        std::printf("%-17s %8s %9s %8s | %9s %9s %9s | %9s %9s %9s %9s | %-9s %s\n", r.description.c_str(),
                    format_ns(nk).c_str(), format_ns(port).c_str(), format_ns(acc).c_str(), format_ns(o[0]).c_str(),
                    format_ns(o[1]).c_str(), format_ns(o[2]).c_str(), format_ratio(o[0], nk).c_str(),
                    format_ratio(o[1], nk).c_str(), format_ratio(o[2], nk).c_str(), format_ratio(port, nk).c_str(),
                    allocs, verdict.c_str());
    }
    std::printf("\nother1..3: HMAC rows OpenSSL oneshot, evp_mac, hmac_ctx; CRC rows zlib crc32().\n");
}

void reg(const std::string& name, std::function<void(benchmark::State&)> fn) {
    benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& s) { fn(s); })->Unit(benchmark::kNanosecond);
}

template <class Dispatch, class Portable, class Accel>
void register_hmac(const std::string& id) {
    reg(id + "/natkit", bench_natkit_hmac<Dispatch, Portable>);
    reg(id + "/natkit_portable", bench_natkit_hmac<Portable, Portable>);
    reg(id + "/natkit_accel", bench_natkit_hmac<Accel, Portable>);
    reg(id + "/openssl_oneshot", bench_openssl_oneshot<Portable>);
    reg(id + "/openssl_evp_mac", bench_openssl_evp_mac<Portable>);
    reg(id + "/openssl_hmac_ctx", bench_openssl_hmac_ctx<Portable>);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    register_hmac<sd::sha1, sd::sha1_portable, sd::sha1_accelerated>("hmac_sha1_76");
    register_hmac<sd::sha256, sd::sha256_portable, sd::sha256_accelerated>("hmac_sha256_76");
    for (std::size_t n : {20u, 32u, 48u, 64u, 100u, 200u, 1500u}) {
        const std::string id = "crc32_" + std::to_string(n);
        reg(id + "/natkit", [n](benchmark::State& s) { bench_crc(s, crc_impl::natkit, n); });
        reg(id + "/natkit_portable", [n](benchmark::State& s) { bench_crc(s, crc_impl::portable, n); });
        reg(id + "/natkit_accel", [n](benchmark::State& s) { bench_crc(s, crc_impl::accelerated, n); });
        reg(id + "/zlib", [n](benchmark::State& s) { bench_crc(s, crc_impl::zlib, n); });
    }

    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_table(reporter);
    benchmark::Shutdown();
    return 0;
}
