// trunk_link: a PBX's SIP trunk link behind a NAT router, composed from natkit's parts.
//
//  - One UDP socket carries SIP and STUN; sip::demultiplexer splits them.
//  - At start-up nat::discovery (asio::async_discover) classifies the NAT from that socket and
//    learns its public address.
//  - keepalive::scheduler (asio::keepalive_service) keeps the SIP socket's mapping and each
//    call's RTP and RTCP mappings open with STUN Binding requests when they were idle, and
//    reports a changed public address at once (the application must re-register).
//  - Each call gets an RTP/RTCP port pair; their public ports are learned with STUN from those
//    very sockets before the INVITE goes out.
//  - sip::rewrite puts the public addresses and ports into Via, Contact and the SDP of every
//    message sent to a destination outside the LAN.
//  - asio::set_dscp marks SIP/STUN CS3 and RTP/RTCP EF.
#ifndef NATKIT_EXAMPLES_LINK_MANAGER_TRUNK_LINK_HPP
#define NATKIT_EXAMPLES_LINK_MANAGER_TRUNK_LINK_HPP

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "event_log.hpp"
#include "natkit/asio/discovery.hpp"
#include "natkit/asio/dscp.hpp"
#include "natkit/asio/endpoint_conversion.hpp"
#include "natkit/asio/keepalive_service.hpp"
#include "natkit/core/packet_kind.hpp"
#include "natkit/nat/behavior.hpp"
#include "natkit/sip/demultiplexer.hpp"
#include "natkit/sip/rewriter.hpp"
#include "rtp_port_pool.hpp"
#include "sip_messages.hpp"

namespace link_manager {

namespace na = natkit::asio;
namespace ka = natkit::keepalive;

struct options {
    natkit::endpoint sip_local{natkit::ip_address::v4(0, 0, 0, 0), 65002};
    natkit::endpoint stun_server{};
    std::optional<natkit::endpoint> stun_alternate{};  ///< when the server does not announce it
    std::optional<natkit::endpoint> stun_secondary{};  ///< keepalive failover after `lost`
    std::uint16_t rtp_first = 55000;
    std::uint16_t rtp_last = 56000;
    std::chrono::milliseconds keepalive_interval{10000};
    std::uint8_t dscp_sip = na::dscp::cs3;  ///< RFC 4594 §4.2: signalling
    std::uint8_t dscp_rtp = na::dscp::ef;   ///< RFC 4594 §4.1 / RFC 3246: telephony media
    std::string user = "pbx";
};

class trunk_link {
public:
    /// Called when the public address of the SIP socket changed: re-register now with the
    /// new Contact (and re-INVITE calls whose media moved, where the stack supports it).
    std::function<void(const natkit::endpoint& public_sip)> on_reregister;

    trunk_link(net::io_context& io, options o, event_log& log)
        : io_(io),
          opts_(std::move(o)),
          log_(log),
          sip_socket_(io),
          keepalive_(io.get_executor(), keepalive_config()),
          pool_(io, na::to_udp(opts_.sip_local).address(), opts_.rtp_first, opts_.rtp_last),
          demux_(sip_handlers{this}),
          rng_(std::random_device{}()) {}

