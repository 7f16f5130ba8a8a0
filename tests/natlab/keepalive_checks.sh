#!/usr/bin/env bash
# natkit-keepalive in the NAT lab (lab.sh), against natkit-stun-server on 203.0.113.2:3478:
#
#   sudo tests/natlab/keepalive_checks.sh BUILD_DIR     (BUILD_DIR/examples/natkit-keepalive ...)
#
# 0. --count 3 ends the run by itself after 3 rounds, having printed the mapped address; SIGTERM
#    ends a running one at once.
# 1. Renumbering (port-restricted cone): lab_renumber 203.0.113.9 (then .10, .11, at other phases
#    of the keepalive cycle) during a run with --interval 1: a `changed` event from the old to the
#    new public address (same port) within 1.5 s (one interval plus one retransmission timeout)
#    of lab_renumber's return; no `lost`.
# 2. Mapping timeout 3 s (lab_up --udp-timeout 3), two clients side by side for 20 s, one with
#    --interval 1 and one with --interval 6:
#    a. symmetric lab (masquerade fully-random: a mapping that expired comes back on a new random
#       port, so expiry is visible to STUN): --interval 1 keeps its mapped address for 20 s (no
#       `changed`), and it is the router's conntrack mapping; --interval 6 sees it change (proof
#       that it is the keepalive that holds the binding).
#    b. port-restricted cone (port preservation: an expired mapping comes back on the same port,
#       so STUN cannot see expiry, as README.md says): the router's conntrack entry of the
#       --interval 1 flow is there in every sample, the --interval 6 flow's disappears between
#       keepalives; neither client reports a change.
#    (--remap-ports does not help here: its port XOR 0x155 is a fixed 1:1 map, so an expired
#    mapping also comes back on the same port.)
# 3. Server unreachable (port-restricted cone, --interval 1): kill natkit-stun-server mid-run:
#    `lost` after 3 failed rounds (3-4 s after the kill); restart it: `restored` with the same
#    mapped address within 1.5 s, no `changed`.
#
# Prints "ok - ..." / "not ok - ..." and "N passed, M failed"; exits 1 on any failure, 77 when the
# lab cannot run here (not root, no namespaces; or jq missing). About 65 s.
#   NATLAB_ONLY="count renumber timeout-symmetric timeout-port-restricted unreachable"   some only
#   NATLAB_VERBOSE=1   print every client's event log
set -u
export LC_ALL=C # EPOCHREALTIME with a decimal point

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.sh
source "$here/lab.sh"

build=${1:-}
if [[ -z $build || $build == -* ]]; then
  echo "usage: $0 BUILD_DIR   (needs BUILD_DIR/examples/natkit-keepalive and natkit-stun-server)" >&2
  exit 2
fi
bin=$(cd "$build" 2>/dev/null && pwd) || bin=$build
bin+=/examples
for b in natkit-keepalive natkit-stun-server; do
  if [[ ! -x $bin/$b ]]; then
    echo "Bail out! $bin/$b not found; build it: cmake --build $build --target natkit-stun-server natkit-keepalive" >&2
    exit 1
  fi
done
if ! command -v jq >/dev/null; then
  echo "SKIP: natlab: 'jq' not found (apt-get install jq)" >&2
  exit 77
fi

passed=0
failed=0
verbose=${NATLAB_VERBOSE:-0}
start_time=$SECONDS
SERVER="$LAB_STUN1:3478"

ok() {
  passed=$((passed + 1))
  echo "ok - $*"
}
not_ok() {
  failed=$((failed + 1))
  echo "not ok - $*"
}
selected() { [[ -z ${NATLAB_ONLY:-} || " $NATLAB_ONLY " == *" $1 "* ]]; }

now_us() { echo "${EPOCHREALTIME/./}"; }
ms_since() { echo $((($(now_us) - $1) / 1000)); } # START_US -> milliseconds
ms_between() { echo $((($2 - $1) / 1000)); }       # FROM_US TO_US -> milliseconds

start_server() { # NAME
  lab_start_inet_bg "$1" "$bin/natkit-stun-server" --primary "$SERVER" --alternate "$LAB_STUN2:3479" &&
    lab_wait_udp inet "$LAB_STUN1" 3478 10
}

