#!/bin/sh
# iproute2 and ping (the host's binaries, dynamic) under nuse-exec
# --stack=linux see and use the Linux stack in nuse-exec, not the host's:
# ip addr / ip link / ip route / ip -6 route show lo and the stack's eth0
# (the TAP's far side, with its addresses and routes) and none of the
# namespace's own interfaces; ss -tan does not show a listener of the host
# kernel; ping and ping -6 reach the host kernel over the TAP; an
# unprivileged ICMP datagram socket (what ping uses without CAP_NET_RAW)
# works as a non-root user.
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd ss ping python3 setpriv

# a python3 binary nobody can run (not a pyenv shim under /root)
PY=$(readlink -f /usr/bin/python3 2>/dev/null)
[ -x "$PY" ] || skip "needs /usr/bin/python3"
# the TAP can be attached by nobody: the unprivileged check runs as nobody
apps_link "user 65534"
# a host-kernel listener that must not show up in the stack's ss
bg ip netns exec "$NS" python3 -c 'import socket, time
s = socket.socket()
s.bind(("10.79.0.1", 9999))
s.listen()
time.sleep(300)'
wait_for 10 sh -c "ip netns exec $NS ss -Hltn 'sport = :9999' | grep -q ." ||
	fail "host listener did not start"

for m in $APPS_MODES; do
	nuse_out "$m" ip addr
	check "$m" "ip addr: lo and eth0 with 10.79.0.2/24 and fd79::2/64, none of the host's" \
		'[ $st = 0 ] && has "^1: lo:" && has "inet 127.0.0.1/8" && has "^2: eth0:" &&
		has "inet $NUSE4/24 .*eth0" && has "inet6 $NUSE6/64" &&
		! has na0 && ! has "$HOST4/" && [ "$(grep -c "^[0-9]*:" "$T/out")" = 2 ]'
	nuse_out "$m" ip -br link
	check "$m" "ip link: lo and eth0 only" \
		'[ $st = 0 ] && [ "$(cut -d" " -f1 "$T/out" | sort | tr "\n" " ")" = "eth0 lo " ]'
	nuse_out "$m" ip route
	check "$m" "ip route: default via 10.79.0.1 dev eth0, 10.79.0.0/24 on eth0" \
		'[ $st = 0 ] && has "^default via $HOST4 dev eth0" &&
		has "^10.79.0.0/24 dev eth0 .*src $NUSE4" && [ "$(wc -l <"$T/out")" = 2 ]'
	nuse_out "$m" ip -6 route
	check "$m" "ip -6 route: fd79::/64 on eth0" \
		'[ $st = 0 ] && has "^fd79::/64 dev eth0"'
	# a change made with ip inside is the stack's (and goes with it)
	nuse_out "$m" ip addr add 10.80.0.2/24 dev eth0
	check "$m" "ip addr add on the stack's eth0" '[ $st = 0 ] && ! ip -n "$NS" addr | grep -q 10.80.0.2'

	nsx ss -tan >"$T/native.ss" 2>&1
	nuse_out "$m" ss -tan
	check "$m" "ss -tan: the stack's (empty) table, not the host's listener on 9999" \
		'[ $st = 0 ] && has "^State" && ! has ":9999" && grep -q ":9999" "$T/native.ss"'

	nuse_out "$m" ping -c1 -W5 "$HOST4"
	check "$m" "ping -c1 $HOST4 over the TAP" '[ $st = 0 ] && has "1 received"'
	nuse_out "$m" ping -6 -c1 -W5 "$HOST6"
	check "$m" "ping -6 -c1 $HOST6 over the TAP" '[ $st = 0 ] && has "1 received"'

	# SOCK_DGRAM IPPROTO_ICMP as uid/gid 65534: net.ipv4.ping_group_range
	tap_free
	ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 30 "$NUSE_EXEC" --mode="$m" --stack=linux -i "$NUSE_IF" -- \
		"$PY" -c 'import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
s.settimeout(5)
s.sendto(struct.pack("!BBHHH", 8, 0, 0, 0, 1) + b"nuse", (sys.argv[1], 0))
data, peer = s.recvfrom(100)
print("reply", peer[0], data[0], data[8:])' "$HOST4" >"$T/out" 2>&1
	st=$?
	check "$m" "ICMP datagram socket as nobody: echo reply" \
		'has "^reply $HOST4 0 b.nuse.$"'
done

# With one stack per session, ss in the session sees a listener of
# another of its processes (gated as in apps-nginx.sh).
for m in $APPS_MODES; do
	# dynamic programs only (sh, python3, ss), so that every mode can run it
	nuse "$m" sh -c "$PY -c 'import socket, time
s = socket.socket()
s.bind((\"127.0.0.1\", 7777))
s.listen()
time.sleep(5)' & sleep 1; ss -Htln; kill \$!" >"$T/out" 2>&1
	if has ":7777"; then
		pass "$m: ss -tln shows a listener of another process of the session"
	elif [ "${NUSE_APPS_SHARED:-}" = 1 ]; then
		fail "$m: ss in the session: $(cat "$T/out")"
	else
		echo "SKIP: $m: ss of a listener in another process: the session has no shared stack yet"
	fi
done
finish
