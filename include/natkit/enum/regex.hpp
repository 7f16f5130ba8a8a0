// natkit/enum/regex.hpp - the POSIX Extended Regular Expressions that NAPTR substitution
// expressions use (RFC 3402 §3.2, IEEE Std 1003.1 XBD §9.4), matched without allocation and
// without exceptions.
//
//     auto re = enum_::regex::compile("^\\+49(.*)$");
//     enum_::regex::match m;
//     if (re && re->search("+4930123", m).value_or(false)) use(m.group("+4930123", 1));   // "30123"
//
// Why not std::regex: it throws on bad patterns and on runaway matching (error_complexity,
// error_stack), which a -fno-exceptions build turns into abort(), and NAPTR patterns come
// from strangers' DNS zones. This matcher compiles into a fixed-size program and runs a
// backtracking machine with a step budget: a hostile pattern costs a bounded, small amount of
// time and is reported as errc::regex_too_complex.
//
// Supported: literals, ".", bracket expressions (ranges, negation, [:class:] names), "^" and
// "$" anchors, groups "( )" (the first nine are captured for \1-\9), alternation "|", and the
// repetitions "*", "+", "?", "{m}", "{m,}", "{m,n}" (m, n <= 255). "\" before a punctuation
// character makes it literal. Not supported (errc::unsupported_regex): "\" before a letter or
// digit (Perl's \d, \w, back-references in the pattern), [=x=] and [.x.], and patterns whose
// program would exceed max_program instructions.
//
// Matching follows POSIX: the leftmost match, the longest one there, and among those the one
// whose groups, compared in order, start earliest and then are longest.
#ifndef NATKIT_ENUM_REGEX_HPP
#define NATKIT_ENUM_REGEX_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "natkit/config.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// A compiled POSIX ERE; see the file comment.
class regex {
public:
    static constexpr std::size_t max_program = 512;  ///< instructions of a compiled pattern
    static constexpr std::size_t max_classes = 32;   ///< bracket expressions in a pattern
    static constexpr std::size_t max_groups = 10;  ///< group 0 (the whole match) and \1-\9
    static constexpr std::size_t max_loops = 32;   ///< "*" over sub-patterns that can match nothing
    static constexpr std::size_t max_nesting = 32;     ///< nested groups and alternations
    static constexpr std::size_t max_backtrack = 1024;  ///< pending alternatives while matching
    /// Steps of the matching machine per search(); an ENUM pattern on a 16-character number
    /// takes a few hundred.
    static constexpr std::size_t default_step_budget = 200000;

    /// The groups of a match as offsets into the subject; -1 for a group that did not take part.
    struct match {
        /// Where one group matched.
        struct span {
            std::ptrdiff_t begin = -1;  ///< first character
            std::ptrdiff_t end = -1;    ///< past the last character
        };
        std::array<span, max_groups> groups{};  ///< group 0 is the whole match

        /// Group `i` took part in the match.
        bool matched(std::size_t i) const noexcept { return i < max_groups && groups[i].begin >= 0; }
        /// What group `i` matched in `subject` (empty when it did not take part).
        std::string_view group(std::string_view subject, std::size_t i) const noexcept {
            if (!matched(i)) return {};
            return subject.substr(static_cast<std::size_t>(groups[i].begin),
                                  static_cast<std::size_t>(groups[i].end - groups[i].begin));
        }
    };

    /// Matches the empty string only; use compile().
    regex() noexcept = default;

    /// Compiles `pattern`. With `icase`, letters match either case (RFC 3402 §3.2 "i" flag).
    /// `delimiter`: the substitution expression's delimiter, which the pattern may contain
    /// escaped ("\!" is a literal "!" even though "!" is not special).
    static result<regex> compile(std::string_view pattern, bool icase = false, char delimiter = '\0') noexcept {
        regex re;
        re.icase_ = icase;
        compiler c{re, pattern, delimiter};
        if (!c.run()) return c.error;
        return re;
    }

    /// Capture groups in the pattern (also those beyond \9).
    std::size_t group_count() const noexcept { return groups_; }

