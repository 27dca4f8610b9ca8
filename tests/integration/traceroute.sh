#!/bin/bash
# traceroute.sh - RFC 7915 4.1/5.1 hop limit / TTL handling seen from real
# traceroute: every hop through the translator answers, including the IPv4
# routers behind it (their ICMPv4 Time Exceeded translated with RFC 7915 4.2
# + 4.3 inner packet translation) and the translator itself.
#
#   client --- xlat(kernel, tun+daemon) --x2-- r1 --- r2 --- far
#   2001:db8:1::2            198.51.100.1/24  .2  198.18.0.1/.2  203.0.113.1/.2
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init traceroute
NS_R1="tgr1-$NS_SUFFIX"; NS_R2="tgr2-$NS_SUFFIX"; NS_FAR="tgf-$NS_SUFFIX"
for ns in "$NS_R1" "$NS_R2" "$NS_FAR"; do netns_add "$ns" || t_error "netns $ns"; done
ip link add x2 netns "$NS_XLAT" type veth peer name r1a netns "$NS_R1" || t_error veth
ip link add r1b netns "$NS_R1" type veth peer name r2a netns "$NS_R2" || t_error veth
ip link add r2b netns "$NS_R2" type veth peer name f0 netns "$NS_FAR" || t_error veth
nsxlat ip addr add 198.51.100.1/24 dev x2; nsxlat ip link set x2 up
nsx "$NS_R1" ip addr add 198.51.100.2/24 dev r1a
nsx "$NS_R1" ip addr add 198.18.0.1/24 dev r1b
nsx "$NS_R2" ip addr add 198.18.0.2/24 dev r2a
nsx "$NS_R2" ip addr add 203.0.113.1/24 dev r2b
nsx "$NS_FAR" ip addr add 203.0.113.2/24 dev f0
for l in "$NS_R1 r1a" "$NS_R1 r1b" "$NS_R2 r2a" "$NS_R2 r2b" "$NS_FAR f0"; do
	set -- $l; nsx "$1" ip link set "$2" up
done
for ns in "$NS_R1" "$NS_R2"; do nsx "$ns" sysctl -qw net.ipv4.ip_forward=1; done
nsxlat ip route add 203.0.113.0/24 via 198.51.100.2
nsxlat ip route add 198.18.0.0/24 via 198.51.100.2
nsx "$NS_R1" ip route add default via 198.51.100.1
nsx "$NS_R1" ip route add 203.0.113.0/24 via 198.18.0.2
nsx "$NS_R2" ip route add default via 198.18.0.1
nsx "$NS_FAR" ip route add default via 203.0.113.1
FAR4=203.0.113.2
FAR6=2001:db8:64::cb00:7102     # prefix + 203.0.113.2
R1_6=2001:db8:64::c633:6402     # prefix + 198.51.100.2
R2_6=2001:db8:64::c612:2        # prefix + 198.18.0.2

t_conf "log drop reject icmp self dyn"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }
check "reachability client -> far" ping_ok "$NS_CLIENT" "$FAR6" -I "$CLIENT6"

# hops NS TRACEROUTE-ARGS... : print "N ADDR" per hop ("N *" when silent)
hops() {
	local ns=$1; shift
	nsx "$ns" timeout 60 traceroute -n -q 1 -w 2 -N 1 -m 10 "$@" 2>/dev/null |
		awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1, $2 }'
}

# expect_hops LABEL "HOP-OUTPUT" PATTERN... : hop i must match pattern i
# (an extended regex; anchored); the trace must have exactly that many hops
expect_hops() {
	local label=$1 out=$2; shift 2
	local i=1 pat got bad=0
	for pat in "$@"; do
		got=$(printf '%s\n' "$out" | awk -v n=$i '$1 == n { print $2 }')
		if ! printf '%s\n' "$got" | grep -qxE "$pat"; then
			echo "hop $i: got '${got:-none}', want $pat"; bad=1
		fi
		i=$((i + 1))
	done
	if [ "$(printf '%s\n' "$out" | grep -c .)" != $# ]; then
		echo "trace has $(printf '%s\n' "$out" | grep -c .) hops, want $#"; bad=1
	fi
	[ $bad = 0 ] || { printf '%s\n' "$out" | sed 's/^/    trace: /'; return 1; }
}

esc() { printf '%s' "$1" | sed 's/\./\\./g'; }
ANY6="2001:db8:64::[0-9a-f:]+"

# IPv6 -> IPv4: hop 1 the client's router, hop 2 the translator (hop limit
# expires inside it: Time Exceeded from ipv6-addr), hop 3 the translator
# host's IPv4 forwarding, hops 4-5 the IPv4 routers, hop 6 the destination
# (ICMPv4 port unreachable -> ICMPv6 1/4, RFC 7915 4.2).
out=$(hops "$NS_CLIENT" -6 -s "$CLIENT6" "$FAR6")
check "traceroute6 (UDP) shows every hop incl. IPv4 routers" expect_hops udp6 "$out" \
	"$XLAT6" "$TAYGA_V6" "$ANY6" "$R1_6" "$R2_6" "$FAR6"
out=$(hops "$NS_CLIENT" -6 -I -s "$CLIENT6" "$FAR6")
check "traceroute6 -I (ICMP echo) shows every hop" expect_hops icmp6 "$out" \
	"$XLAT6" "$TAYGA_V6" "$ANY6" "$R1_6" "$R2_6" "$FAR6"

# IPv4 -> IPv6 to the client's static map: the IPv4 routers, the translator
# host, the translator itself (Time Exceeded from ipv4-addr), the IPv6 side
# of the translator host (its ICMPv6 source has no mapping: the RFC 6791
# source, ipv4-addr by default - TAYGA 0.9.2 drops these, showing '*'),
# then the client (ICMPv6 1/4 -> ICMPv4 3/3).
out=$(hops "$NS_FAR" "$CLIENT4")
check "traceroute (UDP) from IPv4 side shows every hop" expect_hops udp4 "$out" \
	203\\.0\\.113\\.1 198\\.18\\.0\\.1 198\\.51\\.100\\.1 "$(esc "$TAYGA_V4")" \
	"$(esc "$TAYGA_V4")" "$(esc "$CLIENT4")"
out=$(hops "$NS_FAR" -I "$CLIENT4")
check "traceroute -I (ICMP echo) from IPv4 side shows every hop" expect_hops icmp4 "$out" \
	203\\.0\\.113\\.1 198\\.18\\.0\\.1 198\\.51\\.100\\.1 "$(esc "$TAYGA_V4")" \
	"$(esc "$TAYGA_V4")" "$(esc "$CLIENT4")"

check "daemon still running" kill -0 "$TAYGA_PID"
t_finish
