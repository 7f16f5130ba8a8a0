#!/usr/bin/env bash
# natkit-link-manager through a real NAT (lab.sh, port-restricted cone), against natkit-stun-server
# (203.0.113.2 / .3) and a SIPp UAS as the SIP provider (203.0.113.4:5060, media :6000):
#
#   sudo tests/natlab/link_manager_check.sh BUILD_DIR  (BUILD_DIR/examples/link_manager/natkit-link-manager)
#
# 1. Start-up: the link manager classifies the NAT as port-restricted-cone (with ports remapped:
#    public port = local port XOR 0x155) and learns the
#    router's public address for its SIP socket (10.77.0.2:65002 on the LAN).
# 2. A call: the INVITE SIPp receives carries the public address in Via, Contact and the SDP
#    (c= and m= with the RTP socket's public port as STUN learned it, a=rtcp with the RTCP one),
#    and no LAN address anywhere; SIPp plays RTP to the SDP's public address and port and it
#    reaches the RTP socket on the LAN (after the link manager sent RTP first, which opens the
#    port-restricted filter). BYE ends it.
# 3. The router's public address is renumbered (the DSL reconnect): a `changed` event with the
#    new address within one keepalive interval plus one STUN retransmission timeout, and the
#    next INVITE carries the new address; its RTP gets through again.
# 4. Behind a symmetric NAT and with UDP blocked, the start-up report says so, with what it means
#    for calls (STUN alone will not carry them; SIP/RTP over UDP cannot work).
#
# Prints "ok - ..." / "not ok - ..." and "N passed, M failed"; exits 1 on any failure, 77 when
# the lab cannot run here (not root, no namespaces, no sipp or jq). About 10 s.
set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.sh
source "$here/lab.sh"

