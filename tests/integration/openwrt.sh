#!/bin/bash
# openwrt.sh - the OpenWrt netifd protocol handler
# (packaging/openwrt/tayga/files/tayga.sh) as netifd calls it: the UCI
# options of an `option proto tayga` interface come in through json_get_vars,
# the handler's proto_* calls go to small stand-ins for netifd's shell
# helpers that do what netifd does with them (addresses, routes, link up,
# run the daemon in the background, send it SIGTERM without waiting), all in
# the translator namespace, under busybox's ash as on OpenWrt (dash if
# busybox is missing). A wrapper records every tayga command line.
# For each set of options OpenWrt's own handler takes (ipv4_addr ipv6_addr
# prefix dynamic_pool map_ipv4 map_ipv6 ipaddr ip6addr noroutes) and for our
# additions (list map, mtu, log, wkpf_strict, udp_cksum_mode):
#   setup: the exact tayga.conf, the command lines run (--check-config,
#   --mktun, -n -c -p), addresses and routes on tayga-<cfg> (none with
#   noroutes), traffic where there are routes;
#   teardown: daemon and tun gone as soon as teardown returns (netifd's
#   kill does not wait: the handler must), and a tun that cannot be removed
#   is reported; missing required options, a bad value, an incomplete
#   map_ipv4/map_ipv6 pair and an impossible MTU are reported with netifd's
#   error codes and nothing runs.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
TUN_DEV=tayga-wan64
. "$(dirname "$0")/lib.sh"

t_init ping
HANDLER="$SRCDIR/packaging/openwrt/tayga/files/tayga.sh"
W=$NETNS_WORKDIR
mkdir -p "$W/bin" "$W/etc" "$W/run"
cat >"$W/bin/tayga" <<EOF
#!/bin/sh
echo "tayga \$*" >>"$W/tayga.calls"
exec "$TAYGA_BIN" "\$@"
EOF
chmod +x "$W/bin/tayga"

