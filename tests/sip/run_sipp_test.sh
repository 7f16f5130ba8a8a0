#!/usr/bin/env bash
# A rewritten INVITE, sent to SIPp (Debian sip-tester) as UAS on loopback, is accepted: SIPp
# parses it, its own checks find the public address and ports in it and a Content-Length that
# matches the body, it answers 200 OK, and the call completes (ACK, BYE, 200) as one successful
# call. A control run with a wrong Content-Length must be refused by the same checks, so the test
# can fail.
#
#   tests/sip/run_sipp_test.sh PATH/TO/natkit-sdp-rewrite
#
# Installs sip-tester with apt-get when sipp is missing and this runs as root; otherwise exits 77
# (ctest SKIP_RETURN_CODE). Uses 127.0.0.1 and free UDP ports only; every sipp it starts is
# stopped by its PID.
set -euo pipefail

tool=${1:?usage: run_sipp_test.sh NATKIT_SDP_REWRITE}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
corpus="$repo/tests/corpus/sip"

if ! command -v sipp >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "run_sipp_test.sh: installing sip-tester"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sip-tester >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sip-tester >/dev/null 2>&1; } ||
      { echo "run_sipp_test.sh: sipp missing and sip-tester could not be installed: skipped" >&2; exit 77; }
  else
    echo "run_sipp_test.sh: sipp missing (apt-get install sip-tester): skipped" >&2
    exit 77
  fi
