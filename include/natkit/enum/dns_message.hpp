// natkit/enum/dns_message.hpp - a validated, read-only view of one DNS message (RFC 1035 §4.1).
//
//     auto msg = enum_::dns_message::parse(datagram);
//     if (!msg) return msg.error();       // truncated, compression loop, bad NAPTR RDATA ...
//     for (const enum_::dns_record& rr : msg->answers()) ...
//
// parse() walks the whole message once: the header, every question, every record's owner
// name, its fixed fields and RDLENGTH, and the RDATA of the types natkit reads (NAPTR, CNAME),
// so that the accessors afterwards cannot fail. The view points into the caller's bytes: no
// copy, no allocation. Keep the bytes alive.
#ifndef NATKIT_ENUM_DNS_MESSAGE_HPP
#define NATKIT_ENUM_DNS_MESSAGE_HPP

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "natkit/config.hpp"
#include "natkit/core/bytes.hpp"
#include "natkit/core/result.hpp"
#include "natkit/enum/dns_name.hpp"
#include "natkit/enum/error.hpp"

NATKIT_BEGIN_NAMESPACE
namespace enum_ {

/// Resource record types and classes natkit names (RFC 1035 §3.2.2, RFC 3403 §4, RFC 6891).
namespace rr_type {
inline constexpr std::uint16_t cname = 5;  ///< CNAME (RFC 1035 §3.3.1)
inline constexpr std::uint16_t soa = 6;  ///< SOA (RFC 1035 §3.3.13)
inline constexpr std::uint16_t naptr = 35;  ///< NAPTR (RFC 3403 §4)
inline constexpr std::uint16_t opt = 41;  ///< OPT, the EDNS(0) pseudo-record (RFC 6891 §6.1)
}  // namespace rr_type
inline constexpr std::uint16_t class_in = 1;

/// RCODE values (RFC 1035 §4.1.1).
namespace rcode {
inline constexpr unsigned no_error = 0;  ///< NOERROR
inline constexpr unsigned format_error = 1;  ///< FORMERR: the server could not read the query
inline constexpr unsigned server_failure = 2;  ///< SERVFAIL
inline constexpr unsigned name_error = 3;  ///< NXDOMAIN: the name does not exist
inline constexpr unsigned not_implemented = 4;  ///< NOTIMP
inline constexpr unsigned refused = 5;  ///< REFUSED
}  // namespace rcode

namespace detail {
inline std::uint16_t load16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((unsigned{p[0]} << 8) | p[1]);
}
inline std::uint32_t load32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
}  // namespace detail

/// One entry of the question section.
struct dns_question {
    name_ref name;            ///< QNAME
    std::uint16_t type = 0;    ///< QTYPE
    std::uint16_t qclass = 0;  ///< QCLASS
};

/// One resource record: the owner name, the fixed fields, and the RDATA as a view. RDATA
/// offsets matter because RDATA names may point elsewhere in the message (message()).
struct dns_record {
    name_ref owner;          ///< the owner name
    std::uint16_t type = 0;  ///< TYPE
    std::uint16_t rclass = 0;  ///< CLASS (1: IN)
    std::uint32_t ttl = 0;  ///< TTL in seconds
    bytes_view rdata;  ///< the RDATA, RDLENGTH octets
    std::size_t rdata_offset = 0;  ///< where the RDATA starts in the message
    bytes_view message;  ///< the whole message, for names inside RDATA
};

/// Checks the RDATA of the record types natkit reads; errc{} for all other types.
inline errc validate_rdata(bytes_view message, std::uint16_t type, std::size_t rdata_offset, std::size_t rdata_length) noexcept;

/// Walks the records of one section of a validated message.
class record_iterator {
public:
    using value_type = dns_record;                        ///< iterator trait
    using difference_type = std::ptrdiff_t;               ///< iterator trait
    using pointer = const dns_record*;                    ///< iterator trait
    using reference = const dns_record&;                  ///< iterator trait
    using iterator_category = std::forward_iterator_tag;  ///< iterator trait

    /// The end of an empty range.
    record_iterator() noexcept = default;
    /// The first of `remaining` records starting at `offset` of a validated message.
    record_iterator(bytes_view message, std::size_t offset, std::size_t remaining) noexcept
        : message_(message), offset_(offset), remaining_(remaining) {
        load();
    }

