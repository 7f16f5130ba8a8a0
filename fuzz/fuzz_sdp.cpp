// natkit-fuzz-sdp: libFuzzer target for the SDP rewriter (natkit/sdp/rewriter.hpp).
//
// The first input byte picks the rules (public addresses, port map, ICE policy, version bump,
// local networks); the rest is the SDP. Beyond "no crash, no sanitizer report" it checks what a
// user relies on, and abort()s when one breaks:
//
//  - a growable container and a fixed buffer give the same verdict, error, line and bytes;
//  - a buffer of exactly the output's size suffices, one byte less fails with
//    buffer_too_small and the size needed (heap buffers of exact size, so ASan sees overflows);
//  - an error names a line of the input (1 .. lines + 1);
//  - with no public address nothing is rewritten: a success is the input, byte for byte;
//  - changes() == 0 exactly when the output is the input;
//  - the output rewritten again (keep/strip, no bump) is unchanged: public addresses are not
//    local and no public port is a mapped local one.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "natkit/core/cidr.hpp"
#include "natkit/sdp/rewriter.hpp"

#define FUZZ_CHECK(cond)                                                                            \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "natkit-fuzz-sdp: check failed: %s (line %d)\n", #cond, __LINE__); \
            std::abort();                                                                           \
        }                                                                                           \
    } while (0)

using namespace natkit;

namespace {

sdp::rewrite_rules make_rules(std::uint8_t selector) {
    sdp::rewrite_rules r;
    if (selector & 1u) (void)r.set_public_address(ip_address::v4(203, 0, 113, 5));
    if (selector & 2u) (void)r.set_public_address(*ip_address::parse("2001:db8:5::5"));
    // Public ports 30000-31999 are never local ones, so a second pass finds nothing to map.
    (void)r.ports.add(*sdp::port_mapping::range(55000, 55999, 30000));
    (void)r.ports.add(sdp::port_mapping::single(49170, 31170));
    (void)r.ports.add(sdp::port_mapping::single(49171, 31999));
    (void)r.ports.add(*sdp::port_mapping::range(1, 1000, 31000));
    switch ((selector >> 2) & 3u) {
        case 1:
            r.ice = sdp::ice_policy::strip;
            break;
        case 2:
            r.ice = sdp::ice_policy::add_srflx;
            break;
        default:
            r.ice = sdp::ice_policy::keep;
            break;
    }
    r.bump_version = (selector & 16u) != 0;
    if (selector & 32u) (void)r.local.add(*cidr::parse("198.51.100.0/24"));
    if (selector & 64u) r.local.set_defaults(false);
    return r;
}

std::size_t count_lines(std::string_view s) {
    std::size_t n = 1;
    for (const char c : s) n += c == '\n';
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const sdp::rewrite_rules rules = make_rules(data[0]);
    const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

    std::string grown;
    const sdp::rewrite_result r = sdp::rewrite(in, rules, grown);

    std::vector<std::uint8_t> roomy(in.size() * 3 + 1024);
    const sdp::rewrite_result f = sdp::rewrite(in, rules, mutable_bytes(roomy.data(), roomy.size()));
    FUZZ_CHECK(r.ok() == f.ok());
    FUZZ_CHECK(r.error() == f.error());
    FUZZ_CHECK(r.line() == f.line());

    if (!r) {
        FUZZ_CHECK(r.error().category() == sdp::error_category());
        FUZZ_CHECK(r.error() != sdp::errc::buffer_too_small);
        FUZZ_CHECK(r.line() >= 1 && r.line() <= count_lines(in));
        FUZZ_CHECK(r.output().empty());
        return 0;
    }
    FUZZ_CHECK(grown.size() == r.size());
    FUZZ_CHECK(f.text() == grown);
    FUZZ_CHECK((r.changes() == 0) == (grown == in));
    if (!rules.public_address(address_family::ipv4) && !rules.public_address(address_family::ipv6) &&
        !rules.bump_version && rules.ice != sdp::ice_policy::strip)
        FUZZ_CHECK(grown == in);

    // Exact capacity works; one byte less fails and says how much was needed.
    std::vector<std::uint8_t> exact(grown.size());
    const auto e = sdp::rewrite(in, rules, mutable_bytes(exact.data(), exact.size()));
    FUZZ_CHECK(e && e.text() == grown);
    if (!grown.empty()) {
        std::vector<std::uint8_t> tight(grown.size() - 1);
        const auto t = sdp::rewrite(in, rules, mutable_bytes(tight.data(), tight.size()));
        FUZZ_CHECK(!t && t.error() == sdp::errc::buffer_too_small && t.size() == grown.size() && t.line() == 0);
    }

    // A second pass has nothing left to do. (A c= among the attributes, against RFC 8866 order,
    // may be judged differently once the session address it competed with is public.)
    if (rules.ice != sdp::ice_policy::add_srflx && !rules.bump_version) {
        std::string again;
        const auto second = sdp::rewrite(grown, rules, again);
        if (second) {
            FUZZ_CHECK(again == grown);
            FUZZ_CHECK(second.changes() == 0);
        } else {
            FUZZ_CHECK(second.error() == sdp::errc::misplaced_connection_line);
        }
    }
    return 0;
}
