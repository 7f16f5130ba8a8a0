// natkit/keepalive/timing_wheel.hpp - a hierarchical timing wheel over integer node ids:
// O(1) schedule, cancel and reschedule, and an advance that skips empty time quickly.
//
// Four levels of 256 slots cover 2^32 ticks (with 1 ms ticks, 49 days), like the classic
// Varghese & Lauck scheme: a timer sits in level L when it is due within 256^(L+1) ticks, and
// moves down a level ("cascades") when its level-L slot comes round, at most once per level.
//
// Memory layout, chosen for a million timers whose state does not fit in cache:
//  - Each slot is a list of 8-byte entries (node id, the node's word when it was scheduled)
//    stored in 256-byte chunks from a shared pool. Appending and draining a slot touch memory
//    sequentially; a cascade reads the due tick from the entry, not from the node.
//  - Each node has one 32-bit word: 0 when not scheduled, otherwise its state and due tick
//    (modulo 2^30) or, for the "due already" list, the list's pass number. The word lives
//    wherever the owner wants it (basic_timing_wheel's Words parameter): the keepalive
//    scheduler keeps it inside its per-binding record, which it reads when the timer fires
//    anyway, so a firing timer costs one cache miss instead of a walk through linked lists.
//  - Cancel and reschedule only change the word; the old entry becomes stale and is dropped
//    when it comes up (its word no longer matches). If the pool runs out of chunks while stale
//    entries exceed a quarter of the live ones, a sweep drops them all instead of the pool
//    growing (amortised O(1)), so memory stays bounded.
// No allocation after reserve() while the number of entries stays within what was reserved.
#ifndef NATKIT_KEEPALIVE_TIMING_WHEEL_HPP
#define NATKIT_KEEPALIVE_TIMING_WHEEL_HPP

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "natkit/config.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define NATKIT_KEEPALIVE_NOINLINE __attribute__((noinline))
#else
#define NATKIT_KEEPALIVE_NOINLINE
#endif

NATKIT_BEGIN_NAMESPACE
namespace keepalive {
namespace detail {

/// std::allocator that asks Linux for transparent huge pages (madvise MADV_HUGEPAGE) on the
/// 2 MiB-aligned inside of large blocks. A scheduler with a million bindings reads its records
/// in random order; with 4 KiB pages nearly every read also misses the TLB (a nested page walk
/// under virtualisation), which costs more than the cache miss itself. Nothing else changes:
/// the memory comes from operator new as before, no bytes are added, and where THP is off or
/// unsupported the advice is ignored.
template <class T>
struct huge_page_allocator {
    using value_type = T;
    huge_page_allocator() noexcept = default;
    template <class U>
    huge_page_allocator(const huge_page_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        T* p = std::allocator<T>{}.allocate(n);
        advise(p, n * sizeof(T));
        return p;
    }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
    static void advise(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
        if (bytes < 2 * huge) return;
        const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
        const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
        if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
        (void)p;
        (void)bytes;
#endif
    }
    template <class U>
    friend bool operator==(const huge_page_allocator&, const huge_page_allocator<U>&) noexcept { return true; }
    template <class U>
    friend bool operator!=(const huge_page_allocator&, const huge_page_allocator<U>&) noexcept { return false; }
};

}  // namespace detail

/// The wheel's algorithm. `Words` gives each node's 32-bit word:
///     std::uint32_t& operator()(std::uint32_t id)   (the node must exist)
///     void prefetch(std::uint32_t id) const          (a hint; may do nothing)
/// The caller passes it to every call, so the wheel holds no pointer into its owner.
class basic_timing_wheel {
public:
    /// Time in the caller's unit (the scheduler uses milliseconds).
    using tick = std::uint64_t;
    /// No node / no chunk.
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    /// The farthest a timer can be scheduled ahead of now() (6.2 days at 1 ms ticks).
    static constexpr tick max_delay = tick{1} << 29;

    /// An empty wheel whose now() is `start`.
    explicit basic_timing_wheel(tick start = 0) : now_(start) {}
    /// Moves the lists and their storage (node words stay with their owner).
    basic_timing_wheel(basic_timing_wheel&&) noexcept = default;
    /// Moves the lists and their storage.
    basic_timing_wheel& operator=(basic_timing_wheel&&) noexcept = default;

