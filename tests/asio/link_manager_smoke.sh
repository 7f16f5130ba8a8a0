#!/usr/bin/env bash
# natkit-link-manager on loopback only, without a NAT: natkit-stun-server on 127.0.0.1 and
# 127.0.0.2, a SIPp UAS on 127.0.0.1: the verdict (open-internet), a call with RTP both ways,
# BYE, the status command, quit; and argument errors. Exit 77 when sipp is missing.
# (The NAT itself is tested in tests/natlab/link_manager_check.sh.)
#   link_manager_smoke.sh natkit-link-manager natkit-stun-server SCENARIO.xml
set -u
lm=$1
server=$2
scenario=$3
command -v sipp >/dev/null || { echo "SKIP: sipp not found" >&2; exit 77; }
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  exec 3>&- 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/*.log "$dir"/*.out; do [[ -f $f ]] && { echo "--- $f" >&2; cat "$f" >&2; }; done
  exit 1
}
wait_for() { # PATTERN FILE SECONDS
  local n=0
  until grep -q "$1" "$2" 2>/dev/null; do
    n=$((n + 1))
    ((n <= $3 * 20)) || return 1
    sleep 0.05
  done
}

# Argument errors: one line on stderr, exit status 2.
"$lm" >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "no --stun must exit 2"
"$lm" --stun 127.0.0.1 --rtp-range 6-5 >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "bad --rtp-range must exit 2"
"$lm" --stun 127.0.0.1 --dscp-rtp 64 >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "--dscp-rtp 64 must exit 2"
"$lm" --stun 127.0.0.1 --call tel:123 >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "--call tel: must exit 2"

"$server" --primary 127.0.0.1:0 --alternate 127.0.0.2:0 >"$dir/server.out" 2>&1 &
pids+=($!)
wait_for "^listening on" "$dir/server.out" 5 || fail "server did not start"
read -r _ _ primary _ <"$dir/server.out"

# Ports chosen per run so parallel tests do not collide.
base=$((20000 + (RANDOM % 1000) * 20))  # sipp takes base+1, +2 (audio) and +4 (video)
sipp -sf "$scenario" -i 127.0.0.1 -p $((base + 1)) -mi 127.0.0.1 -mp $((base + 2)) -nostdin -timeout 30s \
  >"$dir/sipp.out" 2>&1 &
pids+=($!)

mkfifo "$dir/ctl"
"$lm" --stun "$primary" --local 127.0.0.1:0 --rtp-range $((base + 10))-$((base + 19)) --interval 1 --json \
  <"$dir/ctl" >"$dir/lm.log" 2>&1 &
lm_pid=$!
pids+=($lm_pid)
exec 3>"$dir/ctl"
wait_for '"event":"nat"' "$dir/lm.log" 5 || fail "no NAT verdict"
grep -q '"nat_type":"open-internet"' "$dir/lm.log" || fail "loopback is not open-internet"
sleep 0.3  # sipp is listening by now
echo "call sip:service@127.0.0.1:$((base + 1))" >&3
wait_for '"event":"rtp_received"' "$dir/lm.log" 8 || fail "no RTP from sipp"
grep -q "\"event\":\"rtp_received\".*\"from\":\"127.0.0.1:$((base + 2))\"" "$dir/lm.log" || fail "RTP from the wrong address"
grep -q "\"event\":\"invite\".*\"sdp_audio\":\"127.0.0.1:$((base + 10))\"" "$dir/lm.log" || fail "SDP audio is not the pool's first port"
echo status >&3
wait_for '"event":"call_status"' "$dir/lm.log" 3 || fail "no status"
echo hangup >&3
wait_for '"event":"ended"' "$dir/lm.log" 3 || fail "hangup did not end the call"
echo quit >&3
for ((i = 0; i < 60; i++)); do kill -0 "$lm_pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$lm_pid" 2>/dev/null && fail "quit did not end the link manager"
exec 3>&-

# --call places the call once the NAT is known; SIGTERM hangs up and exits.
"$lm" --stun "$primary" --local 127.0.0.1:0 --rtp-range $((base + 10))-$((base + 19)) --json \
  --call "sip:service@127.0.0.1:$((base + 1))" </dev/null >"$dir/lm2.log" 2>&1 &
lm_pid=$!
pids+=($lm_pid)
wait_for '"event":"rtp_received"' "$dir/lm2.log" 8 || fail "--call: no RTP from sipp"
kill -TERM "$lm_pid"
for ((i = 0; i < 60; i++)); do kill -0 "$lm_pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$lm_pid" 2>/dev/null && fail "SIGTERM did not end the link manager"
grep -q '"event":"ended"' "$dir/lm2.log" || fail "SIGTERM did not hang up the call"
echo "link manager smoke: ok"
