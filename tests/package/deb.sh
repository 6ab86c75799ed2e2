#!/bin/sh
# The Debian package: dpkg-buildpackage -b builds nuse_VERSION_amd64.deb
# from the tarball's files with the project's own configure and make,
# lintian finds no error, dpkg -i installs it on this machine, the loopback
# session demo runs from /usr/bin/nuse-exec, the embedding example builds
# against /usr's headers and libraries, and dpkg --purge leaves the machine
# as it was (also when the test fails). Minutes: it builds the kernel.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i)"
for t in dpkg-buildpackage dh lintian dpkg-checkbuilddeps; do
	command -v $t >/dev/null 2>&1 || skip "needs $t (contrib/install-deps)"
done
# Never replace a nuse the machine's owner installed.
if dpkg-query -W -f='${Status}' nuse 2>/dev/null | grep -q "ok installed"; then
	skip "a nuse package is already installed here; not replacing it"
fi

# Build-Depends come from contrib/install-deps' list.
deps=$(sed -n '/^Build-Depends:/,/^[A-Za-z-]*:/p' "$top_srcdir/debian/control" |
	sed '$d; s/^Build-Depends://' | tr ',' '\n' | sed 's/(.*)//; s/ //g' |
	sed 's/^debhelper-compat$/debhelper/' | grep .)
miss=""
for d in $deps; do
	grep -qw -- "$d" "$top_srcdir/contrib/install-deps" || miss="$miss $d"
done
[ -z "$miss" ] && pass "Build-Depends are in contrib/install-deps" ||
	fail "Build-Depends not in contrib/install-deps:$miss"

# The sources as the tarball has them, in $T.
S=$T/nuse-$VERSION
tree_make -s distdir distdir="$S" top_distdir="$S" >"$T/distdir.log" 2>&1 ||
	{ fail "make distdir: $(tail -5 "$T/distdir.log")"; finish; }
(cd "$S" && dpkg-checkbuilddeps) >"$T/bdeps" 2>&1 ||
	skip "build dependencies missing: $(cat "$T/bdeps")"
if (cd "$S" && DEB_BUILD_OPTIONS="parallel=2" timeout 1800 \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -b -us -uc) \
	>"$T/build.log" 2>&1; then
	pass "dpkg-buildpackage -b -us -uc in $(elapsed) s"
else
	fail "dpkg-buildpackage: $(grep -E 'rror|FAIL' "$T/build.log" | head -10)"
	tail -30 "$T/build.log"
	finish
fi
DEB=$T/nuse_${VERSION}_amd64.deb
[ -f "$DEB" ] && pass "built $(basename "$DEB")" || { fail "no $DEB: $(ls "$T")"; finish; }

lintian --fail-on error "$DEB" >"$T/lintian" 2>&1
rc=$?
errs=$(grep '^E:' "$T/lintian")
[ "$rc" = 0 ] && [ -z "$errs" ] &&
	pass "lintian: no error ($(grep -c '^W:' "$T/lintian") warnings)" ||
	fail "lintian (status $rc): $errs"
grep -E '^[WE]:' "$T/lintian" | sed 's/^/# /'

# Installed on this machine, removed again whatever happens.
ON_EXIT="dpkg --purge nuse >/dev/null 2>&1"
if dpkg -i "$DEB" >"$T/dpkg" 2>&1; then
	pass "dpkg -i $(basename "$DEB")"
else
	fail "dpkg -i: $(cat "$T/dpkg")"
	finish
fi
/usr/bin/nuse-exec --version | grep -qx "nuse-exec $VERSION" &&
	pass "/usr/bin/nuse-exec --version" || fail "/usr/bin/nuse-exec --version"
for f in /usr/bin/nuse-node /usr/include/nuse/stack.h \
	/usr/share/man/man1/nuse-exec.1.gz /usr/share/man/man1/nuse-node.1.gz \
	/usr/share/bash-completion/completions/nuse-exec; do
	[ -e "$f" ] || fail "not installed: $f"
done
lib=$(dpkg -L nuse | grep '/libnuse-preload.so$')
[ -n "$lib" ] && pass "preload library at $lib" || fail "no libnuse-preload.so in the package"
/usr/bin/nuse-exec -v --mode=preload -- /bin/true >"$T/pre" 2>&1
grep -q "preload library $lib" "$T/pre" &&
	pass "/usr/bin/nuse-exec --mode=preload finds $lib" || fail "--mode=preload from /usr/bin: $(cat "$T/pre")"

# The loopback session demo (contrib/demo's first part), from /usr/bin.
BUSYBOX=$(command -v busybox) || BUSYBOX=""
if [ -n "$BUSYBOX" ]; then
	mkdir -p "$T/www"
	echo "hello from a server inside the nuse session" >"$T/www/hello.txt"
	timeout 60 /usr/bin/nuse-exec -- "$BUSYBOX" sh -c "
		$BUSYBOX httpd -f -p 127.0.0.1:18616 -h $T/www &
		w=0; until ss -Hltn 'sport = :18616' | grep -q .; do
			w=\$((w + 1)); [ \$w -lt 100 ] || break; sleep 0.1
		done
		$BUSYBOX wget -q -O - http://127.0.0.1:18616/hello.txt
		ip -o addr show; kill \$!" >"$T/demo" 2>&1
	grep -q "hello from a server inside the nuse session" "$T/demo" &&
		grep -q "lo .*inet 127.0.0.1/8" "$T/demo" &&
		pass "loopback session demo from /usr/bin/nuse-exec: server, client and ip on one stack" ||
		fail "loopback demo: $(cat "$T/demo")"
else
	echo "SKIP: loopback demo: no busybox"
fi

# The example against the system's headers and libraries.
if command -v cc >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1; then
	flags=$(pkg-config --cflags --libs nuse)
	cc -std=gnu11 -Wall -Werror -o "$T/nuse-hello" \
		"$top_srcdir/contrib/examples/nuse-hello.c" $flags >"$T/cc" 2>&1 &&
		pass "example builds against the package: cc ... $flags" ||
		fail "example against the package: $(cat "$T/cc")"
fi

dpkg --purge nuse >"$T/dpkg" 2>&1 && [ ! -e /usr/bin/nuse-exec ] &&
	! dpkg-query -W nuse >/dev/null 2>&1 &&
	pass "dpkg --purge nuse: nothing left" || fail "dpkg --purge: $(cat "$T/dpkg")"
ON_EXIT=""
echo "# deb: $(elapsed) s"
finish
