#!/bin/bash
# workers.sh - issue 25: `workers 2`, two translator processes on one
# multi-queue tun, 50 IPv6 client hosts (each in its own /48, addresses on
# one interface) and `rate-limit 48`:
#   - one IPv4 address per host for its UDP and TCP flows; pings from the
#     IPv4 side reach every host at that address (steered to the owner)
#   - a host's packets are counted by one worker only; both carry traffic
#   - kill -9 of one worker: the other's flows go on; the dead one is
#     restarted and its hosts keep their addresses
#   - SIGHUP under traffic loses nothing; dynamic.map is one file in
#     TAYGA's format with every host once; a restart keeps every address
#   - the rate limit of one /48 (three hosts in it) holds as with one worker
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
# shellcheck source=../../scripts/lib-scale.sh
. "$SRCDIR/scripts/lib-scale.sh"

t_init ping python3 socat
NH=50
STATS="$NETNS_WORKDIR/tayga.prom"
LOG="$NETNS_WORKDIR/tayga.log"
DMAP="$NETNS_WORKDIR/data/dynamic.map"
host() { printf '2001:db8:%x::1\n' $((0x100 + $1)); }
scale_hosts() { local k; for ((k = 0; k < NH; k++)); do host "$k"; done; }
for ((k = 0; k < NH; k++)); do nsclient ip addr add "$(host "$k")/128" dev c0 nodad; done
# two more hosts in host 0's /48: one client network, three hosts
A2=2001:db8:100::2; A3=2001:db8:100::3
nsclient ip addr add "$A2/128" dev c0 nodad
nsclient ip addr add "$A3/128" dev c0 nodad
nsxlat ip -6 route add 2001:db8:100::/40 via "$CLIENT6" dev x0
netns_nat_off
nsserver ip route replace "$POOL4" via "$XLAT4"

# rate-limit: the steering prefix (/48); generous until its own test at the end
conf() { t_conf "workers 2" "rate-limit 48 $1" "stats-file $STATS" "stats-interval 1"; }
conf "100M 100M"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }
check "started with 2 workers" wait_until 10 grep -q "started on $TUN_DEV with 2 workers" "$LOG"
wpid() { sed -n "s/.*worker $1 started on .*process \([0-9]*\)).*/\1/p" "$LOG" | tail -n 1; }
check "two worker processes under the parent" \
	eval "[ \$(pgrep -c -P $TAYGA_PID) = 2 ] && [ -n \"\$(wpid 0)\" ] && [ -n \"\$(wpid 1)\" ]"
scale_whoami_servers || t_error "whoami services on the server did not start"

