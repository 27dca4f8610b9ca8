#!/bin/bash
# compat.sh - the daemon as existing deployments drive it (DESIGN.md,
# "Compatibility surface"):
#   - clatd 2.x (issues 11, 27): its config file, its command lines
#     (--mktun "", --nodetach "", --rmtun) and its routing; an IPv4-only app
#     reaches an IPv4-only server through our daemon as CLAT and our daemon as
#     NAT64 (ping, TCP both ways with sha256): the default shared address
#     (policy routing on ctmark) with the well-known prefix, a derived
#     address (proxy ND) with a network-specific one
#   - OPNsense: WKP 64:ff9b::/96 with `wkpf-strict no`, `udp-cksum-mode fwd`,
#     `tayga -p PIDFILE` forking, interface configured afterwards, SIGINT stop
#   - RFC 6052 3.1: with the WKP and the default `wkpf-strict yes` a
#     non-global IPv4 destination is not translated
#   - tun-up / tun-ip / tun-route: the daemon configures its own interface
#   - startup errors: a bad config stops the daemon with file:line
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping python3 ss nft
LOG="$NETNS_WORKDIR/tayga.log"

# scripts compare versions: --version names the release configure.ac sets
VERSION=$(sed -n 's/^AC_INIT(\[tayga\], *\[\([^]]*\)\].*/\1/p' "$SRCDIR/configure.ac")
check "--version prints tayga $VERSION" \
	eval "[ \"\$(\"\$TAYGA_BIN\" --version)\" = \"tayga $VERSION\" ] && [ -n \"$VERSION\" ]"

stop_wait() {  # PID SIGNAL
	kill "-$2" "$1" 2>/dev/null
	wait_until 10 eval "! kill -0 $1 2>/dev/null"
}
start_bg() {   # args... ; sets PID
	( nsexec "$NS_XLAT" ${TAYGA_WRAPPER:-} "$TAYGA_BIN" "$@" ) >>"$LOG" 2>&1 </dev/null &
	PID=$!
	netns_track_pid "$PID"
	wait_until 10 tun_exists
}
unreachable() { ! nsx "$1" ping -n -q -c 2 -i 0.2 -w 2 "$2" >/dev/null 2>&1; }

