#!/usr/bin/env python3
"""Writes the seed corpus of natkit-fuzz-stun into fuzz/corpus/stun/.

The five RFC vectors are read from tests/support/vectors.hpp (one source of truth); the edge
cases are built here, with valid MESSAGE-INTEGRITY and FINGERPRINT where they carry one, so
that the fuzzer starts from messages that reach the checks behind them. The output is
deterministic: re-running this script changes no file unless the vectors or this script did.

    python3 fuzz/make_corpus.py
"""
import hashlib
import hmac
import pathlib
import re
import struct
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus" / "stun"

COOKIE = 0x2112A442
TID = bytes.fromhex("b7e7a701bc34d686fa87dfae")
SHORT_TERM_PASSWORD = b"VOkJxbRl1RmTxUk/WvJxBt"  # RFC 5769


def vectors():
    """name -> bytes for each `inline std::vector<std::uint8_t> name() { return from_hex(...); }`."""
    text = (ROOT / "tests" / "support" / "vectors.hpp").read_text()
    found = {}
    for m in re.finditer(r"std::vector<std::uint8_t>\s+(\w+)\(\)\s*\{\s*return from_hex\((.*?)\);", text, re.S):
        hex_text = "".join(re.findall(r'"([^"]*)"', m.group(2)))
        found[m.group(1)] = bytes.fromhex(hex_text.replace(" ", ""))
    return found


def attr(type_, value, pad=b"\x00"):
    return struct.pack("!HH", type_, len(value)) + value + pad * (-len(value) % 4)


def header(type_, length, cookie=COOKIE, tid=TID):
    return struct.pack("!HHI", type_, length, cookie) + tid


def message(type_, attrs, cookie=COOKIE, tid=TID):
    body = b"".join(attrs)
    return header(type_, len(body), cookie, tid) + body


def with_integrity(msg, key, sha256_len=0, fingerprint=True):
    """Appends MESSAGE-INTEGRITY (RFC 8489 14.5), optionally MESSAGE-INTEGRITY-SHA256 (14.6)
    truncated to sha256_len bytes, and FINGERPRINT (14.7), each computed as the RFC says: the
    length field counts up to and including the attribute being computed."""
    def seal(m, type_, digest, size):
        covered = struct.pack("!H", len(m) - 20 + 4 + size)
        mac = hmac.new(key, m[:2] + covered + m[4:], digest).digest()[:size]
        m = m + attr(type_, mac)
        return m[:2] + struct.pack("!H", len(m) - 20) + m[4:]

    msg = seal(msg, 0x0008, hashlib.sha1, 20)
    if sha256_len:
        msg = seal(msg, 0x001C, hashlib.sha256, sha256_len)
    if fingerprint:
        covered = msg[:2] + struct.pack("!H", len(msg) - 20 + 8) + msg[4:]
        crc = (zlib.crc32(covered) ^ 0x5354554E) & 0xFFFFFFFF
        msg = covered + attr(0x8028, struct.pack("!I", crc))
    return msg


def xor_address(ip4, port, cookie=COOKIE):
    x = bytes(a ^ b for a, b in zip(ip4, struct.pack("!I", cookie)))
    return bytes([0, 1]) + struct.pack("!H", port ^ (cookie >> 16)) + x