    /// The current record.
    reference operator*() const noexcept { return current_; }
    /// The current record.
    pointer operator->() const noexcept { return &current_; }
    /// Moves to the next record of the section.
    record_iterator& operator++() noexcept {
        offset_ = current_.rdata_offset + current_.rdata.size();
        --remaining_;
        load();
        return *this;
    }
    /// Moves to the next record, returning the previous position.
    record_iterator operator++(int) noexcept {
        auto copy = *this;
        ++*this;
        return copy;
    }
    /// Same position in the same section.
    friend bool operator==(const record_iterator& a, const record_iterator& b) noexcept {
        return a.remaining_ == b.remaining_;
    }
    /// Different positions.
    friend bool operator!=(const record_iterator& a, const record_iterator& b) noexcept { return !(a == b); }

private:
    void load() noexcept {
        if (remaining_ == 0) return;
        std::size_t end = 0;
        // Validated by dns_message::parse(); the checks only keep a misuse from reading out of bounds.
        if (name_reader::skip(message_, offset_, end) != errc{} || end + 10 > message_.size()) {
            remaining_ = 0;
            return;
        }
        const std::uint8_t* p = message_.data() + end;
        current_.owner = name_ref(message_, offset_);
        current_.type = detail::load16(p);
        current_.rclass = detail::load16(p + 2);
        current_.ttl = detail::load32(p + 4);
        current_.rdata_offset = end + 10;
        current_.rdata = message_.subview(end + 10, detail::load16(p + 8));
        current_.message = message_;
    }

    bytes_view message_;
    std::size_t offset_ = 0;
    std::size_t remaining_ = 0;
    dns_record current_;
};

/// A range of records (one section).
class record_range {
public:
    /// The records from `b` to `e`.
    record_range(record_iterator b, record_iterator e) noexcept : begin_(b), end_(e) {}
    /// The first record.
    record_iterator begin() const noexcept { return begin_; }
    /// Past the last record.
    record_iterator end() const noexcept { return end_; }

private:
    record_iterator begin_, end_;
};

/// A DNS message that passed structural validation. Cheap to copy.
class dns_message {
public:
    static constexpr std::size_t header_size = 12;  ///< RFC 1035 §4.1.1

    /// Validates `bytes` as exactly one DNS message (a UDP payload, or a TCP message without
    /// its two-byte length prefix). On failure `error_offset` (when given) receives the offset
    /// where validation stopped.
    static result<dns_message> parse(bytes_view bytes, std::size_t* error_offset = nullptr) noexcept {
        dns_message m;
        std::size_t where = 0;
        const errc e = m.validate(bytes, where);
        if (e != errc{}) {
            if (error_offset) *error_offset = where;
            return e;
        }
        return m;
    }

    /// ID: pairs a response with its query.
    std::uint16_t id() const noexcept { return detail::load16(data_.data()); }
    /// The second 16 bits of the header: QR, Opcode, AA, TC, RD, RA, Z, RCODE.
    std::uint16_t flags() const noexcept { return detail::load16(data_.data() + 2); }
    /// QR: a response, not a query.
    bool is_response() const noexcept { return (flags() & 0x8000u) != 0; }
    /// Opcode: 0 for a standard query.
    unsigned opcode() const noexcept { return (flags() >> 11) & 0xFu; }
    /// AA: the server is authoritative for the answer.
    bool authoritative() const noexcept { return (flags() & 0x0400u) != 0; }
    /// TC: the answer did not fit (RFC 1035 §4.1.1); ask again over TCP (RFC 7766 §5).
    bool truncated() const noexcept { return (flags() & 0x0200u) != 0; }
    /// RD: the query asked the server to recurse.
    bool recursion_desired() const noexcept { return (flags() & 0x0100u) != 0; }
    /// RA: the server offers recursion.
    bool recursion_available() const noexcept { return (flags() & 0x0080u) != 0; }
    /// The 4-bit RCODE of the header (the EDNS extension bits of an OPT record are not added).
    unsigned rcode() const noexcept { return flags() & 0xFu; }

    std::uint16_t question_count() const noexcept { return detail::load16(data_.data() + 4); }     ///< QDCOUNT
    std::uint16_t answer_count() const noexcept { return detail::load16(data_.data() + 6); }       ///< ANCOUNT
    std::uint16_t authority_count() const noexcept { return detail::load16(data_.data() + 8); }    ///< NSCOUNT
    std::uint16_t additional_count() const noexcept { return detail::load16(data_.data() + 10); }  ///< ARCOUNT

