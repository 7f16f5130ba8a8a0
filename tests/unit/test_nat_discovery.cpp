// NAT behaviour discovery against a simulated NAT and natkit's binding responder: every
// mapping/filtering combination, the pitfalls other tools fall into, and packet loss.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "catch.hpp"
#include "natkit/nat/discovery.hpp"
#include "natkit/stun/binding_responder.hpp"

using namespace natkit;
using namespace natkit::nat;
using namespace std::chrono_literals;

namespace {

const endpoint server_p(ip_address::v4(192, 0, 2, 1), 3478);
const endpoint server_a(ip_address::v4(192, 0, 2, 2), 3479);
const std::array<endpoint, 2> lan_sockets = {endpoint(ip_address::v4(192, 168, 1, 10), 5060),
                                             endpoint(ip_address::v4(192, 168, 1, 10), 5062)};
const ip_address public_ip = ip_address::v4(203, 0, 113, 1);

enum class nat_kind { none, firewall, nat, blocked };

/// A NAT (RFC 4787 terms) or firewall between the LAN sockets and the internet.
struct nat_model {
    nat_kind kind = nat_kind::nat;
    behavior mapping = behavior::endpoint_independent;
    behavior filtering = behavior::endpoint_independent;
    bool hairpin = false;

    // mapping key: (internal endpoint, destination as far as the mapping depends on it)
    std::map<std::pair<endpoint, endpoint>, std::uint16_t> mappings;
    std::map<std::uint16_t, endpoint> internal_of;                // public port -> LAN socket
    std::map<std::uint16_t, std::set<endpoint>> contacted;        // public port -> destinations sent to
    std::uint16_t next_port = 40000;
    std::chrono::milliseconds idle_timeout{0};       // 0: mappings never expire
    std::map<std::uint16_t, time_point> last_used;  // public port -> last outbound packet

    bool expired(std::uint16_t port, time_point now) const {
        if (idle_timeout.count() == 0) return false;
        auto it = last_used.find(port);
        return it == last_used.end() || now - it->second > idle_timeout;
    }

    endpoint mapping_key(const endpoint& dst) const {
        if (mapping == behavior::address_dependent) return endpoint(dst.address(), 0);
        if (mapping == behavior::address_and_port_dependent) return dst;
        return endpoint();
    }
    /// Outbound: the source the internet sees.
    endpoint outbound(const endpoint& src, const endpoint& dst, time_point now) {
        if (kind != nat_kind::nat) {
            contacted[src.port()].insert(dst);
            return src;
        }
        auto key = std::make_pair(src, mapping_key(dst));
        auto it = mappings.find(key);
        if (it != mappings.end() && expired(it->second, now)) {  // forgotten: a new port next
            contacted.erase(it->second);
            internal_of.erase(it->second);
            mappings.erase(it);
            it = mappings.end();
        }
        if (it == mappings.end()) {
            it = mappings.emplace(key, next_port).first;
            internal_of[next_port] = src;
            next_port = static_cast<std::uint16_t>(next_port + 7);
        }
        contacted[it->second].insert(dst);
        last_used[it->second] = now;
        return endpoint(public_ip, it->second);
    }
    bool allowed(std::uint16_t port, const endpoint& from) const {
        auto c = contacted.find(port);
        if (c == contacted.end()) return false;
        if (filtering == behavior::endpoint_independent) return true;
        for (const auto& d : c->second) {
            if (filtering == behavior::address_dependent && d.address() == from.address()) return true;
            if (filtering == behavior::address_and_port_dependent && d == from) return true;
        }
        return false;
    }
    /// Inbound to `to` (a public endpoint): the LAN socket it reaches, if the filter lets it in.
    std::optional<endpoint> inbound(const endpoint& to, const endpoint& from, time_point now) const {
        if (kind == nat_kind::blocked) return std::nullopt;
        if (kind == nat_kind::none) return to;
        if (kind == nat_kind::firewall) {
            if (!allowed(to.port(), from)) return std::nullopt;
            return to;
        }
        if (to.address() != public_ip) return std::nullopt;
        auto in = internal_of.find(to.port());
        if (in == internal_of.end() || !allowed(to.port(), from) || expired(to.port(), now)) return std::nullopt;
        return in->second;
    }
};

struct datagram {
    time_point at;
    bool to_server;
    endpoint from, to;
    std::vector<std::uint8_t> bytes;
};

struct lab {
    nat_model nat;
    discovery_config cfg;
    double loss = 0.0;
    std::chrono::milliseconds nat_idle_timeout{0};
    std::mt19937 rng{1};
    stun::responder_config server_cfg{server_p, server_a, "lab"};
    /// Lets a test break the server (ignore CHANGE-REQUEST, wrong OTHER-ADDRESS ...).
    std::function<void(stun::responder_reply&, std::vector<std::uint8_t>&)> tamper;

