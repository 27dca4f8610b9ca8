#!/bin/bash
# chroot.sh - `-u USER -g GROUP -r` (issues 4 and 14): privilege separation.
#   - two processes: a root parent outside the jail, the translator as USER
#     jailed in data-dir; both with NoNewPrivs, the translator with an empty
#     capability bounding set; fds inherited from the caller (10, 251) closed
#   - dynamic.map is written inside the jail and loaded again on restart
#   - SIGHUP: the parent re-reads the configuration and map-file from their
#     real paths and hands them over; interface settings change without
#     "Operation not permitted"
#   - the attack of issue 14.1 fails: USER plants a configuration where the
#     jailed daemon used to read it (data-dir + config path) and it is never
#     loaded; configuration inside data-dir or in a directory USER can write
#     is refused at start
#   - the pidfile is removed at exit (-u with and without -r)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
# LeakSanitizer reads /proc/PID/task at exit, which does not exist inside
# the jail; leaks are checked by the other tests and by valgrind here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

t_init ping
USER_=nobody
GROUP_=$(id -gn nobody 2>/dev/null || echo nogroup)
UID_=$(id -u "$USER_")
DATA_DIR="$NETNS_WORKDIR/jail"
DMAP="$DATA_DIR/dynamic.map"
MAPFILE="$NETNS_WORKDIR/maps.conf"
PIDF="$NETNS_WORKDIR/tayga.pid"
LOG="$NETNS_WORKDIR/tayga.log"
nsclient ip addr add 2001:db8:1::20/64 dev c0 nodad
echo "map 192.168.254.20 2001:db8:1::20" > "$MAPFILE"
t_conf "map-file $MAPFILE" "tun-route 198.18.7.0/24"
mkdir -p "$DATA_DIR"
chmod 0755 "$NETNS_WORKDIR"   # USER may look, not write

# the daemon's processes in the translator namespace (under valgrind the
# process that runs tayga's code is valgrind's tool, memcheck-*)
daemon_pids() { ip netns pids "$NS_XLAT" | while read -r p; do
	case "$(cat "/proc/$p/comm" 2>/dev/null)" in
	tayga|memcheck-*) echo "$p" ;;
	esac; done; }
pid_of_uid() { for p in $(daemon_pids); do
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = "$1" ] && echo "$p"
	done | head -n 1; }
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
as_user() { setpriv --reuid "$UID_" --regid "$(id -g "$USER_")" --clear-groups -- "$@"; }

tayga_start_fg "$T_CONF" -u "$USER_" -g "$GROUP_" -r -p "$PIDF" 10</dev/null 251</dev/null ||
	{ t_fail "daemon start"; t_finish; }
wait_until 5 test -n "$(pid_of_uid "$UID_")"
P=$(pid_of_uid "$UID_")
R=$(pid_of_uid 0)
check "translator runs as $USER_" test -n "$P"
check "privileged parent runs as root" test -n "$R"
check "translator jailed in data-dir" test "$(readlink "/proc/$P/root")" = "$(readlink -f "$DATA_DIR")"
check "parent is not jailed" test "$(readlink "/proc/$R/root")" = /
check "translator: NoNewPrivs 1" test "$(status_of "$P" NoNewPrivs)" = 1
check "translator: empty capability bounding set" test "$(status_of "$P" CapBnd)" = 0000000000000000
check "translator: no effective capabilities" test "$(status_of "$P" CapEff)" = 0000000000000000
check "parent: NoNewPrivs 1" test "$(status_of "$R" NoNewPrivs)" = 1
# CAP_NET_ADMIN 12, DAC_OVERRIDE 1, DAC_READ_SEARCH 2, KILL 5
check "parent: bounding set only NET_ADMIN, DAC_*, KILL" test "$(status_of "$R" CapBnd)" = 0000000000001026
for fd in 10 251; do
	check_not "translator: inherited fd $fd closed" test -e "/proc/$P/fd/$fd"
	check_not "parent: inherited fd $fd closed" test -e "/proc/$R/fd/$fd"
done
check "pidfile holds the parent" test "$(cat "$PIDF")" = "$R"
check "static map translated" ping_ok "$NS_SERVER" 192.168.254.20
check "dynamic client translated" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check "dynamic.map written inside the jail" wait_until 5 test -s "$DMAP"
# the tun (and its io_uring) was opened by the parent before the split
check_not "the translator reads the tun without falling back" grep -q 'read failed' "$LOG"
A=$(v4_of "$CLIENT6_DYN")
check "dynamic.map holds the client ($A)" test -n "$A"

