# shellcheck shell=sh
# Helpers for tests/integration/*.sh (POSIX sh, sourced).
#
# A test runs real programs natively and under `nuse-exec --mode=M` for each
# mode M in $MODES and compares what can be seen from outside: stdout and
# the exit status.  With --stack=host a program must behave exactly as it
# does natively.  Exit status of a test: 0 all passed, 1 something failed,
# 77 skipped (nothing could be checked).
#
# Environment:
#   NUSE_EXEC         the nuse-exec to test (set by `make check`)
#   NUSE_TEST_MODES   modes to run (default: every mode)
#   NUSE_TEST_TIMEOUT seconds one run may take (default 20)
#   NUSE_TEST_KEEP    keep the temp dir (its path is printed)
#
# Only 127.0.0.1 and ::1 are used.

set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
MODES=${NUSE_TEST_MODES:-"sud sud-trap seccomp ptrace unotify preload"}
TIMEOUT=${NUSE_TEST_TIMEOUT:-20}
# A test must finish within 60 s: later runs are reported as failures.
BUDGET=${NUSE_TEST_BUDGET:-50}
# shellcheck disable=SC2034 # used by the tests
PROGS=$top_builddir/tests/programs
BUSYBOX=${BUSYBOX:-/bin/busybox}
export LC_ALL=C

TEST_NAME=$(basename "$0" .sh)
T_START=$(date +%s)
N_PASS=0
N_FAIL=0
N_SKIP=0
BG_PIDS=""

T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-$TEST_NAME.XXXXXX") || exit 99

