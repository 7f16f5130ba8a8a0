// natkit/enum/resolv_conf.hpp - the parts of resolv.conf(5) a stub resolver needs: the
// name servers, and the "timeout" and "attempts" options. Text in, values out; reading
// /etc/resolv.conf is the caller's (the Asio adapter's) business.
#ifndef NATKIT_ENUM_RESOLV_CONF_HPP
#define NATKIT_ENUM_RESOLV_CONF_HPP

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "natkit/config.hpp"
#include "natkit/core/endpoint.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// What resolv.conf says about the servers to ask.
struct resolv_conf {
    /// "nameserver" lines in order, port 53 (resolv.conf has no port syntax). Lines whose
    /// address natkit cannot read (e.g. an IPv6 address with a zone, "fe80::1%eth0") are skipped.
    std::vector<endpoint> nameservers;
    std::optional<std::chrono::milliseconds> timeout;  ///< "options timeout:N" (seconds, capped at 30)
    std::optional<unsigned> attempts;                  ///< "options attempts:N" (capped at 5)

    /// Reads the text of a resolv.conf. Unknown keywords and malformed lines are ignored, as
    /// the C library does.
    static resolv_conf parse(std::string_view text) {
        resolv_conf conf;
        while (!text.empty()) {
            const std::size_t nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
            if (const std::size_t hash = line.find_first_of("#;"); hash != std::string_view::npos) line = line.substr(0, hash);
            const auto word = [&line]() {
                const std::size_t b = line.find_first_not_of(" \t\r");
                if (b == std::string_view::npos) {
                    line = {};
                    return std::string_view();
                }
                line = line.substr(b);
                const std::size_t e = line.find_first_of(" \t\r");
                const std::string_view w = line.substr(0, e);
                line = e == std::string_view::npos ? std::string_view() : line.substr(e);
                return w;
            };
            const std::string_view key = word();
            if (key == "nameserver") {
                if (auto a = ip_address::parse(word())) conf.nameservers.emplace_back(*a, 53);
            } else if (key == "options") {
                for (std::string_view opt = word(); !opt.empty(); opt = word()) {
                    unsigned value = 0;
                    if (option(opt, "timeout:", 30, value)) conf.timeout = std::chrono::seconds(value);
                    if (option(opt, "attempts:", 5, value)) conf.attempts = value;
                }
            }
        }
        return conf;
    }

private:
    static bool option(std::string_view opt, std::string_view name, unsigned cap, unsigned& value) noexcept {
        if (opt.substr(0, name.size()) != name) return false;
        const std::string_view digits = opt.substr(name.size());
        if (digits.empty() || digits.size() > 4) return false;
        value = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return false;
            value = value * 10u + static_cast<unsigned>(c - '0');
        }
        if (value > cap) value = cap;
        if (value == 0) value = 1;
        return true;
    }
};

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_RESOLV_CONF_HPP
