#!/bin/bash
# tests/package/freebsd-port.sh - what can be checked of the FreeBSD port
# (packaging/freebsd/net/tayga) without FreeBSD (scripts/test, stage
# "package"; needs a configured and built BUILD_DIR):
#   1. the port's DISTVERSION is configure's version, and distinfo names
#      that version's tarball with a SHA256 and a SIZE;
#   2. a staged install as the port does it (make install with the port's
#      prefix and docdir, then the port's post-install steps, done here by
#      hand) holds exactly the files pkg-plist and PORTDOCS list, with the
#      DOCS and RCSCRIPT options on and off - what FreeBSD's check-plist
#      would find. Man pages: the ports framework gzips them.
# Not checked: that bsd.port.mk accepts the Makefile, that it builds and
# runs on FreeBSD (docs/packages.md).
# Exit status: 0 pass, 1 fail, 77 skip (no build directory).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SRCDIR/build}
PORT=$SRCDIR/packaging/freebsd/net/tayga
PREFIX=/usr/local
DOCSDIR=$PREFIX/share/doc/tayga
fails=0

bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ -f "$BUILD_DIR/Makefile" ] || { echo "SKIP: no build in $BUILD_DIR"; exit 77; }

# the value of VAR= in the port Makefile
port_var() { sed -n "s/^$1=[[:space:]]*//p" "$PORT/Makefile"; }

# ---- 1. version and distinfo ----
version=$(sed -n 's/^AC_INIT(\[tayga\], \[\([^]]*\)\].*/\1/p' "$SRCDIR/configure.ac")
[ "$(port_var DISTVERSION)" = "$version" ] ||
	bad "port DISTVERSION '$(port_var DISTVERSION)' is not configure's $version"
tarball=tayga-$version.tar.gz
grep -Eq "^SHA256 \($tarball\) = [0-9a-f]{64}\$" "$PORT/distinfo" ||
	bad "distinfo has no SHA256 line for $tarball"
grep -Eq "^SIZE \($tarball\) = [0-9]+\$" "$PORT/distinfo" || bad "distinfo has no SIZE line for $tarball"
grep -Eq '^TIMESTAMP = [0-9]+$' "$PORT/distinfo" || bad "distinfo has no TIMESTAMP"

# ---- 2. staged install vs packing list ----
stage=$(mktemp -d) || exit 1
trap 'rm -rf "$stage"' EXIT

# install_like_port DOCS RCSCRIPT -> $stage/root
install_like_port() {
	local root=$stage/root
	rm -rf "$root"
	make -s -C "$BUILD_DIR" install DESTDIR="$root" prefix="$PREFIX" \
		docdir="$DOCSDIR" >/dev/null || { bad "make install"; return 1; }
	# the port's post-install targets
	mkdir -p "$root$PREFIX/etc"
	install -m 644 "$SRCDIR/tayga.conf.example" "$root$PREFIX/etc/tayga.conf.example"
	if [ "$1" = on ]; then
		mkdir -p "$root$DOCSDIR/docs"
		install -m 644 "$SRCDIR"/docs/*.md "$root$DOCSDIR/docs"
	else
		rm -rf "$root$DOCSDIR"
	fi
	if [ "$2" = on ]; then
		mkdir -p "$root$PREFIX/etc/rc.d"
		install -m 755 "$BUILD_DIR/init/tayga.rc" "$root$PREFIX/etc/rc.d/tayga"
	fi
}

# expected_files DOCS RCSCRIPT: pkg-plist (+ PORTDOCS) as paths under PREFIX
expected_files() {
	local line d
	while read -r line; do
		case $line in
		%%RCSCRIPT%%*) [ "$2" = on ] || continue; line=${line#%%RCSCRIPT%%} ;;
		@sample\ *) line=${line#@sample }; line=${line%% *} ;;
		@*|'') continue ;;
		esac
		echo "${line%.gz}"
	done <"$PORT/pkg-plist"
	[ "$1" = on ] || return 0
	for d in $(port_var PORTDOCS); do
		if [ -d "$SRCDIR/$d" ]; then
			(cd "$SRCDIR" && find "$d" -name '*.md' -type f) | sed "s|^|${DOCSDIR#$PREFIX/}/|"
		else
			echo "${DOCSDIR#$PREFIX/}/$d"
		fi
	done
}

for docs in on off; do
	for rc in on off; do
		install_like_port $docs $rc || continue
		got=$(cd "$stage/root$PREFIX" && find . -type f | sed 's|^\./||' | sort)
		want=$(expected_files $docs $rc | sort)
		if [ "$got" != "$want" ]; then
			bad "DOCS=$docs RCSCRIPT=$rc: staged files differ from pkg-plist + PORTDOCS:"
			diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
		fi
	done
done

[ "$(grep -c '^@sample etc/tayga.conf.example etc/tayga.conf$' "$PORT/pkg-plist")" = 1 ] ||
	bad "pkg-plist: no '@sample etc/tayga.conf.example etc/tayga.conf' (as FreeBSD's net/tayga)"
grep -q 'rc.d' "$PORT/pkg-plist" && ! grep -q '^%%RCSCRIPT%%etc/rc.d/tayga$' "$PORT/pkg-plist" &&
	bad "pkg-plist installs rc.d/tayga without the RCSCRIPT option"

if [ $fails -ne 0 ]; then
	echo "freebsd-port: $fails failure(s)"
	exit 1
fi
echo "freebsd-port: version, distinfo and packing list (DOCS, RCSCRIPT on/off) consistent"
