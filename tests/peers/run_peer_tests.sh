#!/usr/bin/env bash
# natkit's example programs against third-party STUN peers, on loopback only.
#
#   tests/peers/run_peer_tests.sh <build-dir>
#
# <build-dir> holds examples/natkit-stun-client and examples/natkit-stun-server. The peers are
# Debian's stun-server (stund, Vovida 0.97, RFC 3489), stun-client (Vovida `stun`) and coturn
# (turnserver, turnutils_natdiscovery, turnutils_stunclient). Every address is in 127.0.0.0/8:
# 127.0.0.1 and 127.0.0.2 give a server the two IP addresses RFC 3489/5780 need, and on
# loopback there is no NAT, so every verdict must say so.
#
# Prints one "ok - ..." / "not ok - ..." line per check and "N passed, M failed"; exits 1 on
# any failure, 77 (ctest SKIP_RETURN_CODE) only when a peer program is missing.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 <build-dir>" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
CLIENT=$BUILD/examples/natkit-stun-client
SERVER=$BUILD/examples/natkit-stun-server

# --- peers -----------------------------------------------------------------------------------
missing=()
for tool in stund:stun-server stun:stun-client turnserver:coturn turnutils_natdiscovery:coturn \
            turnutils_stunclient:coturn ss:iproute2 timeout:coreutils; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool%%:*} (Debian package ${tool#*:})")
done
if command -v jq >/dev/null 2>&1; then
    json_get() { jq -r --arg k "$2" '.[$k] | if . == null then "null" else tostring end' <<<"$1" 2>/dev/null | tr -d '\000'; }
elif command -v python3 >/dev/null 2>&1; then
    json_get() {
        python3 -c 'import json,sys
v = json.loads(sys.argv[1]).get(sys.argv[2])
print("null" if v is None else str(v).replace("\x00", ""))' "$1" "$2" 2>/dev/null
    }
else
    missing+=("jq or python3 (to read --json output)")
fi
if [ ${#missing[@]} -gt 0 ]; then
    for m in "${missing[@]}"; do echo "SKIP: peer program missing: $m"; done
    exit 77
fi

# --- bookkeeping -----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/natkit-peers.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && { timeout 3 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null; }
    done
    if [ -n "${KEEP_WORK:-}" ]; then echo "# logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
    echo "not ok - $1"
    failed=$((failed + 1))
    shift
    local line
    for line in "$@"; do printf '#   %s\n' "$line"; done
}
# check "description" expected actual [context...]
check_eq() {
    local what=$1 want=$2 got=$3
    shift 3
    if [ "$want" = "$got" ]; then ok "$what"; else not_ok "$what" "expected: $want" "got:      $got" "$@"; fi
}
show() { sed 's/^/    /' "$1" | head -n "${2:-40}"; }

# A block of 16 consecutive ports that nothing on the host uses (TCP or UDP), below the Linux
# ephemeral range so that sockets other programs open meanwhile do not take them.
pick_base_port() {
    local used base i clash
    used=" $(ss -Hatun 2>/dev/null | awk '{n = split($5, a, ":"); print a[n]}' | sort -u | tr '\n' ' ') "
    for _ in $(seq 50); do
        base=$((20000 + (RANDOM % 600) * 20))
        clash=0
        for i in $(seq 0 15); do
            case $used in *" $((base + i)) "*) clash=1; break ;; esac
        done
        [ $clash -eq 0 ] && { echo "$base"; return 0; }
    done
    return 1
}
# wait_udp pid ip:port... : until every ip:port has a bound UDP socket (or the process died).
wait_udp() {
    local pid=$1 ep all
    shift
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        all=1
        for ep in "$@"; do
            ss -Huln "sport = :${ep##*:}" 2>/dev/null | awk '{print $4}' | grep -qx "$ep" || { all=0; break; }
        done
        [ $all -eq 1 ] && return 0
        sleep 0.05
    done
    return 1
}
wait_line() {  # wait_line pid file regex
    for _ in $(seq 100); do
        grep -qE "$3" "$2" 2>/dev/null && return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
start() {  # start name cmd...: runs cmd in the background, output in $WORK/name.log
    local name=$1
    shift
    (cd "$WORK" && exec "$@" >"$WORK/$name.log" 2>&1) &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}
stop() {  # stop pid: SIGTERM, then wait up to 3 s; sets STOP_RC (the exit status, 124 if it hung)
    local pid=$1
    kill "$pid" 2>/dev/null
    STOP_RC=124
    for _ in $(seq 60); do
        if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null; STOP_RC=$?; break; fi
        sleep 0.05
    done
    [ $STOP_RC -eq 124 ] && kill -9 "$pid" 2>/dev/null
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}
# natkit_client name args...: runs natkit-stun-client --json; sets CJ (the JSON) and CRC.
natkit_client() {
    local name=$1
    shift
    timeout 10 "$CLIENT" "$@" --json --timeout-ms 2000 >"$WORK/$name.out" 2>"$WORK/$name.err"
    CRC=$?
    CJ=$(grep -m1 '^[[:space:]]*{' "$WORK/$name.out")
}
# The verdict lines of turnutils_natdiscovery (the rest are addresses that differ per run).
nd_verdicts() { grep -E 'NAT|timeout|[Ee]rror|ALG detected|not well formed|Cannot' "$1" | tr '\n' '|'; }

BASE=$(pick_base_port) || { echo "Bail out! no free port block in 20000-32000"; exit 1; }
STUND_P1=$BASE;            STUND_P2=$((BASE + 1))
TURN_P1=$((BASE + 2));     TURN_P2=$((BASE + 3))
NK_P1=$((BASE + 4));       NK_P2=$((BASE + 5))
CLI_PORT=$((BASE + 6))     # +6..+9: natkit-stun-client --local ports
VOV_PORT=$((BASE + 10))    # Vovida's stun -p uses this port and the next one
A1=127.0.0.1
A2=127.0.0.2
echo "# ports $BASE-$((BASE + 15)) on $A1 and $A2; work dir $WORK"

have_client=0
have_server=0
[ -x "$CLIENT" ] && have_client=1 || echo "# natkit-stun-client not built: $CLIENT is missing; its checks fail"
[ -x "$SERVER" ] && have_server=1 || echo "# natkit-stun-server not built: $SERVER is missing; its checks fail"

# --- a) natkit-stun-client against stund (RFC 3489) ------------------------------------------
# stund -h primary IP, -a alternate IP, -p primary port, -o alternate port; it binds all four
# combinations. It answers with MAPPED-ADDRESS, SOURCE-ADDRESS, CHANGED-ADDRESS,
# XOR-MAPPED-ADDRESS (0x0020, XORed with the first 32 bits of the id field, so correct for an
# RFC 5389 request) and SERVER-NAME (0x8022, now SOFTWARE) "Vovida.org 0.97" plus a NUL byte.
# It sends no OTHER-ADDRESS or RESPONSE-ORIGIN: a client shows CHANGED-ADDRESS and
# SOURCE-ADDRESS, their RFC 3489 forerunners, in their place.
start stund stund -h $A1 -a $A2 -p $STUND_P1 -o $STUND_P2
STUND_PID=$LAST_PID
if ! wait_udp $STUND_PID $A1:$STUND_P1 $A1:$STUND_P2 $A2:$STUND_P1 $A2:$STUND_P2; then
    not_ok "a) stund started on $A1/$A2 ports $STUND_P1/$STUND_P2" "$(show "$WORK/stund.log")"
else
    timeout 15 stun $A1:$STUND_P1 -p $VOV_PORT >"$WORK/vovida-stund.out" 2>&1
    vrc=$?
    if grep -q '^Primary: Open' "$WORK/vovida-stund.out" && [ $vrc -eq 1 ]; then
        ok "a) oracle: Vovida stun against stund says 'Primary: Open' (exit 0x01)"
    else
        not_ok "a) oracle: Vovida stun against stund says 'Primary: Open' (exit 0x01)" "exit $vrc" "$(show "$WORK/vovida-stund.out")"
    fi
    if [ $have_client -eq 0 ]; then
        not_ok "a) natkit-stun-client against stund" "natkit-stun-client missing: $CLIENT"
    else
        natkit_client a-stund --server $A1:$STUND_P1 --local $A1:$CLI_PORT
        if [ $CRC -ne 0 ] || [ -z "$CJ" ]; then
            not_ok "a) natkit-stun-client against stund answers" "exit $CRC" "$(cat "$WORK/a-stund.out" "$WORK/a-stund.err")"
        else
            ok "a) natkit-stun-client against stund answers: $CJ"
            check_eq "a) stund: mapped == local" "$A1:$CLI_PORT" "$(json_get "$CJ" mapped)"
            # RFC 3489's SOURCE-ADDRESS and CHANGED-ADDRESS tell what RFC 5780's RESPONSE-ORIGIN
            # and OTHER-ADDRESS tell: accept them in their place, or under their own keys.
            other=$(json_get "$CJ" other_address)
            [ "$other" = null ] && other=$(json_get "$CJ" changed_address)
            origin=$(json_get "$CJ" response_origin)
            [ "$origin" = null ] && origin=$(json_get "$CJ" source_address)
            check_eq "a) stund: CHANGED-ADDRESS shown (other_address or changed_address)" "$A2:$STUND_P2" "$other"
            check_eq "a) stund: SOURCE-ADDRESS shown (response_origin or source_address)" "$A1:$STUND_P1" "$origin"
            sw=$(json_get "$CJ" software)
            case $sw in
                "Vovida.org 0.97") ok "a) stund: software is SERVER-NAME 'Vovida.org 0.97'" ;;
                *) not_ok "a) stund: software is SERVER-NAME 'Vovida.org 0.97'" "got: $(printf '%q' "$sw")" ;;
            esac
        fi
    fi
fi
stop $STUND_PID

# --- b) natkit-stun-client against coturn in RFC 5780 mode ----------------------------------
# Two --listening-ip of one family switch RFC 5780 on (OTHER-ADDRESS, RESPONSE-ORIGIN,
# CHANGE-REQUEST); --alt-listening-port is the second port. -n: no config file. --userdb keeps
# its SQLite file in our temp dir (else /var/lib/turn/turndb); -m 1: one relay thread.
start turnserver turnserver -n --listening-ip $A1 --listening-ip $A2 \
    --listening-port $TURN_P1 --alt-listening-port $TURN_P2 \
    --stun-only --no-auth --no-tls --no-dtls --no-cli -m 1 \
    --log-file stdout --simple-log --pidfile "$WORK/turnserver.pid" --userdb "$WORK/turndb"
TURN_PID=$LAST_PID
turn_up=0
if wait_udp $TURN_PID $A1:$TURN_P1 $A1:$TURN_P2 $A2:$TURN_P1 $A2:$TURN_P2; then
    turn_up=1
else
    not_ok "b) coturn started on $A1/$A2 ports $TURN_P1/$TURN_P2" "$(show "$WORK/turnserver.log")"
fi
if [ $turn_up -eq 1 ]; then
    if [ $have_client -eq 0 ]; then
        not_ok "b) natkit-stun-client against coturn" "natkit-stun-client missing: $CLIENT"
    else
        natkit_client b-coturn --server $A1:$TURN_P1 --local $A1:$((CLI_PORT + 1))
        if [ $CRC -ne 0 ] || [ -z "$CJ" ]; then
            not_ok "b) natkit-stun-client against coturn answers" "exit $CRC" "$(cat "$WORK/b-coturn.out" "$WORK/b-coturn.err")"
        else
            ok "b) natkit-stun-client against coturn answers: $CJ"
            check_eq "b) coturn: mapped == local" "$A1:$((CLI_PORT + 1))" "$(json_get "$CJ" mapped)"
            check_eq "b) coturn: OTHER-ADDRESS is the alternate IP and port" "$A2:$TURN_P2" "$(json_get "$CJ" other_address)"
            check_eq "b) coturn: RESPONSE-ORIGIN is the address asked" "$A1:$TURN_P1" "$(json_get "$CJ" response_origin)"
            sw=$(json_get "$CJ" software)
            case $sw in
                Coturn-*) ok "b) coturn: software '$sw'" ;;
                *) not_ok "b) coturn: software is coturn's SOFTWARE" "got: $(printf '%q' "$sw")" ;;
            esac
            server=$(json_get "$CJ" server)
            check_eq "b) coturn: json 'server' is the address asked" "$A1:$TURN_P1" "$server"
            check_eq "b) coturn: json 'local' is --local" "$A1:$((CLI_PORT + 1))" "$(json_get "$CJ" local)"
            rtt=$(json_get "$CJ" rtt_ms)
            if [[ $rtt =~ ^[0-9]+(\.[0-9]+)?$ ]]; then ok "b) coturn: rtt_ms is a number ($rtt)"; else not_ok "b) coturn: rtt_ms is a number" "got: $rtt"; fi
        fi
        # The alternate address: RESPONSE-ORIGIN must follow the address the request went to.
        natkit_client b-coturn-alt --server $A2:$TURN_P2 --local $A1:$((CLI_PORT + 2))
        if [ $CRC -eq 0 ] && [ -n "$CJ" ]; then
            check_eq "b) coturn alternate: mapped == local" "$A1:$((CLI_PORT + 2))" "$(json_get "$CJ" mapped)"
            check_eq "b) coturn alternate: RESPONSE-ORIGIN is the alternate address asked" "$A2:$TURN_P2" "$(json_get "$CJ" response_origin)"
        else
            not_ok "b) natkit-stun-client against coturn's alternate address answers" "exit $CRC" "$(cat "$WORK/b-coturn-alt.out" "$WORK/b-coturn-alt.err")"
        fi
        # STUN over TCP (RFC 8489 §6.2.2): coturn listens on TCP on the same ports.
        natkit_client b-coturn-tcp --server $A1:$TURN_P1 --local $A1:$((CLI_PORT + 3)) --tcp
        if [ $CRC -eq 0 ] && [ -n "$CJ" ]; then
            check_eq "b) coturn over TCP: mapped == local" "$A1:$((CLI_PORT + 3))" "$(json_get "$CJ" mapped)"
        else
            not_ok "b) natkit-stun-client --tcp against coturn answers" "exit $CRC" "$(cat "$WORK/b-coturn-tcp.out" "$WORK/b-coturn-tcp.err")"
        fi
    fi
