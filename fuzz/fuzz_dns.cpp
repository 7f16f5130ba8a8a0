// natkit-fuzz-dns: libFuzzer target for the ENUM code (natkit/enum/): the DNS message parser,
// NAPTR RDATA, the rule evaluation with its POSIX ERE matcher, the lookup state machine, and
// the text parsers (numbers, names, substitution expressions).
//
// Beyond "no crash, no sanitizer report" it checks, and abort()s when one breaks:
//  - parse() either fails with an error offset inside the input, or gives a view whose
//    sections hold exactly the records the header counts, every owner name and every NAPTR
//    record of which reads back (the parser validated them);
//  - a name read from the message survives text form and back (dns_name::format/from_text);
//  - evaluate_rules() and substitution::apply() give the same result twice (no hidden state),
//    and every terminal URI they produce starts with sip: or sips:;
//  - a lookup fed the input as the answer to every question (the id is taken from the
//    input) ends, never sends an empty query, never asks more questions than its bound, and
//    never ends with both URIs and an error.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "natkit/enum/dns_message.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/lookup.hpp"
#include "natkit/enum/naptr.hpp"
#include "natkit/enum/number.hpp"
#include "natkit/enum/rules.hpp"
#include "natkit/enum/substitution.hpp"

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

namespace {

namespace enum_ = natkit::enum_;
using natkit::bytes_view;

/// The number the lookup asks about: 6.5.4.3.2.1.0.3.9.4.e164.arpa.
constexpr std::string_view fuzz_number = "+4930123456";

void check_message(bytes_view data) {
    std::size_t where = 0;
    auto msg = enum_::dns_message::parse(data, &where);
    if (!msg) {
        FUZZ_CHECK(where <= data.size());
        return;
    }
    std::size_t counted = 0;
    for (auto range : {msg->answers(), msg->authorities(), msg->additionals()}) {
        for (const enum_::dns_record& rr : range) {
            ++counted;
            auto owner = rr.owner.decode();
            FUZZ_CHECK(owner);
            FUZZ_CHECK(rr.rdata_offset + rr.rdata.size() <= data.size());
            char text[4 * 255 + 1];
            const std::size_t len = owner->format(text, sizeof text);
            FUZZ_CHECK(len <= sizeof text);
            auto back = enum_::dns_name::from_text(std::string_view(text, len));
            FUZZ_CHECK(back && *back == *owner);
            if (rr.type == enum_::rr_type::naptr) {
                auto n = enum_::naptr_record::parse(rr);
                FUZZ_CHECK(n);
                FUZZ_CHECK(n->replacement.decode());
            }
        }
    }
    FUZZ_CHECK(counted == std::size_t{msg->answer_count()} + msg->authority_count() + msg->additional_count());

    if (msg->question_count() > 0) {
        auto asked = msg->question().name.decode();
        FUZZ_CHECK(asked);
        enum_::rule_options options;
        options.step_budget = 20000;
        const auto a = enum_::evaluate_rules(*msg, *asked, fuzz_number, options);
        const auto b = enum_::evaluate_rules(*msg, *asked, fuzz_number, options);
        FUZZ_CHECK(a.steps.size() == b.steps.size() && a.reason == b.reason);
        FUZZ_CHECK(a.steps.empty() == static_cast<bool>(a.reason));
        for (std::size_t i = 0; i < a.steps.size(); ++i) {
            FUZZ_CHECK(a.steps[i].terminal == b.steps[i].terminal && a.steps[i].uri == b.steps[i].uri);
            if (a.steps[i].terminal) {
                const std::string& uri = a.steps[i].uri;
                FUZZ_CHECK(uri.size() > 4 && (uri[0] == 's' || uri[0] == 'S'));
            } else {
                FUZZ_CHECK(!a.steps[i].next_domain.is_root());
            }
        }
    }
}

std::uint16_t input_id(void* context) { return *static_cast<std::uint16_t*>(context); }

void check_lookup(bytes_view data) {
    if (data.size() < 2) return;
    std::uint16_t id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    enum_::lookup_options options;
    options.suffixes = {"e164.arpa", "e164.org"};
    options.id_generator = &input_id;
    options.id_generator_context = &id;
    options.rules.step_budget = 20000;
    enum_::lookup l(options);
    natkit::time_point now{};
    auto action = l.start(fuzz_number, now);
    // Every question gets the input as its answer, over UDP and then TCP; timers move on.
    for (int round = 0; round < 512 && action != enum_::lookup_action::done; ++round) {
        if (action == enum_::lookup_action::send) FUZZ_CHECK(l.query().size() > 12);
        action = l.on_response(data, now);
        if (action == enum_::lookup_action::wait) {
            now = l.deadline();
            action = l.on_timer(now);
        }
    }
    FUZZ_CHECK(action == enum_::lookup_action::done);
    const auto& r = l.result();
    FUZZ_CHECK(r.uris.empty() == static_cast<bool>(r.error));
    std::size_t asked = 0;
    for (const auto& q : r.queries) asked += q.transmissions > 0 ? 1 : 0;
    FUZZ_CHECK(asked <= options.max_queries);
}

void check_text(std::string_view text) {
    if (auto n = enum_::e164_number::parse(text)) {
        FUZZ_CHECK(n->aus().size() >= 2 && n->aus()[0] == '+');
        auto d = enum_::domain_for(*n, "e164.arpa");
        FUZZ_CHECK(d && d->label_count() == n->digits().size() + 2);
    }
    if (auto name = enum_::dns_name::from_text(text)) {
        auto back = enum_::dns_name::from_text(name->to_string());
        FUZZ_CHECK(back && *back == *name);
    }
    if (auto s = enum_::substitution::parse(text)) {
        std::string a, b;
        const auto ea = s->apply(fuzz_number, a, 20000);
        const auto eb = s->apply(fuzz_number, b, 20000);
        FUZZ_CHECK(ea == eb && a == b);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bytes_view input(data, size);
    check_message(input);
    check_lookup(input);
    check_text(input.as_chars());
    return 0;
}
