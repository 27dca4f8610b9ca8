# lib-netns.sh - build and tear down the standard three-namespace NAT64 lab.
# Source it from bash (scripts/demo, scripts/bench, tests/integration/*.sh).
#
#   client (IPv6-only)         xlat (translator, router)                 server (IPv4-only)
#   c0 2001:db8:1::2/64  <->   x0 2001:db8:1::1/64                      
#      2001:db8:1::3/64        x1 192.0.2.1/24 (MASQUERADE out)  <->   s0 192.0.2.2/24
#                              nat64 (tun, the daemon)
#
#   NAT64 prefix   2001:db8:64::/96  (RFC 6052, not the WKP, so the RFC 5737
#                  server address is translatable without `wkpf-strict no`)
#   ipv4-addr      192.168.255.1     ipv6-addr 2001:db8:ff::1
#   dynamic-pool   192.168.255.0/24  (client 2001:db8:1::3 gets an address here;
#                                     the server has no route back to it, so
#                                     only MASQUERADE makes those flows work)
#   static map     192.168.254.2 <-> 2001:db8:1::2 (the server has a route to
#                  192.168.254.0/24 and can reach the client through it)
#
# Everything lives in namespaces with per-run names (suffix $$); nothing is
# connected to the host's network and no traffic leaves the lab. A trap
# removes the namespaces and kills every process started in them on exit.

NS_SUFFIX=${NS_SUFFIX:-$$}
NS_CLIENT="tgc-$NS_SUFFIX"
NS_XLAT="tgx-$NS_SUFFIX"
NS_SERVER="tgs-$NS_SUFFIX"

TUN_DEV=${TUN_DEV:-nat64}
PREFIX6=2001:db8:64::/96
CLIENT6=2001:db8:1::2
CLIENT6_DYN=2001:db8:1::3
XLAT6=2001:db8:1::1
XLAT4=192.0.2.1
SERVER4=192.0.2.2
SERVER6=2001:db8:64::c000:202       # PREFIX6 + SERVER4 (RFC 6052 /96)
TAYGA_V4=192.168.255.1
TAYGA_V6=2001:db8:ff::1
TAYGA_V4_VIA6=2001:db8:64::c0a8:ff01 # PREFIX6 + TAYGA_V4
POOL4=192.168.255.0/24
CLIENT4=192.168.254.2               # static map of CLIENT6
STATIC4_NET=192.168.254.0/24

NETNS_PIDS=()           # daemons/helpers to stop on exit
NETNS_CREATED=()        # namespaces to delete on exit
NETNS_WORKDIR=""

nsx()     { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# nsexec NS CMD... : like nsx, but exec()s CMD in the namespace without an
# intermediate process (iproute2's `ip netns exec` forks and waits), so $! of
# a background `nsexec ... &` is the command's own pid and signals reach it.
nsexec()  { local ns=$1; shift; exec nsenter --net="/run/netns/$ns" -- "$@"; }
nsclient(){ ip netns exec "$NS_CLIENT" "$@"; }
nsxlat()  { ip netns exec "$NS_XLAT" "$@"; }
nsserver(){ ip netns exec "$NS_SERVER" "$@"; }

netns_log() { printf '%s\n' "$*" >&2; }

# netns_missing_prereq CMD... -> prints what is missing, returns 1 if anything is
netns_missing_prereq() {
	local bad=0 c
	if [ "$(id -u)" != 0 ]; then netns_log "need root"; bad=1; fi
	if [ ! -c /dev/net/tun ]; then netns_log "no /dev/net/tun"; bad=1; fi
	for c in ip nsenter timeout "$@"; do
		command -v "$c" >/dev/null 2>&1 || { netns_log "missing command: $c"; bad=1; }
	done
	if [ $bad = 0 ]; then
		# can we actually create a namespace here (containers may forbid it)?
		if ! ip netns add "tgprobe-$NS_SUFFIX" 2>/dev/null; then
			netns_log "cannot create network namespaces"; bad=1
		else
			ip netns del "tgprobe-$NS_SUFFIX" 2>/dev/null
		fi
	fi
	return $bad
}

# wait_until TIMEOUT_SECONDS CMD... : poll CMD every 0.1 s; 0 when it succeeded
wait_until() {
	local t=$1; shift
	local end=$(( $(date +%s%N) / 1000000 + t * 1000 ))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge $end ] && return 1
		sleep 0.1
	done
}