    /// Binds the SIP socket, marks it, and starts the NAT discovery; the rest follows from the
    /// answers. Errors are the bind's (port in use, address not local).
    na::error_code start() {
        na::error_code ec;
        const auto at = na::to_udp(opts_.sip_local);
        sip_socket_.open(at.protocol(), ec);
        if (!ec) sip_socket_.bind(at, ec);
        if (ec) return ec;
        mark(sip_socket_, opts_.dscp_sip, "SIP/STUN");

        // The discovery compares the mapped address with the socket's real address (not
        // 0.0.0.0) to tell "no NAT" from a full cone; the SIP stack writes it into its messages.
        auto local = sip_socket_.local_endpoint(ec);
        if (local.address().is_unspecified()) {
            if (auto src = route_source(na::to_udp(opts_.stun_server))) local.address(*src);
            else return make_error_code(std::errc::network_unreachable);
        }
        sip_local_ = na::to_natkit(local);
        sip_keepalive_socket_ = keepalive_.add_socket(sip_socket_);
        keepalive_.on_event([this](const na::keepalive_service::event& e) { on_keepalive_event(e); });
        log_.emit("started", {{"sip_local", sip_local_.to_string()}, {"stun_server", opts_.stun_server.to_string()}},
                  "SIP/STUN socket " + sip_local_.to_string() + ", STUN server " + opts_.stun_server.to_string());

        natkit::nat::discovery_config cfg;
        cfg.server = opts_.stun_server;
        cfg.alternate_server = opts_.stun_alternate;
        cfg.local = sip_local_;
        na::async_discover(
            sip_socket_, nullptr, cfg, rng_(),
            [this](const na::error_code&, natkit::nat::discovery_result r) { on_discovered(r); },
            // SIP that arrives while the discovery owns the socket's receive side.
            [this](int, natkit::bytes_view d, const natkit::endpoint& from) { on_sip_socket_datagram(d, from); });
        return {};
    }

    /// Places a call to `uri` (sip:user@IP[:port]) through destination `to`.
    void call(const std::string& uri, const natkit::endpoint& to) {
        if (!ready_) {
            log_.emit("error", {{"reason", "not ready"}}, "call refused: the NAT discovery has not finished");
            return;
        }
        na::error_code ec;
        media_sockets* media = pool_.allocate(ec);
        if (!media) {
            log_.emit("error", {{"reason", "no free RTP port"}}, "call refused: no free RTP port pair (" + ec.message() + ")");
            return;
        }
        auto c = std::make_unique<call_state>(io_);
        c->media = media;
        c->destination = to;
        c->d.request_uri = uri;
        c->d.to_uri = uri;
        // A trunk's From is the account at the provider (its domain), not a LAN address.
        c->d.from_uri = "sip:" + opts_.user + "@" + sip_hostport(to);
        c->d.call_id = random_token(16) + "@natkit";
        c->d.local_tag = random_token(10);
        c->ssrc = static_cast<std::uint32_t>(rng_());
        c->session_id = rng_() % 1000000000u;
        c->order = calls_placed_++;
        mark(media->rtp, opts_.dscp_rtp, "RTP");
        mark(media->rtcp, opts_.dscp_rtp, "RTCP");
        if (!media->registered) {
            media->keepalive_ids[0] = keepalive_.add_socket(media->rtp);
            media->keepalive_ids[1] = keepalive_.add_socket(media->rtcp);
            media->registered = true;
        }
        call_state& ref = *c;
        calls_[c->d.call_id] = std::move(c);
        for (int k = 0; k < 2; ++k) receive_media(ref, k);
        log_.emit("call", {{"call_id", ref.d.call_id}, {"to", uri}, {"rtp_local", std::to_string(media->port)},
                           {"rtcp_local", std::to_string(media->port + 1)}},
                  "call " + ref.d.call_id + " to " + uri + ": RTP port " + std::to_string(media->port) +
                      ", RTCP " + std::to_string(media->port + 1) + "; learning their public ports");
        // The first keepalive of each goes out at once: its answer is the socket's mapping.
        for (int k = 0; k < 2; ++k) ref.bindings[k] = keepalive_.add(media_binding(media->keepalive_ids[k]));
        // A STUN server that does not answer must not hold the call up for long.
        ref.timer.expires_after(std::chrono::seconds(2));
        ref.timer.async_wait([this, id = ref.d.call_id](const na::error_code& e) {
            auto* c2 = find_call(id);
            if (e || !c2 || c2->state != call_state::phase::learning) return;
            log_.emit("warning", {{"call_id", id}, {"reason", "no STUN answer on the media sockets"}},
                      "no STUN answer for the media sockets: the SDP keeps the local ports");
            send_invite(*c2);
        });
    }