    discovery_result run(time_point start = time_point{} + 1h) {
        stun::binding_responder server(server_cfg);
        nat.idle_timeout = nat_idle_timeout;
        cfg.server = server_p;
        cfg.local = nat.kind == nat_kind::nat ? lan_sockets[0] : lan_sockets[0];
        discovery d(cfg, rng(), start);
        std::vector<datagram> queue;
        time_point now = start;
        std::uniform_real_distribution<double> u(0, 1);
        auto lose = [&] { return loss > 0 && u(rng) < loss; };
        for (int guard = 0; guard < 1000000 && !d.finished(); ++guard) {
            transmit tx;
            while (d.poll_transmit(now, tx)) {
                const endpoint src = lan_sockets[static_cast<std::size_t>(tx.socket)];
                if (nat.kind == nat_kind::blocked || lose()) continue;
                if (tx.to.address() == public_ip || tx.to == lan_sockets[0]) {
                    // Hairpinning: a packet from the LAN to the NAT's own public address.
                    const endpoint seen = nat.outbound(src, tx.to, now);
                    if (nat.kind != nat_kind::nat || nat.hairpin) {
                        if (auto in = nat.inbound(tx.to, seen, now))
                            queue.push_back({now + 1ms, false, seen, *in, {tx.datagram.begin(), tx.datagram.end()}});
                    }
                    continue;
                }
                const endpoint seen = nat.outbound(src, tx.to, now);
                queue.push_back({now + 1ms, true, seen, tx.to, {tx.datagram.begin(), tx.datagram.end()}});
            }
            // Deliver everything due.
            std::sort(queue.begin(), queue.end(), [](const datagram& a, const datagram& b) { return a.at < b.at; });
            std::vector<datagram> later;
            for (auto& dg : queue) {
                if (dg.at > now) {
                    later.push_back(std::move(dg));
                    continue;
                }
                if (dg.to_server) {
                    const bool listening = dg.to.address() == server_p.address() || dg.to.address() == server_a.address();
                    if (!listening) continue;
                    std::array<std::uint8_t, 1500> out{};
                    auto reply = server.handle(dg.bytes, dg.from, dg.to, out, now);
                    if (!reply || lose()) continue;
                    std::vector<std::uint8_t> bytes(reply->datagram.begin(), reply->datagram.end());
                    if (tamper) tamper(*reply, bytes);
                    if (auto in = nat.inbound(reply->to, reply->from, now))
                        later.push_back({now + 1ms, false, reply->from, *in, std::move(bytes)});
                } else {
                    const int socket = dg.to == lan_sockets[0] ? primary_socket : secondary_socket;
                    d.on_datagram(socket, dg.bytes, dg.from, now);
                }
            }
            queue = std::move(later);
            time_point next = d.next_deadline();
            for (const auto& dg : queue) next = std::min(next, dg.at);
            if (next == time_point::max()) break;
            now = std::max(now, next);
        }
        REQUIRE(d.finished());
        return d.result();
    }
};

struct nat_case {
    behavior mapping, filtering;
    nat_type expected;
};

}  // namespace

