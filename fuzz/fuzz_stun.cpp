// natkit-fuzz-stun: libFuzzer target for the STUN codec.
//
// Each input is taken as one datagram and as a TCP byte stream. Beyond "no crash, no
// sanitizer report" it checks properties a user relies on, and abort()s when one breaks:
//
//  - parse() either fails with an error offset inside the input, or gives a view whose
//    attributes tile the message exactly;
//  - every standard trait decodes every attribute of its type without reading out of bounds,
//    and a decoded value re-encodes (message_builder::add<T>) to a message that parses and
//    decodes to the same value;
//  - the attributes copied with add_raw() rebuild the same message (padding aside), into a
//    fixed buffer and into a growable one alike, and a too-small buffer is an error, never an
//    overflow;
//  - the attributes re-sealed with add_integrity(), add_integrity_sha256() and
//    add_fingerprint() verify with the same key;
//  - check_fingerprint()/check_integrity() report "absent" exactly when the attribute is;
//  - unknown_required_attributes() lists what a by-hand scan finds;
//  - stun::stream_framer, fed the input in chunks of input-derived sizes, hands out exactly
//    the input's leading messages, in order, and never gets stuck;
//  - natkit::classify() calls every parseable datagram starting with 0-3 STUN (RFC 7983).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "natkit.hpp"

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