    /// Finds the POSIX match in `subject`. true and `m` filled when there is one; false when
    /// there is none; errc::regex_too_complex when `step_budget` steps did not decide.
    result<bool> search(std::string_view subject, match& m, std::size_t step_budget = default_step_budget) const noexcept {
        std::size_t steps = 0;
        for (std::size_t start = 0; start <= subject.size(); ++start) {
            const errc e = run(subject, start, m, steps, step_budget);
            if (e == errc{}) return true;
            if (e != errc::regex_no_match) return e;
            // An anchored pattern cannot match later.
            if (size_ != 0 && program_[0].code == op::bol) break;
        }
        return false;
    }

private:
    enum class op : std::uint8_t { chr, any, cls, bol, eol, split, jmp, save, mark, check, done };
    struct inst {
        op code = op::done;
        std::uint8_t arg = 0;  // the character, class, slot or loop register
        std::int16_t x = 0;    // relative jump (split: preferred branch, jmp: target)
        std::int16_t y = 0;    // relative jump (split: the other branch)
    };
    using charset = std::array<std::uint8_t, 32>;

    static constexpr unsigned char lower(unsigned char c) noexcept {
        return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c;
    }
    static constexpr unsigned char upper(unsigned char c) noexcept {
        return c >= 'a' && c <= 'z' ? static_cast<unsigned char>(c - 32) : c;
    }

    // --- compiler ----------------------------------------------------------------------------

    struct compiler {
        regex& re;
        std::string_view p;
        char delimiter;
        std::size_t pos = 0;
        std::size_t depth = 0;
        errc error = errc::unsupported_regex;

        bool run() noexcept {
            bool nullable = false;
            if (!alternation(nullable)) return false;
            if (pos != p.size()) return false;  // a stray ")" cannot end the top level
            return emit(op::done);
        }

        bool emit(op code, std::uint8_t arg = 0, std::int16_t x = 0, std::int16_t y = 0) noexcept {
            if (re.size_ == max_program) return false;
            re.program_[re.size_++] = inst{code, arg, x, y};
            return true;
        }
        /// Makes room for `count` instructions at `at`; the block after it moves unchanged
        /// (its jumps are relative and stay inside it).
        bool insert(std::size_t at, std::size_t count) noexcept {
            if (re.size_ + count > max_program) return false;
            std::memmove(&re.program_[at + count], &re.program_[at], (re.size_ - at) * sizeof(inst));
            re.size_ += count;
            return true;
        }
        static std::int16_t rel(std::size_t from, std::size_t to) noexcept {
            return static_cast<std::int16_t>(static_cast<std::ptrdiff_t>(to) - static_cast<std::ptrdiff_t>(from));
        }

        bool alternation(bool& nullable) noexcept {
            if (++depth > max_nesting) return false;
            const std::size_t start = re.size_;
            if (!branch(nullable)) return false;
            if (pos < p.size() && p[pos] == '|') {
                ++pos;
                // SPLIT first, rest; first; JMP end; rest: (the other alternatives)
                if (!insert(start, 1)) return false;
                const std::size_t jump = re.size_;
                if (!emit(op::jmp)) return false;
                const std::size_t rest = re.size_;
                bool rest_nullable = false;
                if (!alternation(rest_nullable)) return false;
                re.program_[start] = inst{op::split, 0, 1, rel(start, rest)};
                re.program_[jump].x = rel(jump, re.size_);
                nullable = nullable || rest_nullable;
            }
            --depth;
            return true;
        }

        bool branch(bool& nullable) noexcept {
            nullable = true;
            while (pos < p.size() && p[pos] != '|' && !(p[pos] == ')' && depth > 1)) {
                bool piece_nullable = false;
                if (!piece(piece_nullable)) return false;
                nullable = nullable && piece_nullable;
            }
            return true;
        }

        bool piece(bool& nullable) noexcept {
            const std::size_t start = re.size_;
            bool quantifiable = true;
            if (!atom(nullable, quantifiable)) return false;
            for (;;) {
                if (pos >= p.size()) return true;
                const char c = p[pos];
                unsigned min = 0, max = 0;
                bool unbounded = false;
                if (c == '*') {
                    unbounded = true;
                    ++pos;
                } else if (c == '+') {
                    min = 1;
                    unbounded = true;
                    ++pos;
                } else if (c == '?') {
                    max = 1;
                    ++pos;
                } else if (c == '{') {
                    const int iv = interval(min, max, unbounded);
                    if (iv < 0) return false;
                    if (iv == 0) return true;  // a literal "{", the next atom
                } else {
                    return true;
                }
                if (!quantifiable) return false;  // "^*": undefined in POSIX, refused here
                if (!repeat(start, min, max, unbounded, nullable)) return false;
                if (min == 0) nullable = true;
            }
        }

