#!/bin/bash
# paths.sh - issue 14.5, files that are not what they seem:
#   - a config that is a FIFO is refused at once (start-up, --check-config)
#     and at SIGHUP, where it used to freeze all translation
#   - data-dir naming a regular file, a stats-file in a missing directory, a
#     directory, the config itself, or (with -r) outside the jail: start-up
#     stops with file:line: directive: message
#   - a write that keeps failing (stats-file, dynamic.map) is logged once,
#     not at every attempt
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping
W=$NETNS_WORKDIR
LOG="$W/tayga.log"
STATS="$W/stats/tayga.prom"
mkdir -p "$W/stats"

# refused CONF WANT DESC [ARGS] : the daemon exits 1 within 5 s, saying WANT
refused() {
	local conf=$1 want=$2 desc=$3 out rc; shift 3
	out=$(timeout 5 ip netns exec "$NS_XLAT" "$TAYGA_BIN" -n -c "$conf" "$@" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -qF -- "$want" <<<"$out"; then
		t_pass "$desc"
	else
		t_fail "$desc (exit $rc, want \"$want\")"; printf '    %s\n' "$out"
	fi
}

mkfifo "$W/fifo.conf"
refused "$W/fifo.conf" "$W/fifo.conf: is a FIFO, not a regular file" "a FIFO config is refused at start-up"
refused "$W/fifo.conf" "is a FIFO" "and by --check-config" --check-config

# base config: data-dir is line 8, extra lines start at 9
touch "$W/plainfile"
DATA_DIR="$W/plainfile" tayga_write_conf "$W/bad.conf" 2>/dev/null  # its mkdir -p fails
refused "$W/bad.conf" "bad.conf:8: data-dir: $W/plainfile is a regular file, not a directory" \
	"data-dir naming a regular file"
tayga_write_conf "$W/bad.conf" "stats-file $W/none/tayga.prom"
refused "$W/bad.conf" "bad.conf:9: stats-file: directory $W/none: No such file or directory" \
	"stats-file in a missing directory"
tayga_write_conf "$W/bad.conf" "stats-file $W/stats"
refused "$W/bad.conf" "bad.conf:9: stats-file: $W/stats is a directory, not a regular file" \
	"stats-file naming a directory"
tayga_write_conf "$W/bad.conf" "stats-file $W/bad.conf"
refused "$W/bad.conf" "bad.conf:9: stats-file: $W/bad.conf is the configuration file" \
	"stats-file naming the config itself"
tayga_write_conf "$W/bad.conf" "stats-file $STATS"
refused "$W/bad.conf" "(with -r the stats-file is written inside data-dir)" \
	"with -r, a stats-file outside the jail" -r

# the running daemon: stats every second
t_conf "stats-file $STATS" "stats-interval 1"
cp "$T_CONF" "$W/good.conf"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }
check "translating" ping_ok "$NS_CLIENT" "$SERVER6"
check "stats-file written" wait_until 5 test -s "$STATS"

# SIGHUP with the config replaced by a FIFO: refused at once, the loop goes on
rm "$T_CONF"; mkfifo "$T_CONF"
kill -HUP "$TAYGA_PID"
check "FIFO config at SIGHUP: the error is logged" \
	wait_until 5 grep -qF "reload failed, keeping the running configuration: $T_CONF: is a FIFO" "$LOG"
check "and translation goes on" ping_ok "$NS_CLIENT" "$SERVER6"
rm "$T_CONF"; cp "$W/good.conf" "$T_CONF"

# a stats-file write that fails every second (its directory read-only: the
# root daemon keeps no CAP_DAC_OVERRIDE for its own directories): one line
# at once, not one a second
chmod 0555 "$W/stats"
check "a failing stats-file write is logged" wait_until 5 grep -q "cannot write $STATS: " "$LOG"
sleep 3
n=$(grep -c "cannot write $STATS: " "$LOG")
if [ "$n" = 1 ]; then t_pass "logged once in 3+ failing seconds"; else t_fail "logged $n times in 3+ s"; fi
chmod 0755 "$W/stats"

# dynamic.map saves failing (a second after each new mapping): one line
DMAP="$W/data/dynamic.map"
chmod 0555 "$W/data"
for i in 31 32 33; do
	nsclient ip addr add "2001:db8:1::$i/64" dev c0 nodad
	check "dynamic client ::$i translated" ping_ok "$NS_CLIENT" "$SERVER6" -I "2001:db8:1::$i"
	sleep 1.2
done
n=$(grep -c "cannot write $DMAP: " "$LOG")
if [ "$n" = 1 ]; then
	t_pass "3 failed dynamic.map saves logged once"
else
	t_fail "failed dynamic.map saves logged $n times"
fi
check "the line counts the failures" grep -q "cannot write $DMAP: Permission denied (1 failures so far" "$LOG"
chmod 0755 "$W/data"

kill -TERM "$TAYGA_PID"
expect_exit "$TAYGA_PID" 0 "SIGTERM"
t_finish
