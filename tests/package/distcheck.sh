#!/bin/sh
# make distcheck: the tarball holds what a build needs (the kernel still
# comes from linux-source-6.12), configures with -Werror out of tree
# (VPATH: the kernel tree extracted and built in the build tree), builds,
# passes the smoke test, installs, passes installcheck, uninstalls, and
# distclean leaves nothing. Minutes: it builds the kernel once more.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ -f "$top_builddir/Makefile" ] || skip "no configured build tree"

# distcheck works in the build tree (nuse-VERSION/, nuse-VERSION.tar.gz):
# the tarball is moved to $T, a failed run's directory removed.
DD=$top_builddir/nuse-$VERSION
[ -e "$DD" ] && skip "$DD exists (a distcheck running or left over)"
ON_EXIT='[ -d "$DD" ] && chmod -R u+w "$DD" && rm -rf "$DD"'
if tree_make distcheck >"$T/distcheck.log" 2>&1; then
	pass "make distcheck in $(elapsed) s"
else
	fail "make distcheck (status $?, $(elapsed) s): $(grep -E 'rror|FAIL' "$T/distcheck.log" | head -10)"
	tail -30 "$T/distcheck.log"
	finish
fi
mv "$top_builddir/nuse-$VERSION.tar.gz" "$T/"
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
