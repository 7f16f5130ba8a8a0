// Tests for the built-in crypto under natkit/stun/detail: published vectors (FIPS 180 examples,
// RFC 1321, RFC 2202, RFC 4231, the CRC-32 check value), incremental == one-shot at every
// block boundary, and properties STUN relies on (clonable hash state, CRC continuation).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "natkit/stun/detail/byte_order.hpp"
#include "natkit/stun/detail/constant_time.hpp"
#include "natkit/stun/detail/crc32.hpp"
#include "natkit/stun/detail/hmac.hpp"
#include "natkit/stun/detail/md5.hpp"
#include "natkit/stun/detail/sha1.hpp"
#include "natkit/stun/detail/sha256.hpp"

namespace sd = natkit::stun::detail;

namespace {

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

template <class Hash>
std::string hash_hex(const std::string& s) {
    return hex(Hash::hash(s.data(), s.size()));
}

// The deterministic pattern the aggregate vectors below were computed over.
std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 31 + 7) & 0xFF);
    return v;
}

// Feeds `data` to `h` in chunks of random size (0..max_chunk) drawn from `rng`.
template <class Hash>
void update_in_chunks(Hash& h, const std::uint8_t* data, std::size_t n, std::mt19937& rng, std::size_t max_chunk) {
    std::uniform_int_distribution<std::size_t> chunk(0, max_chunk);
    std::size_t off = 0;
    while (off < n) {
        std::size_t c = chunk(rng);
        if (c > n - off) c = n - off;
        h.update(data + off, c);
        off += c;
    }
}

// For every length 0..200 (which covers the 55/56-byte padding edge and several whole blocks),
// one-shot, byte-at-a-time and random-chunk hashing agree; and the hash over all 201 one-shot
// digests equals a value computed independently with Python's hashlib.
template <class Hash>
void check_incremental(const char* aggregate_hex) {
    const std::vector<std::uint8_t> data = pattern(200);
    std::mt19937 rng(12345);
    Hash aggregate;
    for (std::size_t n = 0; n <= 200; ++n) {
        const typename Hash::digest one_shot = Hash::hash(data.data(), n);
        aggregate.update(one_shot.data(), one_shot.size());

        Hash bytewise;
        for (std::size_t i = 0; i < n; ++i) bytewise.update(data.data() + i, 1);
        CHECK(bytewise.finish() == one_shot);

        for (std::size_t max_chunk : {3u, 17u, 70u, 150u}) {
            Hash chunked;
            update_in_chunks(chunked, data.data(), n, rng, max_chunk);
            CHECK(chunked.finish() == one_shot);
        }
    }
    CHECK(hex(aggregate.finish()) == aggregate_hex);
}

template <class Hash>
std::string million_a_chunked() {
    const std::string chunk(1000, 'a');
    Hash h;
    for (int i = 0; i < 1000; ++i) h.update(chunk.data(), chunk.size());
    return hex(h.finish());
}

template <class Hash>
void check_state_is_clonable() {
    static_assert(std::is_trivially_copyable<Hash>::value, "HMAC keys clone hash states by copy");
    Hash a;
    a.update("ab", 2);
    Hash b = a;  // a clone continues independently of the original
    a.update("c", 1);
    b.update("d", 1);
    CHECK(hex(a.finish()) == hash_hex<Hash>("abc"));
    CHECK(hex(b.finish()) == hash_hex<Hash>("abd"));
    // finish() leaves the object ready for a new message
    a.update("abc", 3);
    CHECK(hex(a.finish()) == hash_hex<Hash>("abc"));
}

const std::string abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string abc896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

template <class Hash>
std::string hmac_hex(const std::string& key, const std::string& msg) {
    const sd::hmac_key<Hash> k(key.data(), key.size());
    return hex(sd::hmac_compute(k, msg.data(), msg.size()));
}