TEST_CASE("Every combination of mapping and filtering behaviour is classified") {
    const nat_case cases[] = {
        {behavior::endpoint_independent, behavior::endpoint_independent, nat_type::full_cone},
        {behavior::endpoint_independent, behavior::address_dependent, nat_type::restricted_cone},
        {behavior::endpoint_independent, behavior::address_and_port_dependent, nat_type::port_restricted_cone},
        {behavior::address_dependent, behavior::address_dependent, nat_type::symmetric},
        {behavior::address_and_port_dependent, behavior::address_and_port_dependent, nat_type::symmetric},
        {behavior::address_and_port_dependent, behavior::endpoint_independent, nat_type::symmetric},
    };
    for (const auto& c : cases) {
        lab l;
        l.nat.mapping = c.mapping;
        l.nat.filtering = c.filtering;
        const auto r = l.run();
        INFO(to_string(c.mapping) << " / " << to_string(c.filtering) << " -> " << to_string(r.type) << " " << r.note);
        CHECK(r.type == c.expected);
        CHECK(r.mapping == c.mapping);
        CHECK(r.filtering == c.filtering);
        CHECK(r.mapped->address() == public_ip);
        CHECK(r.mode == discovery_mode::rfc5780);
        CHECK(r.alternate == server_a);
        CHECK(r.note.empty());
        // Fast when nothing is lost: RTT 2 ms here, unanswered tests judged after 8 x 25 ms.
        CHECK(r.elapsed < 300ms);
    }
}

TEST_CASE("Open internet, symmetric UDP firewall and blocked UDP") {
    {
        lab l;
        l.nat.kind = nat_kind::none;
        const auto r = l.run();
        CHECK(r.type == nat_type::open_internet);
        CHECK(r.mapping == behavior::no_nat);
        CHECK(r.mapped == lan_sockets[0]);
    }
    {
        lab l;
        l.nat.kind = nat_kind::firewall;
        l.nat.filtering = behavior::address_and_port_dependent;
        const auto r = l.run();
        CHECK(r.type == nat_type::symmetric_udp_firewall);
        CHECK(r.mapping == behavior::no_nat);
        CHECK(r.filtering == behavior::address_and_port_dependent);
    }
    {
        lab l;
        l.nat.kind = nat_kind::blocked;
        const auto r = l.run();
        CHECK(r.type == nat_type::udp_blocked);
        CHECK(r.tests[0].transmissions == 10);
        CHECK(r.elapsed == 450ms);  // the default first_timeout
    }
}

TEST_CASE("Filtering tests run before mapping tests and in parallel") {
    lab l;
    l.nat.mapping = behavior::endpoint_independent;
    l.nat.filtering = behavior::address_and_port_dependent;
    const auto r = l.run();
    REQUIRE(r.test_count == 5);
    CHECK(r.tests[1].kind == test_kind::filtering_change_ip_port);
    CHECK(r.tests[2].kind == test_kind::filtering_change_port);
    CHECK(r.tests[1].started == r.tests[2].started);
    CHECK(r.tests[3].started > r.tests[1].started);
    CHECK_FALSE(r.tests[1].answered);
    CHECK(r.tests[1].transmissions == 10);
}

TEST_CASE("Pitfall: a server that ignores CHANGE-REQUEST does not make a cone") {
    lab l;
    l.nat.mapping = behavior::endpoint_independent;
    l.nat.filtering = behavior::address_and_port_dependent;
    // The server answers CHANGE-REQUEST from the address the request went to.
    l.tamper = [](stun::responder_reply& reply, std::vector<std::uint8_t>&) { reply.from = server_p; };
    const auto r = l.run();
    CHECK(r.type != nat_type::full_cone);
    CHECK(r.filtering == behavior::unknown);
    CHECK(r.type == nat_type::unknown);
    CHECK(r.tests[1].wrong_source);
}

TEST_CASE("Pitfall: an OTHER-ADDRESS with the primary's IP gives unknown, not a guess") {
    lab l;
    l.server_cfg.alternate = endpoint(server_p.address(), 3479);
    const auto r = l.run();
    CHECK(r.type == nat_type::unknown);
    CHECK(r.mapping == behavior::unknown);
    CHECK_FALSE(r.note.empty());
    CHECK(r.mapped);
}

