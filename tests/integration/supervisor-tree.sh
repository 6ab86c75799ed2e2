#!/bin/sh
# Every descendant is followed: fork+exec, vfork+exec and posix_spawn six
# levels deep, and shells starting shells.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_tree"
need_prog "$BUSYBOX"

for m in $MODES; do
	compare_one "sup_tree" "$m" "$SUP/sup_tree" 6
	compare_one "nested shells" "$m" "$BUSYBOX" sh -c \
		"$BUSYBOX sh -c 'echo one; $BUSYBOX sh -c \"echo two | $BUSYBOX cat\"' | $BUSYBOX tr a-z A-Z"
done
finish