fi

# --- natkit-stun-server for c), d), e) --------------------------------------------------------
nk_up=0
if [ $have_server -eq 1 ]; then
    start natkit-stun-server "$SERVER" --primary $A1:$NK_P1 --alternate $A2:$NK_P2
    NK_PID=$LAST_PID
    if wait_line $NK_PID "$WORK/natkit-stun-server.log" '^listening on' &&
        wait_udp $NK_PID $A1:$NK_P1 $A1:$NK_P2 $A2:$NK_P1 $A2:$NK_P2; then
        nk_up=1
        ok "natkit-stun-server: '$(grep -m1 '^listening on' "$WORK/natkit-stun-server.log")' and all four sockets bound"
    else
        not_ok "natkit-stun-server started on $A1:$NK_P1 + $A2:$NK_P2 (all four sockets)" "$(show "$WORK/natkit-stun-server.log")" "$(ss -Huln | grep -E ":($NK_P1|$NK_P2) ")"
    fi
else
    not_ok "natkit-stun-server started" "natkit-stun-server missing: $SERVER"
fi

# --- c) Vovida stun (RFC 3489 classic, no magic cookie) against natkit-stun-server -----------
# `stun host:port -p srcport` runs tests I, II, III, I(2) and hairpinning and prints
# "Primary: <verdict>". Its exit status is the verdict code: 0x00 Open, 0x02 independent
# filter, 0x04 address-dependent, 0x06 port-dependent, 0x08 dependent mapping, 0x0A firewall,
# 0x0C blocked, 0xEE unknown, plus 0x01 "preserves ports" and 0x10 "no hairpin"; 255 on error.
# Loopback: "Open", exit 0x01.
if [ $nk_up -eq 1 ]; then
    timeout 15 stun $A1:$NK_P1 -p $VOV_PORT -v >"$WORK/vovida-natkit.out" 2>&1
    vrc=$?
    verdict=$(grep -m1 '^Primary:' "$WORK/vovida-natkit.out" | tr -d '\t')
    if [ "$verdict" = "Primary: Open" ] && [ $vrc -eq 1 ]; then
        ok "c) Vovida stun against natkit-stun-server: 'Primary: Open', exit 0x01 (open, preserves ports, hairpins)"
    else
        not_ok "c) Vovida stun against natkit-stun-server: 'Primary: Open', exit 0x01" "got '$verdict', exit $vrc" \
            "$(grep -vE '^(Encoding|About to send|Opened port)' "$WORK/vovida-natkit.out" | head -40)"
    fi
    if [ $turn_up -eq 1 ]; then
        timeout 15 stun $A1:$TURN_P1 -p $((VOV_PORT + 2)) >"$WORK/vovida-coturn.out" 2>&1
        vrc2=$?
        check_eq "c) same Vovida verdict from coturn (oracle)" "$verdict/$vrc" "$(grep -m1 '^Primary:' "$WORK/vovida-coturn.out" | tr -d '\t')/$vrc2"
    fi
