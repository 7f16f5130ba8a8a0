// The POSIX ERE matcher and the NAPTR substitution expression (RFC 3402 §3.2), with the
// examples of RFC 3403 §6 and RFC 6116, and hostile patterns.
#include <string>
#include <vector>

#include "catch.hpp"
#include "natkit/enum/regex.hpp"
#include "natkit/enum/substitution.hpp"

using namespace natkit;
using namespace natkit::enum_;

namespace {
/// The groups of the match of `pattern` in `subject` as "g0|g1|..." (unset groups as "-"),
/// or "no match", or the error's message.
std::string groups(std::string_view pattern, std::string_view subject, bool icase = false) {
    auto re = regex::compile(pattern, icase);
    if (!re) return "error: " + re.error().message();
    regex::match m;
    auto found = re->search(subject, m);
    if (!found) return "error: " + found.error().message();
    if (!*found) return "no match";
    std::string out;
    for (std::size_t g = 0; g <= re->group_count() && g < regex::max_groups; ++g) {
        if (g) out += '|';
        out += m.matched(g) ? std::string(m.group(subject, g)) : "-";
    }
    return out;
}

std::string substitute(std::string_view expression, std::string_view aus) {
    auto s = substitution::parse(expression);
    if (!s) return "error: " + s.error().message();
    std::string out;
    if (auto e = s->apply(aus, out)) return "error: " + e.message();
    return out;
}
std::error_code parse_error(std::string_view expression) { return substitution::parse(expression).error(); }
std::error_code compile_error(std::string_view pattern) { return regex::compile(pattern).error(); }
}  // namespace

TEST_CASE("ERE: literals, anchors, '.', brackets and repetition") {
    CHECK(groups("^.*$", "+441632960083") == "+441632960083");
    CHECK(groups("abc", "xxabcxx") == "abc");
    CHECK(groups("^abc", "xxabc") == "no match");
    CHECK(groups("abc$", "abcx") == "no match");
    CHECK(groups("^\\+49(.*)$", "+4930123") == "+4930123|30123");
    CHECK(groups("^\\+49(.*)$", "+4330123") == "no match");
    CHECK(groups("^\\+([0-9]{2})([0-9]+)$", "+4930123") == "+4930123|49|30123");
    CHECK(groups("^\\+[[:digit:]]{3,5}$", "+4930") == "+4930");
    CHECK(groups("^\\+[[:digit:]]{3,5}$", "+49") == "no match");
    CHECK(groups("^\\+[[:digit:]]{3,5}$", "+493012") == "no match");
    CHECK(groups("^a{2,}$", "aaaa") == "aaaa");
    CHECK(groups("^a{2}$", "aaa") == "no match");
    CHECK(groups("^[^0-9]+", "abc123") == "abc");
    CHECK(groups("[]a]+", "x]a]y") == "]a]");
    CHECK(groups("[a-]+", "x-a-y") == "-a-");
    CHECK(groups("colou?r", "my color") == "color");
    CHECK(groups("x{", "ax{b") == "x{");  // "{" not starting an interval is literal
    CHECK(groups("a)", "ba)") == "a)");   // an unmatched ")" is literal at the top level
    CHECK(groups("", "abc") == "");
    CHECK(groups("^$", "") == "");
    CHECK(groups("(a)|(b)", "b") == "b|-|b");
}

TEST_CASE("ERE: POSIX leftmost-longest, also for groups") {
    CHECK(groups("a|ab", "abc") == "ab");              // Perl-style engines say "a"
    CHECK(groups("(a|ab)(c|bcd)", "abcd") == "abcd|a|bcd");
    CHECK(groups("^(a|ab)(c|bcd)?$", "abc") == "abc|ab|c");
    CHECK(groups("^(\\+49|\\+4930)(.*)$", "+4930123") == "+4930123|+4930|123");
    CHECK(groups("x*", "aaxx") == "");                 // leftmost wins over longer later
    CHECK(groups("(a*)*", "b") == "|");                // an empty iteration ends the loop
    CHECK(groups("^(a*)*$", "aaa") == "aaa|aaa");
    CHECK(groups("^(a*)+$", "aa") == "aa|aa");
}

TEST_CASE("ERE: case-insensitive matching (the 'i' flag)") {
    CHECK(groups("^urn:CID:(.*)$", "URN:cid:x", true) == "URN:cid:x|x");
    CHECK(groups("^urn:CID:(.*)$", "URN:cid:x", false) == "no match");
    CHECK(groups("^[a-c]+$", "AbC", true) == "AbC");
    CHECK(groups("^[[:lower:]]+$", "AbC", false) == "no match");
}