# --- clatd (464XLAT CLAT), exactly as it runs ------------------------------------
# IPv4-only app (ns client) -> our daemon as CLAT (tun "clat", ns client) ->
# the IPv6-only link -> our daemon as NAT64 (ns xlat, dynamic pool +
# MASQUERADE) -> the IPv4-only server. The CLAT's config is the file clatd
# writes (tests/data/clatd.conf: tun-device, prefix, ipv4-addr 192.0.0.2, a
# map for the CLAT's IPv6 address, no ipv6-addr); clatd runs `tayga --config
# F --mktun ""`, sets up the device and the routing below, runs `tayga
# --config F --nodetach ""`, stops it with SIGTERM and runs `tayga --config F
# --rmtun`. Replies to 192.0.0.1 match the CLAT's map line and must leave as
# IPv4, not be hairpinned (RFC 7757 4.2 applies only to prefix-translated
# destinations). Both of clatd 2.x's address modes, with its command lines:
#   shared (the default): the CLAT uses the host's own IPv6 address; a route
#   to it in table 0xc1a7 (49575) into the CLAT, an `ip -6 rule` (priority 0,
#   from the prefix to that address, fwmark 0xc1a7) in front of the local
#   table (moved to priority 1), and an nftables table that marks connections
#   leaving the CLAT with ctmark 0xc1a7 and copies it to the replies' fwmark;
#   no proxy ND
#   derived (clat-v6-addr=derived): an address of its own (::c1a7 in the
#   host's /64), the same route and rule without fwmark, proxy ND for it on
#   the uplink, no nftables
CLAT_TABLE=49575         # 0xc1a7, as clatd passes it to ip (decimal)
GLOBAL4=192.88.99.2      # global, so the WKP may carry it (192.0.2.2 is not)
nsserver ip addr add "$GLOBAL4/32" dev s0
nsxlat ip route add "$GLOBAL4/32" via "$SERVER4"
nsclient sysctl -qw net.ipv6.conf.all.forwarding=1   # clatd's forwarding-enable
clat_tun() { nsclient ip link show clat >/dev/null 2>&1; }
stdout_only() {  # RC OUT WANT : exit 0, WANT on stdout, nothing on stderr
	[ "$1" = 0 ] && [ "$2" = "$3" ] && [ ! -s "$NETNS_WORKDIR/err" ]
}
# clatd_route MODE PREFIX CLAT6 : what clatd sets up once the device exists
clatd_route() {
	local mode=$1 pfx=$2 c6=$3 mark=()
	[ "$mode" = shared ] && mark=(fwmark "$CLAT_TABLE")
	if [ "$mode" = derived ]; then
		nsclient sysctl -qw net.ipv6.conf.c0.proxy_ndp=1 &&
		nsclient ip -6 neighbour add proxy "$c6" dev c0 || return 1
	fi
	nsclient ip -6 rule add prio 1 table local &&
	nsclient ip -6 rule del prio 0 table local &&
	nsclient ip link set up dev clat &&
	nsclient ip -4 address add 192.0.0.1 dev clat &&
	nsclient ip -6 route add "$c6" dev clat table "$CLAT_TABLE" &&
	nsclient ip -6 rule add prio 0 from "$pfx" to "$c6" "${mark[@]}" table "$CLAT_TABLE" || return 1
	if [ "$mode" = shared ]; then
		nsclient nft -f - <<-EOF || return 1
		add table ip6 clatd
		add chain ip6 clatd prerouting { type filter hook prerouting priority 0; }
		add rule ip6 clatd prerouting iif clat ip6 saddr $c6 ip6 daddr $pfx ct mark set $CLAT_TABLE meta mark set $CLAT_TABLE counter
		add rule ip6 clatd prerouting iif c0 ip6 saddr $pfx ip6 daddr $c6 ct mark $CLAT_TABLE meta mark set ct mark counter
		EOF
	fi
	# its v4-defaultroute-*: IPv4 packets fit the IPv6 minimum MTU after translation
	nsclient ip -4 route add default dev clat metric 2048 mtu 1260 advmss 1220
}
# clatd_unroute MODE CLAT6 : clatd's clean-up after --rmtun
clatd_unroute() {
	if [ "$1" = derived ]; then
		nsclient ip -6 neighbour delete proxy "$2" dev c0
		nsclient sysctl -qw net.ipv6.conf.c0.proxy_ndp=0
	fi
	[ "$1" = shared ] && nsclient nft delete table ip6 clatd
	nsclient ip -6 rule add prio 0 table local
	nsclient ip -6 rule del prio 1 table local
	nsclient ip -6 rule del prio 0 table "$CLAT_TABLE"
}