    /// Ends a call (the newest when `call_id` is empty) with BYE.
    void hangup(const std::string& call_id = {}) {
        call_state* c = call_id.empty() ? newest_call() : find_call(call_id);
        if (!c) {
            log_.emit("error", {{"reason", "no such call"}}, "hangup: no such call");
            return;
        }
        if (c->state == call_state::phase::established) {
            c->d.cseq += 1;
            send_sip(make_request("BYE", c->d, sip_local_, opts_.user, random_token(12), c->d.cseq), c->destination, c);
        }
        end_call(c->d.call_id, "hung up");
    }

    /// One line per call and binding.
    void status() {
        log_.emit("status",
                  {{"public_sip", public_sip_ ? public_sip_->to_string() : std::string("unknown")},
                   {"calls", static_cast<std::uint64_t>(calls_.size())}},
                  "public SIP address " + (public_sip_ ? public_sip_->to_string() : std::string("unknown")) + ", " +
                      std::to_string(calls_.size()) + " call(s)");
        for (auto& [id, c] : calls_)
            log_.emit("call_status",
                      {{"call_id", id}, {"rtp_sent", c->rtp_sent}, {"rtp_received", c->rtp_received}},
                      "  " + id + ": RTP sent " + std::to_string(c->rtp_sent) + ", received " + std::to_string(c->rtp_received));
    }

    /// Hangs up every call and closes the sockets.
    void stop() {
        while (!calls_.empty()) hangup(calls_.begin()->first);
        keepalive_.stop();
        na::error_code ignored;
        sip_socket_.close(ignored);
    }

    std::optional<natkit::endpoint> public_sip() const { return public_sip_; }
    /// The discovery has finished: calls can be placed.
    bool ready() const noexcept { return ready_; }

private:
    struct call_state {
        enum class phase { learning, inviting, established };
        explicit call_state(net::io_context& io) : timer(io) {}
        dialog d;
        natkit::endpoint destination{};
        media_sockets* media = nullptr;
        ka::binding_id bindings[2]{};
        std::optional<natkit::endpoint> public_media[2];  ///< RTP, RTCP mappings
        std::optional<natkit::endpoint> remote_media;
        phase state = phase::learning;
        std::string invite_branch;
        net::steady_timer timer;  ///< learning timeout, then the RTP packet clock
        std::uint16_t rtp_seq = 0;
        std::uint32_t rtp_timestamp = 0;
        std::uint32_t ssrc = 0;
        std::uint64_t session_id = 0;
        std::uint64_t order = 0;  ///< calls placed before this one
        std::uint64_t rtp_sent = 0;
        std::uint64_t rtp_received = 0;
    };

    /// The demultiplexer's handlers on the SIP socket: STUN to the keepalive service, SIP to
    /// the UA; RFC 5626 CRLF pings are answered by the demultiplexer itself.
    struct sip_handlers {
        trunk_link* self;
        void on_stun(natkit::bytes_view d, const natkit::endpoint& from) {
            self->keepalive_.dispatch(self->sip_keepalive_socket_, d, from);
        }
        void on_sip(natkit::bytes_view d, const natkit::endpoint& from) { self->on_sip(d, from); }
        void on_other(natkit::packet_kind, natkit::bytes_view, const natkit::endpoint&) {}  // counted
    };

    static ka::scheduler_config keepalive_config() {
        ka::scheduler_config c;
        c.seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
        return c;
    }

    ka::binding_options media_binding(std::uint32_t socket) const {
        ka::binding_options o;
        o.socket = socket;
        o.server = opts_.stun_server;
        o.secondary = opts_.stun_secondary;
        o.interval = opts_.keepalive_interval;
        o.jitter = opts_.keepalive_interval >= std::chrono::seconds(2) ? 0.2 : 0.0;
        return o;
    }

    void mark(udp::socket& s, std::uint8_t dscp, const char* what) {
        if (const auto ec = na::set_dscp(s, dscp))
            log_.emit("warning", {{"reason", "dscp"}, {"socket", what}, {"error", ec.message()}},
                      std::string("cannot set DSCP on the ") + what + " socket: " + ec.message());
    }