// Aggregate over key lengths 0..200 (shorter than, equal to and longer than the block) with a
// message of varying length; the expected value was computed with Python's hmac module.
template <class Hash>
void check_hmac_key_lengths(const char* aggregate_hex) {
    const std::vector<std::uint8_t> data = pattern(200);
    Hash aggregate;
    for (std::size_t k = 0; k <= 200; ++k) {
        const sd::hmac_key<Hash> key(data.data(), k);
        const std::size_t m = (k * 7) % 150;
        const typename Hash::digest d = sd::hmac_compute(key, data.data(), m);
        aggregate.update(d.data(), d.size());

        sd::hmac<Hash> inc(key);  // incremental use gives the same MAC
        inc.update(data.data(), m / 3);
        inc.update(data.data() + m / 3, m - m / 3);
        CHECK(inc.finish() == d);
    }
    CHECK(hex(aggregate.finish()) == aggregate_hex);
}

// Bit-at-a-time CRC-32 straight from the definition (reflected, poly 0xEDB88320), to check the
// table-driven code against.
std::uint32_t crc32_bitwise(const std::uint8_t* p, std::size_t n, std::uint32_t crc) {
    std::uint32_t c = ~crc;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : (c >> 1);
    }
    return ~c;
}

}  // namespace

TEST_CASE("byte order helpers read and write the documented byte layout", "[crypto][byte_order]") {
    std::uint8_t b[8] = {};
    sd::store_be16(b, 0x0102);
    CHECK((b[0] == 0x01 && b[1] == 0x02));
    CHECK(sd::load_be16(b) == 0x0102);

    sd::store_be32(b, 0x01020304u);
    CHECK((b[0] == 0x01 && b[1] == 0x02 && b[2] == 0x03 && b[3] == 0x04));
    CHECK(sd::load_be32(b) == 0x01020304u);
    CHECK(sd::load_le32(b) == 0x04030201u);

    sd::store_be64(b, 0x0102030405060708ull);
    for (std::size_t i = 0; i < 8; ++i) CHECK(b[i] == i + 1);
    CHECK(sd::load_be64(b) == 0x0102030405060708ull);

    sd::store_le32(b, 0x01020304u);
    CHECK((b[0] == 0x04 && b[1] == 0x03 && b[2] == 0x02 && b[3] == 0x01));
    CHECK(sd::load_le32(b) == 0x01020304u);

    sd::store_le64(b, 0x0102030405060708ull);
    for (std::size_t i = 0; i < 8; ++i) CHECK(b[i] == 8 - i);

    // unaligned access
    std::uint8_t u[12] = {0, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7};
    CHECK(sd::load_be32(u + 1) == 0xDEADBEEFu);
    CHECK(sd::load_be16(u + 3) == 0xBEEF);
}