        /// "{m}", "{m,}", "{m,n}" at pos: 1 when it is one, 0 (pos unchanged) when "{" is not
        /// followed by digits and "}" and so is taken literally, -1 for m > n or a count above
        /// 255 (RE_DUP_MAX).
        int interval(unsigned& min, unsigned& max, bool& unbounded) noexcept {
            std::size_t i = pos + 1;
            const auto number = [&](unsigned& v) {
                const std::size_t from = i;
                v = 0;
                while (i < p.size() && p[i] >= '0' && p[i] <= '9' && i - from < 4) v = v * 10u + static_cast<unsigned>(p[i++] - '0');
                return i != from;
            };
            if (!number(min)) return 0;
            max = min;
            unbounded = false;
            if (i < p.size() && p[i] == ',') {
                ++i;
                if (!number(max)) unbounded = true;
            }
            if (i >= p.size() || p[i] != '}') return 0;
            if (min > 255 || (!unbounded && (max > 255 || max < min))) return -1;
            pos = i + 1;
            return 1;
        }

        /// Rewrites the block [start, end of program) as `min` copies, then either a "*" copy
        /// (unbounded) or max - min optional copies.
        bool repeat(std::size_t start, unsigned min, unsigned max, bool unbounded, bool body_nullable) noexcept {
            const std::size_t len = re.size_ - start;
            std::array<inst, max_program> body;
            std::memcpy(body.data(), &re.program_[start], len * sizeof(inst));
            re.size_ = start;
            const auto copy = [&]() {
                if (re.size_ + len > max_program) return false;
                std::memcpy(&re.program_[re.size_], body.data(), len * sizeof(inst));
                re.size_ += len;
                return true;
            };
            for (unsigned k = 0; k < min; ++k)
                if (!copy()) return false;
            if (unbounded) {
                // L: SPLIT body, out; [MARK r]; body; [CHECK r]; JMP L; out:
                // MARK/CHECK leave the loop after an iteration that consumed nothing ("(a*)*"),
                // which would otherwise loop forever; the iteration's groups are kept, as POSIX
                // wants ("(a*)*" on "b" sets \1 to the empty string).
                const std::size_t loop = re.size_;
                const bool guard = body_nullable;
                std::uint8_t reg = 0;
                if (guard) {
                    if (re.loops_ == max_loops) return false;
                    reg = static_cast<std::uint8_t>(re.loops_++);
                }
                if (!emit(op::split)) return false;
                if (guard && !emit(op::mark, reg)) return false;
                if (!copy()) return false;
                if (guard && !emit(op::check, reg)) return false;
                const std::size_t back = re.size_;
                if (!emit(op::jmp, 0, rel(back, loop))) return false;
                re.program_[loop] = inst{op::split, 0, 1, rel(loop, re.size_)};
                return true;
            }
            for (unsigned k = min; k < max; ++k) {
                const std::size_t split = re.size_;
                if (!emit(op::split)) return false;
                if (!copy()) return false;
                re.program_[split] = inst{op::split, 0, 1, rel(split, re.size_)};
            }
            return true;
        }

