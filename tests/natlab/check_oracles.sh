#!/usr/bin/env bash
# Proves the NAT lab (lab.sh) with two independent NAT-discovery tools:
#   - Vovida `stun` (Debian stun-client, RFC 3489) against Vovida `stund` (stun-server),
#     on 203.0.113.2/.3 ports 3478/3479;
#   - coturn `turnutils_natdiscovery` (RFC 5780: -m mapping, -f filtering, -H hairpinning, -t
#     mapping lifetime) against coturn `turnserver` in its RFC 5780 mode, on 203.0.113.2/.3
#     ports 3480/3481.
# For every KIND (and the cone NATs and symmetric with --hairpin) both tools must report the
# intended behaviour; then the lab's extras (port remapping, renumbering, UDP timeout, loss) are
# checked. Prints "ok - ..." / "not ok - ..." per check and "N passed, M failed"; exits 1 on any
# failure, 77 when the lab cannot run here (not root, no namespaces).
#
# Environment:
#   NATLAB_ONLY="full-cone symmetric+hairpin ..."   run only these labs (labels as printed)
#   NATLAB_ORACLES="stun turn"                      which oracles to run (default both)
#   NATLAB_EXTRAS=0                                 skip the extras (remap, renumber, timeout, loss)
#   (all: ~2 min on 2 cores; NATLAB_ORACLES=stun NATLAB_EXTRAS=0: ~40 s, every KIND still covered)
#   NATLAB_VERBOSE=1                                print every oracle's full output
#
# What the tools print, verbatim (observed on Debian 12: stun-client 0.97, coturn 4.6.1, kernel
# 6.x). `stun 203.0.113.2` prints one verdict line (trailing tab removed) and exits with a code:
#   open                       "Primary: Open"                                                      rc 0x01
#   full-cone                  "Primary: Independent Mapping, Independent Filter, preserves ports, no hairpin"     rc 0x13
#   restricted-cone            "Primary: Independent Mapping, Address Dependent Filter, preserves ports, no hairpin" rc 0x15
#   port-restricted-cone       "Primary: Independent Mapping, Port Dependent Filter, preserves ports, no hairpin"   rc 0x17
#   symmetric                  "Primary: Dependent Mapping, random port, no hairpin"                rc 0x18
#   symmetric-firewall         "Primary: Firewall"                                                  rc 0x0b
#   udp-blocked                "Primary: Blocked or could not reach STUN server"                    rc 0x1c
#   ... --hairpin              same, with "will hairpin" instead of "no hairpin" (rc without 0x10)
#   ... --remap-ports          same, with "random port" instead of "preserves ports"
# `turnutils_natdiscovery -L <client address> -p 3480 203.0.113.2` with -m / -f / -H prints, besides
# the addresses, these verdict lines (below joined with " | "):
#   -m open, symmetric-firewall   "No NAT! (Endpoint Independent Mapping) | NAT with Endpoint Independent Mapping!"
#   -m cone kinds                 "NAT with Endpoint Independent Mapping!"
#   -m symmetric                  "NAT with Address and Port Dependent Mapping!"
#   -f open, full-cone            "[No NAT! (Endpoint Independent Mapping) | ]NAT with Endpoint Independent Filtering!"
#   -f restricted-cone            "NAT with Address Dependent Filtering!"
#   -f port-restricted-cone, symmetric, symmetric-firewall
#                                 "[No NAT! (Endpoint Independent Mapping) | ]NAT with Address and Port Dependent Filtering!"
#   -H with hairpinning, and open  "Received a request (maybe a successful hairpinning)"
#   -H without hairpinning        no verdict at all: "RFC 5780 response 1", then "STUN receive timeout.." twice
#   udp-blocked, every mode       no verdict and no response: "STUN receive timeout.."
#   -t -T S                       no verdict: "RFC 5780 response 2" when the mapping outlived S
#                                 seconds, "STUN receive timeout.." when it did not.
# The "No NAT!" line is printed when the reflexive address equals the local one, hence -L.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.sh
source "$here/lab.sh"

passed=0
failed=0
server_pids=()
labs_seen=()
verbose=${NATLAB_VERBOSE:-0}
oracles=${NATLAB_ORACLES:-stun turn}
start_time=$SECONDS

