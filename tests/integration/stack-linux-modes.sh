#!/bin/sh
# nuse-exec --stack=linux in the modes that serve calls from a shim or a
# supervisor (issue 6): preload (dynamic programs only), unotify, ptrace.
# The programs' network calls must reach the Linux stack, not the host's:
# each mode runs stacktest and nusetest (they check the calls and pass
# natively too), then shows which stack served them -- a listener under
# nuse is absent from the host's tables, a host-only listener is refused
# inside nuse while the same client reaches it natively, and a threaded
# HTTP server and its clients in one process talk over the stack.
# shellcheck shell=sh
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
PROG=$PROGS/stacktest
need_prog "$PROG"
CURL=$(command -v curl || true)
WGET=$(command -v wget || true)
PY=$(command -v python3 || true)

# Modes with --stack=linux here (the in-process ones are in stack-linux.sh).
SMODES=""
for m in preload unotify ptrace; do
	case " $MODES " in *" $m "*) SMODES="$SMODES $m" ;; esac
done
[ -n "$SMODES" ] || skip "none of the modes in \$NUSE_TEST_MODES"

host_listens() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# hold_bg OUT CMD...: CMD in the background, its stdin open until killed.
hold_bg() {
	_o=$1
	shift
	spawn_bg sh -c 'o=$1; shift; sleep 60 | "$@" >"$o" 2>&1' sh "$_o" "$@"
}

stop_bg() {
	kill -TERM "-$1" 2>/dev/null # dash: no "--"
	wait "$1" 2>/dev/null
}

# A threaded HTTP server and 20 GETs from other threads, one process: the
# threads made by pthread_create must get runtime blocks of their own.  It
# also checks that its listener is not in the host's /proc/net/tcp.
cat >"$T/threads.py" <<'EOF'
import http.server, threading, urllib.request
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"served by nuse\n" * 1000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    request_queue_size = 64  # 20 at once: no SYN retransmission needed
srv = S(("127.0.0.1", 0), H)
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()
hexport = ":%04X" % port
host = [l.split() for l in open("/proc/net/tcp").readlines()[1:]]
seen = any(f[1].endswith(hexport) and f[3] == "0A" for f in host)
res = []
def get():
    d = urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10).read()
    res.append(len(d))
ts = [threading.Thread(target=get) for _ in range(20)]
for t in ts: t.start()
for t in ts: t.join()
print("host sees listener:", seen)
print("fetched", len(res), "x", set(res))
EOF

for m in $SMODES; do
	over_budget && break

	run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PROG"
	if [ "$ST" -eq 0 ] && grep -q '^result: PASS' "$T/out"; then
		pass "$m: stacktest"
	else
		fail "$m: stacktest (status $ST)"
		grep -v ': ok$' "$T/out" "$T/err" | head -20
	fi

	# preload needs dynamic programs: nusetest (glibc, dynamic) only.
	for _p in "$PROGS/nusetest" "$PROGS/nusetest-static-pie" "$PROGS/nusetest-musl"; do
		[ -x "$_p" ] || continue
		[ "$m" = preload ] && ! is_dynamic "$_p" && continue
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$_p"
		if [ "$ST" -eq 0 ] && grep -q '^result: PASS' "$T/out"; then
			pass "$m: $(basename "$_p")"
		else
			fail "$m: $(basename "$_p") (status $ST)"
			grep -E 'FAIL|fail' "$T/out" "$T/err" | head -20
		fi
	done

	# A listener inside nuse: not a host socket.
	PORT=$(free_port)
	hold_bg "$T/listen.out" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PROG" listen "$PORT"
	_pid=$BG_LAST
	if ! wait_file "$T/listen.out" || ! grep -q "^listening $PORT" "$T/listen.out"; then
		fail "$m: listener did not start: $(cat "$T/listen.out")"
	elif host_listens "$PORT"; then
		fail "$m: the host sees the listener on $PORT"
	else
		pass "$m: listener on $PORT invisible to the host's ss -ltn"
	fi
	stop_bg "$_pid"
	rm -f "$T/listen.out"

	# Threads and HTTP over the stack in one process.
	if [ -z "$PY" ]; then
		skip_one "$m: threaded HTTP" "python3 not found"
	else
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PY" "$T/threads.py"
		if [ "$ST" -eq 0 ] && grep -q '^host sees listener: False' "$T/out" &&
			grep -q '^fetched 20 x {15000}' "$T/out"; then
			pass "$m: python threaded HTTP server + 20 client threads over the stack"
		else
			fail "$m: threaded HTTP (status $ST): $(cat "$T/out") $(head -5 "$T/err")"
		fi
	fi

	# One stack for the session: an HTTP server and its clients in
	# separate processes of one nuse-exec (sh runs them: fork + exec),
	# unreachable from the host.
	if [ -z "$PY" ] || [ -z "$CURL" ] || [ -z "$WGET" ]; then
		skip_one "$m: session" "python3, curl or wget not found"
	else
		mkdir -p "$T/www"
		make_file "$T/www/blob" 300
		PORT=$(free_port)
		# shellcheck disable=SC2016 # expanded by the inner sh
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- sh -c '
			"$1" -m http.server -b 127.0.0.1 -d "$2" "$3" >/dev/null 2>&1 &
			pid=$!
			i=0
			until "$4" -s -o /dev/null "http://127.0.0.1:$3/" || [ $i -gt 50 ]; do
				sleep 0.1; i=$((i + 1))
			done
			"$4" -s "http://127.0.0.1:$3/blob" | sha256sum | cut -d" " -f1
			"$5" -q -O - "http://127.0.0.1:$3/blob" | sha256sum | cut -d" " -f1
			# the host kernel'"'"'s own table (a file read goes to the host)
			awk -v p=":$(printf %04X "$3")" '"'"'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 }
				END { print f ? "host listens" : "host does not listen" }'"'"' /proc/net/tcp /proc/net/tcp6
			kill $pid' sh "$PY" "$T/www" "$PORT" "$CURL" "$WGET"
		_want=$(sha "$T/www/blob")
		if [ "$ST" -eq 0 ] && [ "$(sed -n 1p "$T/out")" = "$_want" ] &&
			[ "$(sed -n 2p "$T/out")" = "$_want" ]; then
			pass "$m: python http.server, curl and wget in three processes of one session"
		else
			fail "$m: session (status $ST): $(cat "$T/out") $(head -5 "$T/err")"
		fi
		if grep -q '^host does not listen$' "$T/out"; then
			pass "$m: the session's listener is not in the host's /proc/net/tcp"
		else
			fail "$m: host table: $(sed -n 3p "$T/out")"
		fi
	fi

	# nginx, master and two workers sharing the listening socket (fork,
	# epoll, sendfile from a host file), and curl, in one session.
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	if [ ! -x "$NGINX" ] || [ -z "$CURL" ]; then
		skip_one "$m: nginx" "nginx or curl not found"
	else
		mkdir -p "$T/ngx/www" "$T/ngx/tmp"
		make_file "$T/ngx/www/file.bin" 300
		PORT=$(free_port)
		cat >"$T/ngx/nginx.conf" <<EOF
