#!/bin/sh
# Static Go (tests/programs/gohttp, no cgo) under nuse-exec --stack=linux
# on a TAP: as a server, host curl fetches from it (IPv4 and IPv6, bodies
# checked against the same server run natively); as a client, it fetches
# one document 50 times concurrently from a host-kernel busybox httpd.
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd curl python3
GO=$PROGS/gohttp/gohttp
[ -x "$GO" ] || skip "$GO not built (needs Go)"
[ -x "$BUSYBOX" ] || skip "needs busybox-static ($BUSYBOX)"

apps_link
# What the server must send: the same program, natively, on loopback.
bg "$GO" -mode=server -addr 127.0.0.1:0 -portfile "$T/native.port"
NATIVE=$BG_PID
wait_for 10 test -s "$T/native.port" || { fail "native gohttp did not start"; finish; }
P=$(cat "$T/native.port")
for i in 1 77 4242; do
	curl -sf -o "$T/want.$i" "http://127.0.0.1:$P/data/$i" ||
		{ fail "native gohttp: /data/$i"; finish; }
done
kill "$NATIVE"
wait_bg "$NATIVE"

mkdir -p "$T/www"
make_file "$T/www/doc" 2
bg ip netns exec "$NS" "$BUSYBOX" httpd -f -p "$HOST4:8081" -h "$T/www"
wait_tcp "$HOST4" 8081 || { fail "host httpd did not start"; finish; }

for m in $APPS_MODES; do
	applies "$m" "$GO" || continue
	# Server under nuse: 3 GETs over IPv4, 1 over IPv6, then it exits.
	rm -f "$T/port"
	nuse_bg "$T/server.$m" "$m" "$GO" -mode=server -addr "[::]:8090" -requests 4
	srv=$BG_PID
	if ! wait_tcp "$NUSE4" 8090; then
		fail "$m: gohttp server did not come up: $(head -5 "$T/server.$m")"
		kill "$srv" 2>/dev/null
		wait_bg "$srv"
		continue
	fi
	ok=1
	for i in 1 77 4242; do
		if ! nsx curl -sf -m 20 -o "$T/got.$i" "http://$NUSE4:8090/data/$i" ||
			! cmp -s "$T/got.$i" "$T/want.$i"; then
			ok=0
			fail "$m: host curl http://$NUSE4:8090/data/$i"
		fi
	done
	if ! nsx curl -sf -m 20 -o "$T/got.6" "http://[$NUSE6]:8090/data/77" ||
		! cmp -s "$T/got.6" "$T/want.77"; then
		ok=0
		fail "$m: host curl over IPv6"
	fi
	wait_bg "$srv"
	st=$?
	if [ "$ok" = 1 ] && [ "$st" = 0 ] &&
		grep -q "^server: served 4 requests" "$T/server.$m"; then
		pass "$m: static Go server under nuse, 4 host curl GETs (IPv4, IPv6) equal to native, clean exit"
	else
		fail "$m: Go server: status $st: $(head -5 "$T/server.$m")"
	fi

	# Client under nuse: 50 concurrent GETs of one document from the host.
	nuse "$m" "$GO" -mode=client -url "http://$HOST4:8081/doc" -n 50 >"$T/client" 2>&1
	st=$?
	want="client: 50/50 ok, size 2097152, sha256 $(sha "$T/www/doc")"
	if [ "$st" = 0 ] && grep -qx "$want" "$T/client"; then
		pass "$m: static Go client under nuse, 50 concurrent GETs from the host, sha256 equal"
	else
		fail "$m: Go client: status $st: $(head -5 "$T/client")"
	fi
done
finish
