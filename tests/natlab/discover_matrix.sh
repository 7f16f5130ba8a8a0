#!/usr/bin/env bash
# natkit-discover against every NAT of the lab (lab.sh) and three STUN servers:
#   natkit   natkit-stun-server --primary 203.0.113.2:3478 --alternate 203.0.113.3:3479 (RFC 5780)
#   coturn   turnserver in RFC 5780 mode on 203.0.113.2/.3 ports 3480/3481 (as check_oracles.sh)
#   stund    Vovida stund (RFC 3489, CHANGED-ADDRESS) on 203.0.113.2/.3 ports 3482/3483
#
#   sudo tests/natlab/discover_matrix.sh BUILD_DIR        (BUILD_DIR/examples/natkit-discover ...)
#
# 1. No loss: for each lab (the seven kinds, and the cone NATs and symmetric with --hairpin)
#    natkit-discover --json runs 5 times against each server (mode auto; --hairpin in the hairpin
#    labs), and once with --mode rfc3489 against stund. Every run must give the lab's nat_type,
#    mapping, filtering and mapped address, the server's real alternate address (coturn and stund
#    announce a wrong OTHER-/CHANGED-ADDRESS in answers sent from their second IP or port; natkit
#    must use the one of test I), mode rfc5780 (rfc3489 with stund), and hairpinning true in the
#    hairpin labs (null when not asked). Zero misses allowed. udp-blocked runs twice: with
#    --timeout-ms 400 and with the default (450 ms). One more run per lab (first server, --hairpin)
#    checks that a NAT without hairpinning says hairpinning false (true without NAT).
# 2. --loss 20 (each direction): 10 runs per kind against natkit-stun-server, and against the
#    other servers that were right in every no-loss run of that kind (udp-blocked: one server,
#    since no packet reaches any). A WRONG verdict (nat_type,
#    mapping or filtering neither right nor "unknown", a wrong mapped address, or no JSON) fails;
#    "unknown" is acceptable, counted and printed with its note. natkit-discover draws a negative
#    filtering conclusion after 10 unanswered exchanges, so each run in open, full-cone and
#    restricted-cone is wrong with probability 0.36^10 ~ 4e-5 at 20 % loss (discovery.hpp says
#    so): about 1 in 300 full runs of this script fails that way (the failing run's JSON is printed).
# 3. Markdown tables of elapsed_ms (no-loss runs, and loss runs): KIND | server | median | max | runs.
#
# Prints "ok - ..." / "not ok - ..." and "N passed, M failed"; exits 1 on any failure, 77 when the
# lab cannot run here (not root, no namespaces; or jq missing). A miss prints the run's JSON; all
# JSON is kept in the evidence directory (printed at the end) when something failed.
#
# Environment:
#   NATLAB_QUICK=1        natkit-stun-server only, 2 runs per lab, loss: 5 runs for 3 kinds (~35 s)
#   NATLAB_ONLY="full-cone symmetric+hairpin udp-blocked+loss"   only these labs (labels as printed)
#   NATLAB_SERVERS="natkit coturn stund"   servers to use (default: all installed; quick: natkit)
#   NATLAB_RUNS=N NATLAB_LOSS_RUNS=N NATLAB_LOSS=P   override 5 / 10 / 20
#   NATLAB_KEEP=1         keep the evidence directory even when everything passed
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.sh
source "$here/lab.sh"

build=${1:-}
if [[ -z $build || $build == -* ]]; then
  echo "usage: $0 BUILD_DIR   (needs BUILD_DIR/examples/natkit-discover and natkit-stun-server)" >&2
  exit 2
fi
bin=$(cd "$build" 2>/dev/null && pwd) || bin=$build
bin+=/examples
for b in natkit-discover natkit-stun-server; do
  if [[ ! -x $bin/$b ]]; then
    echo "Bail out! $bin/$b not found; build it: cmake --build $build --target natkit-stun-server natkit-discover" >&2
    exit 1
  fi
