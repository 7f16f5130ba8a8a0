#!/usr/bin/env bash
# End-to-end test of natkit-enum-lookup against a real DNS server: NSD (Debian's nsd) on
# 127.0.0.1 and a free high port, with its own config, zones, pid file and database in a
# temporary directory, killed by PID at the end. The zones hold NAPTR records for: order and
# preference, a back-reference, E2U+sips, a non-terminal rule into another zone, a
# non-terminal loop, NXDOMAIN with a second suffix, no SIP service, no NAPTR at all, and an
# RRset too large for UDP (truncation, then TCP). Loopback only.
#
#   tests/enum/run_nsd_test.sh path/to/natkit-enum-lookup
#
# Exit status: 0 all checks passed, 1 a check failed, 77 nsd is not installed (skipped).
set -uo pipefail

tool=${1:?usage: run_nsd_test.sh NATKIT_ENUM_LOOKUP}
nsd_bin=$(command -v nsd || true)
[[ -z "$nsd_bin" && -x /usr/sbin/nsd ]] && nsd_bin=/usr/sbin/nsd
if [[ -z "$nsd_bin" ]]; then
  echo "run_nsd_test.sh: nsd not installed (Debian package nsd, see scripts/deps); skipped"
  exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/natkit-enum-nsd.XXXXXX")
