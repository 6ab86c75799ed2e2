#!/bin/sh
# `make check-fuzz-san`: the fuzz pass (tests/fuzz/fuzz.sh) against a
# sanitizer build of nuse (issue 14 item 4, docs/fuzz.md "Sanitizers").
#
# In a build configured with --enable-sanitizers this is `make check-fuzz`.
# Otherwise it makes the sanitizer twin of this build: a copy of the
# sources (`make distdir`, so an in-tree build works too: automake
# refuses a VPATH build from a configured source directory), configured
# --enable-sanitizers with the same Linux source, built with `make -j2`,
# then `make check-fuzz` there.  All of it in $top_builddir/fuzz-san.tmp,
# removed afterwards (NUSE_TEST_KEEP=1 keeps it).
#
# Environment: FUZZ_SECONDS (per tool and mode, default 5), FUZZ_MODES,
# FUZZ_SEED (passed on to fuzz.sh), MAKE.
set -u
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$top_builddir}"
MAKE=${MAKE:-make}
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
export FUZZ_SECONDS

if grep -q '^RT_SAN_CFLAGS = -fsanitize' "$top_builddir/Makefile" 2>/dev/null; then
	exec "$MAKE" -C "$top_builddir" check-fuzz
fi

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (as tests/fuzz/fuzz.sh)"; exit 77; }
LINUX_SOURCE=$(sed -n 's/^LINUX_SOURCE = //p' "$top_builddir/Makefile")
W=$(cd "$top_builddir" && pwd)/fuzz-san.tmp
rm -rf "$W" && mkdir -p "$W/build" || exit 99
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	if [ -n "${NUSE_TEST_KEEP:-}" ]; then
		echo "kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

t0=$(date +%s)
step() {
	_what=$1
	shift
	echo "fuzz-san: $_what"
	if ! "$@" >"$W/$_what.log" 2>&1; then
		echo "FAIL: fuzz-san: $_what failed; its log's end:"
		tail -30 "$W/$_what.log" | sed 's/^/  | /'
		exit 1
	fi
}
step distdir "$MAKE" -C "$top_builddir" distdir distdir="$W/src"
cd "$W/build" || exit 99
step configure "$W/src/configure" --enable-werror --enable-sanitizers \
	--with-linux-source="$LINUX_SOURCE"
step build "$MAKE" -j2
t1=$(date +%s)
echo "fuzz-san: sanitizer build made in $((t1 - t0)) s"
"$MAKE" check-fuzz
st=$?
echo "fuzz-san: fuzz pass $(($(date +%s) - t1)) s, total $(($(date +%s) - t0)) s"
exit $st
