#!/bin/bash
# reload.sh - issue 4: SIGHUP reloads the configuration (tayga.conf and its
# map-file) while traffic flows:
#   - maps added/changed/removed take effect; traffic on unchanged mappings
#     loses nothing; a live dynamic mapping (a TCP flow through it) survives
#   - a config with an error is rejected with file:line, the old one stays
#   - a tun-device change is refused, the daemon keeps running
#   - the map-file is a soft source (issue 11): a bad or conflicting line is
#     skipped with a file:line warning, the rest is applied; a map-file that
#     can't be read makes the reload fail and the old maps stay; the issue's
#     example (the config's map wins over map-file line 2, which is then
#     unmapped: ICMPv6 1/0) starts, passes --check-config with the warning,
#     and a reload moves an IPv6 host to its new IPv4 address
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

# a map-file line overlapping the prefix: skipped with a warning, the rest
# of the file and of the config applied
cp "$NETNS_WORKDIR/good.conf" "$T_CONF"
echo "map 192.168.254.23 2001:db8:64::1" >> "$MAPFILE"
: > "$NETNS_WORKDIR/tayga.log"
reload 1
check "daemon survives a bad map-file line" kill -0 "$TAYGA_PID"
check "the skipped line is named file:line" \
	grep -q "$(basename "$MAPFILE"):2: map: IPv6 2001:db8:64::1/128 overlaps prefix.*; line skipped" "$NETNS_WORKDIR/tayga.log"
check "the reload went through" grep -q "^reloaded " "$NETNS_WORKDIR/tayga.log"
check "the good map-file line is in force (192.168.254.22)" ping_ok "$NS_SERVER" 192.168.254.22
check "the skipped line is not (192.168.254.23)" unreachable "$NS_SERVER" 192.168.254.23
echo "map 192.168.254.22 2001:db8:1::20" > "$MAPFILE"

# an unreadable map-file: the reload fails, the old maps stay
mv "$MAPFILE" "$MAPFILE.away"
: > "$NETNS_WORKDIR/tayga.log"
reload 1
check "unreadable map-file: reload refused, naming it" \
	grep -q "reload failed, keeping the running configuration: .*: map-file: $MAPFILE: cannot open" "$NETNS_WORKDIR/tayga.log"
check "unreadable map-file: old maps still in force (192.168.254.22)" ping_ok "$NS_SERVER" 192.168.254.22
mv "$MAPFILE.away" "$MAPFILE"

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

# offload / io-uring need a restart: warn only when the setting would
# change the running mode (issue 14.9), e.g. 'offload on' while the vnet
# header is in use already, or 'auto' after 'auto', changes nothing
if grep -q '^offload: vnet header' "$NETNS_WORKDIR/tayga.log"; then
	L0=$(wc -l < "$NETNS_WORKDIR/tayga.log")
	t_conf "map-file $MAPFILE" "map 192.168.254.23 2001:db8:1::21" "offload on"
	reload 1
	check_not "offload on while offload runs: no restart warning" \
		eval "tail -n +$((L0 + 1)) '$NETNS_WORKDIR/tayga.log' | grep -q 'take effect at the next restart'"
	t_conf "map-file $MAPFILE" "map 192.168.254.23 2001:db8:1::21" "offload off"
	reload 1
	check "offload off while offload runs: restart warning" \
		eval "tail -n +$((L0 + 1)) '$NETNS_WORKDIR/tayga.log' | grep -q 'take effect at the next restart'"
fi

kill -TERM "$TAYGA_PID"
expect_exit "$TAYGA_PID" 0 "SIGTERM after reloads"

# --- issue 11's example: the config's map wins; reload moves ::3 --------------------
# (lab addresses: 192.168.254.0/24 is routed to the translator, the client
# has 2001:db8:1::2, ::3, ::4, ::5; no dynamic pool, so ::4 and ::5 are
# unmapped)
nsclient ip addr add 2001:db8:1::4/64 dev c0 nodad
nsclient ip addr add 2001:db8:1::5/64 dev c0 nodad
MAPFILE="$NETNS_WORKDIR/tayga.map"
printf 'map 192.168.254.1 2001:db8:1::3\nmap 192.168.254.2 2001:db8:1::4\n' > "$MAPFILE"
cat > "$T_CONF" <<EOF
tun-device $TUN_DEV
ipv4-addr $TAYGA_V4
ipv6-addr $TAYGA_V6
prefix $PREFIX6
map 192.168.254.2 2001:db8:1::2
data-dir $NETNS_WORKDIR
map-file $(basename "$MAPFILE")
EOF
out=$(timeout 10 "$TAYGA_BIN" --check-config -c "$T_CONF" 2>&1); rc=$?
check "example: --check-config exits 0" test "$rc" = 0
check "example: --check-config warns about tayga.map:2" \
	eval "printf '%s\n' \"\$out\" | grep -q '^$MAPFILE:2: map: 192.168.254.2/32 2001:db8:1::4/128 conflicts with the map on $T_CONF:5'"
: > "$NETNS_WORKDIR/tayga.log"
if tayga_start_fg "$T_CONF"; then
	check "example: the daemon logs the skipped line" grep -q "^$MAPFILE:2: .*; line skipped" "$NETNS_WORKDIR/tayga.log"
	check "example: map-file line 1 works (192.168.254.1 -> ::3)" ping_ok "$NS_SERVER" 192.168.254.1
	check "example: the config's map works (192.168.254.2 -> ::2)" ping_ok "$NS_SERVER" 192.168.254.2
	# ::4 is now unmapped like ::5, which no line ever mapped: both get the
	# same ICMPv6 destination unreachable from the translator
	u4=$(nsclient ping -n -c 1 -w 3 -I 2001:db8:1::4 "$SERVER6" | grep -o 'From .*Destination unreachable.*' | sed 's/icmp_seq=[0-9]* //')
	u5=$(nsclient ping -n -c 1 -w 3 -I 2001:db8:1::5 "$SERVER6" | grep -o 'From .*Destination unreachable.*' | sed 's/icmp_seq=[0-9]* //')
	echo "# ::4: $u4"
	check "example: ::4 (skipped line) gets ICMPv6 destination unreachable like never-mapped ::5" \
		eval "[ -n \"\$u4\" ] && [ \"\$u4\" = \"\$u5\" ]"
	printf 'map 192.168.254.3 2001:db8:1::3\n' > "$MAPFILE"
	reload 1
	check "example: after reload ::3 is 192.168.254.3" ping_ok "$NS_SERVER" 192.168.254.3
	check "example: 192.168.254.1 is gone" unreachable "$NS_SERVER" 192.168.254.1
	kill -TERM "$TAYGA_PID"
	expect_exit "$TAYGA_PID" 0 "example: SIGTERM"
else
	t_fail "example: daemon did not start"
fi
t_finish
