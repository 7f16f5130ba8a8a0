// natkit-stun-decode: prints a STUN message, given as hex, in readable form, and checks its
// MESSAGE-INTEGRITY and FINGERPRINT.
//
//     natkit-stun-decode 000100582112a442...
//     echo "0x0001 0058 2112a442 ..." | natkit-stun-decode --password VOkJxbRl1RmTxUk/WvJxBt
//     natkit-stun-decode --username U --realm example.org --password P < request.hex
//
// Everything it shows comes from the public natkit API: stun::message_view::parse() (with the
// error offset), attribute iteration, the attribute traits' decode(), stun::attribute_name(),
// check_integrity_sha1/sha256() with a stun::integrity_key, check_fingerprint() and
// unknown_required_attributes().
//
// Exit status: 0 when the message is well-formed and every check that ran passed; 1 for bad
// hex, a malformed message or attribute value, or a FAILED integrity/fingerprint check;
// 2 for a bad command line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "natkit.hpp"

namespace {

namespace stun = natkit::stun;
namespace attr = natkit::stun::attr;
using natkit::bytes_view;

constexpr int exit_ok = 0;
constexpr int exit_bad_input = 1;
constexpr int exit_usage = 2;

constexpr const char* usage_text =
    "usage: natkit-stun-decode [options] [HEX...]\n"
    "\n"
    "Prints a STUN message (RFC 8489, RFC 5389, classic RFC 3489) given as hex: header,\n"
    "then every attribute with its offset, type, name and decoded value.\n"
    "\n"
    "HEX is read from the arguments (they are joined, so it may be split over several) or,\n"
    "when there are none, from standard input. Whitespace and 0x prefixes are ignored.\n"
    "\n"
    "options:\n"
    "  --password P    check MESSAGE-INTEGRITY(-SHA256): with the short-term credential P\n"
    "                  (RFC 8489 §9.1), or the long-term one with --username/--realm\n"
    "  --username U    long-term credential (RFC 8489 §9.2), key = MD5(U:R:P); defaults to\n"
    "                  the message's USERNAME\n"
    "  --realm R       long-term credential realm; defaults to the message's REALM\n"
    "  --sha256        long-term key = SHA-256(U:R:P) (PASSWORD-ALGORITHM 0x0002); chosen\n"
    "                  by itself when the message carries PASSWORD-ALGORITHM SHA-256\n"
    "  -h, --help      print this help\n"
    "\n"
    "exit status: 0 ok; 1 bad hex, malformed message or attribute, integrity or fingerprint\n"
    "FAILED; 2 bad command line\n";

// ---------------------------------------------------------------------------------------
// Command line and input

struct options {
    std::string hex;  // the joined non-option arguments
    bool hex_given = false;
    std::optional<std::string> username;
    std::optional<std::string> realm;
    std::optional<std::string> password;
    bool sha256 = false;
    bool help = false;
};

/// Parses argv; on a usage error writes the message to `error` and returns nullopt.
std::optional<options> parse_command_line(int argc, char** argv, std::string& error) {
    options o;
    bool only_operands = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (only_operands || arg.empty() || arg[0] != '-' || arg == "-") {
            if (arg == "-") continue;  // "-" names standard input, which is the default anyway
            if (o.hex_given) o.hex += ' ';
            o.hex += arg;
            o.hex_given = true;
            continue;
        }
        if (arg == "--") {
            only_operands = true;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            o.help = true;
            continue;
        }
        if (arg == "--sha256") {
            o.sha256 = true;
            continue;
        }
        // Options with a value: "--name value" or "--name=value".
        std::string_view name = arg;
        std::optional<std::string> value;
        if (const auto eq = arg.find('='); eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = std::string(arg.substr(eq + 1));
        }
        std::optional<std::string>* target = nullptr;
        if (name == "--password") target = &o.password;
        else if (name == "--username") target = &o.username;
        else if (name == "--realm") target = &o.realm;
        if (!target) {
            error = "unknown option '" + std::string(arg) + "'";
            return std::nullopt;
        }
        if (!value) {
            if (i + 1 >= argc) {
                error = "option '" + std::string(name) + "' needs a value";
                return std::nullopt;
            }
            value = std::string(argv[++i]);
        }
        *target = std::move(value);
    }
    return o;
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/// A byte as it can be shown in an error message: the character, or \xHH.
std::string show_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) return std::string(1, c);
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", u);
    return buf;
}

