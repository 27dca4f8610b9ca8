#!/bin/sh
# netifd protocol handler `tayga`: a NAT64 interface in /etc/config/network
#
#   config interface 'nat64'
#       option proto 'tayga'
#       option ipv4_addr '192.168.255.1'     # translator's own IPv4 (required)
#       option prefix '64:ff9b::/96'         # NAT64 prefix (required)
#       option dynamic_pool '192.168.255.0/24'
#       option ipv6_addr '2001:db8::1'       # translator's own IPv6
#       option ipaddr '192.168.255.2'        # this router's IPv4 on the tun
#       option ip6addr '2001:db8::2'         # this router's IPv6 on the tun
#       option map_ipv4 '192.168.254.2'      # one static mapping (CLAT) ...
#       option map_ipv6 '2001:db8:1::2'      # ... written as `map V4 V6`
#       option noroutes '1'                  # netifd adds no routes
#       list map '192.168.254.3 2001:db8:1::3'
#       option mtu '1500'
#       option log 'drop reject'
#
# ipv4_addr, ipv6_addr, prefix, dynamic_pool, map_ipv4, map_ipv6, ipaddr,
# ip6addr and noroutes are the options of OpenWrt's TAYGA package and mean
# what they meant there; list map, mtu, log, wkpf_strict and udp_cksum_mode
# are additions. The tun device is tayga-<interface>, created with
# `tayga --mktun`; netifd gives it ipaddr/ip6addr and, unless noroutes is
# set, routes to ipv6_addr/128, the prefix, the pool and the IPv4 side of
# every mapping; the daemon runs under procd with `-n -p`.

[ -n "$INCLUDE_ONLY" ] || {
	. /lib/functions.sh
	. ../netifd-proto.sh
	init_proto "$@"
}

# where the generated configuration, the pid file and the dynamic.map live
# (overridable for tests; on OpenWrt /var is a tmpfs)
TAYGA_CONF_DIR=${TAYGA_CONF_DIR:-/var/etc}
TAYGA_RUN_DIR=${TAYGA_RUN_DIR:-/var/run}
# how long teardown waits for the daemon to exit, in tenths of a second
TAYGA_STOP_WAIT=${TAYGA_STOP_WAIT:-50}

# tayga_conf CFG LINK : write the daemon's configuration, print its path.
# $map holds the mappings as words V4,V6; an entry that is not two
# addresses is written as it came, so --check-config reports it.
tayga_conf() {
	local cfg=$1 link=$2 conf="$TAYGA_CONF_DIR/tayga-$1.conf" m
	mkdir -p "$TAYGA_CONF_DIR" "$TAYGA_RUN_DIR/tayga/$cfg"
	{
		echo "tun-device $link"
		echo "ipv4-addr $ipv4_addr"
		[ -n "$ipv6_addr" ] && echo "ipv6-addr $ipv6_addr"
		echo "prefix $prefix"
		[ -n "$dynamic_pool" ] && echo "dynamic-pool $dynamic_pool"
		for m in $map; do echo "map $(echo "$m" | tr , ' ')"; done
		[ -n "$log" ] && echo "log $log"
		[ -n "$wkpf_strict" ] && echo "wkpf-strict $wkpf_strict"
		[ -n "$udp_cksum_mode" ] && echo "udp-cksum-mode $udp_cksum_mode"
		echo "data-dir $TAYGA_RUN_DIR/tayga/$cfg"
	} >"$conf"
	echo "$conf"
}

# tayga_map_add ENTRY : one mapping ("V4 V6") onto $map as the word V4,V6
tayga_map_add() {
	local w e=""
	for w in $1; do e="${e:+$e,}$w"; done
	[ -n "$e" ] && map="$map $e"
}

# json_for_each_item callback: one `list map` entry
tayga_map_item() {
	tayga_map_add "$1"
}

# tayga_add_route4 NET : NET (a.b.c.d[/len]) routed into the tun
tayga_add_route4() {
	case $1 in */*) proto_add_ipv4_route "${1%/*}" "${1#*/}" ;; *) proto_add_ipv4_route "$1" 32 ;; esac
}

# tayga_routes : the routes into the tun (not with noroutes)
tayga_routes() {
	local m
	[ -n "$ipv6_addr" ] && proto_add_ipv6_route "$ipv6_addr" 128
	proto_add_ipv6_route "${prefix%/*}" "${prefix#*/}"
	[ -n "$dynamic_pool" ] && tayga_add_route4 "$dynamic_pool"
	for m in $map; do tayga_add_route4 "${m%%,*}"; done
}

# tayga_failed CFG CODE : report CODE to netifd and keep it from retrying
tayga_failed() {
	proto_notify_error "$1" "$2"
	proto_block_restart "$1"
}