TEST_CASE("ERE: constructs outside POSIX ERE or beyond the limits are refused") {
    CHECK(compile_error("\\d+") == errc::unsupported_regex);        // Perl class
    CHECK(compile_error("(a)\\1") == errc::unsupported_regex);      // back-reference in the pattern
    CHECK(compile_error("*a") == errc::unsupported_regex);
    CHECK(compile_error("a|*b") == errc::unsupported_regex);
    CHECK(compile_error("^*") == errc::unsupported_regex);
    CHECK(compile_error("(ab") == errc::unsupported_regex);
    CHECK(compile_error("[abc") == errc::unsupported_regex);
    CHECK(compile_error("[[:nope:]]") == errc::unsupported_regex);
    CHECK(compile_error("[[=a=]]") == errc::unsupported_regex);
    CHECK(compile_error("[z-a]") == errc::unsupported_regex);
    CHECK(compile_error("a\\") == errc::unsupported_regex);
    CHECK(compile_error("a{300}") == errc::unsupported_regex);      // above RE_DUP_MAX
    CHECK(compile_error("(a{200}){200}") == errc::unsupported_regex);  // program too large
    std::string deep(40, '(');
    deep += "a" + std::string(40, ')');
    CHECK(compile_error(deep) == errc::unsupported_regex);
    CHECK(compile_error("a{3,2}") == errc::unsupported_regex);
}

TEST_CASE("ERE: hostile patterns end within the step budget") {
    auto re = regex::compile("^(a|a|aa)*(a|a)*b$");
    REQUIRE(re);
    regex::match m;
    const std::string subject(40, 'a');
    auto r = re->search(subject, m, 100000);
    CHECK(r.error() == errc::regex_too_complex);
    // A small budget is honoured also for harmless patterns.
    auto simple = regex::compile("^.*$");
    CHECK(simple->search("+441632960083", m, 5).error() == errc::regex_too_complex);
    CHECK(*simple->search("+441632960083", m));
}

TEST_CASE("Substitution: the RFC 6116 example gives the SIP URI") {
    CHECK(substitute("!^.*$!sip:info@example.com!", "+441632960083") == "sip:info@example.com");
    CHECK(substitute("!^.*$!mailto:info@example.com!", "+441632960083") == "mailto:info@example.com");
}

TEST_CASE("Substitution: the RFC 3403 §6 examples (back-references, the 'i' flag)") {
    // §6.1: the CID URN example, "!^urn:cid:.+@([^\.]+\.)(.*)$!\2!i".
    CHECK(substitute("!^urn:cid:.+@([^\\.]+\\.)(.*)$!\\2!i", "urn:cid:39CB83F7.A8450130@fake.gatech.edu") ==
          "gatech.edu");
    CHECK(substitute("!^urn:cid:.+@([^\\.]+\\.)(.*)$!\\2!i", "URN:CID:39CB83F7.A8450130@fake.gatech.edu") ==
          "gatech.edu");
    CHECK(substitute("!^urn:cid:.+@([^\\.]+\\.)(.*)$!\\2!", "URN:CID:39CB83F7.A8450130@fake.gatech.edu") ==
          "error: regular expression does not match the number");
    // §6.2: "!^http://([^/:]+)!\1!i": only the replacement remains, not the rest of the URL.
    CHECK(substitute("!^http://([^/:]+)!\\1!i", "http://www.nonexistant.com/endpoint") == "www.nonexistant.com");
}

TEST_CASE("Substitution: back-references \\1-\\9, escapes and other delimiters (RFC 3402 §3.2)") {
    CHECK(substitute("!^\\+49(.*)$!sip:\\1@example.de!", "+493012345678") == "sip:3012345678@example.de");
    CHECK(substitute("!^\\+(4)(9)(3)(0)(1)(2)(3)(4)(5)(.*)$!\\9\\8\\7\\6\\5\\4\\3\\2\\1!", "+4930123456") ==
          "543210394");
    CHECK(substitute("/^(.*)$/sip:\\1@x/", "+1") == "sip:+1@x");
    CHECK(substitute("#^(.*)$#sip:a\\#b@x#", "+1") == "sip:a#b@x");      // escaped delimiter
    CHECK(substitute("!^(.*)\\!?$!sip:\\\\\\1!", "+1") == "sip:\\+1");   // "\\" is a backslash
    CHECK(substitute("!^(x)?\\+1$!a\\1b!", "+1") == "ab");              // unset group: empty
    CHECK(substitute("!^(.*)$!sip:\\1@x!i", "+1") == "sip:+1@x");
}

TEST_CASE("Substitution: malformed expressions are errors") {
    CHECK(parse_error("") == errc::bad_substitution);
    CHECK(parse_error("!!") == errc::bad_substitution);
    CHECK(parse_error("!^.*$!sip:x") == errc::bad_substitution);     // no closing delimiter
    CHECK(parse_error("!^.*$!sip:x!g") == errc::bad_substitution);   // only "i" is a flag
    CHECK(parse_error("1^.*$1sip:x1") == errc::bad_substitution);    // digits cannot delimit
    CHECK(parse_error("i^.*$isip:xi") == errc::bad_substitution);
    CHECK(parse_error("!^.*$!sip:\\1!") == errc::bad_substitution);  // no group 1
    CHECK(parse_error("!^(.*)$!sip:\\!") == errc::bad_substitution); // dangling backslash eats the end
    CHECK(parse_error("!\\d!x!") == errc::unsupported_regex);
    CHECK_FALSE(parse_error("!!!"));                                   // empty ERE and replacement
}
