#!/bin/sh
# sh -c 'x &': nuse-exec returns when the program exits, as natively, and
# the background child goes on, still served (its write is trapped).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$BUSYBOX"

for m in $MODES; do
	rm -f "$T/bg"
	t0=$(now_ms)
	out=$("$NUSE_EXEC" --stack=host --mode="$m" "$BUSYBOX" sh -c \
		"(sleep 3; echo late >$T/bg) >/dev/null 2>&1 & echo now; exit 4")
	st=$?
	dt=$(($(now_ms) - t0))
	if [ "$st" = 4 ] && [ "$out" = now ] && [ "$dt" -lt 2000 ]; then
		pass "returns at once [$m] (${dt} ms)"
	else
		fail "returns at once [$m]: status $st, output '$out', ${dt} ms"
	fi
	if wait_file "$T/bg" && [ "$(cat "$T/bg")" = late ]; then
		pass "background child served [$m]"
	else
		fail "background child served [$m]"
	fi
done
finish