done
if ! command -v jq >/dev/null; then
  echo "SKIP: natlab: 'jq' not found (apt-get install jq)" >&2
  exit 77
fi

quick=${NATLAB_QUICK:-0}
if ((quick)); then
  runs=${NATLAB_RUNS:-2}
  loss_runs=${NATLAB_LOSS_RUNS:-5}
  loss_kinds=(full-cone restricted-cone symmetric)
  default_servers="natkit"
else
  runs=${NATLAB_RUNS:-5}
  loss_runs=${NATLAB_LOSS_RUNS:-10}
  loss_kinds=(open full-cone restricted-cone port-restricted-cone symmetric symmetric-firewall udp-blocked)
  default_servers="natkit coturn stund"
fi
loss_pct=${NATLAB_LOSS:-20}

servers=()
for s in ${NATLAB_SERVERS:-$default_servers}; do
  case $s in
    natkit) servers+=(natkit) ;;
    coturn)
      if command -v turnserver >/dev/null; then servers+=(coturn); else echo "# coturn's turnserver not installed: its runs are skipped"; fi
      ;;
    stund)
      if command -v stund >/dev/null; then servers+=(stund); else echo "# stund not installed: its runs are skipped"; fi
      ;;
    *) echo "unknown server '$s' in NATLAB_SERVERS (natkit coturn stund)" >&2; exit 2 ;;
  esac
done

if ((${#servers[@]} == 0)); then
  echo "SKIP: natlab: no STUN server to test against (NATLAB_SERVERS='${NATLAB_SERVERS:-}')" >&2
  exit 77
fi

passed=0
failed=0
keep=${NATLAB_KEEP:-0}
start_time=$SECONDS
evidence=$(mktemp -d "${TMPDIR:-/tmp}/natlab-discover.XXXXXX") || exit 1
# lab_up chains its lab_down before this trap.
trap '((keep)) || rm -rf "$evidence"' EXIT

ok() {
  passed=$((passed + 1))
  echo "ok - $*"
}
not_ok() {
  failed=$((failed + 1))
  keep=1
  echo "not ok - $*"
}
selected() { [[ -z ${NATLAB_ONLY:-} || " $NATLAB_ONLY " == *" $1 "* ]]; }

# --- the servers -------------------------------------------------------------------------------
server_addr() {
  case $1 in natkit) echo "$LAB_STUN1:3478" ;; coturn) echo "$LAB_STUN1:3480" ;; stund) echo "$LAB_STUN1:3482" ;; esac
}
server_alt() { # the real other address (IP2:P2)
  case $1 in natkit) echo "$LAB_STUN2:3479" ;; coturn) echo "$LAB_STUN2:3481" ;; stund) echo "$LAB_STUN2:3483" ;; esac
}
server_mode() { # the flow natkit-discover must pick in auto mode
  case $1 in stund) echo rfc3489 ;; *) echo rfc5780 ;; esac
}
server_ports() {
  case $1 in natkit) echo "3478 3479" ;; coturn) echo "3480 3481" ;; stund) echo "3482 3483" ;; esac
}

start_server() { # NAME
  case $1 in
    natkit)
      lab_start_inet_bg natkit-stun-server "$bin/natkit-stun-server" \
        --primary "$LAB_STUN1:3478" --alternate "$LAB_STUN2:3479"
      ;;
    coturn)
      lab_start_inet_bg turnserver turnserver -n -S --no-auth \
        -L "$LAB_STUN1" -L "$LAB_STUN2" -p 3480 --alt-listening-port 3481 \
        --no-tcp --no-tls --no-dtls --no-cli -m 1 \
        --pidfile "$LAB_TMP/turnserver.pid.own" --log-file "$LAB_TMP/turnserver.log.own" --simple-log \
        --no-stdout-log --userdb "$LAB_TMP/turndb"
      ;;
    stund)
      lab_start_inet_bg stund stund -v -h "$LAB_STUN1" -a "$LAB_STUN2" -p 3482 -o 3483
      ;;
  esac
}

