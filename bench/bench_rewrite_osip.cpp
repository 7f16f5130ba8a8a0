// natkit-bench-rewrite, GNU oSIP's half (libosip2's parser library, osipparser2).
//
// What a PBX built on oSIP does to put its public address into a message: osip_message_parse()
// into an osip_message_t, change the top Via (host, port, rport parameter) and the Contacts'
// URIs, sdp_message_parse() the body into an sdp_message_t, change o=, the c= lines, the m=
// ports and the a=rtcp values, sdp_message_to_str(), put it back as the body, and
// osip_message_to_str() (which computes Content-Length from the body). Every object is freed
// within the iteration, as it would be per message.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <benchmark/benchmark.h>

#include <osipparser2/osip_parser.h>
#include <osipparser2/sdp_message.h>

#include "alloc_counter.hpp"
#include "rewrite_bench.hpp"

namespace rewrite_bench {
namespace {

/// Replaces the oSIP-allocated string *field by a copy of `value`.
void set(char** field, const char* value) {
    osip_free(*field);
    *field = osip_strdup(value);
}

/// An a=rtcp value "port [IN IP4 address]" (RFC 3605) with the port mapped and the address
/// made public when it is the local one.
void rewrite_rtcp(const inputs& in, sdp_attribute_t* a) {
    if (!a->a_att_value) return;
    char addr[64] = "";
    char nettype[8] = "", addrtype[8] = "";
    unsigned port = 0;
    const int n = std::sscanf(a->a_att_value, "%u %7s %7s %63s", &port, nettype, addrtype, addr);
    if (n < 1) return;
    char value[128];
    if (n == 4)
        std::snprintf(value, sizeof value, "%u %s %s %s", in.map_port(port), nettype, addrtype,
                      in.local_ip == addr ? in.public_ip.c_str() : addr);
    else
        std::snprintf(value, sizeof value, "%u", in.map_port(port));
    set(&a->a_att_value, value);
}

void rewrite_connection(const inputs& in, sdp_connection_t* c) {
    if (c && c->c_addr && in.local_ip == c->c_addr) set(&c->c_addr, in.public_ip.c_str());
}

/// The whole rewrite; the output goes to `out` when given.
bool rewrite(const inputs& in, const std::string& message, std::string* out) {
    osip_message_t* sip = nullptr;
    if (osip_message_init(&sip) != 0) return false;
    if (osip_message_parse(sip, message.data(), message.size()) != 0) {
        osip_message_free(sip);
        return false;
    }
    char port_text[8];
    std::snprintf(port_text, sizeof port_text, "%u", in.public_sip_port);
    if (MSG_IS_REQUEST(sip)) {
        auto* via = static_cast<osip_via_t*>(osip_list_get(&sip->vias, 0));
        if (via && via->host && in.local_ip == via->host) {
            set(&via->host, in.public_ip.c_str());
            set(&via->port, port_text);
        }
        osip_generic_param_t* rport = nullptr;
        if (via && osip_via_param_get_byname(via, const_cast<char*>("rport"), &rport) != 0)
            osip_generic_param_add(&via->via_params, osip_strdup("rport"), nullptr);
    }
    for (int i = 0; i < osip_list_size(&sip->contacts); ++i) {
        auto* c = static_cast<osip_contact_t*>(osip_list_get(&sip->contacts, i));
        if (c && c->url && c->url->host && in.local_ip == c->url->host) {
            set(&c->url->host, in.public_ip.c_str());
            set(&c->url->port, port_text);
        }
    }

    osip_body_t* body = nullptr;
    if (osip_message_get_body(sip, 0, &body) >= 0 && body && body->body) {
        sdp_message_t* sdp = nullptr;
        if (sdp_message_init(&sdp) != 0 || sdp_message_parse(sdp, body->body) != 0) {
            sdp_message_free(sdp);
            osip_message_free(sip);
            return false;
        }
        if (sdp->o_addr && in.local_ip == sdp->o_addr) set(&sdp->o_addr, in.public_ip.c_str());
        rewrite_connection(in, sdp->c_connection);
        for (int m = 0; m < osip_list_size(&sdp->m_medias); ++m) {
            auto* media = static_cast<sdp_media_t*>(osip_list_get(&sdp->m_medias, m));
            if (media->m_port && std::strcmp(media->m_port, "0") != 0) {
                std::snprintf(port_text, sizeof port_text, "%u",
                              in.map_port(static_cast<unsigned>(std::strtoul(media->m_port, nullptr, 10))));
                set(&media->m_port, port_text);
            }
            for (int c = 0; c < osip_list_size(&media->c_connections); ++c)
                rewrite_connection(in, static_cast<sdp_connection_t*>(osip_list_get(&media->c_connections, c)));
            for (int a = 0; a < osip_list_size(&media->a_attributes); ++a) {
                auto* attr = static_cast<sdp_attribute_t*>(osip_list_get(&media->a_attributes, a));
                if (attr->a_att_field && std::strcmp(attr->a_att_field, "rtcp") == 0) rewrite_rtcp(in, attr);
            }
        }
        char* text = nullptr;
        const int rc = sdp_message_to_str(sdp, &text);
        sdp_message_free(sdp);
        if (rc != 0 || !text) {
            osip_message_free(sip);
            return false;
        }
        osip_list_special_free(&sip->bodies, reinterpret_cast<void (*)(void*)>(&osip_body_free));
        osip_message_set_body(sip, text, std::strlen(text));
        osip_free(text);
    }
    osip_message_force_update(sip);
    char* dest = nullptr;
    size_t length = 0;
    const int rc = osip_message_to_str(sip, &dest, &length);
    if (rc == 0 && out) out->assign(dest, length);
    osip_free(dest);
    osip_message_free(sip);
    return rc == 0;
}

void bench_osip(benchmark::State& state, const inputs& in, const std::string& message) {
    std::string first;
    if (!rewrite(in, message, &first)) {
        state.SkipWithError("oSIP: the rewrite failed");
        return;
    }
    const std::string why = check_output(in, message, first);
    if (!why.empty()) {
        state.SkipWithError(("oSIP: " + why).c_str());
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

void register_osip(const inputs& in) {
    parser_init();
    benchmark::RegisterBenchmark(benchmark_name(row_invite, lib_osip).c_str(), [&in](benchmark::State& s) {
        bench_osip(s, in, in.invite);
    })->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(benchmark_name(row_answer, lib_osip).c_str(), [&in](benchmark::State& s) {
        bench_osip(s, in, in.answer);
    })->Unit(benchmark::kNanosecond);
}

}  // namespace rewrite_bench
