#!/bin/bash
# initscript.sh - the service scripts of init/ (built with this build's
# paths) as an administrator uses them:
#   tayga.init (SysV/LSB, plain sh) in the translator namespace: start (the
#   daemon forks, sets up its tun with tun-up/tun-route, writes the pid
#   file), status, a second start, reload after a configuration change
#   (a new static map starts working), reload of a broken configuration
#   (refused with file:line, the daemon keeps running), restart, stop, a
#   stale pid file naming an unrelated process (never signalled), and a
#   start with a broken configuration (nothing runs);
#   tayga.service and tayga@.service: systemd-analyze verify, no warnings;
#   tayga.openrc and tayga.rc: sh -n (no OpenRC or FreeBSD here).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping
INIT_DIR=${INIT_DIR:-$(dirname "$TAYGA_BIN")/init}
[ -x "$INIT_DIR/tayga.init" ] || t_error "no $INIT_DIR/tayga.init (make builds init/)"

PIDF="$NETNS_WORKDIR/tayga.pid"
DEFAULTS="$NETNS_WORKDIR/default-tayga"
cat >"$DEFAULTS" <<EOF
DAEMON=$TAYGA_BIN
CONFIG=$T_CONF
PIDFILE=$PIDF
EOF
initd() { nsxlat env TAYGA_DEFAULTS="$DEFAULTS" sh "$INIT_DIR/tayga.init" "$@"; }
daemon_pid() { tr -d '[:space:]' <"$PIDF" 2>/dev/null; }
# refused_with_line DESC PATTERN ACTION : `tayga.init ACTION` must fail and
# name the bad line (PATTERN, a grep regex)
refused_with_line() {
	local out rc
	out=$(initd "$3" 2>&1); rc=$?
	if [ $rc != 0 ] && printf '%s' "$out" | grep -q "$2"; then
		t_pass "$1: refused with file:line (exit $rc)"
	else
		t_fail "$1: exit $rc, output: $out"
	fi
}

# the daemon brings its tun up and routes it itself; no static map at first
ROUTES=("tun-up yes" "tun-route $PREFIX6" "tun-route $TAYGA_V6/128" "tun-route $POOL4")
CLIENT4='' t_conf "${ROUTES[@]}"

# --- start / status ---------------------------------------------------------------
check "init start exits 0" initd start
check "pid file names a running daemon" eval 'kill -0 "$(daemon_pid)"'
P1=$(daemon_pid)
[ -n "$P1" ] && netns_track_pid "$P1"
check "status: running (exit 0)" initd status
check "a second start leaves the running daemon alone" \
	eval 'initd start | grep -q "already running" && [ "$(daemon_pid)" = "$P1" ]'
check "tun-up/tun-route from tayga.conf: ping client -> server" \
	ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check_not "no static map yet: server cannot reach $CLIENT4" \
	nsx "$NS_SERVER" ping -n -q -c 1 -w 1 "$CLIENT4"

# --- reload --------------------------------------------------------------------------
t_conf "${ROUTES[@]}" "tun-route $STATIC4_NET"
check "init reload exits 0" initd reload
check "after reload the new static map works: server -> $CLIENT4" \
	wait_until 10 nsx "$NS_SERVER" ping -n -q -c 1 -w 1 "$CLIENT4"
echo "bogus-directive 1" >>"$T_CONF"
refused_with_line "reload of a broken configuration" 'tayga.conf:[0-9]*: ' reload
check "the daemon still runs after the refused reload" kill -0 "$P1"
t_conf "${ROUTES[@]}" "tun-route $STATIC4_NET"

# --- restart, stop ---------------------------------------------------------------------
check "init restart exits 0" initd restart
P2=$(daemon_pid)
[ -n "$P2" ] && netns_track_pid "$P2"
check "restart: a new daemon (pid $P1 -> $P2)" \
	eval '[ -n "$P2" ] && [ "$P2" != "$P1" ] && kill -0 "$P2" && ! kill -0 "$P1" 2>/dev/null'
check "ping through the restarted daemon" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check "init stop exits 0" initd stop
check "stop: the daemon is gone" wait_until 5 eval '! kill -0 "$P2" 2>/dev/null'
check_not "stop: pid file removed" test -e "$PIDF"
initd status >/dev/null 2>&1; rc=$?
if [ $rc = 3 ]; then t_pass "status: not running (exit 3, LSB)"; else t_fail "status after stop: exit $rc, want 3"; fi