xlat464() {  # LABEL MODE PREFIX SERVER_IPV4
	local label=$1 mode=$2 pfx=$3 srv=$4 out rc ppid cpid c6
	local cconf="$NETNS_WORKDIR/clat.conf" pconf="$NETNS_WORKDIR/plat.conf"
	if [ "$mode" = shared ]; then
		# the source the host itself uses towards the prefix
		c6=$(nsclient ip -6 route get "${pfx%/*}1" | sed -n 's/.* src \([^ ]*\).*/\1/p')
	else
		c6=2001:db8:1::c1a7
	fi
	sed -e "s|^prefix .*|prefix $pfx|" -e "s|^map 192.0.0.1 .*|map 192.0.0.1 $c6|" \
		"$SRCDIR/tests/data/clatd.conf" > "$cconf"
	cat > "$pconf" <<-EOC
	tun-device $TUN_DEV
	ipv4-addr $TAYGA_V4
	ipv6-addr $TAYGA_V6
	prefix $pfx
	dynamic-pool $POOL4
	data-dir $NETNS_WORKDIR/plat
	EOC
	if ! start_bg -n -c "$pconf"; then t_fail "$label: the NAT64 daemon did not start"; return; fi
	ppid=$PID
	nsxlat ip link set "$TUN_DEV" up
	nsxlat ip -6 route replace "$pfx" dev "$TUN_DEV"
	nsxlat ip -6 route replace "$TAYGA_V6/128" dev "$TUN_DEV"
	nsxlat ip -4 route replace "$POOL4" dev "$TUN_DEV"

	out=$(nsclient timeout 10 "$TAYGA_BIN" --config "$cconf" --mktun "" 2>"$NETNS_WORKDIR/err"); rc=$?
	check "$label: --mktun \"\": exit 0, the message on stdout only" \
		stdout_only "$rc" "$out" "Created persistent tun device clat"
	check "$label: clatd's routing, rule$([ "$mode" = shared ] && echo ", nftables") set up" \
		clatd_route "$mode" "$pfx" "$c6"
	( nsexec "$NS_CLIENT" ${TAYGA_WRAPPER:-} "$TAYGA_BIN" --config "$cconf" --nodetach "" ) \
		>>"$NETNS_WORKDIR/clat.log" 2>&1 </dev/null &
	cpid=$!
	netns_track_pid "$cpid"
	check "$label: the CLAT runs on the persistent device" \
		wait_until 10 grep -q "started on clat" "$NETNS_WORKDIR/clat.log"
	check "$label: IPv4-only app pings $srv" ping_ok "$NS_CLIENT" "$srv"
	check "$label: IPv4-only app, TCP ${XFER_MB} MB upload (sha256)" \
		tcp_xfer push "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "TCP4:$srv" 5401
	check "$label: IPv4-only app, TCP ${XFER_MB} MB download (sha256)" \
		tcp_xfer pull "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "TCP4:$srv" 5402
	check "$label: the NAT64 gave the CLAT address $c6 a pool mapping" \
		wait_until 5 grep -qs "$c6" "$NETNS_WORKDIR/plat/dynamic.map"
	if [ "$mode" = shared ]; then
		# the host's own IPv6 traffic to the prefix carries no ctmark: its
		# replies stay with the host instead of going into the CLAT
		check "$label: the CLAT's traffic took clatd's ctmark path both ways" eval \
			'[ "$(nsclient nft list table ip6 clatd | grep -c "counter packets [1-9]")" = 2 ]'
		check "$label: the host itself still reaches ${pfx%/*}$srv over IPv6" \
			ping_ok "$NS_CLIENT" "${pfx%/*}$srv" -I "$c6"
	fi
	check "$label: the CLAT stops on SIGTERM" stop_wait "$cpid" TERM
	check "$label: the device outlives the CLAT (persistent)" clat_tun
	out=$(nsclient timeout 10 "$TAYGA_BIN" --config "$cconf" --rmtun 2>"$NETNS_WORKDIR/err"); rc=$?
	check "$label: --rmtun: exit 0, the message on stdout only" \
		stdout_only "$rc" "$out" "Removed persistent tun device clat"
	check_not "$label: --rmtun removed clat" clat_tun
	clatd_unroute "$mode" "$c6"
	stop_wait "$ppid" TERM
	wait_until 5 eval "! tun_exists"
	rm -rf "$NETNS_WORKDIR/plat"
}
xlat464 "clatd shared (default), well-known prefix" shared 64:ff9b::/96 "$GLOBAL4"
xlat464 "clatd derived, network-specific prefix" derived "$PREFIX6" "$SERVER4"

# TAYGA ignores surplus arguments; a non-empty one gets a warning
out=$(timeout 10 "$TAYGA_BIN" --config "$SRCDIR/tests/data/clatd.conf" --check-config stray 2>&1); rc=$?
check "a non-empty stray argument is ignored with a warning" \
	eval "[ $rc = 0 ] && printf '%s\n' \"\$out\" | grep -q \"ignoring extra argument 'stray'\""

# --- OPNsense style ------------------------------------------------------------------
WKP_SERVER6=64:ff9b::c000:202
mkdir -p "$NETNS_WORKDIR/db"
write_opn() {  # wkpf-strict value
	cat > "$CONF" <<-EOF
	tun-device $TUN_DEV
	ipv4-addr $TAYGA_V4
	ipv6-addr $TAYGA_V6
	prefix 64:ff9b::/96
	dynamic-pool $POOL4
	data-dir $NETNS_WORKDIR/db
	udp-cksum-mode fwd
	wkpf-strict $1
	map $CLIENT4 $CLIENT6
	EOF
}
CONF="$NETNS_WORKDIR/opnsense.conf"
PIDF="$NETNS_WORKDIR/opn.pid"
write_opn no
( nsexec "$NS_XLAT" timeout 20 ${TAYGA_WRAPPER:-} "$TAYGA_BIN" -c "$CONF" -p "$PIDF" ) >>"$LOG" 2>&1 </dev/null
check "OPNsense style: forking start exits 0" test $? = 0
if wait_until 10 test -s "$PIDF"; then
	PID=$(tr -d '[:space:]' < "$PIDF"); netns_track_pid "$PID"
	sleep 1   # OPNsense configures the interface after 1 s
	nsxlat ip link set "$TUN_DEV" up
	nsxlat ip -6 route replace 64:ff9b::/96 dev "$TUN_DEV"
	nsxlat ip -6 route replace "$TAYGA_V6/128" dev "$TUN_DEV"
	nsxlat ip -4 route replace "$POOL4" dev "$TUN_DEV"
	nsxlat ip -4 route replace "$STATIC4_NET" dev "$TUN_DEV"
	check "OPNsense style: WKP + wkpf-strict no reaches 192.0.2.2" \
		ping_ok "$NS_CLIENT" "$WKP_SERVER6" -I "$CLIENT6_DYN"
	check "OPNsense style: UDP through the WKP" \
		udp_echo "$NS_SERVER" "$SERVER4" "$NS_CLIENT" "$WKP_SERVER6" 5301 --count 200 --bind "$CLIENT6"
	check "OPNsense style: stops on SIGINT" stop_wait "$PID" INT
	check_not "OPNsense style: pidfile removed" test -e "$PIDF"
