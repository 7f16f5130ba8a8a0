// natkit/enum/rules.hpp - one step of the DDDS loop (RFC 3402 §3.3, RFC 3403 §4, RFC 6116
// §3.4): the NAPTR records of one answer turned into SIP URIs and the domains that
// non-terminal rules lead to, in the order the client must use them.
//
//     enum_::rule_evaluation ev = enum_::evaluate_rules(answer, asked_domain, number.aus());
//     for (const enum_::rule_step& s : ev.steps) ...   // s.uri, or s.next_domain to query next
//     if (ev.steps.empty()) report(ev.reason);
//
// The steps come from the lowest ORDER that has a usable rule, sorted by PREFERENCE (RFC 3403
// §4.1: once a rule of some ORDER applies, higher ORDERs are not considered). A rule is usable
// when its flags are "u" (terminal, its REGEXP yields a URI) or empty (non-terminal, its
// REPLACEMENT or REGEXP yields the next domain), and, for "u", its services include the
// sip or sips Enumservice. Records with flags natkit does not know are ignored (RFC 3403 §4.1).
#ifndef NATKIT_ENUM_RULES_HPP
#define NATKIT_ENUM_RULES_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "natkit/config.hpp"
#include "natkit/enum/dns_message.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/error.hpp"
#include "natkit/enum/naptr.hpp"
#include "natkit/enum/substitution.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// Which Enumservices count as SIP.
struct rule_options {
    bool accept_sip = true;   ///< "E2U+sip" (RFC 3764) and the RFC 2916 form "sip+E2U"
    bool accept_sips = true;  ///< "E2U+sips"
    /// Step budget of each regular expression (regex::search()).
    std::size_t step_budget = regex::default_step_budget;
    /// CNAME records followed inside one answer (RFC 1034 §3.6.2) before giving up.
    std::size_t max_cname_chain = 8;
};

/// One usable rule's outcome.
struct rule_step {
    std::uint16_t order = 0;       ///< ORDER of the record
    std::uint16_t preference = 0;  ///< PREFERENCE of the record
    bool terminal = true;          ///< a "u" rule (uri) or a non-terminal one (next_domain)
    std::string uri;       ///< terminal: the SIP URI
    dns_name next_domain;  ///< non-terminal: the domain whose NAPTR records come next
};

/// A record that looked usable but failed, for diagnostics.
struct rule_failure {
    std::uint16_t order = 0;       ///< ORDER of the record
    std::uint16_t preference = 0;  ///< PREFERENCE of the record
    std::error_code error;         ///< why it failed
};

/// The outcome of one answer's rules.
struct rule_evaluation {
    std::vector<rule_step> steps;        ///< usable rules, in order
    std::vector<rule_failure> failures;  ///< rules meant for SIP that failed
    std::size_t naptr_records = 0;  ///< NAPTR records owned by the asked domain (after CNAMEs)
    std::error_code reason;         ///< when steps is empty: why
};

