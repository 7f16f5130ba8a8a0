// A consumer of natkit's core: builds and parses a Binding request, with every core header.
#include <natkit.hpp>

#include <array>
#include <cstdio>

int main() {
    using namespace natkit;
    std::array<std::uint8_t, 64> buf{};
    const auto tid = stun::transaction_id::from(reinterpret_cast<const std::uint8_t*>("consumer0001"));
    stun::message_builder b(buf, stun::method::binding, stun::message_class::request, tid);
    b.add_fingerprint();
    auto bytes = b.finish();
    if (!bytes) return 1;
    auto msg = stun::message_view::parse(*bytes);
    if (!msg || msg->check_fingerprint()) return 1;
    std::printf("natkit %s: %zu-byte Binding request ok\n", NATKIT_VERSION_STRING, msg->size());
    return 0;
}