        bool atom(bool& nullable, bool& quantifiable) noexcept {
            const char c = p[pos];
            nullable = false;
            switch (c) {
            case '(': {
                ++pos;
                const std::size_t group = ++re.groups_;
                const bool capture = group < max_groups;
                if (capture && !emit(op::save, static_cast<std::uint8_t>(2 * group))) return false;
                if (!alternation(nullable)) return false;
                if (pos >= p.size() || p[pos] != ')') return false;
                ++pos;
                if (capture && !emit(op::save, static_cast<std::uint8_t>(2 * group + 1))) return false;
                return true;
            }
            case '*':
            case '+':
            case '?':
                return false;  // nothing to repeat: undefined in POSIX
            case '.':
                ++pos;
                return emit(op::any);
            case '^':
            case '$':
                ++pos;
                nullable = true;
                quantifiable = false;
                return emit(c == '^' ? op::bol : op::eol);
            case '[':
                ++pos;
                return bracket();
            case '\\': {
                if (pos + 1 >= p.size()) return false;
                const unsigned char e = static_cast<unsigned char>(p[pos + 1]);
                const bool alnum = (e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z');
                if (alnum && static_cast<char>(e) != delimiter) return false;
                pos += 2;
                return literal(e);
            }
            default:
                ++pos;
                return literal(static_cast<unsigned char>(c));
            }
        }

        bool literal(unsigned char c) noexcept { return emit(op::chr, re.icase_ ? lower(c) : c); }

        bool bracket() noexcept {
            if (re.classes_ == max_classes) return false;
            charset set{};
            const auto add = [&](unsigned char ch) {
                set[ch >> 3] = static_cast<std::uint8_t>(set[ch >> 3] | (1u << (ch & 7u)));
                if (re.icase_) {
                    const unsigned char l = lower(ch), u = upper(ch);
                    set[l >> 3] = static_cast<std::uint8_t>(set[l >> 3] | (1u << (l & 7u)));
                    set[u >> 3] = static_cast<std::uint8_t>(set[u >> 3] | (1u << (u & 7u)));
                }
            };
            bool negate = false;
            if (pos < p.size() && p[pos] == '^') {
                negate = true;
                ++pos;
            }
            bool first = true;
            for (;;) {
                if (pos >= p.size()) return false;
                unsigned char c = static_cast<unsigned char>(p[pos]);
                if (c == ']' && !first) {
                    ++pos;
                    break;
                }
                first = false;
                if (c == '[' && pos + 1 < p.size() && (p[pos + 1] == '=' || p[pos + 1] == '.')) return false;
                if (c == '[' && pos + 1 < p.size() && p[pos + 1] == ':') {
                    const std::size_t close = p.find(":]", pos + 2);
                    if (close == std::string_view::npos) return false;
                    if (!named_class(p.substr(pos + 2, close - pos - 2), add)) return false;
                    pos = close + 2;
                    continue;
                }
                ++pos;
                // A range "a-z"; a "-" first, last or right after a range is literal.
                if (pos + 1 < p.size() && p[pos] == '-' && p[pos + 1] != ']') {
                    const unsigned char hi = static_cast<unsigned char>(p[pos + 1]);
                    if (hi == '[' && pos + 2 < p.size() && (p[pos + 2] == '.' || p[pos + 2] == '=' || p[pos + 2] == ':'))
                        return false;
                    if (hi < c) return false;
                    for (unsigned ch = c; ch <= hi; ++ch) add(static_cast<unsigned char>(ch));
                    pos += 2;
                    continue;
                }
                add(c);
            }
            if (negate)
                for (auto& b : set) b = static_cast<std::uint8_t>(~b);
            re.class_sets_[re.classes_] = set;
            return emit(op::cls, static_cast<std::uint8_t>(re.classes_++));
        }

        template <class Add>
        static bool named_class(std::string_view name, Add& add) noexcept {
            for (unsigned ch = 0; ch < 256; ++ch) {
                const auto c = static_cast<unsigned char>(ch);
                const bool digit = c >= '0' && c <= '9';
                const bool up = c >= 'A' && c <= 'Z';
                const bool low = c >= 'a' && c <= 'z';
                const bool print = c >= 0x20 && c < 0x7F;
                bool in = false;
                if (name == "digit") in = digit;
                else if (name == "alpha") in = up || low;
                else if (name == "alnum") in = up || low || digit;
                else if (name == "upper") in = up;
                else if (name == "lower") in = low;
                else if (name == "xdigit") in = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                else if (name == "space") in = c == ' ' || (c >= '\t' && c <= '\r');
                else if (name == "blank") in = c == ' ' || c == '\t';
                else if (name == "print") in = print;
                else if (name == "graph") in = print && c != ' ';
                else if (name == "punct") in = print && c != ' ' && !digit && !up && !low;
                else if (name == "cntrl") in = c < 0x20 || c == 0x7F;
                else return false;
                if (in) add(c);
            }
            return true;
        }
    };

    // --- matcher -----------------------------------------------------------------------------

    struct frame {
        enum kind_t : std::uint8_t { branch, restore_slot, restore_loop } kind;
        std::uint8_t index;
        std::uint16_t pc;
        std::int32_t value;
    };

    /// True when `a` is the better POSIX match than `b` (same start).
    static bool better(const std::ptrdiff_t* a, const std::ptrdiff_t* b) noexcept {
        if (a[1] != b[1]) return a[1] > b[1];
        for (std::size_t g = 1; g < max_groups; ++g) {
            const std::ptrdiff_t ab = a[2 * g], bb = b[2 * g];
            if (ab != bb) {
                if (ab < 0) return false;
                if (bb < 0) return true;
                return ab < bb;
            }
            if (a[2 * g + 1] != b[2 * g + 1]) return a[2 * g + 1] > b[2 * g + 1];
        }
        return false;
    }

