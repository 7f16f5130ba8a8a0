// The little SIP the link manager speaks to show the NAT parts at work: an INVITE with an SDP
// offer, ACK and BYE, answers to the peer's BYE and OPTIONS, and reading a response's status,
// headers and SDP answer. It stands in for a PBX's own SIP stack, which would produce these
// messages with its LAN addresses in them exactly as here; natkit's rewriter then puts the
// public addresses in. It is not a general SIP parser (no header folding, one value per header
// line, the compact forms RFC 3261 §7.3.3 lists for the headers it reads).
#ifndef NATKIT_EXAMPLES_LINK_MANAGER_SIP_MESSAGES_HPP
#define NATKIT_EXAMPLES_LINK_MANAGER_SIP_MESSAGES_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../cli.hpp"
#include "natkit/core/endpoint.hpp"

namespace link_manager {

/// What a dialog needs to send its requests (RFC 3261 §12).
struct dialog {
    std::string request_uri;  ///< the callee's URI, then the Contact of its 2xx (§12.1.2)
    std::string to_uri;
    std::string from_uri;
    std::string call_id;
    std::string local_tag;
    std::string remote_tag;  ///< empty until the answer
    std::uint32_t cseq = 1;
};

/// The SDP offer a PBX's media layer makes for one G.711 audio stream on its LAN address, with
/// RTCP on the next port announced by a=rtcp (RFC 3605).
inline std::string make_sdp_offer(const natkit::ip_address& local, std::uint16_t rtp_port, std::uint16_t rtcp_port,
                                  std::uint64_t session_id) {
    const std::string ip = local.to_string();
    const char* family = local.is_v6() ? "IP6" : "IP4";
    return "v=0\r\n"
           "o=natkit " + std::to_string(session_id) + " 1 IN " + family + " " + ip + "\r\n"
           "s=natkit link manager\r\n"
           "c=IN " + family + " " + ip + "\r\n"
           "t=0 0\r\n"
           "m=audio " + std::to_string(rtp_port) + " RTP/AVP 8 0 101\r\n"
           "a=rtcp:" + std::to_string(rtcp_port) + "\r\n"
           "a=rtpmap:8 PCMA/8000\r\n"
           "a=rtpmap:0 PCMU/8000\r\n"
           "a=rtpmap:101 telephone-event/8000\r\n"
           "a=fmtp:101 0-15\r\n"
           "a=ptime:20\r\n"
           "a=sendrecv\r\n";
}

/// "host:port" of the SIP socket as the PBX's stack writes it into Via and Contact (its LAN
/// address; IPv6 in brackets, RFC 3261 §25.1).
inline std::string sip_hostport(const natkit::endpoint& e) {
    return e.address().is_v6() ? "[" + e.address().to_string() + "]:" + std::to_string(e.port()) : e.to_string();
}

/// A request within (or starting) `d`: Via with a new branch (the RFC 3261 §8.1.1.7 magic
/// cookie), Contact on the SIP socket, and the body when given.
inline std::string make_request(std::string_view method, const dialog& d, const natkit::endpoint& local_sip,
                                std::string_view user, std::string_view branch, std::uint32_t cseq,
                                std::string_view sdp = {}) {
    const std::string hp = sip_hostport(local_sip);
    std::string m;
    m.reserve(600 + sdp.size());
    m.append(method).append(" ").append(d.request_uri).append(" SIP/2.0\r\n");
    m.append("Via: SIP/2.0/UDP ").append(hp).append(";branch=z9hG4bK").append(branch).append("\r\n");
    m.append("Max-Forwards: 70\r\n");
    m.append("From: <").append(d.from_uri).append(">;tag=").append(d.local_tag).append("\r\n");
    m.append("To: <").append(d.to_uri).append(">");
    if (!d.remote_tag.empty()) m.append(";tag=").append(d.remote_tag);
    m.append("\r\nCall-ID: ").append(d.call_id).append("\r\n");
    m.append("CSeq: ").append(std::to_string(cseq)).append(" ").append(method).append("\r\n");
    m.append("Contact: <sip:").append(user).append("@").append(hp).append(">\r\n");
    m.append("User-Agent: natkit-link-manager\r\n");
    if (!sdp.empty()) m.append("Content-Type: application/sdp\r\n");
    m.append("Content-Length: ").append(std::to_string(sdp.size())).append("\r\n\r\n").append(sdp);
    return m;
}

/// A SIP message read just far enough for a UAC: the start line, some headers, the body.
class message {
public:
    explicit message(std::string_view text) : text_(text) {
        const auto end_of_headers = text.find("\r\n\r\n");
        head_ = text.substr(0, end_of_headers);
        if (end_of_headers != std::string_view::npos) body_ = text.substr(end_of_headers + 4);
        const auto eol = head_.find("\r\n");
        start_ = head_.substr(0, eol);
    }

    bool is_response() const { return start_.substr(0, 8) == "SIP/2.0 "; }
    /// The status code of a response; 0 for a request or a garbled status line.
    int status() const {
        if (!is_response() || start_.size() < 11) return 0;
        int code = 0;
        for (char c : start_.substr(8, 3)) {
            if (c < '0' || c > '9') return 0;
            code = code * 10 + (c - '0');
        }
        return code;
    }
    /// The method of a request; empty for a response.
    std::string_view method() const { return is_response() ? std::string_view{} : start_.substr(0, start_.find(' ')); }
    std::string_view start_line() const { return start_; }
    std::string_view body() const { return body_; }

