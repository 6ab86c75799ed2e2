#!/bin/sh
# nginx (dynamic: every mode, preload included) as master + 2 workers under
# each mode: fork, epoll, accept4, sendfile, writev across processes.  A
# native client fetches a file (sha256) and a 404; then `nginx -s quit`
# must stop the whole tree with status 0, as natively.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
need_prog "$NGINX"
need_prog "$BUSYBOX"

mkdir -p "$T/www" "$T/tmp"
make_file "$T/www/file.bin" 4096
WANT=$(sha "$T/www/file.bin")

# serve NAME MODE
serve() {
	_name=$1
	PORT=$(free_port)
	rm -f "$T/nginx.pid" "$T/error.log"
	cat >"$T/nginx.conf" <<EOF
daemon off;
user root;
master_process on;
worker_processes 2;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path $T/tmp;
	server {
		listen 127.0.0.1:$PORT;
		root $T/www;
	}
}
EOF
	if [ "$2" = native ]; then
		spawn_bg "$NGINX" -p "$T" -e "$T/error.log" -c "$T/nginx.conf"
	else
		spawn_bg "$NUSE_EXEC" --stack=host --mode="$2" -- "$NGINX" -p "$T" -e "$T/error.log" -c "$T/nginx.conf"
	fi
	_srv=$BG_LAST
	if ! wait_listen "$PORT"; then
		fail "$_name: nginx did not start"
		sed 's/^/  | /' "$T/error.log" 2>/dev/null | head -5
		return
	fi
	_ok=1
	for _i in 1 2 3 4; do
		rm -f "$T/got"
		run "$T/w.out" "$T/w.err" "$BUSYBOX" wget -q -O "$T/got" "http://127.0.0.1:$PORT/file.bin"
		if [ "$ST" != 0 ] || [ "$(sha "$T/got")" != "$WANT" ]; then
			_ok=0
			fail "$_name: fetch $_i: status $ST"
			sed 's/^/  | /' "$T/w.err" | head -3
			break
		fi
	done
	run "$T/w.out" "$T/w.err" "$BUSYBOX" wget -q -O - "http://127.0.0.1:$PORT/missing"
	_st404=$ST
	# `nginx -s quit`: SIGQUIT to the master's pid from the pid file.
	"$NGINX" -p "$T" -e "$T/error.log" -c "$T/nginx.conf" -s quit 2>/dev/null
	_i=0
	while kill -0 "$_srv" 2>/dev/null && [ "$_i" -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -KILL "$_srv" 2>/dev/null
	wait "$_srv" 2>/dev/null
	_sst=$?
	if [ "$_ok" = 1 ] && [ "$_st404" = 1 ] && [ "$_sst" = 0 ]; then
		pass "$_name"
	elif [ "$_ok" = 1 ]; then
		fail "$_name: 404 fetch status $_st404 (want 1), status after nginx -s quit $_sst (want 0)"
		sed 's/^/  | /' "$T/error.log" 2>/dev/null | grep -v notice | head -5
	fi
}

serve "nginx native" native
for m in $(modes_for "$NGINX"); do
	over_budget && { fail "nginx [$m]: time budget used up"; continue; }
	serve "nginx [$m]" "$m"
done
finish