else
	t_fail "OPNsense style: no pidfile"
fi
wait_until 5 eval "! tun_exists"

# RFC 6052 3.1: the WKP must not carry non-global IPv4 unless told so
write_opn yes
if start_bg -n -c "$CONF"; then
	nsxlat ip link set "$TUN_DEV" up
	nsxlat ip -6 route replace 64:ff9b::/96 dev "$TUN_DEV"
	nsxlat ip -4 route replace "$STATIC4_NET" dev "$TUN_DEV"
	check "wkpf-strict yes: 64:ff9b::192.0.2.2 (non-global) not translated" \
		unreachable "$NS_CLIENT" "$WKP_SERVER6"
	check "wkpf-strict yes: daemon still running" kill -0 "$PID"
	stop_wait "$PID" TERM
else
	t_fail "wkpf-strict yes config: daemon did not start"
fi
wait_until 5 eval "! tun_exists"

# --- the daemon configures its own interface -------------------------------------------
CONF="$NETNS_WORKDIR/tunconf.conf"
tayga_write_conf "$CONF" "tun-up yes" "tun-ip 192.168.253.1/32" \
	"tun-route $PREFIX6" "tun-route $TAYGA_V6/128" "tun-route $POOL4" "tun-route $STATIC4_NET"
if start_bg -n -c "$CONF"; then
	check "tun-up: device is up" wait_until 5 eval "nsxlat ip link show $TUN_DEV | grep -q '[<,]UP[,>]'"
	check "tun-ip: address assigned" eval "nsxlat ip -4 addr show dev $TUN_DEV | grep -q 'inet 192.168.253.1/32'"
	check "tun-route: IPv6 prefix route" eval "nsxlat ip -6 route show dev $TUN_DEV | grep -q '^${PREFIX6}'"
	check "tun-route: IPv4 pool route" eval "nsxlat ip -4 route show dev $TUN_DEV | grep -q '^${POOL4}'"
	check "tun-route: traffic flows with no manual setup" ping_ok "$NS_CLIENT" "$SERVER6"
	stop_wait "$PID" TERM
else
	t_fail "tun-ip/tun-route config: daemon did not start"
fi
wait_until 5 eval "! tun_exists"

# --- startup errors -----------------------------------------------------------------------
CONF="$NETNS_WORKDIR/bad.conf"
tayga_write_conf "$CONF" "prefix-typo 1"
BADLINE=$(wc -l < "$CONF")
out=$(nsxlat timeout 10 "$TAYGA_BIN" -n -c "$CONF" 2>&1 </dev/null); rc=$?
check "bad config: non-zero exit" test "$rc" != 0 -a "$rc" != 124
check "bad config: message names $(basename "$CONF"):$BADLINE" \
	eval "printf '%s\n' \"\$out\" | grep -q '$(basename "$CONF"):$BADLINE'"
check_not "bad config: no tun left behind" tun_exists
tayga_write_conf "$CONF"
sed -i '/^ipv4-addr/d' "$CONF"
out=$(nsxlat timeout 10 "$TAYGA_BIN" -n -c "$CONF" 2>&1 </dev/null); rc=$?
check "missing ipv4-addr: non-zero exit with a message" test "$rc" != 0 -a "$rc" != 124 -a -n "$out"

t_finish
