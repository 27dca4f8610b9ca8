# lib-deps.sh - install what building and testing needs (Debian 12 / apt).
# Sourced by scripts/test and scripts/demo.
#   SKIP_APT=1   never touch apt (use what is installed)

# needed to build and to run the unit and integration tests
DEPS_REQUIRED=(
	build-essential autoconf automake libtool pkg-config check
	iproute2 iptables nftables iputils-ping procps socat curl python3
	traceroute clang libclang-rt-14-dev valgrind systemd bird2
	debhelper lintian
	# musl-gcc: the daemon built against OpenWrt's C library (stage musl)
	musl-tools
	# Debian's TAYGA 0.9.2: what scripts/bench compares against and what the
	# package test upgrades from
	tayga
)
# nice to have: benchmarks, debugging
DEPS_OPTIONAL=(
	iperf3 tcpdump
	# scripts/bench's plot; tests/integration/prometheus.sh (skips without them)
	gnuplot-nox prometheus prometheus-node-exporter
	# OpenWrt's shell for tests/integration/openwrt.sh (dash without it)
	busybox
)

deps_log() { printf '==> %s\n' "$*" >&2; }

# deps_missing PKG... : print the packages that are not installed
deps_missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
			|| echo "$p"
	done
}

deps_install() {
	if [ "${SKIP_APT:-0}" = 1 ]; then
		deps_log "SKIP_APT=1: not installing packages"
		return 0
	fi
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
		deps_log "no apt-get here: install these by hand: ${DEPS_REQUIRED[*]} ${DEPS_OPTIONAL[*]}"
		return 0
	fi
	local req opt
	req=$(deps_missing "${DEPS_REQUIRED[@]}")
	opt=$(deps_missing "${DEPS_OPTIONAL[@]}")
	if [ -z "$req" ] && [ -z "$opt" ]; then
		deps_log "all packages already installed"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		deps_log "missing packages ($req $opt) and not root: cannot install them"
		[ -z "$req" ]
		return
	fi
	export DEBIAN_FRONTEND=noninteractive
	deps_log "apt-get update"
	apt-get update -q || return 1
	if [ -n "$req" ]; then
		deps_log "installing: $(echo $req)"
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $req || return 1
	fi
	if [ -n "$opt" ]; then
		deps_log "installing optional: $(echo $opt)"
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $opt \
			|| deps_log "warning: optional packages not installed; some tests will skip"
	fi
}