    /// The first header named `name` (or its compact form), without surrounding spaces.
    std::string_view header(std::string_view name, char compact = 0) const {
        std::string_view found;
        for_each_header([&](std::string_view n, std::string_view value, std::string_view) {
            if (found.empty() && is_named(n, name, compact)) found = value;
        });
        return found;
    }
    /// Every Via header line in order (a response echoes them, RFC 3261 §8.2.6.2).
    template <class F>
    void for_each_via(F&& f) const {
        for_each_header([&](std::string_view n, std::string_view, std::string_view line) {
            if (is_named(n, "Via", 'v')) f(line);
        });
    }
    /// The value of ";name=" in a header value (e.g. the To tag), or empty.
    static std::string_view parameter(std::string_view value, std::string_view name) {
        for (std::size_t p = value.find(';'); p != std::string_view::npos; p = value.find(';', p + 1)) {
            std::string_view rest = trim(value.substr(p + 1));
            if (rest.size() > name.size() && iequals(rest.substr(0, name.size()), name) && rest[name.size()] == '=') {
                rest = rest.substr(name.size() + 1);
                return rest.substr(0, rest.find_first_of(";>, "));
            }
        }
        return {};
    }
    /// The URI inside <...> of a Contact/To value, or the value up to ';' without brackets.
    static std::string_view uri(std::string_view value) {
        const auto lt = value.find('<');
        if (lt != std::string_view::npos) {
            const auto gt = value.find('>', lt);
            if (gt != std::string_view::npos) return value.substr(lt + 1, gt - lt - 1);
        }
        return trim(value.substr(0, value.find(';')));
    }

    static std::string_view trim(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    }
    static bool iequals(std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
        return true;
    }

private:
    /// f(name, value, whole line) for each header line.
    template <class F>
    void for_each_header(F&& f) const {
        std::size_t pos = head_.find("\r\n");
        while (pos != std::string_view::npos && pos + 2 < head_.size()) {
            const std::size_t begin = pos + 2;
            pos = head_.find("\r\n", begin);
            const std::string_view line = head_.substr(begin, pos == std::string_view::npos ? head_.npos : pos - begin);
            const auto colon = line.find(':');
            if (colon != std::string_view::npos) f(trim(line.substr(0, colon)), trim(line.substr(colon + 1)), line);
        }
    }
    /// RFC 3261 §7.3.3: header names are case-insensitive and some have a one-letter form.
    static bool is_named(std::string_view n, std::string_view name, char compact) {
        return iequals(n, name) || (compact && n.size() == 1 && (n[0] | 0x20) == compact);
    }

    std::string_view text_, head_, body_, start_;
};

/// A response to `request` (RFC 3261 §8.2.6): its Vias, From, To (with our tag added when it
/// has none), Call-ID and CSeq, no body.
inline std::string make_response(const message& request, int code, std::string_view reason, std::string_view tag) {
    std::string m = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
    request.for_each_via([&](std::string_view line) { m.append(line).append("\r\n"); });
    m.append("From: ").append(request.header("From", 'f')).append("\r\n");
    const std::string_view to = request.header("To", 't');
    m.append("To: ").append(to);
    if (message::parameter(to, "tag").empty()) m.append(";tag=").append(tag);
    m.append("\r\nCall-ID: ").append(request.header("Call-ID", 'i')).append("\r\n");
    m.append("CSeq: ").append(request.header("CSeq")).append("\r\n");
    m.append("Content-Length: 0\r\n\r\n");
    return m;
}

/// The audio destination of an SDP answer: c= (session or media level) and the m=audio port.
inline std::optional<natkit::endpoint> sdp_audio_destination(std::string_view sdp) {
    std::optional<natkit::ip_address> address;
    std::optional<std::uint16_t> port;
    bool in_audio = false;
    for (std::size_t pos = 0; pos < sdp.size();) {
        auto eol = sdp.find('\n', pos);
        if (eol == std::string_view::npos) eol = sdp.size();
        std::string_view line = sdp.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = eol + 1;
        if (line.substr(0, 2) == "m=") {
            in_audio = line.substr(0, 8) == "m=audio ";
            std::uint16_t p = 0;  // port 0 rejects the stream (RFC 3264 §6): no destination
            if (in_audio && !port && cli::parse_port(line.substr(8, line.find(' ', 8) - 8), p)) port = p;
        } else if (line.substr(0, 9) == "c=IN IP4 " || line.substr(0, 9) == "c=IN IP6 ") {
            // Session level, or the audio stream's own (RFC 8866 §5.7).
            if (port && !in_audio) continue;
            std::string_view a = line.substr(9);
            a = a.substr(0, a.find('/'));
            if (auto parsed = natkit::ip_address::parse(a)) address = *parsed;
        }
    }
    if (!address || !port) return std::nullopt;
    return natkit::endpoint(*address, *port);
}

}  // namespace link_manager

#endif  // NATKIT_EXAMPLES_LINK_MANAGER_SIP_MESSAGES_HPP