# the attack (issue 14.1): USER plants a configuration at the path the
# jailed daemon would read on SIGHUP (data-dir + the config's path) that
# maps 192.168.254.30 to the client; it must never be loaded
check "$USER_ can plant files in data-dir" as_user mkdir -p "$DATA_DIR$NETNS_WORKDIR"
{ cat "$T_CONF"; echo "map 192.168.254.30 2001:db8:1::30"; } | as_user tee "$DATA_DIR$T_CONF" >/dev/null
echo "map 192.168.254.31 2001:db8:1::20" | as_user tee "$DATA_DIR$MAPFILE" >/dev/null
nsclient ip addr add 2001:db8:1::30/64 dev c0 nodad
# the real map-file changes too: the reload must pick that up
echo "map 192.168.254.21 2001:db8:1::20" > "$MAPFILE"
sed -i 's|^tun-route .*|tun-route 198.18.8.0/24|' "$T_CONF"
: > "$LOG.mark"; LINES0=$(wc -l < "$LOG")
kill -HUP "$(cat "$PIDF")"   # as an init script does
check "reload logged as done" wait_until 5 eval "tail -n +$((LINES0 + 1)) '$LOG' | grep -q 'reloaded '"
check "reload: new map-file entry works" ping_ok "$NS_SERVER" 192.168.254.21
check_not "reload: old entry gone" ping_ok "$NS_SERVER" 192.168.254.20
check_not "attack: planted map line not loaded" ping_ok "$NS_SERVER" 192.168.254.30
check_not "attack: planted map-file not loaded" ping_ok "$NS_SERVER" 192.168.254.31
check "reload: new tun-route applied by the parent" eval "nsxlat ip -4 route show 198.18.8.0/24 | grep -q $TUN_DEV"
check_not "reload: no 'Operation not permitted'" eval "tail -n +$((LINES0 + 1)) '$LOG' | grep -q 'not permitted'"
check_not "reload: no offload warning" eval "tail -n +$((LINES0 + 1)) '$LOG' | grep -q 'offload and io-uring'"

# SIGHUP to the translator itself goes through the parent as well
echo "map 192.168.254.22 2001:db8:1::20" > "$MAPFILE"
LINES0=$(wc -l < "$LOG")
kill -HUP "$P"
check "SIGHUP to the translator: reloaded" wait_until 5 eval "tail -n +$((LINES0 + 1)) '$LOG' | grep -q 'reloaded '"
check "SIGHUP to the translator: map-file read by the parent" ping_ok "$NS_SERVER" 192.168.254.22

stop_daemon; RC=$?
check "clean exit (status $RC)" test "$RC" = 0
check_not "pidfile removed at exit (-u -r)" test -e "$PIDF"
check "non-persistent $TUN_DEV removed at exit (a restart must not find it)" wait_until 5 eval "! tun_exists"

# restart: the file written by the jailed daemon is loaded, mapping kept
tayga_start_fg "$T_CONF" -u "$USER_" -g "$GROUP_" -r || { t_fail "daemon restart"; t_finish; }
check "restart loads dynamic.map" wait_until 5 grep -q 'loaded [1-9][0-9]* dynamic mappings' "$LOG"
check "dynamic client translated after restart" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
stop_daemon
check "dynamic client kept $A" test -n "$A" -a "$(v4_of "$CLIENT6_DYN")" = "$A"

# -u without -r: the pidfile is removed too (the parent is still root)
tayga_start_fg "$T_CONF" -u "$USER_" -p "$PIDF" || { t_fail "daemon start -u"; t_finish; }
check "-u: pidfile written" wait_until 5 test -s "$PIDF"
stop_daemon
check_not "-u: pidfile removed at exit" test -e "$PIDF"

# a reload the parent refuses still reaches the stats-file the translator
# writes (issue 26: tayga_reloads_total, the TaygaReloadFailed alert)
STATS="$DATA_DIR/tayga.prom"
t_conf "map-file $MAPFILE" "stats-file $STATS" "stats-interval 1"
cp "$T_CONF" "$T_CONF.good"
tayga_start_fg "$T_CONF" -u "$USER_" -g "$GROUP_" || { t_fail "daemon start (stats)"; t_finish; }
prom() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$STATS" 2>/dev/null; }
# fresh NAME VALUE : the stats-file says so (it is rewritten every second)
fresh() { wait_until 5 eval "[ \"\$(prom '$1')\" = '$2' ]"; }
check "stats-file: no reload yet" fresh tayga_last_reload_success 1
echo "no-such-directive 1" >> "$T_CONF"
kill -HUP "$(pid_of_uid 0)"
check "the parent refuses the broken configuration" wait_until 5 grep -q "unknown directive" "$LOG"
check "stats-file: the reload failed" fresh 'tayga_reloads_total{result="failed"}' 1
check "stats-file: last reload not a success" fresh tayga_last_reload_success 0
check "stats-file: time of the last reload" \
	eval '[ "$(prom tayga_last_reload_timestamp_seconds)" -ge "$(( $(date +%s) - 10 ))" ]'
cp "$T_CONF.good" "$T_CONF"
kill -HUP "$(pid_of_uid 0)"
check "stats-file: a good reload counts as ok" fresh 'tayga_reloads_total{result="ok"}' 1
check "stats-file: last reload a success again" fresh tayga_last_reload_success 1
stop_daemon

# configuration the runtime user could change is refused at start (in ns
# xlat and bounded: a daemon that accepted it would otherwise keep running)
refused() { nsxlat timeout 10 "$TAYGA_BIN" -n -c "$1" -u "$USER_" ${2:+"$2"} 2>&1; }
cp "$T_CONF" "$DATA_DIR/in-jail.conf"
check "config inside data-dir refused with the reason" \
	eval "refused '$DATA_DIR/in-jail.conf' -r | grep -q 'refused: .*\\(inside data-dir\\|can be changed by the runtime user\\)'"
mkdir -p "$NETNS_WORKDIR/userdir"; chown "$USER_" "$NETNS_WORKDIR/userdir"
cp "$T_CONF" "$NETNS_WORKDIR/userdir/t.conf"
check "config in a directory $USER_ owns refused" \
	eval "refused '$NETNS_WORKDIR/userdir/t.conf' | grep -q 'can be changed by the runtime user'"
t_finish
