#!/usr/bin/env bash
# natkit-stun-server against coturn and stund under the same STUN Binding load, on loopback.
#
#   bench/loadgen/run_server_bench.sh [path/to/natkit-stun-server]
#
# The servers run side by side, each pinned to core 1 (taskset) in its two-address
# RFC 3489/5780 configuration (127.0.0.1 + 127.0.0.2, two ports, four sockets): natkit-stun-server
# as built (on Linux: recvmmsg/sendmmsg batches), natkit-stun-server --no-batch (one datagram per
# system call, the path of other systems), coturn (its default threads, all on core 1) and stund.
# natkit-stun-loadgen, pinned to core 0, keeps a window of Binding requests in flight against
# each primary address in turn for a few seconds, then a one-second run with one request in
# flight measures the unloaded round trip. Prints a table and the natkit/peer ratios.
#
# natkit-stun-server: the argument, else a Release build of it made here (in
# build/loadgen-release/natkit), else the newest one under build/*/examples/. Without one, only
# coturn and stund are measured.
#   NATKIT_BENCH_DURATION  seconds of load per server (default 5)
#   NATKIT_BENCH_WINDOW    requests in flight (default 128; above ~200 the servers' default
#                          212992-byte receive buffers overflow and loss is the loadgen's doing)
#   NATKIT_BENCH_ROUNDS    rounds over the servers, median reported (default 1; 3 on a
#                          busy machine)
#   NATKIT_BENCH_BUILD_DIR build directory of the loadgen (default build/loadgen-release)
#   NATKIT_BENCH_RT        a SCHED_FIFO priority (e.g. 10; needs root) for the servers and the
#                          loadgen, so that other work on the machine (compilers) cannot take the
#                          cores from them while they are measured; default: none, normal
#                          scheduling
#   NATKIT_JOBS            parallel build jobs (default 2)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${NATKIT_BENCH_BUILD_DIR:-$root/build/loadgen-release}
duration=${NATKIT_BENCH_DURATION:-5}
window=${NATKIT_BENCH_WINDOW:-128}
rounds=${NATKIT_BENCH_ROUNDS:-1}
jobs=${NATKIT_JOBS:-2}
rt=${NATKIT_BENCH_RT:-}
natkit_server=${1:-}

for tool in turnserver stund taskset ss; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (Debian: apt-get install coturn stun-server util-linux iproute2)" >&2; exit 1; }
done
if command -v jq >/dev/null; then
    jget() { jq -r ".$2" <<<"$1"; }
else
    jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
fi
if [ "$(nproc)" -lt 2 ]; then
    echo "needs 2 cores (loadgen on core 0, server on core 1); this machine has $(nproc)" >&2
    exit 1
fi
LOAD_CPU=0
SERVER_CPU=1
# Optional real-time scheduling for everything measured.
RUN=()
if [ -n "$rt" ]; then
    command -v chrt >/dev/null || { echo "NATKIT_BENCH_RT needs chrt (util-linux)" >&2; exit 1; }
    chrt -f "$rt" true || { echo "chrt -f $rt failed (root needed?)" >&2; exit 1; }
    RUN=(chrt -f "$rt")
fi

