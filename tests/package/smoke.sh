#!/bin/sh
# Smoke test of a fresh build (distcheck and the .deb build run it instead
# of the whole suite): the programs start, a session boots Linux's stack
# with its loopback, and nuse-node boots one in its own process.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ -x "$NUSE_EXEC" ] || skip "$NUSE_EXEC not built"
[ -x "$NODE" ] || skip "$NODE not built"

"$NUSE_EXEC" --version | grep -q "^nuse-exec $VERSION\$" &&
	pass "nuse-exec --version says $VERSION" || fail "nuse-exec --version: $("$NUSE_EXEC" --version)"

# The session's stack: its own loopback, seen through its own netlink.
if IP=$(command -v ip); then
	if timeout 60 "$NUSE_EXEC" -- "$IP" -o addr show >"$T/ip" 2>&1 &&
		grep -q "lo .*inet 127.0.0.1/8" "$T/ip"; then
		pass "a session's stack has its loopback"
	else
		fail "nuse-exec -- ip addr: $(cat "$T/ip")"
	fi
else
	echo "SKIP: session loopback: no ip (iproute2)"
fi

# A program's own socket on that loopback, from a shell the session runs.
if timeout 60 "$NUSE_EXEC" -- /bin/sh -c 'cat /proc/net/tcp' >"$T/tcp" 2>&1 &&
	grep -q "local_address" "$T/tcp"; then
	pass "the session's /proc/net/tcp is the stack's"
else
	fail "/proc/net/tcp in a session: $(head -3 "$T/tcp")"
fi

if timeout 30 "$NODE" --ping-only --duration 0.3 >"$T/node" 2>&1 &&
	grep -q "ping-only: up" "$T/node"; then
	pass "nuse-node boots a stack and stops on time"
else
	fail "nuse-node --ping-only: $(cat "$T/node")"
fi
echo "# smoke: $(elapsed) s"
finish