ok() {
  passed=$((passed + 1))
  echo "ok - $*"
}
not_ok() {
  failed=$((failed + 1))
  echo "not ok - $*"
}

want() { [[ " $oracles " == *" $1 "* ]]; }

selected() { # LABEL
  [[ -z ${NATLAB_ONLY:-} || " $NATLAB_ONLY " == *" $1 "* ]]
}

# The stun client's verdict line, trailing whitespace removed.
stun_verdict() { sed -n 's/^\(Primary: .*[^[:space:]]\)[[:space:]]*$/\1/p' "$1" | head -n 1; }

# turnutils_natdiscovery's verdict lines joined with " | "; "(none)" when there are none.
turn_verdict() {
  local v
  v=$(grep -E '^(No NAT!|NAT with|Received a request)' "$1" | awk '!seen[$0]++' | paste -sd'|' - | sed 's/|/ | /g')
  echo "${v:-(none)}"
}

show() { # FILE: the full output, indented, when verbose or on failure
  sed 's/^/    # /' "$1"
}

# expect_eq LABEL WHAT FILE GOT WANT
expect_eq() {
  if [[ $4 == "$5" ]]; then
    ok "$1: $2 says \"$4\""
  else
    not_ok "$1: $2 says \"$4\", wanted \"$5\""
    show "$3"
  fi
}

start_servers() {
  : >"$LAB_TMP/stund.log"
  lab_start_inet_bg stund stund -h "$LAB_STUN1" -a "$LAB_STUN2" -p 3478 -o 3479
  server_pids+=("$LAB_LAST_PID")
  lab_start_inet_bg turnserver turnserver -n -S --no-auth \
    -L "$LAB_STUN1" -L "$LAB_STUN2" -p 3480 --alt-listening-port 3481 \
    --no-tcp --no-tls --no-dtls --no-cli -m 1 \
    --pidfile "$LAB_TMP/turnserver.pid.own" --log-file "$LAB_TMP/turnserver.log.own" --simple-log \
    --no-stdout-log --userdb "$LAB_TMP/turndb"
  server_pids+=("$LAB_LAST_PID")
  local ip port
  for ip in "$LAB_STUN1" "$LAB_STUN2"; do
    for port in 3478 3479 3480 3481; do
      lab_wait_udp inet "$ip" "$port" 10 || return 1
    done
  done
}

# run_oracle NAME CMD... : run CMD on the client in the background, output to $LAB_TMP/NAME.out
pids=()
run_oracle() {
  local name=$1
  shift
  lab_exec_lan timeout 60 "$@" >"$LAB_TMP/$name.out" 2>&1 &
  pids+=($!)
}
wait_oracles() {
  local p
  for p in "${pids[@]}"; do wait "$p"; done
  pids=()
}
natdisc() { # MODE... : turnutils_natdiscovery against turnserver, bound to the client's address
  echo turnutils_natdiscovery "$@" -L "$LAB_LAN_IP" -p 3480 "$LAB_STUN1"
}