build=${1:-}
if [[ -z $build || $build == -* ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$(cd "$build" 2>/dev/null && pwd) || exit 2
lm=$build/examples/link_manager/natkit-link-manager
server=$build/examples/natkit-stun-server
for b in "$lm" "$server"; do
  [[ -x $b ]] || { echo "Bail out! $b not found (build natkit-link-manager and natkit-stun-server)" >&2; exit 1; }
done
for tool in sipp jq; do
  command -v "$tool" >/dev/null || { echo "SKIP: natlab: '$tool' not found (scripts/deps installs it)" >&2; exit 77; }
done
pcap=/usr/share/sip-tester/g711a.pcap
[[ -r $pcap ]] || { echo "SKIP: natlab: $pcap (sip-tester) not found" >&2; exit 77; }

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

INTERVAL_MS=1000  # the link manager's --interval: keepalives every second when idle
RTO_MS=500        # RFC 8489 §6.2.1 first retransmission
NEW_IP=203.0.113.9

# --remap-ports: public port = local port XOR 0x155, so a port in the INVITE can only be right if
# it was learned with STUN (with port preservation a local port would pass unnoticed).
lab_up port-restricted-cone --remap-ports || exit $?
log=$LAB_TMP/lm.log

# events [EVENT]: the link manager's JSON events, one a line
events() { jq -cR --arg e "${1:-}" 'fromjson? | select(type == "object" and ($e == "" or .event == $e))' "$log"; }
# wait_event EVENT N SECONDS: until the N-th EVENT was logged
wait_event() {
  local deadline=$(($(now_ms) + $3 * 1000))
  until (($(grep -c "\"event\":\"$1\"" "$log" 2>/dev/null) >= $2)); do
    (($(now_ms) > deadline)) && return 1
    sleep 0.02
  done
}
fail_with_log() {
  not_ok "$1"
  sed 's/^/    # /' "$log"
}
finish() {
  echo "$passed passed, $failed failed"
  ((failed == 0))
  exit
}

lab_start_inet_bg stun "$server" --primary "$LAB_STUN1:3478" --alternate "$LAB_STUN2:3479"
lab_wait_udp inet "$LAB_STUN1" 3478 10 || { not_ok "natkit-stun-server did not start"; finish; }
lab_start_inet_bg sipp sipp -sf "$here/uas_rtp.xml" -i "$LAB_PEER" -p 5060 \
  -mi "$LAB_PEER" -mp 6000 -trace_msg -message_file "$LAB_TMP/sipp_messages.log" -nostdin -timeout 60s
lab_wait_udp inet "$LAB_PEER" 5060 10 || { not_ok "sipp did not start"; finish; }

# The link manager reads commands from a FIFO (its standard input).
mkfifo "$LAB_TMP/ctl"
ip netns exec "$LAB_NS_LAN" "$lm" --stun "$LAB_STUN1" --local "$LAB_LAN_IP:65002" --interval 1 \
  --rtp-range 55000-55100 --json <"$LAB_TMP/ctl" >"$log" 2>&1 &
echo $! >>"$LAB_TMP/pids" # lab_down kills it by PID
lm_pid=$!
exec 3>"$LAB_TMP/ctl"
send_command() { echo "$*" >&3; }

# 1. start-up
if ! wait_event nat 1 5; then
  fail_with_log "start-up: no NAT verdict within 5 s"
  finish
fi
nat=$(events nat | jq -r '.nat_type + " " + .mapped')
if [[ $nat == "port-restricted-cone $LAB_PUBLIC_IP:"* ]]; then ok "start-up: NAT $nat"; else fail_with_log "start-up: NAT '$nat', wanted port-restricted-cone $LAB_PUBLIC_IP:*"; fi

# check_call N PUBLIC_IP: the N-th call; SIPp's N-th INVITE must carry PUBLIC_IP, RTP must arrive.
check_call() {
  local n=$1 public=$2
  send_command "call sip:service@$LAB_PEER:5060"
  if ! wait_event rtp_received "$n" 8; then
    fail_with_log "call $n: no RTP from SIPp reached the LAN within 8 s"
    return
  fi
  local rtp rtcp from invite
  rtp=$(events rtp_mapped | sed -n "${n}p" | jq -r .mapped)
  rtcp=$(events rtcp_mapped | sed -n "${n}p" | jq -r .mapped)
  from=$(events rtp_received | sed -n "${n}p" | jq -r .from)
  # The N-th INVITE as SIPp received it (its trace: "UDP message received [len] bytes :" + text).
  invite=$(awk -v n="$n" '/message received/ {inmsg = 1; next} /message sent/ {inmsg = 0}
                          inmsg && /^INVITE / {count++} inmsg && count == n' "$LAB_TMP/sipp_messages.log" |
    sed '/^-----/,$d')
  local via contact c m a_rtcp
  via=$(grep -m1 -i '^Via:' <<<"$invite" | tr -d '\r')
  contact=$(grep -m1 -i '^Contact:' <<<"$invite" | tr -d '\r')
  c=$(grep -m1 '^c=' <<<"$invite" | tr -d '\r')
  m=$(grep -m1 '^m=audio' <<<"$invite" | tr -d '\r')
  a_rtcp=$(grep -m1 '^a=rtcp:' <<<"$invite" | tr -d '\r')
  local want_via="Via: SIP/2.0/UDP $public:" want_contact="@$public:" want_c="c=IN IP4 $public"
  if [[ $via == "$want_via"* && $contact == *"$want_contact"* && $c == "$want_c" &&
        $m == "m=audio ${rtp##*:} "* && $a_rtcp == "a=rtcp:${rtcp##*:}"* && $rtp == "$public:"* ]] &&
     ! grep -q "$LAB_LAN_IP" <<<"$invite"; then
    ok "call $n: INVITE at the provider: $via | $contact | $c | $m | $a_rtcp (RTP public $rtp, RTCP $rtcp)"
  else
    fail_with_log "call $n: INVITE at the provider: '$via' '$contact' '$c' '$m' '$a_rtcp'; wanted $public, RTP $rtp, RTCP $rtcp, no $LAB_LAN_IP"
    sed 's/^/    # /' <<<"$invite"
  fi
  if [[ $from == "$LAB_PEER:6000" ]]; then ok "call $n: RTP from SIPp ($from) reached the LAN's RTP socket"; else not_ok "call $n: RTP from '$from'"; fi
  send_command "hangup"
  if wait_event ended "$n" 3; then ok "call $n: ended with BYE"; else fail_with_log "call $n: not ended"; fi
}

# 2. a call through the NAT
check_call 1 "$LAB_PUBLIC_IP"

# 3. renumbering
old_public=$(events nat | jq -r .mapped)
lab_renumber "$NEW_IP" || { not_ok "lab_renumber $NEW_IP failed"; finish; }
t_done=$(now_ms)
if wait_event changed 1 5; then
  t_seen=$(now_ms)
  change=$(events changed | head -n 1 | jq -r '.from + " -> " + .to')
  limit=$((INTERVAL_MS + RTO_MS))
  took=$((t_seen - t_done))
  if [[ $change == "$old_public -> $NEW_IP:"* ]] && ((took <= limit + 100)); then
    ok "renumber: changed $change seen $took ms after lab_renumber returned (limit $limit ms + 100 ms polling)"
  else
    fail_with_log "renumber: changed '$change' after $took ms; wanted $old_public -> $NEW_IP:* within $limit ms"
  fi
  if events reregister | grep -q "$NEW_IP"; then ok "renumber: the application was told to re-register"; else fail_with_log "renumber: no reregister call"; fi
else
  fail_with_log "renumber: no changed event within 5 s of lab_renumber $NEW_IP"
fi
check_call 2 "$NEW_IP"

send_command quit
for ((i = 0; i < 100; i++)); do kill -0 "$lm_pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$lm_pid" 2>/dev/null; then not_ok "quit: the link manager still runs"; else ok "quit: the link manager exited"; fi
exec 3>&-
lab_down

# 4. NATs that STUN cannot get calls through are reported plainly at start-up.
check_verdict() { # KIND WANT_TYPE WORDS-THE-ADVICE-MUST-CONTAIN
  lab_up "$1" || { not_ok "$1: lab_up failed"; return; }
  log=$LAB_TMP/lm.log
  lab_start_inet_bg stun "$server" --primary "$LAB_STUN1:3478" --alternate "$LAB_STUN2:3479"
  lab_wait_udp inet "$LAB_STUN1" 3478 10 || { not_ok "$1: natkit-stun-server did not start"; lab_down; return; }
  lab_start_lan_bg lm "$lm" --stun "$LAB_STUN1" --local "$LAB_LAN_IP:65002" --json
  if wait_event nat 1 5; then
    local got advice
    got=$(events nat | jq -r .nat_type)
    advice=$(events nat | jq -r .advice)
    if [[ $got == "$2" && $advice == *"$3"* ]]; then
      ok "$1: reported as $got: $advice"
    else
      fail_with_log "$1: reported as '$got' ('$advice'); wanted $2 and advice mentioning '$3'"
    fi
  else
    fail_with_log "$1: no NAT verdict within 5 s"
  fi
  lab_down
}
check_verdict symmetric symmetric "STUN alone will not carry calls"
check_verdict udp-blocked udp-blocked "cannot work"
finish