namespace {

namespace stun = natkit::stun;
namespace attr = natkit::stun::attr;
using natkit::bytes_view;

// --- value equality, per trait value type ---------------------------------------------------

bool same(const natkit::endpoint& a, const natkit::endpoint& b) { return a == b; }
bool same(std::string_view a, std::string_view b) { return a == b; }
bool same(bytes_view a, bytes_view b) { return a == b; }
bool same(std::uint16_t a, std::uint16_t b) { return a == b; }
bool same(std::uint32_t a, std::uint32_t b) { return a == b; }
bool same(std::uint64_t a, std::uint64_t b) { return a == b; }
bool same(stun::empty_value, stun::empty_value) { return true; }
bool same(const stun::error_value& a, const stun::error_value& b) { return a.code == b.code && a.reason == b.reason; }
bool same(stun::change_request_value a, stun::change_request_value b) { return a == b; }
bool same(const stun::password_algorithm_value& a, const stun::password_algorithm_value& b) {
    return a.algorithm == b.algorithm && a.parameters == b.parameters;
}
bool same(const stun::u16_list& a, const stun::u16_list& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}
std::vector<std::pair<std::uint16_t, bytes_view>> entries(const stun::password_algorithms_list& l) {
    std::vector<std::pair<std::uint16_t, bytes_view>> v;
    l.for_each([&](const stun::password_algorithm_value& p) { v.emplace_back(p.algorithm, p.parameters); });
    return v;
}
bool same(const stun::password_algorithms_list& a, const stun::password_algorithms_list& b) {
    return entries(a) == entries(b);
}

// --- use a decoded value, so that reading all of it is exercised ----------------------------

volatile std::size_t sink;

void touch(const natkit::endpoint& ep) {
    char text[natkit::endpoint::max_text_size];
    const std::size_t n = ep.format(text, sizeof text);
    FUZZ_CHECK(n > 0 && n <= sizeof text);
    const auto back = natkit::endpoint::parse(std::string_view(text, n));
    FUZZ_CHECK(back && *back == ep);  // formatting and parsing agree
    sink = n;
}
void touch(std::string_view s) { sink = s.size() ? static_cast<unsigned char>(s.back()) : 0u; }
void touch(bytes_view b) { sink = b.size() ? b[b.size() - 1] : 0u; }
void touch(std::uint64_t v) { sink = static_cast<std::size_t>(v); }
void touch(stun::empty_value) {}
void touch(const stun::error_value& e) {
    FUZZ_CHECK(e.code >= 300 && e.code <= 699);
    touch(e.reason);
}
void touch(stun::change_request_value c) { sink = (c.change_ip ? 1u : 0u) + (c.change_port ? 2u : 0u); }
void touch(const stun::password_algorithm_value& p) { touch(p.parameters); }
void touch(const stun::u16_list& l) {
    std::size_t sum = 0;
    for (std::size_t i = 0; i < l.size(); ++i) sum += l[i];
    sink = sum;
}
void touch(const stun::password_algorithms_list& l) {
    sink = l.contains(static_cast<std::uint16_t>(stun::password_algorithm::sha256));
    for (const auto& e : entries(l)) touch(e.second);
}

// Output of every builder; a message never exceeds max_message_size.
std::array<std::uint8_t, stun::max_message_size> scratch;

/// get<Trait>() plus decode, re-encode and decode again of every attribute of its type.
template <class Trait>
void exercise_trait(const stun::message_view& msg) {
    const auto first = msg.get<Trait>();
    if (!msg.has<Trait>()) {
        FUZZ_CHECK(!first && first.error() == stun::errc::attribute_missing);
        return;
    }
    bool seen_first = false;
    for (const stun::attribute& a : msg) {
        if (a.type != Trait::type) continue;
        const auto value = Trait::decode(a.value, msg.context());
        if (!seen_first) {
            // get<>() is the first attribute of the type (RFC 8489 §14: later ones are ignored).
            seen_first = true;
            FUZZ_CHECK(value.has_value() == first.has_value());
            if (value) FUZZ_CHECK(same(*value, *first));
        }
        if (!value) continue;
        touch(*value);

        // Same header as the original, since XOR-ed addresses depend on cookie and id.
        stun::message_builder b(scratch, msg.type(), msg.transaction_id(), msg.cookie());
        FUZZ_CHECK(!b.template add<Trait>(*value));  // a value decode accepts, encode accepts
        const auto built = b.finish();
        FUZZ_CHECK(built);
        const auto again = stun::message_view::parse(*built);
        FUZZ_CHECK(again);
        const auto decoded = again->template get<Trait>();
        FUZZ_CHECK(decoded && same(*value, *decoded));
    }
}

template <class... Traits>
void exercise_traits(const stun::message_view& msg) {
    (exercise_trait<Traits>(msg), ...);
}

void exercise_all_traits(const stun::message_view& msg) {
    exercise_traits<attr::mapped_address, attr::xor_mapped_address, attr::alternate_server, attr::username,
                    attr::userhash, attr::message_integrity, attr::message_integrity_sha256, attr::fingerprint,
                    attr::realm, attr::nonce, attr::software, attr::alternate_domain, attr::error_code,
                    attr::unknown_attributes, attr::password_algorithm, attr::password_algorithms,
                    attr::response_origin, attr::other_address, attr::padding, attr::cache_timeout,
                    attr::change_request, attr::response_port, attr::response_address, attr::source_address,
                    attr::changed_address, attr::reflected_from, attr::priority, attr::ice_controlled,
                    attr::ice_controlling, attr::use_candidate>(msg);
}

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

/// The attributes tile the message: each starts where the previous one's padding ends.
void check_framing(const stun::message_view& msg) {
    const bytes_view m = msg.bytes();
    std::size_t expect = stun::header_size;
    for (const stun::attribute& a : msg) {
        FUZZ_CHECK(a.offset == expect);
        FUZZ_CHECK(a.type == be16(m.data() + a.offset));
        FUZZ_CHECK(a.value.size() == be16(m.data() + a.offset + 2));
        FUZZ_CHECK(a.value.data() == m.data() + a.offset + 4);
        const auto found = msg.find(a.type);
        FUZZ_CHECK(found && found->offset <= a.offset);
        expect += 4 + stun::padded_size(a.value.size());
    }
    FUZZ_CHECK(expect == m.size());
}

/// unknown_required_attributes() against a scan by hand, with and without room for all:
/// each distinct type once, in order; capacity + 1 when more distinct types exist than fit.
void check_unknown(const stun::message_view& msg) {
    std::vector<std::uint16_t> expected;
    for (const stun::attribute& a : msg) {
        if (!stun::is_comprehension_required(a.type) || stun::is_known_attribute(a.type)) continue;
        bool listed = false;
        for (const std::uint16_t t : expected) listed = listed || t == a.type;
        if (!listed) expected.push_back(a.type);
    }
    const auto count_ok = [&](std::size_t got, std::size_t capacity, std::size_t distinct) {
        return distinct <= capacity ? got == distinct : got == capacity + 1;
    };
    std::array<std::uint16_t, 8> out{};
    const std::size_t n = msg.unknown_required_attributes(out.data(), out.size());
    FUZZ_CHECK(count_ok(n, out.size(), expected.size()));
    for (std::size_t i = 0; i < expected.size() && i < out.size(); ++i) FUZZ_CHECK(out[i] == expected[i]);
    FUZZ_CHECK(count_ok(msg.unknown_required_attributes(nullptr, 0), 0, expected.size()));
    if (!expected.empty()) {
        // Declaring the first one known (as a caller with its own trait would) removes it.
        const std::uint16_t known = expected[0];
        std::array<std::uint16_t, 8> rest{};
        const std::size_t m = msg.unknown_required_attributes(rest.data(), rest.size(), &known, 1);
        FUZZ_CHECK(count_ok(m, rest.size(), expected.size() - 1));
        for (std::size_t i = 0; i + 1 < expected.size() && i < rest.size(); ++i) FUZZ_CHECK(rest[i] == expected[i + 1]);
    }
}

const stun::integrity_key& short_term_key() {
    static const auto k = stun::integrity_key::short_term("VOkJxbRl1RmTxUk/WvJxBt");  // RFC 5769
    return k;
}
const stun::integrity_key& long_term_key(stun::password_algorithm alg) {
    static const auto md5 = stun::integrity_key::long_term(
        "\xE3\x83\x9E\xE3\x83\x88\xE3\x83\xAA\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9", "example.org", "TheMatrIX");
    static const auto sha256 =
        stun::integrity_key::long_term("\xE3\x83\x9E\xE3\x83\x88\xE3\x83\xAA\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9",
                                       "example.org", "TheMatrIX", stun::password_algorithm::sha256);
    return alg == stun::password_algorithm::sha256 ? sha256 : md5;
}

void check_integrity_and_fingerprint(const stun::message_view& msg) {
    const std::error_code fp = msg.check_fingerprint();
    FUZZ_CHECK(msg.has_fingerprint() ? (!fp || fp == stun::errc::fingerprint_mismatch) : fp == stun::errc::no_fingerprint);
    for (const stun::integrity_key* key : {&short_term_key(), &long_term_key(stun::password_algorithm::md5),
                                           &long_term_key(stun::password_algorithm::sha256)}) {
        const std::error_code any = msg.check_integrity(*key);
        const std::error_code sha1 = msg.check_integrity_sha1(*key);
        const std::error_code sha256 = msg.check_integrity_sha256(*key);
        FUZZ_CHECK(msg.has_integrity() ? (!sha1 || sha1 == stun::errc::integrity_mismatch) : sha1 == stun::errc::no_integrity);
        FUZZ_CHECK(msg.has_integrity_sha256() ? (!sha256 || sha256 == stun::errc::integrity_mismatch)
                                              : sha256 == stun::errc::no_integrity);
        // RFC 8489 §9.1.3: the SHA-256 one decides when both are there.
        FUZZ_CHECK(any == (msg.has_integrity_sha256() ? sha256 : sha1));
    }
}

/// The positions of padding bytes, which add_raw() does not copy (it writes its own).
bool is_padding(const stun::message_view& msg, std::size_t pos) {
    for (const stun::attribute& a : msg) {
        const std::size_t value_end = a.offset + 4 + a.value.size();
        if (pos >= value_end && pos < a.offset + 4 + stun::padded_size(a.value.size())) return true;
    }
    return false;
}

template <class Builder>
void add_all_raw(Builder& b, const stun::message_view& msg) {
    for (const stun::attribute& a : msg) b.add_raw(a.type, a.value);
}

void check_rebuild(const stun::message_view& msg, std::uint8_t padding_byte, std::size_t short_capacity) {
    // Into a fixed buffer.
    stun::message_builder fixed(scratch, msg.type(), msg.transaction_id(), msg.cookie());
    fixed.set_padding_byte(padding_byte);
    add_all_raw(fixed, msg);
    const auto built = fixed.finish();
    FUZZ_CHECK(built);
    FUZZ_CHECK(built->size() == msg.size());
    const bytes_view orig = msg.bytes();
    for (std::size_t i = 0; i < orig.size(); ++i)
        FUZZ_CHECK((*built)[i] == (is_padding(msg, i) ? padding_byte : orig[i]));
    const auto reparsed = stun::message_view::parse(*built);
    FUZZ_CHECK(reparsed);
    auto x = reparsed->begin();
    for (const stun::attribute& a : msg) {
        FUZZ_CHECK(x != reparsed->end());
        FUZZ_CHECK(x->type == a.type && x->offset == a.offset && x->value == a.value);
        ++x;
    }
    FUZZ_CHECK(x == reparsed->end());
    FUZZ_CHECK(reparsed->has_integrity() == msg.has_integrity());
    FUZZ_CHECK(reparsed->has_integrity_sha256() == msg.has_integrity_sha256());
    FUZZ_CHECK(reparsed->has_fingerprint() == msg.has_fingerprint());
    if (bytes_view(*built) == orig) {
        // Same bytes, same verdicts.
        FUZZ_CHECK(reparsed->check_fingerprint() == msg.check_fingerprint());
        FUZZ_CHECK(reparsed->check_integrity(short_term_key()) == msg.check_integrity(short_term_key()));
    }

    // Into a growable container: the same bytes, and the container holds exactly them.
    std::vector<std::uint8_t> grown;
    stun::message_builder growable(grown, msg.type(), msg.transaction_id(), msg.cookie());
    growable.set_padding_byte(padding_byte);
    add_all_raw(growable, msg);
    FUZZ_CHECK(growable.finish());
    FUZZ_CHECK(bytes_view(grown) == *built);

    // Into a heap buffer one size too small or less: an error, and (ASan watches) no write past it.
    std::vector<std::uint8_t> tight(short_capacity);
    stun::message_builder small(natkit::mutable_bytes(tight.data(), tight.size()), msg.type(), msg.transaction_id(),
                                msg.cookie());
    add_all_raw(small, msg);
    const auto failed = small.finish();
    FUZZ_CHECK(!failed && failed.error() == stun::errc::buffer_too_small);
}

/// The attributes before any integrity/fingerprint, sealed anew: they must verify.
void check_reseal(const stun::message_view& msg, std::size_t sha256_length) {
    stun::message_builder b(scratch, msg.type(), msg.transaction_id(), msg.cookie());
    for (const stun::attribute& a : msg) {
        if (a.type == attr::message_integrity::type || a.type == attr::message_integrity_sha256::type ||
            a.type == attr::fingerprint::type)
            break;
        b.add_raw(a.type, a.value);
    }
    const auto& key = short_term_key();
    b.add_integrity(key);
    b.add_integrity_sha256(key, sha256_length);
    b.add_fingerprint();
    const auto sealed = b.finish();
    if (!sealed) {
        // Only possible when the seals do not fit the 16-bit length field.
        FUZZ_CHECK(sealed.error() == stun::errc::message_too_large);
        FUZZ_CHECK(msg.size() + 24 + 4 + sha256_length + 8 > stun::max_message_size);
        return;
    }
    const auto m = stun::message_view::parse(*sealed);
    FUZZ_CHECK(m);
    FUZZ_CHECK(!m->check_integrity(key));
    FUZZ_CHECK(!m->check_integrity_sha1(key));
    FUZZ_CHECK(!m->check_integrity_sha256(key));
    FUZZ_CHECK(!m->check_fingerprint());
    FUZZ_CHECK(m->check_integrity(long_term_key(stun::password_algorithm::md5)) == stun::errc::integrity_mismatch);
}

/// A small deterministic generator seeded from the input, for chunk sizes.
struct xorshift {
    std::uint32_t state;
    std::uint32_t next() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
};

std::uint32_t seed_of(bytes_view in) {
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (const std::uint8_t b : in) h = (h ^ b) * 16777619u;
    return h ? h : 1u;
}

/// Feeds the input to a stream_framer with storage of `capacity` bytes, in chunks of 1 to
/// `max_chunk` bytes, and checks that what comes out is the input's leading messages.
void check_framer(bytes_view input, std::size_t capacity, std::size_t max_chunk, std::uint32_t seed) {
    static std::array<std::uint8_t, stun::max_message_size + 64> storage;
    stun::stream_framer framer(natkit::mutable_bytes(storage.data(), capacity));
    xorshift rng{seed};
    std::size_t fed = 0;       // bytes the framer took
    std::size_t consumed = 0;  // bytes of the messages it handed out
    for (;;) {
        std::size_t taken = 0;
        if (fed < input.size()) {
            const std::size_t chunk = 1 + rng.next() % max_chunk;
            const bytes_view piece = input.subview(fed, chunk);
            taken = framer.append(piece);
            FUZZ_CHECK(taken <= piece.size());
            fed += taken;
        }
        bool got_message = false;
        bool failed = false;
        for (;;) {
            const auto m = framer.next();
            if (!m) {
                FUZZ_CHECK(m.error() == stun::errc::not_stun || m.error() == stun::errc::bad_length ||
                           m.error() == stun::errc::message_too_large);
                // An invalid header needs no more bytes; a message too large for the storage
                // still reports what it lacks.
                if (m.error() != stun::errc::message_too_large) FUZZ_CHECK(framer.bytes_needed() == 0);
                failed = true;
                break;
            }
            if (m->empty()) {
                FUZZ_CHECK(framer.bytes_needed() > 0);
                break;
            }
            got_message = true;
            FUZZ_CHECK(m->size() >= stun::header_size && m->size() <= capacity);
            FUZZ_CHECK(*m == input.subview(consumed, m->size()));  // in order, unchanged
            const auto size = stun::framed_size(*m);
            FUZZ_CHECK(size && *size == m->size());
            consumed += m->size();
            (void)stun::message_view::parse(*m);
        }
        FUZZ_CHECK(consumed + framer.buffered() == fed);
        if (failed || fed == input.size()) break;
        // Storage full without a message and without an error would be a framer stuck forever.
        FUZZ_CHECK(taken > 0 || got_message);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bytes_view input(data, size);
    const std::uint32_t seed = seed_of(input);

    // The stream view of the same bytes: small storage and tiny chunks, then roomy storage.
    check_framer(input, stun::header_size + seed % 200, 1 + (seed >> 8) % 31, seed);
    check_framer(input, stun::max_message_size, 1 + (seed >> 16) % 1500, seed ^ 0x9E3779B9u);

    const natkit::packet_kind kind = natkit::classify(input);
    sink = static_cast<std::size_t>(kind);

    std::size_t error_offset = static_cast<std::size_t>(-1);
    const auto msg = stun::message_view::parse(input, &error_offset);
    if (!msg) {
        FUZZ_CHECK(error_offset <= size);
        return 0;
    }
    FUZZ_CHECK(msg->size() == size);
    FUZZ_CHECK(msg->bytes().data() == data);
    if (data[0] <= 3) FUZZ_CHECK(kind == natkit::packet_kind::stun);  // RFC 7983 §7
    const auto framed = stun::framed_size(input);
    FUZZ_CHECK(framed && *framed == size);
    FUZZ_CHECK(stun::make_message_type(msg->method(), msg->message_class()) == msg->type());
    FUZZ_CHECK(msg->legacy() == (msg->cookie() != stun::magic_cookie));

    check_framing(*msg);
    exercise_all_traits(*msg);
    check_integrity_and_fingerprint(*msg);
    check_unknown(*msg);
    check_rebuild(*msg, static_cast<std::uint8_t>(seed >> 24), seed % size);
    check_reseal(*msg, 16 + 4 * (seed % 5));
    return 0;
}
