# shellcheck shell=sh
# Helpers for tests/package/*.sh (POSIX sh, sourced): the backend tests'
# (temp dir, namespaces, background jobs, pass/fail/skip, all undone on
# exit), plus what these tests share. A test may set ON_EXIT to a command
# run first at exit, failing or not (dpkg -r, a moved prefix removed).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"

NODE=$top_builddir/src/stack/nuse-node
: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
VERSION=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
T_START=$(date +%s)
ON_EXIT=""

# The backend tests' cleanup, after ON_EXIT.
package_cleanup() {
	if [ -n "$ON_EXIT" ]; then
		eval "$ON_EXIT" || true
	fi
	cleanup
}
trap package_cleanup EXIT

# A make of this build tree from inside `make check`: its own -j2 job
# server (never more: 2 cores), no flags of the make that runs the tests,
# at most 30 minutes.
tree_make() {
	timeout 1800 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -j2 -C "$top_builddir" "$@"
}

# elapsed: seconds since the test started.
elapsed() {
	echo $(($(date +%s) - T_START))
}

# install_tree DESTDIR: make install into it, quietly; 0 or the log shown.
install_tree() {
	if tree_make -s install DESTDIR="$1" >"$T/install.log" 2>&1; then
		return 0
	fi
	tail -20 "$T/install.log"
	return 1
}

# prefix_of DESTDIR: where the configured prefix landed under it.
prefix_of() {
	echo "$1$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")"
}
