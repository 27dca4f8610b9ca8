# lib-scale.sh - several single-threaded translators sharing the load (issue 17).
# shellcheck shell=bash
# Source it after scripts/lib-netns.sh (which builds the client/xlat/server lab).
# Used by scripts/scale-demo, scripts/bench and tests/integration/scale-*.sh.
#
# The static part of the translation (prefix, map lines) is the same on every
# instance, so any instance can translate any packet; dynamic mappings are per
# instance, so every packet of one IPv6 host must reach the same instance, and
# the IPv4 answers to a pool address must reach the instance that owns it.
# The dynamic pool 192.168.255.0/24 is cut into SCALE_N equal slices, one per
# instance; instance I has ipv4-addr .(first of its slice + 1) and ipv6-addr
# 2001:db8:ff::(I+1).
#
# ECMP on one host (scale_ecmp_*): N daemons in ns xlat, TUN devices nat64iI.
#   2001:db8:64::/96 -> resilient nexthop group 1 over the TUN devices, hashed on
#                       the IPv6 source address only (fib_multipath_hash_policy
#                       3, fib_multipath_hash_fields 0x0001)
#   slice I          -> nat64iI        static-map net -> nexthop group 2 (any)
# scripts/ecmp-join builds the groups. When a daemon exits its TUN device
# goes, the kernel drops its nexthops from the groups and only the buckets
# (hosts) it carried move to the others.
#
# Anycast across hosts (scale_bird_*): ns xlat becomes the upstream router R
# (BIRD, BGP AS 64500, ECMP into the kernel); translator hosts tghI-SUFFIX (AS
# 6450(I+1)), each with one daemon on TUN nat64 and a BIRD that announces the
# prefix, its slice and the static-map net with static routes via "nat64":
# routes through an interface are active only while it exists, so when the
# daemon dies its announcements are withdrawn at once.
#
#   client --- R (xlat ns) ---+--- tgh0 (tayga + bird)     server --- R
#                             +--- tgh1 (tayga + bird)
#   link I: R 2001:db8:100:I::1/64 10.100.I.1/24, host ...::2 / 10.100.I.2
#
# The pool is routed to the server (no MASQUERADE) so the server sees each
# host's pool address: which instance carried a flow follows from it.

SCALE_N=${SCALE_N:-2}           # 1, 2, 4 or 8 instances
SCALE_HOSTS=${SCALE_HOSTS:-16}  # client addresses 2001:db8:1::100 + k
SCALE_PIDS=()
BIRD_PIDS=()
SCALE_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

