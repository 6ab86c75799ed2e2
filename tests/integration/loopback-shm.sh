#!/bin/sh
# The two links that need no privilege (issue 12 item 5), in every mode:
# a loopback session (busybox httpd and wget, two processes of one
# stack), and an shm: link to a nuse-node peer (TCP echo).  `make check`
# runs it as root and again as nobody (tests/unpriv-run.sh), where it
# must work the same wherever the machine allows the mode.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$BUSYBOX"
NODE=$top_builddir/src/stack/nuse-node
need_prog "$NODE"
PY=/usr/bin/python3
need_prog "$PY"

mkdir -p "$T/www"
echo "hello from $(id -un)" >"$T/www/index.html"
BB=$T/busybox
cp "$BUSYBOX" "$BB"

L=nuse-lo-$$
bg_node() {
	spawn_bg timeout 40 "$NODE" -i "shm:$L,ip=10.79.0.1/24" --tcp-echo 7 \
		--conns 1 >"$T/node.out" 2>&1
	NODE_PID=$BG_LAST
}

for m in $MODES; do
	over_budget && break
	if [ "$m" != preload ]; then
		port=$(free_port)
		# httpd in the foreground, killed at the end: a daemon would
		# outlive the test (and, under a supervisor killed by run's
		# cleanup, spin on ENOSYS from a filter nobody serves)
		run "$T/out" "$T/err" "$NUSE_EXEC" --mode="$m" -- "$BB" sh -c \
			"$BB httpd -f -p 127.0.0.1:$port -h $T/www & for i in 1 2 3 4 5 6 7 8 9 10; do $BB wget -qO- http://127.0.0.1:$port/ 2>/dev/null && break; $BB sleep 0.2; done; kill \$!; wait"
		if [ "$ST" -eq 0 ] && grep -qx "hello from $(id -un)" "$T/out"; then
			pass "$m: busybox httpd and wget on the session's loopback ($(id -un))"
		else
			fail "$m: loopback (status $ST): $(cat "$T/out" "$T/err" | head -5)"
		fi
	fi

	bg_node
	wait_for_node=0
	while [ $wait_for_node -lt 100 ] && ! ls /dev/shm/nuse-"$L"* >/dev/null 2>&1; do
		sleep 0.05
		wait_for_node=$((wait_for_node + 1))
	done
	if [ "$m" = preload ]; then
		run "$T/out" "$T/err" "$NUSE_EXEC" --mode="$m" \
			-i "shm:$L,ip=10.79.0.2/24" -- "$PY" -c 'import socket
s = socket.create_connection(("10.79.0.1", 7), 5)
s.sendall(b"hello-preload\n")
print(s.makefile().readline().strip())'
	else
		RUN_STDIN=$T/msg
		echo "hello-$m" >"$T/msg"
		run "$T/out" "$T/err" "$NUSE_EXEC" --mode="$m" \
			-i "shm:$L,ip=10.79.0.2/24" -- "$BB" nc -w 3 10.79.0.1 7
		unset RUN_STDIN
	fi
	if [ "$ST" -eq 0 ] && grep -qx "hello-$m" "$T/out"; then
		pass "$m: TCP echo over shm: to nuse-node ($(id -un))"
	else
		fail "$m: shm (status $ST): $(cat "$T/out" "$T/err" | head -5)"
	fi
	kill "$NODE_PID" 2>/dev/null
	wait "$NODE_PID" 2>/dev/null
	L=$L-x
done
ls /dev/shm/nuse-nuse-lo-$$* >/dev/null 2>&1 &&
	fail "left in /dev/shm: $(ls /dev/shm/nuse-nuse-lo-$$*)"
finish
