#!/bin/bash
# tests/package/debian.sh - the Debian package as an administrator meets it
# (run by `scripts/test`'s stage "package", as root on Debian 12):
#   1. build the .deb from a copy of the tree (dpkg-buildpackage -b) and run
#      lintian on it: no error and no warning that is not overridden;
#   2. install Debian's own tayga 0.9.2 from apt, point /etc/tayga.conf at
#      the lab, and let Debian's /etc/init.d/tayga run TAYGA in the
#      translator namespace until it has written a dynamic mapping;
#   3. upgrade to our .deb with apt: the modified /etc/tayga.conf and the
#      dynamic.map must survive, the binary and scripts must be ours;
#   4. /etc/init.d/tayga start, status, traffic, reload (SIGHUP: a map added
#      to tayga.conf starts working in the same process), stop - with
#      Debian's /etc/default/tayga (CONFIGURE_IFACE and CONFIGURE_NAT44 on);
#      the dynamic mapping TAYGA made is still the client's;
#   5. purge: package, configuration and state gone.
# The daemon side runs in the lab's translator namespace (`ip netns exec`
# also gives it a private mount namespace); a policy-rc.d keeps apt from
# starting the service on the host. At the end the machine is as before:
# Debian's tayga (used by scripts/bench) is reinstalled if it was installed,
# with its /etc files and spool, and any earlier policy-rc.d is put back.
# Exit status: 0 pass, 1 fail, 77 skip (not root, no apt/dpkg, no netns).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TAYGA_BIN=/usr/sbin/tayga
T_NAME=package-debian
# shellcheck source=../integration/lib.sh
. "$SRCDIR/tests/integration/lib.sh"

export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
CONFS=(/etc/tayga.conf /etc/default/tayga /etc/init.d/tayga)
SPOOL=/var/spool/tayga
DIR_MODES=(/etc /etc/default /etc/init.d /var /var/spool /usr/sbin /usr/libexec)
DMAP_FILE=$SPOOL/dynamic.map
PKG_WORK=""

for c in dpkg-buildpackage lintian apt-get dpkg-query iptables; do
	command -v "$c" >/dev/null 2>&1 || t_skip "$T_NAME: missing command $c"
done
why=$(netns_missing_prereq ping 2>&1) || t_skip "$T_NAME: $why"
if [ -r /run/tayga.pid ] && kill -0 "$(cat /run/tayga.pid)" 2>/dev/null; then
	t_skip "$T_NAME: a tayga runs on this host (/run/tayga.pid); not touching its package"
fi

# one package test at a time: two would undo each other's dpkg state
exec 9>/run/tayga-package-test.lock
flock -n 9 || t_skip "$T_NAME: another package test is running"

pkg_version() { dpkg-query -W -f='${Status} ${Version}' tayga 2>/dev/null | sed -n 's/^install ok installed //p'; }

# ---- remember the machine's state; put it back on exit ----------------------------
save_state() {
	PKG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tayga-pkg.XXXXXX") || t_error "mktemp"
	ORIG_VERSION=$(pkg_version)
	ORIG_SPOOL=no; [ -e "$SPOOL" ] && ORIG_SPOOL=yes
	ORIG_USER=no; id tayga >/dev/null 2>&1 && ORIG_USER=yes
	# the directories packages and this test write into keep their modes
	ORIG_MODES=$(stat -c '%a %n' "${DIR_MODES[@]}")
	if [ -n "$ORIG_VERSION" ]; then
		local f keep=()
		for f in "${CONFS[@]}" "$SPOOL"; do [ -e "$f" ] && keep+=("${f#/}"); done
		tar -C / -cpf "$PKG_WORK/saved.tar" "${keep[@]}" || t_error "cannot save ${keep[*]}"
	fi
	[ -e "$POLICY" ] && cp -a "$POLICY" "$PKG_WORK/policy-rc.d.orig"
	# no service starts on the host while packages come and go
	printf '#!/bin/sh\nexit 101\n' >"$POLICY.tmp" && chmod 755 "$POLICY.tmp" && mv "$POLICY.tmp" "$POLICY"
}