# netns_track_pid PID : stop it (TERM, then KILL) at cleanup
netns_track_pid() { NETNS_PIDS+=("$1"); }

# stop_pid PID [TIMEOUT]: SIGTERM, wait up to TIMEOUT s (default 5), then SIGKILL
stop_pid() {
	local pid=$1 t=${2:-5}
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	wait_until "$t" eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

netns_cleanup() {
	local pid ns
	trap - EXIT INT TERM HUP
	for pid in "${NETNS_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${NETNS_PIDS[@]}"; do
		wait_until 3 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
	done
	# anything else we started inside our namespaces (socat, python, a forked daemon)
	for ns in "${NETNS_CREATED[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
	done
	for ns in "${NETNS_CREATED[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			wait_until 2 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
		done
	done
	for ns in "${NETNS_CREATED[@]}"; do
		ip -n "$ns" link del "$TUN_DEV" 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NETNS_CREATED=()
	if [ -n "$NETNS_WORKDIR" ] && [ -z "${KEEP_WORKDIR:-}" ]; then
		rm -rf "$NETNS_WORKDIR"
	fi
}

netns_on_signal() { netns_cleanup; exit 130; }

# netns_nat_setup : MASQUERADE everything leaving the translator's IPv4 side.
# NAT_BACKEND=nft|iptables (default: nft when available).
netns_nat_setup() {
	local backend=${NAT_BACKEND:-}
	if [ -z "$backend" ]; then
		if command -v nft >/dev/null 2>&1; then backend=nft; else backend=iptables; fi
	fi
	case $backend in
	nft)
		nsxlat nft -f - <<-EOF || return 1
		table ip nat64lab {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "x1" masquerade
			}
		}
		EOF
		;;
	iptables)
		nsxlat iptables -t nat -A POSTROUTING -o x1 -j MASQUERADE || return 1
		;;
	*) netns_log "unknown NAT_BACKEND $backend"; return 1 ;;
	esac
	NAT_BACKEND_USED=$backend
}

# netns_nat_off : remove that MASQUERADE again (a static map, or a pool the
# server routes back, needs none)
netns_nat_off() {
	nsxlat nft delete table ip nat64lab 2>/dev/null \
		|| nsxlat iptables -t nat -F POSTROUTING 2>/dev/null
	return 0
}

# netns_add NAME : an extra namespace (removed at cleanup like the others)
netns_add() {
	ip netns add "$1" || return 1
	NETNS_CREATED+=("$1")
	nsx "$1" ip link set lo up
}

# netns_setup : create the three namespaces, links, addresses and NAT, and
# install the cleanup trap. Sets NETNS_WORKDIR (a temp dir for configs/logs).
netns_setup() {
	local ns
	NETNS_WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/nat64lab.XXXXXX") || return 1
	trap netns_cleanup EXIT
	trap netns_on_signal INT TERM HUP
	for ns in "$NS_CLIENT" "$NS_XLAT" "$NS_SERVER"; do
		netns_add "$ns" || return 1
	done

	# client: IPv6 only
	ip link add c0 netns "$NS_CLIENT" type veth peer name x0 netns "$NS_XLAT" || return 1
	nsclient sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	nsclient ip addr add "$CLIENT6/64" dev c0 nodad
	nsclient ip addr add "$CLIENT6_DYN/64" dev c0 nodad
	nsclient ip link set c0 up
	nsclient ip -6 route add default via "$XLAT6" dev c0

	# server: IPv4 only (routes back to the static-map net and to the
	# translator's own address only; the dynamic pool needs MASQUERADE)
	ip link add s0 netns "$NS_SERVER" type veth peer name x1 netns "$NS_XLAT" || return 1
	nsserver sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	nsserver ip addr add "$SERVER4/24" dev s0
	nsserver ip link set s0 up
	nsserver ip route add "$STATIC4_NET" via "$XLAT4"
	nsserver ip route add "$TAYGA_V4/32" via "$XLAT4"

	# translator host: a router for both families
	nsxlat sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	nsxlat ip addr add "$XLAT6/64" dev x0 nodad
	nsxlat ip addr add "$XLAT4/24" dev x1
	nsxlat ip link set x0 up
	nsxlat ip link set x1 up
	netns_nat_setup || return 1
	# Resolve neighbours on both links now (bounded): the first neighbour
	# solicitation on a link that just came up can be lost, which costs a 1 s
	# retransmit in the middle of a test otherwise.
	nsclient ping -n -q -c 1 -w 3 -I "$CLIENT6" "$XLAT6" >/dev/null 2>&1
	nsclient ping -n -q -c 1 -w 3 -I "$CLIENT6_DYN" "$XLAT6" >/dev/null 2>&1
	nsserver ping -n -q -c 1 -w 3 "$XLAT4" >/dev/null 2>&1
	return 0
}

