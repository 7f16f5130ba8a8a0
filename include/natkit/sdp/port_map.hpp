// natkit/sdp/port_map.hpp - which public port a local (RTP/RTCP) port appears as.
//
// A PBX learns, with STUN, the public port of each RTP socket; or its router forwards a whole
// range (55000-55999 to 40000-40999). Both are entries here: a single port is a range of one.
#ifndef NATKIT_SDP_PORT_MAP_HPP
#define NATKIT_SDP_PORT_MAP_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "natkit/config.hpp"
#include "natkit/core/endpoint.hpp"
#include "natkit/core/result.hpp"
#include "natkit/sdp/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace sdp {

/// Local ports local_first..local_last (inclusive) appear as public_first.. in the same order.
struct port_mapping {
    /// First local port of the range.
    std::uint16_t local_first = 0;
    /// Last local port of the range (inclusive).
    std::uint16_t local_last = 0;
    /// The public port of local_first.
    std::uint16_t public_first = 0;

    /// One local port and its public port.
    static constexpr port_mapping single(std::uint16_t local, std::uint16_t public_port) noexcept {
        return port_mapping{local, local, public_port};
    }
    /// Local ports first..last as public_first..public_first + (last - first). Fails with
    /// errc::bad_port_mapping when last < first or the public range would run past 65535.
    static result<port_mapping> range(std::uint16_t first, std::uint16_t last, std::uint16_t public_first) noexcept {
        if (last < first || unsigned{public_first} + (unsigned{last} - first) > 65535u) return errc::bad_port_mapping;
        return port_mapping{first, last, public_first};
    }
    /// Parses "LOCAL=PUBLIC" or "FIRST-LAST=PUBLIC_FIRST" (decimal ports, no spaces), the
    /// forms of natkit-sdp-rewrite's --map-port and --map-range. Fails with
    /// errc::bad_port_mapping.
    static result<port_mapping> parse(std::string_view text) noexcept {
        const std::size_t eq = text.find('=');
        if (eq == std::string_view::npos) return errc::bad_port_mapping;
        const std::string_view local = text.substr(0, eq);
        std::uint16_t first = 0, last = 0, pub = 0;
        if (!natkit::detail::parse_port(text.substr(eq + 1), pub)) return errc::bad_port_mapping;
        const std::size_t dash = local.find('-');
        if (dash == std::string_view::npos) {
            if (!natkit::detail::parse_port(local, first)) return errc::bad_port_mapping;
            last = first;
        } else if (!natkit::detail::parse_port(local.substr(0, dash), first) ||
                   !natkit::detail::parse_port(local.substr(dash + 1), last)) {
            return errc::bad_port_mapping;
        }
        return range(first, last, pub);
    }

    /// True when `local` is in local_first..local_last.
    constexpr bool contains(std::uint16_t local) const noexcept { return local >= local_first && local <= local_last; }
    /// The public port of `local`. Precondition: contains(local).
    constexpr std::uint16_t map(std::uint16_t local) const noexcept {
        return static_cast<std::uint16_t>(public_first + (local - local_first));
    }

    ///@{
    /// Equal when all three ports are equal.
    friend constexpr bool operator==(const port_mapping& a, const port_mapping& b) noexcept {
        return a.local_first == b.local_first && a.local_last == b.local_last && a.public_first == b.public_first;
    }
    friend constexpr bool operator!=(const port_mapping& a, const port_mapping& b) noexcept { return !(a == b); }
    ///@}
};

/// Up to `capacity` non-overlapping port mappings; no heap storage (a few hundred bytes), so a
/// PBX can copy its base rules per call and add that call's STUN-learned ports.
class port_map {
public:
    /// How many mappings fit.
    static constexpr std::size_t capacity = 64;

    /// Adds a mapping. Fails with errc::overlapping_port_mapping when one of its local ports is
    /// mapped already (an identical mapping is accepted once more and ignored), and with
    /// errc::too_many_port_mappings when the map is full.
    std::error_code add(const port_mapping& m) noexcept {
        for (std::size_t k = 0; k < count_; ++k) {
            const port_mapping& e = entries_[k];
            if (e == m) return {};
            if (m.local_first <= e.local_last && e.local_first <= m.local_last) return errc::overlapping_port_mapping;
        }
        if (count_ == capacity) return errc::too_many_port_mappings;
        entries_[count_++] = m;
        return {};
    }
    /// Adds local → public, replacing a single-port mapping of `local` if there is one (a
    /// binding whose public port changed). Fails as add() otherwise.
    std::error_code set(std::uint16_t local, std::uint16_t public_port) noexcept {
        for (std::size_t k = 0; k < count_; ++k) {
            port_mapping& e = entries_[k];
            if (e.local_first == local && e.local_last == local) {
                e.public_first = public_port;
                return {};
            }
        }
        return add(port_mapping::single(local, public_port));
    }
    /// Removes the mapping that contains `local`; false when there is none.
    bool erase(std::uint16_t local) noexcept {
        for (std::size_t k = 0; k < count_; ++k) {
            if (entries_[k].contains(local)) {
                entries_[k] = entries_[--count_];
                return true;
            }
        }
        return false;
    }
    /// Removes every mapping.
    void clear() noexcept { count_ = 0; }

    /// The public port of `local`, if a mapping contains it.
    std::optional<std::uint16_t> find(std::uint16_t local) const noexcept {
        for (std::size_t k = 0; k < count_; ++k)
            if (entries_[k].contains(local)) return entries_[k].map(local);
        return std::nullopt;
    }
    /// The public port of `first` when one mapping contains all of first..first + span - 1
    /// (so the block keeps its layout, as an m= port/count needs, RFC 8866 §5.14).
    std::optional<std::uint16_t> find_block(std::uint16_t first, std::uint32_t span) const noexcept {
        if (span == 0) return std::nullopt;
        const std::uint32_t last = std::uint32_t{first} + span - 1u;
        for (std::size_t k = 0; k < count_; ++k) {
            const port_mapping& e = entries_[k];
            if (e.contains(first) && last <= e.local_last) return e.map(first);
        }
        return std::nullopt;
    }

    ///@{
    /// The mappings, in the order they were added.
    const port_mapping* begin() const noexcept { return entries_.data(); }
    const port_mapping* end() const noexcept { return entries_.data() + count_; }
    std::size_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    ///@}

private:
    std::array<port_mapping, capacity> entries_{};
    std::size_t count_ = 0;
};

}  // namespace sdp
NATKIT_END_NAMESPACE

#endif  // NATKIT_SDP_PORT_MAP_HPP