start_servers() { # NAME...
  local s ip port
  for s in "$@"; do start_server "$s"; done
  for s in "$@"; do
    for ip in "$LAB_STUN1" "$LAB_STUN2"; do
      for port in $(server_ports "$s"); do
        lab_wait_udp inet "$ip" "$port" 10 || return 1
      done
    done
  done
}

# --- what each lab must give -------------------------------------------------------------------
want_type() {
  case $1 in
    open) echo open-internet ;;
    symmetric-firewall) echo symmetric-udp-firewall ;;
    *) echo "$1" ;;
  esac
}
want_mapping() {
  case $1 in
    open | symmetric-firewall) echo no-nat ;;
    full-cone | restricted-cone | port-restricted-cone) echo endpoint-independent ;;
    symmetric) echo address-and-port-dependent ;;
    udp-blocked) echo unknown ;;
  esac
}
want_filtering() {
  case $1 in
    open) echo no-nat ;;
    full-cone) echo endpoint-independent ;;
    restricted-cone) echo address-dependent ;;
    port-restricted-cone | symmetric | symmetric-firewall) echo address-and-port-dependent ;;
    udp-blocked) echo unknown ;;
  esac
}

# check_field NAME GOT WANT: adds to judge's `bad` or `undecided` list (bash's dynamic scope)
check_field() {
  [[ $2 == "$3" ]] && return
  if [[ $2 == unknown ]]; then undecided+=("$1 unknown (want $3)"); else bad+=("$1 $2 (want $3)"); fi
}