def edge_cases():
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    plain_v4 = bytes([0, 1]) + struct.pack("!H", 3478) + bytes([192, 0, 2, 7])
    plain_v6 = bytes([0, 2]) + struct.pack("!H", 3479) + v6
    yield "header-only-binding-request", message(0x0001, [])
    # RFC 3489 classic request: no magic cookie (128-bit id), CHANGE-REQUEST change IP+port.
    yield "rfc3489-change-request", message(0x0001, [attr(0x0003, struct.pack("!I", 6))],
                                            cookie=0x5A5A0001, tid=bytes(range(1, 13)))
    # RFC 3489 classic response with the old address attributes.
    yield "rfc3489-response", message(0x0101, [attr(0x0001, plain_v4), attr(0x0004, plain_v4),
                                               attr(0x0005, plain_v6), attr(0x000B, plain_v4)],
                                      cookie=0x5A5A0001, tid=bytes(range(1, 13)))
    # RFC 5780 response: OTHER-ADDRESS, RESPONSE-ORIGIN, PADDING, CACHE-TIMEOUT, RESPONSE-PORT.
    yield "rfc5780-response", with_integrity(
        message(0x0101, [attr(0x0020, xor_address(bytes([198, 51, 100, 9]), 40000)), attr(0x802B, plain_v4),
                         attr(0x802C, plain_v6), attr(0x0026, b"\xAA" * 7), attr(0x8027, struct.pack("!I", 600)),
                         attr(0x0027, struct.pack("!HH", 5060, 0)), attr(0x8023, plain_v4),
                         attr(0x8003, b"stun.example.net")]),
        SHORT_TERM_PASSWORD)
    # 420 error response listing unknown attributes (RFC 8489 14.8, 14.9).
    yield "error-420-unknown-attributes", message(0x0111, [
        attr(0x0009, bytes([0, 0, 4, 20]) + b"Unknown Attribute", b" "),
        attr(0x000A, struct.pack("!HHH", 0x0031, 0x7FFF, 0x0024))])
    # 401 with NONCE, REALM and PASSWORD-ALGORITHMS (RFC 8489 9.2).
    yield "error-401-password-algorithms", message(0x0111, [
        attr(0x0009, bytes([0, 0, 4, 1]) + b"Unauthorized"),
        attr(0x0015, b"obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"),
        attr(0x0014, b"example.org"),
        attr(0x8002, struct.pack("!HHHH", 2, 0, 1, 0))])
    # ICE connectivity check (RFC 8445 7.1) with both integrity attributes and FINGERPRINT.
    yield "ice-check-both-integrities", with_integrity(
        message(0x0001, [attr(0x0006, b"evtj:h6vY"), attr(0x0024, struct.pack("!I", 0x6E0001FF)),
                         attr(0x802A, bytes.fromhex("0123456789abcdef")), attr(0x0025, b"")]),
        SHORT_TERM_PASSWORD, sha256_len=24)
    # Comprehension-required unknown attribute, and an optional vendor one.
    yield "unknown-attributes", message(0x0001, [attr(0x0031, b"\x01\x02\x03"), attr(0xC0DE, b"vendor"),
                                                 attr(0x7FFF, b"")])
    # The same unknown comprehension-required type twice (found by the fuzzer: natkit 0.1.0's
    # unknown_required_attributes() counts the repeat when given too little room).
    yield "duplicate-unknown-required", message(0x0001, [attr(0x0000, b""), attr(0x0031, b"ab"),
                                                         attr(0x0000, b"\x01\x02")])
    # Indication (class bits 01) of a TURN method, and the RFC 3489 PASSWORD attribute.
    yield "turn-send-indication", message(0x0016, [attr(0x0007, b"secret"), attr(0x8022, b"\xe2\x82\xac\x00\x7f")])
    # Malformed: header length beyond the datagram; attribute after FINGERPRINT; bad family.
    yield "truncated", header(0x0001, 8)
    yield "attribute-after-fingerprint", message(0x0001, [attr(0x8028, b"\x00" * 4), attr(0x8022, b"x")])
    yield "bad-address-family", message(0x0101, [attr(0x0020, bytes([0, 3]) + b"\x00" * 6)])
    # Two messages back to back, for the stream framer.
    yield "two-messages-stream", message(0x0001, []) + message(0x0101, [attr(0x0020, xor_address(bytes([10, 0, 0, 1]), 5060))])
    # Not STUN: an RTP header (RFC 7983 first byte 128-191).
    yield "rtp-not-stun", bytes.fromhex("80e0000100000000deadbeef") + b"\x00" * 12


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    names = {
        "sample_request": "rfc5769-2.1-sample-request",
        "ipv4_response": "rfc5769-2.2-ipv4-response",
        "ipv6_response": "rfc5769-2.3-ipv6-response",
        "long_term_request": "rfc5769-2.4-long-term-request",
        "rfc8489_b1_request": "rfc8489-b1-sha256-request",
    }
    found = vectors()
    missing = set(names) - set(found)
    if missing:
        raise SystemExit(f"vectors.hpp lacks {sorted(missing)}")
    seeds = [(names[k], found[k]) for k in names] + list(edge_cases())
    for name, data in seeds:
        (OUT / name).write_bytes(data)
    print(f"wrote {len(seeds)} seeds to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