    std::optional<net::ip::address> route_source(const udp::endpoint& to) {
        udp::socket probe(io_);  // connecting a UDP socket sends nothing, it only picks a route
        na::error_code ec;
        probe.open(to.protocol(), ec);
        if (!ec) probe.connect(to, ec);
        if (ec) return std::nullopt;
        const auto local = probe.local_endpoint(ec);
        if (ec) return std::nullopt;
        return local.address();
    }

    void on_discovered(const natkit::nat::discovery_result& r) {
        using natkit::nat::to_string;
        const std::string mapped = r.mapped ? r.mapped->to_string() : std::string("none");
        log_.emit("nat",
                  {{"nat_type", std::string(to_string(r.type))},
                   {"mapping", std::string(to_string(r.mapping))},
                   {"filtering", std::string(to_string(r.filtering))},
                   {"mapped", mapped},
                   {"elapsed_ms", static_cast<std::uint64_t>(
                                      std::chrono::duration_cast<std::chrono::milliseconds>(r.elapsed).count())},
                   {"advice", std::string(natkit::nat::voip_advice(r.type))}},
                  "NAT type " + std::string(to_string(r.type)) + " (mapping " + std::string(to_string(r.mapping)) +
                      ", filtering " + std::string(to_string(r.filtering)) + "), public SIP address " + mapped +
                      "\n            " + std::string(natkit::nat::voip_advice(r.type)));
        if (r.mapped) set_public_sip(*r.mapped);
        ready_ = true;
        receive_sip();
        ka::binding_options o = media_binding(sip_keepalive_socket_);
        sip_binding_ = keepalive_.add(o);
    }

    void set_public_sip(const natkit::endpoint& e) {
        public_sip_ = e;
        rules_.set_public_endpoint(e);
    }

    void on_keepalive_event(const na::keepalive_service::event& e) {
        if (sip_binding_ && e.id == *sip_binding_) return on_sip_binding_event(e);
        for (auto& [id, c] : calls_)
            for (int k = 0; k < 2; ++k)
                if (c->bindings[k] == e.id) return on_media_binding_event(*c, k, e);
    }

    void on_sip_binding_event(const na::keepalive_service::event& e) {
        switch (e.kind) {
        case ka::event_kind::mapped:
        case ka::event_kind::restored:
        case ka::event_kind::changed: {
            // The first answer of the keepalive confirms what the discovery learned; any other
            // address than the one in use is a change, whatever the event's name.
            const natkit::endpoint now = e.current;
            if (public_sip_ && *public_sip_ == now) {
                if (e.kind == ka::event_kind::restored)
                    log_.emit("restored", {{"mapped", now.to_string()}}, "STUN answers again; public SIP address " + now.to_string());
                return;
            }
            const std::string before = public_sip_ ? public_sip_->to_string() : std::string("none");
            set_public_sip(now);
            const std::string contact = "<sip:" + opts_.user + "@" + sip_hostport(now) + ">";
            log_.emit("changed", {{"from", before}, {"to", now.to_string()}, {"contact", contact}},
                      "public SIP address changed " + before + " -> " + now.to_string() +
                          ": re-register now, new Contact: " + contact);
            if (on_reregister) on_reregister(now);
            return;
        }
        case ka::event_kind::lost:
            log_.emit("lost", {{"server", opts_.stun_server.to_string()}},
                      "no answer from the STUN server: the public address cannot be checked");
            return;
        }
    }

    void on_media_binding_event(call_state& c, int k, const na::keepalive_service::event& e) {
        if (e.kind == ka::event_kind::lost) return;
        const bool first = !c.public_media[k];
        const bool moved = !first && *c.public_media[k] != e.current;
        c.public_media[k] = e.current;
        if (first || moved)
            log_.emit(k == 0 ? "rtp_mapped" : "rtcp_mapped",
                      {{"call_id", c.d.call_id}, {"local", std::to_string(c.media->port + k)}, {"mapped", e.current.to_string()}},
                      std::string(k == 0 ? "RTP" : "RTCP") + " port " + std::to_string(c.media->port + k) +
                          " is public " + e.current.to_string() + (moved ? " (changed)" : ""));
        if (c.state == call_state::phase::learning && c.public_media[0] && c.public_media[1]) {
            c.timer.cancel();
            send_invite(c);
        }
    }

