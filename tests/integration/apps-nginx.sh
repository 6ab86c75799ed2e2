#!/bin/sh
# nginx (the distribution's, dynamic) under nuse-exec --stack=linux on a
# TAP, served to host-kernel curl: 16 MiB and 20 concurrent small GETs over
# IPv4, one over IPv6, bodies checked by sha256; sendfile on.
#
# 1. master_process off: one process, one stack.
# 2. master and 2 workers: the workers are forked from the master after it
#    opened the listening sockets, so they need the one stack per session
#    (fork sharing, issue 6 item 3). Gate: the part runs when
#    NUSE_APPS_SHARED=1, or when shared_probe shows two processes of one
#    session on one stack; otherwise it says SKIP with the reason.
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd nginx curl

apps_link
mkdir -p "$T/www"
make_file "$T/www/big" 16
for i in $(seq 1 20); do
	echo "small $i $(date +%N)" >"$T/www/s$i"
done

# serve MODE WHAT: the checks against the nginx under nuse on $NUSE4/6:8080.
serve() {
	_m=$1
	_ok=1
	if ! nsx curl -sf -m 30 -o "$T/got" "http://$NUSE4:8080/big" ||
		[ "$(sha "$T/got")" != "$(sha "$T/www/big")" ]; then
		_ok=0
		fail "$_m: $2: 16 MiB GET"
	fi
	_pids=""
	for i in $(seq 1 20); do
		nsx curl -sf -m 30 -o "$T/got.s$i" "http://$NUSE4:8080/s$i" &
		_pids="$_pids $!"
	done
	_bad=0
	for p in $_pids; do
		wait "$p" || _bad=$((_bad + 1))
	done
	for i in $(seq 1 20); do
		cmp -s "$T/got.s$i" "$T/www/s$i" || _bad=$((_bad + 1))
	done
	if [ "$_bad" != 0 ]; then
		_ok=0
		fail "$_m: $2: $_bad of 20 concurrent GETs wrong"
	fi
	if ! nsx curl -sf -m 30 -o "$T/got.6" "http://[$NUSE6]:8080/s1" ||
		! cmp -s "$T/got.6" "$T/www/s1"; then
		_ok=0
		fail "$_m: $2: GET over IPv6"
	fi
	[ "$_ok" = 1 ] && pass "$_m: $2: host curl 16 MiB + 20 concurrent + IPv6, sha256 equal"
}

# run_nginx MODE WHAT EXTRA: nginx under nuse with EXTRA in its main context.
run_nginx() {
	nginx_conf "$T/nginx.conf" "$T/www" 8080 "$3"
	sed -i "s/listen 8080;/listen $NUSE4:8080; listen [$NUSE6]:8080; sendfile on;/" \
		"$T/nginx.conf"
	: >"$T/nginx-error.log"
	nuse_bg "$T/nginx.$1.out" "$1" nginx -c "$T/nginx.conf" -p "$T"
	_srv=$BG_PID
	if wait_tcp "$NUSE4" 8080; then
		serve "$1" "$2"
	else
		fail "$1: $2: nginx under nuse did not come up: $(head -5 "$T/nginx.$1.out" "$T/nginx-error.log")"
	fi
	# nginx exits 0 on SIGTERM (timeout passes it on, and the status back)
	kill "$_srv" 2>/dev/null
	wait_bg "$_srv"
	_st=$?
	[ "$_st" = 0 ] || fail "$1: $2: nginx ended with status $_st on SIGTERM"
	if grep -q "\[\(alert\|crit\|emerg\)\]" "$T/nginx-error.log"; then
		fail "$1: $2: nginx logged: $(grep -m3 "\[\(alert\|crit\|emerg\)\]" "$T/nginx-error.log")"
	fi
}

# shared_probe MODE: two processes a program under nuse starts (sh forks
# and execs a python3 listener and a python3 client) reach each other on
# the stack's loopback, which they can only if the session has one stack.
shared_probe() {
	[ "${NUSE_APPS_SHARED:-}" = 1 ] && return 0
	nuse "$1" sh -c "$PROBE" >"$T/probe" 2>&1
	grep -qx shared "$T/probe"
}
# dynamic programs only (python3 under sh), so that every mode can run it
PY=$(readlink -f /usr/bin/python3 2>/dev/null)
PROBE="$PY -c 'import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", 5555))
s.listen()
c, _ = s.accept()
c.send(b\"shared\\n\")' &
sleep 1
$PY -c 'import socket, time
for _ in range(50):
    try:
        c = socket.create_connection((\"127.0.0.1\", 5555))
        break
    except OSError:
        time.sleep(0.1)
print(c.recv(16).decode().strip())'"

for m in $APPS_MODES; do
	run_nginx "$m" "nginx master_process off" "master_process off;"
	if shared_probe "$m"; then
		run_nginx "$m" "nginx master + 2 workers" "master_process on; worker_processes 2;"
	else
		echo "SKIP: $m: nginx master + 2 workers: processes under one nuse-exec do not share the stack yet (probe: $(head -c 200 "$T/probe"))"
	fi
done
finish
