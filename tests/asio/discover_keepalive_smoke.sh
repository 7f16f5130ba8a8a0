#!/bin/sh
# natkit-discover and natkit-keepalive against natkit-stun-server on loopback only (127.0.0.1
# and 127.0.0.2 as the server's two addresses): no NAT on loopback, so discovery must say
# open-internet from every flow, with hairpinning; keepalive must report the socket's own
# address, and `lost` when the server is gone.
#   discover_keepalive_smoke.sh SERVER DISCOVER KEEPALIVE
set -u
server=$1
discover=$2
keepalive=$3
dir=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$dir"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$dir"/*; do echo "--- $f" >&2; cat "$f" >&2; done
    exit 1
}

"$server" --primary 127.0.0.1:0 --alternate 127.0.0.2:0 >"$dir/server.out" 2>&1 &
server_pid=$!
pids="$server_pid"
n=0
while ! grep -q "^listening on" "$dir/server.out"; do
    n=$((n + 1))
    [ $n -le 50 ] || fail "server did not start"
    sleep 0.1
done
set -- $(head -n 1 "$dir/server.out")
p1=$3

for mode in auto rfc5780 rfc3489; do
    "$discover" --server "$p1" --local 127.0.0.1 --mode $mode --hairpin --json >"$dir/discover-$mode.out" 2>&1 ||
        fail "natkit-discover --mode $mode failed"
    grep -q '"nat_type": "open-internet", "mapping": "no-nat", "filtering": "no-nat", "hairpinning": true' \
        "$dir/discover-$mode.out" || fail "discover --mode $mode: not open-internet with hairpinning"
done
"$discover" --server "$p1" --local 127.0.0.1 >"$dir/discover.txt" 2>&1 || fail "natkit-discover (text) failed"
grep -q "^NAT type  *open-internet" "$dir/discover.txt" || fail "text report lacks the verdict"
grep -q "^what it means" "$dir/discover.txt" || fail "text report lacks the advice"
"$discover" --server 127.0.0.1:9 --local 127.0.0.1 --timeout-ms 300 --json >"$dir/blocked.out" 2>&1 ||
    fail "natkit-discover against a closed port failed"
grep -q '"nat_type": "udp-blocked"' "$dir/blocked.out" || fail "closed port is not udp-blocked"
"$discover" --server 127.0.0.1:1 --bogus >"$dir/usage.out" 2>&1 && fail "bad argument accepted"

"$keepalive" --server "$p1" --local 127.0.0.1 --interval 0.2 --count 3 --json >"$dir/ka.out" 2>&1 ||
    fail "natkit-keepalive failed"
grep -q '^{"event":"mapped","mapped":"127.0.0.1:[0-9]*","t_ms":[0-9]*}$' "$dir/ka.out" || fail "no mapped event"
kill "$server_pid"
"$keepalive" --server "$p1" --local 127.0.0.1 --interval 0.2 --count 5 --json >"$dir/ka-lost.out" 2>&1 ||
    fail "natkit-keepalive (server gone) failed"
grep -q '^{"event":"lost","t_ms":[0-9]*}$' "$dir/ka-lost.out" || fail "no lost event without a server"
echo "ok"