    /// The rules for one call's messages: the link's (public SIP address) plus the call's
    /// media address and ports (sdp::port_map is meant to be copied per call).
    natkit::sip::rewrite_rules rules_for(const call_state* c) const {
        natkit::sip::rewrite_rules r = rules_;
        if (c && c->public_media[0]) {
            r.sdp.set_public_address(c->public_media[0]->address());
            r.sdp.ports.set(c->media->port, c->public_media[0]->port());
            if (c->public_media[1]) r.sdp.ports.set(static_cast<std::uint16_t>(c->media->port + 1), c->public_media[1]->port());
        } else if (public_sip_) {
            r.sdp.set_public_address(public_sip_->address());  // same router, ports unknown
        }
        return r;
    }

    void send_invite(call_state& c) {
        c.state = call_state::phase::inviting;
        c.invite_branch = random_token(12);
        const std::string sdp = make_sdp_offer(sip_local_.address(), c.media->port,
                                               static_cast<std::uint16_t>(c.media->port + 1), c.session_id);
        const std::string sent = send_sip(make_request("INVITE", c.d, sip_local_, opts_.user, c.invite_branch, c.d.cseq, sdp),
                                          c.destination, &c);
        const message m(sent);
        const auto media = sdp_audio_destination(m.body());
        log_.emit("invite",
                  {{"call_id", c.d.call_id},
                   {"to", c.destination.to_string()},
                   {"via", std::string(m.header("Via", 'v'))},
                   {"contact", std::string(m.header("Contact", 'm'))},
                   {"sdp_audio", media ? media->to_string() : std::string("none")}},
                  "INVITE to " + c.destination.to_string() + "\n            Via: " + std::string(m.header("Via", 'v')) +
                      "\n            Contact: " + std::string(m.header("Contact", 'm')) +
                      "\n            SDP audio: " + (media ? media->to_string() : std::string("none")));
    }

    /// Sends SIP text to `to`, rewritten first when `to` is outside the LAN; returns what was sent.
    std::string send_sip(const std::string& text, const natkit::endpoint& to, const call_state* c) {
        const auto rules = rules_for(c);
        std::string out;
        if (rules.should_rewrite(to)) {
            const auto r = natkit::sip::rewrite(text, rules, out);
            if (!r) {
                log_.emit("error", {{"reason", "rewrite"}, {"error", r.error().message()}},
                          "rewrite failed (" + r.error().message() + "): sent unchanged");
                out = text;
            }
        } else {
            out = text;
        }
        na::error_code ignored;  // UDP: a lost send is a lost datagram, SIP retransmits
        sip_socket_.send_to(net::buffer(out), na::to_udp(to), 0, ignored);
        if (sip_binding_) keepalive_.note_outbound(*sip_binding_);
        return out;
    }

    void receive_sip() {
        sip_socket_.async_receive_from(net::buffer(sip_buffer_), sip_from_, [this](const na::error_code& e, std::size_t n) {
            if (e == net::error::operation_aborted || !sip_socket_.is_open()) return;
            if (!e) on_sip_socket_datagram(natkit::bytes_view(sip_buffer_.data(), n), na::to_natkit(sip_from_));
            receive_sip();
        });
    }

    void on_sip_socket_datagram(natkit::bytes_view d, const natkit::endpoint& from) {
        const auto r = demux_.dispatch(d, from);
        if (!r.reply.empty()) {
            na::error_code ignored;
            sip_socket_.send_to(net::buffer(r.reply.data(), r.reply.size()), na::to_udp(from), 0, ignored);
        }
    }

