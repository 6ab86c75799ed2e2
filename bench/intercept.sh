#!/bin/sh
# bench-intercept: what interception costs, per mode, against native.
#   getppid_ns       one getppid() through libc (bench/progs/getppid-loop)
#   udp_sendrecv_ns  one sendto()+recvfrom() on loopback UDP (bench/progs/udp-pingpong)
#   wget_256m_s      busybox-static wget of 256 MiB from a local nginx
#                    (sendfile on) to /dev/null
# Medians of BENCH_RUNS (default 5) runs, 3 for wget.  A subject that fails
# to run is a "nan" row plus a line on stderr.  Modes: $NUSE_BENCH_MODES
# (default: every mode).
set -u

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
# shellcheck source=bench/lib.sh
. "$top_srcdir/bench/lib.sh"

MODES=${NUSE_BENCH_MODES:-"preload sud-trap sud seccomp unotify ptrace"}
RUNS=${BENCH_RUNS:-5}
WGET_RUNS=${BENCH_WGET_RUNS:-3}
SECS=${BENCH_SECS:-0.5}
BUSYBOX=${BUSYBOX:-/bin/busybox}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
PROGS=$top_builddir/bench/progs
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-bench.XXXXXX") || exit 1
NGINX_PID=
cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

is_number() {
	case "$1" in
	'' | *[!0-9.]* | .*) return 1 ;;
	esac
}

# micro METRIC SUBJECT PROG: median of RUNS runs of PROG, which prints ns.
micro() {
	_metric=$1
	_subj=$2
	if [ "$_subj" = native ]; then
		set -- "$3" "$SECS"
	else
		set -- "$NUSE_EXEC" --mode="$_subj" -- "$3" "$SECS"
	fi
	: >"$T/vals"
	_i=0
	while [ "$_i" -lt "$RUNS" ]; do
		_v=$(timeout -k 2 20 "$@" 2>"$T/err")
		_st=$?
		if [ "$_st" != 0 ] || ! is_number "$_v"; then
			echo "bench-intercept: $_metric $_subj: run failed (status $_st): $(head -c 200 "$T/err")$_v" >&2
			bench_row "$_metric" "$_subj" nan ns 0
			return
		fi
		echo "$_v" >>"$T/vals"
		_i=$((_i + 1))
	done
	bench_row "$_metric" "$_subj" "$(median <"$T/vals")" ns "$RUNS"
}

now_ns() {
	date +%s%N
}

# wget_bench SUBJECT: median seconds of WGET_RUNS downloads.
wget_bench() {
	if [ -z "$NGINX_PID" ]; then
		echo "bench-intercept: wget_256m_s $1: no HTTP server" >&2
		bench_row wget_256m_s "$1" nan s 0
		return
	fi
	if [ "$1" = preload ]; then
		echo "bench-intercept: wget_256m_s preload: $BUSYBOX is static, LD_PRELOAD cannot apply" >&2
		bench_row wget_256m_s "$1" nan s 0
		return
	fi
	: >"$T/vals"
	_i=0
	while [ "$_i" -lt "$WGET_RUNS" ]; do
		_t0=$(now_ns)
		if [ "$1" = native ]; then
			timeout -k 2 40 "$BUSYBOX" wget -q -O /dev/null "$URL" 2>"$T/err"
		else
			timeout -k 2 40 "$NUSE_EXEC" --mode="$1" -- "$BUSYBOX" wget -q -O /dev/null "$URL" 2>"$T/err"
		fi
		_st=$?
		_t1=$(now_ns)
		if [ "$_st" != 0 ]; then
			echo "bench-intercept: wget_256m_s $1: run failed (status $_st): $(head -c 200 "$T/err")" >&2
			bench_row wget_256m_s "$1" nan s 0
			return
		fi
		awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }' >>"$T/vals"
		_i=$((_i + 1))
	done
	bench_row wget_256m_s "$1" "$(median <"$T/vals")" s "$WGET_RUNS"
}

# nginx on 127.0.0.1 serving a 256 MiB file with sendfile.
start_nginx() {
	[ -x "$NGINX" ] || { echo "bench-intercept: nginx not found" >&2; return 1; }
	mkdir -p "$T/www" "$T/tmp"
	truncate -s 256M "$T/www/256m"
	# Fault the file into the page cache: measure the network path, not the disk.
	cat "$T/www/256m" >/dev/null
	for _try in 1 2 3 4 5; do
		PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
		cat >"$T/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	client_body_temp_path $T/tmp;
	server {
		listen 127.0.0.1:$PORT;
		root $T/www;
	}
}
EOF
		"$NGINX" -p "$T" -e "$T/error.log" -c "$T/nginx.conf" &
		NGINX_PID=$!
		_i=0
		while [ "$_i" -lt 100 ]; do
			if "$BUSYBOX" wget -q -O /dev/null "http://127.0.0.1:$PORT/none" 2>&1 |
				grep -q 404; then
				URL=http://127.0.0.1:$PORT/256m
				return 0
			fi
			kill -0 "$NGINX_PID" 2>/dev/null || break
			sleep 0.05
			_i=$((_i + 1))
		done
		kill "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
		NGINX_PID=
	done
	echo "bench-intercept: nginx did not start: $(tail -3 "$T/error.log" 2>/dev/null)" >&2
	return 1
}

bench_begin intercept
for p in getppid-loop udp-pingpong; do
	if [ ! -x "$PROGS/$p" ]; then
		echo "bench-intercept: $PROGS/$p not built (make all)" >&2
		exit 1
	fi
done
[ -x "$NUSE_EXEC" ] || echo "bench-intercept: $NUSE_EXEC not built: every mode will be nan" >&2

for s in native $MODES; do
	micro getppid_ns "$s" "$PROGS/getppid-loop"
done
for s in native $MODES; do
	micro udp_sendrecv_ns "$s" "$PROGS/udp-pingpong"
done
start_nginx || true
for s in native $MODES; do
	wget_bench "$s"
done

bench_target getppid_ns sud le 1 native 60
bench_target wget_256m_s sud le 1.05 native
bench_end
