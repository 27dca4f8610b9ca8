#!/bin/bash
# basic.sh - the real daemon on a real TUN between an IPv6-only client and an
# IPv4-only server (scripts/lib-netns.sh has the topology):
#   --mktun / --rmtun; pidfile and clean exit on SIGTERM, in foreground (-n)
#   and forking mode; ping both ways (dynamic pool + MASQUERADE, static map);
#   ping to the translator's own addresses; TCP transfers in both directions
#   with sha256-verified content; UDP echo of varied-size datagrams and of
#   bursts of same-size datagrams (merged into USO writes where the kernel
#   takes them); failed writes (interface set down) counted and logged once;
#   exit status 1 when the interface is deleted under it.
# TAYGA_OFFLOAD=on|off and TAYGA_IO_URING=on|off run the same checks with
# `offload on|off` and `io-uring on|off`.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping socat python3 ss sha256sum
t_conf
PIDFILE="$NETNS_WORKDIR/tayga.pid"

# --- --mktun: a persistent device, no daemon left running -------------------
check "--mktun exits 0" nsxlat timeout 10 "$TAYGA_BIN" --mktun -c "$T_CONF"
check "--mktun created $TUN_DEV" tun_exists
check "--mktun left no process in the namespace" \
	eval "[ -z \"\$(ip netns pids $NS_XLAT)\" ]"

# --- foreground daemon with pidfile ------------------------------------------
if ! tayga_start_fg "$T_CONF" -p "$PIDFILE"; then
	t_fail "daemon start"; t_finish
fi
check "pidfile written with the daemon's pid" \
	wait_until 10 eval "[ \"\$(cat $PIDFILE 2>/dev/null | tr -d '[:space:]')\" = $TAYGA_PID ]"
check "daemon is running" kill -0 "$TAYGA_PID"

# --- ping ---------------------------------------------------------------------
# RFC 7915 4.2/5.2: echo request/reply translated both ways
check "ping client(static map) -> server via prefix" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check "ping client(dynamic pool, MASQUERADE) -> server" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check "ping server -> client's static IPv4 ($CLIENT4)" ping_ok "$NS_SERVER" "$CLIENT4"
check "ping translator ipv6-addr from client" ping_ok "$NS_CLIENT" "$TAYGA_V6"
check "ping translator ipv4-addr from server" ping_ok "$NS_SERVER" "$TAYGA_V4"
check "large ping (1400 bytes) client -> server" ping_ok "$NS_CLIENT" "$SERVER6" -s 1400

# rx-busy-poll-usecs (default auto): pings never fill a read, so the loop
# went to sleep after each one without polling
kill -USR1 "$TAYGA_PID"
check "pings alone: no busy poll (SIGUSR1 stats)" \
	wait_until 5 grep -q 'rx busy polls 0 (0 us)' "$NETNS_WORKDIR/tayga.log"

# --- TCP, content verified -----------------------------------------------------
S6="TCP6:[$SERVER6]"
check "TCP ${XFER_MB} MB client -> server (upload)" \
	tcp_xfer push "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "$S6" 5001 ",bind=[$CLIENT6]"
check "TCP ${XFER_MB} MB server -> client (download)" \
	tcp_xfer pull "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "$S6" 5002 ",bind=[$CLIENT6]"
check "TCP ${XFER_MB} MB dynamic client -> server (upload, MASQUERADE)" \
	tcp_xfer push "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "$S6" 5003 ",bind=[$CLIENT6_DYN]"
check "TCP ${XFER_MB} MB server -> dynamic client (download, MASQUERADE)" \
	tcp_xfer pull "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "$S6" 5004 ",bind=[$CLIENT6_DYN]"
check "TCP ${XFER_MB} MB server-initiated -> client via static map" \
	tcp_xfer push "$NS_CLIENT" TCP6-LISTEN "$NS_SERVER" "TCP4:$CLIENT4" 5005
check "TCP ${XFER_MB} MB server-initiated, client sends" \
	tcp_xfer pull "$NS_CLIENT" TCP6-LISTEN "$NS_SERVER" "TCP4:$CLIENT4" 5006
