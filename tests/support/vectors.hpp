// RFC 5769 test vectors and the RFC 8489 Appendix B.1 vector (with its errata), as bytes.
#pragma once
#include <cstdint>
#include <vector>

#include "support/hex.hpp"

namespace vectors {

inline constexpr const char* short_term_password = "VOkJxbRl1RmTxUk/WvJxBt";
inline constexpr const char* short_term_username = "evtj:h6vY";

// RFC 5769 §2.1 sample request.
inline std::vector<std::uint8_t> sample_request() {
    return from_hex(
        "00010058 2112a442 b7e7a701 bc34d686 fa87dfae 80220010 5354554e 20746573"
        "7420636c 69656e74 00240004 6e0001ff 80290008 932ff9b1 51263b36 00060009"
        "6576746a 3a683676 59202020 00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249"
        "c1b571a2 80280004 e57a3bcf");
}
// RFC 5769 §2.2 IPv4 response.
inline std::vector<std::uint8_t> ipv4_response() {
    return from_hex(
        "0101003c 2112a442 b7e7a701 bc34d686 fa87dfae 8022000b 74657374 20766563"
        "746f7220 00200008 0001a147 e112a643 00080014 2b91f599 fd9e90c3 8c7489f9"
        "2af9ba53 f06be7d7 80280004 c07d4c96");
}
// RFC 5769 §2.3 IPv6 response.
inline std::vector<std::uint8_t> ipv6_response() {
    return from_hex(
        "01010048 2112a442 b7e7a701 bc34d686 fa87dfae 8022000b 74657374 20766563"
        "746f7220 00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9 00080014"
        "a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41 80280004 c8fb0b4c");
}
// RFC 5769 §2.4 long-term request; username is U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9.
inline constexpr const char* long_term_username = "\xE3\x83\x9E\xE3\x83\x88\xE3\x83\xAA\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9";
inline constexpr const char* long_term_password = "TheMatrIX";  // "The\u00ADM\u00AAtr\u2168" after SASLprep
inline constexpr const char* long_term_realm = "example.org";
inline constexpr const char* long_term_nonce = "f//499k954d6OL34oL9FSTvy64sA";
inline std::vector<std::uint8_t> long_term_request() {
    return from_hex(
        "00010060 2112a442 78ad3433 c6ad72c0 29da412e 00060012 e3839ee3 8388e383"
        "aae38383 e382afe3 82b90000 0015001c 662f2f34 39396b39 35346436 4f4c3334"
        "6f4c3946 53547679 36347341 0014000b 6578616d 706c652e 6f726700 00080014"
        "f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666");
}
// RFC 8489 Appendix B.1 as corrected by its errata.
inline constexpr const char* b1_nonce = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";
inline std::vector<std::uint8_t> rfc8489_b1_request() {
    return from_hex(
        "00010090 2112a442 78ad3433 c6ad72c0 29da412e 001e0020 4a3cf38f ef6992bd"
        "a952c678 0417da0f 24819415 569e60b2 05c46e41 407f1704 00150029 6f624d61"
        "744a6f73 32414141 43662f2f 3439396b 39353464 364f4c33 346f4c39 46535476"
        "79363473 41000000 0014000b 6578616d 706c652e 6f726700 001d0004 00020000"
        "001c0020 b5c7bf00 5b6c52a2 1c51c5e8 92f81924 136296cb 927c4314 9309278c"
        "c6518e65");
}

}  // namespace vectors