TEST_CASE("SHA-1 FIPS 180 examples", "[crypto][sha1]") {
    CHECK(hash_hex<sd::sha1>("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hash_hex<sd::sha1>("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hash_hex<sd::sha1>(abc448) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hash_hex<sd::sha1>(abc896) == "a49b2446a02c645bf419f995b67091253a04a259");
    SECTION("one million 'a'") {
        CHECK(hash_hex<sd::sha1>(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        CHECK(million_a_chunked<sd::sha1>() == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }
}

TEST_CASE("SHA-256 FIPS 180 examples", "[crypto][sha256]") {
    CHECK(hash_hex<sd::sha256>("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hash_hex<sd::sha256>("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hash_hex<sd::sha256>(abc448) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hash_hex<sd::sha256>(abc896) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    SECTION("one million 'a'") {
        CHECK(hash_hex<sd::sha256>(std::string(1000000, 'a')) ==
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        CHECK(million_a_chunked<sd::sha256>() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
}

TEST_CASE("MD5 RFC 1321 test suite", "[crypto][md5]") {
    CHECK(hash_hex<sd::md5>("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(hash_hex<sd::md5>("a") == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(hash_hex<sd::md5>("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hash_hex<sd::md5>("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(hash_hex<sd::md5>("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(hash_hex<sd::md5>("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
          "d174ab98d277d9f5a5611c2c9f419d9f");
    CHECK(hash_hex<sd::md5>("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
          "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("incremental hashing equals one-shot for lengths 0..200", "[crypto]") {
    SECTION("sha1") { check_incremental<sd::sha1>("46521005cfa6bba4a9497b0bf09ae77fca55f3b1"); }
    SECTION("sha256") {
        check_incremental<sd::sha256>("2596dc78bf91fcc2d7cdba569d85e7c20f5d24bdc74fb082da12c7272515aa28");
    }
    SECTION("md5") { check_incremental<sd::md5>("8f04b0b3b914455d448c8898dbc38a79"); }
}

TEST_CASE("hash state is trivially copyable and a copy continues independently", "[crypto]") {
    SECTION("sha1") { check_state_is_clonable<sd::sha1>(); }
    SECTION("sha256") { check_state_is_clonable<sd::sha256>(); }
    SECTION("md5") { check_state_is_clonable<sd::md5>(); }
}

TEST_CASE("HMAC-SHA1 RFC 2202 test cases 1-7", "[crypto][hmac]") {
    using H = sd::sha1;
    CHECK(hmac_hex<H>(std::string(20, '\x0b'), "Hi There") == "b617318655057264e28bc0b6fb378c8ef146be00");
    CHECK(hmac_hex<H>("Jefe", "what do ya want for nothing?") == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(hmac_hex<H>(std::string(20, '\xaa'), std::string(50, '\xdd')) == "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
    std::string key25;
    for (char c = 1; c <= 25; ++c) key25 += c;
    CHECK(hmac_hex<H>(key25, std::string(50, '\xcd')) == "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
    CHECK(hmac_hex<H>(std::string(20, '\x0c'), "Test With Truncation") == "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
    CHECK(hmac_hex<H>(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    CHECK(hmac_hex<H>(std::string(80, '\xaa'),
                      "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data") ==
          "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

TEST_CASE("HMAC-SHA256 RFC 4231 test cases 1-7", "[crypto][hmac]") {
    using H = sd::sha256;
    CHECK(hmac_hex<H>(std::string(20, '\x0b'), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hmac_hex<H>("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hmac_hex<H>(std::string(20, '\xaa'), std::string(50, '\xdd')) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    std::string key25;
    for (char c = 1; c <= 25; ++c) key25 += c;
    CHECK(hmac_hex<H>(key25, std::string(50, '\xcd')) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    // Test case 5 specifies only the first 128 bits.
    CHECK(hmac_hex<H>(std::string(20, '\x0c'), "Test With Truncation").substr(0, 32) ==
          "a3b6167473100ee06e0c796c2955552b");
    CHECK(hmac_hex<H>(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(hmac_hex<H>(std::string(131, '\xaa'),
                      "This is a test using a larger than block-size key and a larger than block-size data. "
                      "The key needs to be hashed before being used by the HMAC algorithm.") ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-MD5 RFC 2202 test cases 1-2", "[crypto][hmac]") {
    CHECK(hmac_hex<sd::md5>(std::string(16, '\x0b'), "Hi There") == "9294727a3638bb1c13f48ef8158bfc9d");
    CHECK(hmac_hex<sd::md5>("Jefe", "what do ya want for nothing?") == "750c783e6ab0b503eaa86e310a5db738");
}

TEST_CASE("HMAC with empty, block-sized and longer keys", "[crypto][hmac]") {
    SECTION("default key is the empty key") {
        const sd::hmac_key<sd::sha1> empty;
        CHECK(hex(sd::hmac_compute(empty, nullptr, 0)) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
        CHECK(hex(sd::hmac_compute(sd::hmac_key<sd::sha256>(), nullptr, 0)) ==
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
        CHECK(hex(sd::hmac_compute(sd::hmac_key<sd::md5>(), nullptr, 0)) == "74e6f7298a9c2d168935f58c001bad88");
    }
    SECTION("key lengths 0..200, split updates") {
        check_hmac_key_lengths<sd::sha1>("55a93debf59f2d3747adfee61dd36a05a6517fd3");
        check_hmac_key_lengths<sd::sha256>("57c8980e055e86abed416c15eac8ba5524d7d3e65569684dfd56ee4ceff99abc");
        check_hmac_key_lengths<sd::md5>("82985fe544a4130d7d51485adfec64d6");
    }
    SECTION("one key serves many messages") {
        const sd::hmac_key<sd::sha1> key("Jefe", 4);
        const auto first = sd::hmac_compute(key, "what do ya want for nothing?", 28);
        (void)sd::hmac_compute(key, "something else", 14);
        CHECK(sd::hmac_compute(key, "what do ya want for nothing?", 28) == first);
        CHECK(hex(first) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }
}

TEST_CASE("CRC-32 matches zlib", "[crypto][crc32]") {
    CHECK(sd::crc32("123456789", 9) == 0xCBF43926u);
    CHECK(sd::crc32_portable("123456789", 9) == 0xCBF43926u);
    CHECK(sd::crc32(nullptr, 0) == 0u);
    CHECK(sd::crc32("The quick brown fox jumps over the lazy dog", 43) == 0x414FA339u);
    // a CRC passed through an empty update is unchanged
    CHECK(sd::crc32(nullptr, 0, 0xCBF43926u) == 0xCBF43926u);

    SECTION("every length 0..300 at every alignment equals the bitwise definition") {
        const std::vector<std::uint8_t> data = pattern(308);
        for (std::size_t off = 0; off < 8; ++off) {
            for (std::size_t n = 0; n <= 300; ++n) {
                CHECK(sd::crc32(data.data() + off, n) == crc32_bitwise(data.data() + off, n, 0));
            }
        }
    }

    SECTION("crc32(b, crc32(a)) == crc32(a || b) across random splits") {
        std::mt19937 rng(777);
        std::vector<std::uint8_t> data(1000);
        for (auto& b : data) b = static_cast<std::uint8_t>(rng());
        const std::uint32_t whole = sd::crc32(data.data(), data.size());
        CHECK(whole == crc32_bitwise(data.data(), data.size(), 0));
        std::uniform_int_distribution<std::size_t> pos(0, data.size());
        for (int trial = 0; trial < 200; ++trial) {
            std::size_t a = pos(rng), b = pos(rng);
            if (a > b) std::swap(a, b);
            std::uint32_t c = sd::crc32(data.data(), a);
            c = sd::crc32(data.data() + a, b - a, c);
            c = sd::crc32(data.data() + b, data.size() - b, c);
            CHECK(c == whole);
        }
    }
}

TEST_CASE("constant_time_equal", "[crypto]") {
    std::array<std::uint8_t, 32> a{};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 7 + 1);
    std::array<std::uint8_t, 32> b = a;
    CHECK(sd::constant_time_equal(a.data(), b.data(), a.size()));
    CHECK(sd::constant_time_equal(a.data(), b.data(), 0));
    CHECK(sd::constant_time_equal(nullptr, nullptr, 0));

    SECTION("any single flipped bit makes them unequal") {
        for (std::size_t i = 0; i < b.size(); ++i) {
            for (unsigned bit = 0; bit < 8; ++bit) {
                b = a;
                b[i] = static_cast<std::uint8_t>(b[i] ^ (1u << bit));
                CHECK(!sd::constant_time_equal(a.data(), b.data(), b.size()));
            }
        }
    }
    SECTION("only the first n bytes are compared") {
        b[31] = static_cast<std::uint8_t>(b[31] ^ 0xFF);
        CHECK(sd::constant_time_equal(a.data(), b.data(), 31));
        CHECK(!sd::constant_time_equal(a.data(), b.data(), 32));
    }
}