# start_client NAME LOCAL_PORT INTERVAL: natkit-keepalive on the client, events in $LAB_TMP/NAME.log
start_client() {
  lab_start_lan_bg "$1" "$bin/natkit-keepalive" --server "$SERVER" --local "$LAB_LAN_IP:$2" --interval "$3" --json
}

# events NAME [EVENT]: the client's JSON events (compact, one a line), optionally one kind only
events() {
  jq -cR --arg e "${2:-}" 'fromjson? | select(type == "object" and ($e == "" or .event == $e))' "$LAB_TMP/$1.log"
}
count_events() { events "$@" | grep -c .; }

# wait_event NAME EVENT N SECONDS: wait until the client printed its N-th EVENT; prints the time
# (microseconds) it was seen (polled every 10 ms, so at most ~10 ms late). Fails on timeout.
wait_event() {
  local log="$LAB_TMP/$1.log" deadline=$(($(now_us) + $4 * 1000000)) c
  while :; do
    c=$(grep -c "\"event\":\"$2\"" "$log" 2>/dev/null)
    if ((${c:-0} >= $3)); then
      now_us
      return 0
    fi
    (($(now_us) > deadline)) && return 1
    sleep 0.01
  done
}

# The client's t_ms clock on ours: t_ms 0 = offset[NAME] (microseconds). Taken when its first
# event (mapped, t_ms ~1) was seen by wait_event, so it is late by at most that poll's delay:
# event times computed from it are never early.
declare -A offset=()
set_offset() { # NAME SEEN_US
  local t
  t=$(events "$1" mapped | head -n 1 | jq -r .t_ms)
  offset[$1]=$(($2 - ${t:-0} * 1000))
}
# event_us NAME EVENT N: when the client printed its N-th EVENT, on our clock
event_us() {
  local t
  t=$(events "$1" "$2" | sed -n "$3p" | jq -r .t_ms)
  echo $((${offset[$1]} + ${t:-0} * 1000))
}

show_log() { # NAME
  sed 's/^/    # /' "$LAB_TMP/$1.log"
}
maybe_show() { ((verbose)) && show_log "$1"; return 0; }