    void on_sip(natkit::bytes_view d, const natkit::endpoint& from) {
        const std::string text(reinterpret_cast<const char*>(d.data()), d.size());
        const message m(text);
        call_state* c = find_call(std::string(m.header("Call-ID", 'i')));
        if (m.is_response()) {
            const int code = m.status();
            const std::string_view cseq = m.header("CSeq");
            if (!c || cseq.find("INVITE") == std::string_view::npos) return;
            if (code < 200) {
                log_.emit("progress", {{"call_id", c->d.call_id}, {"status", code}}, std::string(m.start_line()));
                return;
            }
            const std::string_view to = m.header("To", 't');
            c->d.remote_tag = std::string(message::parameter(to, "tag"));
            if (code >= 300) {  // RFC 3261 §17.1.1.3: the ACK of a failure is in the INVITE's transaction
                send_sip(make_request("ACK", c->d, sip_local_, opts_.user, c->invite_branch, c->d.cseq), c->destination, c);
                log_.emit("failed", {{"call_id", c->d.call_id}, {"status", code}}, "call failed: " + std::string(m.start_line()));
                end_call(c->d.call_id, "failed");
                return;
            }
            // RFC 3261 §13.2.2.4: every 2xx (retransmissions too) is ACKed, end to end, to the
            // remote target the 2xx's Contact names.
            const std::string_view contact = m.header("Contact", 'm');
            if (!contact.empty()) c->d.request_uri = std::string(message::uri(contact));
            send_sip(make_request("ACK", c->d, sip_local_, opts_.user, random_token(12), c->d.cseq), c->destination, c);
            if (c->state == call_state::phase::established) return;
            c->state = call_state::phase::established;
            c->remote_media = sdp_audio_destination(m.body());
            log_.emit("answered",
                      {{"call_id", c->d.call_id}, {"status", code},
                       {"remote_media", c->remote_media ? c->remote_media->to_string() : std::string("none")}},
                      "answered; the far end's RTP goes to " +
                          (c->remote_media ? c->remote_media->to_string() : std::string("? (no SDP answer)")) +
                          ", sending RTP to open the NAT's filter");
            if (c->remote_media) send_rtp(c->d.call_id);
            return;
        }
        // Requests from the far end.
        const std::string_view method = m.method();
        if (method == "ACK") return;
        const int code = (method == "BYE" && c) || method == "OPTIONS" ? 200 : method == "BYE" ? 481 : 501;
        const char* reason = code == 200 ? "OK" : code == 481 ? "Call/Transaction Does Not Exist" : "Not Implemented";
        send_sip(make_response(m, code, reason, c ? c->d.local_tag : random_token(10)), from, c);
        if (method == "BYE" && c) end_call(c->d.call_id, "far end hung up");
    }

    /// 20 ms G.711 packets (RFC 3551 §4.5.14, PCMA silence) while the call lasts. Sending
    /// first opens the NAT's filter for the far end's media (a port-restricted cone admits
    /// only addresses and ports the LAN side sent to), and keeps the mapping alive.
    void send_rtp(const std::string& id) {
        call_state* c = find_call(id);
        if (!c || !c->remote_media || !c->media->rtp.is_open()) return;
        std::array<std::uint8_t, 12 + 160> packet{};
        packet[0] = 0x80;  // RTP version 2 (RFC 3550 §5.1)
        packet[1] = 8;     // PCMA
        put16(&packet[2], c->rtp_seq++);
        put32(&packet[4], c->rtp_timestamp);
        put32(&packet[8], c->ssrc);
        c->rtp_timestamp += 160;
        for (std::size_t i = 12; i < packet.size(); ++i) packet[i] = 0xD5;  // A-law silence
        na::error_code ignored;
        c->media->rtp.send_to(net::buffer(packet), na::to_udp(*c->remote_media), 0, ignored);
        keepalive_.note_outbound(c->bindings[0]);
        ++c->rtp_sent;
        c->timer.expires_after(std::chrono::milliseconds(20));
        c->timer.async_wait([this, id](const na::error_code& e) {
            if (!e) send_rtp(id);
        });
    }

