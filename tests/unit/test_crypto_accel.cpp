// Tests for the CPU-specific crypto paths (SHA-NI, PCLMULQDQ; ARMv8 SHA/CRC32 when compiled for
// them): each gives the same result as the portable code over every length 0..2000 at every
// alignment 0..15 with random data, and the dispatching entry points reproduce the published
// vectors. On a CPU (or build) without an accelerated path the tests say so with WARN and check
// the portable code alone; they never call code the CPU cannot run.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/detail/cpu_features.hpp"
#include "natkit/stun/detail/crc32.hpp"
#include "natkit/stun/detail/hmac.hpp"
#include "natkit/stun/detail/sha1.hpp"
#include "natkit/stun/detail/sha256.hpp"

namespace sd = natkit::stun::detail;

namespace {

constexpr std::size_t max_len = 2000;
constexpr std::size_t max_align = 15;

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& d) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (std::uint8_t b : d) {
        s += digits[b >> 4];
        s += digits[b & 0xF];
    }
    return s;
}

// Random bytes from a fixed seed, with room for every length at every alignment.
const std::vector<std::uint8_t>& seeded_bytes() {
    static const std::vector<std::uint8_t> v = [] {
        std::mt19937 rng(0x6E61746Bu);
        std::vector<std::uint8_t> d(max_len + max_align + 1);
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        return d;
    }();
    return v;
}

// Collects the first few (length, alignment) pairs where two implementations disagree, so a
// failure names them instead of flooding the output with thousands of assertions.
struct mismatches {
    std::size_t count = 0;
    std::ostringstream first;
    void add(std::size_t n, std::size_t align) {
        if (count++ < 8) first << " (len " << n << ", align " << align << ")";
    }
    std::string str() const { return std::to_string(count) + " mismatches" + first.str(); }
};

bool accelerated_sha1() {
    if (sd::sha1_accelerated_available()) return true;
    WARN("no accelerated SHA-1 on this CPU/build (" << sd::sha1_implementation()
                                                    << "): only the portable code is checked");
    return false;
}
bool accelerated_sha256() {
    if (sd::sha256_accelerated_available()) return true;
    WARN("no accelerated SHA-256 on this CPU/build (" << sd::sha256_implementation()
                                                      << "): only the portable code is checked");
    return false;
}
bool accelerated_crc32() {
    if (sd::crc32_accelerated_available()) return true;
    WARN("no accelerated CRC-32 on this CPU/build (" << sd::crc32_implementation()
                                                     << "): only the portable code is checked");
    return false;
}

// Hash<Impl> over every length and alignment: fixed against portable, one-shot and in random
// chunks (which makes update() hand compress() one block, many blocks and buffered blocks).
template <class Portable, class Other>
void check_hash_against_portable() {
    const auto& data = seeded_bytes();
    std::mt19937 rng(99);
    std::uniform_int_distribution<std::size_t> chunk(0, 150);
    mismatches bad;
    for (std::size_t n = 0; n <= max_len; ++n) {
        for (std::size_t a = 0; a <= max_align; ++a) {
            const std::uint8_t* p = data.data() + a;
            const auto expected = Portable::hash(p, n);
            if (Other::hash(p, n) != expected) bad.add(n, a);
            if (a == n % 16) {  // chunked: one alignment per length keeps the run short
                Other h;
                for (std::size_t off = 0; off < n;) {
                    const std::size_t c = std::min(chunk(rng), n - off);
                    h.update(p + off, c);
                    off += c;
                }
                if (h.finish() != expected) bad.add(n, a);
            }
        }
    }
    INFO(bad.str());
    CHECK(bad.count == 0);
}