/// Hex text to bytes. Whitespace separates tokens; each token may start with 0x or 0X.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, std::string& error) {
    std::string digits;
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_space(text[i])) {
            ++i;
            continue;
        }
        // Start of a token: skip its optional 0x prefix.
        if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) i += 2;
        for (; i < text.size() && !is_space(text[i]); ++i) {
            if (hex_digit(text[i]) < 0) {
                error = "invalid hex character '" + show_char(text[i]) + "' at input position " + std::to_string(i + 1);
                return std::nullopt;
            }
            digits += text[i];
        }
    }
    if (digits.empty()) {
        error = "no hex input";
        return std::nullopt;
    }
    if (digits.size() % 2 != 0) {
        error = "odd number of hex digits (" + std::to_string(digits.size()) + "): a byte needs two";
        return std::nullopt;
    }
    std::vector<std::uint8_t> bytes(digits.size() / 2);
    for (std::size_t k = 0; k < bytes.size(); ++k)
        bytes[k] = static_cast<std::uint8_t>(hex_digit(digits[2 * k]) * 16 + hex_digit(digits[2 * k + 1]));
    return bytes;
}

// ---------------------------------------------------------------------------------------
// Formatting helpers

std::uint32_t be32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::string hex(bytes_view b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(2 * b.size());
    for (const std::uint8_t x : b) {
        s += digits[x >> 4];
        s += digits[x & 0xF];
    }
    return s;
}

std::string hex16(std::uint16_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
    return buf;
}
std::string hex32(std::uint32_t v) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "0x%08lx", static_cast<unsigned long>(v));
    return buf;
}
std::string hex64(std::uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
    return buf;
}

