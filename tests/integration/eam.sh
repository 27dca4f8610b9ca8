#!/bin/bash
# eam.sh - RFC 7757 on a real tun:
#   - section 3: a prefix EAM (192.168.250.0/28 <-> 2001:db8:1::100/124)
#     translates every address inside it, both directions
#   - section 4.2: hairpinning - an IPv6 host reaches another mapped IPv6 host
#     through the NAT64 prefix + that host's IPv4 address
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping python3 ss
EAM4=192.168.250.0/28
EAM6=2001:db8:1::100/124
for a in 2001:db8:1::105 2001:db8:1::10f 2001:db8:1::20; do
	nsclient ip addr add "$a/64" dev c0 nodad
done
nsserver ip route add "$EAM4" via "$XLAT4"
t_conf "map $EAM4 $EAM6" "map 192.168.254.20 2001:db8:1::20"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }
nsxlat ip -4 route replace "$EAM4" dev "$TUN_DEV"

# RFC 7757 3: the low bits carry over between the two prefixes
check "EAM prefix: server -> 192.168.250.5 reaches 2001:db8:1::105" ping_ok "$NS_SERVER" 192.168.250.5
check "EAM prefix: server -> 192.168.250.15 reaches 2001:db8:1::10f" ping_ok "$NS_SERVER" 192.168.250.15
check "EAM prefix: 2001:db8:1::105 -> server" ping_ok "$NS_CLIENT" "$SERVER6" -I 2001:db8:1::105
check "EAM prefix: UDP echo server -> 192.168.250.15" \
	udp_echo "$NS_CLIENT" 2001:db8:1::10f "$NS_SERVER" 192.168.250.15 5401 --count 200
check "EAM prefix: unused address in the range (192.168.250.9) gets no echo" \
	eval "! nsserver ping -n -q -c 2 -i 0.2 -w 2 192.168.250.9 >/dev/null 2>&1"

# RFC 7757 4.2: hairpinning through the translator
HP_STATIC=2001:db8:64::c0a8:fe02      # prefix + 192.168.254.2 (static map of ::2)
HP_EAM=2001:db8:64::c0a8:fa05         # prefix + 192.168.250.5 (EAM of ::105)
check "hairpin: static ::20 -> ::2 via prefix + 192.168.254.2" \
	ping_ok "$NS_CLIENT" "$HP_STATIC" -I 2001:db8:1::20
check "hairpin: dynamic ::3 -> ::2 via prefix + 192.168.254.2" \
	ping_ok "$NS_CLIENT" "$HP_STATIC" -I "$CLIENT6_DYN"
check "hairpin: ::2 -> EAM host ::105 via prefix + 192.168.250.5" \
	ping_ok "$NS_CLIENT" "$HP_EAM" -I "$CLIENT6"
check "daemon still running" kill -0 "$TAYGA_PID"
t_finish
