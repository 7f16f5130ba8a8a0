// natkit-custom-attribute: how to add your own STUN attribute to natkit.
//
// natkit's standard attributes (natkit/stun/attributes.hpp) are "traits": small structs that
// name a type code and say how to decode and encode the value. message_builder::add<Trait>()
// and message_view::get<Trait>() accept any struct of that shape, so an application's own
// attribute works exactly like XOR-MAPPED-ADDRESS does. This program defines a vendor
// attribute that tags a keepalive with the PBX and trunk it belongs to, puts it into a
// Binding request, parses the request back and checks that the value survived.
//
// It exits with 0 when the round trip gives back the same value, 1 otherwise, so it doubles
// as a test (ctest runs it as "example-custom-attribute").
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "natkit.hpp"

namespace {

namespace stun = natkit::stun;

/// The value our attribute carries: which PBX and which of its SIP trunks sent the request.
struct trunk_tag {
    std::uint32_t pbx_id = 0;
    std::uint16_t trunk = 0;
};

bool operator==(const trunk_tag& a, const trunk_tag& b) noexcept { return a.pbx_id == b.pbx_id && a.trunk == b.trunk; }

/// The trait. Its shape is the one documented at the top of natkit/stun/attribute.hpp.
///
/// Wire format of the value (6 bytes, big-endian like all of STUN, RFC 8489 §5):
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                            PBX id                             |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |         trunk number          |   (2 bytes of padding, added by the builder)
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct trunk_tag_attribute {
    /// RFC 8489 §18.3: types 0x8000-0xFFFF are comprehension-optional (0xC000-0xFFFF being
    /// the part assigned by Designated Expert, where vendor attributes go). A STUN server that
    /// does not know such an attribute ignores it; an unknown type below 0x8000 would make it
    /// reject the request with 420 (Unknown Attribute), RFC 8489 §6.3.1.1. So a vendor
    /// extension in this range is safe to send to any STUN server. (Register the number with
    /// IANA, or at least pick one no other product uses.)
    static constexpr std::uint16_t type = 0xC0DE;

    /// What get<>() returns and add<>() takes.
    using value_type = trunk_tag;

    /// Optional: the builder rejects a value whose size() exceeds this (errc::value_too_long).
    static constexpr std::size_t max_size = 6;

    /// Turns the attribute's value bytes (padding already stripped) into a trunk_tag. The bytes
    /// come from the network: check everything, never trust the length. The context gives the
    /// message header, which XOR-ed attributes need; this one does not use it.
    static natkit::result<value_type> decode(natkit::bytes_view v, const stun::attribute_context&) noexcept {
        if (v.size() != 6) return stun::errc::bad_attribute_length;
        trunk_tag t;
        t.pbx_id = (std::uint32_t{v[0]} << 24) | (std::uint32_t{v[1]} << 16) | (std::uint32_t{v[2]} << 8) | v[3];
        t.trunk = static_cast<std::uint16_t>((v[4] << 8) | v[5]);
        return t;
    }

    /// How many value bytes encode() will write (without padding; the builder pads to 4).
    static std::size_t size(const value_type&) noexcept { return 6; }

    /// Writes exactly size(v) bytes to `out`; the builder has made room for them.
    static void encode(const value_type& t, std::uint8_t* out, const stun::attribute_context&) noexcept {
        out[0] = static_cast<std::uint8_t>(t.pbx_id >> 24);
        out[1] = static_cast<std::uint8_t>(t.pbx_id >> 16);
        out[2] = static_cast<std::uint8_t>(t.pbx_id >> 8);
        out[3] = static_cast<std::uint8_t>(t.pbx_id);
        out[4] = static_cast<std::uint8_t>(t.trunk >> 8);
        out[5] = static_cast<std::uint8_t>(t.trunk);
    }
};

void print_hex(natkit::bytes_view b) {
    for (std::size_t i = 0; i < b.size(); ++i) std::printf("%02x%s", static_cast<unsigned>(b[i]), (i % 4 == 3 && i + 1 < b.size()) ? " " : "");
    std::printf("\n");
}

}  // namespace

int main() {
    const trunk_tag sent{0x00C0FFEE, 7};

    // 1. Build a Binding request carrying the vendor attribute next to standard ones. The
    //    builder writes into our fixed buffer and never past it. A fixed transaction id keeps
    //    the output reproducible; real code uses stun::transaction_id::generate(rng).
    std::array<std::uint8_t, 128> buffer{};
    stun::transaction_id tid;
    for (std::size_t i = 0; i < tid.bytes.size(); ++i) tid.bytes[i] = static_cast<std::uint8_t>(0xA0 + i);

    stun::message_builder builder(buffer, stun::method::binding, stun::message_class::request, tid);
    builder.add<stun::attr::software>("natkit custom attribute example");
    builder.add<trunk_tag_attribute>(sent);  // our trait, used exactly like a standard one
    builder.add_fingerprint();
    const natkit::result<natkit::bytes_view> wire = builder.finish();  // errors are sticky: one check
    if (!wire) {
        std::printf("building failed: %s\n", wire.error().message().c_str());
        return 1;
    }
    std::printf("built a %zu-byte Binding request with attribute 0x%04X {pbx_id 0x%08lX, trunk %u}:\n", wire->size(),
                static_cast<unsigned>(trunk_tag_attribute::type), static_cast<unsigned long>(sent.pbx_id),
                static_cast<unsigned>(sent.trunk));
    print_hex(*wire);

    // 2. Parse it as a receiver would, and read the attribute back through the same trait.
    const auto msg = stun::message_view::parse(*wire);
    if (!msg) {
        std::printf("parsing failed: %s\n", msg.error().message().c_str());
        return 1;
    }
    if (msg->check_fingerprint()) {
        std::printf("FINGERPRINT does not match\n");
        return 1;
    }
    const natkit::result<trunk_tag> received = msg->get<trunk_tag_attribute>();
    if (!received) {
        std::printf("reading 0x%04X failed: %s\n", static_cast<unsigned>(trunk_tag_attribute::type),
                    received.error().message().c_str());
        return 1;
    }
    std::printf("read back {pbx_id 0x%08lX, trunk %u}\n", static_cast<unsigned long>(received->pbx_id),
                static_cast<unsigned>(received->trunk));

    // 3. natkit names only the attributes it knows; ours is "unknown" to it but, being in the
    //    comprehension-optional range, is never one a server must reject the request for.
    std::uint16_t unknown[4];
    const std::size_t n_unknown = msg->unknown_required_attributes(unknown, 4);
    const std::string name(stun::attribute_name(trunk_tag_attribute::type));
    std::printf("attribute_name(0x%04X) = \"%s\", comprehension-required: %s, unknown required attributes: %zu\n",
                static_cast<unsigned>(trunk_tag_attribute::type), name.c_str(),
                stun::is_comprehension_required(trunk_tag_attribute::type) ? "yes" : "no", n_unknown);

    // 4. A malformed value from the network is an error value, not undefined behaviour.
    const std::uint8_t short_value[5] = {0, 0xC0, 0xFF, 0xEE, 0};
    const auto bad = trunk_tag_attribute::decode(natkit::bytes_view(short_value, sizeof short_value), msg->context());
    std::printf("decoding a 5-byte value: %s\n", bad ? "accepted (wrong!)" : bad.error().message().c_str());

    const bool ok = *received == sent && n_unknown == 0 && !bad;
    std::printf("%s\n", ok ? "round trip ok" : "round trip FAILED");
    return ok ? 0 : 1;
}