    void receive_media(call_state& c, int k) {
        media_sockets& m = *c.media;
        auto& sock = k == 0 ? m.rtp : m.rtcp;
        sock.async_receive_from(net::buffer(m.buffers[k]), m.senders[k],
                                [this, &m, k, id = c.d.call_id](const na::error_code& e, std::size_t n) {
                                    auto& s = k == 0 ? m.rtp : m.rtcp;
                                    call_state* c2 = find_call(id);
                                    if (e == net::error::operation_aborted || !s.is_open() || !c2) return;
                                    if (!e) on_media_datagram(*c2, k, natkit::bytes_view(m.buffers[k].data(), n), na::to_natkit(m.senders[k]));
                                    receive_media(*c2, k);
                                });
    }

    void on_media_datagram(call_state& c, int k, natkit::bytes_view d, const natkit::endpoint& from) {
        const auto kind = natkit::classify(d);
        if (kind == natkit::packet_kind::stun) {
            keepalive_.dispatch(c.media->keepalive_ids[k], d, from);
        } else if (k == 0 && kind == natkit::packet_kind::rtp) {
            if (c.rtp_received++ == 0)
                log_.emit("rtp_received", {{"call_id", c.d.call_id}, {"from", from.to_string()}, {"local_port", std::to_string(c.media->port)}},
                          "RTP arrives from " + from.to_string() + " on port " + std::to_string(c.media->port) +
                              ": media gets through the NAT");
        }
    }

    void end_call(const std::string& id, const char* why) {
        auto it = calls_.find(id);
        if (it == calls_.end()) return;
        call_state& c = *it->second;
        c.timer.cancel();
        for (auto b : c.bindings) keepalive_.remove(b);
        log_.emit("ended", {{"call_id", id}, {"reason", why}, {"rtp_sent", c.rtp_sent}, {"rtp_received", c.rtp_received}},
                  "call " + id + " ended (" + why + "): RTP sent " + std::to_string(c.rtp_sent) + ", received " +
                      std::to_string(c.rtp_received) + "; ports " + std::to_string(c.media->port) + "-" +
                      std::to_string(c.media->port + 1) + " released");
        pool_.release(*c.media);
        calls_.erase(it);  // pending handlers look the call up by id and find nothing
    }

    call_state* find_call(const std::string& id) {
        auto it = calls_.find(id);
        return it == calls_.end() ? nullptr : it->second.get();
    }
    call_state* newest_call() {
        call_state* newest = nullptr;
        for (auto& [id, c] : calls_)
            if (!newest || c->order > newest->order) newest = c.get();
        return newest;
    }

    std::string random_token(std::size_t n) {
        static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        std::string s(n, '0');
        for (char& ch : s) ch = alphabet[rng_() % (sizeof alphabet - 1)];
        return s;
    }
    static void put16(std::uint8_t* p, std::uint16_t v) {
        p[0] = static_cast<std::uint8_t>(v >> 8);
        p[1] = static_cast<std::uint8_t>(v);
    }
    static void put32(std::uint8_t* p, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
    }

    net::io_context& io_;
    options opts_;
    event_log& log_;
    udp::socket sip_socket_;
    natkit::endpoint sip_local_{};
    na::keepalive_service keepalive_;
    std::uint32_t sip_keepalive_socket_ = 0;
    std::optional<ka::binding_id> sip_binding_;
    std::optional<natkit::endpoint> public_sip_;
    natkit::sip::rewrite_rules rules_;
    rtp_port_pool pool_;
    natkit::sip::demultiplexer<sip_handlers> demux_;
    std::map<std::string, std::unique_ptr<call_state>> calls_;
    std::mt19937_64 rng_;
    std::array<std::uint8_t, 4096> sip_buffer_{};
    udp::endpoint sip_from_;
    std::uint64_t calls_placed_ = 0;
    bool ready_ = false;
};

}  // namespace link_manager

#endif  // NATKIT_EXAMPLES_LINK_MANAGER_TRUNK_LINK_HPP
