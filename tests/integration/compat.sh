#!/bin/bash
# compat.sh - the daemon as existing deployments drive it (DESIGN.md,
# "Compatibility surface"):
#   - clatd: no ipv6-addr (derived from prefix + ipv4-addr), `--config FILE
#     --nodetach`
#   - OPNsense: WKP 64:ff9b::/96 with `wkpf-strict no`, `udp-cksum-mode fwd`,
#     `tayga -p PIDFILE` forking, interface configured afterwards, SIGINT stop
#   - RFC 6052 3.1: with the WKP and the default `wkpf-strict yes` a
#     non-global IPv4 destination is not translated
#   - tun-up / tun-ip / tun-route: the daemon configures its own interface
#   - startup errors: a bad config stops the daemon with file:line
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping python3 ss
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

# --- clatd style ------------------------------------------------------------------
CONF="$NETNS_WORKDIR/clatd.conf"
cat > "$CONF" <<EOF
tun-device $TUN_DEV
ipv4-addr $TAYGA_V4
prefix $PREFIX6
map $CLIENT4 $CLIENT6
EOF
# clatd passes a trailing "" (or -d): TAYGA ignores surplus arguments, and
# prints the --mktun/--rmtun message on stdout (init scripts pipe it to logger)
out=$(nsxlat timeout 10 "$TAYGA_BIN" --config "$CONF" --mktun "" 2>"$NETNS_WORKDIR/err"); rc=$?
check "--mktun \"\": exit 0" test "$rc" = 0
check "--mktun \"\": message on stdout, nothing on stderr" \
	eval "[ \"\$out\" = 'Created persistent tun device $TUN_DEV' ] && [ ! -s $NETNS_WORKDIR/err ]"
out=$(nsxlat timeout 10 "$TAYGA_BIN" --config "$CONF" --rmtun "" 2>"$NETNS_WORKDIR/err"); rc=$?
check "--rmtun \"\": exit 0, message on stdout, nothing on stderr" \
	eval "[ $rc = 0 ] && [ \"\$out\" = 'Removed persistent tun device $TUN_DEV' ] && [ ! -s $NETNS_WORKDIR/err ]"
check_not "--rmtun \"\": device removed" tun_exists
out=$(timeout 10 "$TAYGA_BIN" --config "$CONF" --check-config stray 2>&1); rc=$?
check "a non-empty stray argument is ignored with a warning" \
	eval "[ $rc = 0 ] && printf '%s\n' \"\$out\" | grep -q \"ignoring extra argument 'stray'\""
if start_bg --config "$CONF" --nodetach ""; then
	tun_routes
	check "clatd style: client -> server" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
	check "clatd style: server -> client" ping_ok "$NS_SERVER" "$CLIENT4"
	check "clatd style: derived ipv6-addr (prefix + ipv4-addr) answers ping" \
		ping_ok "$NS_CLIENT" "$TAYGA_V4_VIA6"
	check "clatd style: stops on SIGTERM" stop_wait "$PID" TERM
else
	t_fail "clatd style: daemon did not create $TUN_DEV"
fi

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