restore_state() {
	netns_cleanup
	[ -n "$PKG_WORK" ] || return
	if [ -n "$(pkg_version)" ]; then apt-get purge -y -q tayga >/dev/null 2>&1; fi
	# TAYGA 0.9.2 creates data-dir itself and its purge leaves it
	[ "$ORIG_SPOOL" = no ] && rm -rf "$SPOOL"
	# the package keeps its system user after a purge (Debian's custom)
	if [ "$ORIG_USER" = no ] && id tayga >/dev/null 2>&1; then
		deluser --system --quiet tayga >/dev/null 2>&1
		delgroup --system --quiet tayga >/dev/null 2>&1
	fi
	if [ -n "$ORIG_VERSION" ]; then
		apt_install "tayga=$ORIG_VERSION" >/dev/null 2>&1 || echo "WARNING: could not reinstall tayga $ORIG_VERSION" >&2
		[ -f "$PKG_WORK/saved.tar" ] && tar -C / -xpf "$PKG_WORK/saved.tar"
	fi
	if [ "$(stat -c '%a %n' "${DIR_MODES[@]}")" != "$ORIG_MODES" ]; then
		echo "WARNING: directory modes changed, putting them back:" >&2
		stat -c '%a %n' "${DIR_MODES[@]}" >&2
		printf '%s\n' "$ORIG_MODES" | while read -r m d; do chmod "$m" "$d"; done
	fi
	if [ -e "$PKG_WORK/policy-rc.d.orig" ]; then cp -a "$PKG_WORK/policy-rc.d.orig" "$POLICY"; else rm -f "$POLICY"; fi
	rm -rf "$PKG_WORK"
	echo "# $T_NAME: machine restored (tayga ${ORIG_VERSION:-not installed})"
}

# apt_install ARGS... : apt-get install; once more after an `apt-get update`
# when the package lists are missing or stale
apt_install() {
	apt-get install -y -q --no-install-recommends "$@" && return 0
	apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@"
}

# ---- 1. build and lint ---------------------------------------------------------------
build_deb() {
	local src="$PKG_WORK/src"
	mkdir -p "$src"
	if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
		# the tree as committed plus local changes, without build directories
		(cd "$SRCDIR" && { git ls-files; git ls-files --others --exclude-standard; } \
			| while read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done \
			| tar -cf - -T -) | tar -xf - -C "$src" || return 1
	else
		(cd "$SRCDIR" && tar -cf - --exclude='./build*' --exclude=./debian/build .) | tar -xf - -C "$src" || return 1
	fi
	# unit tests: the check stage runs them
	(cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$PKG_WORK/build.log" 2>&1 || {
		tail -n 40 "$PKG_WORK/build.log"; return 1; }
	ls "$PKG_WORK"/tayga_*.deb >/dev/null 2>&1
}

lintian_clean() {
	local out
	out=$(lintian --fail-on none "$PKG_WORK"/tayga_*.changes 2>&1 | grep -E '^[EW]: ')
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

save_state
trap 'restore_state' EXIT
trap 'restore_state; exit 130' INT TERM HUP

check "dpkg-buildpackage -b builds the .deb" build_deb || { t_finish; exit 1; }
DEB=$(ls "$PKG_WORK"/tayga_*.deb | head -n 1)
echo "# built $(basename "$DEB")"
check "lintian: no errors or warnings" lintian_clean
check "the .deb has /usr/sbin/tayga, the conffiles and the unit" eval \
	'dpkg-deb -c "$DEB" | grep -q " ./usr/sbin/tayga$" &&
	 dpkg-deb -c "$DEB" | grep -q " ./lib/systemd/system/tayga.service$" &&
	 [ "$(dpkg-deb -I "$DEB" conffiles | sort | tr "\n" " ")" = "/etc/default/tayga /etc/init.d/tayga /etc/tayga.conf " ]'
# doc_refs_shipped: every /usr/share/doc path /etc/tayga.conf's comments name is in the .deb
doc_refs_shipped() {
	local refs p
	refs=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./etc/tayga.conf | grep -o '/usr/share/doc/[^ )]*[^ ).]')
	[ -n "$refs" ] || return 1
	for p in $refs; do
		dpkg-deb -c "$DEB" | grep -q " \.$p\$" || { echo "not in the .deb: $p"; return 1; }
	done
}
check "the example /etc/tayga.conf points at is in the .deb" doc_refs_shipped

# ---- 2. Debian's tayga 0.9.2 from apt, run by its own init script -----------------------
[ -n "$ORIG_VERSION" ] && dpkg --purge tayga >/dev/null
if ! apt_install tayga >"$PKG_WORK/apt.log" 2>&1; then
	tail -n 20 "$PKG_WORK/apt.log"
	t_error "cannot install Debian's tayga from apt"
fi
DEBIAN_VERSION=$(pkg_version)
echo "# Debian's tayga $DEBIAN_VERSION installed"
case $DEBIAN_VERSION in 0.9.2-*) ;; *) t_error "apt's tayga is $DEBIAN_VERSION, not Debian's 0.9.2" ;; esac

