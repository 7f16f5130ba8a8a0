#!/bin/bash
# natkit-firewall-plan end to end: for several command lines, the nftables output passes
# `nft -c -f` and the iptables output passes `iptables-restore --test`; both also load for
# real, twice, into a network namespace of their own (unshare --net, gone when the command
# ends) where the expected tables and chains are then listed. The host's rules are never
# touched. Expected rules are present (SIP port, RTP range, DSCP marks, the ENUM port forward
# only with --enum-forward) and bad command lines are refused with one line on stderr.
#
#     run.sh NATKIT_FIREWALL_PLAN
#
# Exit status 77 (skipped) without root, nft, iptables-restore or unshare.
set -u
plan=$1
[ "$(id -u)" = 0 ] || { echo "SKIP: nft -c and iptables-restore --test need root"; exit 77; }
for tool in nft iptables-restore iptables-save unshare; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed (scripts/deps)"; exit 77; }
done
unshare --net true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# in_netns CMD...: runs CMD in a fresh network namespace (its own, empty ruleset).
in_netns() { unshare --net "$@"; }

has() {  # has NAME FILE PATTERN: the file contains the fixed string
    if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' missing in $(basename "$2")"; fi
}
hasnt() {
    if grep -qF -- "$3" "$2"; then fail "$1: unexpected '$3' in $(basename "$2")"; else pass "$1"; fi
}

# check_case NAME ARGS...: every format of one command line.
check_case() {
    local name=$1
    shift
    local base=$work/$name
    for fmt in text nftables iptables; do
        if ! "$plan" "$@" --format "$fmt" >"$base.$fmt" 2>"$base.$fmt.err"; then
            fail "$name $fmt: exit status $? ($(cat "$base.$fmt.err"))"
            return
        fi
        [ -s "$base.$fmt.err" ] && fail "$name $fmt: wrote to stderr: $(cat "$base.$fmt.err")"
    done
    cmp -s "$base.text" <("$plan" "$@") || fail "$name: text is not the default format"

    # nftables: check mode, then a real load (twice: the file replaces its own tables) into a
    # throwaway namespace, listing what got there.
    if in_netns nft -c -f "$base.nftables" 2>"$base.nft-c.err"; then
        pass "$name: nft -c -f accepts the nftables output"
    else
        fail "$name: nft -c -f: $(head -5 "$base.nft-c.err")"
    fi
    if in_netns sh -c 'nft -f "$1" && nft -f "$1" && nft list ruleset' sh "$base.nftables" \
        >"$base.nft-list" 2>"$base.nft-load.err"; then
        pass "$name: nftables output loads twice in a private namespace"
        has "$name: nft table inet natkit_pbx" "$base.nft-list" "table inet natkit_pbx"
        has "$name: nft sip chain" "$base.nft-list" "chain sip"
        has "$name: nft rtp chain" "$base.nft-list" "chain rtp"
    else
        fail "$name: loading the nftables output in a namespace: $(head -5 "$base.nft-load.err")"
    fi

    # iptables: --test must parse and build without committing; the same file then loads.
    if in_netns sh -c 'iptables-restore --test "$1" && iptables-save' sh "$base.iptables" \
        >"$base.ipt-test" 2>"$base.ipt-test.err"; then
        pass "$name: iptables-restore --test accepts the iptables output"
        hasnt "$name: --test committed nothing" "$base.ipt-test" "NATKIT_PBX"
    else
        fail "$name: iptables-restore --test: $(head -5 "$base.ipt-test.err")"
    fi
    if in_netns sh -c 'iptables-restore --noflush "$1" && iptables-save' sh "$base.iptables" \
        >"$base.ipt-save" 2>"$base.ipt-load.err"; then
        pass "$name: iptables output loads with --noflush in a private namespace"
        has "$name: iptables SIP chain" "$base.ipt-save" ":NATKIT_PBX_SIP"
        has "$name: iptables RTP chain" "$base.ipt-save" ":NATKIT_PBX_RTP"
        has "$name: iptables QoS chain" "$base.ipt-save" ":NATKIT_PBX_QOS"
    else
        fail "$name: loading the iptables output in a namespace: $(head -5 "$base.ipt-load.err")"
    fi
}

# 1. The DESIGN.md setup, defaults for STUN and provider ports, no ENUM.
check_case basic --lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 55000-56000
b=$work/basic
has "basic nft: SIP to the provider" "$b.nftables" "ip saddr 192.168.1.10 udp sport 65002 udp dport 5060 counter accept"
has "basic nft: SIP replies" "$b.nftables" "ip daddr 192.168.1.10 udp sport 5060 udp dport 65002 ct state established"
has "basic nft: STUN from SIP and RTP sockets" "$b.nftables" "udp sport { 65002, 55000-56000 } udp dport 3478"
has "basic nft: RTP out" "$b.nftables" "ip saddr 192.168.1.10 udp sport 55000-56000 counter accept"
has "basic nft: RTP replies" "$b.nftables" "ip daddr 192.168.1.10 udp dport 55000-56000 ct state established"
has "basic nft: EF on media" "$b.nftables" "udp sport 55000-56000 ip dscp set ef"
has "basic nft: CS3 on signalling" "$b.nftables" "udp sport 65002 ip dscp set cs3"
hasnt "basic nft: no port forward" "$b.nftables" "dnat"
hasnt "basic nft: no nat table" "$b.nftables" "natkit_pbx_nat"
has "basic ipt: SIP to the provider" "$b.iptables" "-s 192.168.1.10/32 -p udp -m udp --sport 65002 --dport 5060 -m comment"
has "basic ipt: RTP range" "$b.iptables" "-m udp --sport 55000:56000"
has "basic ipt: STUN multiport" "$b.iptables" "-m udp --dport 3478 -m multiport --sports 65002,55000:56000"
has "basic ipt: EF" "$b.iptables" "--set-dscp-class EF"
has "basic ipt: CS3" "$b.iptables" "--set-dscp-class CS3"
hasnt "basic ipt: no nat table" "$b.iptables" "*nat"
hasnt "basic ipt: no DNAT" "$b.iptables" "DNAT"
has "basic text: STUN explained" "$b.text" "STUN lets the PBX learn its public address"
has "basic text: return traffic explained" "$b.text" "connection tracking"
has "basic text: SIP ALG note" "$b.text" "SIP ALG"
has "basic text: RTCP note for an even last port" "$b.text" "RTCP of RTP port 56000 would use 56001"
hasnt "basic text: no port forward" "$b.text" "port forward:"

