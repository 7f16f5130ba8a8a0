#!/bin/bash
# The DS field on the wire: natkit-dscp-send marks a UDP socket with natkit::asio::set_dscp and
# sends one datagram on loopback; tshark captures it and the test compares ip.dsfield.dscp
# (IPv4), ipv6.tclass.dscp (IPv6 on ::1) and, for a dual-stack IPv6 socket sending to
# ::ffff:127.0.0.1, the IPv4 header again. Each case goes to a port of its own, so one tshark
# run sees them all.
#
#     dscp_capture.sh NATKIT_DSCP_SEND
#
# Loopback only (-i lo). Exit status 77 (skipped) when tshark is missing or we are not root.
set -u
send=$1
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark not installed (scripts/deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: capturing on lo needs root"; exit 77; }

work=$(mktemp -d)
tshark_pid=
cleanup() {
    if [ -n "$tshark_pid" ] && kill -0 "$tshark_pid" 2>/dev/null; then
        kill "$tshark_pid" 2>/dev/null
        wait "$tshark_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Cases: name, DSCP, destination, extra argument of natkit-dscp-send. Case i goes to base+i.
names=(ipv4-ef ipv4-cs3 ipv4-default)
dscps=(46 24 0)
hosts=(127.0.0.1 127.0.0.1 127.0.0.1)
modes=("" "" "")
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
    names+=(ipv6-ef ipv6-cs3 dual-stack-ipv4-mapped-ef)
    dscps+=(46 24 46)
    hosts+=(::1 ::1 127.0.0.1)
    modes+=("" "" dual)
else
    echo "note: no ::1 on lo, IPv6 captures skipped"
fi
n=${#names[@]}
# Ports of our own, so parallel tests do not see each other's probes.
base=$((40000 + ($$ % 2000) * 10))
last=$((base + n - 1))

out=$work/capture.out
err=$work/capture.err
# -a duration: tshark ends on its own even if something goes wrong; -l: a line per packet at once.
tshark -i lo -n -l -a duration:20 -f "udp dst portrange $base-$last" -T fields -E separator=, \
    -e udp.dstport -e ip.dsfield.dscp -e ipv6.tclass.dscp >"$out" 2>"$err" &
tshark_pid=$!
for _ in $(seq 1 100); do  # up to 10 s for "Capturing on 'Loopback: lo'"
    grep -q "Capturing on" "$err" && break
    kill -0 "$tshark_pid" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q "Capturing on" "$err"; then
    echo "FAIL: tshark did not start capturing: $(tr '\n' ' ' <"$err")"
    exit 1
fi

failures=0
readback=()
seen() { grep -q "^$1," "$out"; }
# "Capturing on" is printed just before the capture loop runs: resend what was not seen yet.
for _ in $(seq 1 25); do
    pending=0
    for ((i = 0; i < n; i++)); do
        seen $((base + i)) && continue
        pending=1
        # shellcheck disable=SC2086  # an empty mode is no argument
        if ! readback[i]=$("$send" "${dscps[i]}" "${hosts[i]}" $((base + i)) ${modes[i]}); then
            echo "FAIL ${names[i]}: natkit-dscp-send failed"
            exit 1
        fi
    done
    [ "$pending" = 0 ] && break
    sleep 0.2
done
kill "$tshark_pid" 2>/dev/null
wait "$tshark_pid" 2>/dev/null
tshark_pid=

for ((i = 0; i < n; i++)); do
    name=${names[i]} want=${dscps[i]}
    line=$(grep -m 1 "^$((base + i))," "$out")
    if [ -z "$line" ]; then
        echo "FAIL $name: no datagram captured"
        failures=$((failures + 1))
        continue
    fi
    IFS=, read -r _ v4 v6 <<<"$line"
    if [ "${hosts[i]}" = ::1 ]; then field=ipv6.tclass.dscp got=$v6; else field=ip.dsfield.dscp got=$v4; fi
    case $got in 0x*) got=$((got)) ;; esac  # some tshark versions print the IPv6 one in hex
    if [ "${readback[i]:-}" != "$want" ]; then
        echo "FAIL $name: get_dscp read back '${readback[i]:-}', expected $want"
        failures=$((failures + 1))
    elif [ "$got" = "$want" ]; then
        echo "ok   $name: $field == $got"
    else
        echo "FAIL $name: captured $field '$got', expected $want"
        failures=$((failures + 1))
    fi
done

[ "$failures" = 0 ] && echo "all DSCP captures passed" || echo "$failures DSCP capture(s) failed"
[ "$failures" = 0 ]
