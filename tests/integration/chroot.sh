#!/bin/bash
# chroot.sh - issue 4: `-u USER -g GROUP -r` (privilege drop and chroot into
# data-dir after the tun is open) with a dynamic pool and a map-file:
#   - the daemon runs as USER, jailed in data-dir, and still translates
#   - dynamic.map is written inside the jail (data-dir is handed to USER)
#     and loaded again on restart: the mapping is kept
#   - SIGHUP inside the jail re-reads the configuration at the same path
#     relative to data-dir (the jail), including its map-file
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
# LeakSanitizer reads /proc/PID/task at exit, which does not exist inside
# the jail; leaks are checked by the other tests and by valgrind here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

t_init ping
USER_=nobody
GROUP_=$(id -gn nobody 2>/dev/null || echo nogroup)
DATA_DIR="$NETNS_WORKDIR/jail"
DMAP="$DATA_DIR/dynamic.map"
MAPFILE="$NETNS_WORKDIR/maps.conf"
nsclient ip addr add 2001:db8:1::20/64 dev c0 nodad
echo "map 192.168.254.20 2001:db8:1::20" > "$MAPFILE"
t_conf "map-file $MAPFILE"
mkdir -p "$DATA_DIR"
# what the jailed daemon sees on SIGHUP: the same paths below data-dir
jail_copy() {
	mkdir -p "$DATA_DIR$NETNS_WORKDIR"
	cp "$T_CONF" "$MAPFILE" "$DATA_DIR$NETNS_WORKDIR/"
	chmod 0755 "$DATA_DIR$NETNS_WORKDIR"
}
jail_copy

# the daemon process in the translator namespace (under valgrind the
# process that runs tayga's code is valgrind's tool, memcheck-*)
daemon_pid() { ip netns pids "$NS_XLAT" | while read -r p; do
	case "$(cat "/proc/$p/comm" 2>/dev/null)" in
	tayga|memcheck-*) echo "$p" ;;
	esac; done | head -n 1; }

tayga_start_fg "$T_CONF" -u "$USER_" -g "$GROUP_" -r || { t_fail "daemon start"; t_finish; }
wait_until 5 test -n "$(daemon_pid)"
P=$(daemon_pid)
check "runs as $USER_" test "$(awk '/^Uid:/ { print $2 }' "/proc/$P/status" 2>/dev/null)" = "$(id -u "$USER_")"
check "jailed in data-dir" test "$(readlink "/proc/$P/root")" = "$(readlink -f "$DATA_DIR")"
check "static map translated" ping_ok "$NS_SERVER" 192.168.254.20
check "dynamic client translated" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check "dynamic.map written inside the jail" wait_until 5 test -s "$DMAP"
A=$(v4_of "$CLIENT6_DYN")
check "dynamic.map holds the client ($A)" test -n "$A"

# SIGHUP: move the map-file entry in the jail's copy
echo "map 192.168.254.21 2001:db8:1::20" > "$MAPFILE"
jail_copy
kill -HUP "$TAYGA_PID"; sleep 1
check "reload inside the jail: new map-file entry works" ping_ok "$NS_SERVER" 192.168.254.21
check_not "reload inside the jail: old entry gone" ping_ok "$NS_SERVER" 192.168.254.20
check "reload logged as done" grep -q 'reloaded ' "$NETNS_WORKDIR/tayga.log"
check "no reload error logged" eval "! grep -qi 'reload.*\\(error\\|fail\\|cannot\\)' '$NETNS_WORKDIR/tayga.log'"

stop_daemon; RC=$?
check "clean exit as $USER_ in the jail (status $RC)" test "$RC" = 0

# restart: the file written by the jailed daemon is loaded, mapping kept
tayga_start_fg "$T_CONF" -u "$USER_" -g "$GROUP_" -r || { t_fail "daemon restart"; t_finish; }
check "restart loads dynamic.map" wait_until 5 grep -q 'loaded [1-9][0-9]* dynamic mappings' "$NETNS_WORKDIR/tayga.log"
check "dynamic client translated after restart" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
stop_daemon
check "dynamic client kept $A" test -n "$A" -a "$(v4_of "$CLIENT6_DYN")" = "$A"
t_finish
