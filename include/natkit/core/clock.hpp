// natkit/core/clock.hpp - the time type of the sans-I/O components.
//
// natkit's state machines never read a clock: every call that depends on time takes `now`.
// They use std::chrono::steady_clock's time_point, which tests fabricate freely
// (time_point{} + 1500ms) and event loops take from steady_clock::now().
#ifndef NATKIT_CORE_CLOCK_HPP
#define NATKIT_CORE_CLOCK_HPP

#include <chrono>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using duration = clock::duration;

NATKIT_END_NAMESPACE

#endif  // NATKIT_CORE_CLOCK_HPP
