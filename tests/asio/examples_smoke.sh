#!/bin/sh
# natkit-stun-server and natkit-stun-client end to end, on loopback only (127.0.0.1 and
# 127.0.0.2): plain and --json output, an error response, a timeout, argument and bind
# errors, shutdown on SIGTERM with counters.
#   examples_smoke.sh path/to/natkit-stun-server path/to/natkit-stun-client
set -u
server=$1
client=$2
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

# Starts a server with the given arguments, waits for its "listening on" line (5 s at most).
start_server() {
    out=$1
    shift
    "$server" "$@" >"$out" 2>&1 &
    pids="$pids $!"
    last_pid=$!
    n=0
    while ! grep -q "^listening on" "$out"; do
        n=$((n + 1))
        [ $n -le 50 ] || fail "server $* did not start"
        sleep 0.1
    done
}

start_server "$dir/server.out" --primary 127.0.0.1:0 --alternate 127.0.0.2:0 --verbose
server_pid=$last_pid
line=$(head -n 1 "$dir/server.out")
set -- $line
p1=$3       # 127.0.0.1:P1
alt=$6      # 127.0.0.2:P2
case "$p1" in 127.0.0.1:*) ;; *) fail "unexpected listening line: $line" ;; esac
case "$alt" in 127.0.0.2:*) ;; *) fail "unexpected listening line: $line" ;; esac

# Plain output.
"$client" --server "$p1" --local 127.0.0.1 >"$dir/plain.out" 2>&1 || fail "client failed"
local_ep=$(awk '$1 == "local" { print $2 }' "$dir/plain.out")
mapped=$(awk '$1 == "mapped" { print $2 }' "$dir/plain.out")
[ -n "$local_ep" ] && [ "$local_ep" = "$mapped" ] || fail "mapped '$mapped' is not local '$local_ep'"
grep -q "^other-address  *$alt\$" "$dir/plain.out" || fail "no OTHER-ADDRESS $alt"
grep -q "^response-origin  *$p1\$" "$dir/plain.out" || fail "no RESPONSE-ORIGIN $p1"
grep -q "^software  *natkit-stun-server" "$dir/plain.out" || fail "no SOFTWARE"
grep -q "^rtt  *[0-9.]* ms" "$dir/plain.out" || fail "no rtt"

# JSON output: one object, the mapped address equals the local one.
"$client" --server "$p1" --local 127.0.0.1 --json >"$dir/json.out" 2>&1 || fail "client --json failed"
[ "$(wc -l <"$dir/json.out")" -eq 1 ] || fail "--json printed more than one line"
grep -q "\"server\": \"$p1\", \"local\": \"127.0.0.1:[0-9]*\", \"mapped\": \"127.0.0.1:[0-9]*\", \"rtt_ms\": [0-9.]*, \"other_address\": \"$alt\", \"response_origin\": \"$p1\", \"software\": \"natkit-stun-server [0-9.]*\", \"changed_address\": null, \"source_address\": null}" "$dir/json.out" ||
    fail "unexpected JSON"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["local"] == o["mapped"], o' "$dir/json.out" ||
        fail "JSON does not parse or mapped != local"
fi

# The alternate address answers too, naming the primary as OTHER-ADDRESS's counterpart.
"$client" --server "$alt" --local 127.0.0.1 >"$dir/alt.out" 2>&1 || fail "client to alternate failed"
grep -q "^response-origin  *$alt\$" "$dir/alt.out" || fail "alternate: wrong RESPONSE-ORIGIN"

# An error response (401 from a server with credentials) and a TCP refusal: exit 1.
start_server "$dir/auth.out" --primary 127.0.0.1:0 --realm natkit.test --user alice:wonderland
auth=$(head -n 1 "$dir/auth.out" | awk '{ print $3 }')
"$client" --server "$auth" >"$dir/401.out" 2>&1
[ $? -eq 1 ] || fail "401 did not exit 1"
grep -q "answered 401 Unauthorized" "$dir/401.out" || fail "401 not reported"
"$client" --server "$p1" --tcp --timeout-ms 2000 >"$dir/tcp.out" 2>&1
[ $? -eq 1 ] || fail "TCP to a UDP-only server did not exit 1"

# A timeout (no STUN server on the discard port), usage errors, a bind conflict.
"$client" --server 127.0.0.1:9 --timeout-ms 300 >"$dir/timeout.out" 2>&1
[ $? -eq 1 ] || fail "timeout did not exit 1"
grep -q "timed out" "$dir/timeout.out" || fail "timeout not reported"
[ "$(wc -l <"$dir/timeout.out")" -eq 1 ] || fail "timeout message is not one line"
"$client" >"$dir/usage.out" 2>&1
[ $? -eq 2 ] || fail "missing --server did not exit 2"
"$client" --server "[::1" >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --server did not exit 2"
"$server" --primary 127.0.0.1 --alternate 127.0.0.1:4000 >/dev/null 2>&1
[ $? -eq 2 ] || fail "same-IP alternate did not exit 2"
"$server" --primary 127.0.0.1:0 --realm r >/dev/null 2>&1
[ $? -eq 2 ] || fail "--realm without --user did not exit 2"
"$server" --primary "$p1" >"$dir/bind.out" 2>&1
[ $? -eq 1 ] || fail "bind conflict did not exit 1"

# SIGTERM: clean exit with the counters; --verbose logged the requests.
kill -TERM "$server_pid"
wait "$server_pid"
[ $? -eq 0 ] || fail "server did not exit 0 on SIGTERM"
grep -q "^stopped: received [1-9]" "$dir/server.out" || fail "no stats on SIGTERM"
grep -q "^request from 127.0.0.1:[0-9]* on $p1: success from $p1 to 127.0.0.1:" "$dir/server.out" ||
    fail "--verbose did not log"
echo "example smoke test: 1 passed, 0 failed"
