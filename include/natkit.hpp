// natkit.hpp - every header of natkit's sans-I/O core (not the Asio adapters).
#ifndef NATKIT_HPP
#define NATKIT_HPP

#include "natkit/config.hpp"
#include "natkit/version.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/packet_kind.hpp"
#include "natkit/core/result.hpp"
#include "natkit/stun/attribute.hpp"
#include "natkit/stun/attributes.hpp"
#include "natkit/stun/builder.hpp"
#include "natkit/stun/error.hpp"
#include "natkit/stun/header.hpp"
#include "natkit/stun/integrity_key.hpp"
#include "natkit/stun/message.hpp"
#include "natkit/stun/stream_framer.hpp"

#endif  // NATKIT_HPP
