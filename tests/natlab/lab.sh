# shellcheck shell=bash
# natkit NAT lab: a client host behind an emulated NAT router, and a small "internet" with a
# two-address STUN server site, built from three network namespaces, veth pairs and nftables.
# Source this file from bash (it defines functions and variables, and runs nothing by itself).
#
#   lan  (client)  eth0 LAB_LAN_IP ---- lan0 [ router ] wan0 ---- eth0 (inet)  203.0.113.2 STUN1
#                  10.77.0.2/24          10.77.0.1  203.0.113.1/24           203.0.113.3 STUN2
#                  (198.51.100.2/24 for the                                  203.0.113.4 PEER
#                   kinds without NAT)
#
# Functions
#   lab_up KIND [--hairpin] [--loss N] [--remap-ports] [--udp-timeout S]
#       Build the lab. KIND (RFC 3489 names):
#         open                  no NAT: the client has a public address, nothing filtered
#         full-cone             EIM + endpoint-independent filtering
#         restricted-cone       EIM + address-dependent filtering
#         port-restricted-cone  EIM + address-and-port-dependent filtering (plain conntrack NAT)
#         symmetric             address-and-port-dependent mapping (new port per destination) + APDF
#         symmetric-firewall    no NAT, public address, stateful firewall: unsolicited UDP dropped
#         udp-blocked           NAT, and every forwarded UDP packet is dropped
#       --hairpin        NAT kinds: a LAN packet sent to a public mapping comes back in, from the
#                        sender's own public mapping (RFC 4787 REQ-9)
#       --loss N         drop N % of forwarded UDP packets (both directions) at random
#       --remap-ports    cone kinds: public port = local port XOR 0x155 (a fixed 1:1 mapping, so a
#                        mapped port never equals the local port); default is port preservation.
#                        Ignored (LAB_REMAP=0) by the other kinds.
#       --udp-timeout S  mapping/conntrack UDP timeout in seconds (default: kernel's, 30 s unreplied
#                        / 120 s replied; cone mapping tables 120 s)
#       Installs an EXIT trap that calls lab_down (chained before an existing EXIT trap), and INT/TERM
#       traps that exit. Exits 77 with "SKIP: ..." on stderr when not root or when namespaces or
#       nftables cannot be used. Returns non-zero (after tearing down) on other errors.
#   lab_down                          kill (by PID) the lab_start_*_bg processes and anything else
#                                     still running in the lab's namespaces, delete the namespaces
#                                     and the temp dir (kept if LAB_KEEP_TMP is set). Idempotent.
#   lab_exec_lan CMD...               run CMD on the client host (foreground)
#   lab_exec_inet CMD...              run CMD on the internet host (foreground)
#   lab_exec_router CMD...            run CMD on the router (e.g. conntrack -L, nft list ruleset)
#   lab_start_inet_bg NAME CMD...     start CMD in the background on the internet host; stdout and
#   lab_start_lan_bg NAME CMD...      stderr go to $LAB_TMP/NAME.log; PID in LAB_LAST_PID and in
#                                     $LAB_TMP/NAME.pid; lab_down kills it
#   lab_stop_bg NAME                  stop one of those (TERM, then KILL after 2 s)
#   lab_wait_udp ROLE IP PORT [SECS]  wait until something listens on UDP IP:PORT in ROLE (lan|inet)
#   lab_renumber NEW_IP               change the public address (NAT kinds: the router's WAN address,
#                                     NEW_IP in 203.0.113.0/24; open/symmetric-firewall: the client's
#                                     address, NEW_IP in 198.51.100.0/24), flush conntrack and the
#                                     mapping tables: every mapping changes, sockets stay open
#   lab_set_udp_timeout SECONDS       set nf_conntrack_udp_timeout(_stream) in the router and the cone
#                                     mapping tables' timeout (reloads the rules: inbound permissions
#                                     of full/restricted cone mappings come back with the next
#                                     outbound packet; existing conntrack entries take the new
#                                     timeout at their next packet). Prefer lab_up --udp-timeout.
#   lab_set_loss N                    change the loss percentage (reloads the rules, as above)
#   lab_mappings                      print the router's UDP conntrack entries and mapping tables
#   lab_info                          print the variables below
#
# Variables (set by lab_up)
#   LAB_KIND LAB_ID LAB_TMP LAB_NS_LAN LAB_NS_ROUTER LAB_NS_INET
#   LAB_LAN_IP      the client's address (10.77.0.2, or 198.51.100.2 for open/symmetric-firewall)
#   LAB_PUBLIC_IP   the address the internet sees (router WAN address, or LAB_LAN_IP without NAT)
#   LAB_STUN1=203.0.113.2 LAB_STUN2=203.0.113.3   the STUN site's primary and alternate address
#   LAB_PEER=203.0.113.4                          a third internet address (another remote party)
#   LAB_HAIRPIN=0|1 LAB_LOSS=N LAB_REMAP=0|1 LAB_UDP_TIMEOUT=S|''
#   LAB_LAST_PID    PID of the last lab_start_*_bg process
#
# Only the lab's own namespaces (named nk<pid>x<random>-lan/-rtr/-inet), veth pairs created inside
# them, and nftables rules inside the router namespace are created; nothing in the root namespace.
# The LAN is 10.77.0.0/24; the "internet" uses documentation ranges only.

