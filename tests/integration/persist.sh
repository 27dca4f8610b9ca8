#!/bin/bash
# persist.sh - issue 4: dynamic.map in data-dir
#   - dynamic assignments survive a restart (same IPv4 for the same IPv6)
#   - a TAYGA 0.9.2-style file with damaged lines loads its valid lines and
#     names the bad ones by line number
#   - SIGKILL while mappings are being created leaves a valid, loadable file
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping python3
DMAP="$NETNS_WORKDIR/data/dynamic.map"
for a in 4 5 6; do nsclient ip addr add "2001:db8:1::$a/64" dev c0 nodad; done
t_conf

touch_from() { ping_ok "$NS_CLIENT" "$SERVER6" -I "$1"; }

# validate_dmap FILE POOL : every non-comment line is IPv4 TAB IPv6 TAB
# seconds, IPv4 inside POOL, no IPv4 or IPv6 twice
validate_dmap() {
	python3 - "$1" "$2" <<-'EOF'
	import ipaddress, sys
	pool = ipaddress.IPv4Network(sys.argv[2])
	seen4, seen6, n = set(), set(), 0
	for i, line in enumerate(open(sys.argv[1], encoding="ascii"), 1):
	    line = line.rstrip("\n")
	    if not line.strip() or line.lstrip().startswith("#"):
	        continue
	    f = line.split("\t")
	    try:
	        assert len(f) == 3, "fields"
	        a4 = ipaddress.IPv4Address(f[0]); a6 = ipaddress.IPv6Address(f[1]); int(f[2])
	        assert a4 in pool, "not in pool"
	        assert a4 not in seen4 and a6 not in seen6, "duplicate"
	    except Exception as e:
	        sys.exit(f"line {i}: {line!r}: {e}")
	    seen4.add(a4); seen6.add(a6); n += 1
	print(f"{n} mappings")
	EOF
}

# --- assignments survive a restart ---------------------------------------------------
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }
check "dynamic client ::3 translated" touch_from 2001:db8:1::3
check "dynamic client ::4 translated" touch_from 2001:db8:1::4
stop_daemon; RC=$?
check "clean stop: exit status 0 and dynamic.map written" test "$RC" = 0 -a -s "$DMAP"
A3=$(v4_of 2001:db8:1::3); A4=$(v4_of 2001:db8:1::4)
check "dynamic.map has both clients ($A3, $A4)" test -n "$A3" -a -n "$A4" -a "$A3" != "$A4"
check "dynamic.map is well-formed" validate_dmap "$DMAP" "$POOL4"

tayga_start_fg "$T_CONF" || { t_fail "daemon restart"; t_finish; }
check "new client ::5 first after restart" touch_from 2001:db8:1::5
check "then ::3 and ::4 again" eval "touch_from 2001:db8:1::3 && touch_from 2001:db8:1::4"
stop_daemon
check "::3 kept its IPv4 across the restart" test -n "$A3" -a "$(v4_of 2001:db8:1::3)" = "$A3"
check "::4 kept its IPv4 across the restart" test -n "$A4" -a "$(v4_of 2001:db8:1::4)" = "$A4"
A5=$(v4_of 2001:db8:1::5)
check "::5 got a different address ($A5)" test -n "$A5" -a "$A5" != "$A3" -a "$A5" != "$A4"

# --- an old-style file with damage ------------------------------------------------------
NOW=$(date +%s)
{
	printf '###\n### TAYGA dynamic map database\n###\n'
	printf '192.168.255.77\t2001:db8:1::6\t%s\n' "$NOW"     # line 4: valid
	printf 'garbage line\n'                                 # line 5
	printf '192.168.255.300\t2001:db8:1::7\t%s\n' "$NOW"    # line 6: bad IPv4
	printf '10.0.0.1\t2001:db8:1::8\t%s\n' "$NOW"           # line 7: outside the pool
	printf '192.168.255.78\t2001:db8:1::4\t%s\n' "$NOW"     # line 8: valid
	printf '192.168.255.'                                    # line 9: cut short
} > "$DMAP"
: > "$NETNS_WORKDIR/tayga.log"
tayga_start_fg "$T_CONF" || { t_fail "daemon start with a damaged dynamic.map"; t_finish; }
check "daemon runs with a damaged dynamic.map" kill -0 "$TAYGA_PID"
for l in 5 6 7 9; do
	check "bad line $l reported with its number" grep -q "dynamic.map:$l" "$NETNS_WORKDIR/tayga.log"
done
check_not "valid line 4 not reported" grep -q "dynamic.map:4\b" "$NETNS_WORKDIR/tayga.log"
# the loaded mapping works from the IPv4 side (give the server a route to the pool)
nsserver ip route add "$POOL4" via "$XLAT4"
check "loaded mapping 192.168.255.77 -> ::6 reachable from IPv4" ping_ok "$NS_SERVER" 192.168.255.77
check "loaded mapping 192.168.255.78 -> ::4 reachable from IPv4" ping_ok "$NS_SERVER" 192.168.255.78
stop_daemon
check "rewritten file is well-formed" validate_dmap "$DMAP" "$POOL4"
check "rewritten file keeps the loaded mapping" test "$(v4_of 2001:db8:1::6)" = 192.168.255.77

# --- SIGKILL during heavy assignment ------------------------------------------------------
# a bigger pool and its own data-dir; spoofed sources written into the tun
# create mappings as fast as the daemon can; kill it at varied moments
POOL4=100.64.0.0/19
DATA_DIR="$NETNS_WORKDIR/data-kill"
DMAP="$DATA_DIR/dynamic.map"
t_conf
for i in 1 2 3 4 5 6; do
	: > "$NETNS_WORKDIR/tayga.log"
	if ! tayga_start_fg "$T_CONF"; then t_fail "restart $i after SIGKILL"; break; fi
	if grep -q 'dynamic.map:[0-9]' "$NETNS_WORKDIR/tayga.log"; then
		t_fail "restart $i: the file left by SIGKILL has bad lines"
		grep 'dynamic.map:' "$NETNS_WORKDIR/tayga.log" | head -5 | sed 's/^/    /'
	fi
	nsxlat timeout 30 python3 "$NETTOOL" inject "$TUN_DEV" --mode spray6 --count 10000 \
		--rate 2000 --seed "$i" --src-net "2001:db8:1:$i::/64" >/dev/null 2>&1 &
	SP=$!
	# the first new mapping is written at once: wait for it (the spray has
	# started; on a loaded machine python takes seconds to get going), then
	# kill at varied moments, the last one late enough for several batched
	# writes to have run
	N0=$(grep -vc '^#' "$DMAP" 2>/dev/null)
	wait_until 20 eval "[ \$(grep -vc '^#' '$DMAP' 2>/dev/null || echo 0) -gt ${N0:-0} ]"
	if [ $i -lt 6 ]; then sleep "0.$((2 + i))"; else sleep 2.5; fi
	kill -KILL "$TAYGA_PID"; wait "$TAYGA_PID" 2>/dev/null
	wait "$SP" 2>/dev/null
	if [ -e "$DMAP" ]; then
		check "SIGKILL $i: dynamic.map valid" validate_dmap "$DMAP" "$POOL4"
	else
		t_fail "SIGKILL $i: no dynamic.map at all"
	fi
	check "SIGKILL $i: no temp files pile up" \
		eval "[ \$(ls -A '$DATA_DIR' | wc -l) -le 2 ]"
done
N=$(validate_dmap "$DMAP" "$POOL4" 2>/dev/null | awk '{ print $1 }')
check "mappings were being written while killed (${N:-0} in the file)" test "${N:-0}" -ge 500

t_finish