scale_bits() { case $SCALE_N in 1) echo 0 ;; 2) echo 1 ;; 4) echo 2 ;; 8) echo 3 ;; *) return 1 ;; esac; }
scale_slice() { echo "192.168.255.$(( $1 * 256 / SCALE_N ))/$(( 24 + $(scale_bits) ))"; }
scale_v4()    { echo "192.168.255.$(( $1 * 256 / SCALE_N + 1 ))"; }
scale_v6()    { echo "2001:db8:ff::$(( $1 + 1 ))"; }
scale_conf()  { echo "$NETNS_WORKDIR/tayga-$1.conf"; }
scale_data()  { echo "$NETNS_WORKDIR/data-$1"; }
scale_log()   { echo "$NETNS_WORKDIR/tayga-$1.log"; }
scale_dmap()  { echo "$(scale_data "$1")/dynamic.map"; }
scale_host()  { printf '2001:db8:1::%x\n' $(( 0x100 + $1 )); }
# scale_owner IPV4 : the instance whose slice holds IPV4 (empty when none)
scale_owner() {
	case $1 in 192.168.255.*) echo $(( ${1##*.} * SCALE_N / 256 )) ;; esac
}

# scale_write_conf I [EXTRA_LINE...] : tayga.conf of instance I (lab defaults
# with its own tun-device, slice, addresses and data-dir)
scale_write_conf() {
	local i=$1; shift
	TUN_DEV=${SCALE_TUN:-nat64i$i} TAYGA_V4=$(scale_v4 "$i") TAYGA_V6=$(scale_v6 "$i") \
		POOL4=$(scale_slice "$i") DATA_DIR=$(scale_data "$i") \
		tayga_write_conf "$(scale_conf "$i")" "$@"
}

# scale_lab : common part: hosts on the client, pool routed to the server
# instead of masqueraded
scale_lab() {
	local k
	scale_bits >/dev/null || { netns_log "SCALE_N must be 1, 2, 4 or 8"; return 1; }
	for ((k = 0; k < SCALE_HOSTS; k++)); do
		nsclient ip addr replace "$(scale_host "$k")/64" dev c0 nodad || return 1
	done
	netns_nat_off
	nsserver ip route replace "$POOL4" via "$XLAT4"
}

# --- one host, ECMP ------------------------------------------------------------------

# scale_ecmp_setup [EXTRA_LINE...] : sysctls, lab, instance configs (+ EXTRA);
# each daemon routes its own slice and ipv6-addr into its TUN (tun-route)
scale_ecmp_setup() {
	scale_lab || return 1
	# hash IPv6 on the source address only: all flows of a host, whatever
	# their ports, protocol or destination, go to one instance
	nsxlat sysctl -qw net.ipv6.fib_multipath_hash_policy=3 \
		net.ipv6.fib_multipath_hash_fields=0x0001 || return 1
	local i
	for ((i = 0; i < SCALE_N; i++)); do
		scale_write_conf "$i" "tun-route $(scale_slice "$i")" "tun-route $(scale_v6 "$i")/128" "$@" \
			|| return 1
	done
}

# scale_ecmp_join : TUN_ROUTES hook (TUN_DEV, SCALE_I set by scale_ecmp_start):
# scripts/ecmp-join adds the device to the prefix's resilient nexthop group
# and to the static-map net's group, as a deployment runs it after each start
scale_ecmp_join() {
	nsxlat sh "$SCALE_LIBDIR/ecmp-join" "$TUN_DEV" "$SCALE_I" "$PREFIX6" "$STATIC4_NET"
}

# scale_ecmp_start I : start instance I, join it to the groups; SCALE_PIDS[I]
scale_ecmp_start() {
	local i=$1
	TUN_DEV=nat64i$i TAYGA_LOG=$(scale_log "$i") TUN_ROUTES=scale_ecmp_join SCALE_I=$i \
		tayga_start_fg "$(scale_conf "$i")" || return 1
	SCALE_PIDS[i]=$TAYGA_PID
}

scale_ecmp_up() {
	local i
	for ((i = 0; i < SCALE_N; i++)); do scale_ecmp_start "$i" || return 1; done
}

# --- across hosts, BIRD anycast --------------------------------------------------------

scale_bird_ns()   { echo "tgh$1-$NS_SUFFIX"; }
scale_bird_dir()  { echo "$NETNS_WORKDIR/bird-$1"; }
SCALE_AS=64500

# scale_bird_conf_host I : BIRD config of translator host I
scale_bird_conf_host() {
	local i=$1
	cat <<-EOF
	# translator host $i: announce what its daemon translates, while its TUN exists
	router id 10.100.$i.2;
	log stderr all;
	protocol device { scan time 10; }
	protocol static nat64_v6 {
	    ipv6;
	    route $PREFIX6 via "nat64";
	    route $(scale_v6 "$i")/128 via "nat64";
	}
	protocol static nat64_v4 {
	    ipv4;
	    route $(scale_slice "$i") via "nat64";
	    route $STATIC4_NET via "nat64";
	}
	template bgp uplink {
	    local as $((SCALE_AS + 1 + i));
	    hold time 3; keepalive time 1;
	    connect delay time 1; connect retry time 1; error wait time 1, 5;
	}
	protocol bgp up6 from uplink {
	    neighbor 2001:db8:100:$i::1 as $SCALE_AS;
	    ipv6 { import none; export where proto = "nat64_v6"; };
	}
	protocol bgp up4 from uplink {
	    neighbor 10.100.$i.1 as $SCALE_AS;
	    ipv4 { import none; export where proto = "nat64_v4"; };
	}
	EOF
}

# scale_bird_conf_router : BIRD config of the upstream router (ns xlat)
scale_bird_conf_router() {
	local i
	cat <<-EOF
	# upstream router: learn the translators' routes, install equal ones as one
	# multipath route
	router id $XLAT4;
	log stderr all;
	protocol device { scan time 10; }
	protocol kernel { ipv6 { export all; }; merge paths on; }
	protocol kernel { ipv4 { export all; }; merge paths on; }
	template bgp xlat_host {
	    local as $SCALE_AS;
	    hold time 3; keepalive time 1;
	    connect delay time 1; connect retry time 1; error wait time 1, 5;
	}
	EOF
	for ((i = 0; i < SCALE_N; i++)); do
		cat <<-EOF
		protocol bgp t${i}_6 from xlat_host {
		    neighbor 2001:db8:100:$i::2 as $((SCALE_AS + 1 + i));
		    ipv6 { import all; export none; };
		}
		protocol bgp t${i}_4 from xlat_host {
		    neighbor 10.100.$i.2 as $((SCALE_AS + 1 + i));
		    ipv4 { import all; export none; };
		}
		EOF
	done
}

# scale_bird_run NS DIR : BIRD in the foreground in NS, config DIR/bird.conf
scale_bird_run() {
	local ns=$1 dir=$2
	bird -p -c "$dir/bird.conf" || return 1
	( nsexec "$ns" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" ) \
		>>"$dir/bird.log" 2>&1 </dev/null &
	BIRD_PIDS+=($!)
	netns_track_pid $!
}

# scale_birdc DIR CMD... : ask the BIRD whose files are in DIR
scale_birdc() { local dir=$1; shift; birdc -s "$dir/bird.ctl" "$@"; }

# scale_bird_setup : translator namespaces, links, configs; BIRD on all of them
scale_bird_setup() {
	local i ns dir
	scale_lab || return 1
	nsxlat sysctl -qw net.ipv6.fib_multipath_hash_policy=3 \
		net.ipv6.fib_multipath_hash_fields=0x0001 || return 1
	for ((i = 0; i < SCALE_N; i++)); do
		ns=$(scale_bird_ns "$i"); dir=$(scale_bird_dir "$i")
		netns_add "$ns" || return 1
		ip link add "h$i" netns "$NS_XLAT" type veth peer name up0 netns "$ns" || return 1
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		nsxlat ip addr add "2001:db8:100:$i::1/64" dev "h$i" nodad
		nsxlat ip addr add "10.100.$i.1/24" dev "h$i"
		nsxlat ip link set "h$i" up
		nsx "$ns" ip addr add "2001:db8:100:$i::2/64" dev up0 nodad
		nsx "$ns" ip addr add "10.100.$i.2/24" dev up0
		nsx "$ns" ip link set up0 up
		nsx "$ns" ip -6 route add default via "2001:db8:100:$i::1"
		nsx "$ns" ip -4 route add default via "10.100.$i.1"
		SCALE_TUN=nat64 scale_write_conf "$i" "tun-route $PREFIX6" "tun-route $(scale_v6 "$i")/128" \
			"tun-route $(scale_slice "$i")" "tun-route $STATIC4_NET" || return 1
		mkdir -p "$dir" && scale_bird_conf_host "$i" > "$dir/bird.conf" || return 1
		scale_bird_run "$ns" "$dir" || return 1
	done
	dir=$(scale_bird_dir r)
	mkdir -p "$dir" && scale_bird_conf_router > "$dir/bird.conf" || return 1
	scale_bird_run "$NS_XLAT" "$dir"
}

# scale_bird_start I : the daemon on translator host I (it brings its TUN up
# and adds its routes itself: tun-route lines)
scale_bird_start() {
	local i=$1
	NS_XLAT=$(scale_bird_ns "$i") TUN_DEV=nat64 TAYGA_LOG=$(scale_log "$i") TUN_ROUTES=true \
		tayga_start_fg "$(scale_conf "$i")" || return 1
	SCALE_PIDS[i]=$TAYGA_PID
}

# scale_bird_paths : number of next hops R's kernel has for the NAT64 prefix
scale_bird_paths() {
	local out
	out=$(nsxlat ip -6 route show "$PREFIX6" proto bird 2>/dev/null)
	[ -n "$out" ] || { echo 0; return; }
	if printf '%s\n' "$out" | grep -q nexthop; then
		printf '%s\n' "$out" | grep -c nexthop
	else
		echo 1
	fi
}

scale_bird_up() {
	local i
	for ((i = 0; i < SCALE_N; i++)); do scale_bird_start "$i" || return 1; done
	wait_until 30 eval "[ \$(scale_bird_paths) = $SCALE_N ]" || {
		netns_log "the router did not learn $SCALE_N paths to $PREFIX6"; return 1; }
	for ((i = 0; i < SCALE_N; i++)); do
		wait_until 10 eval "nsxlat ip -4 route show $(scale_slice "$i") proto bird | grep -q ." \
			|| { netns_log "the router did not learn $(scale_slice "$i")"; return 1; }
	done
}

# --- traffic ---------------------------------------------------------------------------

SCALE_UDP_PORT=7000
SCALE_TCP_PORT=7001

# scale_whoami_servers : on the server, UDP and TCP services that answer with
# the source address they saw (the host's IPv4 address after translation)
scale_whoami_servers() {
	( nsexec "$NS_SERVER" socat "UDP4-RECVFROM:$SCALE_UDP_PORT,fork" \
		SYSTEM:'echo $SOCAT_PEERADDR' ) </dev/null >/dev/null 2>&1 &
	netns_track_pid $!
	( nsexec "$NS_SERVER" socat "TCP4-LISTEN:$SCALE_TCP_PORT,fork,reuseaddr" \
		SYSTEM:'echo $SOCAT_PEERADDR' ) </dev/null >/dev/null 2>&1 &
	netns_track_pid $!
	wait_listen "$NS_SERVER" udp "$SCALE_UDP_PORT" && wait_listen "$NS_SERVER" tcp "$SCALE_TCP_PORT"
}

# scale_whoami udp|tcp HOST6... : for each HOST6 (in one process, bounded:
# 6 tries waiting 1, 2, 3, 3, 3, 3 s: a host's answers sometimes stay away
# for several seconds, on today's code and on 61bc2f1 alike), "HOST6 IPV4" where IPV4 is the address the server saw
# it as, "-" when no answer came
scale_whoami() {
	local proto=$1; shift
	nsclient timeout 300 python3 - "$proto" "$SERVER6" "$SCALE_UDP_PORT" "$SCALE_TCP_PORT" "$@" <<-'EOF'
	import socket, sys
	proto, server, uport, tport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	def ask(src):
	    for wait in (1, 2, 3, 3, 3, 3):
	        try:
	            if proto == "udp":
	                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	                s.bind((src, 0)); s.settimeout(wait)
	                s.sendto(b"q\n", (server, uport))
	                data = s.recv(100)
	            else:
	                s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
	                s.bind((src, 0)); s.settimeout(wait)
	                s.connect((server, tport))
	                data = s.recv(100)
	            s.close()
	            if data.strip():
	                return data.decode().strip()
	        except OSError:
	            pass
	    return "-"
	for src in sys.argv[5:]:
	    print(src, ask(src), flush=True)
	EOF
}

# scale_hosts : the client addresses, one per line
scale_hosts() { local k; for ((k = 0; k < SCALE_HOSTS; k++)); do scale_host "$k"; done; }

# scale_spread [udp|tcp] : every host asks; "HOST6 IPV4 INSTANCE" lines
scale_spread() {
	local h a
	# shellcheck disable=SC2046
	scale_whoami "${1:-udp}" $(scale_hosts) | while read -r h a; do
		echo "$h $a $(scale_owner "$a")"
	done
}

scale_log_tail() {
	local f
	for f in "$NETNS_WORKDIR"/tayga-*.log "$NETNS_WORKDIR"/bird-*/bird.log; do
		[ -s "$f" ] || continue
		echo "--- $f (last 15 lines) ---" >&2
		tail -n 15 "$f" >&2
	done
}