# expected_* KIND HAIRPIN(0|1) REMAP(0|1)
expected_stun() {
  local ports=", preserves ports" hp=", no hairpin"
  (($2)) && hp=", will hairpin"
  (($3)) && ports=", random port"
  case $1 in
    open) echo "Primary: Open" ;;
    full-cone) echo "Primary: Independent Mapping, Independent Filter$ports$hp" ;;
    restricted-cone) echo "Primary: Independent Mapping, Address Dependent Filter$ports$hp" ;;
    port-restricted-cone) echo "Primary: Independent Mapping, Port Dependent Filter$ports$hp" ;;
    symmetric) echo "Primary: Dependent Mapping, random port$hp" ;;
    symmetric-firewall) echo "Primary: Firewall" ;;
    udp-blocked) echo "Primary: Blocked or could not reach STUN server" ;;
  esac
}
expected_turn_m() {
  case $1 in
    open | symmetric-firewall) echo "No NAT! (Endpoint Independent Mapping) | NAT with Endpoint Independent Mapping!" ;;
    full-cone | restricted-cone | port-restricted-cone) echo "NAT with Endpoint Independent Mapping!" ;;
    symmetric) echo "NAT with Address and Port Dependent Mapping!" ;;
    udp-blocked) echo "(none)" ;;
  esac
}
expected_turn_f() {
  case $1 in
    open) echo "No NAT! (Endpoint Independent Mapping) | NAT with Endpoint Independent Filtering!" ;;
    full-cone) echo "NAT with Endpoint Independent Filtering!" ;;
    restricted-cone) echo "NAT with Address Dependent Filtering!" ;;
    port-restricted-cone | symmetric) echo "NAT with Address and Port Dependent Filtering!" ;;
    symmetric-firewall) echo "No NAT! (Endpoint Independent Mapping) | NAT with Address and Port Dependent Filtering!" ;;
    udp-blocked) echo "(none)" ;;
  esac
}
expected_turn_h() {
  case $1 in
    open | symmetric-firewall) echo "Received a request (maybe a successful hairpinning)" ;;
    udp-blocked) echo "(none)" ;;
    *) if (($2)); then echo "Received a request (maybe a successful hairpinning)"; else echo "(none)"; fi ;;
  esac
}

# check_turn LABEL MODE FILE WANT: the verdict, plus for "(none)" proof that the test ran as meant
check_turn() {
  local label=$1 mode=$2 file=$3 want=$4 got
  got=$(turn_verdict "$file")
  if [[ $want == "(none)" && $got == "(none)" ]]; then
    if [[ $label == udp-blocked* ]]; then
      if grep -q '^RFC 5780 response' "$file" || ! grep -q 'STUN receive timeout' "$file"; then
        not_ok "$label: turnutils_natdiscovery $mode got a response through a UDP-blocking router"
        show "$file"
        return
      fi
      ok "$label: turnutils_natdiscovery $mode says nothing but \"STUN receive timeout..\" (no response)"
    else
      if ! grep -q '^RFC 5780 response 1' "$file" || ! grep -q 'STUN receive timeout' "$file"; then
        not_ok "$label: turnutils_natdiscovery $mode: no mapping or no timeout (test did not run?)"
        show "$file"
        return
      fi
      ok "$label: turnutils_natdiscovery $mode says no verdict: got a mapping, then \"STUN receive timeout..\" (no hairpinning)"
    fi
    return
  fi
  expect_eq "$label" "turnutils_natdiscovery $mode" "$file" "$got" "$want"
}

# kind_lab KIND [--hairpin] [--remap-ports]: one lab, both oracles in parallel, the verdicts
kind_lab() {
  local kind=$1 hairpin=0 remap=0 label=$1 opt
  shift
  for opt in "$@"; do
    case $opt in
      --hairpin) hairpin=1 label+="+hairpin" ;;
      --remap-ports) remap=1 label+="+remap" ;;
    esac
  done
  selected "$label" || return 0
  labs_seen+=("$label")
  local t0=$SECONDS
  lab_up "$kind" "$@" || { not_ok "$label: lab_up failed"; return; }
  if ! start_servers; then
    not_ok "$label: STUN servers did not start"
    lab_down
    return
  fi
  want stun && run_oracle stun stun "$LAB_STUN1"
  if want turn; then
    # shellcheck disable=SC2046
    run_oracle turn-m $(natdisc -m)
    # shellcheck disable=SC2046
    run_oracle turn-f $(natdisc -f)
    if ((hairpin)) || [[ $kind == full-cone || $kind == open || $kind == udp-blocked ]]; then
      # shellcheck disable=SC2046
      run_oracle turn-H $(natdisc -H)
    fi
  fi
  wait_oracles
  local f
  if ((verbose)); then
    for f in "$LAB_TMP"/*.out; do
      echo "    # --- $label: $(basename "$f" .out)"
      show "$f"
    done
  fi
  if want stun; then
    expect_eq "$label" stun "$LAB_TMP/stun.out" "$(stun_verdict "$LAB_TMP/stun.out")" "$(expected_stun "$kind" "$hairpin" "$remap")"
  fi
  if want turn; then
    check_turn "$label" -m "$LAB_TMP/turn-m.out" "$(expected_turn_m "$kind")"
    check_turn "$label" -f "$LAB_TMP/turn-f.out" "$(expected_turn_f "$kind")"
    if [[ -f $LAB_TMP/turn-H.out ]]; then
      check_turn "$label" -H "$LAB_TMP/turn-H.out" "$(expected_turn_h "$kind" "$hairpin")"
    fi
  fi
  if ((remap)) && want turn; then
    # The reflexive port must be the local port XOR 0x155.
    local lp rp
    lp=$(sed -n 's/.*Local addr: : [0-9.]*:\([0-9]*\).*/\1/p' "$LAB_TMP/turn-m.out" | head -n 1)
    rp=$(sed -n 's/.*UDP reflexive addr: [0-9.]*:\([0-9]*\).*/\1/p' "$LAB_TMP/turn-m.out" | head -n 1)
    if [[ -n $lp && -n $rp ]] && ((rp == (lp ^ 0x155))); then
      ok "$label: local port $lp is mapped to $rp (= $lp XOR 0x155)"
    else
      not_ok "$label: local port '$lp' mapped to '$rp', wanted local XOR 0x155"
    fi
  fi
  lab_down
  echo "# $label: $((SECONDS - t0)) s"
}

