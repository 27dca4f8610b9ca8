#!/bin/bash
# privsep.sh - issue 22: what a hostile runtime user can no longer do. The
# runtime user is a real dedicated system user (tayga-test; created for the
# test when missing and removed again afterwards).
#   A  root never chowns a directory through a link: a data-dir below a
#      directory the user can write is refused, and data-dir is created and
#      chowned without following links
#   B  the map-file is opened without following links the user could place
#      and checked on the opened file; at reload too, and a refused file's
#      content is never logged; a bounded race loop never applies the user's
#      lines
#   C  the pidfile: never written through a planted link, refused in a
#      directory the user can write
#   D  capabilities per process (/proc/PID/status): the translator holds
#      CAP_NET_ADMIN at most (none with -u); the privileged parent only what
#      a reload needs
#   E  a stopped translator cannot wedge stop or restart; reload requests
#      are coalesced and rate-limited
#   F  dynamic.map is never written through a planted link at the temporary
#      name (root process, user-owned data-dir as Debian's init script has)
#   G  a huge dynamic.map: bounded warnings, a size limit, SIGTERM honoured
#   K  a symlinked dynamic.map: one clear message
# PRIVSEP_ONLY="A E" runs some sections only.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

t_init ping
command -v setpriv >/dev/null || t_skip "setpriv not installed (util-linux)"
USER_=tayga-test
CREATED_USER=
if ! id "$USER_" >/dev/null 2>&1; then
	useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$USER_" || t_error "useradd $USER_"
	CREATED_USER=1
