#!/bin/sh
# Exit statuses under the supervisor modes are the program's, deaths by
# signal included, and a busybox pipeline prints what it prints natively.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$BUSYBOX"

for m in $MODES; do
	compare_one "exit 0" "$m" "$BUSYBOX" true
	compare_one "exit 3" "$m" "$BUSYBOX" sh -c 'exit 3'
	compare_one "killed by SIGTERM" "$m" "$BUSYBOX" sh -c 'kill -TERM $$'
	compare_one "killed by SIGKILL" "$m" "$BUSYBOX" sh -c 'kill -KILL $$'
	compare_one "busybox pipeline" "$m" "$BUSYBOX" sh -c \
		'echo a | cat; ls / >/dev/null; env | grep -q PATH'
	compare_one "script" "$m" "$BUSYBOX" sh -c \
		'for i in 1 2 3; do echo $i; done | sort -r; echo "$0 $#" x y'
	expect_status "not found [$m]" 127 "$NUSE_EXEC" --stack=host --mode="$m" /nonexistent/prog
	# The same mode cannot nest (one tracer, one listener): nuse's own
	# failure, a clear 125.
	expect_status "nested [$m]" 125 "$NUSE_EXEC" --stack=host --mode="$m" \
		"$NUSE_EXEC" --stack=host --mode="$m" "$BUSYBOX" true &&
		grep -q "^nuse-exec: --mode=$m: " "$T/last.err" ||
		fail "nested [$m]: message '$(cat "$T/last.err")'"
done
finish
