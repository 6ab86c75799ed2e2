#!/bin/sh
# make distcheck: the tarball holds what a build needs (the kernel still
# comes from linux-source-6.12), configures with -Werror out of tree
# (VPATH: the kernel tree extracted and built in the build tree), builds,
# passes the smoke test, installs, passes installcheck, uninstalls, and
# distclean leaves nothing. Minutes: it builds the kernel once more.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ -f "$top_builddir/Makefile" ] || skip "no configured build tree"

# Its own distdir in $T, so a tarball of the build tree is left alone.
DD=$T/nuse-$VERSION
if timeout 1800 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" \
	distcheck distdir="$DD" top_distdir="$DD" >"$T/distcheck.log" 2>&1; then
	pass "make distcheck in $(elapsed) s"
else
	fail "make distcheck (status $?, $(elapsed) s): $(grep -E 'rror|FAIL' "$T/distcheck.log" | head -10)"
	tail -30 "$T/distcheck.log"
	finish
fi
grep -q "nuse-$VERSION archives ready for distribution" "$T/distcheck.log" &&
	pass "archives ready: $(ls "$T"/*.tar.gz | xargs -n1 basename)" ||
	fail "distcheck did not say the archives are ready"
# The smoke test ran inside, out of tree.
grep -q "^PASS: tests/package/smoke.sh" "$T/distcheck.log" &&
	pass "smoke test passed in the VPATH build" || fail "no smoke test in distcheck"
grep -q "KBUILD   vmlinux" "$T/distcheck.log" &&
	pass "the kernel was built in the distcheck build tree" ||
	fail "no kernel build in distcheck"
# What the tarball holds: every file git tracks but the dotfiles of git.
if command -v git >/dev/null 2>&1 && git -C "$top_srcdir" rev-parse >/dev/null 2>&1; then
	tar -tzf "$T/nuse-$VERSION.tar.gz" | sed "s|^nuse-$VERSION/||" | sort >"$T/tar.lst"
	git -C "$top_srcdir" ls-files | grep -v -E '(^|/)\.(gitignore|keep)$|^\.ci/' |
		sort >"$T/git.lst"
	missing=$(comm -13 "$T/tar.lst" "$T/git.lst")
	[ -z "$missing" ] && pass "the tarball holds every tracked file" ||
		fail "not in the tarball: $missing"
fi
echo "# distcheck: $(elapsed) s"
finish
