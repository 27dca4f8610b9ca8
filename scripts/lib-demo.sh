# lib-demo.sh - what scripts/demo and scripts/scale-demo share: output helpers,
# shellcheck shell=bash
# package install and build. Source from the source tree's root with SRC,
# BUILD_DIR and TAYGA_BIN set, after lib-deps.sh and lib-netns.sh.

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi
step() { printf '\n%s=== %s%s\n' "$B" "$*" "$N"; }
# show NS CMD... : print the command as run in a namespace, then run it
# (NS: client, xlat, server, host, or a namespace name)
show() {
	local ns=$1; shift
	printf '[%s]# %s\n' "$ns" "$*"
	case $ns in
	client) nsclient "$@" ;;
	xlat)   nsxlat "$@" ;;
	server) nsserver "$@" ;;
	host)   "$@" ;;
	*)      nsx "$ns" "$@" ;;
	esac
}
die() { echo "${0##*/}: $*" >&2; exit 1; }

# demo_build : install packages (unless SKIP_APT=1) and build the daemon
# (unless SKIP_BUILD=1); steps 1 and 2 of the demos
demo_build() {
	[ "$(id -u)" = 0 ] || die "run me as root (I create network namespaces)"
	step "1. build dependencies"
	deps_install || die "installing packages failed"
	if [ "${SKIP_BUILD:-0}" != 1 ]; then
		step "2. build (autoreconf, configure, make in $BUILD_DIR/)"
		if [ ! -x configure ]; then
			mkdir -p m4 && autoreconf -fi || die "autoreconf failed"
		fi
		mkdir -p "$BUILD_DIR" || die "mkdir $BUILD_DIR"
		( cd "$BUILD_DIR" && { [ -f Makefile ] || "$SRC/configure" -q; } && make -j"$(nproc)" tayga ) \
			|| die "build failed"
	fi
	[ -x "$TAYGA_BIN" ] || die "no daemon at $TAYGA_BIN"
	echo "daemon: $TAYGA_BIN"
}