else
    not_ok "c) Vovida stun against natkit-stun-server" "natkit-stun-server not running"
fi

# --- d) coturn's turnutils_natdiscovery against natkit-stun-server and against coturn --------
# -m mapping (RFC 5780 §4.3), -f filtering (§4.4), -P adds a 1500-byte PADDING (§7.6), -L the
# local address. Its exit status is 0 even on a timeout, so the printed verdicts are compared.
nd_run() {  # nd_run name port flags...
    local name=$1 port=$2
    shift 2
    timeout 15 turnutils_natdiscovery "$@" -L $A1 -p "$port" $A1 >"$WORK/$name.out" 2>&1
}
for mode in "-m:mapping:Endpoint Independent Mapping" "-f:filtering:Endpoint Independent Filtering" \
            "-m -P:mapping with PADDING:Endpoint Independent Mapping"; do
    flags=${mode%%:*}; rest=${mode#*:}; label=${rest%%:*}; want=${rest#*:}
    tag=nd-$(echo "$flags" | tr -d ' -')
    oracle=""
    if [ $turn_up -eq 1 ]; then
        # shellcheck disable=SC2086
        nd_run "$tag-coturn" $TURN_P1 $flags
        oracle=$(nd_verdicts "$WORK/$tag-coturn.out")
        if grep -q "NAT with $want!" "$WORK/$tag-coturn.out"; then
            ok "d) oracle: natdiscovery $flags against coturn: $want"
        else
            not_ok "d) oracle: natdiscovery $flags against coturn: $want" "$(show "$WORK/$tag-coturn.out")"
        fi
    fi
    if [ $nk_up -eq 1 ]; then
        # shellcheck disable=SC2086
        nd_run "$tag-natkit" $NK_P1 $flags
        got=$(nd_verdicts "$WORK/$tag-natkit.out")
        if grep -q "NAT with $want!" "$WORK/$tag-natkit.out" && ! grep -q 'timeout' "$WORK/$tag-natkit.out"; then
            ok "d) natdiscovery $flags ($label) against natkit-stun-server: $want"
        else
            not_ok "d) natdiscovery $flags ($label) against natkit-stun-server: $want" "$(show "$WORK/$tag-natkit.out")"
        fi
        [ -n "$oracle" ] && check_eq "d) natdiscovery $flags: natkit's verdicts == coturn's" "$oracle" "$got"
        # RFC 5780 §6.1: a response carries both MAPPED-ADDRESS and XOR-MAPPED-ADDRESS, so that a
        # client can spot an ALG rewriting addresses; natdiscovery compares them per response.
        if [ "$flags" = "-m" ]; then
            alg=$(grep -E 'ALG|mapped address attribute' "$WORK/$tag-natkit.out" | sort -u | tr '\n' '|')
            check_eq "d) natdiscovery $flags: ALG check possible (MAPPED-ADDRESS and XOR-MAPPED-ADDRESS, RFC 5780 §6.1)" \
                "No ALG: Mapped == XOR-Mapped|" "$alg"
        fi
    else
        not_ok "d) natdiscovery $flags against natkit-stun-server" "natkit-stun-server not running"
    fi
done

# --- e) turnutils_stunclient against natkit-stun-server --------------------------------------
# Request 1 plain; request 2 CHANGE-REQUEST(ip+port) with RESPONSE-PORT = local port + 1 (the
# answer must arrive on that other socket); request 3 from that socket, CHANGE-REQUEST(ip+port)
# and a 1500-byte PADDING. It prints "RFC 5780 response N" blocks only when OTHER-ADDRESS is
# there, and blocks forever in recv() when an answer never comes (hence the timeout).
sc_block() {  # sc_block file N key -> the first "key: : addr" of response block N
    awk -v n="$2" -v key="$3" '/^RFC 5780 response/ {blk = $4} blk == n && index($0, key) {sub(/.*: /, ""); print; exit}' "$1"
}
sc_check() {  # sc_check name port label
    local f=$WORK/$1.out port=$2 label=$3 r1 r2 r3
    timeout 10 turnutils_stunclient -L $A1 -p "$port" $A1 >"$f" 2>&1
    local rc=$?
    if [ "$(grep -c '^RFC 5780 response' "$f")" -ne 3 ] || [ $rc -ne 0 ]; then
        not_ok "e) turnutils_stunclient against $label: three RFC 5780 responses" "exit $rc" "$(show "$f")"
        return
    fi
    r1=$(sc_block "$f" 1 "UDP reflexive addr")
    r3=$(sc_block "$f" 3 "UDP reflexive addr")
    local got="1:$(sc_block "$f" 1 "Response origin")/$(sc_block "$f" 1 "Other addr")"
    got+=" 2:$(sc_block "$f" 2 "Response origin")/$(sc_block "$f" 2 "UDP reflexive addr")"
    got+=" 3:$(sc_block "$f" 3 "Response origin")/${r3##*:}"
    local want="1:$A1:$port/$A2:$((port + 1)) 2:$A2:$((port + 1))/$r1 3:$A2:$((port + 1))/$((${r1##*:} + 1))"
    check_eq "e) turnutils_stunclient against $label: origin/other, CHANGE-REQUEST, RESPONSE-PORT, PADDING" "$want" "$got" "$(show "$f")"
    [ "${r1%:*}" = "$A1" ] || not_ok "e) $label: reflexive address is $A1" "got $r1"
}
if [ $turn_up -eq 1 ]; then sc_check sc-coturn $TURN_P1 "coturn (oracle)"; fi
if [ $nk_up -eq 1 ]; then
    sc_check sc-natkit $NK_P1 natkit-stun-server
else
    not_ok "e) turnutils_stunclient against natkit-stun-server" "natkit-stun-server not running"
fi

# --- shutdown ---------------------------------------------------------------------------------
if [ $nk_up -eq 1 ]; then
    stop $NK_PID
    check_eq "natkit-stun-server exits 0 on SIGTERM" 0 "$STOP_RC" "$(show "$WORK/natkit-stun-server.log" 10)"
fi
[ $turn_up -eq 1 ] && stop $TURN_PID

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
