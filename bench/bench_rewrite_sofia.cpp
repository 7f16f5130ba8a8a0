// natkit-bench-rewrite, sofia-sip's half (libsofia-sip-ua: msg, sip and sdp modules).
//
// What a PBX built on sofia-sip does to put its public address into a message: msg_make() parses
// the message into a msg_t with its sip_t, the top Via's host and port and the Contacts' URLs are
// changed (their cached encodings cleared) and "rport" added with msg_header_add_param();
// sdp_parse() reads the payload into an sdp_session_t whose o=, c=, m= ports and a=rtcp values
// are changed; sdp_print() writes it; the new payload and a new Content-Length replace the old
// ones; msg_serialize() and msg_as_string() give the message. Every object is freed within the
// iteration (msg_destroy frees what lives in the message's home).
#include <cstdio>
#include <cstring>
#include <string>

#include <benchmark/benchmark.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/su_alloc.h>

#include "alloc_counter.hpp"
#include "rewrite_bench.hpp"

namespace rewrite_bench {
namespace {

void rewrite_connection(const inputs& in, sdp_connection_t* c) {
    for (; c; c = c->c_next)
        if (c->c_address && in.local_ip == c->c_address) c->c_address = in.public_ip.c_str();
}

/// The whole rewrite; the output goes to `out` when given.
bool rewrite(const inputs& in, const std::string& message, std::string* out) {
    msg_t* msg = msg_make(sip_default_mclass(), 0, message.data(), static_cast<ssize_t>(message.size()));
    if (!msg) return false;
    su_home_t* home = msg_home(msg);
    sip_t* sip = sip_object(msg);
    bool ok = sip != nullptr;
    char port_text[8];
    std::snprintf(port_text, sizeof port_text, "%u", in.public_sip_port);
    if (ok && sip->sip_request && sip->sip_via) {
        sip_via_t* via = sip->sip_via;
        if (via->v_host && in.local_ip == via->v_host) {
            via->v_host = in.public_ip.c_str();
            via->v_port = port_text;
        }
        if (!via->v_rport) msg_header_add_param(home, via->v_common, "rport");
        msg_fragment_clear(via->v_common);
    }
    for (sip_contact_t* m = ok ? sip->sip_contact : nullptr; m; m = m->m_next) {
        if (m->m_url->url_host && in.local_ip == m->m_url->url_host) {
            m->m_url->url_host = in.public_ip.c_str();
            m->m_url->url_port = port_text;
            msg_fragment_clear(m->m_common);
        }
    }
    if (ok && sip->sip_payload) {
        sdp_parser_t* parser =
            sdp_parse(home, sip->sip_payload->pl_data, static_cast<issize_t>(sip->sip_payload->pl_len), 0);
        sdp_session_t* sdp = sdp_session(parser);
        if (!sdp) {
            ok = false;
        } else {
            if (sdp->sdp_origin) rewrite_connection(in, sdp->sdp_origin->o_address);
            rewrite_connection(in, sdp->sdp_connection);
            for (sdp_media_t* m = sdp->sdp_media; m; m = m->m_next) {
                if (m->m_port != 0) m->m_port = in.map_port(static_cast<unsigned>(m->m_port));
                rewrite_connection(in, m->m_connections);
                for (sdp_attribute_t* a = m->m_attributes; a; a = a->a_next) {
                    if (!a->a_name || std::strcmp(a->a_name, "rtcp") != 0 || !a->a_value) continue;
                    // RFC 3605: "port [IN IP4 address]".
                    char addr[64] = "", nettype[8] = "", addrtype[8] = "";
                    unsigned port = 0;
                    const int n = std::sscanf(a->a_value, "%u %7s %7s %63s", &port, nettype, addrtype, addr);
                    if (n == 4)
                        a->a_value = su_sprintf(home, "%u %s %s %s", in.map_port(port), nettype, addrtype,
                                                in.local_ip == addr ? in.public_ip.c_str() : addr);
                    else if (n >= 1)
                        a->a_value = su_sprintf(home, "%u", in.map_port(port));
                }
            }
            sdp_printer_t* printer = sdp_print(home, sdp, nullptr, 0, 0);
            const char* text = sdp_message(printer);
            if (!text) {
                ok = false;
            } else {
                const isize_t size = sdp_message_size(printer);
                sip_payload_t* payload = sip_payload_create(home, text, size);
                sip_content_length_t* length = sip_content_length_create(home, static_cast<uint32_t>(size));
                ok = msg_header_replace(msg, reinterpret_cast<msg_pub_t*>(sip),
                                        reinterpret_cast<msg_header_t*>(sip->sip_payload),
                                        reinterpret_cast<msg_header_t*>(payload)) == 0 &&
                     msg_header_replace(msg, reinterpret_cast<msg_pub_t*>(sip),
                                        reinterpret_cast<msg_header_t*>(sip->sip_content_length),
                                        reinterpret_cast<msg_header_t*>(length)) == 0;
            }
            sdp_printer_free(printer);
        }
        sdp_parser_free(parser);
    }
    if (ok) {
        ok = msg_serialize(msg, reinterpret_cast<msg_pub_t*>(sip)) == 0;
        size_t length = 0;
        char* text = ok ? msg_as_string(home, msg, nullptr, 0, &length) : nullptr;
        ok = text != nullptr;
        if (ok && out) out->assign(text, length);
    }
    msg_destroy(msg);
    return ok;
}

void bench_sofia(benchmark::State& state, const inputs& in, const std::string& message) {
    std::string first;
    if (!rewrite(in, message, &first)) {
        state.SkipWithError("sofia-sip: the rewrite failed");
        return;
    }
    const std::string why = check_output(in, message, first);
    if (!why.empty()) {
        state.SkipWithError(("sofia-sip: " + why).c_str());
        return;
    }
    natkit_bench::alloc_meter meter;
    for (auto _ : state) {
        bool ok = rewrite(in, message, nullptr);
        benchmark::DoNotOptimize(ok);
    }
    meter.report(state);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(message.size()));
}

}  // namespace

void register_sofia(const inputs& in) {
    benchmark::RegisterBenchmark(benchmark_name(row_invite, lib_sofia).c_str(), [&in](benchmark::State& s) {
        bench_sofia(s, in, in.invite);
    })->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(benchmark_name(row_answer, lib_sofia).c_str(), [&in](benchmark::State& s) {
        bench_sofia(s, in, in.answer);
    })->Unit(benchmark::kNanosecond);
}

}  // namespace rewrite_bench
