// A consumer of natkit::asio: every Asio adapter header compiles under strict flags.
#include <natkit/asio/binding_dispatcher.hpp>
#include <natkit/asio/binding_request.hpp>
#include <natkit/asio/discovery.hpp>
#include <natkit/asio/keepalive_service.hpp>
#include <natkit/asio/stun_server.hpp>

int main() {
    natkit::asio::net::io_context io;
    natkit::asio::keepalive_service service(io.get_executor());
    return service.mapped(natkit::keepalive::binding_id{}) ? 1 : 0;
}
