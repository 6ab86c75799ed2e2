#!/bin/sh
# TCP connect/accept over 127.0.0.1 within a traced program (client forked),
# and between a traced server and a native client; a socket made in another
# network namespace than nuse-exec's is that namespace's (unotify serves
# socket() from outside only in its own).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_tcp"
need_prog "$BUSYBOX"

for m in $MODES; do
	compare_one "tcp in one program" "$m" "$SUP/sup_tcp"

	port=$(free_port) || skip "python3 needed to find a free port"
	rm -f "$T/got"
	spawn_bg timeout 15 "$NUSE_EXEC" --stack=host --mode="$m" "$BUSYBOX" nc -l -p "$port" \
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

	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
		unshare -n true 2>/dev/null; then
		# A new namespace's loopback is down: unreachable, not refused.
		compare_one "socket in a new netns" "$m" unshare -n "$BUSYBOX" sh -c \
			"$BUSYBOX nc 127.0.0.1 9 2>&1; echo \$?"
	else
		skip_one "socket in a new netns [$m]" "needs root and unshare(1)"
	fi
done
finish
