#!/bin/bash
# sandbox.sh - issue 14.3: the hardened systemd units still let the daemon
# start and translate. systemd is not PID 1 here, so the unit's settings
# are reproduced with unshare/setpriv, taken from the built tayga.service:
#   User= (nobody stands in for the dedicated user), AmbientCapabilities=
#   and CapabilityBoundingSet= (setpriv), NoNewPrivileges=, ProtectSystem=
#   strict (the whole file system read-only in a private mount namespace)
#   with StateDirectory= (data-dir) writable. The daemon must start, open
#   the TUN, translate both ways, write dynamic.map, reload on SIGHUP
#   without errors and exit 0 on SIGTERM. The root daemon without -u/-r
#   closes inherited fds, sets NoNewPrivs and keeps only CAP_NET_ADMIN (+ CAP_DAC_OVERRIDE for a data-dir of another user). And the score of
#   `systemd-analyze security --offline` for both units is at most 2.5.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping
INIT_DIR=${INIT_DIR:-$(dirname "$TAYGA_BIN")/init}
UNIT="$INIT_DIR/tayga.service"
[ -r "$UNIT" ] || t_error "no $UNIT (make builds init/)"
command -v setpriv >/dev/null || t_skip "setpriv not installed (util-linux)"

# the unit's values
unit_val() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }
caps_of() { echo "$1" | tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_//p' | sed 's/^/+/' | paste -sd, -; }
AMBIENT=$(caps_of "$(unit_val AmbientCapabilities)")
BOUNDING=$(caps_of "$(unit_val CapabilityBoundingSet)")
check "unit: a dedicated user (User=tayga)" test "$(unit_val User)" = tayga
check "unit: ambient and bounding capabilities are CAP_NET_ADMIN" test "$AMBIENT,$BOUNDING" = "+net_admin,+net_admin"
check "unit: NoNewPrivileges=yes, ProtectSystem=strict, StateDirectory=tayga" \
	eval "[ '$(unit_val NoNewPrivileges)/$(unit_val ProtectSystem)/$(unit_val StateDirectory)' = yes/strict/tayga ]"

USER_=nobody
GROUP_=$(id -gn nobody 2>/dev/null || echo nogroup)
STATE="$NETNS_WORKDIR/state"     # stands in for /var/lib/tayga
DATA_DIR=$STATE t_conf
mkdir -p "$STATE"; chown "$USER_:$GROUP_" "$STATE"; chmod 0750 "$STATE"
chmod 0755 "$NETNS_WORKDIR"
LOG="$NETNS_WORKDIR/tayga.log"

# ProtectSystem=strict + StateDirectory: / read-only, the state dir writable.
# Distributions create /dev/net/tun with mode 0666 (the kernel checks
# CAP_NET_ADMIN at TUNSETIFF); this lab's is 0600, so the namespace gets a
# 0666 node of its own.
# shellcheck disable=SC2016
( nsexec "$NS_XLAT" unshare --mount --propagation private sh -c '
	mount -t tmpfs -o mode=0755 tmpfs /dev/net && mknod -m 0666 /dev/net/tun c 10 200 &&
	mount --bind "$1" "$1" && mount -o remount,bind,ro / &&
	shift &&
	exec setpriv --reuid "$1" --regid "$2" --clear-groups --no-new-privs \
		--inh-caps="-all,$3" --ambient-caps="$3" --bounding-set="-all,$4" \
		"$5" -n -c "$6"' sh "$STATE" "$USER_" "$GROUP_" "$AMBIENT" "$BOUNDING" "$TAYGA_BIN" "$T_CONF"
) >>"$LOG" 2>&1 </dev/null &
TAYGA_PID=$!
netns_track_pid "$TAYGA_PID"
if ! wait_until 10 tun_exists; then t_fail "daemon under the unit's restrictions did not start"; t_finish; fi
tun_routes
P=$(ip netns pids "$NS_XLAT" | while read -r p; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = tayga ] && echo "$p"; done | head -n 1)
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
check "runs as $USER_" test "$(status_of "$P" Uid)" = "$(id -u "$USER_")"
check "NoNewPrivs 1" test "$(status_of "$P" NoNewPrivs)" = 1
check "only CAP_NET_ADMIN (effective and bounding)" \
	eval "[ '$(status_of "$P" CapEff)/$(status_of "$P" CapBnd)' = 0000000000001000/0000000000001000 ]"
check "the system is read-only to it" eval "! nsenter -t $P -m touch /usr/.tayga-rw-probe 2>/dev/null"
check "IPv6 -> IPv4 (static map)" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check "IPv6 -> IPv4 (dynamic pool)" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check "IPv4 -> IPv6" ping_ok "$NS_SERVER" "$CLIENT4"
check "dynamic.map written to the state directory" wait_until 5 test -s "$STATE/dynamic.map"
L0=$(wc -l < "$LOG")
kill -HUP "$P"
check "SIGHUP: reloaded" wait_until 5 eval "tail -n +$((L0 + 1)) '$LOG' | grep -q 'reloaded '"
check_not "SIGHUP: no errors or warnings" eval "tail -n +$((L0 + 1)) '$LOG' | grep -qi 'fail\\|cannot\\|not permitted'"
check "still translating after the reload" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
kill -TERM "$P"
expect_exit "$TAYGA_PID" 0 "SIGTERM under the unit's restrictions"
check "non-persistent $TUN_DEV removed at exit (a restart must not find it)" wait_until 5 eval "! tun_exists"

# without -u/-g/-r (one root process, as clatd and OpenWrt run it): inherited
# fds closed, NoNewPrivs, every capability set cut to NET_ADMIN + DAC_OVERRIDE (issues 14.2, 22 D)
tayga_start_fg "$T_CONF" 10</dev/null 251</dev/null || { t_fail "daemon start as root"; t_finish; }
P=$(ip netns pids "$NS_XLAT" | while read -r p; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = tayga ] && echo "$p"; done | head -n 1)
check "root daemon: NoNewPrivs 1" test "$(status_of "$P" NoNewPrivs)" = 1
# CAP_NET_ADMIN 12, and CAP_DAC_OVERRIDE 1 since data-dir ($STATE) is nobody's:
# dynamic.map is written there (privsep.sh checks a root data-dir: NET_ADMIN only)
check "root daemon: bounding, permitted and effective sets NET_ADMIN + DAC_OVERRIDE" \
	test "$(status_of "$P" CapBnd)/$(status_of "$P" CapPrm)/$(status_of "$P" CapEff)" = 0000000000001002/0000000000001002/0000000000001002
for fd in 10 251; do
	check_not "root daemon: inherited fd $fd closed" test -e "/proc/$P/fd/$fd"
done
check "root daemon translates" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
kill -CHLD "$P"; sleep 0.5
check "root daemon: a stray SIGCHLD is ignored" kill -0 "$P"
stop_daemon

if command -v systemd-analyze >/dev/null 2>&1; then
	for u in tayga.service tayga@.service; do
		score=$(systemd-analyze security --offline=true "$INIT_DIR/$u" 2>&1 |
			sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		echo "# systemd-analyze security --offline $u: ${score:-?}"
		check "$u: exposure ${score:-?} <= 2.5" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.5) }'
	done
fi
t_finish
