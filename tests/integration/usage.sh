#!/bin/bash
# usage.sh - issue 16: usage accounting and rate limits per client prefix.
# Two IPv6 client prefixes (/48s) ping the IPv4 server through the daemon
# with `usage-stats yes`, `usage-prefix-len 48 24` and `rate-limit 48 ...`:
#   - prefix A floods beyond its budget: packets are lost (in both
#     directions, counted under drop reason rate_limit), prefix B is not
#   - the stats-file's tayga_usage_* series and the SIGUSR1 usage lines
#     count exactly what was sent: B 10 requests of 1000 bytes as IPv4 and
#     10 replies of 1020 bytes as IPv6; A's replies + its rate-limited
#     packets add up to what it sent
#   - tayga_packets_total / tayga_bytes_total count what was written: a
#     rate-limited packet is a drop only (issue 22 J)
#   - IPv4 packets to the translator's own address (no IPv6 address to
#     charge) are counted under their /24 source prefix
#   - SIGHUP with a higher limit: counters keep counting, A is no longer
#     limited; with usage-interval 1 the lines are logged without SIGUSR1
#   - A gets its burst and the refill over the flood, no more (bytes, both
#     directions together)
#   - with usage-top 1 the stats-file series add up to everything the usage
#     lines counted: "other" is all the rest (issue 22 I)
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping python3
STATS="$NETNS_WORKDIR/tayga.prom"
LOG="$NETNS_WORKDIR/tayga.log"
A6=$CLIENT6                 # 2001:db8:1::2, static map: prefix A 2001:db8:1::/48
B6=2001:db8:2::2            # dynamic pool: prefix B 2001:db8:2::/48
nsclient ip addr add "$B6/128" dev c0 nodad
nsxlat ip -6 route add 2001:db8:2::/64 dev x0

LIMIT="rate-limit 48 10000 10000"
conf() {
	t_conf "usage-stats yes" "usage-prefix-len 48 24" "usage-interval ${2:-0}" "$1" \
		"stats-file $STATS" "stats-interval 1" ${3:+"$3"}
}
conf "$LIMIT"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }

# prom NAME{LABELS} : value of one series in the stats-file (0 if absent)
prom() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$STATS"; }
usage() { prom "tayga_usage_$1_total{prefix=\"$2\",dir=\"$3\"}"; }
# fresh stats-file: wait until it is rewritten after now
fresh_stats() {
	local t0; t0=$(date +%s)
	wait_until 5 eval "[ -f $STATS ] && [ \$(stat -c %Y $STATS) -gt $t0 ]"
}
# received COUNT from a ping summary
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"; }

# --- A floods (100 x 1000-byte pings in ~1 s, 100 kB each way against a
# 10 kB/s budget with a 10 kB burst), B stays well inside its own ---------
PA="$NETNS_WORKDIR/ping-a.log"; PB="$NETNS_WORKDIR/ping-b.log"
T0=$(date +%s%N)
nsclient ping -n -q -c 100 -i 0.01 -s 972 -W 2 -I "$A6" "$SERVER6" > "$PA" 2>&1 &
APID=$!
nsclient ping -n -q -c 10 -i 0.2 -s 972 -W 2 -I "$B6" "$SERVER6" > "$PB" 2>&1
wait "$APID"
T1=$(date +%s%N)
RA=$(received "$PA"); RB=$(received "$PB")
check "prefix B is unaffected: 10 of 10 replies ($RB)" [ "${RB:-0}" = 10 ]
check "prefix A is limited: fewer than 50 of 100 replies ($RA)" [ "${RA:-100}" -lt 50 ]

# --- IPv4 packets with no IPv6 address to charge ------------------------------
nsserver python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"x" * 12, ("'"$TAYGA_V4"'", 9))'

fresh_stats
PB6=2001:db8:2::/48; PA6=2001:db8:1::/48
check "B: 10 packets 6to4" [ "$(usage packets $PB6 6to4)" = 10 ]
check "B: 10000 bytes 6to4 (IPv4 1000 each)" [ "$(usage bytes $PB6 6to4)" = 10000 ]
check "B: 10 packets 4to6" [ "$(usage packets $PB6 4to6)" = 10 ]
check "B: 10200 bytes 4to6 (IPv6 1020 each)" [ "$(usage bytes $PB6 4to6)" = 10200 ]
check "B: nothing rate-limited" [ "$(usage packets $PB6 ratelimited)" = 0 ]
A46=$(usage packets $PA6 4to6); AL=$(usage packets $PA6 ratelimited)
check "A: replies delivered = replies received ($A46 = $RA)" [ "$A46" = "$RA" ]
check "A: delivered replies + rate-limited = 100 ($A46 + $AL)" [ $((A46 + AL)) = 100 ]
check "A: bytes match packets" \
	[ "$(usage bytes $PA6 4to6)" = $((A46 * 1020)) ]
# what A got through, both directions: its 10 kB burst (less at most one
# packet left over) and no more than burst + 10 kB/s refill + one packet
AB=$(( $(usage bytes $PA6 6to4) + $(usage bytes $PA6 4to6) ))
AMAX=$(( 10000 + (T1 - T0) / 100000 + 1020 ))   # 10000 B/s = 1 B per 100 us
check "A: delivered $AB bytes in $(( (T1 - T0) / 1000000 )) ms, within 8980..$AMAX" \
	[ "$AB" -ge 8980 -a "$AB" -le "$AMAX" ]
check "drops reason rate_limit = A's rate-limited packets ($AL)" \
	[ "$(prom 'tayga_drops_total{reason="rate_limit"}')" = "$AL" ]
