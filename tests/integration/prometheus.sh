#!/bin/bash
# prometheus.sh - issue 26: the operator's view with the real parts. The
# daemon's stats-file lies in the textfile directory of a real
# prometheus-node-exporter; a real prometheus scrapes it (both on loopback
# in the translator's namespace, scrape and rule evaluation every second)
# and loads contrib/prometheus/tayga.rules.yml. Through Prometheus's HTTP API:
#   - the daemon's series arrive
#   - no alert is active while the translator is idle and healthy
#   - traffic makes each alert's condition true in turn, and the alert
#     fires: malformed and unmapped drops far above their (idle) baseline,
#     ICMP errors rate-limited, a client network over its rate-limit, a
#     reload that fails; the pool alerts only once a spray of IPv6 sources
#     has exhausted the dynamic pool; the stale alert only once the daemon
#     is stopped; the absent alert only once its stats-file is gone
#   - every PromQL expression of the rules file (as Prometheus loaded it)
#     and of contrib/grafana/tayga.json returns data
# The rules are loaded with `for:` set to 0s (a test cannot wait the
# minutes an operator wants); the expressions are the file's, unchanged.
# `promtool check rules` checks the file itself.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

RULES="$SRCDIR/contrib/prometheus/tayga.rules.yml"
DASH="$SRCDIR/contrib/grafana/tayga.json"
for c in prometheus prometheus-node-exporter promtool; do
	command -v "$c" >/dev/null 2>&1 ||
		t_skip "$T_NAME: no $c (apt-get install prometheus prometheus-node-exporter)"
done
t_init ping python3 curl
PROMCHECK="$INTEG_DIR/promcheck.py"
TEXTDIR="$NETNS_WORKDIR/textfile"
STATS="$TEXTDIR/tayga.prom"
LOG="$NETNS_WORKDIR/tayga.log"
INTERVAL=3                  # stats-interval: stale after 3 x 3 s (2 s went stale once under load)
PURL=http://127.0.0.1:9090
mkdir -p "$TEXTDIR" "$NETNS_WORKDIR/tsdb"

check "promtool check rules $(basename "$RULES")" promtool check rules "$RULES"

# --- the daemon: pool, usage accounting, a low rate-limit per /48 ----------
conf() {
	t_conf "usage-stats yes" "usage-prefix-len 48 24" "rate-limit 48 20000 20000" \
		"stats-file $STATS" "stats-interval $INTERVAL" "$@"
}
# PROM_EXTRA: one more configuration line (prometheus-workers.sh: workers 2)
conf ${PROM_EXTRA:+"$PROM_EXTRA"}
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }
check "stats-file written" wait_until 10 test -s "$STATS"
check "promtool check metrics: the stats-file parses as Prometheus text" \
	eval "promtool check metrics < '$STATS' 2>&1 | { ! grep -iv 'no help text'; }"

# --- node_exporter and prometheus, loopback of the translator's namespace --
sed -E 's/^( *for:).*/\1 0s/' "$RULES" > "$NETNS_WORKDIR/rules.yml"
cat > "$NETNS_WORKDIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [ "$NETNS_WORKDIR/rules.yml" ]
scrape_configs:
  - job_name: node
    static_configs:
      - targets: [ "127.0.0.1:9100" ]
EOF
( nsexec "$NS_XLAT" prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$TEXTDIR" --web.listen-address=127.0.0.1:9100 \
	> "$NETNS_WORKDIR/node-exporter.log" 2>&1 ) &
netns_track_pid $!
( nsexec "$NS_XLAT" prometheus --config.file="$NETNS_WORKDIR/prometheus.yml" \
	--storage.tsdb.path="$NETNS_WORKDIR/tsdb" --web.listen-address=127.0.0.1:9090 \
	> "$NETNS_WORKDIR/prometheus.log" 2>&1 ) &
netns_track_pid $!
pc() { nsxlat timeout 20 python3 "$PROMCHECK" "$@"; }
check "node_exporter serves the daemon's series" wait_until 30 \
	eval "nsxlat curl -sf http://127.0.0.1:9100/metrics | grep -q '^tayga_packets_total{dir=\"4to6\"}'"
check "prometheus ready" wait_until 60 nsxlat curl -sf "$PURL/-/ready"
check "the daemon's series arrive in prometheus" \
	wait_until 30 pc query "$PURL" 'tayga_packets_total{job="node",dir="6to4"}'

# rules as Prometheus loaded them: KIND NAME EXPR
RULES_TSV="$NETNS_WORKDIR/rules.tsv"
check "prometheus loaded every rule of the file" eval '
	pc rules "$PURL" > "$RULES_TSV" &&
	[ "$(wc -l < "$RULES_TSV")" -gt 0 ] &&
	[ "$(wc -l < "$RULES_TSV")" = "$(grep -cE "^ *- (alert|record):" "$RULES")" ]'
ALERTS=$(awk -F'\t' '$1 == "alert" { print $2 }' "$RULES_TSV")
rule_expr() { awk -F'\t' -v n="$1" '$2 == n { print $3 }' "$RULES_TSV"; }
state() { pc state "$PURL" "$1"; }
# firing NAME : poll (bounded) until the alert fires
firing() { wait_until "${2:-45}" eval "[ \"\$(state $1)\" = firing ]"; }
# quiet NAMES... : none of them pending or firing, sampled SECONDS long
quiet_for() {
	local secs=$1 end a s; shift
	end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -lt "$end" ]; do
		for a in "$@"; do
			s=$(state "$a") || { echo "no state for $a"; return 1; }
			[ "$s" = inactive ] || { echo "$a is $s"; return 1; }
		done
		sleep 1
	done
}
declare -A DATA=()  # rule name -> its expression returned data
# has_data NAME : PASS/FAIL on whether the rule's expression returns data
# now (in this shell: DATA remembers it)
has_data() {
	local n=$1 out
	if out=$(pc query "$PURL" "$(rule_expr "$n")" 2>&1 </dev/null); then
		DATA[$n]=1
		t_pass "rule $n: its expression returns data ($out series)"
	else
		t_fail "rule $n: its expression returns no data ($out): $(rule_expr "$n")"
	fi
}