# with TSO, a transfer is dense bulk (64 KiB super-packets back to back):
# with a CPU to spare the loop polls between them instead of sleeping
if grep -q '^offload:.*TSO4' "$NETNS_WORKDIR/tayga.log" && [ "$(nproc)" -gt 1 ]; then
	kill -USR1 "$TAYGA_PID"
	check "TCP bulk: the loop busy-polled between super-packets (SIGUSR1 stats)" \
		wait_until 5 grep -Eq 'rx busy polls [1-9][0-9]* \([1-9][0-9]* us\)' "$NETNS_WORKDIR/tayga.log"
fi

# --- UDP, content verified ------------------------------------------------------
check "UDP echo client -> server (500 datagrams, 0..1200 bytes)" \
	udp_echo "$NS_SERVER" "$SERVER4" "$NS_CLIENT" "$SERVER6" 5007 --count 500 --bind "$CLIENT6"
check "UDP echo dynamic client -> server (MASQUERADE)" \
	udp_echo "$NS_SERVER" "$SERVER4" "$NS_CLIENT" "$SERVER6" 5009 --count 500 --bind "$CLIENT6_DYN"
check "UDP echo server -> client via static map" \
	udp_echo "$NS_CLIENT" "$CLIENT6" "$NS_SERVER" "$CLIENT4" 5008 --count 500

# back-to-back datagrams of one flow: with USO the daemon writes each burst
# as one super-packet, the kernel splits it; every datagram must arrive intact
check "UDP bursts client -> server and back (2000 x 200 bytes, 50 in flight)" \
	udp_burst "$NS_SERVER" "$SERVER4" "$NS_CLIENT" "$SERVER6" 5010 --bind "$CLIENT6"
check "UDP bursts server -> client and back (2000 x 1000 bytes, 50 in flight)" \
	udp_burst "$NS_CLIENT" "$CLIENT6" "$NS_SERVER" "$CLIENT4" 5011 --size 1000
if grep -q '^offload:.*USO4' "$NETNS_WORKDIR/tayga.log"; then
	kill -USR1 "$TAYGA_PID"
	check "USO: bursts were merged into super-packets (SIGUSR1 stats)" \
		wait_until 5 grep -Eq 'udp coalesced [1-9]' "$NETNS_WORKDIR/tayga.log"
fi

# the start-up line says how the tun is read; with io_uring, packets that
# queued up while the daemon was busy come in batches (SIGUSR1 counts both)
case ${TAYGA_IO_URING:-auto} in
on)  check "io-uring on: reads through io_uring" grep -q '^tun reads: io_uring' "$NETNS_WORKDIR/tayga.log" ;;
off) check "io-uring off: one read(2) per packet" grep -q '^tun reads: read(2).*(io-uring off)' "$NETNS_WORKDIR/tayga.log" ;;
*)   check "start-up line says how the tun is read" grep -q '^tun reads: ' "$NETNS_WORKDIR/tayga.log" ;;
esac
kill -USR1 "$TAYGA_PID"
check "SIGUSR1 stats count tun reads and writes" \
	wait_until 5 grep -Eq 'tun reads [1-9][0-9]* \([1-9][0-9]* packets\), tun writes [1-9]' "$NETNS_WORKDIR/tayga.log"
if grep -q '^tun reads: io_uring' "$NETNS_WORKDIR/tayga.log"; then
	check "io_uring: some reads returned several packets" eval '
		l=$(grep -Eo "tun reads [0-9]+ \([0-9]+ packets" "$NETNS_WORKDIR/tayga.log" | tail -n 1)
		set -- $(echo "$l" | tr -dc "0-9 ")
		[ "$2" -gt "$1" ]'
fi

check "daemon still running after traffic" kill -0 "$TAYGA_PID"

# --- clean exit on SIGTERM ------------------------------------------------------
kill -TERM "$TAYGA_PID"
expect_exit "$TAYGA_PID" 0 "SIGTERM"
check_not "pidfile removed after SIGTERM" test -e "$PIDFILE"
check "dynamic.map records the dynamic client" grep -q "$CLIENT6_DYN" "$NETNS_WORKDIR/data/dynamic.map"
check "persistent $TUN_DEV survives the daemon" tun_exists