cleanup() {
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
		kill -KILL -- "-$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	BG_PIDS=""
	if [ -n "${NUSE_TEST_KEEP:-}" ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# skip REASON: the whole test cannot run here.
skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

pass() {
	N_PASS=$((N_PASS + 1))
	echo "PASS: $*"
}

fail() {
	N_FAIL=$((N_FAIL + 1))
	echo "FAIL: $*"
}

# skip_one WHAT REASON: one check cannot run; the others go on.
skip_one() {
	N_SKIP=$((N_SKIP + 1))
	echo "SKIP: $1: $2"
}

# finish: the test's exit status from what was counted.
finish() {
	echo "$TEST_NAME: $N_PASS passed, $N_FAIL failed, $N_SKIP skipped ($(($(date +%s) - T_START)) s)"
	[ "$N_FAIL" -eq 0 ] || exit 1
	[ "$N_PASS" -gt 0 ] || exit 77
	exit 0
}

need_nuse() {
	[ -x "$NUSE_EXEC" ] || skip "nuse-exec not built ($NUSE_EXEC)"
}

# need_prog PATH: skip the test when PATH was not built or installed.
need_prog() {
	[ -x "$1" ] || skip "$1 not available"
}

# is_dynamic PROGRAM: it has a program interpreter (LD_PRELOAD can apply).
is_dynamic() {
	case "$(head -c 2 "$1")" in
	"#!") return 0 ;;
	esac
	LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# modes_for PROGRAM: the modes that apply to PROGRAM (preload: dynamic only).
modes_for() {
	for m in $MODES; do
		if [ "$m" = preload ] && ! is_dynamic "$1"; then
			continue
		fi
		printf '%s ' "$m"
	done
}

over_budget() {
	[ $(($(date +%s) - T_START)) -ge "$BUDGET" ]
}

# run OUT ERR CMD...: run CMD under the timeout, stdout to OUT, stderr to
# ERR, stdin from /dev/null (or $RUN_STDIN); sets ST to its status (124:
# timed out).  timeout(1) leads a process group of its own: whatever CMD
# left behind in it (a supervisor's stray child) is killed afterwards.
run() {
	_out=$1
	_err=$2
	shift 2
	rm -f "$T/run.pid"
	sh -c 'echo $$ >"$0"; exec timeout -k 2 "$@"' "$T/run.pid" "$TIMEOUT" "$@" \
		<"${RUN_STDIN:-/dev/null}" >"$_out" 2>"$_err"
	ST=$?
	if [ -s "$T/run.pid" ]; then
		kill -KILL -- "-$(cat "$T/run.pid")" 2>/dev/null
	fi
}

# Output filter (a command or function) applied to both sides before
# comparing; empty: none.
FILTER=

# filtered FILE: FILE through $FILTER.
filtered() {
	if [ -n "$FILTER" ]; then
		$FILTER <"$1"
	else
		cat "$1"
	fi
}

# compare_one NAME MODE CMD...: run CMD natively (once per NAME) and under
# MODE, compare filtered stdout and exit status.
compare_one() {
	_name=$1
	_mode=$2
	shift 2
	_base=$T/$(printf '%s' "$_name" | tr -c 'A-Za-z0-9_.-' '_')
	if [ ! -f "$_base.native.st" ]; then
		run "$_base.native.out" "$_base.native.err" "$@"
		echo "$ST" >"$_base.native.st"
	fi
	_nst=$(cat "$_base.native.st")
	if over_budget; then
		fail "$_name [$_mode]: not run, $BUDGET s time budget used up"
		return
	fi
	run "$_base.$_mode.out" "$_base.$_mode.err" "$NUSE_EXEC" --stack=host --mode="$_mode" -- "$@"
	filtered "$_base.native.out" >"$_base.native.f"
	filtered "$_base.$_mode.out" >"$_base.$_mode.f"
	if [ "$ST" = 124 ] || [ "$ST" = 137 ] && [ "$_nst" != "$ST" ]; then
		fail "$_name [$_mode]: timed out after $TIMEOUT s"
	elif [ "$ST" != "$_nst" ]; then
		fail "$_name [$_mode]: exit status $ST, native $_nst"
	elif ! cmp -s "$_base.native.f" "$_base.$_mode.f"; then
		fail "$_name [$_mode]: stdout differs from native"
		diff "$_base.native.f" "$_base.$_mode.f" | head -20 | sed 's/^/  /'
	else
		pass "$_name [$_mode]"
		return 0
	fi
	if [ -s "$_base.$_mode.err" ]; then
		echo "  stderr under $_mode:"
		head -10 "$_base.$_mode.err" | sed 's/^/  | /'
	fi
	return 1
}

# compare NAME CMD...: compare_one for every mode that applies to CMD.
compare() {
	_cname=$1
	shift
	for _m in $(modes_for "$1"); do
		compare_one "$_cname" "$_m" "$@"
	done
}

# expect_status NAME WANT CMD...: CMD must exit with WANT (stderr kept in
# $T/last.err for messages).
expect_status() {
	_name=$1
	_want=$2
	shift 2
	run "$T/last.out" "$T/last.err" "$@"
	if [ "$ST" = "$_want" ]; then
		pass "$_name: status $ST"
		return 0
	fi
	fail "$_name: status $ST, want $_want"
	sed 's/^/  | /' "$T/last.err" | head -5
	return 1
}

# spawn_bg CMD...: start CMD in the background, in a session (and process
# group) of its own, all of which is killed at exit.
spawn_bg() {
	setsid "$@" &
	BG_PIDS="$BG_PIDS $!"
	BG_LAST=$!
}

# procs_matching COMM PATTERN: the live (not zombie) processes named COMM
# whose command line matches PATTERN (grep), one per line: how a test
# finds the keeper (nuse-keeper) or the helper of its own run.
procs_matching() {
	for _p in $(pgrep -x "$1" 2>/dev/null); do
		[ "$(cut -d' ' -f3 "/proc/$_p/stat" 2>/dev/null)" = Z ] && continue
		{ tr '\0' ' ' <"/proc/$_p/cmdline"; } 2>/dev/null |
			grep -q -- "$2" && echo "$_p"
	done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_file FILE: wait up to 10 s for FILE to exist and be non-empty.
wait_file() {
	_i=0
	while [ ! -s "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || return 1
		sleep 0.05
	done
}

# wait_port PORT: wait up to 10 s for a listener on 127.0.0.1:PORT.
wait_port() {
	python3 -c 'import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)' "$1"
}

# make_file PATH SIZE_KIB: a deterministic, incompressible-looking file.
make_file() {
	python3 -c 'import hashlib, sys
n = int(sys.argv[2]) * 1024
out = bytearray()
i = 0
while len(out) < n:
    out += hashlib.sha256(str(i).encode()).digest()
    i += 1
open(sys.argv[1], "wb").write(out[:n])' "$1" "$2"
}

# http_start DIR: serve DIR over HTTP on 127.0.0.1 (busybox httpd, native);
# sets HTTP_PORT and HTTP_URL.
http_start() {
	[ -x "$BUSYBOX" ] || skip "busybox not available"
	for _try in 1 2 3 4 5; do
		HTTP_PORT=$(free_port) || skip "python3 needed to find a free port"
		spawn_bg "$BUSYBOX" httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$1"
		if wait_port "$HTTP_PORT" && kill -0 "$BG_LAST" 2>/dev/null; then
			# shellcheck disable=SC2034 # used by the tests
			HTTP_URL=http://127.0.0.1:$HTTP_PORT
			return 0
		fi
	done
	fail "could not start busybox httpd"
	finish
}

# sha FILE: the file's sha256, hex only.
sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# wait_listen PORT: wait up to 10 s for a TCP listener on PORT (IPv4 or
# IPv6), without connecting to it.
wait_listen() {
	_hex=$(printf '%04X' "$1")
	_tables=/proc/net/tcp
	[ -r /proc/net/tcp6 ] && _tables="$_tables /proc/net/tcp6"
	_i=0
	# shellcheck disable=SC2086 # one or two file names
	until awk -v p=":$_hex" 'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 }
		END { exit !f }' $_tables; do
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || return 1
		sleep 0.05
	done
}
