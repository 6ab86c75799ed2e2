#!/bin/sh
# Nothing is lost when the program exits (issue 6): a program under
# nuse-exec sends 2 MB to a host-kernel peer over a TAP and _exits without
# closing; as with the host kernel, the peer receives every byte (SHA-256
# checked) and then EOF — the stack delivers what closed sockets left
# before it goes away with the session's keeper (or supervisor).
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, TAP)"
command -v python3 >/dev/null || skip "python3 not installed"

NS=nuse-exit-$$
trap 'ip netns del "$NS" 2>/dev/null; cleanup' EXIT
ip netns add "$NS" || skip "cannot create a network namespace"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add mode tap dev ne0 vnet_hdr
ip -n "$NS" addr add 10.96.0.1/24 dev ne0
ip -n "$NS" link set ne0 up
head -c 2000000 /dev/urandom >"$T/data"
want=$(sha256sum <"$T/data" | cut -d' ' -f1)

for m in sud seccomp unotify ptrace preload; do
	case " $MODES " in *" $m "*) ;; *) continue ;; esac
	rm -f "$T/got"
	ip netns exec "$NS" timeout 20 python3 -c '
import hashlib, socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("10.96.0.1", 7007)); l.listen(1)
open(sys.argv[1] + ".ready", "w").write("1")
c, _ = l.accept(); h = hashlib.sha256()
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b)
open(sys.argv[1], "w").write(h.hexdigest() + "\n")
' "$T/got" &
	peer=$!
	wait_file "$T/got.ready"
	rm -f "$T/got.ready"
	run "$T/out" "$T/err" ip netns exec "$NS" "$NUSE_EXEC" --mode="$m" \
		-i tap:ne0,ip=10.96.0.2/24 -- python3 -c '
import os, socket, sys
s = socket.create_connection(("10.96.0.1", 7007))
s.sendall(open(sys.argv[1], "rb").read())
os._exit(0)' "$T/data"
	wait "$peer"
	if [ "$ST" -eq 0 ] && [ "$(cat "$T/got" 2>/dev/null)" = "$want" ]; then
		pass "$m: all 2 MB and EOF reached the peer after _exit"
	else
		fail "$m: peer got $(cat "$T/got" 2>/dev/null || echo nothing) (status $ST): $(head -c 300 "$T/err")"
	fi
	# the keeper lets the TAP go once done: wait for the namespace to empty
	i=0
	while [ -n "$(ip netns pids "$NS")" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
done
finish