fi
command -v python3 >/dev/null || { echo "run_sipp_test.sh: python3 missing: skipped" >&2; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/natkit-sipp.XXXXXX")
sipp_pids=()
cleanup() {
  for pid in "${sipp_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The message: the desk phone's INVITE of the corpus, rewritten by natkit-sdp-rewrite.
# shellcheck disable=SC2046 # the .args file is a list of words
"$tool" $(cat "$corpus/desk-phone-invite.args") <"$corpus/desk-phone-invite.in" >"$tmp/invite.sip"

# A tiny UAC: sends the INVITE from an ephemeral port, waits for the final answer, and on 200 OK
# completes the call with ACK and BYE. Prints the status line of the final answer, or "none".
cat >"$tmp/uac.py" <<'EOF'
import re, socket, sys

port, path = int(sys.argv[1]), sys.argv[2]
invite = open(path, "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(5)
local = "127.0.0.1:%d" % s.getsockname()[1]

def header(msg, name):
    m = re.search(rb"^" + name + rb"[ \t]*:[ \t]*(.*?)\r?$", msg, re.M | re.I)
    return m.group(1).decode() if m else ""

def receive_final():
    while True:
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            return None
        code = int(data.split(b" ", 2)[1])
        if code >= 200:
            return data

def request(method, cseq, to):
    msg = ("%s sip:100@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK-%s-%d\r\n"
           "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
           "Content-Length: 0\r\n\r\n") % (method, port, local, method.lower(), cseq,
                                            header(invite, b"From"), to, header(invite, b"Call-ID"), cseq, method)
    s.sendto(msg.encode(), ("127.0.0.1", port))

s.sendto(invite, ("127.0.0.1", port))
final = receive_final()
if final is None:
    print("none")
    sys.exit(0)
print(final.split(b"\r\n", 1)[0].decode())
if final.startswith(b"SIP/2.0 200"):
    to = header(final, b"To")
    request("ACK", 1, to)
    request("BYE", 2, to)
    bye = receive_final()
    print("BYE: " + (bye.split(b"\r\n", 1)[0].decode() if bye else "none"))
EOF

# SIPp as UAS, checking what it receives: the rewritten addresses and ports, and a
# Content-Length equal to the body's size (@LEN@). A failed check fails the call, unanswered.
cat >"$tmp/uas.xml.in" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="natkit: rewritten INVITE">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="SIP/2.0/UDP 203\.0\.113\.5:65002;rport" search_in="hdr" header="Via:" check_it="true" assign_to="via"/>
      <ereg regexp="sip:\+4989111222@203\.0\.113\.5:65002" search_in="hdr" header="Contact:" check_it="true" assign_to="contact"/>
      <ereg regexp="(^|[^0-9])@LEN@([^0-9]|$)" search_in="hdr" header="Content-Length:" check_it="true" assign_to="length"/>
      <ereg regexp="c=IN IP4 203\.0\.113\.5" search_in="body" check_it="true" assign_to="conn"/>
      <ereg regexp="m=audio 40412 RTP/AVP" search_in="body" check_it="true" assign_to="media"/>
      <ereg regexp="a=rtcp:40977" search_in="body" check_it="true" assign_to="rtcp"/>
      <log message="natkit-check via=[$via] contact=[$contact] length=[$length] c=[$conn] m=[$media] rtcp=[$rtcp]"/>
    </action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
EOF

free_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_case NAME MESSAGE_FILE CONTENT_LENGTH_SIPP_EXPECTS: runs SIPp and the UAC; prints the UAC's
# output and sets sipp_status.
run_case() {
  local name=$1 message=$2 length=$3 port pid status waited
  port=$(free_port)
  sed "s/@LEN@/$length/" "$tmp/uas.xml.in" >"$tmp/$name.xml"
  sipp -sf "$tmp/$name.xml" -i 127.0.0.1 -p "$port" -m 1 -nostdin -trace_err -error_file "$tmp/$name.errors" \
    >"$tmp/$name.screen" 2>&1 &
  pid=$!
  sipp_pids+=("$pid")
  sleep 0.5
  python3 "$tmp/uac.py" "$port" "$message" | tee "$tmp/$name.uac"
  # SIPp ends by itself after one call (-m 1); give it 15 s, then stop it.
  waited=0
  while kill -0 "$pid" 2>/dev/null && [[ $waited -lt 150 ]]; do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  status=0
  wait "$pid" 2>/dev/null || status=$?
  sipp_status=$status
}

body_length() {  # the size of everything after the first empty line
  python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(len(d) - d.index(b"\r\n\r\n") - 4)' "$1"
}

failures=0
declared=$(sed -n 's/^Content-Length: *\([0-9]*\)\r$/\1/p' "$tmp/invite.sip")
actual=$(body_length "$tmp/invite.sip")
echo "rewritten INVITE: Content-Length $declared, body $actual bytes"
if [[ "$declared" != "$actual" ]]; then
  echo "FAIL: natkit-sdp-rewrite wrote Content-Length $declared for a body of $actual bytes"
  failures=$((failures + 1))
fi

echo "--- the rewritten INVITE"
run_case accepted "$tmp/invite.sip" "$actual"
if ! grep -q '^SIP/2.0 200' "$tmp/accepted.uac" || ! grep -q '^BYE: SIP/2.0 200' "$tmp/accepted.uac" || [[ $sipp_status -ne 0 ]]; then
  echo "FAIL: SIPp did not complete the call (exit status $sipp_status)"
  cat "$tmp/accepted.errors" 2>/dev/null | head -n 20
  failures=$((failures + 1))
elif [[ -s "$tmp/accepted.errors" ]]; then
  echo "FAIL: SIPp logged errors:"
  head -n 20 "$tmp/accepted.errors"
  failures=$((failures + 1))
else
  echo "ok: SIPp answered 200 OK and counted one successful call"
fi

echo "--- control: the same INVITE with a Content-Length 17 bytes too large"
sed "s/^Content-Length: $declared\r\$/Content-Length: $((declared + 17))\r/" "$tmp/invite.sip" >"$tmp/broken.sip"
run_case refused "$tmp/broken.sip" "$actual"
# SIPp marks the call failed (exit status 1) and logs the failed check; it still answers.
if [[ $sipp_status -eq 0 ]] || ! grep -q 'Failed regexp match' "$tmp/refused.errors" 2>/dev/null; then
  echo "FAIL: SIPp's checks accepted a wrong Content-Length: this test could not fail"
  failures=$((failures + 1))
else
  echo "ok: SIPp failed the call (exit status $sipp_status): $(grep -o "looking in '[^']*'" "$tmp/refused.errors" | head -n 1)"
fi

checks=3
echo "run_sipp_test.sh: $((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
