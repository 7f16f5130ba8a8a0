// natkit-bench-codec, libnice's half: the rows done with libnice's STUN codec (libnice/stun).
//
// libnice checks MESSAGE-INTEGRITY and FINGERPRINT only inside stun_agent_validate(), its one
// entry point for received messages; there is no separate "check" call. So:
//  - requests: stun_agent_validate() with the short-term validater callback (a username compare
//    that hands back the password; libnice keys HMAC-SHA1 with it on every message);
//  - responses: libnice takes the key from the request it remembers sending, and forgets the
//    transaction once a response validates. The benchmark registers the vector's transaction in
//    the agent's (public) sent_ids table once and re-arms that slot each iteration, the cheapest
//    equivalent of "a response to an outstanding request";
//  - b2 (no checks): the same call with IGNORE_CREDENTIALS and without USE_FINGERPRINT, which
//    still frames the message, matches the transaction and scans for unknown attributes;
//  - builds: stun_message_init() with the fixed transaction id (as natkit and libre get it), then
//    stun_agent_finish_message(), which appends MESSAGE-INTEGRITY and FINGERPRINT. For requests it
//    also records the transaction, so the slot is freed again each iteration.
#include <array>
#include <cstdint>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <benchmark/benchmark.h>
#include <stun/stunagent.h>
#include <stun/stunmessage.h>

#include "alloc_counter.hpp"
#include "codec_bench.hpp"