namespace detail {

inline bool has_sip_scheme(std::string_view uri) noexcept {
    const auto scheme = uri.substr(0, uri.find(':'));
    return uri.size() > scheme.size() + 1 && (iequals(scheme, "sip") || iequals(scheme, "sips"));
}

/// Follows CNAMEs from `name` within the answer section (the server did the chasing).
inline dns_name answer_owner(const dns_message& msg, dns_name name, std::size_t max_chain) noexcept {
    for (std::size_t hop = 0; hop < max_chain; ++hop) {
        bool moved = false;
        for (const dns_record& rr : msg.answers()) {
            if (rr.type != rr_type::cname || rr.rclass != class_in || !rr.owner.equals(name)) continue;
            auto target = name_ref(rr.message.subview(0, rr.rdata_offset + rr.rdata.size()), rr.rdata_offset).decode();
            if (!target) return name;
            name = *target;
            moved = true;
            break;
        }
        if (!moved) break;
    }
    return name;
}

/// Applies one record; empty error_code and `step` filled when usable. `candidate` is set
/// when the record was meant for this client (so that its failure is worth reporting).
inline std::error_code apply_rule(const naptr_record& n, std::string_view aus, const rule_options& options,
                                  rule_step& step, bool& candidate) {
    candidate = false;
    step.order = n.order;
    step.preference = n.preference;
    const naptr_flag_kind flags = classify_flags(n.flags);
    const service_info services = classify_services(n.services);
    if (flags == naptr_flag_kind::unusable) return errc::no_sip_service;
    if (flags == naptr_flag_kind::terminal_uri) {
        if (!services.enum_service || !((services.sip && options.accept_sip) || (services.sips && options.accept_sips)))
            return errc::no_sip_service;
        candidate = true;
        step.terminal = true;
        // RFC 6116 §3.4.1: a terminal "u" rule carries its URI in REGEXP.
        if (n.regexp.empty()) return errc::bad_substitution;
        auto subst = substitution::parse(n.regexp);
        if (!subst) return subst.error();
        if (auto e = subst->apply(aus, step.uri, options.step_budget)) return e;
        if (!has_sip_scheme(step.uri)) return errc::bad_uri;
        return {};
    }
    // Non-terminal: the services say where the chain is meant to lead; an empty field or an
    // E2U field (usually bare "E2U") belongs to ENUM, anything else to another application.
    if (!services.empty && !services.enum_service) return errc::no_sip_service;
    candidate = true;
    step.terminal = false;
    if (n.regexp.empty()) {
        auto next = n.replacement.decode();
        if (!next) return next.error();
        if (next->is_root()) return errc::bad_domain;  // RFC 3403 §4.1: "." means "no replacement"
        step.next_domain = *next;
        return {};
    }
    // RFC 3403 §4.1: REGEXP and REPLACEMENT are mutually exclusive; here REGEXP gives the domain.
    auto subst = substitution::parse(n.regexp);
    if (!subst) return subst.error();
    std::string text;
    if (auto e = subst->apply(aus, text, options.step_budget)) return e;
    auto next = dns_name::from_text(text);
    if (!next || next->is_root()) return errc::bad_domain;
    step.next_domain = *next;
    return {};
}

}  // namespace detail

/// Evaluates the NAPTR records of `answer` (a NOERROR response to a NAPTR query for `asked`)
/// against the Application Unique String `aus` (RFC 3402 §3.2: every rule's ERE is applied to
/// the original string, also after non-terminal rules).
inline rule_evaluation evaluate_rules(const dns_message& answer, const dns_name& asked, std::string_view aus,
                                      const rule_options& options = {}) {
    rule_evaluation ev;
    const dns_name owner = detail::answer_owner(answer, asked, options.max_cname_chain);
    std::vector<naptr_record> records;
    for (const dns_record& rr : answer.answers()) {
        if (rr.type != rr_type::naptr || rr.rclass != class_in || !rr.owner.equals(owner)) continue;
        if (auto n = naptr_record::parse(rr)) records.push_back(*n);
    }
    ev.naptr_records = records.size();
    if (records.empty()) {
        ev.reason = errc::no_naptr_records;
        return ev;
    }
    // RFC 3403 §4.1: ORDER first, PREFERENCE within an ORDER; stable, so equal records keep
    // the server's order.
    std::stable_sort(records.begin(), records.end(), [](const naptr_record& a, const naptr_record& b) {
        return a.order != b.order ? a.order < b.order : a.preference < b.preference;
    });
    std::error_code first_failure;
    for (std::size_t i = 0; i < records.size();) {
        std::size_t group_end = i;
        while (group_end < records.size() && records[group_end].order == records[i].order) ++group_end;
        for (; i < group_end; ++i) {
            rule_step step;
            bool candidate = false;
            const std::error_code e = detail::apply_rule(records[i], aus, options, step, candidate);
            if (!e) {
                ev.steps.push_back(std::move(step));
            } else if (candidate) {
                ev.failures.push_back(rule_failure{records[i].order, records[i].preference, e});
                if (!first_failure) first_failure = e;
            }
        }
        if (!ev.steps.empty()) return ev;
    }
    ev.reason = first_failure ? first_failure : make_error_code(errc::no_sip_service);
    return ev;
}

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_RULES_HPP
