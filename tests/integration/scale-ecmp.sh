#!/bin/bash
# scale-ecmp.sh - issue 17: two instances on one host behind an ECMP route
# (scripts/lib-scale.sh): the NAT64 prefix is a resilient nexthop group over
# both TUN devices, hashed on the IPv6 source address only; each instance owns
# half of the dynamic pool.
#   - both instances carry traffic; every IPv6 host is pinned to one instance
#     (same IPv4 address for UDP and TCP flows, listed in one dynamic.map)
#   - each dynamic.map holds only its own slice
#   - killing one instance keeps the other's flows (a TCP transfer, a ping)
#     alive and untouched, and moves the dead one's hosts to the survivor
#   - a restarted instance rejoins without moving live hosts (resilient group)
# SCALE_MODE=bird (scale-bird.sh) runs the same checks on two translator hosts
# announcing with BIRD to an upstream router, which must withdraw a host whose
# daemon died within 5 s and take it back when the daemon is restarted.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
# shellcheck source=../../scripts/lib-scale.sh
. "$SRCDIR/scripts/lib-scale.sh"

SCALE_MODE=${SCALE_MODE:-ecmp}
case $SCALE_MODE in
ecmp) t_init ping python3 socat ;;
bird) t_init ping python3 socat bird birdc ;;
*) t_error "SCALE_MODE must be ecmp or bird" ;;
esac
[ -e /proc/sys/net/ipv6/fib_multipath_hash_fields ] ||
	t_skip "kernel without net.ipv6.fib_multipath_hash_fields (Linux 5.12+)"
SCALE_N=2
"scale_${SCALE_MODE}_setup" || { scale_log_tail; t_error "cannot build the $SCALE_MODE lab"; }
"scale_${SCALE_MODE}_up" || { scale_log_tail; t_error "cannot start the instances"; }
scale_whoami_servers || t_error "whoami services on the server did not start"
tayga_log_tail() { scale_log_tail; }

# HOST -> IPv4 as seen by the server, per protocol
declare -A V4U V4T
while read -r h a o; do V4U[$h]=$a; done < <(scale_spread udp)
while read -r h a o; do V4T[$h]=$a; done < <(scale_spread tcp)

# every host answered, and with one address for both protocols
pinned() {
	local h bad=0
	for h in $(scale_hosts); do
		if [ "${V4U[$h]}" = - ] || [ "${V4U[$h]}" != "${V4T[$h]}" ]; then
			echo "$h: udp ${V4U[$h]} tcp ${V4T[$h]}"; bad=1
		fi
	done
	return $bad
}
check "each of $SCALE_HOSTS hosts has one IPv4 address for its UDP and TCP flows" pinned

# hosts per instance, from the slice their address belongs to
declare -A OWNER
N0=0; N1=0
for h in $(scale_hosts); do
	OWNER[$h]=$(scale_owner "${V4U[$h]}")
	case ${OWNER[$h]} in 0) N0=$((N0 + 1)) ;; 1) N1=$((N1 + 1)) ;; esac
done
echo "# hosts on instance 0: $N0, on instance 1: $N1"
check "both instances carry traffic" test "$N0" -gt 0 -a "$N1" -gt 0 -a $((N0 + N1)) = "$SCALE_HOSTS"

# dmap_lines I : "IPV4 IPV6" of instance I's dynamic.map
dmap_lines() { awk -F'\t' '!/^#/ && NF >= 2 { print $1, $2 }' "$(scale_dmap "$1")" 2>/dev/null; }

# dmap_has_all I : every host the server saw from slice I is in map I, with that address
dmap_has_all() {
	local i=$1 h
	for h in $(scale_hosts); do
		[ "${OWNER[$h]}" = "$i" ] || continue
		dmap_lines "$i" | grep -qx "${V4U[$h]} $h" || { echo "$h ${V4U[$h]} not in map $i"; return 1; }
	done
}

# dmap_only_own I : map I lists only addresses of slice I and only hosts the
# server saw coming from slice I (nothing of the other instance's hosts)
dmap_only_own() {
	local i=$1 a h n=0
	while read -r a h; do
		n=$((n + 1))
		[ "$(scale_owner "$a")" = "$i" ] || { echo "$a ($h) is outside $(scale_slice "$i")"; return 1; }
		[ -z "${OWNER[$h]:-}" ] || [ "${OWNER[$h]}" = "$i" ] || { echo "$h belongs to instance ${OWNER[$h]}"; return 1; }
	done < <(dmap_lines "$i")
	[ "$n" -gt 0 ]
}

# the maps are written a few seconds after a new mapping
for i in 0 1; do
	wait_until 15 dmap_has_all "$i"
	check "instance $i: dynamic.map lists each of its hosts with the address the server saw" dmap_has_all "$i"
	check "instance $i: dynamic.map holds only its own slice $(scale_slice "$i")" dmap_only_own "$i"
