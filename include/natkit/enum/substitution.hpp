// natkit/enum/substitution.hpp - the substitution expression of a NAPTR REGEXP field
// (RFC 3402 §3.2): delim ere delim replacement delim [flags], e.g. "!^.*$!sip:info@example.com!".
//
//     auto s = enum_::substitution::parse("!^\\+49(.*)$!sip:\\1@example.de!");
//     std::string uri;
//     if (s) s->apply("+4930123", uri);            // uri == "sip:30123@example.de"
//
// The result is the replacement with \1-\9 replaced by what those groups of the ERE matched
// in the Application Unique String; the parts of the string outside the match do not appear
// (the RFC 3403 §6.2 example "!^http://([^/:]+)!\1!i" yields the bare host name).
#ifndef NATKIT_ENUM_SUBSTITUTION_HPP
#define NATKIT_ENUM_SUBSTITUTION_HPP

#include <cstddef>
#include <string>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/error.hpp"
#include "natkit/enum/regex.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// A parsed, compiled substitution expression. The replacement is a view into the text
/// given to parse(): keep that alive while using the expression.
class substitution {
public:
    /// Splits and checks the field: the delimiter is its first character and may be any
    /// but a digit 1-9, "i" or "\" (RFC 3402 §3.2 grammar); "\" + delimiter stands for the
    /// delimiter inside the ERE and the replacement; the only flag is "i". errc::bad_substitution
    /// for a malformed field, errc::unsupported_regex for an ERE regex::compile() refuses.
    static result<substitution> parse(std::string_view field) noexcept {
        if (field.size() < 3) return errc::bad_substitution;
        const char delim = field[0];
        if ((delim >= '1' && delim <= '9') || delim == 'i' || delim == '\\') return errc::bad_substitution;
        std::size_t pos = 1;
        const auto part = [&](std::string_view& out) {
            const std::size_t start = pos;
            while (pos < field.size() && field[pos] != delim) {
                if (field[pos] == '\\') ++pos;  // the escaped character never ends the part
                ++pos;
            }
            if (pos >= field.size()) return false;
            out = field.substr(start, pos - start);
            ++pos;
            return true;
        };
        substitution s;
        std::string_view ere;
        if (!part(ere) || !part(s.replacement_)) return errc::bad_substitution;
        for (; pos < field.size(); ++pos) {
            if (field[pos] != 'i') return errc::bad_substitution;
            s.icase_ = true;
        }
        // A back-reference to a group the ERE does not have can never be filled.
        s.delimiter_ = delim;
        auto re = regex::compile(ere, s.icase_, delim);
        if (!re) return re.error();
        s.regex_ = *re;
        for (std::size_t i = 0; i < s.replacement_.size(); ++i) {
            if (s.replacement_[i] != '\\') continue;
            if (++i == s.replacement_.size()) return errc::bad_substitution;
            const char c = s.replacement_[i];
            if (c >= '1' && c <= '9' && static_cast<std::size_t>(c - '0') > s.regex_.group_count())
                return errc::bad_substitution;
        }
        return s;
    }

    bool case_insensitive() const noexcept { return icase_; }               ///< the "i" flag
    char delimiter() const noexcept { return delimiter_; }                  ///< the delimiter character
    std::string_view replacement() const noexcept { return replacement_; }  ///< as written, escapes included
    const enum_::regex& ere() const noexcept { return regex_; }             ///< the compiled ERE

    /// Applies the expression to `aus`: errc::regex_no_match when the ERE does not match,
    /// errc::regex_too_complex when matching exceeded the step budget. `out` receives the
    /// result (replaced, not appended).
    std::error_code apply(std::string_view aus, std::string& out,
                          std::size_t step_budget = regex::default_step_budget) const {
        regex::match m;
        auto found = regex_.search(aus, m, step_budget);
        if (!found) return found.error();
        if (!*found) return errc::regex_no_match;
        out.clear();
        for (std::size_t i = 0; i < replacement_.size(); ++i) {
            const char c = replacement_[i];
            if (c != '\\') {
                out += c;
                continue;
            }
            const char e = replacement_[++i];  // parse() guarantees a character follows
            if (e >= '1' && e <= '9')
                out.append(m.group(aus, static_cast<std::size_t>(e - '0')));
            else
                out += e;  // "\\", the escaped delimiter, or any other escaped character
        }
        return {};
    }

private:
    regex regex_;
    std::string_view replacement_;
    char delimiter_ = '!';
    bool icase_ = false;
};

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_SUBSTITUTION_HPP
