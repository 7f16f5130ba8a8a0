// natkit/keepalive/timing_wheel.hpp - a hierarchical timing wheel over integer node ids:
// O(1) schedule, cancel and reschedule, and an advance that skips empty time quickly.
//
// Four levels of 256 slots cover 2^32 ticks (with 1 ms ticks, 49 days), like the classic
// Varghese & Lauck scheme: a timer sits in level L when it is due within 256^(L+1) ticks, and
// moves down a level ("cascades") when its level-L slot comes round, at most once per level.
// Nodes are linked through two arrays of indices, with one sentinel per slot, so the wheel
// needs 12 bytes per node (next, prev, due) and never allocates after reserve().
#ifndef NATKIT_KEEPALIVE_TIMING_WHEEL_HPP
#define NATKIT_KEEPALIVE_TIMING_WHEEL_HPP

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "natkit/config.hpp"

NATKIT_BEGIN_NAMESPACE
namespace keepalive {

class timing_wheel {
public:
    using tick = std::uint64_t;
    static constexpr std::uint32_t none = 0xFFFFFFFFu;

    explicit timing_wheel(tick start = 0) : now_(start) {
        links_.resize(base);
        for (std::uint32_t s = 0; s < base; ++s) links_[s] = link{s, s, 0};
    }

    /// Makes room for node ids [0, n) without reallocating later.
    void reserve(std::size_t n) {
        if (links_.size() < base + n) links_.resize(base + n, link{none, none, 0});
    }

    /// Schedules node `id` at `due` (a past `due` fires at the next advance). If it was
    /// scheduled already, it is moved. O(1).
    void schedule(std::uint32_t id, tick due) {
        reserve(std::size_t{id} + 1);
        cancel(id);
        ++size_;
        if (due <= now_) {  // already due: the next advance() fires it, even to the same tick
            links_[base + id].due = static_cast<std::uint32_t>(now_);
            push(base + id, immediate);
            return;
        }
        // Timers are kept within 2^31 ticks (24 days at 1 ms), well inside the top level.
        if (due - now_ > max_delay) due = now_ + max_delay;
        links_[base + id].due = static_cast<std::uint32_t>(due);
        insert(base + id, due);
    }
    /// The farthest a timer can be scheduled ahead of now().
    static constexpr tick max_delay = tick{1} << 31;

    /// Removes node `id` if scheduled. O(1).
    void cancel(std::uint32_t id) noexcept {
        const std::size_t k = base + std::size_t{id};
        if (k >= links_.size() || links_[k].next == none) return;
        unlink(static_cast<std::uint32_t>(k));
        --size_;
    }

    bool scheduled(std::uint32_t id) const noexcept {
        const std::size_t k = base + std::size_t{id};
        return k < links_.size() && links_[k].next != none;
    }
    /// The due tick of a scheduled node (low 32 bits).
    std::uint32_t due_low32(std::uint32_t id) const noexcept { return links_[base + id].due; }

    std::size_t size() const noexcept { return size_; }
    tick now() const noexcept { return now_; }

    /// Moves time to `to`, calling fire(id) for every node due at or before it, in due order
    /// (ties in any order). A fired node is unscheduled before fire() runs, so fire() may
    /// schedule it again.
    template <class Fire>
    void advance(tick to, Fire&& fire) {
        fire_list(immediate, fire);
        while (now_ < to) {
            // Jump over empty level-0 slots, but stop at each 256-tick boundary to cascade.
            const tick boundary = (now_ | 0xFFu) + 1;
            tick next = next_busy_level0(now_ + 1, boundary < to ? boundary : to);
            now_ = next;
            if ((now_ & 0xFFu) == 0) cascade();
            fire_list(static_cast<std::uint32_t>(now_ & 0xFFu), fire);
        }
    }

    /// The earliest tick at which something may be due (a lower bound: exact for level 0,
    /// the start of the slot for higher levels); tick max when empty.
    tick next_due() const noexcept {
        if (size_ == 0) return ~tick{0};
        if (links_[immediate].next != immediate) return now_;
        for (tick t = now_ + 1; t <= ((now_ | 0xFFu) + 1); ++t) {
            if ((t & 0xFFu) == 0) break;
            if (links_[t & 0xFFu].next != (t & 0xFFu)) return t;
        }
        // Otherwise the next cascade point is the earliest anything can fire.
        return (now_ | 0xFFu) + 1;
    }

private:
    struct link {
        std::uint32_t next;
        std::uint32_t prev;
        std::uint32_t due;  // low 32 bits of the due tick
    };
    static constexpr std::uint32_t levels = 4;
    static constexpr std::uint32_t slots_per_level = 256;
    static constexpr std::uint32_t slot_count = levels * slots_per_level;
    static constexpr std::uint32_t immediate = slot_count;  // sentinel of the "due already" list
    static constexpr std::uint32_t base = slot_count + 1;   // links_[base + id] is node id

    /// Fires the nodes in list `head` that were there when it was called (fire() may add more,
    /// which wait for the next advance, so a timer rescheduled "now" cannot loop forever).
    template <class Fire>
    void fire_list(std::uint32_t head, Fire& fire) {
        std::uint32_t last = links_[head].prev;
        if (last == head) return;
        for (;;) {
            const std::uint32_t k = links_[head].next;
            unlink(k);
            --size_;
            fire(k - base);
            if (k == last) return;
        }
    }
    /// Appends node k at the tail of list `head`.
    void push(std::uint32_t k, std::uint32_t head) noexcept {
        link& h = links_[head];
        links_[k].prev = h.prev;
        links_[k].next = head;
        links_[h.prev].next = k;
        h.prev = k;
    }

    void insert(std::uint32_t k, tick due) noexcept {
        const tick delta = due - now_;
        std::uint32_t level = 0;
        while (level + 1 < levels && delta >= (tick{1} << (8 * (level + 1)))) ++level;
        push(k, static_cast<std::uint32_t>(level * slots_per_level + ((due >> (8 * level)) & 0xFFu)));
    }
    void unlink(std::uint32_t k) noexcept {
        link& n = links_[k];
        links_[n.prev].next = n.next;
        links_[n.next].prev = n.prev;
        n.next = n.prev = none;
    }
    /// At a 256-tick boundary, the due slot of each higher level moves down.
    void cascade() {
        for (std::uint32_t level = 1; level < levels; ++level) {
            const auto slot = static_cast<std::uint32_t>(level * slots_per_level + ((now_ >> (8 * level)) & 0xFFu));
            std::uint32_t k = links_[slot].next;
            links_[slot].next = links_[slot].prev = slot;
            while (k != slot) {
                const std::uint32_t next = links_[k].next;
                // Rebuild the full due tick from its low 32 bits (it is within 2^32 of now).
                const tick due = (now_ & ~tick{0xFFFFFFFFu}) | links_[k].due;
                const tick full = due < now_ ? due + (tick{1} << 32) : due;
                insert(k, full < now_ ? now_ : full);
                k = next;
            }
            if (((now_ >> (8 * level)) & 0xFFu) != 0) break;  // higher levels only at their boundary
        }
    }
    tick next_busy_level0(tick from, tick limit) const noexcept {
        for (tick t = from; t < limit; ++t)
            if (links_[t & 0xFFu].next != (t & 0xFFu)) return t;
        return limit;
    }

    std::vector<link> links_;
    tick now_;
    std::size_t size_ = 0;
};

}  // namespace keepalive
NATKIT_END_NAMESPACE

#endif  // NATKIT_KEEPALIVE_TIMING_WHEEL_HPP