    errc run(std::string_view s, std::size_t start, match& m, std::size_t& steps, std::size_t budget) const noexcept {
        std::ptrdiff_t slots[2 * max_groups];
        std::ptrdiff_t best[2 * max_groups];
        std::ptrdiff_t loops[max_loops];
        for (auto& v : slots) v = -1;
        for (auto& v : loops) v = -1;
        frame stack[max_backtrack];
        std::size_t depth = 0;
        bool found = false;
        std::size_t pc = 0;
        std::size_t pos = start;
        const std::size_t n = s.size();
        const auto push = [&](frame f) {
            if (depth == max_backtrack) return false;
            stack[depth++] = f;
            return true;
        };
        for (;;) {
            bool fail = false;
            if (++steps > budget) return errc::regex_too_complex;
            const inst& in = program_[pc];
            switch (in.code) {
            case op::chr: {
                if (pos < n) {
                    const auto c = static_cast<unsigned char>(s[pos]);
                    if ((icase_ ? lower(c) : c) == in.arg) {
                        ++pos;
                        ++pc;
                        break;
                    }
                }
                fail = true;
                break;
            }
            case op::any:
                if (pos < n) {
                    ++pos;
                    ++pc;
                } else {
                    fail = true;
                }
                break;
            case op::cls: {
                const charset& set = class_sets_[in.arg];
                if (pos < n) {
                    const auto c = static_cast<unsigned char>(s[pos]);
                    if (set[c >> 3] & (1u << (c & 7u))) {
                        ++pos;
                        ++pc;
                        break;
                    }
                }
                fail = true;
                break;
            }
            case op::bol:
                if (pos == 0) ++pc; else fail = true;
                break;
            case op::eol:
                if (pos == n) ++pc; else fail = true;
                break;
            case op::split:
                if (!push(frame{frame::branch, 0, static_cast<std::uint16_t>(static_cast<std::ptrdiff_t>(pc) + in.y),
                                static_cast<std::int32_t>(pos)}))
                    return errc::regex_too_complex;
                pc = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(pc) + in.x);
                break;
            case op::jmp:
                pc = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(pc) + in.x);
                break;
            case op::save:
                if (!push(frame{frame::restore_slot, in.arg, 0, static_cast<std::int32_t>(slots[in.arg])}))
                    return errc::regex_too_complex;
                slots[in.arg] = static_cast<std::ptrdiff_t>(pos);
                ++pc;
                break;
            case op::mark:
                if (!push(frame{frame::restore_loop, in.arg, 0, static_cast<std::int32_t>(loops[in.arg])}))
                    return errc::regex_too_complex;
                loops[in.arg] = static_cast<std::ptrdiff_t>(pos);
                ++pc;
                break;
            case op::check:
                // No progress: skip the JMP back, out of the loop.
                pc += loops[in.arg] == static_cast<std::ptrdiff_t>(pos) ? 2 : 1;
                break;
            case op::done:
                slots[0] = static_cast<std::ptrdiff_t>(start);
                slots[1] = static_cast<std::ptrdiff_t>(pos);
                if (!found || better(slots, best)) std::memcpy(best, slots, sizeof best);
                found = true;
                fail = true;  // keep looking for a longer match
                break;
            }
            if (!fail) continue;
            bool resumed = false;
            while (depth > 0) {
                const frame f = stack[--depth];
                if (f.kind == frame::restore_slot) {
                    slots[f.index] = f.value;
                } else if (f.kind == frame::restore_loop) {
                    loops[f.index] = f.value;
                } else {
                    pc = f.pc;
                    pos = static_cast<std::size_t>(f.value);
                    resumed = true;
                    break;
                }
            }
            if (!resumed) break;
        }
        if (!found) return errc::regex_no_match;
        for (std::size_t g = 0; g < max_groups; ++g) {
            const bool set = best[2 * g] >= 0 && best[2 * g + 1] >= best[2 * g];
            m.groups[g].begin = set ? best[2 * g] : -1;
            m.groups[g].end = set ? best[2 * g + 1] : -1;
        }
        return errc{};
    }

    std::array<inst, max_program> program_{};
    std::array<charset, max_classes> class_sets_{};
    std::size_t size_ = 0;
    std::size_t classes_ = 0;
    std::size_t groups_ = 0;
    std::size_t loops_ = 0;
    bool icase_ = false;
};

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_REGEX_HPP