TEST_CASE("Pitfall: wrong OTHER-ADDRESS in answers from the second address is not trusted") {
    lab l;
    l.nat.mapping = behavior::address_dependent;
    l.nat.filtering = behavior::address_dependent;
    // Like stund/coturn: answers sent from the alternate address name a wrong OTHER-ADDRESS.
    l.tamper = [](stun::responder_reply& reply, std::vector<std::uint8_t>& bytes) {
        if (reply.from.address() != server_a.address()) return;
        auto msg = stun::message_view::parse(bytes);
        REQUIRE(msg);
        std::vector<std::uint8_t> out;
        stun::message_builder b(out, msg->type(), msg->transaction_id());
        for (const auto& a : *msg) {
            if (a.type == stun::attr::fingerprint::type) continue;
            if (a.type == stun::attr::other_address::type) b.add<stun::attr::other_address>(endpoint(ip_address::v4(192, 0, 2, 99), 1));
            else b.add_raw(a.type, a.value);
        }
        b.add_fingerprint();
        REQUIRE(b.finish());
        bytes = out;
    };
    const auto r = l.run();
    CHECK(r.type == nat_type::symmetric);
    CHECK(r.mapping == behavior::address_dependent);
    CHECK(r.alternate == server_a);
}

TEST_CASE("Classic RFC 3489 flow with a classic request") {
    lab l;
    l.cfg.mode = discovery_mode::rfc3489;
    l.nat.mapping = behavior::endpoint_independent;
    l.nat.filtering = behavior::address_dependent;
    const auto r = l.run();
    CHECK(r.mode == discovery_mode::rfc3489);
    CHECK(r.type == nat_type::restricted_cone);
}

TEST_CASE("Hairpinning is tested from the second socket") {
    for (bool hairpin : {true, false}) {
        lab l;
        l.cfg.test_hairpinning = true;
        l.nat.hairpin = hairpin;
        l.nat.filtering = behavior::endpoint_independent;
        const auto r = l.run();
        REQUIRE(r.hairpinning);
        CHECK(*r.hairpinning == hairpin);
        CHECK(r.type == nat_type::full_cone);
    }
    lab not_asked;
    CHECK_FALSE(not_asked.run().hairpinning);
}

TEST_CASE("20 % packet loss never produces a wrong verdict") {
    const nat_case cases[] = {
        {behavior::endpoint_independent, behavior::endpoint_independent, nat_type::full_cone},
        {behavior::endpoint_independent, behavior::address_dependent, nat_type::restricted_cone},
        {behavior::endpoint_independent, behavior::address_and_port_dependent, nat_type::port_restricted_cone},
        {behavior::address_and_port_dependent, behavior::address_and_port_dependent, nat_type::symmetric},
    };
    int unknown = 0;
    for (const auto& c : cases) {
        for (unsigned seed = 0; seed < 100; ++seed) {
            lab l;
            l.loss = 0.2;
            l.rng.seed(seed);
            l.nat.mapping = c.mapping;
            l.nat.filtering = c.filtering;
            const auto r = l.run();
            INFO("seed " << seed << " expected " << to_string(c.expected) << " got " << to_string(r.type));
            if (r.type == nat_type::unknown) ++unknown;
            else CHECK(r.type == c.expected);
        }
    }
    CHECK(unknown < 20);
}

TEST_CASE("Binding lifetime is measured with RESPONSE-PORT from the second socket (RFC 5780 §4.6)") {
    // A NAT whose mappings are forgotten after 7 s without outbound traffic.
    lab l;
    l.cfg.test_lifetime = true;
    l.cfg.lifetime_max = std::chrono::seconds(60);
    l.nat.mapping = behavior::endpoint_independent;
    l.nat.filtering = behavior::address_and_port_dependent;
    l.nat_idle_timeout = 7s;
    const auto r = l.run();
    REQUIRE(r.binding_lifetime);
    CHECK(*r.binding_lifetime >= 6s);
    CHECK(*r.binding_lifetime <= 7s);
    CHECK(r.type == nat_type::port_restricted_cone);
}