    /// Makes room for `n` scheduled timers (plus stale entries up to the sweep threshold)
    /// without allocating later.
    void reserve(std::size_t n) {
        // Part-filled chunks: one per non-empty list, in practice the 256 of level 0 and a few
        // hundred more. Beyond that (and for stale entries) blocks are allocated when first
        // needed, and kept.
        const std::size_t chunks = (n + chunk_entries - 1) / chunk_entries + 384;
        if (chunk_capacity() >= chunks) return;
        // One allocation for all the blocks, advised to huge pages like the scheduler's records:
        // drains hop from chunk to chunk across the pool, and each hop would miss the TLB.
        const std::size_t blocks = (chunks - chunk_capacity() + block_chunks - 1) / block_chunks;
        const std::size_t entries = blocks * block_chunks * chunk_entries;
        storage_.emplace_back(new entry[entries]);
        detail::huge_page_allocator<entry>::advise(storage_.back().get(), entries * sizeof(entry));
        for (std::size_t b = 0; b < blocks; ++b) add_block(storage_.back().get() + b * block_chunks * chunk_entries);
    }

    /// Schedules node `id` at `due` (a past `due` fires at the next advance, even to the same
    /// tick). If it was scheduled already, it is moved. O(1).
    template <class Words>
    void schedule(Words& words, std::uint32_t id, tick due) {
        std::uint32_t& w = words(id);
        if (w != 0) {
            ++stale_;
        } else {
            ++size_;
        }
        if (due <= now_) {
            w = state_immediate | pass_;
            push(immediate, entry{id, w});
        } else {
            if (due - now_ > max_delay) due = now_ + max_delay;
            w = state_slot | static_cast<std::uint32_t>(due & value_mask);
            push(slot_of(due), entry{id, w});
        }
        if (NATKIT_UNLIKELY(free_ == none)) maybe_sweep(words);
    }

    /// Unschedules node `id` if it was scheduled. O(1).
    template <class Words>
    void cancel(Words& words, std::uint32_t id) noexcept {
        std::uint32_t& w = words(id);
        if (w == 0) return;
        w = 0;
        --size_;
        ++stale_;
    }

    /// Whether a node's word says it is scheduled.
    static bool scheduled_word(std::uint32_t w) noexcept { return w != 0; }
    /// The due tick (low 32 bits) of a node with word `w`; now() for the "due already" list.
    std::uint32_t due_low32_of(std::uint32_t w) const noexcept {
        if ((w & state_mask) != state_slot) return static_cast<std::uint32_t>(now_);
        return static_cast<std::uint32_t>(now_ + ((w - now_) & value_mask));
    }

    /// Nodes scheduled.
    std::size_t size() const noexcept { return size_; }
    /// The tick the last advance() reached.
    tick now() const noexcept { return now_; }
    /// Entries held, live and stale (for tests and memory accounting).
    std::size_t entries() const noexcept {
        std::size_t n = 0;
        for (const auto& l : lists_) n += l.size;
        return n;
    }
    /// Bytes of storage the wheel holds (chunks, chunk links, list heads).
    std::size_t memory_bytes() const noexcept {
        return chunk_capacity() * (chunk_entries * sizeof(entry) + sizeof(std::uint32_t)) + sizeof(lists_) +
               blocks_.capacity() * sizeof(blocks_[0]) + storage_.capacity() * sizeof(storage_[0]);
    }

    /// Moves time to `to`, calling fire(id) for every node due at or before it, in due order
    /// (ties in any order). A fired node is unscheduled before fire() runs, so fire() may
    /// schedule it again; what it schedules for now or earlier fires at the next advance.
    template <class Words, class Fire>
    void advance(Words& words, tick to, Fire&& fire) {
        advancing_ = true;
        if (lists_[immediate].size != 0) {
            ++pass_;
            pass_ &= value_mask;
            fire_list(words, immediate, fire);
        }
        while (now_ < to) {
            // Jump over empty level-0 slots, but stop at each 256-tick boundary to cascade.
            const tick boundary = (now_ | 0xFFu) + 1;
            now_ = next_busy_level0(now_ + 1, boundary < to ? boundary : to);
            if ((now_ & 0xFFu) == 0) cascade();
            fire_list(words, static_cast<std::uint32_t>(now_ & 0xFFu), fire);
            prefetch_next_tick(words);
        }
        advancing_ = false;
        maybe_sweep(words);
    }

