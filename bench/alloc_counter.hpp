// bench/alloc_counter.hpp - counts heap allocations, so that benchmarks report allocs/op.
//
// Every translation unit may include this header for alloc_meter. Exactly one translation unit
// of each program defines NATKIT_ALLOC_COUNTER_IMPLEMENTATION before including it: that one
// gets the replacements of the global operator new/delete ([replacement.functions]; they must
// not be inline, hence the macro) and, on glibc, of malloc/calloc/realloc/free, so that C
// libraries linked into the benchmark (libre allocates with malloc) are counted too.
//
//     natkit_bench::alloc_meter meter;
//     for (auto _ : state) { ... }
//     meter.report(state);              // state.counters["allocs/op"]
//
// Counts are per thread (the benchmark loop runs on one thread) and cost one thread-local
// increment per allocation. Set NATKIT_ALLOC_COUNTER_HOOK_MALLOC to 0 to count operator new only;
// it is 0 by default under sanitizers, which interpose malloc themselves.
#ifndef NATKIT_BENCH_ALLOC_COUNTER_HPP
#define NATKIT_BENCH_ALLOC_COUNTER_HPP

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <benchmark/benchmark.h>

#ifndef NATKIT_ALLOC_COUNTER_HOOK_MALLOC
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NATKIT_ALLOC_COUNTER_HOOK_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define NATKIT_ALLOC_COUNTER_HOOK_MALLOC 0
#endif
#endif
#endif
#ifndef NATKIT_ALLOC_COUNTER_HOOK_MALLOC
#if defined(__GLIBC__)
#define NATKIT_ALLOC_COUNTER_HOOK_MALLOC 1
#else
#define NATKIT_ALLOC_COUNTER_HOOK_MALLOC 0
#endif
#endif

namespace natkit_bench {

struct alloc_counts {
    std::uint64_t allocations = 0;    ///< operator new, malloc, calloc, realloc calls
    std::uint64_t deallocations = 0;  ///< operator delete and free calls with a non-null pointer
};

namespace detail {
inline thread_local alloc_counts counts;

inline void note_allocation() noexcept { ++counts.allocations; }
inline void note_deallocation() noexcept { ++counts.deallocations; }
}  // namespace detail

/// The calling thread's counts so far.
inline alloc_counts alloc_snapshot() noexcept { return detail::counts; }

/// True when C allocations (malloc and friends) are counted as well as operator new.
inline constexpr bool counts_malloc = NATKIT_ALLOC_COUNTER_HOOK_MALLOC != 0;

/// Measures the allocations of one benchmark run: construct it just before the timed loop,
/// call report() just after.
class alloc_meter {
public:
    alloc_meter() noexcept : start_(detail::counts.allocations) {}

    /// Allocations since construction.
    std::uint64_t allocations() const noexcept { return detail::counts.allocations - start_; }

    /// Sets the user counter "allocs/op" (allocations per iteration).
    void report(benchmark::State& state) const {
        const std::uint64_t n = allocations();  // read before the counter map allocates
        const auto iterations = state.iterations();
        state.counters["allocs/op"] =
            iterations > 0 ? static_cast<double>(n) / static_cast<double>(iterations) : 0.0;
    }

private:
    std::uint64_t start_;
};

}  // namespace natkit_bench

#ifdef NATKIT_ALLOC_COUNTER_IMPLEMENTATION

#if NATKIT_ALLOC_COUNTER_HOOK_MALLOC
// glibc's allocator under its internal names: the replacements below forward to it. Calls from
// shared libraries reach these definitions because the executable's malloc interposes libc's.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void __libc_free(void* p);

void* malloc(std::size_t size) noexcept {
    natkit_bench::detail::note_allocation();
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
    natkit_bench::detail::note_allocation();
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
    // Growing or shrinking a block is a trip into the allocator too.
    natkit_bench::detail::note_allocation();
    return __libc_realloc(p, size);
}
void free(void* p) noexcept {
    if (p) natkit_bench::detail::note_deallocation();
    __libc_free(p);
}
}
#endif

namespace natkit_bench {
namespace detail {
inline void* counted_new(std::size_t size) noexcept {
    if (size == 0) size = 1;
    // With the malloc hook the allocation is counted there; count it here otherwise.
    if (!counts_malloc) note_allocation();
    return std::malloc(size);
}
inline void* counted_new_aligned(std::size_t size, std::align_val_t align) noexcept {
    const auto a = static_cast<std::size_t>(align);
    if (size == 0) size = 1;
    size = (size + a - 1) / a * a;  // aligned_alloc wants a multiple of the alignment
    note_allocation();                 // aligned_alloc is not hooked
    return std::aligned_alloc(a, size);
}
inline void counted_delete(void* p) noexcept {
    if (!p) return;
    if (!counts_malloc) note_deallocation();
    std::free(p);
}
inline void counted_delete_aligned(void* p) noexcept {
    if (!p) return;
    if (!counts_malloc) note_deallocation();  // std::free is hooked when counts_malloc
    std::free(p);
}
[[noreturn]] inline void out_of_memory() {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    throw std::bad_alloc();
#else
    std::abort();
#endif
}
}  // namespace detail
}  // namespace natkit_bench

void* operator new(std::size_t size) {
    void* p = natkit_bench::detail::counted_new(size);
    if (!p) natkit_bench::detail::out_of_memory();
    return p;
}
void* operator new[](std::size_t size) {
    void* p = natkit_bench::detail::counted_new(size);
    if (!p) natkit_bench::detail::out_of_memory();
    return p;
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return natkit_bench::detail::counted_new(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return natkit_bench::detail::counted_new(size); }
void* operator new(std::size_t size, std::align_val_t align) {
    void* p = natkit_bench::detail::counted_new_aligned(size, align);
    if (!p) natkit_bench::detail::out_of_memory();
    return p;
}
void* operator new[](std::size_t size, std::align_val_t align) {
    void* p = natkit_bench::detail::counted_new_aligned(size, align);
    if (!p) natkit_bench::detail::out_of_memory();
    return p;
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    return natkit_bench::detail::counted_new_aligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    return natkit_bench::detail::counted_new_aligned(size, align);
}

void operator delete(void* p) noexcept { natkit_bench::detail::counted_delete(p); }
void operator delete[](void* p) noexcept { natkit_bench::detail::counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { natkit_bench::detail::counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { natkit_bench::detail::counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { natkit_bench::detail::counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { natkit_bench::detail::counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { natkit_bench::detail::counted_delete_aligned(p); }
void operator delete[](void* p, std::align_val_t) noexcept { natkit_bench::detail::counted_delete_aligned(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { natkit_bench::detail::counted_delete_aligned(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { natkit_bench::detail::counted_delete_aligned(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    natkit_bench::detail::counted_delete_aligned(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    natkit_bench::detail::counted_delete_aligned(p);
}

#endif  // NATKIT_ALLOC_COUNTER_IMPLEMENTATION

#endif  // NATKIT_BENCH_ALLOC_COUNTER_HPP
