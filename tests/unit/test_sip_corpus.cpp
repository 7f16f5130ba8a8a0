// The corpus of realistic messages in tests/corpus/sip: every NAME.in rewritten with the rules
// of NAME.args (else default.args) must give NAME.out byte for byte, or fail as NAME.err says
// (the line number in it is checked). The same cases run through natkit-sdp-rewrite in
// tests/sip/run_corpus_cli.sh; here they go through the library directly, into a fixed buffer and
// a growable one, and a second rewrite of each output must change nothing.
#include <dirent.h>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "natkit/core/cidr.hpp"
#include "natkit/core/packet_kind.hpp"
#include "natkit/sdp/rewriter.hpp"
#include "natkit/sip/rewriter.hpp"

using namespace natkit;

namespace {

/// tests/corpus/sip, from NATKIT_SOURCE_DIR when the build defines it, else from this file's path.
std::string corpus_dir() {
#ifdef NATKIT_SOURCE_DIR
    return std::string(NATKIT_SOURCE_DIR) + "/tests/corpus/sip";
#else
    std::string here = __FILE__;
    const std::size_t at = here.rfind("tests/unit/");
    return (at == std::string::npos ? std::string(".") : here.substr(0, at)) + "tests/corpus/sip";
#endif
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

/// natkit-sdp-rewrite's options (see examples/sdp_rewrite.cpp), applied to `rules`.
bool apply_args(const std::string& args, sip::rewrite_rules& rules) {
    std::istringstream words(args);
    std::string opt, value;
    while (words >> opt) {
        if (opt == "--bump-version") {
            rules.sdp.bump_version = true;
            continue;
        }
        if (opt == "--no-rport") {
            rules.add_rport = false;
            continue;
        }
        if (!(words >> value)) return false;
        if (opt == "--public" || opt == "--public6") {
            const auto a = ip_address::parse(value);
            if (!a || rules.sdp.set_public_address(*a)) return false;
        } else if (opt == "--map-port" || opt == "--map-range") {
            const auto m = sdp::port_mapping::parse(value);
            if (!m || rules.sdp.ports.add(*m)) return false;
        } else if (opt == "--local-net") {
            const auto c = cidr::parse(value);
            if (!c || rules.sdp.local.add(*c)) return false;
        } else if (opt == "--sip-public") {
            const auto e = endpoint::parse(value, 0);
            if (!e || rules.set_public_endpoint(e->address(), e->port())) return false;
        } else if (opt == "--ice") {
            if (value == "keep")
                rules.sdp.ice = sdp::ice_policy::keep;
            else if (value == "strip")
                rules.sdp.ice = sdp::ice_policy::strip;
            else if (value == "add-srflx")
                rules.sdp.ice = sdp::ice_policy::add_srflx;
            else
                return false;
        } else {
            return false;
        }
    }
    return true;
}

std::vector<std::string> case_names(const std::string& dir) {
    std::vector<std::string> names;
    if (DIR* d = opendir(dir.c_str())) {
        while (const dirent* e = readdir(d)) {
            const std::string name = e->d_name;
            if (name.size() > 3 && name.compare(name.size() - 3, 3, ".in") == 0)
                names.push_back(name.substr(0, name.size() - 3));
        }
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

template <class Output>
sdp::rewrite_result rewrite_any(const std::string& in, const sip::rewrite_rules& rules, Output&& out) {
    if (in.compare(0, 2, "v=") == 0) return sdp::rewrite(in, rules.sdp, out);
    return sip::rewrite(in, rules, out);
}

}  // namespace

TEST_CASE("corpus: realistic messages rewrite to their expected outputs") {
    const std::string dir = corpus_dir();
    const auto names = case_names(dir);
    INFO("corpus directory " << dir);
    REQUIRE(names.size() >= 20);
    std::string default_args;
    REQUIRE(read_file(dir + "/default.args", default_args));

    std::size_t identical = 0, with_errors = 0;
    for (const std::string& name : names) {
        INFO("case " << name);
        std::string in, args, expected, expected_error;
        REQUIRE(read_file(dir + "/" + name + ".in", in));
        if (!read_file(dir + "/" + name + ".args", args)) args = default_args;
        sip::rewrite_rules rules;
        REQUIRE(apply_args(args, rules));
        const bool want_output = read_file(dir + "/" + name + ".out", expected);
        REQUIRE((want_output || read_file(dir + "/" + name + ".err", expected_error)));

        const bool is_sdp = in.compare(0, 2, "v=") == 0;
        if (!is_sdp && !looks_like_sip(in)) {
            // What natkit-sdp-rewrite says for input that is neither.
            CHECK(expected_error.find("line 1: the input is neither") != std::string::npos);
            ++with_errors;
            continue;
        }
        std::string grown;
        const auto r = rewrite_any(in, rules, grown);
        if (!want_output) {
            REQUIRE_FALSE(r);
            const std::string where = "line " + std::to_string(r.line()) + ": " + r.error().message();
            CHECK(expected_error.find(where) != std::string::npos);
            ++with_errors;
            continue;
        }
        INFO(r.error().message() << " at line " << r.line());
        REQUIRE(r);
        CHECK(grown == expected);
        if (in == expected) {
            CHECK(r.changes() == 0);
            ++identical;
        } else {
            CHECK(r.changes() > 0);
        }

        std::vector<std::uint8_t> fixed(expected.size());
        const auto f = rewrite_any(in, rules, mutable_bytes(fixed.data(), fixed.size()));
        REQUIRE(f);
        CHECK(f.text() == expected);

        // The public addresses are not local, and no public port is a mapped local one: a
        // second pass has nothing to do (unless it adds candidates or bumps the version again).
        if (rules.sdp.ice != sdp::ice_policy::add_srflx && !rules.sdp.bump_version) {
            std::string again;
            const auto second = rewrite_any(expected, rules, again);
            REQUIRE(second);
            CHECK(again == expected);
        }
    }
    CHECK(identical >= 1);  // the message with no local address
    CHECK(with_errors >= 2);
}