# judge KIND SERVER WANT_HAIRPIN(true|false|null) FILE RC: prints "right", "unknown: WHY" or
# "wrong: WHY". A field that is "unknown" where the lab has a definite answer makes the run
# "unknown" (acceptable under loss only); any other difference makes it "wrong".
judge() {
  local kind=$1 server=$2 want_hp=$3 file=$4 rc=$5
  if ((rc != 0)); then
    echo "wrong: exit status $rc ($(head -c 200 "$file.err" 2>/dev/null | tr '\n' ' '))"
    return
  fi
  local fields
  if ! fields=$(jq -er '[.nat_type, .mapping, .filtering, (.hairpinning | tostring), (.mapped // "null"),
      .local, .mode, (.alternate // "null")] | @tsv' "$file" 2>/dev/null); then
    echo "wrong: no JSON object"
    return
  fi
  local type mapping filtering hp mapped loc mode alt
  IFS=$'\t' read -r type mapping filtering hp mapped loc mode alt <<<"$fields"
  local bad=() undecided=() w
  check_field nat_type "$type" "$(want_type "$kind")"
  check_field mapping "$mapping" "$(want_mapping "$kind")"
  check_field filtering "$filtering" "$(want_filtering "$kind")"
  if [[ $kind == udp-blocked ]]; then
    [[ $mapped == null ]] || bad+=("mapped $mapped through a UDP-blocking router")
  elif [[ $type != udp-blocked ]]; then
    # Where test I was answered: the mapped address, the alternate and the flow are facts.
    case $kind in
      open | symmetric-firewall) w=$loc ;;     # no NAT: the socket's own address
      symmetric) w="$LAB_PUBLIC_IP:*" ;;        # a random port
      *) w="$LAB_PUBLIC_IP:${loc##*:}" ;;     # cone NATs preserve the port
    esac
    # shellcheck disable=SC2053  # glob match on purpose
    [[ $mapped == $w ]] || bad+=("mapped $mapped (want $w)")
    [[ $alt == "$(server_alt "$server")" ]] || bad+=("alternate $alt (want $(server_alt "$server"))")
    [[ $mode == "$(server_mode "$server")" ]] ||
      bad+=("mode $mode (want $(server_mode "$server"))")
  fi
  if [[ $hp != "$want_hp" ]]; then
    if [[ $hp == null && $type == unknown ]]; then undecided+=("hairpinning not tested"); else bad+=("hairpinning $hp (want $want_hp)"); fi
  fi
  if ((${#bad[@]})); then
    local IFS=';'
    echo "wrong: ${bad[*]}${undecided[*]:+; ${undecided[*]}}"
  elif ((${#undecided[@]})); then
    local IFS=';'
    echo "unknown: ${undecided[*]}; note: $(jq -r '.note // "none"' "$file")"
  else
    echo right
  fi
}

# discover FILE SERVER ARGS...: one natkit-discover run on the client; returns its exit status
discover() {
  local file=$1 server=$2
  shift 2
  lab_exec_lan timeout 30 "$bin/natkit-discover" --server "$(server_addr "$server")" --json "$@" \
    >"$file" 2>"$file.err"
}

elapsed_of() { jq -r '.elapsed_ms // empty' "$1" 2>/dev/null; }

# Timing rows: "KIND|server|elapsed elapsed ..."
timing_rows=()
loss_timing_rows=()

show_json() { # FILE: the run's JSON (or what came out), as comment lines
  if [[ -s $1 ]]; then
    jq -c . "$1" 2>/dev/null | sed 's/^/    # /' || sed 's/^/    # /' "$1"
  fi
  [[ -s $1.err ]] && sed 's/^/    # stderr: /' "$1.err"
  return 0
}

# stund drops requests it cannot parse, silently; its log says why.
explain_stund() {
  local f=$LAB_TMP/stund.log n
  [[ -f $f ]] || return 0
  n=$(grep -c 'did not parse' "$f")
  ((n > 0)) || return 0
  echo "    # stund's log: $n requests dropped as unparsable, e.g.:"
  grep -m1 -B4 'did not parse' "$f" | sed 's/^/    #   /'
}

# series LAB_DIR LABEL KIND SERVER SET N WANT_HP ARGS...: N runs, one ok/not ok line; timing row
series() {
  local dir=$1 label=$2 kind=$3 server=$4 set=$5 n=$6 want_hp=$7
  shift 7
  local i f rc verdict misses=0 first_miss="" times=() summary=()
  for ((i = 1; i <= n; i++)); do
    f="$dir/$server-$set-$i.json"
    discover "$f" "$server" "$@"
    rc=$?
    verdict=$(judge "$kind" "$server" "$want_hp" "$f" "$rc")
    times+=("$(elapsed_of "$f")")
    if [[ $verdict != right ]]; then
      misses=$((misses + 1))
      summary+=("run $i: $verdict")
      [[ -n $first_miss ]] || first_miss=$f
    fi
  done
  local what
  what="nat_type $(want_type "$kind")"
  [[ $kind != udp-blocked ]] && what+=", mapping $(want_mapping "$kind"), filtering $(want_filtering "$kind")"
  [[ $want_hp != null ]] && what+=", hairpinning $want_hp"
  local args=${*:+ $*}
  if ((misses == 0)); then
    ok "$label: natkit-discover$args vs $server: $n/$n runs $what"
  else
    not_ok "$label: natkit-discover$args vs $server: $misses of $n runs missed ($what)"
    # identical verdicts once, with their run numbers
    printf '%s\n' "${summary[@]}" | awk '{ r = $2; sub(/:$/, "", r); v = $0; sub(/^run [0-9]+: /, "", v)
        if (!(v in runs)) order[++n] = v; runs[v] = runs[v] (runs[v] == "" ? "" : ",") r }
      END { for (i = 1; i <= n; i++) printf "    # run %s: %s\n", runs[order[i]], order[i] }'

    echo "    # JSON of the first miss ($first_miss):"
    show_json "$first_miss"
    [[ $server == stund ]] && explain_stund
  fi
  [[ $set != hairpin-control ]] && timing_rows+=("$label|$server${args}|${times[*]}")
  ((misses == 0))
}

# A diagnostic, once per server: did the server really announce a wrong other address in its
# answers from IP2 (the pitfall natkit must avoid)?
declare -A pitfall_seen=()
note_pitfall() { # SERVER FILE
  [[ -z ${pitfall_seen[$1]:-} ]] || return 0
  local line
  line=$(jq -r 'def ip: split(":")[0]; def port: split(":")[1];
      .tests[] | select(.answered and .other_address != null and (.test | startswith("mapping")))
      | "\(.test): answer from \(.from) says other address \(.other_address) ("
        + (if (.other_address | ip) != (.from | ip) and (.other_address | port) != (.from | port)
           then "right" else "WRONG: shares IP or port with \(.from)" end) + ")"' "$2" 2>/dev/null | paste -sd';' -)
  [[ -n $line ]] || return 0
  pitfall_seen[$1]=1
  echo "# $1 announces in answers from its second address: ${line//;/; } (natkit-discover used $(jq -r .alternate "$2"))"
}

declare -A clean=() # KIND|server -> 1 when every no-loss run of that kind was right

kind_lab() { # KIND [--hairpin]
  local kind=$1 hairpin=0 label=$1
  [[ ${2:-} == --hairpin ]] && hairpin=1 label+="+hairpin"
  selected "$label" || return 0
  local t0=$SECONDS
  lab_up "$kind" ${2:+"$2"} || { not_ok "$label: lab_up failed"; return; }
  if ! start_servers "${servers[@]}"; then
    not_ok "$label: STUN servers did not start"
    lab_down
    return
  fi
  local dir="$evidence/$label" s want_hp=null hp_args=()
  mkdir -p "$dir"
  if ((hairpin)); then want_hp=true hp_args=(--hairpin); fi
  for s in "${servers[@]}"; do
    local all=1
    if [[ $kind == udp-blocked ]]; then
      series "$dir" "$label" "$kind" "$s" t400 "$runs" "$want_hp" --timeout-ms 400 || all=0
    fi
    series "$dir" "$label" "$kind" "$s" auto "$runs" "$want_hp" "${hp_args[@]}" || all=0
    if [[ $s == stund ]]; then
      series "$dir" "$label" "$kind" "$s" rfc3489 1 "$want_hp" --mode rfc3489 "${hp_args[@]}" || all=0
    fi
    ((hairpin)) || clean["$kind|$s"]=$all
    local f
    for f in "$dir/$s"-auto-*.json; do note_pitfall "$s" "$f"; done
  done
  # Negative control: asked to test hairpinning, a NAT without it must say false (no NAT: true).
  if ((!hairpin)) && [[ $kind != udp-blocked ]]; then
    case $kind in open | symmetric-firewall) want_hp=true ;; *) want_hp=false ;; esac
    series "$dir" "$label" "$kind" "${servers[0]}" hairpin-control 1 "$want_hp" --hairpin
  fi
  lab_down
  echo "# $label: $((SECONDS - t0)) s"
}

loss_lab() { # KIND
  local kind=$1 label="$1+loss"
  selected "$label" || return 0
  local use=() s
  for s in "${servers[@]}"; do
    if [[ $kind == udp-blocked && ${#use[@]} -gt 0 ]]; then
      continue # no packet reaches any server: one server is enough
    elif [[ $s == natkit || $kind == udp-blocked || ${clean["$kind|$s"]:-} == 1 ]]; then
      use+=("$s")
    elif [[ -n ${clean["$kind|$s"]:-} ]]; then
      echo "# $label: no loss runs against $s: it was not right in every run without loss"
    fi
  done
  ((${#use[@]})) || return 0
  local t0=$SECONDS
  lab_up "$kind" --loss "$loss_pct" || { not_ok "$label: lab_up failed"; return; }
  if ! start_servers "${use[@]}"; then
    not_ok "$label: STUN servers did not start"
    lab_down
    return
  fi
  local dir="$evidence/$label" i f rc verdict
  mkdir -p "$dir"
  for s in "${use[@]}"; do
    local right=0 unknown=0 wrong=0 times=() notes=() wrongs=() first_wrong=""
    for ((i = 1; i <= loss_runs; i++)); do
      f="$dir/$s-$i.json"
      discover "$f" "$s"
      rc=$?
      verdict=$(judge "$kind" "$s" null "$f" "$rc")
      times+=("$(elapsed_of "$f")")
      case $verdict in
        right) right=$((right + 1)) ;;
        unknown*)
          unknown=$((unknown + 1))
          notes+=("run $i: $verdict")
          ;;
        *)
          wrong=$((wrong + 1))
          wrongs+=("run $i: $verdict")
          [[ -n $first_wrong ]] || first_wrong=$f
          ;;
      esac
    done
    local line="$label: --loss $loss_pct, natkit-discover vs $s: $loss_runs runs: $right right, $unknown unknown, $wrong WRONG"
    if ((wrong == 0)); then ok "$line"; else not_ok "$line"; fi
    local n
    for n in "${notes[@]}" "${wrongs[@]}"; do echo "    # $n"; done
    if [[ -n $first_wrong ]]; then
      echo "    # JSON of the first wrong run ($first_wrong):"
      show_json "$first_wrong"
    fi
    loss_results+=("$kind|$s|$right|$unknown|$wrong")
    loss_timing_rows+=("$kind+loss$loss_pct|$s|${times[*]}")
  done
  lab_down
  echo "# $label: $((SECONDS - t0)) s"
}

# print_table TITLE ROW...: KIND | server | median ms | max ms | runs
print_table() {
  local title=$1 row kind server times
  shift
  echo
  echo "$title"
  echo
  echo "| KIND | server | median ms | max ms | runs |"
  echo "|---|---|---:|---:|---:|"
  for row in "$@"; do
    IFS='|' read -r kind server times <<<"$row"
    # shellcheck disable=SC2086
    printf '%s\n' $times | sort -g | awk -v k="$kind" -v s="$server" '
      { v[NR] = $1 }
      END {
        if (NR == 0) { printf "| %s | %s | - | - | 0 |\n", k, s; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "| %s | %s | %.1f | %.1f | %d |\n", k, s, m, v[NR], NR
      }'
  done
  echo
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

echo "# natkit-discover matrix: servers ${servers[*]}; $runs runs per lab and server; loss $loss_pct %: $loss_runs runs per kind (${loss_kinds[*]})"
for lab in open full-cone restricted-cone port-restricted-cone symmetric symmetric-firewall udp-blocked; do
  kind_lab "$lab"
done
for lab in full-cone restricted-cone port-restricted-cone symmetric; do
  kind_lab "$lab" --hairpin
done
loss_results=()
for lab in "${loss_kinds[@]}"; do
  loss_lab "$lab"
done
check_clean

((${#timing_rows[@]})) && print_table "elapsed_ms without loss (natkit-discover's own measure; udp-blocked waits --timeout-ms)" "${timing_rows[@]}"
((${#loss_timing_rows[@]})) && print_table "elapsed_ms with --loss $loss_pct" "${loss_timing_rows[@]}"
if ((${#loss_results[@]})); then
  tr=0 tu=0 tw=0
  for r in "${loss_results[@]}"; do
    IFS='|' read -r _ _ a b c <<<"$r"
    tr=$((tr + a)) tu=$((tu + b)) tw=$((tw + c))
  done
  echo "# loss $loss_pct %: $((tr + tu + tw)) runs: $tr right, $tu unknown, $tw WRONG"
fi
((keep)) && echo "# evidence (every run's JSON): $evidence"
echo "# $((SECONDS - start_time)) s"
echo "$passed passed, $failed failed"
((failed == 0))