    /// The earliest tick at which something may be due (a lower bound: exact for level 0,
    /// the start of the slot for higher levels); tick max when empty.
    tick next_due() const noexcept {
        if (size_ == 0) return ~tick{0};
        if (lists_[immediate].size != 0) return now_;
        for (tick t = now_ + 1; (t & 0xFFu) != 0; ++t)
            if (lists_[t & 0xFFu].size != 0) return t;
        // Otherwise the next cascade point is the earliest anything can fire.
        return (now_ | 0xFFu) + 1;
    }

private:
    struct entry {
        std::uint32_t id;
        std::uint32_t word;
    };
    struct list {
        std::uint32_t head = none;
        std::uint32_t tail = none;
        std::uint32_t size = 0;
    };
    static constexpr std::uint32_t levels = 4;
    static constexpr std::uint32_t slots_per_level = 256;
    static constexpr std::uint32_t slot_count = levels * slots_per_level;
    static constexpr std::uint32_t immediate = slot_count;  // the "due already" list
    static constexpr std::uint32_t lists = slot_count + 1;
    static constexpr std::uint32_t chunk_entries = 32;      // 256 bytes
    static constexpr std::uint32_t block_chunks = 256;      // chunks are allocated 64 KiB at a time
    static constexpr std::uint32_t state_slot = 1u << 30;
    static constexpr std::uint32_t state_immediate = 2u << 30;
    static constexpr std::uint32_t state_mask = 3u << 30;
    static constexpr std::uint32_t value_mask = (1u << 30) - 1;
    static constexpr std::size_t sweep_slack = 4096;
    // How far ahead drains fetch. A node is fetched one chunk (32 entries) before it fires,
    // and a drain's chunks 12 ahead (48 cache lines): with a million nodes nearly every node
    // and chunk is a cache miss, whose latency (longer under virtualisation) 8 entries / 4
    // chunks of work did not cover: at 1M bindings they measured 4-12 ns per keepalive slower
    // (natkit-bench-keepalive --only=profile, A/B runs interleaved).
    static constexpr std::uint32_t prefetch_distance = 32;  // entries ahead whose nodes are fetched
    static constexpr std::uint32_t prefetch_chunks = 12;    // chunks fetched ahead of a drain
    static_assert(prefetch_distance <= chunk_entries, "fire_list() fetches at most one chunk ahead");

    std::uint32_t slot_of(tick due) const noexcept {
        const tick delta = due - now_;
        const std::uint32_t level = delta < (tick{1} << 8) ? 0 : delta < (tick{1} << 16) ? 1 : delta < (tick{1} << 24) ? 2 : 3;
        return level * slots_per_level + static_cast<std::uint32_t>((due >> (8 * level)) & 0xFFu);
    }

    std::size_t chunk_capacity() const noexcept { return blocks_.size() * block_chunks; }
    entry* chunk(std::uint32_t c) const noexcept {
        return blocks_[c / block_chunks] + std::size_t{c % block_chunks} * chunk_entries;
    }
    void add_block() {
        storage_.emplace_back(new entry[std::size_t{block_chunks} * chunk_entries]);
        add_block(storage_.back().get());
    }
    void add_block(entry* block) {
        const auto first = static_cast<std::uint32_t>(chunk_capacity());
        blocks_.push_back(block);
        next_.resize(chunk_capacity(), none);
        for (std::uint32_t c = block_chunks; c-- > 0;) free_chunk(first + c);
    }
    std::uint32_t take_chunk() {
        if (free_ == none) add_block();
        const std::uint32_t c = free_;
        free_ = next_[c];
        next_[c] = none;
        return c;
    }
    void free_chunk(std::uint32_t c) noexcept {
        next_[c] = free_;
        free_ = c;
    }
    void prefetch_chunk(std::uint32_t c) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        const char* p = reinterpret_cast<const char*>(chunk(c));
        for (std::size_t off = 0; off < chunk_entries * sizeof(entry); off += 64) __builtin_prefetch(p + off, 0, 3);
#else
        (void)c;
#endif
    }
    NATKIT_ALWAYS_INLINE void push(std::uint32_t l, entry e) {
        list& s = lists_[l];
        const std::uint32_t fill = s.size % chunk_entries;
        if (NATKIT_UNLIKELY(fill == 0)) new_tail(s);
        chunk(s.tail)[fill] = e;
        ++s.size;
    }
    /// The slow part of push(), kept out of line so that push() stays small.
    NATKIT_KEEPALIVE_NOINLINE void new_tail(list& s) {
        const std::uint32_t c = take_chunk();
        if (s.tail == none) s.head = c;
        else next_[s.tail] = c;
        s.tail = c;
    }