daemon off;
user root;
master_process on;
worker_processes 2;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path $T/ngx/tmp;
	server {
		listen 127.0.0.1:$PORT;
		root $T/ngx/www;
	}
}
EOF
		# shellcheck disable=SC2016 # expanded by the inner sh
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- sh -c '
			"$1" -p "$2" -e "$2/error.log" -c "$2/nginx.conf" &
			i=0
			until "$3" -s -o /dev/null "http://127.0.0.1:$4/" || [ $i -gt 50 ]; do
				sleep 0.1; i=$((i + 1))
			done
			for i in 1 2 3 4; do
				"$3" -s "http://127.0.0.1:$4/file.bin" | sha256sum | cut -d" " -f1
			done
			"$3" -s -o /dev/null -w "%{http_code}\n" "http://127.0.0.1:$4/nope"
			"$1" -p "$2" -e "$2/error.log" -c "$2/nginx.conf" -s quit
			wait' sh "$NGINX" "$T/ngx" "$CURL" "$PORT"
		_want=$(sha "$T/ngx/www/file.bin")
		if [ "$ST" -eq 0 ] && [ "$(grep -c "^$_want\$" "$T/out")" -eq 4 ] &&
			grep -q '^404$' "$T/out"; then
			pass "$m: nginx master + 2 workers and curl in one session"
		else
			fail "$m: nginx (status $ST): $(cat "$T/out") $(tail -3 "$T/ngx/error.log")"
		fi
	fi

	# Go (static: not for preload): raw syscalls, 300 connections.
	if [ "$m" != preload ] && [ -x "$PROGS/gohttp/gohttp" ]; then
		run "$T/go.native" "$T/err" "$PROGS/gohttp/gohttp" -n 300
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PROGS/gohttp/gohttp" -n 300
		if [ "$ST" -eq 0 ] && cmp -s "$T/go.native" "$T/out"; then
			pass "$m: static Go HTTP server + 300 client connections"
		else
			fail "$m: gohttp (status $ST): $(diff "$T/go.native" "$T/out" | head -5)"
		fi
	fi

	# Host-only HTTP server: curl and wget reach it natively, not from
	# inside the Linux stack (connection refused on its own loopback).
	mkdir -p "$T/www"
	echo hello >"$T/www/index.html"
	[ -n "${HTTP_URL:-}" ] || http_start "$T/www"
	for _c in curl wget; do
		case $_c in
		curl) [ -n "$CURL" ] || { skip_one "$m: curl" "not found"; continue; }
			set -- "$CURL" -sS -o /dev/null "$HTTP_URL/" ;;
		wget) [ -n "$WGET" ] || { skip_one "$m: wget" "not found"; continue; }
			set -- "$WGET" -q -O /dev/null -t 1 "$HTTP_URL/" ;;
		esac
		run "$T/out" "$T/err" "$@"
		_nst=$ST
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$@"
		# curl: 7 (could not connect), wget: 4 (network failure)
		if [ "$_nst" -eq 0 ] && { [ "$ST" -eq 7 ] || [ "$ST" -eq 4 ]; }; then
			pass "$m: $_c reaches the host-only server natively, refused inside the stack"
		else
			fail "$m: $_c: native status $_nst, under nuse $ST: $(head -3 "$T/err")"
		fi
	done
done
finish
