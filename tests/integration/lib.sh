# lib.sh - shared helpers for tests/integration/*.sh (not a test itself).
#
# Environment (set by `make check`, all optional when run by hand as root):
#   TAYGA_BIN      daemon under test (default ./tayga)
#   SRCDIR         source tree (default: two levels above this file)
#   TAYGA_OFFLOAD  auto|on|off -> adds `offload X` to the generated config
#   TAYGA_IO_URING auto|on|off -> adds `io-uring X` to the generated config
#   TAYGA_WRAPPER  command prefix for the daemon, e.g. "valgrind --error-exitcode=99"
#   XFER_MB        size of the TCP transfers (default 5)
#   KEEP_WORKDIR   keep configs/logs after the run
# Exit status follows automake: 0 pass, 1 fail, 77 skip, 99 hard error.

INTEG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$INTEG_DIR/../.." && pwd)}
TAYGA_BIN=${TAYGA_BIN:-./tayga}
case $TAYGA_BIN in /*) ;; *) TAYGA_BIN="$PWD/$TAYGA_BIN" ;; esac
XFER_MB=${XFER_MB:-5}
NETTOOL="$INTEG_DIR/nettool.py"

# shellcheck source=../../scripts/lib-netns.sh
. "$SRCDIR/scripts/lib-netns.sh"

T_FAILS=0
T_PASSES=0
T_NAME=${T_NAME:-$(basename "$0" .sh)}

t_pass() { T_PASSES=$((T_PASSES + 1)); echo "PASS: $*"; }
t_fail() { T_FAILS=$((T_FAILS + 1)); echo "FAIL: $*"; }
t_skip() { echo "SKIP: $*"; exit 77; }
t_error() { echo "ERROR: $*"; exit 99; }

# check DESCRIPTION CMD... : run CMD (output captured), PASS/FAIL on its status
check() {
	# locals are prefixed: CMD may be an eval that reads the caller's
	# variables (a local "out" here would shadow the caller's "out")
	local _c_desc=$1; shift
	local _c_out _c_rc _c_t0 _c_ms
	_c_t0=$(date +%s%N)
	_c_out=$("$@" 2>&1); _c_rc=$?
	_c_ms=$(( ($(date +%s%N) - _c_t0) / 1000000 ))
	if [ $_c_rc = 0 ]; then
		t_pass "$_c_desc [${_c_ms} ms]"
	else
		t_fail "$_c_desc (exit $_c_rc) [${_c_ms} ms]"
		[ -n "$_c_out" ] && printf '%s\n' "$_c_out" | tail -n 15 | sed 's/^/    /'
	fi
	return $_c_rc
}

# check_not DESCRIPTION CMD... : passes when CMD fails
check_not() {
	local desc=$1; shift
	if "$@" >/dev/null 2>&1; then t_fail "$desc"; return 1; fi
	t_pass "$desc"
}

# t_init TOOL... : skip unless root + namespaces + tools; build the lab
t_init() {
	if [ ! -x "$TAYGA_BIN" ]; then t_error "TAYGA_BIN $TAYGA_BIN is not executable"; fi
	local why
	if ! why=$(netns_missing_prereq "$@" 2>&1); then t_skip "$T_NAME: $why"; fi
	echo "# $T_NAME: daemon $TAYGA_BIN${TAYGA_OFFLOAD:+, offload $TAYGA_OFFLOAD}${TAYGA_IO_URING:+, io-uring $TAYGA_IO_URING}${TAYGA_WRAPPER:+, wrapper $TAYGA_WRAPPER}"
	netns_setup || t_error "cannot build the namespace topology"
	T_CONF="$NETNS_WORKDIR/tayga.conf"
}

# t_conf [EXTRA_LINE...] : write $T_CONF with the lab defaults (+ offload, io-uring)
t_conf() {
	local extra=("$@")
	[ -n "${TAYGA_OFFLOAD:-}" ] && extra+=("offload $TAYGA_OFFLOAD")
	[ -n "${TAYGA_IO_URING:-}" ] && extra+=("io-uring $TAYGA_IO_URING")
	tayga_write_conf "$T_CONF" "${extra[@]}"
}

t_finish() {
	echo "# $T_NAME: $T_PASSES passed, $T_FAILS failed"
	if [ "$T_FAILS" != 0 ]; then
		tayga_log_tail
		exit 1
	fi
	exit 0
}

# ping_ok NS ADDR [ping args] : 3 echo replies within 5 s
ping_ok() {
	local ns=$1 addr=$2; shift 2
	nsx "$ns" ping -n -q -c 3 -i 0.2 -w 5 "$@" "$addr"
}

# make_file PATH MB : random content
make_file() { head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1"; }

# tcp_xfer MODE LISTEN_NS LISTEN_SPEC CONNECT_NS CONNECT_SPEC PORT
#   MODE push: the connecting side sends; pull: the listening side sends.
#   LISTEN_SPEC is TCP4-LISTEN or TCP6-LISTEN; CONNECT_SPEC e.g.
#   "TCP6:[2001:db8:64::c000:202]" (":PORT" is appended) plus options.
# Verifies the received file's sha256 against the sent one.
tcp_xfer() {
	local mode=$1 lns=$2 lspec=$3 cns=$4 cspec=$5 port=$6 opts=${7:-}
	local src="$NETNS_WORKDIR/xfer.src" dst="$NETNS_WORKDIR/xfer.dst.$port" lpid
	[ -f "$src" ] || make_file "$src" "$XFER_MB"
	rm -f "$dst"
	if [ "$mode" = push ]; then
		( nsexec "$lns" timeout 60 socat -u "$lspec:$port,reuseaddr" "CREATE:$dst" ) &
	else
		( nsexec "$lns" timeout 60 socat -u "OPEN:$src" "$lspec:$port,reuseaddr" ) &
	fi
	lpid=$!
	if ! wait_listen "$lns" tcp "$port"; then
		kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
		echo "listener on port $port did not come up"; return 1
	fi
	if [ "$mode" = push ]; then
		nsx "$cns" timeout 60 socat -u "OPEN:$src" "$cspec:$port$opts" || {
			kill "$lpid" 2>/dev/null; wait "$lpid"; echo "sender failed"; return 1; }
	else
		nsx "$cns" timeout 60 socat -u "$cspec:$port$opts" "CREATE:$dst" || {
			kill "$lpid" 2>/dev/null; wait "$lpid"; echo "receiver failed"; return 1; }
	fi
	wait "$lpid" || { echo "listener side failed"; return 1; }
	local a b
	a=$(sha256sum < "$src" | cut -d' ' -f1)
	b=$(sha256sum < "$dst" | cut -d' ' -f1)
	rm -f "$dst"
	if [ "$a" != "$b" ]; then echo "sha256 mismatch: sent $a received $b"; return 1; fi
}

# stop_daemon : SIGTERM, reap it (SIGKILL after 10 s); status = the daemon's
# exit status. Must run in this shell, not inside `check` (a subshell can't
# wait for it).
stop_daemon() {
	local guard rc
	kill -TERM "$TAYGA_PID"
	( sleep 10; kill -KILL "$TAYGA_PID" ) 2>/dev/null &
	guard=$!
	wait "$TAYGA_PID"; rc=$?
	kill "$guard" 2>/dev/null; wait "$guard" 2>/dev/null
	return $rc
}

# expect_exit PID STATUS DESC : PID (a child of this shell) must exit within
# 10 s with STATUS; SIGKILLed otherwise
expect_exit() {
	local pid=$1 want=$2 desc=$3 rc
	if wait_until 10 eval "! kill -0 $pid 2>/dev/null"; then
		wait "$pid"; rc=$?
		if [ "$rc" = "$want" ]; then t_pass "$desc: daemon exited with status $want"
		else t_fail "$desc: daemon exited with status $rc, expected $want"; fi
	else
		t_fail "$desc: daemon still running after 10 s"
		kill -KILL "$pid" 2>/dev/null
	fi
}

# v4_of IPV6 : the IPv4 address the dynamic.map at $DMAP assigns to it
v4_of() { awk -F'\t' -v a="$1" '!/^#/ && $2 == a { print $1 }' "$DMAP"; }

# udp_echo SERVER_NS SERVER_BIND_ADDR CLIENT_NS HOST PORT [client args]:
# datagrams of varied size go out and must come back byte for byte
# udp_burst: the same with same-size datagrams sent in bursts (nettool.py
# udp-burst-client)
udp_burst() { UDP_CLIENT=udp-burst-client udp_echo "$@"; }

# The server waits 20 s for its first datagram: under load a python client
# can take seconds to start, and a server gone idle answers port unreachable.
udp_echo() {
	local sns=$1 baddr=$2 cns=$3 host=$4 port=$5; shift 5
	local spid rc fam=4
	case $baddr in *:*) fam=6 ;; esac
	( nsexec "$sns" timeout 60 python3 "$NETTOOL" udp-echo-server "$port" --family "$fam" --bind "$baddr" --idle 20 ) &
	spid=$!
	if ! wait_listen "$sns" udp "$port"; then
		kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
		echo "udp echo server did not come up"; return 1
	fi
	nsx "$cns" timeout 60 python3 "$NETTOOL" "${UDP_CLIENT:-udp-echo-client}" "$host" "$port" "$@"
	rc=$?
	kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
	return $rc
}