    /// Takes list `l` out of the wheel and calls each(entry) for its entries in order,
    /// returning each chunk to the pool once it has been read (so each() may push).
    template <class Each>
    void drain(std::uint32_t l, Each&& each) {
        const list s = lists_[l];
        lists_[l] = list{};
        std::uint32_t c = s.head;
        std::uint32_t left = s.size;
        // A list's chunks lie anywhere in the pool: fetch a few ahead of the one processed, or
        // each chunk costs a full memory latency (a pointer chase). `ahead` runs in front.
        std::uint32_t ahead = c;
        for (std::uint32_t k = 0; k < prefetch_chunks && ahead != none; ++k, ahead = next_[ahead]) prefetch_chunk(ahead);
        while (left != 0) {
            const std::uint32_t n = left < chunk_entries ? left : chunk_entries;
            const std::uint32_t next = next_[c];
            if (ahead != none) {
                prefetch_chunk(ahead);
                ahead = next_[ahead];
            }
            each(chunk(c), n, next, left - n);
            left -= n;
            free_chunk(c);
            c = next;
        }
    }

    /// Fires the live entries of list `l`; entries whose node word changed are stale.
    template <class Words, class Fire>
    void fire_list(Words& words, std::uint32_t l, Fire& fire) {
        if (lists_[l].size == 0) return;
        drain(l, [&](const entry* e, std::uint32_t n, std::uint32_t next, std::uint32_t after) {
            // Prefetch the nodes a few entries ahead (into the next chunk near the end).
            const entry* ahead = after != 0 ? chunk(next) : nullptr;
            const std::uint32_t ahead_n = after < chunk_entries ? after : chunk_entries;
            for (std::uint32_t i = 0; i < prefetch_distance && i < n; ++i) words.prefetch(e[i].id);
            for (std::uint32_t i = 0; i < n; ++i) {
                const std::uint32_t j = i + prefetch_distance;
                if (j < n) words.prefetch(e[j].id);
                else if (j - n < ahead_n) words.prefetch(ahead[j - n].id);
                std::uint32_t& w = words(e[i].id);
                if (w != e[i].word) {
                    --stale_;
                    continue;
                }
                w = 0;
                --size_;
                fire(e[i].id);
            }
        });
    }

    /// Fetches the nodes of the first entries due at the next tick. fire_list() fetches nodes
    /// `prefetch_distance` entries ahead, but the first ones of a list would still each wait a
    /// full memory latency; fetched here, at the end of the tick before, they arrive while the
    /// rest of this advance() (or the caller, until the next one) runs. A hint only: nothing
    /// else changes.
    template <class Words>
    void prefetch_next_tick(Words& words) const noexcept {
        const auto l = static_cast<std::uint32_t>((now_ + 1) & 0xFFu);
        if (l == 0) return;  // a cascade point: its list is filled then
        const list& s = lists_[l];
        if (s.size == 0) return;
        const entry* e = chunk(s.head);
        std::uint32_t n = s.size < prefetch_distance ? s.size : prefetch_distance;
        if (n > chunk_entries) n = chunk_entries;  // the head chunk only
        for (std::uint32_t i = 0; i < n; ++i) words.prefetch(e[i].id);
    }

    /// At a 256-tick boundary, the due slot of each higher level moves down.
    void cascade() {
        for (std::uint32_t level = 1; level < levels; ++level) {
            const auto slot = static_cast<std::uint32_t>(level * slots_per_level + ((now_ >> (8 * level)) & 0xFFu));
            drain(slot, [&](const entry* e, std::uint32_t n, std::uint32_t, std::uint32_t) {
                if (level == 1) {  // due within 256 ticks: level 0, at the due tick's low 8 bits
                    for (std::uint32_t i = 0; i < n; ++i) push(e[i].word & 0xFFu, e[i]);
                    return;
                }
                for (std::uint32_t i = 0; i < n; ++i) {
                    // The due tick is within 2^29 ahead of now (stale entries' too): rebuild it
                    // from its 30 low bits.
                    const tick due = now_ + ((e[i].word - now_) & value_mask);
                    push(slot_of(due), e[i]);
                }
            });
            if (((now_ >> (8 * level)) & 0xFFu) != 0) break;  // higher levels only at their boundary
        }
    }