LAB_STUN1=203.0.113.2
LAB_STUN2=203.0.113.3
LAB_PEER=203.0.113.4
LAB_ID=${LAB_ID:-}
LAB_REMAP_XOR=0x155

_lab_log() { echo "natlab: $*" >&2; }

_lab_skip() {
  echo "SKIP: natlab: $*" >&2
  exit 77
}

_lab_kind_is_nat() {
  case $1 in open | symmetric-firewall) return 1 ;; *) return 0 ;; esac
}

_lab_ns() { # ROLE -> namespace name
  case $1 in
    lan) echo "$LAB_NS_LAN" ;;
    router | rtr) echo "$LAB_NS_ROUTER" ;;
    inet) echo "$LAB_NS_INET" ;;
    *) _lab_log "unknown role '$1' (lan|router|inet)"; return 1 ;;
  esac
}

_lab_require_up() {
  if [[ -z ${LAB_ID:-} ]]; then
    _lab_log "lab is not up (call lab_up first)"
    return 1
  fi
}

lab_exec_lan() { _lab_require_up && ip netns exec "$LAB_NS_LAN" "$@"; }
lab_exec_inet() { _lab_require_up && ip netns exec "$LAB_NS_INET" "$@"; }
lab_exec_router() { _lab_require_up && ip netns exec "$LAB_NS_ROUTER" "$@"; }

