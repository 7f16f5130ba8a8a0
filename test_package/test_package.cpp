// natkit's Conan test package: build a STUN Binding request, parse it back, check FINGERPRINT;
// with the Asio adapters, also open a UDP socket the way natkit::asio's users do.
#include <natkit.hpp>

#include <array>
#include <cstdio>

#ifdef TEST_PACKAGE_WITH_ASIO
#include <natkit/asio/binding_request.hpp>
#endif

int main() {
    using namespace natkit;
    std::array<std::uint8_t, 64> buf{};
    const auto tid = stun::transaction_id::from(reinterpret_cast<const std::uint8_t*>("testpackage0"));
    stun::message_builder b(buf, stun::method::binding, stun::message_class::request, tid);
    b.add_fingerprint();
    auto bytes = b.finish();
    if (!bytes) return 1;
    auto msg = stun::message_view::parse(*bytes);
    if (!msg || msg->check_fingerprint()) return 1;
#ifdef TEST_PACKAGE_WITH_ASIO
    namespace net = natkit::asio::net;
    net::io_context io;
    net::ip::udp::socket socket(io, net::ip::udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    std::printf("natkit %s with Asio: Binding request of %zu bytes, socket on port %u\n", NATKIT_VERSION_STRING,
                msg->size(), static_cast<unsigned>(socket.local_endpoint().port()));
#else
    std::printf("natkit %s: Binding request of %zu bytes\n", NATKIT_VERSION_STRING, msg->size());
#endif
    return 0;
}
