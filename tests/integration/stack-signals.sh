#!/bin/sh
# Signals and blocked calls on stack sockets (issue 13 item 2): a handler
# runs while accept, recv, read, connect, poll, ppoll, select, pselect6,
# epoll_wait, epoll_pwait or nanosleep blocks, with and without
# SA_RESTART (tests/programs/sigwait).  Under nuse-exec, in every mode,
# each call must end as it does natively: restarted (and completed) or
# EINTR, by Linux's rules (signal(7)), and never with a kernel-internal
# errno (512-530).  The static musl build checks the in-process modes
# with another libc.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
PROG=$PROGS/sigwait
need_prog "$PROG"
TIMEOUT=60
# eight runs of ~6 s (a restarted connect waits for its SYN's second try)
BUDGET=150

run "$T/native" "$T/err" "$PROG"
if [ "$ST" -ne 0 ] || [ "$(wc -l <"$T/native")" -lt 20 ]; then
	fail "native run (status $ST): $(cat "$T/native" "$T/err")"
	finish
fi

compare_run() { # WHAT PROGRAM MODE
	run "$T/out" "$T/err" "$NUSE_EXEC" --mode="$3" -- "$2"
	if [ "$ST" -eq 0 ] && diff "$T/native" "$T/out" >"$T/diff"; then
		pass "$1 [$3]: every call ends as natively"
	else
		fail "$1 [$3] (status $ST):"
		sed 's/^/  /' "$T/diff" "$T/err" | head -20
	fi
}

for m in $(modes_for "$PROG"); do
	over_budget && break
	compare_run sigwait "$PROG" "$m"
done
if [ -x "$PROGS/sigwait-musl" ]; then
	for m in sud seccomp; do
		compare_run "sigwait (static musl)" "$PROGS/sigwait-musl" "$m"
	done
fi
finish
