// Test helper: how many times the global operator new ran (counted in tests/unit/allocations.cpp).
#pragma once
#include <atomic>
#include <cstddef>

extern std::atomic<std::size_t> natkit_test_allocations;

/// Allocations made while running f().
template <class F>
std::size_t allocations_during(F&& f) {
    const std::size_t before = natkit_test_allocations.load();
    f();
    return natkit_test_allocations.load() - before;
}