# --- idle and healthy: nothing fires (and the drop baselines are zero) -----
# an evaluation before the first scrape saw no series at all (absent() fired,
# with `for` 0 s): wait for one that has them
check "the rules were evaluated with the daemon's series present" \
	wait_until 15 eval '[ "$(state TaygaStatsAbsent)" = inactive ]'
check "idle: no alert pending or firing for 20 s" quiet_for 20 $ALERTS
check "ping through the static map" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"
check "ping through the dynamic pool" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"

# --- one condition at a time made true; the alert fires, its expression
# returns data while it does (the drop alerts compare with the average so far,
# which catches up with the spike: check at once) ---------------------------
inject() { nsxlat timeout 60 python3 "$NETTOOL" inject "$TUN_DEV" "$@" 2>/dev/null; }
fires() { check "$1 fires" firing "$1" && has_data "$1"; }
# made_true NAME CMD... : NAME is inactive, CMD makes its condition true, it fires
made_true() {
	local a=$1; shift
	check "$a inactive before its condition is true" quiet_for 1 "$a"
	"$@"
	fires "$a"
}
unmapped() {    # IPv4 to pool addresses nobody holds: no_map_dst
	nsxlat timeout 30 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3000):
    s.sendto(b"unmapped", ("192.168.255.%d" % (100 + i % 150), 9))'
}
# ~100 kB/s each way against 20 kB/s, for 5 s: several stats-file writes
# see the ratelimited counter grow (its series appears only once non-zero)
over_limit() {
	nsclient timeout 30 ping -n -q -c 500 -i 0.01 -s 972 -W 1 -I "$CLIENT6" "$SERVER6" >/dev/null 2>&1
}
bad_reload() {
	printf 'bogus-directive on\n' >> "$T_CONF"
	kill -HUP "$TAYGA_PID"
	check "the broken configuration is refused" wait_until 10 grep -q "reload failed" "$LOG"
}
# in this order: the ICMP errors of the hop-limit flood are charged to the
# client's /48 (over its limit by then), the unmapped packets ask for errors too
made_true TaygaClientRateLimited over_limit
made_true TaygaIcmpErrorsRateLimited inject --mode ttl1-6 --seconds 2
made_true TaygaMalformedDropsHigh inject --mode malformed --count 5000 --seed 26
made_true TaygaUnmappedDropsHigh unmapped
made_true TaygaReloadFailed bad_reload
check "pool alerts still inactive (pool not exhausted)" \
	quiet_for 2 TaygaDynamicPoolNearlyExhausted TaygaDynamicPoolExhausted TaygaDynamicPoolFull
check "stale/absent alerts inactive while the daemon runs" \
	quiet_for 2 TaygaStatsStale TaygaStatsAbsent

# --- every recording rule's and every dashboard expression returns data -----
while IFS=$'\t' read -r -u 3 kind name expr; do
	[ "$kind" = record ] && has_data "$name"
done 3< "$RULES_TSV"
DASH_EXPRS="$NETNS_WORKDIR/dash.txt"
check "dashboard: PromQL extracted" eval 'python3 "$PROMCHECK" dash "$DASH" 2m > "$DASH_EXPRS" && [ -s "$DASH_EXPRS" ]'
while IFS= read -r -u 3 e; do
	case $e in
	label_values$'\t'*)
		IFS=$'\t' read -r _ m l <<< "$e"
		check "dashboard variable label_values($m, $l) has values" pc labels "$PURL" "$m" "$l" ;;
	*) check "dashboard: $e" pc query "$PURL" "$e" ;;
	esac
done 3< "$DASH_EXPRS"

# --- a spray of IPv6 sources exhausts the dynamic pool ----------------------
made_true TaygaDynamicPoolNearlyExhausted \
	inject --mode spray6 --count 3000 --src-net 2001:db8:1::/64 --seed 26
fires TaygaDynamicPoolExhausted
fires TaygaDynamicPoolFull
check "the pool's drops say so too (pool_full)" \
	pc query "$PURL" 'tayga_drops_total{reason="pool_full"} > 0'

# --- the daemon stops: the stats-file goes stale ----------------------------
check "TaygaStatsStale inactive while the daemon runs" quiet_for 3 TaygaStatsStale
stop_daemon; RC=$?
check "clean stop: exit status 0" test "$RC" = 0
fires TaygaStatsStale
made_true TaygaStatsAbsent rm -f "$STATS"

MISSING=""
while IFS=$'\t' read -r kind name expr; do
	[ -n "${DATA[$name]:-}" ] || MISSING+=" $name"
done < "$RULES_TSV"
check "every rule's expression returned data at its time (missing:${MISSING:- none})" test -z "$MISSING"
t_finish