// HMAC: both hashes keyed alike, key lengths cycling through shorter than, equal to and longer
// than the block; messages fed in one piece and split as STUN's integrity check does
// (2 + 2 + rest).
template <class Portable, class Other>
void check_hmac_against_portable() {
    const auto& data = seeded_bytes();
    const std::size_t key_lengths[] = {0, 1, 16, 20, 22, 32, 63, 64, 65, 131};
    constexpr std::size_t nkeys = sizeof key_lengths / sizeof key_lengths[0];
    std::vector<sd::hmac_key<Portable>> pk;
    std::vector<sd::hmac_key<Other>> ok;
    for (std::size_t k : key_lengths) {
        pk.emplace_back(data.data() + 7, k);
        ok.emplace_back(data.data() + 7, k);
    }
    mismatches bad;
    for (std::size_t n = 0; n <= max_len; ++n) {
        for (std::size_t a = 0; a <= max_align; ++a) {
            const std::size_t k = (n + a) % nkeys;
            const std::uint8_t* p = data.data() + a;
            const auto expected = sd::hmac_compute(pk[k], p, n);
            if (sd::hmac_compute(ok[k], p, n) != expected) bad.add(n, a);
            if (n >= 4) {
                sd::hmac<Other> h(ok[k]);
                h.update(p, 2);
                h.update(p + 2, 2);
                h.update(p + 4, n - 4);
                if (h.finish() != expected) bad.add(n, a);
            }
        }
    }
    INFO(bad.str());
    CHECK(bad.count == 0);
}

template <class Hash>
std::string hash_hex(std::string_view s) {
    return hex(Hash::hash(s.data(), s.size()));
}

template <class Hash>
std::string hmac_hex(std::string_view key, std::string_view msg) {
    const sd::hmac_key<Hash> k(key.data(), key.size());
    return hex(sd::hmac_compute(k, msg.data(), msg.size()));
}