done

# --- kill instance 0 while instance 1 carries a TCP transfer and a ping ---------
H1=""; H0=""
for h in $(scale_hosts); do
	[ -z "$H1" ] && [ "${OWNER[$h]}" = 1 ] && H1=$h
	[ -z "$H0" ] && [ "${OWNER[$h]}" = 0 ] && H0=$h
done
SAVE="$NETNS_WORKDIR/slow.sent"; RECV="$NETNS_WORKDIR/slow.recv"
( nsexec "$NS_SERVER" timeout 30 socat -u "TCP4-LISTEN:7100,reuseaddr" "CREATE:$RECV" ) &
LPID=$!
wait_listen "$NS_SERVER" tcp 7100 || t_error "TCP listener did not come up"
nsclient timeout 30 python3 "$NETTOOL" tcp-slow-send "$SERVER6" 7100 --bind "$H1" \
	--bytes $((2 * 1024 * 1024)) --seconds 4 --save "$SAVE" 2>/dev/null &
SPID=$!
nsclient ping -n -q -i 0.1 -c 40 -w 10 -I "$H1" "$SERVER6" > "$NETNS_WORKDIR/ping.out" 2>&1 &
PPID_=$!
sleep 1.5
kill -KILL "${SCALE_PIDS[0]}"; wait "${SCALE_PIDS[0]}" 2>/dev/null
if [ "$SCALE_MODE" = ecmp ]; then
	check "instance 0's TUN device and nexthops are gone" \
		wait_until 5 eval "! nsxlat ip link show nat64i0 && ! nsxlat ip nexthop show id 100"
else
	check "the router withdrew translator 0 (prefix and slice) within 5 s" \
		wait_until 5 eval "[ \$(scale_bird_paths) = 1 ] && ! nsxlat ip -4 route show $(scale_slice 0) | grep -q ."
fi
wait "$SPID"; SRC=$?
wait "$LPID"; LRC=$?
check "instance 1's TCP transfer ($H1) went on across the kill: sender $SRC, receiver $LRC, same bytes" \
	eval "[ $SRC = 0 ] && [ $LRC = 0 ] && cmp -s '$SAVE' '$RECV'"
wait "$PPID_"
check "instance 1's ping ($H1) lost nothing across the kill" \
	grep -q ' 40 received, 0% packet loss' "$NETNS_WORKDIR/ping.out"

declare -A AFTER
while read -r h a o; do AFTER[$h]=$a; done < <(scale_spread udp)
moved() {
	local h bad=0
	for h in $(scale_hosts); do
		if [ "${OWNER[$h]}" = 1 ] && [ "${AFTER[$h]}" != "${V4U[$h]}" ]; then
			echo "$h of instance 1: ${V4U[$h]} -> ${AFTER[$h]}"; bad=1
		fi
		if [ "${OWNER[$h]}" = 0 ] && [ "$(scale_owner "${AFTER[$h]}")" != 1 ]; then
			echo "$h of instance 0: now ${AFTER[$h]}"; bad=1
		fi
	done
	return $bad
}
check "instance 1's hosts kept their addresses; instance 0's hosts ($H0 ...) moved to instance 1" moved

# --- instance 0 comes back --------------------------------------------------------------
"scale_${SCALE_MODE}_start" 0 || t_fail "restart of instance 0"
if [ "$SCALE_MODE" = ecmp ]; then
	check "restarted instance 0 is in the group again" \
		eval "nsxlat ip nexthop show id 1 | grep -q 'group 100/101 '"
	# every host was active a moment ago: none may move (ecmp-join: idle_timer 120 s)
	declare -A BACK
	while read -r h a o; do BACK[$h]=$a; done < <(scale_spread udp)
	same() {
		local h bad=0
		for h in $(scale_hosts); do
			[ "${BACK[$h]}" = "${AFTER[$h]}" ] || { echo "$h: ${AFTER[$h]} -> ${BACK[$h]}"; bad=1; }
		done
		return $bad
	}
	check "the rejoin moved no live host" same
else
	check "the router takes translator 0 back within 5 s" \
		wait_until 5 eval "[ \$(scale_bird_paths) = 2 ] && nsxlat ip -4 route show $(scale_slice 0) | grep -q ."
fi

# a clean stop writes the survivor's map: its own slice, now with the moved hosts
stop_pid "${SCALE_PIDS[1]}" 10
for h in $(scale_hosts); do OWNER[$h]=1; done
check "instance 1: dynamic.map after the failover holds only its slice" dmap_only_own 1
check "instance 1: dynamic.map lists the moved host $H0 with its new address" \
	eval "dmap_lines 1 | grep -qx '${AFTER[$H0]} $H0'"

t_finish