# (a device of that name on the host is someone else's: not checked then)
HOST_HAD_TUN=no; ip link show "$TUN_DEV" >/dev/null 2>&1 && HOST_HAD_TUN=yes
netns_setup || t_error "cannot build the namespace lab"
# netns_setup set its own traps; restore_state runs netns_cleanup first
trap 'restore_state' EXIT
trap 'restore_state; exit 130' INT TERM HUP
# where systemd runs, init-functions would hand the action to systemctl,
# i.e. to the host's namespace: the scripts must run here, in the lab
initd() { nsxlat env SYSTEMCTL_SKIP_REDIRECT=1 /etc/init.d/tayga "$@"; }
# the administrator's changes: the lab's addresses, and a comment to recognise
cat >/etc/tayga.conf <<EOF
# modified by the package test: must survive the upgrade
tun-device $TUN_DEV
ipv4-addr $TAYGA_V4
prefix $PREFIX6
dynamic-pool $POOL4
data-dir $SPOOL
EOF
mkdir -p "$SPOOL"
rm -f "$DMAP_FILE"
check "Debian's init script starts TAYGA 0.9.2" initd start
check "TAYGA 0.9.2 translates: ping $CLIENT6_DYN -> $SERVER6" \
	wait_until 10 ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check "Debian's init script stops TAYGA 0.9.2" initd stop
check "TAYGA 0.9.2 wrote a dynamic mapping for $CLIENT6_DYN" \
	wait_until 5 grep -q "$CLIENT6_DYN" "$DMAP_FILE"
DYN4=$(awk -v a="$CLIENT6_DYN" '!/^#/ && $2 == a { print $1 }' "$DMAP_FILE")
# Move the mapping to another pool address (TAYGA's own format, one field
# changed), so that only a daemon that loaded this file gives it back.
case $DYN4 in *.77) NEW4=${DYN4%.*}.78 ;; *) NEW4=${DYN4%.*}.77 ;; esac
[ -n "$DYN4" ] && sed -i "s/^$DYN4\([[:space:]]\)/$NEW4\1/" "$DMAP_FILE"
echo "# TAYGA 0.9.2 mapped $CLIENT6_DYN -> ${DYN4:-?}; dynamic.map now says $NEW4"
DYN4=$NEW4
CONF_SUM=$(md5sum </etc/tayga.conf)
DMAP_SUM=$(md5sum <"$DMAP_FILE")

# ---- 3. upgrade with apt ----------------------------------------------------------------
check "apt upgrades Debian's tayga to $(basename "$DEB")" eval \
	'apt-get install -y -q -o Dpkg::Options::=--force-confold "$DEB" >"$PKG_WORK/upgrade.log" 2>&1 ||
	 { tail -n 20 "$PKG_WORK/upgrade.log"; false; }'
check "installed version is ours" eval '[ "$(pkg_version)" = "$(dpkg-deb -f "$DEB" Version)" ]'
check "/usr/sbin/tayga is the new daemon" eval '/usr/sbin/tayga --version | grep -q "$(dpkg-deb -f "$DEB" Version | cut -d- -f1)"'
check "the modified /etc/tayga.conf is kept" eval '[ "$(md5sum </etc/tayga.conf)" = "$CONF_SUM" ]'
check "dynamic.map is kept" eval '[ "$(md5sum <"$DMAP_FILE")" = "$DMAP_SUM" ]'
check "/etc/init.d/tayga is the new script (reload is SIGHUP)" grep -q 'kill -HUP' /etc/init.d/tayga
check "/etc/default/tayga still sets CONFIGURE_IFACE and CONFIGURE_NAT44" eval \
	'. /etc/default/tayga && [ "$CONFIGURE_IFACE" = yes ] && [ "$CONFIGURE_NAT44" = yes ]'
check "the new daemon reads /etc/tayga.conf by default" /usr/sbin/tayga --check-config
check "system user tayga exists" id tayga
check "user tayga owns $SPOOL and TAYGA's dynamic.map (the unit runs the daemon as tayga)" eval \
	'stat -c "%U:%G %n" "$SPOOL" "$DMAP_FILE"; [ "$(stat -c %U:%G "$SPOOL" "$DMAP_FILE" | sort -u)" = tayga:tayga ]'
check "user tayga can replace dynamic.map" \
	su -s /bin/sh tayga -c "id; ls -ld $SPOOL $DMAP_FILE; test -w $SPOOL && test -r $DMAP_FILE"
