#!/bin/bash
# reload.sh - issue 4: SIGHUP reloads the configuration (tayga.conf and its
# map-file) while traffic flows:
#   - maps added/changed/removed take effect; traffic on unchanged mappings
#     loses nothing; a live dynamic mapping (a TCP flow through it) survives
#   - a config with an error is rejected with file:line, the old one stays
#   - a tun-device change is refused, the daemon keeps running
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"

t_init ping socat python3 ss sha256sum
MAPFILE="$NETNS_WORKDIR/maps.conf"
# extra client addresses with static maps in tayga.conf / the map-file
for a in 2001:db8:1::20 2001:db8:1::21; do nsclient ip addr add "$a/64" dev c0 nodad; done
echo "map 192.168.254.20 2001:db8:1::20" > "$MAPFILE"
t_conf "map-file $MAPFILE"
tayga_start_fg "$T_CONF" || { t_fail "daemon start"; t_finish; }

reload() { kill -HUP "$TAYGA_PID"; sleep "${1:-1}"; }
unreachable() { ! nsx "$1" ping -n -q -c 2 -i 0.2 -w 2 "$2" >/dev/null 2>&1; }

check "before: server -> 192.168.254.20 (map-file)" ping_ok "$NS_SERVER" 192.168.254.20
check "before: 192.168.254.21 not mapped yet" unreachable "$NS_SERVER" 192.168.254.21
check "before: dynamic client reaches the server" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"

# traffic across the reload: a ping on an unchanged static map, and a TCP
# flow through the dynamic client's (MASQUERADEd) pool address
PINGLOG="$NETNS_WORKDIR/ping-reload.log"
nsclient timeout 30 ping -n -q -i 0.05 -w 6 -I "$CLIENT6" "$SERVER6" > "$PINGLOG" 2>&1 &
PINGPID=$!
RECV="$NETNS_WORKDIR/slow.recv"; SENT="$NETNS_WORKDIR/slow.sent"
nsserver timeout 30 socat -u TCP4-LISTEN:5201,reuseaddr "CREATE:$RECV" &
LPID=$!
wait_listen "$NS_SERVER" tcp 5201
nsclient timeout 30 python3 "$NETTOOL" tcp-slow-send "$SERVER6" 5201 --bytes 2000000 \
	--seconds 5 --bind "$CLIENT6_DYN" --save "$SENT" &
SPID=$!
sleep 1.5

# change both files: add a map in tayga.conf, move the map-file entry
t_conf "map-file $MAPFILE" "map 192.168.254.21 2001:db8:1::21"
echo "map 192.168.254.22 2001:db8:1::20" > "$MAPFILE"
reload 1
check "after reload: new map in tayga.conf works" ping_ok "$NS_SERVER" 192.168.254.21
check "after reload: changed map-file entry works" ping_ok "$NS_SERVER" 192.168.254.22
check "after reload: old map-file address is gone" unreachable "$NS_SERVER" 192.168.254.20

wait "$SPID"; src=$?
wait "$LPID"; dst=$?
if [ $src = 0 ] && [ $dst = 0 ] && cmp -s "$SENT" "$RECV"; then
	t_pass "TCP flow through a dynamic mapping survives the reload (content verified)"
else
	t_fail "TCP flow through a dynamic mapping across the reload (sender $src, receiver $dst, $(stat -c %s "$RECV" 2>/dev/null) bytes received)"
fi
wait "$PINGPID"
if grep -q ' 0% packet loss' "$PINGLOG"; then
	t_pass "no packet lost on an unchanged mapping across the reload"
else
	t_fail "packets lost across the reload"; sed 's/^/    /' "$PINGLOG"
fi

# a broken config: rejected with file:line, old config kept
cp "$T_CONF" "$NETNS_WORKDIR/good.conf"
echo "no-such-directive 42" >> "$T_CONF"
BADLINE=$(wc -l < "$T_CONF")
reload 1
check "daemon survives a bad config on SIGHUP" kill -0 "$TAYGA_PID"
check "the error names file:line" grep -q "$(basename "$T_CONF"):$BADLINE" "$NETNS_WORKDIR/tayga.log"
check "old config still in force (192.168.254.21)" ping_ok "$NS_SERVER" 192.168.254.21
check "old config still in force (client -> server)" ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6"

# a semantically bad map-file (overlapping the prefix): rejected too
cp "$NETNS_WORKDIR/good.conf" "$T_CONF"
echo "map 192.168.254.23 2001:db8:64::1" >> "$MAPFILE"
reload 1
check "daemon survives a bad map-file" kill -0 "$TAYGA_PID"
check "the map-file error names file:line" grep -q "$(basename "$MAPFILE"):2" "$NETNS_WORKDIR/tayga.log"
check "old maps still in force (192.168.254.22)" ping_ok "$NS_SERVER" 192.168.254.22
echo "map 192.168.254.22 2001:db8:1::20" > "$MAPFILE"

# tun-device can't change at runtime
sed -i "s/^tun-device .*/tun-device nat65/" "$T_CONF"
reload 1
check "daemon survives a tun-device change" kill -0 "$TAYGA_PID"
check "still translating on the old device" ping_ok "$NS_CLIENT" "$SERVER6"
check_not "no second tun created" nsxlat ip link show nat65

# and a good config after all that is taken
t_conf "map-file $MAPFILE" "map 192.168.254.23 2001:db8:1::21"
reload 1
check "a good config after bad ones is applied (.23)" ping_ok "$NS_SERVER" 192.168.254.23
check "the replaced map is gone (.21)" unreachable "$NS_SERVER" 192.168.254.21

kill -TERM "$TAYGA_PID"
expect_exit "$TAYGA_PID" 0 "SIGTERM after reloads"
t_finish
