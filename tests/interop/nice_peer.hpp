// Interop test support: libnice's STUN codec (never include together with re_peer.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "interop/common.hpp"
#include "natkit/stun/header.hpp"

// libnice: the STUN half (pure C, no GLib types in these headers). They carry extern "C".
#include <stun/stunagent.h>
#include <stun/stunmessage.h>

namespace interop {

// --- libnice -----------------------------------------------------------------------------

/// libnice's StunTransactionId is the 16 bytes after type and length: cookie + 96-bit id.
inline natkit::stun::transaction_id nice_tid(const StunMessage& msg) {
    StunTransactionId id;
    stun_message_id(&msg, id);
    return natkit::stun::transaction_id::from(id + 4);
}

/// What libnice's validater callback sees and answers: the credentials it accepts.
struct nice_credentials {
    nice_credentials(std::string user, std::string pass) : username(std::move(user)), password(std::move(pass)) {}
    std::string username;
    std::string password;
    int calls = 0;
    std::string seen_username;
};

/// A StunMessageIntegrityValidate: accepts exactly `username` and hands libnice `password`
/// (libnice derives the long-term key MD5(username:realm:password) itself when the agent
/// uses long-term credentials).
inline bool nice_validater(StunAgent*, StunMessage*, std::uint8_t* username, std::uint16_t username_len,
                           std::uint8_t** password, std::size_t* password_len, void* user_data) {
    auto* c = static_cast<nice_credentials*>(user_data);
    ++c->calls;
    c->seen_username = username ? std::string(reinterpret_cast<const char*>(username), username_len) : std::string();
    if (c->seen_username != c->username) return false;
    *password = reinterpret_cast<std::uint8_t*>(c->password.data());
    *password_len = c->password.size();
    return true;
}

/// An RFC 5389 agent that knows the standard attributes.
inline StunAgent nice_agent(unsigned usage_flags) {
    StunAgent agent;
    stun_agent_init(&agent, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    static_cast<StunAgentUsageFlags>(usage_flags));
    return agent;
}

inline std::string nice_find_string(const StunMessage& msg, StunAttribute type) {
    char buf[800];
    if (stun_message_find_string(&msg, type, buf, sizeof buf) != STUN_MESSAGE_RETURN_SUCCESS) return "<missing>";
    return buf;
}

}  // namespace interop