# --- --rmtun ----------------------------------------------------------------------
check "--rmtun exits 0" nsxlat timeout 10 "$TAYGA_BIN" --rmtun -c "$T_CONF"
check_not "--rmtun removed $TUN_DEV" tun_exists

# --- forking mode (what OPNsense does: tayga -p PIDFILE, then SIGTERM/SIGINT) ----
rm -f "$PIDFILE"
# (output to the log, not captured: a daemon holding an inherited pipe open
# would block the capture)
( nsexec "$NS_XLAT" timeout 20 ${TAYGA_WRAPPER:-} "$TAYGA_BIN" -c "$T_CONF" -p "$PIDFILE" ) \
	>>"$NETNS_WORKDIR/tayga.log" 2>&1 </dev/null
rc=$?
if [ $rc = 0 ]; then t_pass "forking start returns 0"; else t_fail "forking start returned $rc"; fi
if wait_until 10 test -s "$PIDFILE"; then
	DPID=$(tr -d '[:space:]' < "$PIDFILE")
	netns_track_pid "$DPID"
	t_pass "forked daemon wrote pidfile ($DPID)"
	check "forked daemon is alive" kill -0 "$DPID"
	check "forked daemon created $TUN_DEV" wait_until 10 tun_exists
	tun_routes
	check "ping through the forked daemon" ping_ok "$NS_CLIENT" "$SERVER6"
	kill -INT "$DPID"
	check "forked daemon exits on SIGINT" wait_until 10 eval "! kill -0 $DPID 2>/dev/null"
	check_not "pidfile removed after SIGINT" test -e "$PIDFILE"
	check "non-persistent $TUN_DEV removed at exit" wait_until 5 eval "! tun_exists"
else
	t_fail "forked daemon wrote no pidfile"
fi

# --- writes that fail: the interface set down with packets queued -------------
# the daemon is stopped while pings queue on the tun, the link goes down, and
# on SIGCONT every translated packet's write fails (EIO): each is counted as
# a drop and the log says why, once (more at most once a minute)
if tayga_start_fg "$T_CONF"; then
	check "ping before the interface goes down" ping_ok "$NS_CLIENT" "$SERVER6"
	kill -STOP "$TAYGA_PID"
	nsclient ping -c 3 -i 0.2 -W 1 "$SERVER6" >/dev/null 2>&1
	nsxlat ip link set "$TUN_DEV" down
	kill -CONT "$TAYGA_PID"
	check "failed writes: the log says why" \
		wait_until 5 grep -q "$TUN_DEV: write failed: Input/output error (1 packets lost" "$NETNS_WORKDIR/tayga.log"
	kill -USR1 "$TAYGA_PID"
	check "failed writes: all 3 counted as drops (SIGUSR1 stats)" \
		wait_until 5 grep -q 'stats: dropped write: 3$' "$NETNS_WORKDIR/tayga.log"
	check "failed writes: logged once, not per packet" \
		test "$(grep -c 'write failed' "$NETNS_WORKDIR/tayga.log")" = 1
	kill -TERM "$TAYGA_PID"
	expect_exit "$TAYGA_PID" 0 "SIGTERM after failed writes"
	check "non-persistent $TUN_DEV removed at exit (a restart must not find it)" wait_until 5 eval "! tun_exists"
else
	t_fail "daemon start (failed write test)"
fi

# --- the interface deleted under the daemon (ip link del, a network manager) ---
# nothing can be read or written any more: exit 1 (so systemd's
# Restart=on-failure brings it back) instead of spinning on the dead fd
if tayga_start_fg "$T_CONF"; then
	check "ping before the interface is deleted" ping_ok "$NS_CLIENT" "$SERVER6"
	nsxlat ip link del "$TUN_DEV"
	expect_exit "$TAYGA_PID" 1 "tun deleted"
	check "tun deleted: the log says why" \
		grep -q "$TUN_DEV: the tun device was removed or failed; exiting" "$NETNS_WORKDIR/tayga.log"
else
	t_fail "daemon start (tun deletion test)"
fi

t_finish
