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
#       list map '192.168.254.2 2001:db8:1::2'
#       option mtu '1500'
#       option log 'drop reject'
#
# The options of OpenWrt's TAYGA package (ipv4_addr, ipv6_addr, prefix,
# dynamic_pool, ipaddr, ip6addr) mean what they meant there; map, mtu, log,
# wkpf_strict and udp_cksum_mode are additions. As before: the tun device
# is tayga-<interface>, created with `tayga --mktun`, given the addresses
# and the routes to the prefix, the pool and the mapped IPv4 addresses by
# netifd, and the daemon runs under procd with `-n -p`.

[ -n "$INCLUDE_ONLY" ] || {
	. /lib/functions.sh
	. ../netifd-proto.sh
	init_proto "$@"
}

# where the generated configuration and the dynamic.map live (overridable
# for tests; on OpenWrt /var is a tmpfs)
TAYGA_CONF_DIR=${TAYGA_CONF_DIR:-/var/etc}
TAYGA_RUN_DIR=${TAYGA_RUN_DIR:-/var/run}

# tayga_conf CFG LINK : write the daemon's configuration, print its path
tayga_conf() {
	local cfg=$1 link=$2 conf="$TAYGA_CONF_DIR/tayga-$1.conf" m
	mkdir -p "$TAYGA_CONF_DIR" "$TAYGA_RUN_DIR/tayga/$cfg"
	{
		echo "tun-device $link"
		echo "ipv4-addr $ipv4_addr"
		[ -n "$ipv6_addr" ] && echo "ipv6-addr $ipv6_addr"
		echo "prefix $prefix"
		[ -n "$dynamic_pool" ] && echo "dynamic-pool $dynamic_pool"
		for m in $map; do echo "map ${m%%,*} ${m#*,}"; done
		[ -n "$log" ] && echo "log $log"
		[ -n "$wkpf_strict" ] && echo "wkpf-strict $wkpf_strict"
		[ -n "$udp_cksum_mode" ] && echo "udp-cksum-mode $udp_cksum_mode"
		echo "data-dir $TAYGA_RUN_DIR/tayga/$cfg"
	} >"$conf"
	echo "$conf"
}

# tayga_add_route4 NET : NET (a.b.c.d[/len]) routed into the tun
tayga_add_route4() {
	case $1 in */*) proto_add_ipv4_route "${1%/*}" "${1#*/}" ;; *) proto_add_ipv4_route "$1" 32 ;; esac
}

proto_tayga_setup() {
	local cfg=$1 link="tayga-$1" conf m v4
	local ipv4_addr ipv6_addr prefix dynamic_pool ipaddr ip6addr mtu log wkpf_strict udp_cksum_mode map
	json_get_vars ipv4_addr ipv6_addr prefix dynamic_pool ipaddr ip6addr mtu log wkpf_strict udp_cksum_mode
	# list map: "IPV4 IPV6" per entry, kept as IPV4,IPV6 words here
	map=""
	json_for_each_item tayga_map_item map

	if [ -z "$ipv4_addr" ] || [ -z "$prefix" ]; then
		proto_notify_error "$cfg" "REQUIRED_PARAMETERS_MISSING"
		proto_block_restart "$cfg"
		return
	fi
	conf=$(tayga_conf "$cfg" "$link")
	# a configuration error stops here, with file:line in the log
	if ! tayga --check-config -c "$conf" || ! tayga --mktun -c "$conf"; then
		proto_notify_error "$cfg" "TAYGA_FAILED"
		proto_block_restart "$cfg"
		return
	fi
	# through sysfs: no dependency on a full ip(8)
	if [ -n "$mtu" ] && ! echo "$mtu" >"/sys/class/net/$link/mtu"; then
		proto_notify_error "$cfg" "INVALID_MTU"
		proto_block_restart "$cfg"
		tayga --rmtun -c "$conf" >/dev/null 2>&1
		return
	fi

	proto_init_update "$link" 1
	[ -n "$ipaddr" ] && proto_add_ipv4_address "$ipaddr" 32
	[ -n "$ip6addr" ] && proto_add_ipv6_address "$ip6addr" 128
	[ -n "$dynamic_pool" ] && tayga_add_route4 "$dynamic_pool"
	for m in $map; do
		v4=${m%%,*}
		tayga_add_route4 "$v4"
	done
	proto_add_ipv6_route "${prefix%/*}" "${prefix#*/}"
	case $ipv6_addr in
	"") ;;
	*) proto_add_ipv6_route "$ipv6_addr" 128 ;;
	esac
	proto_send_update "$cfg"

	proto_run_command "$cfg" tayga -n -c "$conf" -p "$TAYGA_RUN_DIR/$link.pid"
}

# json_for_each_item callback: one `list map` entry
tayga_map_item() {
	set -- $1
	[ $# = 2 ] && map="$map $1,$2"
}

proto_tayga_teardown() {
	local cfg=$1
	proto_kill_command "$cfg"
	tayga --rmtun -c "$TAYGA_CONF_DIR/tayga-$cfg.conf" >/dev/null 2>&1
	return 0
}

proto_tayga_init_config() {
	no_device=1
	available=1
	proto_config_add_string "ipv4_addr"
	proto_config_add_string "ipv6_addr"
	proto_config_add_string "prefix"
	proto_config_add_string "dynamic_pool"
	proto_config_add_string "ipaddr"
	proto_config_add_string "ip6addr"
	proto_config_add_array "map"
	proto_config_add_int "mtu"
	proto_config_add_string "log"
	proto_config_add_string "wkpf_strict"
	proto_config_add_string "udp_cksum_mode"
}

[ -n "$INCLUDE_ONLY" ] || {
	add_protocol tayga
}
