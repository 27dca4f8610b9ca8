#!/bin/bash
# hostile.sh - issue 6: bounded floods of hostile traffic written straight
# into the translator's tun (an AF_PACKET socket in the translator's
# namespace, so the kernel's own input checks don't filter anything):
#   - malformed IPv4/IPv6 (truncated, bad IHL, length mismatches, options,
#     extension-header chains, fragments of every shape, ICMP errors quoting
#     ICMP errors, zero-length, junk)
#   - spoofed IPv6 sources against the dynamic pool
#   - ICMP error amplification (hop limit / TTL 1 floods): the errors the
#     translator sends must stay within its rate limit
#   - IPv4 martians, plain or embedded in the prefix (RFC 1812 5.3.7): no
#     error at all, each counted under drop reason martian
# The daemon must keep translating legitimate traffic during and after, and
# its memory must stay bounded.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

FLOOD_COUNT=${FLOOD_COUNT:-30000}
t_init ping socat python3 ss sha256sum
STATS="$NETNS_WORKDIR/tayga.prom"
t_conf "stats-file $STATS" "stats-interval 1"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$TAYGA_PID/status" 2>/dev/null; }
inject() { nsxlat timeout 120 python3 "$NETTOOL" inject "$TUN_DEV" "$@"; }

# dynamic client gets its mapping before the floods
check "baseline ping (static map)" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check "baseline ping (dynamic pool)" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
RSS0=$(rss_kb)

# accounted : translated + dropped + answered packets in the stats file
accounted() {
	awk '/^tayga_(packets_total|drops_total|echo_replies_total)/ { s += $NF } END { print s + 0 }' "$STATS"
}
tun_tx_dropped() { nsxlat cat "/sys/class/net/$TUN_DEV/statistics/tx_dropped"; }
# a fresh stats file (written every second)
fresh_stats() { rm -f "$STATS"; wait_until 5 test -s "$STATS"; }

# --- malformed flood, with a ping running through it ----------------------------
fresh_stats
A0=$(accounted); Q0=$(tun_tx_dropped)
DROPS0=$(grep '^tayga_drops_total' "$STATS")
PINGLOG="$NETNS_WORKDIR/ping-during.log"
nsclient timeout 60 ping -n -q -i 0.05 -w 4 -I "$CLIENT6" "$SERVER6" > "$PINGLOG" 2>&1 &
PINGPID=$!
check "malformed flood ($FLOOD_COUNT packets, both families)" \
	eval 'inject --mode malformed --count "$FLOOD_COUNT" --seed "${FLOOD_SEED:-$$}" 2> "$NETNS_WORKDIR/inject.err"'
wait "$PINGPID"
# every packet the daemon read is counted: translated, dropped (by reason)
# or answered; packets the kernel dropped at the tun queue never reached it
sleep 1.2; fresh_stats
A1=$(accounted); Q1=$(tun_tx_dropped)
SENT=$(sed -n 's/.*: \([0-9]*\) sent.*/\1/p' "$NETNS_WORKDIR/inject.err")
PING_PKTS=$(awk '/packets transmitted/ { print $1 + $4 }' "$PINGLOG")
check "every flood packet counted ($((A1 - A0)) counted, ${SENT:-?} sent, $((Q1 - Q0)) dropped by the kernel, ${PING_PKTS:-?} ping)" \
	test -n "$SENT" -a -n "$PING_PKTS" -a $((A1 - A0 - ${PING_PKTS:-0})) -ge $((${SENT:-1} - (Q1 - Q0)))
NREASONS=$(grep '^tayga_drops_total' "$STATS" | while read -r k v; do
	old=$(printf '%s\n' "$DROPS0" | awk -v k="$k" '$1 == k { print $2 }')
	[ "$v" -gt "${old:-0}" ] && echo "$k"
done | wc -l)
check "flood drops spread over several reasons ($NREASONS)" test "$NREASONS" -ge 5
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$PINGLOG")
if [ -n "$loss" ] && awk -v l="$loss" 'BEGIN { exit !(l <= 10) }'; then
	t_pass "legitimate ping during the flood (loss $loss%)"
