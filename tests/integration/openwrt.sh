#!/bin/bash
# openwrt.sh - the OpenWrt netifd protocol handler
# (packaging/openwrt/tayga/files/tayga.sh) as netifd calls it: the UCI
# options of an `option proto tayga` interface come in through json_get_vars,
# the handler's proto_* calls go to small stand-ins for netifd's shell
# helpers that do what netifd does with them (addresses, routes, link up,
# run the daemon in the background, kill it), all in the translator
# namespace:
#   setup: tayga.conf written from the options, tun tayga-<cfg> created with
#   --mktun, MTU, addresses and routes (pool, prefix, maps) in place, the
#   daemon running with -n -p; traffic both ways (dynamic pool, static map);
#   teardown: daemon and tun gone; missing required options, a bad value and
#   an impossible MTU are reported with netifd's error codes and nothing runs.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
TUN_DEV=tayga-wan64
. "$(dirname "$0")/lib.sh"

t_init ping
HANDLER="$SRCDIR/packaging/openwrt/tayga/files/tayga.sh"
W=$NETNS_WORKDIR
mkdir -p "$W/bin" "$W/etc" "$W/run"
ln -s "$TAYGA_BIN" "$W/bin/tayga"

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
proto_kill_command() {
	local pid i=0
	pid=$(cat "$W/netifd.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f "$W/netifd.pid"
}
STUBS

# netifd ACTION CFG [VAR=VALUE...] : call proto_tayga_ACTION CFG in ns xlat
# with the UCI options given as UCI_<option>=value
netifd() {
	local action=$1 cfg=$2; shift 2
	nsxlat env W="$W" PATH="$W/bin:$PATH" INCLUDE_ONLY=1 \
		TAYGA_CONF_DIR="$W/etc" TAYGA_RUN_DIR="$W/run" "$@" \
		bash -c '. "$W/netifd-stubs.sh"; . "$0"; proto_tayga_'"$action"' "$1" "$1-if"' "$HANDLER" "$cfg"
}
daemon_pid() { cat "$W/netifd.pid" 2>/dev/null; }
CONF="$W/etc/tayga-wan64.conf"

OPTS=(UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_dynamic_pool="$POOL4"
	UCI_ipv6_addr="$TAYGA_V6" UCI_ipaddr=192.168.253.1 UCI_ip6addr=2001:db8:ff::2
	UCI_mtu=1400 UCI_log="drop reject" UCI_map="$CLIENT4 $CLIENT6")

# --- setup ---------------------------------------------------------------------------
check "proto_tayga_setup returns" netifd setup wan64 "${OPTS[@]}"
check_not "no errors reported to netifd" test -s "$W/netifd.events"
check "tayga.conf from the UCI options" eval '
	grep -qx "tun-device $TUN_DEV" "$CONF" && grep -qx "ipv4-addr $TAYGA_V4" "$CONF" &&
	grep -qx "ipv6-addr $TAYGA_V6" "$CONF" && grep -qx "prefix $PREFIX6" "$CONF" &&
	grep -qx "dynamic-pool $POOL4" "$CONF" && grep -qx "map $CLIENT4 $CLIENT6" "$CONF" &&
	grep -qx "log drop reject" "$CONF" && grep -qx "data-dir $W/run/tayga/wan64" "$CONF"'
PID=$(daemon_pid)
[ -n "$PID" ] && netns_track_pid "$PID"
check "the daemon runs under the supervisor with -n -p" eval \
	'kill -0 "$PID" && tr "\0" " " </proc/$PID/cmdline | grep -q -- "-n -c $CONF -p $W/run/$TUN_DEV.pid"'
check "pid file written" wait_until 5 eval '[ "$(cat "$W/run/$TUN_DEV.pid")" = "$PID" ]'
check "$TUN_DEV: up, mtu 1400, ipaddr and ip6addr" eval '
	nsxlat ip link show "$TUN_DEV" | grep -q "mtu 1400" &&
	nsxlat ip link show "$TUN_DEV" | grep -q ",UP" &&
	nsxlat ip -4 addr show dev "$TUN_DEV" | grep -q "inet 192.168.253.1/32" &&
	nsxlat ip -6 addr show dev "$TUN_DEV" | grep -q "inet6 2001:db8:ff::2/128"'
check "routes: prefix, ipv6_addr, dynamic_pool, map" eval '
	nsxlat ip -6 route show "$PREFIX6" | grep -q "dev $TUN_DEV" &&
	nsxlat ip -6 route show "$TAYGA_V6/128" | grep -q "dev $TUN_DEV" &&
	nsxlat ip -4 route show "$POOL4" | grep -q "dev $TUN_DEV" &&
	nsxlat ip -4 route show "$CLIENT4/32" | grep -q "dev $TUN_DEV"'
check "dynamic pool: ping $CLIENT6_DYN -> $SERVER6" \
	wait_until 10 ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check "list map: server -> $CLIENT4" ping_ok "$NS_SERVER" "$CLIENT4"

# --- teardown ------------------------------------------------------------------------
check "proto_tayga_teardown returns" netifd teardown wan64
check "the daemon is gone" wait_until 10 eval '! kill -0 "$PID" 2>/dev/null'
check_not "$TUN_DEV is gone (tayga --rmtun)" nsxlat ip link show "$TUN_DEV"

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
netifd setup wan64 UCI_ipv4_addr="$TAYGA_V4" UCI_prefix="$PREFIX6" UCI_mtu=70000 >/dev/null 2>&1
check "mtu 70000 (over the tun's maximum): INVALID_MTU, no tun left, nothing runs" eval \
	'grep -q "notify_error wan64 INVALID_MTU" "$W/netifd.events" && [ ! -e "$W/netifd.pid" ] &&
	 ! nsxlat ip link show "$TUN_DEV" >/dev/null 2>&1'

t_finish