namespace codec_bench {
namespace {

struct credentials {
    const std::uint8_t* username;
    std::size_t username_len;
    std::uint8_t* password;
    std::size_t password_len;
};

bool validater(StunAgent*, StunMessage*, std::uint8_t* username, std::uint16_t username_len,
               std::uint8_t** password, std::size_t* password_len, void* user_data) {
    const auto* c = static_cast<credentials*>(user_data);
    if (!username || username_len != c->username_len || std::memcmp(username, c->username, username_len) != 0)
        return false;
    *password = c->password;
    *password_len = c->password_len;
    return true;
}

StunAgent make_agent(unsigned flags) {
    StunAgent agent;
    stun_agent_init(&agent, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389, static_cast<StunAgentUsageFlags>(flags));
    return agent;
}

void to_nice_id(const inputs& in, StunTransactionId id) {
    const std::uint32_t cookie = htonl(0x2112A442u);
    std::memcpy(id, &cookie, 4);
    std::memcpy(id + 4, in.tid.data(), 12);
}

/// Records the vectors' transaction as sent with the short-term key, as stun_agent_finish_message()
/// would have for the request the response answers.
void remember_request(StunAgent& agent, const inputs& in, std::uint8_t* key, std::size_t key_len) {
    StunAgentSavedIds& slot = agent.sent_ids[0];
    to_nice_id(in, slot.id);
    slot.method = STUN_BINDING;
    slot.key = key;
    slot.key_len = key_len;
    std::memset(slot.long_term_key, 0, sizeof slot.long_term_key);
    slot.long_term_valid = false;
    slot.valid = true;
}

sockaddr_in mapped_address(const inputs& in) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(in.mapped_port);
    std::memcpy(&a.sin_addr, in.mapped_ip.data(), 4);
    return a;
}

bool same_address(const sockaddr_storage& s, const sockaddr_in& expected) {
    if (s.ss_family != AF_INET) return false;
    sockaddr_in a;
    std::memcpy(&a, &s, sizeof a);
    return a.sin_port == expected.sin_port && a.sin_addr.s_addr == expected.sin_addr.s_addr;
}

void bench_a(benchmark::State& state, const inputs& in) {
    StunAgent agent = make_agent(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    std::string password = in.password;
    credentials creds{reinterpret_cast<const std::uint8_t*>(in.username.data()), in.username.size(),
                            reinterpret_cast<std::uint8_t*>(password.data()), password.size()};
    const std::uint8_t* data = in.request.data();
    const std::size_t size = in.request.size();
    auto run = [&](std::uint32_t& priority, std::uint64_t& controlled) {
        StunMessage msg;
        const StunValidationStatus st =
            stun_agent_validate(&agent, &msg, data, size, validater, &creds);
        const bool found = stun_message_find32(&msg, STUN_ATTRIBUTE_PRIORITY, &priority) == STUN_MESSAGE_RETURN_SUCCESS &&
                           stun_message_find64(&msg, STUN_ATTRIBUTE_ICE_CONTROLLED, &controlled) ==
                               STUN_MESSAGE_RETURN_SUCCESS;
        return st == STUN_VALIDATION_SUCCESS && found;
    };
    std::uint32_t priority = 0;
    std::uint64_t controlled = 0;
    if (!run(priority, controlled) || priority != in.priority || controlled != in.ice_controlled) {
        state.SkipWithError("libnice: unexpected result for the RFC 5769 request");
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        benchmark::DoNotOptimize(data);
        bool ok = run(priority, controlled);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(priority);
        benchmark::DoNotOptimize(controlled);
    }
    meter.report(state);
}

template <bool Check>
void bench_b(benchmark::State& state, const inputs& in) {
    StunAgent agent = make_agent(Check ? STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT
                                       : STUN_AGENT_USAGE_IGNORE_CREDENTIALS);
    std::string password = in.password;
    remember_request(agent, in, reinterpret_cast<std::uint8_t*>(password.data()), password.size());
    const sockaddr_in expected = mapped_address(in);
    const std::uint8_t* data = in.response.data();
    const std::size_t size = in.response.size();
    auto run = [&](sockaddr_storage& mapped) {
        agent.sent_ids[0].valid = true;  // validate() closed the transaction last time
        StunMessage msg;
        const StunValidationStatus st = stun_agent_validate(&agent, &msg, data, size, nullptr, nullptr);
        socklen_t len = sizeof mapped;
        return st == STUN_VALIDATION_SUCCESS &&
               stun_message_find_xor_addr(&msg, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &mapped, &len) ==
                   STUN_MESSAGE_RETURN_SUCCESS;
    };
    sockaddr_storage mapped{};
    if (!run(mapped) || !same_address(mapped, expected)) {
        state.SkipWithError("libnice: unexpected result for the RFC 5769 response");
        return;
    }
    if (Check) {
        // The checks are live: a response signed with another key is refused.
        std::string other = password;
        other[0] = static_cast<char>(other[0] ^ 1);
        remember_request(agent, in, reinterpret_cast<std::uint8_t*>(other.data()), other.size());
        if (run(mapped)) {
            state.SkipWithError("libnice: a wrong key was accepted");
            return;
        }
        remember_request(agent, in, reinterpret_cast<std::uint8_t*>(password.data()), password.size());
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        benchmark::DoNotOptimize(data);
        bool ok = run(mapped);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(mapped);
    }
    meter.report(state);
}

void bench_c1(benchmark::State& state, const inputs& in) {
    StunAgent agent = make_agent(STUN_AGENT_USAGE_USE_FINGERPRINT);
    StunTransactionId id;
    to_nice_id(in, id);
    std::array<std::uint8_t, 64> buf{};
    auto build = [&]() -> std::size_t {
        StunMessage msg;
        msg.buffer = buf.data();
        msg.buffer_len = buf.size();
        msg.agent = &agent;
        msg.key = nullptr;
        msg.key_len = 0;
        msg.long_term_valid = false;
        if (!stun_message_init(&msg, STUN_REQUEST, STUN_BINDING, id)) return 0;
        const std::size_t n = stun_agent_finish_message(&agent, &msg, nullptr, 0);
        // finish_message() recorded the request in one of the agent's 8 slots; free it, as
        // stun_agent_forget_transaction() would after a timeout.
        agent.sent_ids[0].valid = false;
        return n;
    };
    {
        const std::size_t n = build();
        if (n != in.request_fp.size() || std::memcmp(buf.data(), in.request_fp.data(), n) != 0) {
            state.SkipWithError("libnice: unexpected bytes for the FINGERPRINT-only request");
            return;
        }
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        std::size_t n = build();
        benchmark::DoNotOptimize(n);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

void bench_c2(benchmark::State& state, const inputs& in) {
    // A server answers the request it validated: the response reuses the request's key.
    StunAgent agent = make_agent(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    stun_agent_set_software(&agent, in.software.c_str());
    std::string password = in.password;
    credentials creds{reinterpret_cast<const std::uint8_t*>(in.username.data()), in.username.size(),
                            reinterpret_cast<std::uint8_t*>(password.data()), password.size()};
    StunMessage request;
    if (stun_agent_validate(&agent, &request, in.request.data(), in.request.size(), validater,
                            &creds) != STUN_VALIDATION_SUCCESS) {
        state.SkipWithError("libnice: the RFC 5769 request does not validate");
        return;
    }
    const sockaddr_in a = mapped_address(in);
    sockaddr_storage mapped{};
    std::memcpy(&mapped, &a, sizeof a);
    std::array<std::uint8_t, 128> buf{};
    auto build = [&]() -> std::size_t {
        StunMessage msg;
        if (!stun_agent_init_response(&agent, &msg, buf.data(), buf.size(), &request)) return 0;  // + SOFTWARE
        if (stun_message_append_xor_addr(&msg, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &mapped, sizeof a) !=
            STUN_MESSAGE_RETURN_SUCCESS)
            return 0;
        return stun_agent_finish_message(&agent, &msg, nullptr, 0);
    };
    {
        const std::size_t n = build();
        if (n != in.response.size() || std::memcmp(buf.data(), in.response.data(), n) != 0) {
            state.SkipWithError("libnice: the built response differs from RFC 5769 2.2");
            return;
        }
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        std::size_t n = build();
        benchmark::DoNotOptimize(n);
        benchmark::ClobberMemory();
    }
    meter.report(state);
}

}  // namespace

void register_libnice(const inputs& in) {
    const inputs* p = &in;
    auto reg = [p](const row& r, void (*fn)(benchmark::State&, const inputs&)) {
        benchmark::RegisterBenchmark(benchmark_name(r, lib_libnice).c_str(), [p, fn](benchmark::State& s) { fn(s, *p); })
            ->Unit(benchmark::kNanosecond);
    };
    reg(row_a, bench_a);
    reg(row_b, bench_b<true>);
    reg(row_b2, bench_b<false>);
    reg(row_c1, bench_c1);
    reg(row_c2, bench_c2);
}

}  // namespace codec_bench