else
	t_fail "legitimate ping during the flood (loss ${loss:-?}%)"; sed 's/^/    /' "$PINGLOG"
fi
check "daemon alive after malformed flood" kill -0 "$TAYGA_PID"
check "ping after malformed flood" ping_ok "$NS_CLIENT" "$SERVER6"
check "ping server -> client after malformed flood" ping_ok "$NS_SERVER" "$CLIENT4"
check "TCP transfer after malformed flood" \
	tcp_xfer push "$NS_SERVER" TCP4-LISTEN "$NS_CLIENT" "TCP6:[$SERVER6]" 5101

# --- spoofed sources against the dynamic pool ---------------------------------------
check "spoofed-source flood (5000 random IPv6 sources)" \
	inject --mode spray6 --count 5000 --src-net 2001:db8:1::/64 --seed 7
check "daemon alive after spoofed-source flood" kill -0 "$TAYGA_PID"
check "static-map client still translated" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check "existing dynamic mapping survives the pool flood" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"

# --- martians: dropped silently (RFC 1812 5.3.7, 4.3.2.7) -----------------------------
martian_drops() { awk '$1 == "tayga_drops_total{reason=\"martian\"}" { print $2 }' "$STATS"; }
martians() {
	local m0 m1 out
	fresh_stats; m0=$(martian_drops)
	nsxlat timeout 20 python3 "$NETTOOL" count-icmp "$TUN_DEV" --seconds 3 > "$NETNS_WORKDIR/count.martian" &
	local cpid=$!
	sleep 0.3
	inject --mode martian --count 80 --rate 200 >/dev/null 2>&1
	wait "$cpid"
	sleep 1.2; fresh_stats; m1=$(martian_drops)
	out=$(cat "$NETNS_WORKDIR/count.martian")
	echo "$out; martian drops ${m0:-?} -> ${m1:-?}"
	[ "$out" = "icmp4 0 icmp6 0" ] && [ -n "$m1" ] && [ $((m1 - ${m0:-0})) -eq 80 ]
}
check "martians dropped silently and counted (80 packets)" martians

# --- ICMP error amplification ----------------------------------------------------------
# Each hop-limit-1 packet asks for an ICMPv6 Time Exceeded. Default token
# bucket: 100/s, burst 50 -> over ~3 s at most 50 + 100 * 3 (+ slack).
amplify() {
	local mode=$1 fam=$2 out n
	sleep 1   # let the bucket refill
	nsxlat timeout 20 python3 "$NETTOOL" count-icmp "$TUN_DEV" --seconds 3 > "$NETNS_WORKDIR/count.$mode" &
	local cpid=$!
	sleep 0.3
	inject --mode "$mode" --seconds 2 >/dev/null 2>&1
	wait "$cpid"
	out=$(cat "$NETNS_WORKDIR/count.$mode")
	n=$(printf '%s\n' "$out" | awk -v f="icmp$fam" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }')
	echo "ICMPv$fam errors generated: ${n:-?}"
	[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -le 400 ]
}
check "ICMPv6 error amplification is rate-limited (hop limit 1 flood)" amplify ttl1-6 6
check "ICMPv4 error amplification is rate-limited (TTL 1 flood)" amplify ttl1-4 4

check "daemon alive at the end" kill -0 "$TAYGA_PID"
check "ping at the end" ping_ok "$NS_CLIENT" "$SERVER6"
RSS1=$(rss_kb)
if [ -z "${TAYGA_WRAPPER:-}" ] && [ -n "$RSS0" ] && [ -n "$RSS1" ]; then
	if [ $((RSS1 - RSS0)) -le 16384 ]; then
		t_pass "memory bounded (VmRSS $RSS0 kB -> $RSS1 kB)"
	else
		t_fail "memory grew (VmRSS $RSS0 kB -> $RSS1 kB)"
	fi
fi

# clean exit after all that
kill -TERM "$TAYGA_PID"
check "daemon exits after SIGTERM" wait_until 10 eval "! kill -0 $TAYGA_PID 2>/dev/null"
t_finish