# --- build ------------------------------------------------------------------------------------
cmake -S "$root/bench/loadgen" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build "$build" -j "$jobs" --target natkit-stun-loadgen
LOADGEN=$build/natkit-stun-loadgen
# natkit-stun-server built the same way (Release, -O2), unless given.
natkit_note=""
if [ -z "$natkit_server" ]; then
    server_build=$build/natkit
    if cmake -S "$root" -B "$server_build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
            -DNATKIT_BUILD_TESTS=OFF -DNATKIT_BUILD_EXAMPLES=ON -DNATKIT_BUILD_BENCH=OFF -DNATKIT_BUILD_FUZZ=OFF \
            >"$build/natkit-server.log" 2>&1 &&
        cmake --build "$server_build" -j "$jobs" --target natkit-stun-server >>"$build/natkit-server.log" 2>&1; then
        natkit_server=$server_build/examples/natkit-stun-server
        natkit_note="Release -O2"
    else
        natkit_server=$(ls -t "$root"/build/*/examples/natkit-stun-server 2>/dev/null | head -n1 || true)
        if [ -n "$natkit_server" ]; then
            cache=$(dirname "$(dirname "$natkit_server")")/CMakeCache.txt
            natkit_note="$(grep -E '^(CMAKE_BUILD_TYPE|NATKIT_SANITIZE):' "$cache" 2>/dev/null | tr '\n' ' ')- not our Release build, compare with care"
        fi
    fi
fi

# --- servers ----------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/natkit-server-bench.XXXXXX")
declare -A PID
cleanup() {
    local name
    for name in "${!PID[@]}"; do
        kill "${PID[$name]}" 2>/dev/null || true
        wait "${PID[$name]}" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ports: a free block of 8 below the ephemeral range.
used=" $(ss -Hatun | awk '{n = split($5, a, ":"); print a[n]}' | sort -u | tr '\n' ' ') "
base=""
for _ in $(seq 50); do
    b=$((20000 + (RANDOM % 1000) * 10)); clash=0
    for i in $(seq 0 7); do case $used in *" $((b + i)) "*) clash=1 ;; esac; done
    [ $clash -eq 0 ] && { base=$b; break; }
done
[ -n "$base" ] || { echo "no free ports" >&2; exit 1; }

# How busy the machine is without us: % of all CPU time not idle over one second.
cpu_busy() {
    local a b
    a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep 1
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = (y[1] - x[1]) + (y[2] - x[2]); printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0) }'
}
busy_before=$(cpu_busy)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

start_server() {  # start_server name ready-ip:port cmd...: pinned to SERVER_CPU, log in $WORK/name.log
    local name=$1 ready=$2 pid
    shift 2
    (cd "$WORK" && exec "${RUN[@]}" taskset -c $SERVER_CPU "$@" >"$WORK/$name.log" 2>&1) &
    pid=$!
    for _ in $(seq 100); do
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        if ss -Huln "sport = :${ready##*:}" | awk '{print $4}' | grep -qx "$ready"; then PID[$name]=$pid; return 0; fi
        sleep 0.05
    done
    echo "$name did not start:" >&2; cat "$WORK/$name.log" >&2
    kill "$pid" 2>/dev/null || true
    return 1
}

declare -A PORT NOTE
servers=()
# natkit-stun-server: --primary/--alternate, four sockets.
if [ -n "$natkit_server" ] && [ -x "$natkit_server" ]; then
    start_server natkit 127.0.0.2:$((base + 1)) "$natkit_server" --primary 127.0.0.1:$base --alternate 127.0.0.2:$((base + 1)) &&
        { servers+=(natkit); PORT[natkit]=$base; NOTE[natkit]="1 thread"; }
    # The same without recvmmsg/sendmmsg batches (an older natkit-stun-server has no --no-batch).
    if "$natkit_server" --help 2>&1 | grep -- --no-batch >/dev/null &&
        start_server natkit-nobatch 127.0.0.2:$((base + 7)) "$natkit_server" --primary 127.0.0.1:$((base + 6)) \
            --alternate 127.0.0.2:$((base + 7)) --no-batch; then
        servers+=(natkit-nobatch); PORT[natkit-nobatch]=$((base + 6)); NOTE[natkit-nobatch]="1 thread, --no-batch"
    fi
else
    echo "== natkit-stun-server not found: measuring coturn and stund only" >&2
fi
# coturn: STUN only, no auth, no TLS/DTLS/CLI, default thread count (net engine 3: one UDP
# thread per CPU as sysconf counts them, here all confined to one core by taskset).
if start_server coturn 127.0.0.2:$((base + 3)) turnserver -n --listening-ip 127.0.0.1 --listening-ip 127.0.0.2 \
        --listening-port $((base + 2)) --alt-listening-port $((base + 3)) --stun-only --no-auth \
        --no-tls --no-dtls --no-cli --log-file stdout --simple-log --userdb "$WORK/turndb"; then
    servers+=(coturn); PORT[coturn]=$((base + 2))
    NOTE[coturn]="$(ls /proc/"${PID[coturn]}"/task | wc -l) threads ($(grep -m1 -oE 'Total General servers: [0-9]+' "$WORK/coturn.log" || echo '?')), default -m"
fi
# stund (Vovida 0.97): one thread, select() over its four sockets.
if start_server stund 127.0.0.2:$((base + 5)) stund -h 127.0.0.1 -a 127.0.0.2 -p $((base + 4)) -o $((base + 5)); then
    servers+=(stund); PORT[stund]=$((base + 4)); NOTE[stund]="1 thread"
fi
[ -n "${PID[natkit]:-}" ] && NOTE[natkit]="$(ls /proc/"${PID[natkit]}"/task | wc -l) thread(s)"

# Rounds: each server in turn, so that a change in background load hits them alike; the
# table shows the median of the rounds. All servers stay up, idle while not measured.
declare -A R_RPS R_LOSS R_P50 R_P99 R_IDLE R_BAD R_CPU
# CPU time (user + system, all threads) a process has used, in clock ticks. Divided by the
# answers it gave, this is the server's cost per request, which background load on the
# machine distorts far less than throughput.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
hz=$(getconf CLK_TCK)
for round in $(seq "$rounds"); do
    for name in "${servers[@]}"; do
        echo "== round $round/$rounds: $name, $duration s, window $window" >&2
        t0=$(cpu_ticks "${PID[$name]}")
        out=$("${RUN[@]}" "$LOADGEN" --server 127.0.0.1:"${PORT[$name]}" --duration "$duration" --window "$window" --cpu $LOAD_CPU --json) || true
        t1=$(cpu_ticks "${PID[$name]}")
        idle=$("${RUN[@]}" "$LOADGEN" --server 127.0.0.1:"${PORT[$name]}" --duration 1 --warmup 0.2 --window 1 --cpu $LOAD_CPU --json) || true
        echo "   $out" >&2
        [ -n "$out" ] || continue
        R_RPS[$name]+=" $(jget "$out" answered_per_s)"
        R_LOSS[$name]+=" $(jget "$out" loss_pct)"
        R_P50[$name]+=" $(jget "$out" p50_us)"
        R_P99[$name]+=" $(jget "$out" p99_us)"
        [ -n "$idle" ] && R_IDLE[$name]+=" $(jget "$idle" p50_us)"
        R_CPU[$name]+=" $(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$(jget "$out" all_answered)" 'BEGIN { printf "%.3f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
        R_BAD[$name]=$(( ${R_BAD[$name]:-0} + $(jget "$out" bad) + $(jget "$out" wrong_mapped) + $(jget "$out" unmatched) ))
    done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- table ------------------------------------------------------------------------------------
busy_after=$(cpu_busy)
# natkit-stun-server prints its counters on SIGTERM: datagrams per read system call.
for name in natkit natkit-nobatch; do
    [ -n "${PID[$name]:-}" ] || continue
    kill "${PID[$name]}" 2>/dev/null || true
    wait "${PID[$name]}" 2>/dev/null || true
    unset "PID[$name]"
    per_read=$(sed -n 's/^stopped: received \([0-9]*\),.* reads \([0-9]*\).*/\1 \2/p' "$WORK/$name.log" |
        awk '$2 > 0 { printf "%.1f", $1 / $2 }')
    [ -n "$per_read" ] && NOTE[$name]+=", $per_read datagrams per read"