# The lab's extras, each proven with an oracle.
extra_renumber() {
  selected renumber || return 0
  labs_seen+=(renumber)
  lab_up full-cone || { not_ok "renumber: lab_up failed"; return; }
  start_servers || { not_ok "renumber: STUN servers did not start"; lab_down; return; }
  # Same client port before and after: the public address of that socket changes.
  lab_exec_lan timeout 30 stun "$LAB_STUN1" -v -p 40000 >"$LAB_TMP/before.out" 2>&1
  lab_renumber 203.0.113.9 || not_ok "renumber: lab_renumber failed"
  lab_exec_lan timeout 30 stun "$LAB_STUN1" -v -p 40000 >"$LAB_TMP/after.out" 2>&1
  local b a
  b=$(sed -n 's/^MappedAddress = //p' "$LAB_TMP/before.out" | head -n 1)
  a=$(sed -n 's/^MappedAddress = //p' "$LAB_TMP/after.out" | head -n 1)
  if [[ $b == 203.0.113.1:40000 && $a == 203.0.113.9:40000 ]]; then
    ok "renumber: stun's MappedAddress for client port 40000 was $b, after lab_renumber 203.0.113.9 it is $a"
  else
    not_ok "renumber: MappedAddress before '$b' (want 203.0.113.1:40000), after '$a' (want 203.0.113.9:40000)"
    show "$LAB_TMP/after.out"
  fi
  expect_eq renumber "stun (after)" "$LAB_TMP/after.out" "$(stun_verdict "$LAB_TMP/after.out")" "$(expected_stun full-cone 0 0)"
  lab_down
}

extra_timeout() {
  selected timeout || return 0
  want turn || return 0
  labs_seen+=(timeout)
  lab_up port-restricted-cone || { not_ok "timeout: lab_up failed"; return; }
  lab_set_udp_timeout 3 || not_ok "timeout: lab_set_udp_timeout failed"
  start_servers || { not_ok "timeout: STUN servers did not start"; lab_down; return; }
  # RFC 5780 section 4.6: a second socket asks the server to answer to the first one's mapping
  # after T seconds (RESPONSE-PORT); it arrives only if the mapping is still there.
  # shellcheck disable=SC2046
  run_oracle life1 $(natdisc -t -T 1)
  # shellcheck disable=SC2046
  run_oracle life6 $(natdisc -t -T 6)
  wait_oracles
  if grep -q '^RFC 5780 response 2' "$LAB_TMP/life1.out"; then
    ok "timeout: udp timeout 3 s: turnutils_natdiscovery -t -T 1 got \"RFC 5780 response 2\" (mapping alive after 1 s)"
  else
    not_ok "timeout: -t -T 1 got no second response"
    show "$LAB_TMP/life1.out"
  fi
  if grep -q '^RFC 5780 response 1' "$LAB_TMP/life6.out" && ! grep -q '^RFC 5780 response 2' "$LAB_TMP/life6.out" &&
    grep -q 'STUN receive timeout' "$LAB_TMP/life6.out"; then
    ok "timeout: udp timeout 3 s: turnutils_natdiscovery -t -T 6 got \"STUN receive timeout..\" (mapping gone after 6 s)"
  else
    not_ok "timeout: -t -T 6: the mapping survived 6 s or the test did not run"
    show "$LAB_TMP/life6.out"
  fi
  lab_down
}

