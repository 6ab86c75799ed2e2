#!/bin/sh
# TCP connect/accept over 127.0.0.1 within a traced program (client forked),
# and between a traced server and a native client.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_tcp"
need_prog "$BUSYBOX"

for m in $MODES; do
	compare_one "tcp in one program" "$m" "$SUP/sup_tcp"

	port=$(free_port) || skip "python3 needed to find a free port"
	rm -f "$T/got"
	spawn_bg timeout 15 "$NUSE_EXEC" --mode="$m" "$BUSYBOX" nc -l -p "$port" \
		-e "$BUSYBOX" sh -c 'read l; echo "got $l"' >"$T/got" 2>&1
	if ! wait_listen "$port"; then
		fail "tcp server [$m]: no listener on $port"
		continue
	fi
	echo hello | timeout 10 "$BUSYBOX" nc 127.0.0.1 "$port" >"$T/reply"
	if [ "$(cat "$T/reply")" = "got hello" ]; then
		pass "tcp server [$m]"
	else
		fail "tcp server [$m]: reply '$(cat "$T/reply")'"
	fi
	wait "$BG_LAST"
done
finish
