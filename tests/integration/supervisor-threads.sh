#!/bin/sh
# Threads making trapped calls at once, then an execve from a thread that is
# not the leader.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_threads"

for m in $MODES; do
	compare_one "threads" "$m" "$SUP/sup_threads"
	compare_one "exec from a thread" "$m" "$SUP/sup_threads" exec
done
finish