    /// The first question; its name is the root and its type 0 when there is none.
    dns_question question() const noexcept {
        dns_question q;
        if (question_count() == 0) return q;
        std::size_t end = 0;
        (void)name_reader::skip(data_, header_size, end);
        q.name = name_ref(data_, header_size);
        q.type = detail::load16(data_.data() + end);
        q.qclass = detail::load16(data_.data() + end + 2);
        return q;
    }

    /// The answer section.
    record_range answers() const noexcept { return section(answers_at_, answer_count()); }
    /// The authority section.
    record_range authorities() const noexcept { return section(authorities_at_, authority_count()); }
    /// The additional section.
    record_range additionals() const noexcept { return section(additionals_at_, additional_count()); }

    /// The whole message.
    bytes_view bytes() const noexcept { return data_; }

private:
    record_range section(std::size_t offset, std::size_t count) const noexcept {
        return record_range(record_iterator(data_, offset, count), record_iterator(data_, offset, 0));
    }

    errc validate(bytes_view bytes, std::size_t& where) noexcept {
        data_ = bytes;
        where = 0;
        if (bytes.size() < header_size) return errc::truncated;
        std::size_t pos = header_size;
        for (std::size_t i = question_count(); i > 0; --i) {
            where = pos;
            std::size_t end = 0;
            const errc e = name_reader::skip(bytes, pos, end);
            if (e != errc{}) return e;
            if (end + 4 > bytes.size()) return errc::truncated;
            pos = end + 4;
        }
        const std::size_t counts[3] = {answer_count(), authority_count(), additional_count()};
        std::size_t* starts[3] = {&answers_at_, &authorities_at_, &additionals_at_};
        for (std::size_t s = 0; s < 3; ++s) {
            *starts[s] = pos;
            for (std::size_t i = counts[s]; i > 0; --i) {
                where = pos;
                std::size_t end = 0;
                errc e = name_reader::skip(bytes, pos, end);
                if (e != errc{}) return e;
                if (end + 10 > bytes.size()) return errc::truncated;
                const std::uint16_t type = detail::load16(bytes.data() + end);
                const std::size_t rdlength = detail::load16(bytes.data() + end + 8);
                const std::size_t rdata = end + 10;
                if (rdata + rdlength > bytes.size()) return errc::truncated;
                where = rdata;
                e = validate_rdata(bytes, type, rdata, rdlength);
                if (e != errc{}) return e;
                pos = rdata + rdlength;
            }
        }
        where = pos;
        if (pos != bytes.size()) return errc::trailing_bytes;
        return errc{};
    }

    bytes_view data_;
    std::size_t answers_at_ = header_size;
    std::size_t authorities_at_ = header_size;
    std::size_t additionals_at_ = header_size;
};

namespace detail {
/// Skips a <character-string> (RFC 1035 §3.3): a length octet and that many octets.
inline bool skip_character_string(bytes_view message, std::size_t& pos, std::size_t end) noexcept {
    if (pos >= end) return false;
    const std::size_t len = message[pos];
    if (pos + 1 + len > end) return false;
    pos += 1 + len;
    return true;
}
}  // namespace detail

inline errc validate_rdata(bytes_view message, std::uint16_t type, std::size_t rdata_offset,
                           std::size_t rdata_length) noexcept {
    const std::size_t end = rdata_offset + rdata_length;
    if (type == rr_type::cname) {
        std::size_t name_end = 0;
        // The name must lie in the RDATA (a pointer may lead out of it, RFC 1035 §4.1.4).
        const errc e = name_reader::skip(message.subview(0, end), rdata_offset, name_end);
        if (e != errc{}) return e == errc::truncated ? errc::bad_rdata : e;
        return name_end == end ? errc{} : errc::bad_rdata;
    }
    if (type == rr_type::naptr) {
        // RFC 3403 §4.1: ORDER, PREFERENCE, FLAGS, SERVICES, REGEXP, REPLACEMENT, nothing more.
        std::size_t pos = rdata_offset + 4;
        if (pos > end) return errc::bad_rdata;
        for (int field = 0; field < 3; ++field)
            if (!detail::skip_character_string(message, pos, end)) return errc::bad_rdata;
        std::size_t name_end = 0;
        const errc e = name_reader::skip(message.subview(0, end), pos, name_end);
        if (e != errc{}) return e == errc::truncated ? errc::bad_rdata : e;
        return name_end == end ? errc{} : errc::bad_rdata;
    }
    return errc{};
}

}  // namespace enum_
NATKIT_END_NAMESPACE

#endif  // NATKIT_ENUM_DNS_MESSAGE_HPP
