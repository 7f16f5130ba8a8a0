// natkit-fuzz-sip: libFuzzer target for the SIP rewriter, Content-Length fix-up and the
// datagram demultiplexer (natkit/sip/).
//
// The first input byte picks the rules; the rest is one datagram. Properties checked (abort()
// when one breaks), beyond "no crash, no sanitizer report":
//
//  - a growable container and a fixed buffer give the same verdict, error, line and bytes; a
//    buffer of exactly the output's size suffices, one byte less fails with buffer_too_small and
//    the size needed;
//  - an error names a line of the input, in the natkit.sip or natkit.sdp category;
//  - changes() == 0 exactly when the output is the input;
//  - when the input's Content-Length matched its body, the output's matches its own
//    (fix_content_length finds nothing to fix);
//  - the output rewritten again (no srflx, no bump) is unchanged;
//  - fix_content_length: same verdict into both buffer kinds, and its output needs no fixing;
//  - the demultiplexer reports what natkit::classify says, and hands SIP to on_sip.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "natkit/core/cidr.hpp"
#include "natkit/core/packet_kind.hpp"
#include "natkit/sip/content_length.hpp"
#include "natkit/sip/demultiplexer.hpp"
#include "natkit/sip/rewriter.hpp"

#define FUZZ_CHECK(cond)                                                                            \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "natkit-fuzz-sip: check failed: %s (line %d)\n", #cond, __LINE__); \
            std::abort();                                                                           \
        }                                                                                           \
    } while (0)

using namespace natkit;

namespace {

sip::rewrite_rules make_rules(std::uint8_t selector) {
    sip::rewrite_rules r;
    if (selector & 1u) {
        (void)r.set_public_endpoint(ip_address::v4(203, 0, 113, 5), (selector & 128u) ? 0 : 65002);
        (void)r.sdp.set_public_address(ip_address::v4(203, 0, 113, 5));
    }
    if (selector & 2u) {
        (void)r.set_public_endpoint(*ip_address::parse("2001:db8:5::5"), 5060);
        (void)r.sdp.set_public_address(*ip_address::parse("2001:db8:5::5"));
    }
    (void)r.sdp.ports.add(*sdp::port_mapping::range(55000, 55999, 30000));
    (void)r.sdp.ports.add(sdp::port_mapping::single(49170, 31170));
    (void)r.sdp.ports.add(sdp::port_mapping::single(49171, 31999));
    switch ((selector >> 2) & 3u) {
        case 1:
            r.sdp.ice = sdp::ice_policy::strip;
            break;
        case 2:
            r.sdp.ice = sdp::ice_policy::add_srflx;
            break;
        default:
            r.sdp.ice = sdp::ice_policy::keep;
            break;
    }
    r.sdp.bump_version = (selector & 16u) != 0;
    r.add_rport = (selector & 32u) == 0;
    if (selector & 64u) (void)r.sdp.local.add(*cidr::parse("198.51.100.0/24"));
    return r;
}

std::size_t count_lines(std::string_view s) {
    std::size_t n = 1;
    for (const char c : s) n += c == '\n';
    return n;
}

/// True when the message parses and its Content-Length (if any) matches its body.
bool content_length_consistent(std::string_view msg) {
    std::string fixed;
    const auto r = sip::fix_content_length(msg, fixed);
    return r && r.changes() == 0;
}

struct counting_handler {
    std::size_t sip = 0;
    void on_sip(bytes_view) { ++sip; }
    void on_other(packet_kind, bytes_view) {}
};

void check_fix_content_length(std::string_view in) {
    std::string grown;
    const auto r = sip::fix_content_length(in, grown);
    std::vector<std::uint8_t> roomy(in.size() + 64);
    const auto f = sip::fix_content_length(in, mutable_bytes(roomy.data(), roomy.size()));
    FUZZ_CHECK(r.ok() == f.ok() && r.error() == f.error() && r.line() == f.line());
    if (!r) {
        FUZZ_CHECK(r.error().category() == sip::error_category());
        return;
    }
    FUZZ_CHECK(f.text() == grown);
    FUZZ_CHECK((r.changes() == 0) == (grown == in));
    FUZZ_CHECK(content_length_consistent(grown));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const sip::rewrite_rules rules = make_rules(data[0]);
    const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

    sip::demultiplexer<counting_handler> demux{counting_handler{}};
    const auto d = demux.dispatch(bytes_view(in));
    FUZZ_CHECK(d.kind == classify(bytes_view(in)));
    FUZZ_CHECK(demux.handler().sip == (d.kind == packet_kind::sip ? 1u : 0u));

    check_fix_content_length(in);

    std::string grown;
    const sip::rewrite_result r = sip::rewrite(in, rules, grown);
    std::vector<std::uint8_t> roomy(in.size() * 3 + 1024);
    const sip::rewrite_result f = sip::rewrite(in, rules, mutable_bytes(roomy.data(), roomy.size()));
    FUZZ_CHECK(r.ok() == f.ok());
    FUZZ_CHECK(r.error() == f.error());
    FUZZ_CHECK(r.line() == f.line());
    if (!r) {
        FUZZ_CHECK(r.error().category() == sip::error_category() || r.error().category() == sdp::error_category());
        FUZZ_CHECK(r.error() != sip::errc::buffer_too_small && r.error() != sdp::errc::buffer_too_small);
        FUZZ_CHECK(r.line() >= 1 && r.line() <= count_lines(in));
        return 0;
    }
    FUZZ_CHECK(grown.size() == r.size());
    FUZZ_CHECK(f.text() == grown);
    FUZZ_CHECK((r.changes() == 0) == (grown == in));
    if (content_length_consistent(in)) FUZZ_CHECK(content_length_consistent(grown));

    std::vector<std::uint8_t> exact(grown.size());
    const auto e = sip::rewrite(in, rules, mutable_bytes(exact.data(), exact.size()));
    FUZZ_CHECK(e && e.text() == grown);
    std::vector<std::uint8_t> tight(grown.size() - 1);
    const auto t = sip::rewrite(in, rules, mutable_bytes(tight.data(), tight.size()));
    FUZZ_CHECK(!t && t.error() == sip::errc::buffer_too_small && t.size() == grown.size() && t.line() == 0);

    if (rules.sdp.ice != sdp::ice_policy::add_srflx && !rules.sdp.bump_version) {
        std::string again;
        const auto second = sip::rewrite(grown, rules, again);
        if (second) {
            FUZZ_CHECK(again == grown);
            FUZZ_CHECK(second.changes() == 0);
        } else {
            FUZZ_CHECK(second.error() == sdp::errc::misplaced_connection_line);
        }
    }
    return 0;
}