_lab_start_bg() { # ROLE NAME CMD...
  local role=$1 name=$2 ns
  shift 2
  _lab_require_up || return 1
  if [[ -z $name || $name == */* || $# -eq 0 ]]; then
    _lab_log "usage: lab_start_${role}_bg NAME CMD..."
    return 1
  fi
  ns=$(_lab_ns "$role") || return 1
  # A simple command in the background: the child execs ip, which execs CMD, so $! is CMD's PID.
  ip netns exec "$ns" "$@" </dev/null >"$LAB_TMP/$name.log" 2>&1 &
  LAB_LAST_PID=$!
  disown "$LAB_LAST_PID" 2>/dev/null # no "Terminated" job report when lab_down stops it
  echo "$LAB_LAST_PID" >"$LAB_TMP/$name.pid"
  echo "$LAB_LAST_PID" >>"$LAB_TMP/pids"
}
lab_start_inet_bg() { _lab_start_bg inet "$@"; }
lab_start_lan_bg() { _lab_start_bg lan "$@"; }

_lab_kill_pid() { # PID: TERM, wait up to 2 s, KILL; only if it is still one of the lab's processes
  local pid=$1 i
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 20; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

lab_stop_bg() {
  _lab_require_up || return 1
  local f="$LAB_TMP/$1.pid"
  [[ -f $f ]] || { _lab_log "no background process named '$1'"; return 1; }
  _lab_kill_pid "$(cat "$f")"
  rm -f "$f"
}

lab_wait_udp() { # ROLE IP PORT [SECONDS]
  local ns deadline
  _lab_require_up || return 1
  ns=$(_lab_ns "$1") || return 1
  deadline=$((SECONDS + ${4:-5}))
  while ((SECONDS <= deadline)); do
    if ip netns exec "$ns" ss -Hlun "src $2:$3" 2>/dev/null | grep -q .; then
      return 0
    fi
    sleep 0.1
  done
  _lab_log "nothing listens on udp $2:$3 in $1 after ${4:-5} s"
  return 1
}

# The router's whole ruleset, from the LAB_* variables. One table; replaced atomically.
_lab_ruleset() {
  local kind=$LAB_KIND pub=$LAB_PUBLIC_IP lannet=$LAB_LAN_NET mt=${LAB_UDP_TIMEOUT:-120}
  local udp_nat other_nat hairpin_snat
  cat <<EOF
table ip nklab {}
delete table ip nklab
table ip nklab {
	# public port -> internal address . port, learnt from outbound packets after SNAT; refreshed
	# by outbound traffic only (RFC 4787 REQ-6 allows that). Used for inbound DNAT (full and
	# restricted cone) and hairpinning.
	map mappings {
		type inet_service : ipv4_addr . inet_service
		flags dynamic,timeout
		timeout ${mt}s
	}
	# (public port, remote address) pairs the inside has sent to: restricted cone's filter.
	set permits {
		type inet_service . ipv4_addr
		flags dynamic,timeout
		timeout ${mt}s
	}

	chain input {
		type filter hook input priority filter; policy accept;
		# The router runs no UDP service: unmapped/unpermitted UDP dies silently, as on a CPE.
		meta l4proto udp counter drop
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
EOF
  if ((LAB_LOSS >= 100)); then
    echo "		meta l4proto udp counter drop comment \"loss\""
  elif ((LAB_LOSS > 0)); then
    echo "		meta l4proto udp numgen random mod 100 < $LAB_LOSS counter drop comment \"loss\""
  fi
  case $kind in
    open)
      echo "		accept"
      ;;
    symmetric-firewall)
      echo "		iifname \"lan0\" accept"
      echo "		ct state established,related accept"
      echo "		iifname \"wan0\" meta l4proto udp counter drop comment \"unsolicited inbound UDP\""
      echo "		accept"
      ;;
    udp-blocked)
      echo "		meta l4proto udp counter drop comment \"UDP blocked\""
      echo "		iifname \"lan0\" accept"
      echo "		ct state established,related accept"
      ;;
    *)
      echo "		iifname \"lan0\" accept"
      echo "		ct state established,related accept"
      echo "		iifname \"wan0\" oifname \"lan0\" ct status dnat accept"
      ;;
  esac
  echo "	}"

  if _lab_kind_is_nat "$kind"; then
    case $kind in
      symmetric)
        udp_nat="masquerade fully-random"
        other_nat="masquerade fully-random"
        hairpin_snat="snat ip to $pub fully-random"
        ;;
      *)
        if ((LAB_REMAP)); then
          udp_nat="masquerade to :udp sport ^ $LAB_REMAP_XOR"
          hairpin_snat="snat ip to $pub :udp sport ^ $LAB_REMAP_XOR"
        else
          udp_nat="masquerade"
          hairpin_snat="snat ip to $pub"
        fi
        other_nat="masquerade"
        ;;
    esac
    cat <<EOF

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
EOF
    case $kind in
      full-cone)
        echo "		iifname \"wan0\" ip daddr $pub dnat ip to udp dport map @mappings"
        ;;
      restricted-cone)
        echo "		iifname \"wan0\" ip daddr $pub udp dport . ip saddr @permits dnat ip to udp dport map @mappings"
        ;;
    esac
    if ((LAB_HAIRPIN)); then
      echo "		iifname \"lan0\" ip daddr $pub dnat ip to udp dport map @mappings comment \"hairpin\""
    fi
    cat <<EOF
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
EOF
    if ((LAB_HAIRPIN)); then
      echo "		oifname \"lan0\" ip saddr $lannet ct status dnat meta l4proto udp $hairpin_snat comment \"hairpin\""
    fi
    cat <<EOF
		oifname "wan0" ip saddr $lannet meta l4proto udp $udp_nat
		oifname "wan0" ip saddr $lannet $other_nat
	}

	chain learn {
		# after srcnat (100): sees the translated source of outbound packets
		type filter hook postrouting priority 200; policy accept;
		oifname "wan0" ip saddr $pub ct direction original update @mappings { udp sport : ct original ip saddr . ct original proto-src }
		oifname "wan0" ip saddr $pub ct direction original update @permits { udp sport . ip daddr }
		# inbound-initiated flows (full/restricted cone): the inside answers in the reply direction
		oifname "wan0" ip saddr $pub ct direction reply update @mappings { udp sport : ct reply ip saddr . ct reply proto-src }
		oifname "wan0" ip saddr $pub ct direction reply update @permits { udp sport . ip daddr }
	}
EOF
  fi
  echo "}"
}

_lab_load_rules() {
  local out
  if ! out=$(_lab_ruleset | ip netns exec "$LAB_NS_ROUTER" nft -f - 2>&1); then
    _lab_log "nft failed: $out"
    return 1
  fi
}

_lab_set_ct_timeouts() {
  [[ -n ${LAB_UDP_TIMEOUT:-} ]] || return 0
  ip netns exec "$LAB_NS_ROUTER" sysctl -qw \
    net.netfilter.nf_conntrack_udp_timeout="$LAB_UDP_TIMEOUT" \
    net.netfilter.nf_conntrack_udp_timeout_stream="$LAB_UDP_TIMEOUT" >/dev/null
}

_lab_install_traps() {
  local cur
  cur=$(trap -p EXIT)
  if [[ $cur != *lab_down* ]]; then
    if [[ -n $cur ]]; then
      local -a words
      eval "words=($cur)" # trap -- 'CMD' EXIT
      # shellcheck disable=SC2064
      trap "lab_down; ${words[2]}" EXIT
    else
      trap lab_down EXIT
    fi
  fi
  [[ -n $(trap -p INT) ]] || trap 'exit 130' INT
  [[ -n $(trap -p TERM) ]] || trap 'exit 143' TERM
}

lab_up() {
  local kind="" hairpin=0 loss=0 remap=0 timeout=""
  while (($#)); do
    case $1 in
      --hairpin) hairpin=1 ;;
      --loss) loss=${2:-}; shift ;;
      --loss=*) loss=${1#--loss=} ;;
      --remap-ports) remap=1 ;;
      --udp-timeout) timeout=${2:-}; shift ;;
      --udp-timeout=*) timeout=${1#--udp-timeout=} ;;
      -*) _lab_log "unknown option $1"; return 2 ;;
      *)
        [[ -z $kind ]] || { _lab_log "more than one KIND: $kind $1"; return 2; }
        kind=$1
        ;;
    esac
    shift
  done
  case $kind in
    open | full-cone | restricted-cone | port-restricted-cone | symmetric | symmetric-firewall | udp-blocked) ;;
    *)
      _lab_log "usage: lab_up KIND [--hairpin] [--loss N] [--remap-ports] [--udp-timeout S]; KIND: open full-cone restricted-cone port-restricted-cone symmetric symmetric-firewall udp-blocked"
      return 2
      ;;
  esac
  if [[ ! $loss =~ ^[0-9]+$ ]] || ((loss > 100)); then
    _lab_log "--loss wants 0..100, got '$loss'"
    return 2
  fi
  [[ -z $timeout || $timeout =~ ^[1-9][0-9]*$ ]] || { _lab_log "--udp-timeout wants seconds, got '$timeout'"; return 2; }
  if ((hairpin)) && ! _lab_kind_is_nat "$kind"; then
    _lab_log "--hairpin applies to NAT kinds only, not $kind"
    return 2
  fi
  case $kind in
    full-cone | restricted-cone | port-restricted-cone) ;;
    *) remap=0 ;; # symmetric maps every flow to a random port anyway; the others have no mapping
  esac
  if [[ -n ${LAB_ID:-} ]]; then
    _lab_log "lab $LAB_ID is already up; call lab_down first"
    return 1
  fi

  [[ $(id -u) == 0 ]] || _lab_skip "needs root (network namespaces, nftables)"
  local t
  for t in ip nft sysctl ss; do
    command -v "$t" >/dev/null || _lab_skip "'$t' not found (apt-get install iproute2 nftables procps)"
  done

  LAB_ID="nk${BASHPID}x$((RANDOM % 10000))"
  LAB_NS_LAN="$LAB_ID-lan"
  LAB_NS_ROUTER="$LAB_ID-rtr"
  LAB_NS_INET="$LAB_ID-inet"
  LAB_KIND=$kind
  LAB_HAIRPIN=$hairpin
  LAB_LOSS=$loss
  LAB_REMAP=$remap
  LAB_UDP_TIMEOUT=$timeout
  LAB_LAST_PID=""
  LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/natlab.$LAB_ID.XXXXXX") || { LAB_ID=""; return 1; }
  : >"$LAB_TMP/pids"
  _lab_install_traps

  if ! ip netns add "$LAB_NS_LAN" 2>"$LAB_TMP/netns.err"; then
    local err
    err=$(cat "$LAB_TMP/netns.err")
    lab_down
    _lab_skip "cannot create network namespaces: $err"
  fi
  if ! ip netns add "$LAB_NS_ROUTER" || ! ip netns add "$LAB_NS_INET"; then
    lab_down
    _lab_skip "cannot create network namespaces"
  fi
  if ! ip netns exec "$LAB_NS_ROUTER" nft list tables >/dev/null 2>&1; then
    lab_down
    _lab_skip "nftables unusable in a namespace"
  fi

  if _lab_kind_is_nat "$kind"; then
    LAB_LAN_NET=10.77.0.0/24 LAB_LAN_GW=10.77.0.1 LAB_LAN_IP=10.77.0.2 LAB_PUBLIC_IP=203.0.113.1
  else
    LAB_LAN_NET=198.51.100.0/24 LAB_LAN_GW=198.51.100.1 LAB_LAN_IP=198.51.100.2 LAB_PUBLIC_IP=198.51.100.2
  fi
  LAB_WAN_IP=203.0.113.1

  if ! _lab_build; then
    _lab_log "building the $kind lab failed"
    lab_down
    return 1
  fi
}

# _lab_do CMD...: run CMD; on failure say which command failed (set -e would be of no use here:
# bash ignores it inside functions called from `if !` or `||`).
_lab_do() {
  local err
  if ! err=$("$@" 2>&1); then
    _lab_log "failed: $* ${err:+($err)}"
    return 1
  fi
}

# _lab_ip NS: run the `ip` commands on stdin in namespace NS (one process for all of them)
_lab_ip() {
  local err
  if ! err=$(ip -n "$1" -batch - 2>&1); then
    _lab_log "failed in $1: $err"
    return 1
  fi
}

_lab_build() {
  local L=$LAB_NS_LAN R=$LAB_NS_ROUTER I=$LAB_NS_INET ns
  for ns in "$L" "$R" "$I"; do
    # IPv6 off (before the veths exist, so they inherit it): no router solicitations, DAD or other
    # chatter; the lab is IPv4 only.
    _lab_do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1 || return 1
  done
  _lab_do ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 || return 1
  _lab_ip "$L" <<EOF || return 1
link set lo up
link add eth0 type veth peer name lan0 netns $R
addr add $LAB_LAN_IP/24 dev eth0
link set eth0 up
route add default via $LAB_LAN_GW
EOF
  _lab_ip "$I" <<EOF || return 1
link set lo up
link add eth0 type veth peer name wan0 netns $R
addr add $LAB_STUN1/24 dev eth0
addr add $LAB_STUN2/24 dev eth0
addr add $LAB_PEER/24 dev eth0
link set eth0 up
EOF
  # Replies to the public address are on-link; the default route reaches the LAN of the kinds
  # without NAT (198.51.100.0/24). Private LAN addresses are dropped by the router's forward chain.
  _lab_ip "$R" <<EOF || return 1
link set lo up
addr add $LAB_LAN_GW/24 dev lan0
addr add $LAB_WAN_IP/24 dev wan0
link set lan0 up
link set wan0 up
EOF
  _lab_do ip -n "$I" route add default via "$LAB_WAN_IP" || return 1
  _lab_load_rules || return 1
  _lab_set_ct_timeouts || return 1
  _lab_wait_links
}

# A veth whose ifindex happens to equal its peer's gets its carrier change handled by the kernel's
# linkwatch up to a second later, and until then its queue drops every packet. Wait for all four
# ends to be operationally UP, so the first packets of a test are not lost.
_lab_wait_links() {
  local deadline=$((SECONDS + 5)) up
  while ((SECONDS <= deadline)); do
    up=$({
      ip -n "$LAB_NS_LAN" -o link show dev eth0
      ip -n "$LAB_NS_INET" -o link show dev eth0
      ip -n "$LAB_NS_ROUTER" -o link show dev lan0
      ip -n "$LAB_NS_ROUTER" -o link show dev wan0
    } 2>/dev/null | grep -c 'state UP')
    ((up == 4)) && return 0
    sleep 0.05
  done
  _lab_log "the veth links did not come up"
  return 1
}

lab_down() {
  [[ -n ${LAB_ID:-} ]] || return 0
  local pid ns
  if [[ -f ${LAB_TMP:-}/pids ]]; then
    while read -r pid; do _lab_kill_pid "$pid"; done <"$LAB_TMP/pids"
  fi
  for ns in "$LAB_NS_LAN" "$LAB_NS_ROUTER" "$LAB_NS_INET"; do
    [[ -e /run/netns/$ns ]] || continue
    # Anything else still running inside the lab's own namespaces (e.g. lab_exec_* &) dies too.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do _lab_kill_pid "$pid"; done
    ip netns del "$ns" 2>/dev/null || _lab_log "could not delete namespace $ns"
  done
  if [[ -n ${LAB_TMP:-} && -d $LAB_TMP && -z ${LAB_KEEP_TMP:-} ]]; then
    rm -rf "$LAB_TMP"
  fi
  LAB_ID="" LAB_NS_LAN="" LAB_NS_ROUTER="" LAB_NS_INET="" LAB_TMP="" LAB_KIND=""
  LAB_LAN_IP="" LAB_PUBLIC_IP="" LAB_LAST_PID=""
  return 0
}

lab_set_udp_timeout() {
  _lab_require_up || return 1
  [[ ${1:-} =~ ^[1-9][0-9]*$ ]] || { _lab_log "usage: lab_set_udp_timeout SECONDS"; return 2; }
  LAB_UDP_TIMEOUT=$1
  _lab_set_ct_timeouts && _lab_load_rules
}

lab_set_loss() {
  _lab_require_up || return 1
  if [[ ! ${1:-} =~ ^[0-9]+$ ]] || (($1 > 100)); then
    _lab_log "usage: lab_set_loss 0..100"
    return 2
  fi
  LAB_LOSS=$1
  _lab_load_rules
}

lab_renumber() {
  _lab_require_up || return 1
  local new=${1:-} old=$LAB_PUBLIC_IP
  if [[ ! $new =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    _lab_log "usage: lab_renumber NEW_PUBLIC_IP"
    return 2
  fi
  if [[ $new == "$old" ]]; then
    _lab_log "$new is already the public address"
    return 2
  fi
  if _lab_kind_is_nat "$LAB_KIND"; then
    if [[ $new != 203.0.113.* || $new == "$LAB_STUN1" || $new == "$LAB_STUN2" || $new == "$LAB_PEER" ||
      $new == 203.0.113.0 || $new == 203.0.113.255 ]]; then
      _lab_log "NAT kinds renumber the router within 203.0.113.0/24 (not .0 .2 .3 .4 .255), got $new"
      return 2
    fi
    # Delete first: deleting a subnet's primary address also deletes its secondaries.
    _lab_do ip -n "$LAB_NS_ROUTER" addr del "$old/24" dev wan0 || return 1
    _lab_do ip -n "$LAB_NS_ROUTER" addr add "$new/24" dev wan0 || return 1
    _lab_do ip -n "$LAB_NS_INET" route replace default via "$new" || return 1
    LAB_WAN_IP=$new
  else
    if [[ $new != 198.51.100.* || $new == "$LAB_LAN_GW" || $new == 198.51.100.0 || $new == 198.51.100.255 ]]; then
      _lab_log "$LAB_KIND renumbers the client within 198.51.100.0/24 (not .0 .1 .255), got $new"
      return 2
    fi
    _lab_do ip -n "$LAB_NS_LAN" addr del "$old/24" dev eth0 || return 1
    _lab_do ip -n "$LAB_NS_LAN" addr add "$new/24" dev eth0 || return 1
    _lab_do ip -n "$LAB_NS_LAN" route replace default via "$LAB_LAN_GW" || return 1
    LAB_LAN_IP=$new
  fi
  LAB_PUBLIC_IP=$new
  _lab_load_rules || return 1 # new address in the rules; empties the mapping tables
  if command -v conntrack >/dev/null; then
    ip netns exec "$LAB_NS_ROUTER" conntrack -F >/dev/null 2>&1
  fi
  # Without the conntrack tool: deleting the address made masquerade drop its entries.
  return 0
}

lab_mappings() {
  _lab_require_up || return 1
  echo "# conntrack (udp) in $LAB_NS_ROUTER"
  if command -v conntrack >/dev/null; then
    ip netns exec "$LAB_NS_ROUTER" conntrack -L -p udp 2>/dev/null
  else
    echo "(conntrack tool not installed)"
  fi
  ip netns exec "$LAB_NS_ROUTER" nft list map ip nklab mappings 2>/dev/null
  ip netns exec "$LAB_NS_ROUTER" nft list set ip nklab permits 2>/dev/null
}

lab_info() {
  local v
  for v in LAB_ID LAB_KIND LAB_HAIRPIN LAB_LOSS LAB_REMAP LAB_UDP_TIMEOUT LAB_NS_LAN LAB_NS_ROUTER \
    LAB_NS_INET LAB_LAN_IP LAB_PUBLIC_IP LAB_STUN1 LAB_STUN2 LAB_PEER LAB_TMP; do
    printf '%s=%s\n' "$v" "${!v:-}"
  done
}