proto_tayga_setup() {
	local cfg=$1 link="tayga-$1" conf
	local ipv4_addr ipv6_addr prefix dynamic_pool map_ipv4 map_ipv6 ipaddr ip6addr noroutes
	local mtu log wkpf_strict udp_cksum_mode map=""
	json_get_vars ipv4_addr ipv6_addr prefix dynamic_pool map_ipv4 map_ipv6 ipaddr ip6addr noroutes
	json_get_vars mtu log wkpf_strict udp_cksum_mode
	# OpenWrt's single mapping first, then `list map`; one of map_ipv4 and
	# map_ipv6 without the other makes an incomplete line --check-config refuses
	if [ -n "$map_ipv4" ] || [ -n "$map_ipv6" ]; then
		map="$map_ipv4,$map_ipv6"
	fi
	json_for_each_item tayga_map_item map

	if [ -z "$ipv4_addr" ] || [ -z "$prefix" ]; then
		tayga_failed "$cfg" REQUIRED_PARAMETERS_MISSING
		return
	fi
	conf=$(tayga_conf "$cfg" "$link")
	# a configuration error stops here, with file:line in the log
	if ! tayga --check-config -c "$conf" || ! tayga --mktun -c "$conf"; then
		tayga_failed "$cfg" TAYGA_FAILED
		return
	fi
	# through sysfs: no dependency on a full ip(8)
	if [ -n "$mtu" ] && ! echo "$mtu" >"/sys/class/net/$link/mtu"; then
		tayga_failed "$cfg" INVALID_MTU
		tayga --rmtun -c "$conf" >/dev/null
		return
	fi

	proto_init_update "$link" 1
	[ -n "$ipaddr" ] && proto_add_ipv4_address "$ipaddr" 32
	[ -n "$ip6addr" ] && proto_add_ipv6_address "$ip6addr" 128
	# a boolean: netifd hands it to the handler as 1 or 0
	[ "$noroutes" = 1 ] || tayga_routes
	proto_send_update "$cfg"

	proto_run_command "$cfg" tayga -n -c "$conf" -p "$TAYGA_RUN_DIR/$link.pid"
}

# tayga_nap : sleep a tenth of a second, and count it in $t (busybox's
# sleep takes fractions only if built with FLOAT_SLEEP: else a second)
tayga_nap() {
	if sleep 0.1 2>/dev/null; then t=$((t + 1)); else sleep 1; t=$((t + 10)); fi
}

# netifd's kill only sends the signal. While the daemon still holds the tun
# open, --rmtun fails (TUNSETIFF: Device or resource busy) and the device
# would be left behind: wait until the daemon named in its pid file has
# exited, then remove the tun, retrying while the last reference to it is
# being closed; all of it within TAYGA_STOP_WAIT. What
# fails goes to stderr, which netifd writes to the system log.
proto_tayga_teardown() {
	local cfg=$1 link="tayga-$1" conf="$TAYGA_CONF_DIR/tayga-$1.conf"
	local pidfile="$TAYGA_RUN_DIR/tayga-$1.pid" pid out t=0
	pid=$(cat "$pidfile" 2>/dev/null)
	proto_kill_command "$cfg"
	[ -f "$conf" ] || return 0
	while [ -n "$pid" ] && [ "$t" -lt "$TAYGA_STOP_WAIT" ] && kill -0 "$pid" 2>/dev/null; do
		tayga_nap
	done
	while ! out=$(tayga --rmtun -c "$conf" 2>&1); do
		if [ "$t" -ge "$TAYGA_STOP_WAIT" ]; then
			echo "$out" >&2
			echo "tayga: $link is left behind: the daemon (pid ${pid:-unknown})" \
				"$(kill -0 "$pid" 2>/dev/null && echo still runs || echo has exited)" \
				"after $((TAYGA_STOP_WAIT / 10)) s" >&2
			return 0
		fi
		tayga_nap
	done
	echo "$out"
	return 0
}

proto_tayga_init_config() {
	no_device=1
	available=1
	proto_config_add_string "ipv4_addr"
	proto_config_add_string "ipv6_addr"
	proto_config_add_string "prefix"
	proto_config_add_string "dynamic_pool"
	proto_config_add_string "map_ipv4"
	proto_config_add_string "map_ipv6"
	proto_config_add_string "ipaddr"
	proto_config_add_string "ip6addr"
	proto_config_add_boolean "noroutes"
	proto_config_add_array "map"
	proto_config_add_int "mtu"
	proto_config_add_string "log"
	proto_config_add_string "wkpf_strict"
	proto_config_add_string "udp_cksum_mode"
}

[ -n "$INCLUDE_ONLY" ] || {
	add_protocol tayga
}
