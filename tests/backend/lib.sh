# shellcheck shell=sh
# Helpers for tests/backend/*.sh (POSIX sh, sourced).
#
# A test builds its own topology from network namespaces (named after the
# test and its pid), runs bin/nuse-link in them and tears everything down on
# exit, failing or not: deleting a namespace deletes the veths and TAPs in
# it. Addresses are used only inside those namespaces. Exit status: 0 pass,
# 1 fail, 77 skip (with the reason on stdout).

set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
LINK=$top_builddir/src/backend/nuse-link
TEST_NAME=$(basename "$0" .sh)
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-$TEST_NAME.XXXXXX") || exit 99
NETNS=""
BG_PIDS=""
FAILED=0

cleanup() {
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	for ns in $NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${NUSE_TEST_KEEP:-}" ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

pass() {
	echo "PASS: $*"
}

fail() {
	FAILED=1
	echo "FAIL: $*"
}

finish() {
	[ "$FAILED" = 0 ] || exit 1
	exit 0
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP, veth)"
	command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
	[ -x "$LINK" ] || skip "$LINK not built"
}

# mkns VAR SUFFIX: create namespace nuse-TEST-PID-SUFFIX, name it in $VAR.
# (Not through $(...): the subshell would lose it from the cleanup list.)
mkns() {
	_ns="nuse-$TEST_NAME-$$-$2"
	ip netns add "$_ns" || skip "cannot create network namespaces"
	NETNS="$NETNS $_ns"
	ip -n "$_ns" link set lo up
	eval "$1=\$_ns"
}

# bg CMD...: run in the background with output in $T/bg.N; sets BG_PID.
BG_N=0
bg() {
	BG_N=$((BG_N + 1))
	"$@" >"$T/bg.$BG_N" 2>&1 &
	BG_PID=$!
	BG_OUT=$T/bg.$BG_N
	BG_PIDS="$BG_PIDS $BG_PID"
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# wait_bg PID: wait for a background job, return its status.
wait_bg() {
	wait "$1"
	_rc=$?
	BG_PIDS=$(echo "$BG_PIDS" | sed "s/ $1\$//; s/ $1 / /")
	return $_rc
}

# one_line FILE: the file holds exactly one line.
one_line() {
	[ "$(wc -l <"$1")" -eq 1 ]
}

# eal_leftovers: EAL runtime directories (/var/run/dpdk/nuse-PID) whose
# process is gone. Live ones may belong to a test running in parallel.
eal_leftovers() {
	for _d in /var/run/dpdk/nuse-*; do
		[ -d "$_d" ] || continue
		[ -d "/proc/${_d##*/nuse-}" ] || echo "$_d"
	done
}
