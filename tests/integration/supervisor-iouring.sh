#!/bin/sh
# io_uring_setup fails with ENOSYS under every supervisor mode (natively it
# may succeed: nothing to compare with).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_iouring"

for m in $MODES; do
	if expect_status "io_uring_setup [$m]" 0 "$NUSE_EXEC" --stack=host --mode="$m" "$SUP/sup_iouring"; then
		grep -q '^io_uring_setup: ENOSYS$' "$T/last.out" &&
			pass "io_uring_setup ENOSYS [$m]" ||
			fail "io_uring_setup [$m]: $(cat "$T/last.out")"
	fi
done
finish