# tayga_write_conf FILE [EXTRA_LINE...] : the lab's standard tayga.conf
tayga_write_conf() {
	local f=$1; shift
	local dd=${DATA_DIR:-$NETNS_WORKDIR/data}
	mkdir -p "$dd"
	{
		echo "# generated by lib-netns.sh"
		echo "tun-device $TUN_DEV"
		echo "ipv4-addr $TAYGA_V4"
		echo "ipv6-addr $TAYGA_V6"
		echo "prefix $PREFIX6"
		echo "dynamic-pool $POOL4"
		[ -n "$CLIENT4" ] && echo "map $CLIENT4 $CLIENT6"
		echo "data-dir $dd"
		local l
		for l in "$@"; do echo "$l"; done
	} > "$f"
}

# tun_routes : bring the tun up and route the NAT64 prefix, the pool, the
# static-map net and the translator's addresses into it (ns xlat).
tun_routes() {
	nsxlat ip link set "$TUN_DEV" up || return 1
	nsxlat ip -6 route replace "$PREFIX6" dev "$TUN_DEV" || return 1
	nsxlat ip -6 route replace "$TAYGA_V6/128" dev "$TUN_DEV" || return 1
	nsxlat ip -4 route replace "$POOL4" dev "$TUN_DEV" || return 1
	nsxlat ip -4 route replace "$STATIC4_NET" dev "$TUN_DEV" || return 1
}

tun_exists() { nsxlat ip link show "$TUN_DEV" >/dev/null 2>&1; }

# tayga_start_fg CONF [ARGS...] : start the daemon in ns xlat in the
# foreground mode (-n) as a background job; sets TAYGA_PID, log in
# ${TAYGA_LOG:-$NETNS_WORKDIR/tayga.log}. Waits (bounded) for the tun, then
# adds routes with the function named by TUN_ROUTES (default tun_routes).
# NS_XLAT, TUN_DEV, TAYGA_LOG, TUN_ROUTES may be set for one call to start
# another instance (scripts/lib-scale.sh).
tayga_start_fg() {
	local conf=$1; shift
	# TAYGA_WRAPPER (e.g. valgrind) is split into words on purpose
	# shellcheck disable=SC2086
	( nsexec "$NS_XLAT" ${TAYGA_WRAPPER:-} "$TAYGA_BIN" -n -c "$conf" "$@" ) \
		>>"${TAYGA_LOG:-$NETNS_WORKDIR/tayga.log}" 2>&1 </dev/null &
	TAYGA_PID=$!
	netns_track_pid "$TAYGA_PID"
	if ! wait_until 10 tun_exists; then
		netns_log "daemon did not create $TUN_DEV"; return 1
	fi
	"${TUN_ROUTES:-tun_routes}"
}

tayga_log_tail() {
	if [ -s "$NETNS_WORKDIR/tayga.log" ]; then
		echo "--- daemon log (last 40 lines) ---" >&2
		tail -n 40 "$NETNS_WORKDIR/tayga.log" >&2
		echo "---" >&2
	fi
}

# wait_listen NS PROTO PORT : wait (bounded) until something listens there
wait_listen() {
	local ns=$1 proto=$2 port=$3 opt
	case $proto in tcp) opt=-Hltn ;; udp) opt=-Hlun ;; esac
	wait_until 10 eval "ip netns exec $ns ss $opt 'sport = :$port' | grep -q ."
}