# 2. ENUM: the port forward and its filter accept.
check_case enum --lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 55000-56001 --enum-forward
e=$work/enum
has "enum nft: DNAT to the SIP socket" "$e.nftables" "fib daddr type local udp dport 5060 counter dnat to 192.168.1.10:65002"
has "enum nft: nat table" "$e.nftables" "table ip natkit_pbx_nat {"
has "enum nft: forwarded SIP accepted" "$e.nftables" "ip daddr 192.168.1.10 udp dport 65002 ct status dnat counter accept"
has "enum nft-list: nat table loaded" "$e.nft-list" "table ip natkit_pbx_nat"
has "enum ipt: DNAT" "$e.iptables" "-m addrtype --dst-type LOCAL -p udp -m udp --dport 5060"
has "enum ipt: DNAT target" "$e.iptables" "-j DNAT --to-destination 192.168.1.10:65002"
has "enum ipt: forwarded SIP accepted" "$e.iptables" "--dport 65002 -m conntrack --ctstate DNAT"
has "enum ipt-save: nat chain loaded" "$e.ipt-save" ":NATKIT_PBX_DNAT"
has "enum text: why ENUM" "$e.text" "ENUM links listen without registering"
hasnt "enum text: no RTCP note for an odd last port" "$e.text" "RTCP of RTP port"

# 3. Other ports, a STUN server on 10000, a WAN interface.
check_case custom --lan-ip 10.20.30.40 --sip-port 5070 --rtp-range 10000-10999 --stun-port 10000 \
    --sip-provider-port 5080 --enum-forward --wan-if eth1
c=$work/custom
has "custom nft: provider port" "$c.nftables" "oifname \"eth1\" ip saddr 10.20.30.40 udp sport 5070 udp dport 5080"
has "custom nft: STUN port" "$c.nftables" "udp sport { 5070, 10000-10999 } udp dport 10000"
has "custom nft: DNAT on the WAN interface" "$c.nftables" "iifname \"eth1\" udp dport 5060 counter dnat to 10.20.30.40:5070"
has "custom ipt: WAN interface" "$c.iptables" "-o eth1 -s 10.20.30.40/32"
has "custom ipt: DNAT on the WAN interface" "$c.iptables" "-A NATKIT_PBX_DNAT -i eth1 -p udp"

# 4. One RTP port pair only.
check_case single --lan-ip 172.16.0.2 --sip-port 5060 --rtp-range 40000-40001
has "single nft: RTP pair" "$work/single.nftables" "udp sport 40000-40001"

# Bad command lines: exit status 2, one line on stderr, nothing on stdout.
bad() {
    local name=$1
    shift
    "$plan" "$@" >"$work/bad.out" 2>"$work/bad.err"
    local rc=$?
    local lines
    lines=$(wc -l <"$work/bad.err")
    if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$work/bad.out" ]; then
        pass "refused: $name ($(cat "$work/bad.err"))"
    else
        fail "bad arguments '$name': exit $rc, $lines stderr line(s), stdout $(wc -c <"$work/bad.out") bytes"
    fi
}
ok=(--lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 55000-56000)
bad "no arguments"
bad "missing --lan-ip" --sip-port 65002 --rtp-range 55000-56000
bad "missing --sip-port" --lan-ip 192.168.1.10 --rtp-range 55000-56000
bad "missing --rtp-range" --lan-ip 192.168.1.10 --sip-port 65002
bad "bad IP" --lan-ip 192.168.1.300 --sip-port 65002 --rtp-range 55000-56000
bad "IPv6 LAN address" --lan-ip fd00::10 --sip-port 65002 --rtp-range 55000-56000
bad "unspecified address" --lan-ip 0.0.0.0 --sip-port 65002 --rtp-range 55000-56000
bad "port 0" --lan-ip 192.168.1.10 --sip-port 0 --rtp-range 55000-56000
bad "port 65536" --lan-ip 192.168.1.10 --sip-port 65536 --rtp-range 55000-56000
bad "reversed range" --lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 56000-55000
bad "range without dash" --lan-ip 192.168.1.10 --sip-port 65002 --rtp-range 55000
bad "SIP port inside the RTP range" --lan-ip 192.168.1.10 --sip-port 55010 --rtp-range 55000-56000
bad "bad STUN port" "${ok[@]}" --stun-port x
bad "bad provider port" "${ok[@]}" --sip-provider-port -1
bad "unknown format" "${ok[@]}" --format xml
bad "unknown option" "${ok[@]}" --bogus
bad "option without value" "${ok[@]}" --format
bad "interface name that would break out of a rule" "${ok[@]}" --wan-if 'eth0" accept'
if "$plan" --help | grep -q -- "--enum-forward"; then pass "--help"; else fail "--help"; fi

echo
[ "$failures" = 0 ] && echo "all firewall-plan checks passed" || echo "$failures firewall-plan check(s) failed"
[ "$failures" = 0 ]