fi
cleanup_user() { [ -n "$CREATED_USER" ] && userdel "$USER_" 2>/dev/null; }
trap 'netns_cleanup; cleanup_user' EXIT
trap 'netns_cleanup; cleanup_user; exit 130' INT TERM HUP
UID_=$(id -u "$USER_")
GID_=$(id -g "$USER_")
W=$NETNS_WORKDIR
nsclient ip addr add 2001:db8:1::20/64 dev c0 nodad
chmod 0755 "$W"
LOG="$W/tayga.log"
as_user() { setpriv --reuid "$UID_" --regid "$GID_" --clear-groups -- "$@"; }
want() { [ -z "${PRIVSEP_ONLY:-}" ] || [[ " $PRIVSEP_ONLY " == *" $1 "* ]]; }
daemon_pids() { ip netns pids "$NS_XLAT" | while read -r p; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = tayga ] && echo "$p"; done; }
pid_of_uid() { for p in $(daemon_pids); do
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = "$1" ] && echo "$p"
	done | head -n 1; }
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
log_since() { tail -n +"$(($1 + 1))" "$LOG"; }
# start_bounded ARGS... : a start that must fail; its output (10 s at most)
start_bounded() { nsxlat timeout 10 "$TAYGA_BIN" -n "$@" 2>&1; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# ---- A: root never chowns through a link ----
if want A; then
	# a second instance under a spool directory that is the user's
	# (Debian's /var/spool/tayga): refused, whatever data-dir is
	mkdir -p "$W/a-spool/inst" "$W/a-etc"; chown "$USER_:" "$W/a-spool"
	DATA_DIR="$W/a-spool/inst" t_conf
	OUT=$(start_bounded -c "$T_CONF" -u "$USER_")
	check "A: data-dir below a directory the user owns is refused" \
		grep -qF "data-dir $W/a-spool/inst: refused: $W/a-spool can be changed by the runtime user" <<<"$OUT"
	# the attack: inst swapped for a link to a root directory
	as_user mv "$W/a-spool/inst" "$W/a-spool/x"
	as_user ln -s "$W/a-etc" "$W/a-spool/inst"
	OUT=$(start_bounded -c "$T_CONF" -u "$USER_" -r)
	check "A: ... also when it is a link (-r)" grep -qF "refused: $W/a-spool can be changed" <<<"$OUT"
	check "A: the link's target stays root's" test "$(stat -c %U "$W/a-etc")" = root
	# a missing data-dir in a root directory: created, given to the user
	DATA_DIR="$W/a-new" t_conf; rmdir "$W/a-new"
	tayga_start_fg "$T_CONF" -u "$USER_" -r || { t_fail "A: daemon start"; t_finish; }
	wait_until 5 test -n "$(pid_of_uid "$UID_")"
	P=$(pid_of_uid "$UID_")
	check "A: data-dir created and the user's" test "$(stat -c %U "$W/a-new")" = "$USER_"
	check "A: the translator is jailed in it" test "$(readlink "/proc/$P/root")" = "$W/a-new"
	check "A: and translates" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
	check "A: dynamic.map written in the jail" wait_until 5 test -s "$W/a-new/dynamic.map"
	stop_daemon
fi

# ---- B: the map-file is opened out of the user's reach, also at reload ----
if want B; then
	DATA_DIR="$W/b-data"
	mkdir -p "$DATA_DIR" "$W/b-etc"; chown "$USER_:" "$DATA_DIR"
	echo "map 192.168.254.20 2001:db8:1::20" > "$W/b-etc/maps.conf"
	printf 'SECRET-b22-word x\nSECRET-b22-other y\n' > "$W/b-secret"; chmod 0600 "$W/b-secret"
	# an admin-made link in data-dir, relative map-file: refused at start
	ln -s "$W/b-etc/maps.conf" "$DATA_DIR/maps.txt"
	t_conf "map-file maps.txt"
	OUT=$(start_bounded -c "$T_CONF" -u "$USER_" -r)
	check "B: a map-file reached through data-dir is refused at start" \
		grep -qF "map-file: $DATA_DIR/maps.txt: refused: $DATA_DIR can be changed by the runtime user" <<<"$OUT"
	# running with a map-file of root's; then the configuration names one
	# in data-dir, and the user flips its link during reloads (bounded race)
	t_conf "map-file $W/b-etc/maps.conf"
	tayga_start_fg "$T_CONF" -u "$USER_" -r || { t_fail "B: daemon start"; t_finish; }
	R=$TAYGA_PID
	check "B: root's map-file works" ping_ok "$NS_SERVER" 192.168.254.20
	echo "map 192.168.254.30 2001:db8:1::30" | as_user tee "$DATA_DIR/user.map" >/dev/null
	nsclient ip addr add 2001:db8:1::30/64 dev c0 nodad
	t_conf "map-file maps.txt"
	L0=$(wc -l < "$LOG")
	for i in $(seq 40); do
		if [ $((i % 2)) = 0 ]; then as_user ln -sfn "$W/b-secret" "$DATA_DIR/maps.txt"
		else as_user ln -sfn "$DATA_DIR/user.map" "$DATA_DIR/maps.txt"; fi
		kill -HUP "$R"; sleep 0.1
	done
	sleep 1.5
	check "B: reloads refused" eval "log_since $L0 | grep -q 'map-file: $DATA_DIR/maps.txt: refused'"
	check_not "B: no reload accepted" eval "log_since $L0 | grep -q 'reloaded '"
	check_not "B: nothing of the refused file in the log" grep -q SECRET "$LOG"
	check_not "B: the user's map line never applied" ping_ok "$NS_SERVER" 192.168.254.30
	check "B: the running maps stay" ping_ok "$NS_SERVER" 192.168.254.20
	stop_daemon
fi

# ---- C: the pidfile ----
if want C; then
	DATA_DIR="$W/c-data" t_conf
	mkdir -p "$W/c-user"; chown "$USER_:" "$W/c-user"
	OUT=$(start_bounded -c "$T_CONF" -u "$USER_" -p "$W/c-user/tayga.pid")
	check "C: -u: a pidfile in a directory the user owns is refused" \
		grep -qF "pidfile $W/c-user/tayga.pid: refused: $W/c-user can be changed by the runtime user" <<<"$OUT"
	check_not "C: ... and nothing written there" test -e "$W/c-user/tayga.pid"
	# a link at the pidfile's name (planted while the directory was the
	# user's, say) is replaced, never written through
	mkdir -p "$W/c-run"; echo "precious" > "$W/c-victim"
	ln -s "$W/c-victim" "$W/c-run/tayga.pid"
	tayga_start_fg "$T_CONF" -p "$W/c-run/tayga.pid" || { t_fail "C: daemon start"; t_finish; }
	check "C: the link's target is untouched" test "$(cat "$W/c-victim")" = precious
	check "C: the pidfile is a regular file with the daemon's pid" \
		eval "[ -f '$W/c-run/tayga.pid' ] && [ ! -L '$W/c-run/tayga.pid' ] && [ \"\$(cat '$W/c-run/tayga.pid')\" = $TAYGA_PID ]"
	check "C: mode 0644" test "$(stat -c %a "$W/c-run/tayga.pid")" = 644
	stop_daemon
	check_not "C: removed at exit" test -e "$W/c-run/tayga.pid"
fi

# ---- D: capabilities per process ----
if want D; then
	# started: the log says so once the capabilities are cut
	started() { wait_until 10 eval "log_since $1 | grep -q 'started on'"; }
	DATA_DIR="$W/d-data" t_conf "tun-route 198.18.7.0/24"
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" || { t_fail "D: daemon start"; t_finish; }
	started "$L0"
	P=$TAYGA_PID
	check "D: root translator: CapEff only CAP_NET_ADMIN" test "$(status_of "$P" CapEff)" = 0000000000001000
	check "D: root translator: CapPrm only CAP_NET_ADMIN" test "$(status_of "$P" CapPrm)" = 0000000000001000
	check "D: root translator translates" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
	sed -i 's|^tun-route .*|tun-route 198.18.8.0/24|' "$T_CONF"
	L0=$(wc -l < "$LOG")
	kill -HUP "$P"
	check "D: root translator: reload applies tun-route with what it kept" \
		wait_until 5 eval "nsxlat ip -4 route show 198.18.8.0/24 | grep -q $TUN_DEV"
	check_not "D: reload: nothing refused" eval "log_since $L0 | grep -qi 'not permitted\\|failed'"
	stop_daemon
	# data-dir of another user (Debian's init script): DAC_OVERRIDE too, to write dynamic.map
	mkdir -p "$W/d-user"; chown "$USER_:" "$W/d-user"; chmod 0750 "$W/d-user"
	DATA_DIR="$W/d-user" t_conf
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" || { t_fail "D: daemon start"; t_finish; }
	started "$L0"
	check "D: root translator, data-dir of another user: NET_ADMIN + DAC_OVERRIDE" \
		test "$(status_of "$TAYGA_PID" CapEff)/$(status_of "$TAYGA_PID" CapPrm)" = 0000000000001002/0000000000001002
	ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN" >/dev/null
	check "D: ... and writes dynamic.map there" wait_until 5 test -s "$W/d-user/dynamic.map"
	stop_daemon
	DATA_DIR="$W/d-data" t_conf
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" -u "$USER_" || { t_fail "D: daemon start -u"; t_finish; }
	started "$L0"
	P=$(pid_of_uid "$UID_"); R=$(pid_of_uid 0)
	check "D: -u: translator holds no capability" \
		test "$(status_of "$P" CapEff)/$(status_of "$P" CapPrm)" = 0000000000000000/0000000000000000
	# CAP_NET_ADMIN 12, DAC_OVERRIDE 1, DAC_READ_SEARCH 2, KILL 5
	check "D: -u: parent holds NET_ADMIN, DAC_*, KILL only" \
		test "$(status_of "$R" CapEff)/$(status_of "$R" CapPrm)" = 0000000000001026/0000000000001026
	L0=$(wc -l < "$LOG")
	kill -HUP "$R"
	check "D: -u: the parent still reloads" wait_until 5 eval "log_since $L0 | grep -q 'reloaded '"
	stop_daemon
fi

# ---- F: dynamic.map never written through a planted link ----
if want F; then
	# Debian's init script: the daemon as root, data-dir the user's
	mkdir -p "$W/f-data"; chown "$USER_:" "$W/f-data"; chmod 0750 "$W/f-data"
	echo "precious" > "$W/f-victim"
	as_user ln -s "$W/f-victim" "$W/f-data/dynamic.map.tmp"
	# what a writer killed mid-write an hour ago left
	as_user touch -d '1 hour ago' "$W/f-data/dynamic.map.tmp.0123abcd"
	DATA_DIR="$W/f-data" t_conf
	tayga_start_fg "$T_CONF" || { t_fail "F: daemon start"; t_finish; }
	check "F: dynamic client translated" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
	check "F: dynamic.map written" wait_until 5 test -s "$W/f-data/dynamic.map"
	stop_daemon
	check "F: the planted link's target is untouched" test "$(cat "$W/f-victim")" = precious
	check "F: the link is still a link" test -L "$W/f-data/dynamic.map.tmp"
	check "F: dynamic.map is a regular file with the mapping" \
		eval "[ -f '$W/f-data/dynamic.map' ] && [ ! -L '$W/f-data/dynamic.map' ] && grep -q '$CLIENT6_DYN' '$W/f-data/dynamic.map'"
	check_not "F: no temporary file left (a dead writer's removed at start)" \
		eval "ls '$W/f-data' | grep -q 'tmp\\.'"
fi

# ---- G: a huge or broken dynamic.map ----
if want G; then
	DATA_DIR="$W/g-data" t_conf
	GMAP="$W/g-data/dynamic.map"
	{ for i in $(seq 30); do echo "bad line $i"; done
	  echo "192.168.255.7	$CLIENT6_DYN	$(date +%s)"; } > "$GMAP"
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" || { t_fail "G: daemon start"; t_finish; }
	check "G: the good line is loaded" wait_until 5 eval "log_since $L0 | grep -q 'loaded 1 dynamic mappings'"
	N=$(log_since "$L0" | grep -c "$GMAP:[0-9]*: ")
	check "G: 30 bad lines: 20 warnings ($N)" test "$N" = 20
	check "G: then one line with the count of the rest" \
		eval "log_since $L0 | grep -q '$GMAP: 10 more lines skipped'"
	stop_daemon
	# 2 GB (sparse): refused by its size at once, SIGTERM obeyed
	rm -f "$GMAP"; truncate -s 2G "$GMAP"
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" || { t_fail "G: daemon start (2 GB)"; t_finish; }
	check "G: 2 GB: a clear error" wait_until 5 eval "log_since $L0 | grep -q 'dynamic.map: bigger than 128 MB, not loaded'"
	kill -TERM "$TAYGA_PID"
	expect_exit "$TAYGA_PID" 0 "G: 2 GB dynamic.map, SIGTERM"
	N=$(log_since "$L0" | grep -c "$GMAP")
	check "G: 2 GB: a handful of lines in the log, not millions ($N)" test "$N" -le 25
	# 120 MB of bad lines: a SIGTERM during the load is obeyed at once, and
	# the part loaded is not saved over the file
	yes x | head -c 120000000 > "$GMAP"
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" || { t_fail "G: daemon start (120 MB)"; t_finish; }
	kill -TERM "$TAYGA_PID"
	expect_exit "$TAYGA_PID" 0 "G: SIGTERM while loading 120 MB"
	N=$(log_since "$L0" | grep -c "$GMAP")
	check "G: 120 MB: a handful of lines in the log ($N)" test "$N" -le 25
	if log_since "$L0" | grep -q 'stopped by a signal'; then
		check "G: the file is left as it was" test "$(stat -c %s "$GMAP")" = 120000000
	fi
fi

# ---- K: a symlinked dynamic.map, one clear message ----
if want K; then
	mkdir -p "$W/k-data"; echo "# x" > "$W/k-real.map"
	ln -s "$W/k-real.map" "$W/k-data/dynamic.map"
	DATA_DIR="$W/k-data" t_conf
	OUT=$(start_bounded -c "$T_CONF")
	check "K: refused: a symbolic link, not a regular file" \
		grep -qF "$W/k-data/dynamic.map is a symbolic link, not a regular file" <<<"$OUT"
	check_not "K: no 'not a regular file, not a regular file'" \
		grep -qF "not a regular file, not a regular file" <<<"$OUT"
fi

# ---- E: the runtime user cannot wedge stop and restart ----
if want E; then
	DATA_DIR="$W/e-data"
	MAPFILE="$W/e-maps.conf"
	mkdir -p "$DATA_DIR"
	# a 2 MB map-file: more than any socket buffer takes at once
	{ echo "map 192.168.254.20 2001:db8:1::20"
	  head -c 2000000 /dev/zero | tr '\0' 'x' | fold -w 99 | sed 's/^/# /'; } > "$MAPFILE"
	t_conf "map-file $MAPFILE"
	tayga_start_fg "$T_CONF" -u "$USER_" -r || { t_fail "E: daemon start"; t_finish; }
	wait_until 5 test -n "$(pid_of_uid "$UID_")"
	P=$(pid_of_uid "$UID_"); R=$TAYGA_PID
	check "E: translator runs as $USER_" test -n "$P"
	# the user stops its translator; a reload must not wedge the parent
	kill -STOP "$P"
	kill -HUP "$R"; sleep 1.5
	L0=$(wc -l < "$LOG")
	kill -TERM "$R"
	check "E: SIGTERM stops the parent although the translator is stopped" wait_until 12 gone "$R"
	check "E: the stopped translator is gone too" wait_until 2 gone "$P"
	check "E: the tun is free again" wait_until 2 eval "! tun_exists"
	kill -KILL "$R" "$P" 2>/dev/null; kill -CONT "$P" 2>/dev/null
	wait "$R" 2>/dev/null
	# SIGKILL to the parent takes a stopped translator along
	wait_until 5 eval "! tun_exists"
	tayga_start_fg "$T_CONF" -u "$USER_" -r || { t_fail "E: daemon restart"; t_finish; }
	wait_until 5 test -n "$(pid_of_uid "$UID_")"
	P=$(pid_of_uid "$UID_"); R=$TAYGA_PID
	kill -STOP "$P"
	kill -KILL "$R"
	check "E: parent killed: the stopped translator dies with it" wait_until 5 gone "$P"
	wait "$R" 2>/dev/null
	OLD=$P
	L0=$(wc -l < "$LOG")
	tayga_start_fg "$T_CONF" -u "$USER_" -r; sleep 1
	check "E: a restart gets the tun (no EBUSY)" kill -0 "$TAYGA_PID"
	check_not "E: restart: no 'busy'" eval "log_since $L0 | grep -qi busy"
	kill -CONT "$OLD" 2>/dev/null; kill -KILL "$OLD" 2>/dev/null
	wait_until 5 test -n "$(pid_of_uid "$UID_")"
	P=$(pid_of_uid "$UID_"); R=$TAYGA_PID
	# a stopped translator that never takes its configuration: killed
	# after the send deadline (10 s); the parent stops and frees the tun
	L0=$(wc -l < "$LOG")
	kill -STOP "$P"; kill -HUP "$R"
	check "E: a translator that does not take the configuration is killed" wait_until 15 gone "$P"
	check "E: ... said so" eval "log_since $L0 | grep -q 'did not take the configuration within 10 s'"
	check "E: ... and the parent exits" wait_until 8 gone "$R"
	wait "$R" 2>/dev/null
	wait_until 5 eval "! tun_exists"
	tayga_start_fg "$T_CONF" -u "$USER_" -r || { t_fail "E: daemon restart"; t_finish; }
	wait_until 5 test -n "$(pid_of_uid "$UID_")"
	P=$(pid_of_uid "$UID_"); R=$TAYGA_PID
	# 100 reload requests in about a second cost a few parses, not 100
	sleep 1.2
	L0=$(wc -l < "$LOG")
	for _ in $(seq 100); do kill -HUP "$P"; sleep 0.01; done
	check "E: requests coalesced: reloaded" wait_until 5 eval "log_since $L0 | grep -q 'reloaded '"
	sleep 1.5
	N=$(log_since "$L0" | grep -c 'SIGHUP: reloading')
	echo "# E: 100 reload requests -> $N parses"
	check "E: 100 reload requests cost at most 5 parses ($N)" test "$N" -le 5
	check "E: still translating" ping_ok "$NS_SERVER" 192.168.254.20
	stop_daemon; RC=$?
	check "E: clean exit ($RC)" test "$RC" = 0
fi

t_finish