if command -v systemd-analyze >/dev/null 2>&1; then
	# the tree's unit with the Debian drop-in (verify reads drop-ins too and
	# checks that every Exec* command, tayga-iface included, is there)
	check "systemd-analyze verify tayga.service with its drop-in: no complaints" eval \
		'out=$(systemd-analyze verify /lib/systemd/system/tayga.service 2>&1); [ -z "$out" ] || { echo "$out"; false; }'
fi

# ---- 4. the new init script, Debian's variables, traffic ----------------------------------
# the administrator also asks for addresses on the tun
sed -i -e 's|^IPV4_TUN_ADDR=.*|IPV4_TUN_ADDR="192.168.253.1/32"|' \
	-e 's|^IPV6_TUN_ADDR=.*|IPV6_TUN_ADDR="2001:db8:ff::2/128"|' /etc/default/tayga
check "init.d start" initd start
PID=$(cat /run/tayga.pid 2>/dev/null)
[ -n "$PID" ] && netns_track_pid "$PID"
check "status: running (exit 0)" initd status
check "the daemon runs in the lab's translator namespace, not the host's" \
	eval '[ -n "$PID" ] && [ "$(ip netns identify "$PID")" = "$NS_XLAT" ]'
check "CONFIGURE_IFACE: $TUN_DEV up with routes to the prefix and the pool" eval \
	'nsxlat ip link show "$TUN_DEV" | grep -q ",UP" &&
	 nsxlat ip -6 route show "$PREFIX6" | grep -q "dev $TUN_DEV" &&
	 nsxlat ip -4 route show "$POOL4" | grep -q "dev $TUN_DEV"'
check "IPV4_TUN_ADDR and IPV6_TUN_ADDR are on $TUN_DEV" eval \
	'nsxlat ip -4 addr show dev "$TUN_DEV" | grep -q "inet 192.168.253.1/32" &&
	 nsxlat ip -6 addr show dev "$TUN_DEV" | grep -q "inet6 2001:db8:ff::2/128"'
check "CONFIGURE_NAT44: the pool is masqueraded" \
	nsxlat iptables -t nat -C POSTROUTING -s "$POOL4" -j MASQUERADE
check "ping $CLIENT6_DYN -> $SERVER6 through the new daemon" \
	ping_ok "$NS_CLIENT" "$SERVER6" -I "$CLIENT6_DYN"
check_not "no map for $CLIENT6 yet: the server cannot reach $CLIENT4" \
	nsserver ping -n -q -c 1 -w 1 "$CLIENT4"
echo "map $CLIENT4 $CLIENT6" >>/etc/tayga.conf
nsxlat ip route replace "$STATIC4_NET" dev "$TUN_DEV"
check "init.d reload" initd reload
check "after reload the new map works: server -> $CLIENT4" \
	wait_until 10 nsserver ping -n -q -c 1 -w 1 "$CLIENT4"
check "reload kept the same process" eval '[ -n "$PID" ] && [ "$(cat /run/tayga.pid)" = "$PID" ] && kill -0 "$PID"'
check "init.d stop" initd stop
check "the daemon is gone" wait_until 10 eval '! kill -0 "$PID" 2>/dev/null'
initd status >/dev/null 2>&1; rc=$?
if [ $rc = 3 ]; then t_pass "status after stop: not running (exit 3)"; else t_fail "status after stop: exit $rc, want 3"; fi
check_not "stop removed $TUN_DEV (tayga --rmtun)" nsxlat ip link show "$TUN_DEV"
check_not "stop removed the MASQUERADE rule" \
	nsxlat iptables -t nat -C POSTROUTING -s "$POOL4" -j MASQUERADE
check "$CLIENT6_DYN kept its address from the old dynamic.map ($DYN4)" eval \
	'[ -n "$DYN4" ] && [ "$(awk -v a="$CLIENT6_DYN" '"'"'!/^#/ && $2 == a { print $1 }'"'"' "$DMAP_FILE")" = "$DYN4" ]'
if [ "$HOST_HAD_TUN" = no ]; then
	check_not "the host has no $TUN_DEV device" ip link show "$TUN_DEV"
fi

# ---- 5. purge -------------------------------------------------------------------------------
check "apt purge" eval 'apt-get purge -y -q tayga >"$PKG_WORK/purge.log" 2>&1 || { tail -n 20 "$PKG_WORK/purge.log"; false; }'
check "purge removed binary, configuration and state" eval \
	'[ -z "$(pkg_version)" ] && [ ! -e /usr/sbin/tayga ] && [ ! -e /etc/tayga.conf ] &&
	 [ ! -e /etc/default/tayga ] && [ ! -e /etc/init.d/tayga ] && [ ! -e "$SPOOL" ]'

t_finish
