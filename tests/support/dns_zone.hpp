// Test helpers for the ENUM code: a DNS response writer (independent of natkit's own query
// builder, so the parser is not checked against itself) and an in-memory zone that answers
// NAPTR queries the way an authoritative server does, truncating UDP answers that do not fit.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dnstest {

/// Appends `text` ("a.b.c") as uncompressed wire labels and the root.
inline void put_name(std::vector<std::uint8_t>& out, std::string_view text) {
    while (!text.empty()) {
        const auto dot = text.find('.');
        const auto label = text.substr(0, dot);
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
        text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    }
    out.push_back(0);
}
inline void put16(std::vector<std::uint8_t>& out, unsigned v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xFFFFu);
}
inline void put_string(std::vector<std::uint8_t>& out, std::string_view s) {
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}

struct naptr {
    unsigned order = 100;
    unsigned preference = 10;
    std::string flags;
    std::string services;
    std::string regexp;
    std::string replacement;  ///< "" for the root
};

/// Writes a response: header, one question, answers. Owner names of the answers are a
/// compression pointer to the question name (0xC00C) when `compress`, else written out.
class response_writer {
public:
    response_writer(std::uint16_t id, std::string_view qname, unsigned rcode = 0, bool compress = true,
                    std::uint16_t qtype = 35)
        : qname_(qname), compress_(compress) {
        put16(out_, id);
        put16(out_, 0x8400u | 0x0100u | 0x0080u | rcode);  // QR AA RD RA
        put16(out_, 1);
        put16(out_, 0);
        put16(out_, 0);
        put16(out_, 0);
        put_name(out_, qname);
        put16(out_, qtype);
        put16(out_, 1);
    }

    void add_naptr(const naptr& n, std::string_view owner = {}) {
        owner_name(owner);
        put16(out_, 35);
        put16(out_, 1);
        put32(out_, 300);
        std::vector<std::uint8_t> rdata;
        put16(rdata, n.order);
        put16(rdata, n.preference);
        put_string(rdata, n.flags);
        put_string(rdata, n.services);
        put_string(rdata, n.regexp);
        put_name(rdata, n.replacement);
        put16(out_, static_cast<unsigned>(rdata.size()));
        out_.insert(out_.end(), rdata.begin(), rdata.end());
        ++answers_;
    }
    void add_cname(std::string_view target, std::string_view owner = {}) {
        owner_name(owner);
        put16(out_, 5);
        put16(out_, 1);
        put32(out_, 300);
        std::vector<std::uint8_t> rdata;
        put_name(rdata, target);
        put16(out_, static_cast<unsigned>(rdata.size()));
        out_.insert(out_.end(), rdata.begin(), rdata.end());
        ++answers_;
    }
    void set_truncated() { out_[2] |= 0x02; }

    std::vector<std::uint8_t> finish() const {
        auto m = out_;
        m[6] = static_cast<std::uint8_t>(answers_ >> 8);
        m[7] = static_cast<std::uint8_t>(answers_);
        return m;
    }

private:
    void owner_name(std::string_view owner) {
        if (owner.empty() && compress_) {
            out_.push_back(0xC0);
            out_.push_back(0x0C);
        } else {
            put_name(out_, owner.empty() ? std::string_view(qname_) : owner);
        }
    }

    std::vector<std::uint8_t> out_;
    std::string qname_;
    bool compress_;
    unsigned answers_ = 0;
};

inline std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return s;
}

/// Domains with NAPTR sets; every other name is NXDOMAIN (or the configured rcode).
struct zone {
    std::map<std::string, std::vector<naptr>> records;  ///< lower-case names without final dot
    std::map<std::string, unsigned> rcodes;              ///< names answered with this RCODE
    std::vector<std::string> asked;                      ///< every question, in order

    /// Answers `query` (natkit's bytes, parsed by hand here). UDP answers larger than
    /// `udp_limit` (512, or the EDNS size the query advertises) carry TC and no records.
    std::optional<std::vector<std::uint8_t>> answer(const std::vector<std::uint8_t>& query, bool tcp) {
        if (query.size() < 17) return std::nullopt;
        const std::uint16_t id = static_cast<std::uint16_t>((query[0] << 8) | query[1]);
        std::string name;
        std::size_t pos = 12;
        while (pos < query.size() && query[pos] != 0) {
            const std::size_t len = query[pos];
            if (!name.empty()) name += '.';
            name.append(reinterpret_cast<const char*>(&query[pos + 1]), len);
            pos += 1 + len;
        }
        ++pos;
        std::size_t limit = 512;
        if (query.size() >= pos + 4 + 11) limit = static_cast<std::size_t>((query[pos + 4 + 3] << 8) | query[pos + 4 + 4]);
        asked.push_back(name);
        const std::string key = lower(name);
        unsigned rcode = 3;
        if (rcodes.count(key)) rcode = rcodes[key];
        else if (records.count(key)) rcode = 0;
        response_writer w(id, name, rcode);
        if (rcode == 0)
            for (const naptr& n : records[key]) w.add_naptr(n);
        auto out = w.finish();
        if (!tcp && out.size() > limit) {
            response_writer t(id, name, rcode);
            t.set_truncated();
            return t.finish();
        }
        return out;
    }
};

}  // namespace dnstest