prom() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$STATS"; }
wpkts() { prom "tayga_worker_packets_total{worker=\"$1\",dir=\"${2:-6to4}\"}"; }
fresh_stats() {
	local t0; t0=$(date +%s)
	wait_until 5 eval "[ -f $STATS ] && [ \$(stat -c %Y $STATS) -gt $t0 ]"
}
# the worker whose slice holds a pool address (two /25s of the /24)
owner() { case $1 in 192.168.255.*) echo $(( ${1##*.} / 128 )) ;; *) echo - ;; esac; }

# --- every host: one address for UDP and TCP, reachable from the IPv4 side -----------
declare -A V4U V4T
# HOST ADDRESS for each host; a host that did not answer (a datagram late
# under load: 1, 2, 3 s) is asked once more
whoami_all() {
	local h a miss=()
	while read -r h a; do
		if [ "$a" = - ]; then miss+=("$h"); else echo "$h $a"; fi
	done < <(scale_whoami "$1" $(scale_hosts))
	[ ${#miss[@]} = 0 ] || scale_whoami "$1" "${miss[@]}"
}
while read -r h a; do V4U[$h]=$a; done < <(whoami_all udp)
while read -r h a; do V4T[$h]=$a; done < <(whoami_all tcp)
N0=0; N1=0; BAD=""
for h in $(scale_hosts); do
	[ "${V4U[$h]}" != - ] && [ "${V4U[$h]}" = "${V4T[$h]}" ] || BAD="$BAD $h:${V4U[$h]}/${V4T[$h]}"
	case $(owner "${V4U[$h]}") in 0) N0=$((N0 + 1)) ;; 1) N1=$((N1 + 1)) ;; esac
done
check "each of $NH hosts has one IPv4 address for its UDP and TCP flows${BAD:+ (not:$BAD)}" \
	[ -z "$BAD" ]
echo "# hosts in worker 0's slice: $N0, in worker 1's: $N1"
check "both workers' slices are in use" [ "$N0" -gt 5 -a "$N1" -gt 5 -a $((N0 + N1)) = "$NH" ]
ping_all() {
	local h p bad=0 pids=()
	for h in $(scale_hosts); do
		nsserver ping -n -q -c 1 -W 3 "${V4U[$h]}" >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	echo "$bad of $NH unanswered"
	return $bad
}
check "pings from the IPv4 side reach all $NH hosts at their pool addresses" ping_all

# --- one worker per host (per-worker series), both carry traffic ---------------------
one_worker() {   # HOST: 20 pings, counted by the owner of its address only
	local h=$1 w b0 b1 d0 d1
	w=$(owner "${V4U[$h]}")
	sleep 1.2   # (earlier traffic's counts in first)
	fresh_stats; b0=$(wpkts 0); b1=$(wpkts 1)
	nsclient ping -n -q -c 20 -i 0.02 -I "$h" "$SERVER6" >/dev/null 2>&1
	# a worker copies its counters for the sum at least once a second
	sleep 1.2
	fresh_stats; d0=$(( $(wpkts 0) - b0 )); d1=$(( $(wpkts 1) - b1 ))
	echo "$h (slice of worker $w): worker 0 +$d0, worker 1 +$d1"
	if [ "$w" = 0 ]; then [ "$d0" -ge 20 ] && [ "$d1" = 0 ]; else [ "$d1" -ge 20 ] && [ "$d0" = 0 ]; fi
}
S0=""; S1=""
for h in $(scale_hosts); do
	case $(owner "${V4U[$h]}") in
	0) [ -z "$S0" ] && S0=$h ;;
	1) [ -z "$S1" ] && S1=$h ;;
	esac
done
check "host $S0: its packets counted by its worker only" one_worker "$S0"
check "host $S1: its packets counted by its worker only" one_worker "$S1"
check "both workers translated packets (per-worker series)" \
	eval "[ \$(wpkts 0) -gt 0 ] && [ \$(wpkts 1) -gt 0 ] && [ \$(wpkts 0 4to6) -gt 0 ] && [ \$(wpkts 1 4to6) -gt 0 ]"
check "the sum is the total" eval "[ \$(( \$(wpkts 0) + \$(wpkts 1) )) = \$(prom 'tayga_packets_total{dir=\"6to4\"}') ]"

# --- kill -9 of worker 1 while worker 0 carries a TCP transfer and a ping -------------
W1=$(wpid 1)
SAVE="$NETNS_WORKDIR/slow.sent"; RECV="$NETNS_WORKDIR/slow.recv"
( nsexec "$NS_SERVER" timeout 30 socat -u "TCP4-LISTEN:7100,reuseaddr" "CREATE:$RECV" ) &
LPID=$!
wait_listen "$NS_SERVER" tcp 7100 || t_error "TCP listener did not come up"
nsclient timeout 30 python3 "$NETTOOL" tcp-slow-send "$SERVER6" 7100 --bind "$S0" \
	--bytes $((2 * 1024 * 1024)) --seconds 4 --save "$SAVE" 2>/dev/null &
SPID=$!
nsclient ping -n -q -i 0.1 -c 40 -w 10 -I "$S0" "$SERVER6" > "$NETNS_WORKDIR/ping-kill.out" 2>&1 &
PPID_=$!
sleep 1.5
kill -KILL "$W1"
check "worker 1 is restarted" wait_until 10 eval "[ -n \"\$(wpid 1)\" ] && [ \"\$(wpid 1)\" != $W1 ]"
wait "$SPID"; SRC=$?
wait "$LPID"; LRC=$?
check "worker 0's TCP transfer ($S0) went on across the kill: sender $SRC, receiver $LRC, same bytes" \
	eval "[ $SRC = 0 ] && [ $LRC = 0 ] && cmp -s '$SAVE' '$RECV'"
wait "$PPID_"
check "worker 0's ping ($S0) lost nothing across the kill" \
	grep -q ' 40 received, 0% packet loss' "$NETNS_WORKDIR/ping-kill.out"
same_addresses() {   # every host answers from the address it had
	local h a bad=0
	while read -r h a; do
		[ "$a" = "${V4U[$h]}" ] || { echo "$h: ${V4U[$h]} -> $a"; bad=1; }
	done < <(whoami_all udp)
	return $bad
}
check "after the restart every host (worker 1's too) has its old address" same_addresses
two_same() {
	local h a bad=0
	while read -r h a; do [ "$a" = "${V4U[$h]}" ] || { echo "$h: ${V4U[$h]} -> $a"; bad=1; }
	done < <(scale_whoami udp "$S0" "$S1")
	return $bad
}
# both at once: each is forked again on its own queue
K0=$(wpid 0); K1=$(wpid 1)
kill -KILL "$K0" "$K1"
check "both workers killed at once are restarted" wait_until 15 eval \
	"[ \$(wpid 0) != $K0 ] && [ \$(wpid 1) != $K1 ] && [ \$(pgrep -c -P $TAYGA_PID) = 2 ]"
check "a host of each worker at its address after that" two_same
# signals while a worker starts (another worker's SIGCHLD, a SIGHUP) are not
# its start failing: the parent goes on waiting for the new worker's report
K0=$(wpid 0)
# a stream of SIGHUPs (reloads are coalesced to one a second) over the
# restart, which takes a few milliseconds
timeout 1 bash -c "while kill -HUP $TAYGA_PID 2>/dev/null; do :; done" &
HUPS=$!
sleep 0.2
kill -KILL "$K0"
wait "$HUPS"
check "SIGHUPs while a worker restarts do not stop the daemon" wait_until 15 eval \
	"[ \$(wpid 0) != $K0 ] && [ \$(pgrep -c -P $TAYGA_PID) = 2 ] && kill -0 $TAYGA_PID"

# --- SIGHUP under traffic ---------------------------------------------------------------
RL0=$(grep -c 'reloaded ' "$LOG")
nsclient ping -n -q -i 0.05 -c 80 -w 15 -I "$S0" "$SERVER6" > "$NETNS_WORKDIR/ping-hup0.out" 2>&1 &
P0=$!
nsclient ping -n -q -i 0.05 -c 80 -w 15 -I "$S1" "$SERVER6" > "$NETNS_WORKDIR/ping-hup1.out" 2>&1 &
P1=$!
sleep 1; kill -HUP "$TAYGA_PID"; sleep 1.5; kill -HUP "$TAYGA_PID"
wait "$P0"; wait "$P1"
check "both workers reloaded twice" eval "[ \$(grep -c 'reloaded ' '$LOG') -ge $((RL0 + 4)) ]"
check "no packet lost across two reloads (both workers)" \
	eval "grep -q ' 0% packet loss' '$NETNS_WORKDIR/ping-hup0.out' && grep -q ' 0% packet loss' '$NETNS_WORKDIR/ping-hup1.out'"

# --- SIGUSR1: the sum and each worker's packets; a reload that would move the
# steering (another dynamic-pool) is refused, the running one stays ------------
kill -USR1 "$TAYGA_PID"
check "SIGUSR1 logs each worker's packets" wait_until 5 eval \
	"grep -q 'stats: worker 0: 4to6 [0-9]* packets, 6to4 [0-9]* packets' '$LOG' && grep -q 'stats: worker 1: 4to6' '$LOG'"
check "SIGUSR1 logs the sum once (worker 0)" eval "[ \$(grep -c 'stats: 4to6 ' '$LOG') = 1 ]"
cp "$T_CONF" "$NETNS_WORKDIR/good.conf"
sed -i 's|^dynamic-pool .*|dynamic-pool 192.168.255.0/25|' "$T_CONF"
kill -HUP "$TAYGA_PID"
check "a reload that changes dynamic-pool is refused" wait_until 5 grep -q \
	'reload failed, keeping the running configuration: with workers 2, dynamic-pool' "$LOG"
cp "$NETNS_WORKDIR/good.conf" "$T_CONF"
# a worker forked now is built from the running configuration, not that one
K0=$(wpid 0)
kill -KILL "$K0"
check "worker 0 restarted after the refused reload" wait_until 10 eval "[ \$(wpid 0) != $K0 ]"
check "still translating for a host of each worker, at the same addresses" two_same

# --- SIGTERM, dynamic.map, restart --------------------------------------------------------
kill -TERM "$TAYGA_PID"
check "SIGTERM stops the parent and both workers" wait_until 10 eval "! kill -0 $TAYGA_PID 2>/dev/null"
dmap_complete() {   # TAYGA's format; every host once, with the address it had
	local h bad=0
	[ "$(grep -vc '^#' "$DMAP")" -ge "$NH" ] || { echo "too few lines"; bad=1; }
	for h in $(scale_hosts); do
		[ "$(grep -c "	$h	" "$DMAP")" = 1 ] || { echo "$h: not once"; bad=1; }
		grep -q "^${V4U[$h]}	$h	[0-9]*\$" "$DMAP" || { echo "$h: no line ${V4U[$h]}"; bad=1; }
	done
	return $bad
}
check "dynamic.map: one file, every host once with its address" dmap_complete
conf "2000 10000"
tayga_start_fg "$T_CONF" || t_fail "daemon restart"
check "restarted with 2 workers" wait_until 10 eval "[ \$(grep -c 'with 2 workers' '$LOG') = 2 ]"
check "after a restart every host has its old address" same_addresses

# --- rate-limit 48 2000 10000: three hosts of one /48 flood together -----------------
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"; }
T0=$(date +%s%N)
RPIDS=()
for a in "$(host 0)" "$A2" "$A3"; do
	nsclient ping -n -q -c 34 -i 0.02 -s 972 -W 2 -I "$a" "$SERVER6" > "$NETNS_WORKDIR/rl-$a.log" 2>&1 &
	RPIDS+=($!)
done
wait "${RPIDS[@]}"; T1=$(date +%s%N)
R=0; for a in "$(host 0)" "$A2" "$A3"; do R=$((R + $(received "$NETNS_WORKDIR/rl-$a.log"))); done
# a reply that came back cost 1000 bytes one way and 1020 the other: what got
# through is at most the 10 kB burst + 2000 B/s + one packet (as with one
# worker, usage.sh); two workers each with a bucket would pass twice that
RMAX=$(( (10000 + (T1 - T0) / 500000 + 1020) / 2020 ))
check "the /48 of three hosts gets its burst and refill, no more: $R replies in $(( (T1 - T0) / 1000000 )) ms, 2..$RMAX" \
	[ "$R" -ge 2 -a "$R" -le "$RMAX" ]


# --- with -u/-r: a replacement worker enters the jail too ------------------------------
kill -TERM "$TAYGA_PID"
wait_until 10 eval "! kill -0 $TAYGA_PID 2>/dev/null"
chmod 0755 "$NETNS_WORKDIR"
# LeakSanitizer reads /proc/PID/task at exit, which the jail lacks (chroot.sh)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
t_conf "workers 2" "rate-limit 48 100M 100M"
tayga_start_fg "$T_CONF" -u nobody -r || t_fail "daemon start with -u nobody -r"
check "started with 2 workers as nobody in the jail" wait_until 10 eval \
	"[ \$(grep -c 'with 2 workers' '$LOG') = 3 ] && [ \$(pgrep -c -u nobody -P $TAYGA_PID) = 2 ]"
W1=$(wpid 1)
kill -KILL "$W1"
check "-u/-r: worker 1 is restarted, as nobody" wait_until 10 eval \
	"[ \$(wpid 1) != $W1 ] && [ \$(pgrep -c -u nobody -P $TAYGA_PID) = 2 ]"
check "-u/-r: a host of each worker at its address" two_same

# --- under the hardened tayga.service with the drop-in docs/deployment.md gives -----
kill -TERM "$TAYGA_PID"
wait_until 10 eval "! kill -0 $TAYGA_PID 2>/dev/null"
UNIT="${INIT_DIR:-$(dirname "$TAYGA_BIN")/init}/tayga.service"
DROPIN=$(sed -n '/^# \/etc\/systemd\/system\/tayga.service.d\/workers.conf/,/^```/p' \
	"$SRCDIR/docs/deployment.md" | grep '^[A-Za-z]*=')
check "docs/deployment.md gives the drop-in (CAP_BPF, bpf)" eval "echo '$DROPIN' | grep -q CAP_BPF"
if [ -r "$UNIT" ] && command -v systemd-analyze >/dev/null 2>&1; then
	# the drop-in's lines at the end of [Service]
	awk -v add="$DROPIN" '/^\[Install\]/ { print add } { print }' "$UNIT" > "$NETNS_WORKDIR/tayga.service"
	check "systemd-analyze security: tayga.service + the workers drop-in at most 2.5" eval \
		"lvl=\$(systemd-analyze security --offline=true '$NETNS_WORKDIR/tayga.service' 2>&1 | sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'); echo \"exposure \$lvl\"; [ -n \"\$lvl\" ] && awk -v l=\"\$lvl\" 'BEGIN { exit !(l <= 2.5) }'"
fi
# the unit's user and capabilities (+ the drop-in's CAP_BPF), read-only system
STATE="$NETNS_WORKDIR/state"; mkdir -p "$STATE"; chown nobody: "$STATE"
DATA_DIR=$STATE t_conf "workers 2"
L0=$(grep -c 'with 2 workers' "$LOG")
# shellcheck disable=SC2016
( nsexec "$NS_XLAT" unshare --mount --propagation private sh -c '
	mount -t tmpfs -o mode=0755 tmpfs /dev/net && mknod -m 0666 /dev/net/tun c 10 200 &&
	mount --bind "$1" "$1" && mount -o remount,bind,ro / && shift &&
	exec setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups --no-new-privs \
		--inh-caps=-all,+net_admin,+bpf --ambient-caps=+net_admin,+bpf \
		--bounding-set=-all,+net_admin,+bpf "$1" -n -c "$2"' sh "$STATE" "$TAYGA_BIN" "$T_CONF"
) >>"$LOG" 2>&1 </dev/null &
UPID=$!
netns_track_pid "$UPID"
check "unit: started with 2 workers as nobody" wait_until 10 eval \
	"[ \$(grep -c 'with 2 workers' '$LOG') -gt $L0 ]"
tun_routes
capeff() { awk '$1 == "CapEff:" { print $2 }' "/proc/$1/status"; }
check "unit: the parent dropped CAP_BPF (NET_ADMIN only), the workers have nothing" eval \
	"[ \$(capeff $UPID) = 0000000000001000 ] && [ \"\$(for p in \$(pgrep -P $UPID); do capeff \$p; done | sort -u)\" = 0000000000000000 ]"
check "unit: translates (dynamic pool)" ping_ok "$NS_CLIENT" "$SERVER6" -I "$S0"
kill -TERM "$UPID"
check "unit: SIGTERM stops it" wait_until 10 eval "! kill -0 $UPID 2>/dev/null"

t_finish