done
echo
echo "STUN Binding over UDP on loopback: loadgen on core $LOAD_CPU, servers on core $SERVER_CPU, window $window,"
echo "$duration s per run, median of $rounds round(s); idle p50 = one request in flight"
[ -n "$rt" ] && echo "servers and loadgen under SCHED_FIFO priority $rt (chrt)"
echo "load average before: $load_before"
echo "other CPU load (all cores, 1 s sample): ${busy_before}% before, ${busy_after}% after"
if [ "$busy_before" -gt 10 ] || [ "$busy_after" -gt 10 ]; then
    echo "WARNING: other work was running: the numbers are noisy, rerun on a quiet machine"
fi
[[ " ${servers[*]} " == *" natkit "* ]] && echo "natkit-stun-server: $natkit_server${natkit_note:+ ($natkit_note)}"
printf '%-15s %14s %8s %9s %9s %12s %12s  %s\n' server "answered req/s" "loss %" "p50 us" "p99 us" "idle p50 us" "CPU us/req" note
declare -A RPS P50 CPU
for s in "${servers[@]}"; do
    [ -n "${R_RPS[$s]:-}" ] || { printf '%-15s %s\n' "$s" "no result"; continue; }
    RPS[$s]=$(median "${R_RPS[$s]}"); P50[$s]=$(median "${R_P50[$s]}"); CPU[$s]=$(median "${R_CPU[$s]}")
    note=${NOTE[$s]:-}
    [ "${R_BAD[$s]:-0}" -eq 0 ] || note+="; ${R_BAD[$s]} bad/unmatched/wrong-mapped answers"
    printf '%-15s %14.0f %8.3f %9.1f %9.1f %12s %12.2f  %s\n' "$s" "${RPS[$s]}" "$(median "${R_LOSS[$s]}")" "${P50[$s]}" \
        "$(median "${R_P99[$s]}")" "$(median "${R_IDLE[$s]:-}")" "${CPU[$s]}" "$note"
done
if [ -n "${RPS[natkit]:-}" ]; then
    for peer in coturn stund natkit-nobatch; do
        [ -n "${RPS[$peer]:-}" ] || continue
        awk -v a="${RPS[natkit]}" -v b="${RPS[$peer]}" -v p="$peer" -v la="${P50[natkit]}" -v lb="${P50[$peer]}" \
            -v ca="${CPU[natkit]}" -v cb="${CPU[$peer]}" \
            'BEGIN { printf "natkit/%s: throughput x%.2f, p50 latency x%.2f, server CPU per request x%.2f\n", p, (b > 0 ? a / b : 0), (lb > 0 ? la / lb : 0), (cb > 0 ? ca / cb : 0) }'
    done
fi