# stand-ins for netifd-proto.sh / jshn (state in $W/netifd.*)
cat >"$W/netifd-stubs.sh" <<'STUBS'
json_get_vars() { local v; for v in "$@"; do eval "$v=\${UCI_$v-}"; done; }
# json_for_each_item CALLBACK LIST: one call per line of $UCI_<LIST>
json_for_each_item() {
	local cb=$1 item
	eval "printf '%s\n' \"\${UCI_$2-}\"" | while IFS= read -r item; do
		[ -n "$item" ] && echo "$item"; done >"$W/netifd.items"
	while IFS= read -r item; do "$cb" "$item"; done <"$W/netifd.items"
}
proto_notify_error() { echo "notify_error $*" >>"$W/netifd.events"; }
proto_block_restart() { echo "block_restart $*" >>"$W/netifd.events"; }
proto_init_update() { echo "$1" >"$W/netifd.link"; : >"$W/netifd.cmds"; }
_link() { cat "$W/netifd.link"; }
proto_add_ipv4_address() { echo "ip -4 addr add $1/$2 dev $(_link)" >>"$W/netifd.cmds"; }
proto_add_ipv6_address() { echo "ip -6 addr add $1/$2 dev $(_link) nodad" >>"$W/netifd.cmds"; }
proto_add_ipv4_route() { echo "ip -4 route add $1/$2 dev $(_link)" >>"$W/netifd.cmds"; }
proto_add_ipv6_route() { echo "ip -6 route add $1/$2 dev $(_link)" >>"$W/netifd.cmds"; }
# netifd sets the link up, then applies addresses and routes
proto_send_update() {
	ip link set "$(_link)" up || return 1
	while read -r c; do $c || echo "netifd stand-in: '$c' failed" >>"$W/netifd.events"; done <"$W/netifd.cmds"
}
proto_run_command() {
	shift
	"$@" </dev/null >>"$W/tayga.log" 2>&1 &
	echo $! >"$W/netifd.pid"
}
# netifd's kill: the signal to the process it started, and no waiting
proto_kill_command() {
	local pid
	pid=$(cat "$W/netifd.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	rm -f "$W/netifd.pid"
}
STUBS

# OpenWrt runs the handler with busybox's ash: that shell here if installed,
# else dash; never bash, whose extensions would hide what ash lacks
if command -v busybox >/dev/null 2>&1; then NETIFD_SH=(busybox sh); else NETIFD_SH=(dash); fi
echo "# handler shell: ${NETIFD_SH[*]}"

# netifd ACTION CFG [VAR=VALUE...] : call proto_tayga_ACTION CFG in ns xlat
# with the UCI options given as UCI_<option>=value
netifd() {
	local action=$1 cfg=$2; shift 2
	nsxlat env W="$W" PATH="$W/bin:$PATH" INCLUDE_ONLY=1 \
		TAYGA_CONF_DIR="$W/etc" TAYGA_RUN_DIR="$W/run" "$@" "${NETIFD_SH[@]}" \
		-c '. "$W/netifd-stubs.sh"; . "$0"; proto_tayga_'"$action"' "$1" "$1-if"' "$HANDLER" "$cfg"
}
CONF="$W/etc/tayga-wan64.conf"
PIDFILE="$W/run/$TUN_DEV.pid"
DATADIR="$W/run/tayga/wan64"

# conf_is LINE... : the generated tayga.conf is exactly these lines
conf_is() { diff <(printf '%s\n' "$@") "$CONF"; }
# routes_are FAMILY ROUTE... : the routes via the tun in the main table
# that are not the kernel's own (prefix routes of addresses, fe80::/64)
routes_are() {
	local fam=$1; shift
	diff <([ $# = 0 ] || printf '%s\n' "$@" | sort) \
		<(nsxlat ip "$fam" route show dev "$TUN_DEV" | grep -v "proto kernel" | awk '{print $1}' | sort)
}

# setup NAME VAR=VALUE... : proto_tayga_setup with these options; the
# daemon must run under the supervisor with the command lines of the handler
setup() {
	local name=$1; shift
	: >"$W/netifd.events"; : >"$W/tayga.calls"; rm -f "$W/netifd.pid"
	check "$name: proto_tayga_setup returns" netifd setup wan64 "$@"
	check_not "$name: no errors reported to netifd" test -s "$W/netifd.events"
	PID=$(cat "$W/netifd.pid" 2>/dev/null)
	[ -n "$PID" ] && netns_track_pid "$PID"
	check "$name: the daemon runs, pid file written" \
		wait_until 5 eval '[ "$(cat "$PIDFILE" 2>/dev/null)" = "$PID" ] && kill -0 "$PID"'
	check "$name: command lines: --check-config, --mktun, -n -c -p" diff - "$W/tayga.calls" <<EOF
tayga --check-config -c $CONF
tayga --mktun -c $CONF
tayga -n -c $CONF -p $PIDFILE
EOF
	check "$name: $TUN_DEV up" eval 'nsxlat ip link show "$TUN_DEV" | grep -q ",UP"'
}

# teardown NAME : proto_tayga_teardown; at once no daemon and no tun, and
# nothing reported as failed
teardown() {
	local name=$1
	: >"$W/tayga.calls"
	netifd teardown wan64 >"$W/teardown.out" 2>"$W/teardown.err"
	check_not "$name teardown: the daemon is gone" kill -0 "$PID"
	check_not "$name teardown: $TUN_DEV is gone" nsxlat ip link show "$TUN_DEV"
	check "$name teardown: tayga --rmtun -c CONF ran, no error" eval \
		'[ "$(cat "$W/tayga.calls")" = "tayga --rmtun -c $CONF" ] && ! test -s "$W/teardown.err"'
}

# --- OpenWrt's NAT64 options --------------------------------------------------------
setup "NAT64" UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_dynamic_pool="$POOL4" \
	UCI_ipaddr=192.168.253.1 UCI_ip6addr=2001:db8:ff::2
check "NAT64: tayga.conf" conf_is "tun-device $TUN_DEV" "ipv4-addr $TAYGA_V4" \
	"prefix $PREFIX6" "dynamic-pool $POOL4" "data-dir $DATADIR"
check "NAT64: ipaddr/32 and ip6addr/128 on $TUN_DEV" eval '
	nsxlat ip -4 addr show dev "$TUN_DEV" | grep -q "inet 192.168.253.1/32" &&
	nsxlat ip -6 addr show dev "$TUN_DEV" | grep -q "inet6 2001:db8:ff::2/128"'
check "NAT64: IPv6 routes: the prefix" routes_are -6 "$PREFIX6"
check "NAT64: IPv4 routes: the pool" routes_are -4 "$POOL4"
check "NAT64: dynamic pool: ping $CLIENT6_DYN -> $SERVER6" \
	wait_until 10 ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
teardown "NAT64"

# --- OpenWrt's CLAT options: one static mapping, the translator's IPv6 ------------------
setup "CLAT" UCI_ipv4_addr="$TAYGA_V4" UCI_ipv6_addr="$TAYGA_V6" UCI_prefix="$PREFIX6" \
	UCI_map_ipv4="$CLIENT4" UCI_map_ipv6="$CLIENT6"
check "CLAT: tayga.conf with map V4 V6" conf_is "tun-device $TUN_DEV" "ipv4-addr $TAYGA_V4" \
	"ipv6-addr $TAYGA_V6" "prefix $PREFIX6" "map $CLIENT4 $CLIENT6" "data-dir $DATADIR"
check "CLAT: IPv6 routes: ipv6_addr/128, the prefix" routes_are -6 "$TAYGA_V6" "$PREFIX6"
check "CLAT: IPv4 routes: map_ipv4" routes_are -4 "$CLIENT4"
check "CLAT: map_ipv4: server -> $CLIENT4" wait_until 10 ping_ok "$NS_SERVER" "$CLIENT4"
check "CLAT: map_ipv6: client -> server" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
teardown "CLAT"

# --- noroutes: every OpenWrt option, netifd adds the addresses but no route -------------
setup "noroutes" UCI_ipv4_addr="$TAYGA_V4" UCI_ipv6_addr="$TAYGA_V6" UCI_prefix="$PREFIX6" \
	UCI_dynamic_pool="$POOL4" UCI_map_ipv4="$CLIENT4" UCI_map_ipv6="$CLIENT6" \
	UCI_ipaddr=192.168.253.1 UCI_ip6addr=2001:db8:ff::2 UCI_noroutes=1
check "noroutes: tayga.conf" conf_is "tun-device $TUN_DEV" "ipv4-addr $TAYGA_V4" \
	"ipv6-addr $TAYGA_V6" "prefix $PREFIX6" "dynamic-pool $POOL4" "map $CLIENT4 $CLIENT6" \
	"data-dir $DATADIR"
check "noroutes: only the addresses handed to netifd" diff - "$W/netifd.cmds" <<EOF
ip -4 addr add 192.168.253.1/32 dev $TUN_DEV
ip -6 addr add 2001:db8:ff::2/128 dev $TUN_DEV nodad
EOF
check "noroutes: no IPv6 route via $TUN_DEV" routes_are -6
check "noroutes: no IPv4 route via $TUN_DEV" routes_are -4
teardown "noroutes"

# --- our additions (and noroutes '0', which routes as if unset) --------------------------
setup "additions" UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_dynamic_pool="$POOL4" \
	UCI_map="$CLIENT4 $CLIENT6"$'\n'"192.168.254.16/28 2001:db8:1::100/124" UCI_mtu=1400 \
	UCI_log="drop reject" UCI_wkpf_strict=no UCI_udp_cksum_mode=calc UCI_noroutes=0
check "additions: tayga.conf with list map, log, wkpf-strict, udp-cksum-mode" conf_is \
	"tun-device $TUN_DEV" "ipv4-addr $TAYGA_V4" "prefix $PREFIX6" "dynamic-pool $POOL4" \
	"map $CLIENT4 $CLIENT6" "map 192.168.254.16/28 2001:db8:1::100/124" "log drop reject" \
	"wkpf-strict no" "udp-cksum-mode calc" "data-dir $DATADIR"
check "additions: mtu 1400" eval 'nsxlat ip link show "$TUN_DEV" | grep -q "mtu 1400"'
check "additions: IPv4 routes: the pool and both maps" routes_are -4 "$POOL4" "$CLIENT4" 192.168.254.16/28
check "additions: list map: server -> $CLIENT4" wait_until 10 ping_ok "$NS_SERVER" "$CLIENT4"
teardown "additions"

# --- a daemon that does not exit: teardown gives up after TAYGA_STOP_WAIT and says so ----
setup "stuck" UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6"
kill -STOP "$PID"
netifd teardown wan64 TAYGA_STOP_WAIT=5 >"$W/teardown.out" 2>"$W/teardown.err"
check "stuck teardown: the failed --rmtun and the running daemon are logged" eval \
	'grep -q "TUNSETIFF" "$W/teardown.err" &&
	 grep -q "$TUN_DEV is left behind: the daemon (pid $PID) still runs" "$W/teardown.err"'
kill -CONT "$PID"
check "stuck: the daemon exits on the SIGTERM it was sent" wait_until 10 eval '! kill -0 "$PID" 2>/dev/null'
nsxlat "$TAYGA_BIN" --rmtun -c "$CONF" >/dev/null 2>&1

# --- refused configurations ------------------------------------------------------------
: >"$W/netifd.events"; rm -f "$W/netifd.pid"
netifd setup wan64 UCI_ipv4_addr="$TAYGA_V4" >/dev/null 2>&1
check "no prefix: REQUIRED_PARAMETERS_MISSING, restart blocked" eval \
	'grep -q "notify_error wan64 REQUIRED_PARAMETERS_MISSING" "$W/netifd.events" &&
	 grep -q "block_restart wan64" "$W/netifd.events" && [ ! -e "$W/netifd.pid" ]'
: >"$W/netifd.events"
netifd setup wan64 UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_dynamic_pool=192.168.300.0/24 \
	>"$W/bad.out" 2>&1
check "a bad dynamic_pool: TAYGA_FAILED with file:line, nothing runs" eval \
	'grep -q "notify_error wan64 TAYGA_FAILED" "$W/netifd.events" &&
	 grep -q "tayga-wan64.conf:[0-9]*:" "$W/bad.out" && [ ! -e "$W/netifd.pid" ] &&
	 ! nsxlat ip link show "$TUN_DEV" >/dev/null 2>&1'
: >"$W/netifd.events"
netifd setup wan64 UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_map_ipv4="$CLIENT4" \
	>"$W/bad.out" 2>&1
check "map_ipv4 without map_ipv6: TAYGA_FAILED with file:line, nothing runs" eval \
	'grep -q "notify_error wan64 TAYGA_FAILED" "$W/netifd.events" &&
	 grep -q "tayga-wan64.conf:[0-9]*:" "$W/bad.out" && [ ! -e "$W/netifd.pid" ] &&
	 ! nsxlat ip link show "$TUN_DEV" >/dev/null 2>&1'

: >"$W/netifd.events"
netifd setup wan64 UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_mtu=70000 >/dev/null 2>&1
check "mtu 70000 (over the tun's maximum): INVALID_MTU, no tun left, nothing runs" eval \
	'grep -q "notify_error wan64 INVALID_MTU" "$W/netifd.events" && [ ! -e "$W/netifd.pid" ] &&
	 ! nsxlat ip link show "$TUN_DEV" >/dev/null 2>&1'

t_finish