    /// Stale entries are dropped when they come up. When the pool has no free chunk left and
    /// they exceed a quarter of the live ones, a sweep drops them all instead of the pool
    /// growing (not during advance(), whose lists are out of the wheel then).
    template <class Words>
    void maybe_sweep(Words& words) {
        if (free_ == none && stale_ > sweep_slack && stale_ > size_ / 4 && !advancing_) sweep(words);
    }
    /// Drops every stale entry (those whose node's word no longer matches).
    template <class Words>
    NATKIT_KEEPALIVE_NOINLINE void sweep(Words& words) {
        for (std::uint32_t l = 0; l < lists; ++l) {
            if (lists_[l].size == 0) continue;
            drain(l, [&](const entry* e, std::uint32_t n, std::uint32_t, std::uint32_t) {
                for (std::uint32_t i = 0; i < n; ++i)
                    if (words(e[i].id) == e[i].word) push(l, e[i]);
            });
        }
        stale_ = 0;
    }

    tick next_busy_level0(tick from, tick limit) const noexcept {
        for (tick t = from; t < limit; ++t)
            if (lists_[t & 0xFFu].size != 0) return t;
        return limit;
    }

    std::array<list, lists> lists_{};
    std::vector<std::unique_ptr<entry[]>> storage_;  // what was allocated: one or more blocks each
    std::vector<entry*> blocks_;                      // block k holds chunks [k, k+1) * block_chunks
    std::vector<std::uint32_t> next_;  // the next chunk of a list, or of the free list
    std::uint32_t free_ = none;
    tick now_;
    std::size_t size_ = 0;
    std::size_t stale_ = 0;
    std::uint32_t pass_ = 0;
    bool advancing_ = false;
};

/// A timing wheel that keeps its nodes' words itself (4 bytes per node id).
class timing_wheel {
public:
    /// Time in the caller's unit.
    using tick = basic_timing_wheel::tick;
    /// No node.
    static constexpr std::uint32_t none = basic_timing_wheel::none;
    /// The farthest a timer can be scheduled ahead of now().
    static constexpr tick max_delay = basic_timing_wheel::max_delay;

    /// An empty wheel whose now() is `start`.
    explicit timing_wheel(tick start = 0) : wheel_(start) {}

    /// Makes room for node ids [0, n) without reallocating later.
    void reserve(std::size_t n) {
        if (words_.w.size() < n) words_.w.resize(n, 0);
        wheel_.reserve(n);
    }
    /// Schedules node `id` at `due` (a past `due` fires at the next advance). If it was
    /// scheduled already, it is moved. O(1).
    void schedule(std::uint32_t id, tick due) {
        if (words_.w.size() <= id) words_.w.resize(std::size_t{id} + 1, 0);
        wheel_.schedule(words_, id, due);
    }
    /// Removes node `id` if scheduled. O(1).
    void cancel(std::uint32_t id) {
        if (id < words_.w.size()) wheel_.cancel(words_, id);
    }
    /// Whether node `id` is scheduled.
    bool scheduled(std::uint32_t id) const noexcept { return id < words_.w.size() && words_.w[id] != 0; }
    /// The due tick of a scheduled node (low 32 bits).
    std::uint32_t due_low32(std::uint32_t id) const noexcept { return wheel_.due_low32_of(words_.w[id]); }
    /// Nodes scheduled.
    std::size_t size() const noexcept { return wheel_.size(); }
    /// The tick the last advance() reached.
    tick now() const noexcept { return wheel_.now(); }
    /// Entries held, live and stale (for tests and memory accounting).
    std::size_t entries() const noexcept { return wheel_.entries(); }
    /// Bytes the wheel's lists hold (not counting the 4 bytes per node id).
    std::size_t memory_bytes() const noexcept { return wheel_.memory_bytes(); }
    /// Moves time to `to`, calling fire(id) for every node due at or before it, in due order
    /// (see basic_timing_wheel::advance).
    template <class Fire>
    void advance(tick to, Fire&& fire) {
        wheel_.advance(words_, to, fire);
    }
    /// The earliest tick at which something may be due; tick max when empty.
    tick next_due() const noexcept { return wheel_.next_due(); }

private:
    struct dense_words {
        std::vector<std::uint32_t> w;
        std::uint32_t& operator()(std::uint32_t id) noexcept { return w[id]; }
        void prefetch(std::uint32_t) const noexcept {}
    };
    basic_timing_wheel wheel_;
    dense_words words_;
};

}  // namespace keepalive
NATKIT_END_NAMESPACE

#endif  // NATKIT_KEEPALIVE_TIMING_WHEEL_HPP