// FIPS 180 examples and RFC 2202 test cases 1, 2, 6 through one SHA-1 type.
template <class Hash>
void check_sha1_vectors() {
    CHECK(hash_hex<Hash>("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hash_hex<Hash>("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hash_hex<Hash>("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hash_hex<Hash>(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    CHECK(hmac_hex<Hash>(std::string(20, '\x0b'), "Hi There") == "b617318655057264e28bc0b6fb378c8ef146be00");
    CHECK(hmac_hex<Hash>("Jefe", "what do ya want for nothing?") == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(hmac_hex<Hash>(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

// FIPS 180 examples and RFC 4231 test cases 1, 2, 7 through one SHA-256 type.
template <class Hash>
void check_sha256_vectors() {
    CHECK(hash_hex<Hash>("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hash_hex<Hash>("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hash_hex<Hash>("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hash_hex<Hash>(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    CHECK(hmac_hex<Hash>(std::string(20, '\x0b'), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hmac_hex<Hash>("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hmac_hex<Hash>(std::string(131, '\xaa'),
                         "This is a test using a larger than block-size key and a larger than block-size data. "
                         "The key needs to be hashed before being used by the HMAC algorithm.") ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

#if !NATKIT_PORTABLE_CRYPTO && NATKIT_STUN_DETAIL_X86_CRYPTO
// The CPU's own account of its features, read independently of natkit's CPUID code.
std::string proc_cpuinfo_flags() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) == 0) return line + " ";
    }
    return {};
}
#endif

}  // namespace

TEST_CASE("crypto implementation selection is reported and consistent", "[crypto][accel]") {
    INFO("sha1: " << sd::sha1_implementation() << ", sha256: " << sd::sha256_implementation()
                  << ", crc32: " << sd::crc32_implementation());
    CHECK((sd::sha1_implementation() == "portable") == !sd::sha1_accelerated_available());
    CHECK((sd::sha256_implementation() == "portable") == !sd::sha256_accelerated_available());
    CHECK((sd::crc32_implementation() == "portable") == !sd::crc32_accelerated_available());
    CHECK((sd::cpu_features() & sd::cpu_detected) != 0);
#if NATKIT_PORTABLE_CRYPTO
    // The macro must leave no CPU-specific path.
    CHECK(!sd::sha1_accelerated_available());
    CHECK(!sd::sha256_accelerated_available());
    CHECK(!sd::crc32_accelerated_available());
    CHECK(NATKIT_STUN_DETAIL_X86_CRYPTO == 0);
    CHECK(NATKIT_STUN_DETAIL_ARM_SHA == 0);
    CHECK(NATKIT_STUN_DETAIL_ARM_CRC32 == 0);
#elif NATKIT_STUN_DETAIL_X86_CRYPTO
    const std::string flags = proc_cpuinfo_flags();
    if (flags.empty()) {
        WARN("/proc/cpuinfo not readable: CPUID detection not cross-checked");
    } else {
        const bool sse41 = flags.find(" sse4_1 ") != std::string::npos;
        CHECK(sd::sha1_accelerated_available() == (sse41 && flags.find(" sha_ni ") != std::string::npos));
        CHECK(sd::sha256_accelerated_available() == sd::sha1_accelerated_available());
        CHECK(sd::crc32_accelerated_available() == (sse41 && flags.find(" pclmulqdq ") != std::string::npos));
        if (sd::sha1_accelerated_available()) CHECK(sd::sha1_implementation() == "sha-ni");
        if (sd::crc32_accelerated_available()) CHECK(sd::crc32_implementation() == "pclmulqdq");
    }
#endif
    if (!sd::sha1_accelerated_available() || !sd::sha256_accelerated_available() || !sd::crc32_accelerated_available())
        WARN("some crypto runs the portable code only: sha1 " << sd::sha1_implementation() << ", sha256 "
                                                              << sd::sha256_implementation() << ", crc32 "
                                                              << sd::crc32_implementation());
}

TEST_CASE("published vectors through the dispatching, portable and accelerated SHA-1", "[crypto][accel][sha1]") {
    SECTION("dispatching") { check_sha1_vectors<sd::sha1>(); }
    SECTION("portable") { check_sha1_vectors<sd::sha1_portable>(); }
    SECTION("accelerated") {
        if (accelerated_sha1()) check_sha1_vectors<sd::sha1_accelerated>();
    }
}

TEST_CASE("published vectors through the dispatching, portable and accelerated SHA-256", "[crypto][accel][sha256]") {
    SECTION("dispatching") { check_sha256_vectors<sd::sha256>(); }
    SECTION("portable") { check_sha256_vectors<sd::sha256_portable>(); }
    SECTION("accelerated") {
        if (accelerated_sha256()) check_sha256_vectors<sd::sha256_accelerated>();
    }
}

TEST_CASE("accelerated SHA-1 equals portable over lengths 0..2000 at alignments 0..15", "[crypto][accel][sha1]") {
    check_hash_against_portable<sd::sha1_portable, sd::sha1>();
    if (accelerated_sha1()) check_hash_against_portable<sd::sha1_portable, sd::sha1_accelerated>();
}

TEST_CASE("accelerated SHA-256 equals portable over lengths 0..2000 at alignments 0..15", "[crypto][accel][sha256]") {
    check_hash_against_portable<sd::sha256_portable, sd::sha256>();
    if (accelerated_sha256()) check_hash_against_portable<sd::sha256_portable, sd::sha256_accelerated>();
}

TEST_CASE("accelerated HMAC-SHA1 equals portable over lengths 0..2000 at alignments 0..15", "[crypto][accel][hmac]") {
    check_hmac_against_portable<sd::sha1_portable, sd::sha1>();
    if (accelerated_sha1()) check_hmac_against_portable<sd::sha1_portable, sd::sha1_accelerated>();
}

TEST_CASE("accelerated HMAC-SHA256 equals portable over lengths 0..2000 at alignments 0..15", "[crypto][accel][hmac]") {
    check_hmac_against_portable<sd::sha256_portable, sd::sha256>();
    if (accelerated_sha256()) check_hmac_against_portable<sd::sha256_portable, sd::sha256_accelerated>();
}

TEST_CASE("finish_outer equals update(inner.finish()) + finish() at any outer position", "[crypto][accel][hmac]") {
    // HMAC's outer hash has absorbed one whole block; other positions take the general path.
    const auto& data = seeded_bytes();
    auto check = [&](auto tag) {
        using Hash = decltype(tag);
        for (std::size_t outer_len : {0u, 1u, 20u, 63u, 64u, 100u, 128u}) {
            for (std::size_t inner_len : {0u, 55u, 56u, 64u, 76u, 119u, 120u, 200u}) {
                Hash outer, inner;
                outer.update(data.data(), outer_len);
                inner.update(data.data() + 300, inner_len);
                Hash outer2 = outer, inner2 = inner;
                const auto d = inner2.finish();
                outer2.update(d.data(), d.size());
                INFO("outer " << outer_len << ", inner " << inner_len);
                CHECK(outer.finish_outer(inner) == outer2.finish());
                CHECK(inner.finish() == Hash::hash(nullptr, 0));  // inner was reset
            }
        }
    };
    check(sd::sha1_portable{});
    check(sd::sha256_portable{});
    check(sd::sha1{});
    check(sd::sha256{});
    if (accelerated_sha1()) check(sd::sha1_accelerated{});
    if (accelerated_sha256()) check(sd::sha256_accelerated{});
}

TEST_CASE("CRC-32 check value and zlib vectors through every entry point", "[crypto][accel][crc32]") {
    CHECK(sd::crc32("123456789", 9) == 0xCBF43926u);
    CHECK(sd::crc32_portable("123456789", 9) == 0xCBF43926u);
    const std::string fox = "The quick brown fox jumps over the lazy dog";
    CHECK(sd::crc32(fox.data(), fox.size()) == 0x414FA339u);
    CHECK(sd::crc32_portable(fox.data(), fox.size()) == 0x414FA339u);
    // 32 zero bytes and 32 0xFF bytes (values from Python's zlib.crc32): 32 bytes is two whole
    // PCLMULQDQ blocks and no tail.
    const std::string zeros(32, '\0'), ones(32, '\xff');
    CHECK(sd::crc32(zeros.data(), zeros.size()) == 0x190A55ADu);
    CHECK(sd::crc32(ones.data(), ones.size()) == 0xFF6CAB0Bu);
    if (accelerated_crc32()) {
        CHECK(sd::crc32_accelerated("123456789", 9) == 0xCBF43926u);
        CHECK(sd::crc32_accelerated(fox.data(), fox.size()) == 0x414FA339u);
        CHECK(sd::crc32_accelerated(zeros.data(), zeros.size()) == 0x190A55ADu);
        CHECK(sd::crc32_accelerated(ones.data(), ones.size()) == 0xFF6CAB0Bu);
    }
}

TEST_CASE("accelerated CRC-32 equals portable over lengths 0..2000 at alignments 0..15", "[crypto][accel][crc32]") {
    const auto& data = seeded_bytes();
    const bool accel = accelerated_crc32();
    mismatches bad;
    for (std::size_t n = 0; n <= max_len; ++n) {
        for (std::size_t a = 0; a <= max_align; ++a) {
            const std::uint8_t* p = data.data() + a;
            const std::uint32_t init = static_cast<std::uint32_t>(n * 0x9E3779B9u);  // a running CRC too
            const std::uint32_t expected = sd::crc32_portable(p, n);
            const std::uint32_t expected_cont = sd::crc32_portable(p, n, init);
            if (sd::crc32(p, n) != expected || sd::crc32(p, n, init) != expected_cont) bad.add(n, a);
            if (accel &&
                (sd::crc32_accelerated(p, n) != expected || sd::crc32_accelerated(p, n, init) != expected_cont))
                bad.add(n, a);
        }
    }
    INFO(bad.str());
    CHECK(bad.count == 0);

    SECTION("continuation across a split equals the whole") {
        std::mt19937 rng(4242);
        std::uniform_int_distribution<std::size_t> pos(0, max_len);
        const std::uint32_t whole = sd::crc32_portable(data.data(), max_len);
        for (int trial = 0; trial < 500; ++trial) {
            const std::size_t cut = pos(rng);
            CHECK(sd::crc32(data.data() + cut, max_len - cut, sd::crc32(data.data(), cut)) == whole);
            if (accel)
                CHECK(sd::crc32_accelerated(data.data() + cut, max_len - cut,
                                            sd::crc32_accelerated(data.data(), cut)) == whole);
        }
    }
}