/// Length of the well-formed UTF-8 sequence (2-4 bytes) at p, 0 when there is none. C1
/// controls (U+0080-U+009F) count as not printable, so they are escaped too.
std::size_t utf8_sequence(const std::uint8_t* p, std::size_t n) noexcept {
    const auto cont = [&](std::size_t k) { return k < n && (p[k] & 0xC0u) == 0x80u; };
    const std::uint8_t b = p[0];
    if (b >= 0xC2 && b <= 0xDF) return cont(1) && !(b == 0xC2 && p[1] < 0xA0) ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (b == 0xE0 && p[1] < 0xA0) return 0;  // overlong
        if (b == 0xED && p[1] > 0x9F) return 0;  // UTF-16 surrogates
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (b == 0xF0 && p[1] < 0x90) return 0;  // overlong
        if (b == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

/// The text in double quotes: printable ASCII and well-formed UTF-8 as they are, everything
/// else (controls, stray bytes, quote, backslash) escaped C-style.
std::string quoted(bytes_view text) {
    std::string s = "\"";
    for (std::size_t i = 0; i < text.size();) {
        const std::uint8_t c = text[i];
        if (c == '"' || c == '\\') {
            s += '\\';
            s += static_cast<char>(c);
            ++i;
        } else if (c == '\n') {
            s += "\\n";
            ++i;
        } else if (c == '\r') {
            s += "\\r";
            ++i;
        } else if (c == '\t') {
            s += "\\t";
            ++i;
        } else if (c >= 0x20 && c < 0x7F) {
            s += static_cast<char>(c);
            ++i;
        } else if (const std::size_t n = utf8_sequence(text.data() + i, text.size() - i)) {
            s.append(reinterpret_cast<const char*>(text.data() + i), n);
            i += n;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            s += buf;
            ++i;
        }
    }
    return s + "\"";
}

std::string_view class_name(stun::message_class c) noexcept {
    switch (c) {
    case stun::message_class::request: return "request";
    case stun::message_class::indication: return "indication";
    case stun::message_class::success_response: return "success response";
    case stun::message_class::error_response: return "error response";
    }
    return "?";
}

/// Method names from the IANA "STUN Methods" registry.
std::string_view method_name(unsigned m) noexcept {
    switch (m) {
    case 0x001: return "Binding";            // RFC 8489
    case 0x002: return "SharedSecret";       // RFC 3489 (reserved since RFC 5389)
    case 0x003: return "Allocate";           // RFC 8656 (TURN)
    case 0x004: return "Refresh";            // RFC 8656
    case 0x006: return "Send";               // RFC 8656
    case 0x007: return "Data";               // RFC 8656
    case 0x008: return "CreatePermission";   // RFC 8656
    case 0x009: return "ChannelBind";        // RFC 8656
    case 0x00A: return "Connect";            // RFC 6062 (TURN over TCP)
    case 0x00B: return "ConnectionBind";     // RFC 6062
    case 0x00C: return "ConnectionAttempt";  // RFC 6062
    default: return "unknown method";
    }
}

/// RFC 8489 §18.5 password algorithm names.
std::string algorithm_name(std::uint16_t a) {
    switch (a) {
    case static_cast<std::uint16_t>(stun::password_algorithm::md5): return "MD5 (" + hex16(a) + ")";
    case static_cast<std::uint16_t>(stun::password_algorithm::sha256): return "SHA-256 (" + hex16(a) + ")";
    default: return "unknown algorithm " + hex16(a);
    }
}

std::string attribute_label(std::uint16_t type) {
    const std::string_view name = stun::attribute_name(type);
    if (!name.empty()) return std::string(name);
    return stun::is_comprehension_required(type) ? "(unknown, required)" : "(unknown, optional)";
}

// ---------------------------------------------------------------------------------------
// Attribute values

/// One attribute's value as text, or the reason it does not decode.
struct decoded {
    std::string text;
    std::error_code error;  // set when the value breaks its attribute's definition
};

/// Runs Trait::decode on this attribute (not get<Trait>(), which would always find the first
/// attribute of the type, so duplicates would show the first one's value).
template <class Trait, class Format>
decoded decode_as(const stun::attribute& a, const stun::message_view& msg, Format&& format) {
    const auto value = Trait::decode(a.value, msg.context());
    if (!value) return {"", value.error()};
    return {format(*value), {}};
}

template <class Trait>
decoded address(const stun::attribute& a, const stun::message_view& msg, bool xored) {
    return decode_as<Trait>(a, msg, [&](const natkit::endpoint& ep) {
        return ep.to_string() + (xored ? " (XOR-decoded)" : "");
    });
}

template <class Trait>
decoded text(const stun::attribute& a, const stun::message_view& msg) {
    decoded d = decode_as<Trait>(a, msg, [](std::string_view s) { return quoted(bytes_view(s.data(), s.size())); });
    if (d.error) d.text = quoted(a.value);  // too long for its attribute, but still readable
    return d;
}

decoded raw_hex(const stun::attribute& a) {
    if (a.value.empty()) return {"(empty)", {}};
    return {hex(a.value), {}};
}

decoded describe(const stun::attribute& a, const stun::message_view& msg) {
    switch (a.type) {
    case attr::mapped_address::type: return address<attr::mapped_address>(a, msg, false);
    case attr::xor_mapped_address::type: return address<attr::xor_mapped_address>(a, msg, true);
    case attr::alternate_server::type: return address<attr::alternate_server>(a, msg, false);
    case attr::response_origin::type: return address<attr::response_origin>(a, msg, false);
    case attr::other_address::type: return address<attr::other_address>(a, msg, false);
    case attr::response_address::type: return address<attr::response_address>(a, msg, false);
    case attr::source_address::type: return address<attr::source_address>(a, msg, false);
    case attr::changed_address::type: return address<attr::changed_address>(a, msg, false);
    case attr::reflected_from::type: return address<attr::reflected_from>(a, msg, false);

    case attr::username::type: return text<attr::username>(a, msg);
    case attr::realm::type: return text<attr::realm>(a, msg);
    case attr::nonce::type: return text<attr::nonce>(a, msg);
    case attr::software::type: return text<attr::software>(a, msg);
    case attr::alternate_domain::type: return text<attr::alternate_domain>(a, msg);
    case 0x0007: return {quoted(a.value), {}};  // RFC 3489 PASSWORD: no trait, plain text

    case attr::priority::type:
        return decode_as<attr::priority>(a, msg, [](std::uint32_t v) { return hex32(v) + " (" + std::to_string(v) + ")"; });
    case attr::cache_timeout::type:
        return decode_as<attr::cache_timeout>(a, msg, [](std::uint32_t v) { return std::to_string(v) + " s (" + hex32(v) + ")"; });
    case attr::ice_controlled::type:
        return decode_as<attr::ice_controlled>(a, msg, [](std::uint64_t v) { return "tie-breaker " + hex64(v); });
    case attr::ice_controlling::type:
        return decode_as<attr::ice_controlling>(a, msg, [](std::uint64_t v) { return "tie-breaker " + hex64(v); });
    case attr::fingerprint::type:
        return decode_as<attr::fingerprint>(a, msg, [](std::uint32_t v) { return hex32(v); });
    case attr::response_port::type:
        return decode_as<attr::response_port>(a, msg, [](std::uint16_t v) { return "port " + std::to_string(v); });
    case attr::use_candidate::type:
        return decode_as<attr::use_candidate>(a, msg, [](stun::empty_value) { return std::string("(no value)"); });

    case attr::error_code::type:
        return decode_as<attr::error_code>(a, msg, [](const stun::error_value& e) {
            return std::to_string(e.code) + " " + quoted(bytes_view(e.reason.data(), e.reason.size()));
        });
    case attr::change_request::type:
        return decode_as<attr::change_request>(a, msg, [&](const stun::change_request_value& c) {
            return std::string("change IP: ") + (c.change_ip ? "yes" : "no") + ", change port: " +
                   (c.change_port ? "yes" : "no") + " (" + hex32(be32(a.value.data())) + ")";
        });
    case attr::unknown_attributes::type:
        return decode_as<attr::unknown_attributes>(a, msg, [](const stun::u16_list& l) {
            if (l.size() == 0) return std::string("(empty list)");
            std::string s;
            for (std::size_t i = 0; i < l.size(); ++i) {
                if (i) s += ", ";
                const std::string_view name = stun::attribute_name(l[i]);
                s += hex16(l[i]) + " " + (name.empty() ? std::string("(unknown)") : std::string(name));
            }
            return s;
        });
    case attr::password_algorithm::type:
        return decode_as<attr::password_algorithm>(a, msg, [](const stun::password_algorithm_value& p) {
            std::string s = algorithm_name(p.algorithm);
            if (!p.parameters.empty()) s += ", parameters " + hex(p.parameters);
            return s;
        });
    case attr::password_algorithms::type:
        return decode_as<attr::password_algorithms>(a, msg, [](const stun::password_algorithms_list& l) {
            std::string s;
            l.for_each([&](const stun::password_algorithm_value& p) {
                if (!s.empty()) s += ", ";
                s += algorithm_name(p.algorithm);
                if (!p.parameters.empty()) s += " parameters " + hex(p.parameters);
            });
            return s.empty() ? std::string("(empty list)") : s;
        });
    case attr::padding::type:
        return decode_as<attr::padding>(a, msg, [](bytes_view p) {
            return std::to_string(p.size()) + " bytes (content ignored, RFC 5780 §7.6)";
        });

    case attr::message_integrity::type:
    case attr::message_integrity_sha256::type:
    case attr::userhash::type:
    default: return raw_hex(a);
    }
}

// ---------------------------------------------------------------------------------------
// Credentials

struct credential {
    stun::integrity_key key;
    std::string description;
};

/// The key to check integrity with, from the options and the message; nullopt (with `error`
/// set when that is a usage error) when there is none.
std::optional<credential> make_credential(const options& o, const stun::message_view& msg, std::string& error) {
    const bool long_term = o.username || o.realm || o.sha256;
    if (!o.password) return std::nullopt;
    if (!long_term) return credential{stun::integrity_key::short_term(*o.password), "short-term credential"};

    // RFC 8489 §9.2: the long-term key hashes username, realm and password. Take a missing
    // username or realm from the message's own USERNAME and REALM.
    std::string note;
    std::string username;
    std::string realm;
    if (o.username) {
        username = *o.username;
    } else if (auto u = msg.get<attr::username>()) {
        username = std::string(*u);
        note += ", username from USERNAME";
    } else {
        error = "long-term credentials need --username (the message has no USERNAME)";
        return std::nullopt;
    }
    if (o.realm) {
        realm = *o.realm;
    } else if (auto r = msg.get<attr::realm>()) {
        realm = std::string(*r);
        note += ", realm from REALM";
    } else {
        error = "long-term credentials need --realm (the message has no REALM)";
        return std::nullopt;
    }

    // RFC 8489 §9.2.2, §14.11: PASSWORD-ALGORITHM says which hash made the key.
    auto algorithm = stun::password_algorithm::md5;
    if (o.sha256) {
        algorithm = stun::password_algorithm::sha256;
    } else if (auto pa = msg.get<attr::password_algorithm>()) {
        if (pa->algorithm == static_cast<std::uint16_t>(stun::password_algorithm::sha256)) {
            algorithm = stun::password_algorithm::sha256;
            note += ", SHA-256 from PASSWORD-ALGORITHM";
        } else if (pa->algorithm != static_cast<std::uint16_t>(stun::password_algorithm::md5)) {
            note += ", PASSWORD-ALGORITHM " + hex16(pa->algorithm) + " unknown: using MD5";
        }
    }
    const bool sha256 = algorithm == stun::password_algorithm::sha256;
    return credential{stun::integrity_key::long_term(username, realm, *o.password, algorithm),
                      std::string("long-term credential, ") + (sha256 ? "SHA-256" : "MD5") + " key" + note};
}

// ---------------------------------------------------------------------------------------

constexpr std::size_t bytes_per_hex_line = 32;
constexpr int name_width = 24;

void print_attribute(const stun::attribute& a, const decoded& d) {
    char head[96];
    std::snprintf(head, sizeof head, "  %6zu  %s  %-*s %5zu  ", a.offset, hex16(a.type).c_str(), name_width,
                  attribute_label(a.type).c_str(), a.value.size());
    const std::string indent(std::string_view(head).size(), ' ');
    std::string value = d.text;
    if (d.error) {
        // Show what is there, then why it is wrong.
        if (value.empty()) value = a.value.empty() ? "(empty)" : hex(a.value);
        value += "  !! malformed: " + d.error.message();
    }
    if (stun::is_comprehension_required(a.type) && !stun::is_known_attribute(a.type))
        value += "  !! comprehension-required and unknown: a receiver must reject the message (RFC 8489 §14)";
    // Long hex values wrap, aligned under the value column.
    const bool plain_hex = !d.error && value == hex(a.value);
    if (plain_hex && value.size() > 2 * bytes_per_hex_line) {
        std::cout << head;
        for (std::size_t pos = 0; pos < value.size(); pos += 2 * bytes_per_hex_line) {
            if (pos) std::cout << indent;
            std::cout << value.substr(pos, 2 * bytes_per_hex_line) << '\n';
        }
        return;
    }
    std::cout << head << value << '\n';
}

int decode(const options& o, const std::vector<std::uint8_t>& bytes) {
    std::size_t error_offset = 0;
    const auto parsed = stun::message_view::parse(bytes, &error_offset);
    if (!parsed) {
        std::cerr << "error: " << parsed.error().message() << " at byte offset " << error_offset << '\n';
        if (parsed.error() == stun::errc::not_stun) {
            // RFC 7983: the first byte tells what else it might be.
            const natkit::packet_kind kind = natkit::classify(bytes);
            if (kind != natkit::packet_kind::unknown)
                std::cerr << "note: the first byte suggests " << natkit::to_string(kind) << " (RFC 7983)\n";
        }
        return exit_bad_input;
    }
    const stun::message_view& msg = *parsed;

    // The key is made before printing, so that a usage error prints nothing else; a message
    // without integrity needs none.
    std::string credential_error;
    std::optional<credential> cred;
    if (msg.has_integrity() || msg.has_integrity_sha256()) cred = make_credential(o, msg, credential_error);
    if (!credential_error.empty()) {
        std::cerr << "natkit-stun-decode: " << credential_error << '\n';
        return exit_usage;
    }

    const auto method = static_cast<unsigned>(msg.method());
    char line[160];
    std::cout << "STUN message, " << msg.size() << " bytes\n";
    std::snprintf(line, sizeof line, "%s (%s %s)", hex16(msg.type()).c_str(), std::string(method_name(method)).c_str(),
                  std::string(class_name(msg.message_class())).c_str());
    std::cout << "  type:           " << line << '\n';
    std::cout << "  class:          " << class_name(msg.message_class()) << '\n';
    std::snprintf(line, sizeof line, "%s (0x%03x)", std::string(method_name(method)).c_str(), method);
    std::cout << "  method:         " << line << '\n';
    std::cout << "  length:         " << msg.size() - stun::header_size << " (attribute bytes after the 20-byte header)\n";
    if (msg.legacy()) {
        // RFC 8489 §5, §12: a classic message's 128-bit transaction id starts at byte 4.
        std::cout << "  transaction id: " << hex(msg.bytes().subview(4, 16)) << " (128 bits, RFC 3489)\n";
        std::cout << "  legacy:         yes: RFC 3489, no magic cookie (bytes 4-7 are " << hex32(msg.cookie()) << ")\n";
    } else {
        std::cout << "  transaction id: " << hex(bytes_view(msg.transaction_id().bytes)) << '\n';
        std::cout << "  legacy:         no (magic cookie " << hex32(msg.cookie()) << ")\n";
    }

    std::size_t count = 0;
    for (auto it = msg.begin(); it != msg.end(); ++it) ++count;
    std::cout << "attributes: " << count << '\n';
    int status = exit_ok;
    if (count) {
        std::snprintf(line, sizeof line, "  %6s  %-6s  %-*s %5s  %s", "offset", "type", name_width, "name", "len", "value");
        std::cout << line << '\n';
    }
    std::optional<stun::attribute> first_malformed;
    std::error_code first_malformed_error;
    for (const stun::attribute& a : msg) {
        const decoded d = describe(a, msg);
        print_attribute(a, d);
        if (d.error && !first_malformed) {
            first_malformed = a;
            first_malformed_error = d.error;
        }
    }

    // RFC 8489 §6.3.1.1: a server answers 420 listing these.
    std::uint16_t unknown[16];
    const std::size_t n_unknown = msg.unknown_required_attributes(unknown, std::size(unknown));
    if (n_unknown) {
        std::cout << "unknown comprehension-required attributes:";
        for (std::size_t i = 0; i < n_unknown && i < std::size(unknown); ++i) std::cout << ' ' << hex16(unknown[i]);
        if (n_unknown > std::size(unknown)) std::cout << " ...";
        std::cout << " (a server answers 420 Unknown Attribute)\n";
    }

    // MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 are checked one by one, so that a
    // message carrying both shows which one is wrong.
    if (!msg.has_integrity() && !msg.has_integrity_sha256()) {
        std::cout << "integrity: absent\n";
    } else if (!cred) {
        std::cout << "integrity: not checked (give --password, or --username, --realm and --password)\n";
    } else {
        std::string checked;
        std::string failed;
        const auto check = [&](bool present, std::error_code ec, const char* name) {
            if (!present) return;
            std::string& list = ec ? failed : checked;
            if (!list.empty()) list += " and ";
            list += name;
        };
        check(msg.has_integrity_sha256(), msg.check_integrity_sha256(cred->key), "MESSAGE-INTEGRITY-SHA256");
        check(msg.has_integrity(), msg.check_integrity_sha1(cred->key), "MESSAGE-INTEGRITY");
        if (failed.empty()) {
            std::cout << "integrity: ok (" << checked << ", " << cred->description << ")\n";
        } else {
            std::cout << "integrity: FAILED (" << failed << " does not match; " << cred->description << ")\n";
            status = exit_bad_input;
        }
    }
    if (msg.has_fingerprint()) {
        if (msg.check_fingerprint()) {
            std::cout << "fingerprint: FAILED (CRC-32 does not match)\n";
            status = exit_bad_input;
        } else {
            std::cout << "fingerprint: ok\n";
        }
    } else {
        std::cout << "fingerprint: absent\n";
    }

    if (first_malformed) {
        std::cerr << "error: " << attribute_label(first_malformed->type) << " value: " << first_malformed_error.message()
                  << " at byte offset " << first_malformed->offset << '\n';
        status = exit_bad_input;
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    const std::optional<options> o = parse_command_line(argc, argv, error);
    if (!o) {
        std::cerr << "natkit-stun-decode: " << error << "\n(try --help)\n";
        return exit_usage;
    }
    if (o->help) {
        std::cout << usage_text;
        return exit_ok;
    }
    if ((o->username || o->realm || o->sha256) && !o->password) {
        std::cerr << "natkit-stun-decode: --username, --realm and --sha256 need --password\n(try --help)\n";
        return exit_usage;
    }

    std::string input = o->hex;
    if (!o->hex_given) input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());

    const auto bytes = parse_hex(input, error);
    if (!bytes) {
        std::cerr << "error: " << error << '\n';
        return exit_bad_input;
    }
    return decode(*o, *bytes);
}