nsd_pid=""
cleanup() {
  if [[ -n "$nsd_pid" ]]; then
    kill "$nsd_pid" 2>/dev/null
    wait "$nsd_pid" 2>/dev/null
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

# A port free for both UDP and TCP on 127.0.0.1 for NSD, and another where nobody listens.
read -r port closed < <(python3 - <<'PY'
import socket
ports = []
while len(ports) < 2:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        t.close()
        continue
    u.close(); t.close()
    if p not in ports:
        ports.append(p)
print(*ports)
PY
)
[[ -n "$port" && -n "$closed" ]] || { echo "run_nsd_test.sh: no free port" >&2; exit 1; }

soa() {
  printf '$ORIGIN %s.\n$TTL 300\n@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n@ IN NS ns.%s.\nns IN A 127.0.0.1\n' \
    "$1" "$1" "$1" "$1"
}

# e164.arpa. In master-file strings "\\" is one backslash on the wire.
{
  soa e164.arpa
  cat <<'ZONE'
; +49 30 1234-5678: ORDER 10 beats ORDER 20; PREFERENCE 10, 20 (sips), 30; h323 ignored;
; a back-reference takes the number without +49.
8.7.6.5.4.3.2.1.0.3.9.4 IN NAPTR 20 10 "u" "E2U+sip" "!^.*$!sip:order20@example.net!" .
8.7.6.5.4.3.2.1.0.3.9.4 IN NAPTR 10 30 "u" "E2U+sip" "!^.*$!sip:pref30@example.net!" .
8.7.6.5.4.3.2.1.0.3.9.4 IN NAPTR 10 10 "u" "E2U+sip" "!^\\+49(.*)$!sip:\\1@pbx.example.net!" .
8.7.6.5.4.3.2.1.0.3.9.4 IN NAPTR 10 20 "u" "E2U+h323" "!^.*$!h323:gw@example.net!" .
8.7.6.5.4.3.2.1.0.3.9.4 IN NAPTR 10 20 "u" "E2U+sips" "!^.*$!sips:secure@example.net!" .
; +44 20 7946 0000: a non-terminal rule first, into another zone, then a terminal one.
0.0.0.0.6.4.9.7.0.2.4.4 IN NAPTR 10 10 "" "E2U" "" enum.example.net.
0.0.0.0.6.4.9.7.0.2.4.4 IN NAPTR 10 20 "u" "E2U+sip" "!^.*$!sip:fallback@example.net!" .
; +1 202 555 0100: non-terminal rules that loop.
0.0.1.0.5.5.5.2.0.2.1 IN NAPTR 10 10 "" "E2U" "" loop.example.net.
; +1 202 555 0101: NAPTR records, but none for SIP.
1.0.1.0.5.5.5.2.0.2.1 IN NAPTR 10 10 "u" "E2U+h323" "!^.*$!h323:only@example.net!" .
1.0.1.0.5.5.5.2.0.2.1 IN NAPTR 10 20 "u" "E2U+email:mailto" "!^.*$!mailto:only@example.net!" .
; +1 202 555 0102: the domain exists, without NAPTR records.
2.0.1.0.5.5.5.2.0.2.1 IN TXT "no naptr here"
; +1 202 555 0103: a rule whose ERE does not match the number.
3.0.1.0.5.5.5.2.0.2.1 IN NAPTR 10 10 "u" "E2U+sip" "!^\\+44(.*)$!sip:\\1@uk.example.net!" .
ZONE
  # +39 06 1234 5678: 40 rules, far more than a 1232-octet UDP answer holds.
  for k in $(seq 0 39); do
    printf '8.7.6.5.4.3.2.1.6.0.9.3 IN NAPTR 10 %d "u" "E2U+sip" "!^.*$!sip:agent%02d@callcenter.example.net!" .\n' \
      $((100 + k)) "$k"
  done
} >"$dir/e164.arpa.zone"

{
  soa e164.org
  cat <<'ZONE'
; +1 202 555 0199 exists only here (NXDOMAIN under e164.arpa).
9.9.1.0.5.5.5.2.0.2.1 IN NAPTR 100 10 "u" "E2U+sip" "!^\\+1(.*)$!sip:\\1@alt.example.org!" .
ZONE
} >"$dir/e164.org.zone"

{
  soa example.net
  cat <<'ZONE'
enum IN NAPTR 100 10 "u" "E2U+sip" "!^\\+(44)(.*)$!sip:\\2@uk.example.net;cc=\\1!" .
loop IN NAPTR 100 10 "" "E2U" "" 0.0.1.0.5.5.5.2.0.2.1.e164.arpa.
ZONE
} >"$dir/example.net.zone"

cat >"$dir/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$port
    port: $port
    ip4-only: yes
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$dir"
    database: ""
    zonelistfile: "$dir/zone.list"
    pidfile: "$dir/nsd.pid"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    logfile: "$dir/nsd.log"
    verbosity: 1
    hide-version: yes
    reuseport: no
remote-control:
    control-enable: no
zone:
    name: e164.arpa
    zonefile: "$dir/e164.arpa.zone"
zone:
    name: e164.org
    zonefile: "$dir/e164.org.zone"
zone:
    name: example.net
    zonefile: "$dir/example.net.zone"
EOF

"$nsd_bin" -d -c "$dir/nsd.conf" >"$dir/nsd.out" 2>&1 &
nsd_pid=$!

dns="127.0.0.1:$port"
# Wait until NSD answers (a second or so).
ready=0
for _ in $(seq 1 50); do
  if ! kill -0 "$nsd_pid" 2>/dev/null; then break; fi
  if "$tool" "+49 30 1234-5678" --dns "$dns" --timeout-ms 100 --attempts 1 >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.1
done
if [[ $ready -ne 1 ]]; then
  echo "run_nsd_test.sh: nsd did not start on $dns" >&2
  cat "$dir/nsd.out" "$dir/nsd.log" >&2 2>/dev/null
  exit 1
fi

failures=0
checks=0
# check NAME EXPECTED-STATUS EXPECTED-OUTPUT ARGS...: runs the tool, compares status and stdout.
check() {
  local name=$1 want_status=$2 want=$3
  shift 3
  checks=$((checks + 1))
  local out status
  out=$("$tool" "$@" --dns "$dns" --timeout-ms 1000 2>"$dir/stderr")
  status=$?
  if [[ $status -ne $want_status || "$out" != "$want" ]]; then
    failures=$((failures + 1))
    echo "FAIL $name: status $status (want $want_status)"
    echo "  got:      $(printf '%s' "$out" | tr '\n' '|')"
    echo "  expected: $(printf '%s' "$want" | tr '\n' '|')"
    sed 's/^/  stderr: /' "$dir/stderr"
  else
    echo "ok   $name"
  fi
}
# check_stderr NAME PATTERN ARGS...: the tool fails (status 1) and says PATTERN on stderr.
check_stderr() {
  local name=$1 pattern=$2
  shift 2
  checks=$((checks + 1))
  "$tool" "$@" --dns "${DNS_OVERRIDE:-$dns}" --timeout-ms 1000 >/dev/null 2>"$dir/stderr"
  local status=$?
  if [[ $status -ne 1 ]] || ! grep -q -- "$pattern" "$dir/stderr"; then
    failures=$((failures + 1))
    echo "FAIL $name: status $status, stderr: $(cat "$dir/stderr")"
  else
    echo "ok   $name ($(cat "$dir/stderr"))"
  fi
}

check "order and preference, back-reference, sips" 0 \
  "sip:3012345678@pbx.example.net
sips:secure@example.net
sip:pref30@example.net" "+49 30 1234-5678"

check "non-terminal rule into another zone, in its place" 0 \
  "sip:2079460000@uk.example.net;cc=44
sip:fallback@example.net" "+44 20 7946 0000"

check "NXDOMAIN under e164.arpa, found under e164.org" 0 \
  "sip:2025550199@alt.example.org" "+1 202 555 0199" --suffix e164.arpa --suffix e164.org

check_stderr "NXDOMAIN" "NXDOMAIN" "+1 202 555 0199"
check_stderr "non-terminal loop" "loop" "+1 202 555 0100"
check_stderr "no SIP service" "no NAPTR record for SIP" "+1 202 555 0101"
check_stderr "no NAPTR records" "no NAPTR records" "+1 202 555 0102"
check_stderr "regex does not match" "does not match" "+1 202 555 0103"

want=""
for k in $(seq 0 39); do
  printf -v line 'sip:agent%02d@callcenter.example.net' "$k"
  want+="$line"$'\n'
done
check "40 rules: truncated over UDP, all of them over TCP, in order" 0 "${want%$'\n'}" "+39 06 1234 5678"

# The switch to TCP, seen in the JSON trace; without EDNS (512 octets) here.
json_check() {
  local name=$1 json=$2
  shift 2
  checks=$((checks + 1))
  local pattern
  for pattern in "$@"; do
    if ! grep -q -- "$pattern" <<<"$json"; then
      failures=$((failures + 1))
      echo "FAIL $name: no '$pattern' in $json"
      return
    fi
  done
  echo "ok   $name"
}
json=$("$tool" "+39 06 1234 5678" --dns "$dns" --json --edns 0)
json_check "json trace shows the switch to TCP" "$json" '"error": null' '"suffix": "e164.arpa"' \
  '"tcp": true, "transmissions": 2, "error": null}]}' 'sip:agent00@callcenter.example.net", "sip:agent01@' \
  '"sip:agent39@callcenter.example.net"]'
# A small answer stays on UDP.
json=$("$tool" "+49 30 1234-5678" --dns "$dns" --json)
json_check "json trace: small answer over UDP, one transmission" "$json" \
  '"uris": \["sip:3012345678@pbx.example.net", "sips:secure@example.net", "sip:pref30@example.net"\]' \
  '"tcp": false, "transmissions": 1, "error": null'

# Nobody listening: ICMP port unreachable ends the lookup at once, not after the timeout.
start=$(date +%s%N)
DNS_OVERRIDE="127.0.0.1:$closed" check_stderr "no server on the port" "refused" "+49 30 1234-5678"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
checks=$((checks + 1))
if [[ $elapsed -lt 900 ]]; then
  echo "ok   refused in ${elapsed} ms"
else
  failures=$((failures + 1))
  echo "FAIL refused only after ${elapsed} ms"
fi

echo "run_nsd_test.sh: $((checks - failures))/$checks checks passed (nsd on $dns)"
[[ $failures -eq 0 ]]
