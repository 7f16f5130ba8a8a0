// Keepalive transaction ids (RFC 8489 §5: uniformly random, one per message) and the 28-byte
// keepalive message.
#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "catch.hpp"
#include "natkit/keepalive/scheduler.hpp"
#include "natkit/keepalive/transaction_ids.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/message.hpp"

using namespace natkit;
using namespace natkit::keepalive;
using namespace std::chrono_literals;
namespace kd = natkit::keepalive::detail;

namespace {
std::vector<kd::id_prf> prfs() {
    std::vector<kd::id_prf> v{kd::id_prf::siphash};
    if (kd::transaction_ids(1).prf() == kd::id_prf::aes_ni) v.push_back(kd::id_prf::aes_ni);
    return v;
}
}  // namespace

TEST_CASE("SipHash-2-4 and AES-128 give their reference outputs") {
    // SipHash paper, appendix A: key 00..0f, message 00..07.
    CHECK(kd::siphash24_u64(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0x0706050403020100ull) ==
          0x93f5f5799a932462ull);
#if NATKIT_KEEPALIVE_X86_AES
    if (kd::aes_ni::available()) {
        // FIPS 197 appendix C.1.
        std::array<std::uint8_t, 16> key{}, in{}, out{};
        std::array<std::uint8_t, 176> rk{};
        for (std::uint8_t i = 0; i < 16; ++i) {
            key[i] = i;
            in[i] = static_cast<std::uint8_t>(i * 0x11);
        }
        kd::aes_ni::key_schedule(key.data(), rk.data());
        kd::aes_ni::encrypt_block(rk.data(), in.data(), out.data());
        const std::array<std::uint8_t, 16> expected{0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                                    0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
        CHECK(out == expected);
    }
#endif
}

TEST_CASE("Transaction ids decode to their binding and fail on any changed bit") {
    for (const auto prf : prfs()) {
        INFO("prf " << static_cast<int>(prf));
        const kd::transaction_ids ids(12345, prf);
        REQUIRE(ids.prf() == prf);
        std::mt19937_64 rng(3);
        for (int k = 0; k < 2000; ++k) {
            const auto index = static_cast<std::uint32_t>(rng());
            const auto counter = static_cast<std::uint32_t>(rng());
            const auto tid = ids.make(index, counter);
            REQUIRE(ids.index_of(tid.bytes.data()) == index);
            REQUIRE(ids.matches(tid.bytes.data(), index, counter));
            REQUIRE_FALSE(ids.matches(tid.bytes.data(), index, counter + 1));
            if (k < 20) {
                for (int bit = 0; bit < 96; ++bit) {
                    auto forged = tid;
                    forged.bytes[static_cast<std::size_t>(bit / 8)] ^= static_cast<std::uint8_t>(1u << (bit % 8));
                    const std::uint32_t i = ids.index_of(forged.bytes.data());
                    CHECK_FALSE((i == index && ids.matches(forged.bytes.data(), i, counter)));
                }
            }
        }
        // Another key makes other ids, and they do not verify under the first.
        const kd::transaction_ids other(54321, prf);
        const auto a = ids.make(7, 9);
        const auto b = other.make(7, 9);
        CHECK(a.bytes != b.bytes);
        CHECK_FALSE(ids.matches(b.bytes.data(), ids.index_of(b.bytes.data()), 9));
    }
}

TEST_CASE("Transaction ids look uniform: every bit is set about half the time") {
    // The previous scheme put the binding index and round in the clear, so most high bits were
    // always zero; a keyed PRF output has no such structure.
    for (const auto prf : prfs()) {
        INFO("prf " << static_cast<int>(prf));
        const kd::transaction_ids ids(0, prf);  // a key from the OS
        std::array<int, 96> ones{};
        const int n = 40000;
        for (int k = 0; k < n; ++k) {
            const auto tid = ids.make(static_cast<std::uint32_t>(k % 100), static_cast<std::uint32_t>(k / 100));
            for (int bit = 0; bit < 96; ++bit)
                ones[static_cast<std::size_t>(bit)] += (tid.bytes[static_cast<std::size_t>(bit / 8)] >> (bit % 8)) & 1;
        }
        for (int bit = 0; bit < 96; ++bit) {
            INFO("bit " << bit);
            CHECK(ones[static_cast<std::size_t>(bit)] > n / 2 - n / 50);  // 8 sigma
            CHECK(ones[static_cast<std::size_t>(bit)] < n / 2 + n / 50);
        }
    }
}

TEST_CASE("Keys come from the OS unless a seed is given") {
    const auto a = kd::transaction_ids(0).make(1, 1);
    const auto b = kd::transaction_ids(0).make(1, 1);
    CHECK(a.bytes != b.bytes);
    CHECK(kd::transaction_ids(99).make(1, 1).bytes == kd::transaction_ids(99).make(1, 1).bytes);
}

TEST_CASE("The keepalive message is what stun::message_builder makes, with a valid FINGERPRINT") {
    const kd::keepalive_message_writer writer;
    const kd::transaction_ids ids(5);
    for (const bool indication : {false, true}) {
        for (std::uint32_t k = 0; k < 100; ++k) {
            const auto tid = ids.make(k, k * 7);
            std::array<std::uint8_t, 28> fast{}, slow{};
            writer.write(fast.data(), indication, tid);
            stun::message_builder<> b(slow, stun::method::binding,
                                      indication ? stun::message_class::indication : stun::message_class::request, tid);
            b.add_fingerprint();
            REQUIRE(b.finish());
            REQUIRE(fast == slow);
            auto msg = stun::message_view::parse(bytes_view(fast.data(), fast.size()));
            REQUIRE(msg);
            CHECK_FALSE(msg->check_fingerprint());  // an error_code: none means valid
            CHECK(msg->transaction_id().bytes == tid.bytes);
        }
    }
}

TEST_CASE("Every keepalive message gets its own transaction id, indications included") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 100h;
    scheduler<> s(t0);
    struct collect {
        std::set<std::array<std::uint8_t, 12>> ids;
        std::size_t sends = 0, retransmissions = 0, repeated = 0;
        void on_send(const keepalive_transmit& t) {
            ++sends;
            if (t.kind == keepalive_kind::crlf) return;
            std::array<std::uint8_t, 12> id{};
            std::memcpy(id.data(), t.bytes.data() + 8, 12);
            // A retransmission repeats its round's id (RFC 8489 §6.2.1); nothing else may.
            if (t.retransmission) ++retransmissions;
            else if (!ids.insert(id).second) ++repeated;
        }
        void on_event(const scheduler<>::event&) {}
    } h;
    for (int i = 0; i < 200; ++i) {
        binding_options o;
        o.server = endpoint(ip_address::v4(192, 0, 2, 1), 3478);
        o.interval = 1s;
        o.kind = i % 2 ? keepalive_kind::binding_indication : keepalive_kind::binding_request;
        const auto id = s.add(o, t0);
        if (i % 10 == 0) {  // a slot reused by a new binding continues its message counter
            s.remove(id);
            s.add(o, t0);
        }
    }
    for (auto t = t0; t < t0 + 60s; t += 10ms) s.poll(t, h);
    CHECK(h.sends > 200 * 50);
    CHECK(h.retransmissions > 0);
    CHECK(h.repeated == 0);
    CHECK(h.ids.size() == h.sends - h.retransmissions);
}

