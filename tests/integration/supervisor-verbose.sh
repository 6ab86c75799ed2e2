#!/bin/sh
# -vv prints one decoded line per intercepted call, and what nuse answered.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_tcp"
need_prog "$SUP/sup_iouring"

# expect_line MODE PATTERN: a line of $T/last.err matches PATTERN.
expect_line() {
	if grep -q -- "$2" "$T/last.err"; then
		pass "-vv [$1]: $2"
	else
		fail "-vv [$1]: no line matching '$2'"
		head -20 "$T/last.err" | sed 's/^/  | /'
	fi
}

for m in $MODES; do
	expect_status "-vv tcp [$m]" 0 "$NUSE_EXEC" --stack=host -vv --mode="$m" "$SUP/sup_tcp" &&
		expect_line "$m" "^nuse-exec: $m: \[[0-9]*\] connect([0-9]*, {AF_INET, 127\.0\.0\.1:[0-9]*}, 16)\$" &&
		expect_line "$m" "^nuse-exec: $m: \[[0-9]*\] sendto([0-9]*, \"ping\", 4, 0, 0, 0)\$" &&
		if [ "$m" = unotify ]; then
			# Made by the supervisor and installed with ADDFD.
			expect_line "$m" "\] socket(AF_INET, 0x1, 0) = [0-9]* (nuse)\$"
		fi
	expect_status "-vv io_uring [$m]" 0 "$NUSE_EXEC" --stack=host -vv --mode="$m" "$SUP/sup_iouring" &&
		expect_line "$m" "io_uring_setup(4, 0x[0-9a-f]*) = -1 ENOSYS (nuse)\$"
done
finish
