// The link manager's log: one readable line per thing it learned or did, or (--json) one JSON
// object per line with an "event" name, fields and "t_ms" since start-up.
#ifndef NATKIT_EXAMPLES_LINK_MANAGER_EVENT_LOG_HPP
#define NATKIT_EXAMPLES_LINK_MANAGER_EVENT_LOG_HPP

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <iostream>
#include <string>
#include <string_view>

#include "../cli.hpp"

namespace link_manager {

/// One field of a JSON line: a string (quoted) or a number/boolean/null written as it is.
struct field {
    std::string_view key;
    std::string value;
    bool quoted = true;

    field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
    field(std::string_view k, const char* v) : key(k), value(v) {}
    field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
    field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
    field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
};

class event_log {
public:
    explicit event_log(bool json) : json_(json), start_(std::chrono::steady_clock::now()) {}

    /// Writes one event: `text` is the readable line, `fields` the JSON object's members.
    void emit(std::string_view event, std::initializer_list<field> fields, std::string_view text) {
        const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
        if (json_) {
            std::string line = "{\"event\":" + cli::json_string(event);
            for (const field& f : fields) {
                line += ',' + cli::json_string(f.key) + ':';
                line += f.quoted ? cli::json_string(f.value) : f.value;
            }
            line += ",\"t_ms\":" + std::to_string(t) + "}\n";
            std::cout << line;
        } else {
            std::string stamp = std::to_string(t);
            if (stamp.size() < 7) stamp.insert(0, 7 - stamp.size(), ' ');
            std::cout << stamp << " ms  " << text << "\n";
        }
        std::cout.flush();  // a supervisor or a test reads the log while the program runs
    }

    bool json() const noexcept { return json_; }

private:
    bool json_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace link_manager

#endif  // NATKIT_EXAMPLES_LINK_MANAGER_EVENT_LOG_HPP