# --- a stale pid file naming another live process (issue 14.4) -----------------------------
# after a crash the pid may be reused: the script must not signal that
# process (SIGHUP or SIGTERM would kill this sleep) nor take it for tayga
sleep 60 & SLEEPER=$!
netns_track_pid "$SLEEPER"
echo "$SLEEPER" >"$PIDF"
initd status >/dev/null 2>&1; rc=$?
if [ $rc = 1 ]; then t_pass "stale pid file: status says not running (exit 1)"; else t_fail "stale pid file: status exit $rc, want 1"; fi
initd reload >/dev/null 2>&1
check "stale pid file: reload leaves the unrelated process alone" kill -0 "$SLEEPER"
initd stop >/dev/null 2>&1
check "stale pid file: stop leaves the unrelated process alone" kill -0 "$SLEEPER"
echo "$SLEEPER" >"$PIDF"
check "stale pid file: start starts tayga" eval 'initd start >/dev/null && [ "$(daemon_pid)" != "$SLEEPER" ] && kill -0 "$(daemon_pid)"'
P3=$(daemon_pid)
[ -n "$P3" ] && netns_track_pid "$P3"
check "... and stop stops it" eval 'initd stop >/dev/null && wait_until 5 eval "! kill -0 $P3 2>/dev/null"'
check "... while the unrelated process lives on" kill -0 "$SLEEPER"
kill "$SLEEPER" 2>/dev/null; wait "$SLEEPER" 2>/dev/null

# --- a broken configuration does not start ----------------------------------------------
echo "prefix not-an-address" >>"$T_CONF"
refused_with_line "start with a broken configuration" 'tayga.conf:[0-9]*: prefix' start
check_not "... and leaves no pid file" test -e "$PIDF"
check "... and no process in the namespace" eval "[ -z \"\$(ip netns pids $NS_XLAT)\" ]"

# --- systemd units ------------------------------------------------------------------------
# verify what the build produced, with ExecStart pointing at the daemon under
# test (the built units name the install path, which does not exist here)
if command -v systemd-analyze >/dev/null 2>&1; then
	udir="$NETNS_WORKDIR/units"
	mkdir -p "$udir"
	for u in tayga.service tayga@.service; do
		name=${u/@/@lab}
		sed -E "s|^(Exec[A-Za-z]*=)[^ ]*/tayga |\\1$TAYGA_BIN |" "$INIT_DIR/$u" >"$udir/$name"
		check "systemd-analyze verify $u (no errors, no warnings)" eval \
			"out=\$(systemd-analyze verify --man=no '$udir/$name' 2>&1) && [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
	done
	# the hardening promise of docs/hardening.md: exposure <= 2.5 ("OK")
	for u in tayga.service tayga@.service; do
		name=${u/@/@lab}
		check "systemd-analyze security $u: exposure at most 2.5" eval \
			"lvl=\$(systemd-analyze security --offline=true '$udir/$name' 2>&1 | sed -n 's/^.*Overall exposure level for [^:]*: \\([0-9.]*\\).*/\\1/p'); echo \"exposure \$lvl\"; [ -n \"\$lvl\" ] && awk -v l=\"\$lvl\" 'BEGIN { exit !(l <= 2.5) }'"
	done
	check "tayga.service restarts on failure and reloads with SIGHUP" eval \
		"grep -qx 'Restart=on-failure' '$INIT_DIR/tayga.service' && grep -q '^ExecReload=.*kill -HUP' '$INIT_DIR/tayga.service'"
else
	t_fail "systemd-analyze not installed (package systemd): cannot verify the units"
fi

# --- OpenRC and FreeBSD rc.d: syntax only --------------------------------------------------
check "tayga.openrc parses (sh -n)" sh -n "$INIT_DIR/tayga.openrc"
check "tayga.rc parses (sh -n)" sh -n "$INIT_DIR/tayga.rc"
check "no @placeholders@ left in the built scripts" eval "! grep -l '@[a-z]*@' '$INIT_DIR'/tayga*"

t_finish