# issue 22 J: a rate-limited packet is a drop only, not also translated
for d in 6to4 4to6; do
	W=$(( $(usage packets $PA6 $d) + $(usage packets $PB6 $d) ))
	WB=$(( $(usage bytes $PA6 $d) + $(usage bytes $PB6 $d) ))
	check "packets_total{dir=$d} counts what was written ($W)" \
		[ "$(prom "tayga_packets_total{dir=\"$d\"}")" = "$W" ]
	check "bytes_total{dir=$d} counts what was written ($WB)" \
		[ "$(prom "tayga_bytes_total{dir=\"$d\"}")" = "$WB" ]
done
check "unmapped: 3 packets from 192.0.2.0/24" [ "$(usage packets 192.0.2.0/24 unmapped)" = 3 ]
check "unmapped: 3 x 40 bytes" [ "$(usage bytes 192.0.2.0/24 unmapped)" = 120 ]

# --- SIGUSR1: one line per prefix with the counts so far --------------------
kill -USR1 "$TAYGA_PID"
check "SIGUSR1 usage line for B" wait_until 5 grep -q \
	"usage: $PB6 6to4 10 packets 10000 bytes, 4to6 10 packets 10200 bytes$" "$LOG"
A46TXT=""   # no 4to6 part when no reply got through
[ "$A46" -gt 0 ] && A46TXT=", 4to6 $A46 packets $((A46 * 1020)) bytes"
check "SIGUSR1 usage line for A with its rate-limited packets" wait_until 5 grep -q \
	"usage: $PA6 6to4 [0-9]* packets [0-9]* bytes$A46TXT, ratelimited $AL packets" "$LOG"
check "SIGUSR1 usage line for the unmapped /24" wait_until 5 grep -q \
	"usage: 192.0.2.0/24 unmapped 3 packets 120 bytes$" "$LOG"

# --- SIGHUP: higher limit, counters carry on ---------------------------------
conf "rate-limit 48 10M 1M"
kill -HUP "$TAYGA_PID"
check "reloaded" wait_until 5 grep -q "reloaded" "$LOG"
nsclient ping -n -q -c 100 -i 0.01 -s 972 -W 2 -I "$A6" "$SERVER6" > "$PA" 2>&1
check "after reload A is not limited: 100 of 100 ($(received "$PA"))" [ "$(received "$PA")" = 100 ]
nsclient ping -n -q -c 2 -i 0.2 -s 972 -W 2 -I "$B6" "$SERVER6" >/dev/null 2>&1
fresh_stats
check "B's counters kept counting across the reload (12 packets 6to4)" \
	[ "$(usage packets $PB6 6to4)" = 12 ]
check "A's counters kept counting (4to6 $A46 + 100)" \
	[ "$(usage packets $PA6 4to6)" = $((A46 + 100)) ]
kill -USR1 "$TAYGA_PID"
check "SIGUSR1 after reload: B's line has the 2 new packets only" wait_until 5 grep -q \
	"usage: $PB6 6to4 2 packets 2000 bytes, 4to6 2 packets 2040 bytes$" "$LOG"

# --- usage-interval: the lines come by themselves ---------------------------
conf "rate-limit 48 10M 1M" 1
kill -HUP "$TAYGA_PID"
check "reloaded with usage-interval 1" wait_until 5 eval "[ \$(grep -c reloaded $LOG) -ge 2 ]"
L0=$(wc -l < "$LOG")
nsclient ping -n -q -c 1 -s 972 -W 2 -I "$B6" "$SERVER6" >/dev/null 2>&1
# B's lines since the ping, direction totals (the request and the reply may
# fall into two intervals): "6to4 1 1000 4to6 1 1020"
b_since() {
	tail -n +$((L0 + 1)) "$LOG" | grep "usage: $PB6 " | awk '{
		for (i = 1; i <= NF; i++) if ($(i + 2) == "packets") { p[$i] += $(i + 1); b[$i] += $(i + 3) } }
		END { printf "6to4 %d %d 4to6 %d %d", p["6to4"], b["6to4"], p["4to6"], b["4to6"] }'
}
check "usage-interval lines for B without SIGUSR1" \
	wait_until 5 eval '[ "$(b_since)" = "6to4 1 1000 4to6 1 1020" ]'

# --- usage-top 1: the series still add up to every packet the usage lines
# counted, the rest is "other" (issue 22 I) ----------------------------------
conf "rate-limit 48 10M 1M" 1 "usage-top 1"
kill -HUP "$TAYGA_PID"
check "reloaded with usage-top 1" wait_until 5 eval "[ \$(grep -c reloaded $LOG) -ge 3 ]"
fresh_stats
# every usage line is a delta: their sum is all that was counted
lines_sum() { grep -o 'usage: .*' "$LOG" | awk '{ for (i = 2; i <= NF; i++)
	if ($i == "packets") s += $(i - 1) } END { print s + 0 }'; }
series_sum() { awk '/^tayga_usage_packets_total[{]/ { s += $2 } END { print s + 0 }' "$STATS"; }
check "the series add up to the usage lines' total" \
	wait_until 5 eval '[ "$(series_sum)" -gt 0 ] && [ "$(series_sum)" = "$(lines_sum)" ]'
echo "# series $(series_sum), lines $(lines_sum)"
labelled() { grep '^tayga_usage_packets_total{prefix=' "$STATS" | grep -v '"other"' |
	sed 's/,dir=.*//' | sort -u | wc -l; }
check "one prefix labelled ($(labelled))" [ "$(labelled)" = 1 ]
check "the rest under other" \
	[ "$(prom 'tayga_usage_packets_total{prefix="other",dir="6to4"}')" -gt 0 ]

stop_daemon; RC=$?
# under scripts/test's valgrind stage a leak or memory error makes this 99
check "clean stop: exit status 0" test "$RC" = 0
t_finish