extra_loss() {
  selected loss || return 0
  want stun || return 0
  labs_seen+=(loss)
  lab_up full-cone --loss 100 || { not_ok "loss: lab_up failed"; return; }
  start_servers || { not_ok "loss: STUN servers did not start"; lab_down; return; }
  lab_exec_lan timeout 30 stun "$LAB_STUN1" >"$LAB_TMP/loss100.out" 2>&1
  expect_eq "loss 100" stun "$LAB_TMP/loss100.out" "$(stun_verdict "$LAB_TMP/loss100.out")" "$(expected_stun udp-blocked 0 0)"
  lab_set_loss 0
  lab_exec_lan timeout 30 stun "$LAB_STUN1" >"$LAB_TMP/loss0.out" 2>&1
  expect_eq "loss 100 -> lab_set_loss 0" stun "$LAB_TMP/loss0.out" "$(stun_verdict "$LAB_TMP/loss0.out")" "$(expected_stun full-cone 0 0)"
  # 30 %: send 400 datagrams to an echo-less port and count what the loss rule dropped.
  lab_set_loss 30
  local i sent=400 dropped
  lab_exec_lan bash -c "for ((i = 0; i < $sent; i++)); do echo x >/dev/udp/$LAB_STUN1/9; done" 2>/dev/null
  dropped=$(lab_exec_router nft list chain ip nklab forward | sed -n 's/.*numgen random mod 100 < 30 counter packets \([0-9]*\) .*/\1/p')
  if [[ -n $dropped ]] && ((dropped >= sent * 20 / 100 && dropped <= sent * 40 / 100)); then
    ok "loss 30: the loss rule dropped $dropped of $sent forwarded UDP datagrams"
  else
    not_ok "loss 30: the loss rule dropped '${dropped}' of $sent (wanted 20-40 %)"
  fi
  lab_down
}

# Is anything of ours left? Namespaces named nk<this pid>x..., processes we started.
check_clean() {
  local left
  left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^nk${BASHPID}x" || true)
  if [[ -z $left ]]; then
    ok "teardown: no lab namespace left (ip netns list)"
  else
    not_ok "teardown: namespaces left: $left"
  fi
  local pid alive=()
  for pid in "${server_pids[@]}"; do
    if grep -qaE 'stund|turnserver' "/proc/$pid/cmdline" 2>/dev/null; then alive+=("$pid"); fi
  done
  if [[ ${#alive[@]} -eq 0 && -z $(jobs -pr) ]]; then
    ok "teardown: all ${#server_pids[@]} servers stopped, no oracle still running"
  else
    not_ok "teardown: processes left: ${alive[*]} $(jobs -pr | tr '\n' ' ')"
  fi
}

for t in stun stund turnserver turnutils_natdiscovery; do
  if ! command -v "$t" >/dev/null; then
    echo "SKIP: natlab: '$t' not found (apt-get install stun-client stun-server coturn)" >&2
    exit 77
  fi
done

kind_lab open
kind_lab full-cone
kind_lab restricted-cone
kind_lab port-restricted-cone
kind_lab symmetric
kind_lab symmetric-firewall
kind_lab udp-blocked
kind_lab full-cone --hairpin
kind_lab restricted-cone --hairpin
kind_lab port-restricted-cone --hairpin
kind_lab symmetric --hairpin
if [[ ${NATLAB_EXTRAS:-1} != 0 ]]; then
  kind_lab port-restricted-cone --remap-ports
  extra_renumber
  extra_timeout
  extra_loss
fi
check_clean

echo "# labs: ${labs_seen[*]:-none}; $((SECONDS - start_time)) s"
echo "$passed passed, $failed failed"
((failed == 0))