# stop_client NAME: SIGTERM must end natkit-keepalive at once (lab_stop_bg would KILL after 2 s)
stop_client() {
  local pid i
  pid=$(cat "$LAB_TMP/$1.pid" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if kill -0 "$pid" 2>/dev/null; then
    not_ok "$1: natkit-keepalive still running 1 s after SIGTERM"
  else
    echo "# $1: natkit-keepalive ended $((i * 10)) ms after SIGTERM"
  fi
  lab_stop_bg "$1"
}

# The router's conntrack entry of the client's flow from LOCAL_PORT to the server: its public port
# (reply direction's dport), empty when there is none.
router_port() {
  lab_exec_router conntrack -L -p udp --orig-src "$LAB_LAN_IP" --sport "$1" --dport 3478 2>/dev/null |
    sed -n 's/.* src=[0-9.]* dst=[0-9.]* sport=3478 dport=\([0-9]*\).*/\1/p' | head -n 1
}

# --- 0. --count and SIGTERM --------------------------------------------------------------------
check_count() {
  selected count || return 0
  lab_up port-restricted-cone || { not_ok "count: lab_up failed"; return; }
  start_server stun || { not_ok "count: natkit-stun-server did not start"; lab_down; return; }
  local t0 rc ms out
  t0=$(now_us)
  out=$(lab_exec_lan timeout 10 "$bin/natkit-keepalive" --server "$SERVER" --local "$LAB_LAN_IP:40050" \
    --interval 0.2 --count 3 --json 2>&1)
  rc=$?
  ms=$(ms_since "$t0")
  if ((rc == 0)) && [[ $(grep -c . <<<"$out") == 1 ]] &&
    [[ $(jq -r 'select(.event == "mapped") | .mapped' <<<"$out" 2>/dev/null) == "$LAB_PUBLIC_IP:40050" ]] &&
    ((ms >= 350 && ms < 2000)); then
    ok "count: --interval 0.2 --count 3 printed only {\"event\":\"mapped\",\"mapped\":\"$LAB_PUBLIC_IP:40050\"} and exited 0 by itself after $ms ms"
  else
    not_ok "count: --interval 0.2 --count 3: exit status $rc after $ms ms (want 0 after 3 rounds, ~0.4-0.6 s), output:"
    printf '%s\n' "$out" | sed 's/^/    # /'
  fi
  lab_down
}

# --- 1. renumbering ----------------------------------------------------------------------------
check_renumber() {
  selected renumber || return 0
  lab_up port-restricted-cone || { not_ok "renumber: lab_up failed"; return; }
  start_server stun || { not_ok "renumber: natkit-stun-server did not start"; lab_down; return; }
  local port=40100 ka=ka-renumber
  start_client "$ka" "$port" 1
  local seen
  if ! seen=$(wait_event "$ka" mapped 1 3); then
    not_ok "renumber: no mapped event within 3 s"
    show_log "$ka"
    lab_down
    return
  fi
  set_offset "$ka" "$seen"
  local old="$LAB_PUBLIC_IP:$port" got
  got=$(events "$ka" mapped | jq -r .mapped)
  if [[ $got == "$old" ]]; then ok "renumber: mapped $got"; else not_ok "renumber: mapped '$got', wanted $old"; fi
  local ip n=0 pause t_begin t_done t_event got_from got_to worst=-99999
  # Three renumberings at different phases of the 1 s keepalive cycle.
  for ip in 203.0.113.9 203.0.113.10 203.0.113.11; do
    n=$((n + 1))
    pause=$((1000 + 370 * n)) # ms: 1.37, 1.74, 2.11 s after the previous event
    sleep "$((pause / 1000)).$(printf '%03d' $((pause % 1000)))"
    t_begin=$(now_us)
    if ! lab_renumber "$ip"; then
      not_ok "renumber: lab_renumber $ip failed"
      break
    fi
    t_done=$(now_us)
    if ! wait_event "$ka" changed "$n" 5 >/dev/null; then
      not_ok "renumber: no changed event within 5 s of lab_renumber $ip (took $(ms_between "$t_begin" "$t_done") ms)"
      show_log "$ka"
      break
    fi
    t_event=$(event_us "$ka" changed "$n")
    local ms
    ms=$(ms_between "$t_done" "$t_event")
    ((ms > worst)) && worst=$ms
    got_from=$(events "$ka" changed | sed -n "${n}p" | jq -r .from)
    got_to=$(events "$ka" changed | sed -n "${n}p" | jq -r .to)
    # lab_renumber takes a while (address, route, rules, conntrack flush): a keepalive sent
    # while it runs may already see the new address (then ms < 0).
    local what
    what="renumber: lab_renumber $ip (ran $(ms_between "$t_begin" "$t_done") ms): changed $got_from -> $got_to"
    what+=" $(ms_between "$t_begin" "$t_event") ms after it began, $ms ms after it returned"
    if [[ $got_from == "$old" && $got_to == "$ip:$port" ]] && ((ms <= 1500)); then
      ok "$what (limit 1500 ms after it returned)"
    else
      not_ok "$what; wanted $old -> $ip:$port within 1500 ms"
      show_log "$ka"
    fi
    old="$ip:$port"
  done
  sleep 0.5
  local nc nl
  nc=$(count_events "$ka" changed)
  nl=$(count_events "$ka" lost)
  if ((nc == n && nl == 0)); then
    ok "renumber: exactly $nc changed events for $n renumberings, no lost"
  else
    not_ok "renumber: $nc changed and $nl lost events for $n renumberings"
    show_log "$ka"
  fi
  maybe_show "$ka"
  stop_client "$ka"
  echo "# renumber: latest detection $worst ms after lab_renumber returned"
  lab_down
}

# --- 2. mapping timeout ------------------------------------------------------------------------
# timeout_lab KIND SECONDS: two clients (interval 1 and 6) for SECONDS; samples the router's
# conntrack entries of both flows every 0.5 s.
timeout_lab() {
  local kind=$1 secs=$2 label
  if [[ $kind == symmetric ]]; then label="timeout-symmetric"; else label="timeout-port-restricted"; fi
  selected "$label" || return 0
  local ct=1
  if ! command -v conntrack >/dev/null; then
    if [[ $kind != symmetric ]]; then
      echo "# $label: skipped (needs the conntrack tool)"
      return 0
    fi
    ct=0
    echo "# $label: no conntrack tool: the router's entries are not sampled"
  fi
  lab_up "$kind" --udp-timeout 3 || { not_ok "$label: lab_up failed"; return; }
  start_server stun || { not_ok "$label: natkit-stun-server did not start"; lab_down; return; }
  local p1=40201 p6=40206
  [[ $kind == symmetric ]] || { p1=40301 p6=40306; }
  start_client ka1 "$p1" 1
  start_client ka6 "$p6" 6
  if ! wait_event ka1 mapped 1 3 >/dev/null || ! wait_event ka6 mapped 1 3 >/dev/null; then
    not_ok "$label: no mapped event within 3 s"
    show_log ka1
    show_log ka6
    lab_down
    return
  fi
  local t0 end samples=0 have1=0 have6=0 r1="" r6="" ports1=() ports6=()
  t0=$(now_us)
  end=$((t0 + secs * 1000000))
  while (($(now_us) < end)); do
    if ((ct)); then
      r1=$(router_port "$p1")
      r6=$(router_port "$p6")
    fi
    samples=$((samples + 1))
    [[ -n $r1 ]] && have1=$((have1 + 1)) && ports1+=("$r1")
    [[ -n $r6 ]] && have6=$((have6 + 1)) && ports6+=("$r6")
    sleep 0.5
  done
  stop_client ka1
  stop_client ka6
  local m1 c1 l1 m6 c6 l6 distinct1
  m1=$(events ka1 mapped | jq -r .mapped)
  c1=$(count_events ka1 changed)
  l1=$(count_events ka1 lost)
  m6=$(events ka6 mapped | jq -r .mapped)
  c6=$(count_events ka6 changed)
  l6=$(count_events ka6 lost)
  distinct1=$(printf '%s\n' "${ports1[@]}" | sort -u | paste -sd, -)
  if ((!ct)); then # no samples: nothing to hold against natkit's view
    have1=$samples distinct1=${m1##*:}
  fi
  if [[ $kind == symmetric ]]; then
    if ((c1 == 0 && l1 == 0)) && [[ -n $m1 && $have1 == "$samples" && $distinct1 == "${m1##*:}" ]]; then
      local router="; the router's conntrack entry was there in all $samples samples, always on public port $distinct1"
      ((ct)) || router=""
      ok "$label: --interval 1, mapping timeout 3 s: mapped $m1 unchanged for ${secs} s (no changed/lost event)$router"
    else
      not_ok "$label: --interval 1: $c1 changed, $l1 lost events; router entry in $have1 of $samples samples, public ports '$distinct1', natkit mapped '$m1'"
      show_log ka1
    fi
    local chain
    chain=$(events ka6 changed | jq -r '"\(.to) at \(.t_ms) ms"' | paste -sd';' - | sed 's/;/; /g')
    if ((c6 >= 1 && l6 == 0)); then
      ok "$label: --interval 6 (> timeout 3 s): the mapping expired between keepalives: mapped $m6, then $c6 changed events ($chain)$( ((ct)) && echo "; router entry in only $have6 of $samples samples")"
    else
      not_ok "$label: --interval 6: $c6 changed, $l6 lost events (wanted >= 1 change: each keepalive after expiry gets a new random port); router entry in $have6 of $samples samples"
      show_log ka6
    fi
  else
    if ((c1 == 0 && l1 == 0 && have1 == samples)) && [[ $distinct1 == "${m1##*:}" ]]; then
      ok "$label: --interval 1, mapping timeout 3 s: the router's conntrack entry of the flow was there in all $samples samples over ${secs} s (public port $distinct1 = natkit's mapped $m1), no changed/lost event"
    else
      not_ok "$label: --interval 1: router entry in $have1 of $samples samples (ports '$distinct1'), natkit mapped '$m1', $c1 changed, $l1 lost"
      show_log ka1
    fi
    if ((have6 < samples && c6 == 0 && l6 == 0)); then
      ok "$label: --interval 6: the router's entry expired between keepalives (absent in $((samples - have6)) of $samples samples), and came back on the same port, so natkit reports no change (mapped $m6; port preservation hides expiry)"
    else
      not_ok "$label: --interval 6: router entry in $have6 of $samples samples (wanted gaps), $c6 changed, $l6 lost events"
      show_log ka6
    fi
  fi
  maybe_show ka1
  maybe_show ka6
  lab_down
}

# --- 3. server unreachable ---------------------------------------------------------------------
check_unreachable() {
  selected unreachable || return 0
  lab_up port-restricted-cone || { not_ok "unreachable: lab_up failed"; return; }
  start_server stun || { not_ok "unreachable: natkit-stun-server did not start"; lab_down; return; }
  local port=40400 ka=ka-unreachable
  start_client "$ka" "$port" 1
  local seen
  if ! seen=$(wait_event "$ka" mapped 1 3); then
    not_ok "unreachable: no mapped event within 3 s"
    show_log "$ka"
    lab_down
    return
  fi
  set_offset "$ka" "$seen"
  local mapped
  mapped=$(events "$ka" mapped | jq -r .mapped)
  sleep 2.3 # a few answered rounds, and the kill at some phase of the cycle
  local k0 k1 t_lost t_up t_restored
  k0=$(now_us)
  lab_stop_bg stun
  k1=$(now_us)
  if lab_exec_inet ss -Hlun "src $LAB_STUN1:3478" | grep -q .; then
    not_ok "unreachable: natkit-stun-server still listening after lab_stop_bg"
  fi
  if ! wait_event "$ka" lost 1 8 >/dev/null; then
    not_ok "unreachable: no lost event within 8 s of killing the server"
    show_log "$ka"
    lab_down
    return
  fi
  local after_kill after_stop
  t_lost=$(event_us "$ka" lost 1)
  after_kill=$(ms_between "$k0" "$t_lost")
  after_stop=$(ms_between "$k1" "$t_lost")
  # Rounds are 1 s long and start every second: the 3rd failed round ends 3-4 s after the kill.
  if ((after_kill >= 2900 && after_stop <= 4300)); then
    ok "unreachable: server killed: lost $after_kill ms after the kill (3 failed 1 s rounds: 3000-4000 ms)"
  else
    not_ok "unreachable: lost $after_kill ms after the kill began ($after_stop ms after it ended); wanted 3 failed rounds, 3000-4000 ms"
    show_log "$ka"
  fi
  sleep 1.2 # stays lost for a while (a round or two more fail)
  start_server stun2 || { not_ok "unreachable: natkit-stun-server did not restart"; lab_down; return; }
  t_up=$(now_us)
  if ! wait_event "$ka" restored 1 5 >/dev/null; then
    not_ok "unreachable: no restored event within 5 s of the server's restart"
    show_log "$ka"
    lab_down
    return
  fi
  local ms rm
  t_restored=$(event_us "$ka" restored 1)
  ms=$(ms_between "$t_up" "$t_restored")
  rm=$(events "$ka" restored | jq -r .mapped)
  if ((ms <= 1500)) && [[ $rm == "$mapped" ]]; then
    ok "unreachable: server restarted: restored $rm $ms ms after it listened again (limit 1500 ms)"
  else
    not_ok "unreachable: restored '$rm' $ms ms after the restart; wanted $mapped within 1500 ms"
    show_log "$ka"
  fi
  sleep 1.2
  local nl nr nc
  nl=$(count_events "$ka" lost)
  nr=$(count_events "$ka" restored)
  nc=$(count_events "$ka" changed)
  if ((nl == 1 && nr == 1 && nc == 0)); then
    ok "unreachable: one lost, one restored, no changed event"
  else
    not_ok "unreachable: $nl lost, $nr restored, $nc changed events (wanted 1, 1, 0)"
    show_log "$ka"
  fi
  maybe_show "$ka"
  stop_client "$ka"
  lab_down
}

check_clean() {
  local left
  left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^nk${BASHPID}x" || true)
  if [[ -z $left ]]; then
    ok "teardown: no lab namespace left"
  else
    not_ok "teardown: namespaces left: $left"
  fi
}

check_count
check_renumber
timeout_lab symmetric 20
timeout_lab port-restricted-cone 12
check_unreachable
check_clean
echo "# $((SECONDS - start_time)) s"
echo "$passed passed, $failed failed"
((failed == 0))