TEST_CASE("Ids made in a batch are the ids made one by one") {
    for (const auto prf : prfs()) {
        const kd::transaction_ids ids(77, prf);
        for (std::size_t n = 1; n <= 17; ++n) {
            std::vector<std::uint64_t> in(n);
            std::vector<stun::transaction_id> out(n);
            for (std::size_t i = 0; i < n; ++i) in[i] = (std::uint64_t{static_cast<std::uint32_t>(i * 977)} << 32) | (n * 31 + i);
            ids.make_batch(in.data(), n, out.data());
            for (std::size_t i = 0; i < n; ++i)
                REQUIRE(out[i].bytes == ids.make(static_cast<std::uint32_t>(in[i] >> 32), static_cast<std::uint32_t>(in[i])).bytes);
        }
    }
}

TEST_CASE("A binding removed by the handler while a poll hands over keepalives sends nothing more") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 100h;
    scheduler<> s(t0);
    std::vector<binding_id> ids;
    for (int i = 0; i < 40; ++i) {
        binding_options o;
        o.server = endpoint(ip_address::v4(192, 0, 2, 1), 3478);
        o.kind = keepalive_kind::binding_indication;
        ids.push_back(s.add(o, t0));  // all due at once, in one poll
    }
    struct remover {
        scheduler<>* s;
        std::vector<binding_id>* ids;
        std::vector<binding_id> sent;
        void on_send(const keepalive_transmit& t) {
            sent.push_back(t.id);
            if (sent.size() == 1)
                for (const auto id : *ids)
                    if (id != t.id) s->remove(id);
        }
        void on_event(const scheduler<>::event&) {}
    } h{&s, &ids, {}};
    s.poll(t0, h);
    CHECK(h.sent.size() == 1);
    CHECK(s.size() == 1);
}
