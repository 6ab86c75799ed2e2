#!/bin/sh
# make install into a DESTDIR puts every part in place; the tree, copied to
# another prefix (as a DESTDIR install is copied into place), runs from
# there: nuse-exec finds its preload library relative to itself, pkg-config
# finds nuse.pc; make uninstall leaves nothing behind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ -x "$NUSE_EXEC" ] || skip "$NUSE_EXEC not built"

D=$T/dest
install_tree "$D" && pass "make install DESTDIR" || fail "make install DESTDIR"
P=$(prefix_of "$D")

for f in bin/nuse-exec bin/nuse-node lib/nuse/libnuse-preload.so \
	share/man/man1/nuse-exec.1 share/man/man1/nuse-node.1 \
	include/nuse/stack.h include/nuse/backend.h include/nuse/attach.h \
	lib/libnuse-stack.a lib/libnuse-backend.a lib/libnuse-attach.a \
	lib/pkgconfig/nuse.pc \
	share/bash-completion/completions/nuse-exec \
	share/bash-completion/completions/nuse-node; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
[ "$FAILED" = 0 ] && pass "installed: programs, preload library, man pages, headers, libraries, nuse.pc, completions"
# internal headers stay internal
[ ! -e "$P/include/nuse/vfs.h" ] && [ ! -e "$P/include/nuse/host.h" ] &&
	pass "only the public headers" || fail "internal headers installed"

# Moved into place: the installed tree copied to another prefix.
M=$T/moved
cp -a "$P" "$M"
out=$("$M/bin/nuse-exec" -v --mode=preload -- /bin/true 2>&1)
echo "$out" | grep -q "preload library $M/lib/nuse/libnuse-preload.so" &&
	pass "moved nuse-exec finds its preload library under the new prefix" ||
	fail "moved nuse-exec, preload: $out"
if command -v ip >/dev/null 2>&1; then
	timeout 60 "$M/bin/nuse-exec" -- ip -o addr show >"$T/ip" 2>&1 &&
		grep -q "lo .*inet 127.0.0.1/8" "$T/ip" &&
		pass "moved nuse-exec runs a session on Linux's stack" ||
		fail "moved nuse-exec -- ip addr: $(cat "$T/ip")"
fi
timeout 30 "$M/bin/nuse-node" --ping-only --duration 0.2 >"$T/node" 2>&1 &&
	pass "moved nuse-node runs" || fail "moved nuse-node: $(cat "$T/node")"
if command -v pkg-config >/dev/null 2>&1; then
	PKG_CONFIG_PATH=$M/lib/pkgconfig pkg-config --define-prefix --cflags --libs nuse >"$T/pc" 2>&1 &&
		grep -q -- "-I$M/include" "$T/pc" && grep -q -- "-L$M/lib -lnuse-attach -lnuse-stack -lnuse-backend" "$T/pc" &&
		pass "pkg-config nuse: $(cat "$T/pc")" || fail "pkg-config nuse: $(cat "$T/pc")"
	PKG_CONFIG_PATH=$M/lib/pkgconfig pkg-config --modversion nuse | grep -qx "$VERSION" &&
		pass "pkg-config --modversion nuse: $VERSION" || fail "pkg-config --modversion"
else
	echo "SKIP: pkg-config: not installed"
fi

if tree_make -s uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1; then
	left=$(find "$D" -type f -o -type l)
	[ -z "$left" ] && pass "make uninstall leaves no file" || fail "left after uninstall: $left"
else
	fail "make uninstall: $(tail -5 "$T/uninstall.log")"
fi
echo "# install: $(elapsed) s"
finish
