#!/bin/sh
# bench-apps: real programs on nuse's Linux stack (nuse-exec --stack=linux)
# against the same programs on the host kernel, all in one run.
#   tcp_rr_us    bench/progs/tcp-rr: 1-byte TCP request/response over
#                127.0.0.1, median round trip of APPS_RR_ROUNDS (20000):
#                server and client two processes (sh -c 'server & client'),
#                sharing the session's stack; host-kernel = the same
#                natively; one subject per interception mode.
#   tcp_rr_thr_us  the same with server and client two threads of one
#                process (tcp-rr threads); subject sud:no-fsgsbase is sud
#                with the FS/GS fallback forced (NUSE_NO_FSGSBASE=1)
#   iperf3_gbps  iperf3 -c for 3 s to a host-kernel iperf3 -s in namespace
#                S: host-kernel from namespace C over a veth, sud on a TAP
#                in S (nuse-exec -i tap:...).
#   nginx_rps    wrk -t1 -c32 for 4 s against nginx (master and one
#                worker process) serving 1 KiB: host-kernel = nginx
#                in C over the veth, sud = nginx under nuse-exec on the TAP;
#                wrk runs in S for both.
#   gohttp_rps   wrk -t1 -c256 for 4 s (256 keep-alive clients) against
#                the static Go HTTP server tests/programs/gohttp serving
#                1 KiB (/data/224241): host-kernel = in C over the veth,
#                sud = under nuse-exec on the TAP; wrk in S for both.
#   (conns_held moved to bench/conns.sh, make bench-conns: 100k
#   connections over several processes, their rate and memory)
# Subjects take turns within each round; medians of APPS_RUNS (5) runs
# for tcp_rr_us, APPS_NET_RUNS (3) for iperf3, APPS_NGINX_RUNS (5) for
# nginx and the Go server (the noisiest); a failed run is left out and reported.  A subject that
# cannot run (a mode that refuses --stack=linux, a missing program) is a
# "nan" row and its reason is printed under the table: never a made-up
# figure.
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
# shellcheck source=bench/lib.sh
. "$top_srcdir/bench/lib.sh"
export LC_ALL=C

RUNS=${APPS_RUNS:-5}
NET_RUNS=${APPS_NET_RUNS:-3}
NGINX_RUNS=${APPS_NGINX_RUNS:-5}
RR_ROUNDS=${APPS_RR_ROUNDS:-20000}
RR_MODES=${APPS_RR_MODES:-"preload sud sud:no-fsgsbase seccomp unotify ptrace"}
PROGS=$top_builddir/bench/progs
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
GOHTTP=${GOHTTP:-$top_builddir/tests/programs/gohttp/gohttp}
NUSE_IF=tap:nt0,ip=10.79.0.2/24,mac=02:00:00:79:00:02

[ "$(id -u)" = 0 ] || { echo "bench-apps: needs root (namespaces, TAP)" >&2; exit 1; }
for p in tcp-rr; do
	[ -x "$PROGS/$p" ] || { echo "bench-apps: $PROGS/$p not built (make all)" >&2; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-bench-apps.XXXXXX") || exit 1
# A copy of nuse-exec (and the preload shim it finds beside itself) taken
# now: the binaries measured stay the same all run long even if the tree
# is rebuilt meanwhile.
if [ -x "$NUSE_EXEC" ]; then
	mkdir "$T/bin" && cp "$NUSE_EXEC" "$T/bin/nuse-exec" || exit 1
	_so=$(dirname "$NUSE_EXEC")/libnuse-preload.so
	[ -e "$_so" ] && { cp "$_so" "$T/bin/" || exit 1; }
	NUSE_EXEC=$T/bin/nuse-exec
fi
NS=nuse-apps-$$-s
NC=nuse-apps-$$-c
RUN_PID=
# Everything the benchmark starts runs in one of its namespaces, so the
# namespaces' process lists catch all of it, also what a run in progress
# started (servers, nuse's keeper processes) when a signal stops us.
ns_pids() { ip netns pids "$NS" 2>/dev/null; ip netns pids "$NC" 2>/dev/null; }
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null
	for p in $(ns_pids); do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $(ns_pids); do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NC" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

in_s() { ip netns exec "$NS" "$@"; }
in_c() { ip netns exec "$NC" "$@"; }
# S: iperf3 server, wrk, the TAP nuse attaches to; C: the host-kernel peer.
ip netns add "$NS" && ip netns add "$NC" || exit 1
in_s ip link set lo up
in_c ip link set lo up
ip link add vs netns "$NS" type veth peer name vc netns "$NC" || exit 1
in_s ip addr add 10.77.0.1/24 dev vs
in_c ip addr add 10.77.0.2/24 dev vc
in_s ip link set vs up
in_c ip link set vc up
in_s ip tuntap add dev nt0 mode tap vnet_hdr || exit 1
in_s ip link set nt0 up
in_s ip addr add 10.79.0.1/24 dev nt0

is_number() {
	case "$1" in
	'' | *[!0-9.]* | .*) return 1 ;;
	esac
}

# measure METRIC UNIT RUNS FUNC -- SUBJECTS...: RUNS rounds, each running
# FUNC SUBJECT once per subject in turn (interleaved, so load from
# elsewhere hits every subject alike); FUNC prints the value, its stderr
# goes to $T/err.  A failed run is left out of the median ("runs" says how
# many counted) and the first line of its error goes to the notes under
# the table; a subject with no run counted is "nan".  A subject that fails
# its first run fails every one (a mode that refuses --stack=linux): it
# is not tried again.
measure() {
	_metric=$1 _unit=$2 _runs=$3 _fn=$4
	shift 5
	for _s in "$@"; do
		: >"$T/v.$_s"
		rm -f "$T/failed.$_s"
	done
	_r=0
	while [ "$_r" -lt "$_runs" ]; do
		for _s in "$@"; do
			[ -e "$T/failed.$_s" ] && continue
			# in the background: a signal's trap runs at once
			# instead of after the run
			$_fn "$_s" >"$T/out" 2>"$T/err" &
			RUN_PID=$!
			wait "$RUN_PID"
			RUN_PID=
			_v=$(tail -1 "$T/out")
			if is_number "$_v"; then
				echo "$_v" >>"$T/v.$_s"
			else
				_why=$(grep -v '^$' "$T/err" | head -1)
				echo "$_metric $_s: ${_why:-no figure (exit status, no message)}" >>"$T/notes"
				[ "$_r" = 0 ] && : >"$T/failed.$_s"
			fi
		done
		_r=$((_r + 1))
	done
	for _s in "$@"; do
		_n=$(wc -l <"$T/v.$_s")
		if [ "$_n" = 0 ]; then
			bench_row "$_metric" "$_s" nan "$_unit" 0
		else
			bench_row "$_metric" "$_s" "$(median <"$T/v.$_s")" "$_unit" "$_n"
		fi
	done
}

# ---- tcp_rr_us (two processes), tcp_rr_thr_us (two threads)
# In S, whose loopback is ours alone: the fixed port is free.
rr_run() { # SUBJECT CMD...
	_s=$1
	shift
	if [ "$_s" = host-kernel ]; then
		in_s timeout -k 2 60 "$@"
	else
		in_s env "$(subject_env "$_s")" timeout -k 2 60 "$NUSE_EXEC" \
			--stack=linux --mode="$(subject_mode "$_s")" -- "$@"
	fi
}
rr_once() {
	# a client that gives up must not leave the server waiting in accept
	# shellcheck disable=SC2016 # expanded by the inner sh
	rr_run "$1" sh -c '"$1" server 5555 1 & "$1" client 5555 1 "$2"; r=$?
		kill $! 2>/dev/null; wait; exit $r' sh "$PROGS/tcp-rr" "$RR_ROUNDS"
}
rr_thr_once() {
	rr_run "$1" "$PROGS/tcp-rr" threads 1 "$RR_ROUNDS"
}

# ---- iperf3_gbps
gbps() {
	python3 -c "import json, sys
print('%.3f' % (json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second'] / 1e9))" "$1"
}
iperf_once() {
	case $1 in
	host-kernel) in_c timeout -k 2 20 iperf3 -c 10.77.0.1 -p 5201 -t 3 -J >"$T/i" ;;
	sud) in_s timeout -k 2 20 "$NUSE_EXEC" --stack=linux --mode=sud -i "$NUSE_IF" -- \
		iperf3 -c 10.79.0.1 -p 5201 -t 3 -J >"$T/i" ;;
	esac || {
		# iperf3 -J reports its error inside the JSON
		python3 -c "import json, sys
print(json.load(open(sys.argv[1])).get('error', 'no error field'))" "$T/i" >&2 ||
			head -c 300 "$T/i" >&2
		return 1
	}
	gbps "$T/i"
}

# ---- nginx_rps
nginx_conf() { # DIR
	mkdir -p "$1/www" "$1/tmp"
	head -c 1024 /dev/zero | tr '\0' x >"$1/www/index.html"
	cat >"$1/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $1/tmp;
	proxy_temp_path $1/tmp;
	fastcgi_temp_path $1/tmp;
	uwsgi_temp_path $1/tmp;
	scgi_temp_path $1/tmp;
	server {
		listen 8080;
		root $1/www;
	}
}
EOF
}
# wait_http NETNS URL PID: until URL answers 200 (10 s), or PID is gone
wait_http() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		[ "$(ip netns exec "$1" curl -s -m 1 -o /dev/null -w '%{http_code}' "$2")" = 200 ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
# start_server NAME SUBJECT URL-PATH PORT CMD...: CMD (with @ADDR@ for
# the address it listens on) in the host kernel's namespace or under sud;
# its URL in $T/NAME-SUBJECT/url, or why not in .../why.  Not through
# in_c/in_s: a backgrounded function is a subshell, and killing it would
# leave the server running (and the TAP taken); this way $! is the server
# (nuse-exec runs it in its own process).
start_server() {
	_name=$1 _subj=$2 _d=$T/$1-$2 _path=$3 _port=$4
	shift 4
	mkdir -p "$_d"
	case $_subj in host-kernel) _ns=$NC _a=10.77.0.2 ;; *) _ns=$NS _a=10.79.0.2 ;; esac
	_n=$#
	for _w; do
		set -- "$@" "$(printf %s "$_w" | sed "s/@ADDR@/$_a/g")"
	done
	shift "$_n"
	case $_subj in
	host-kernel) ip netns exec "$_ns" "$@" >"$_d/out" 2>&1 & ;;
	*) ip netns exec "$_ns" "$NUSE_EXEC" --stack=linux --mode=sud \
		-i "$NUSE_IF" -- "$@" >"$_d/out" 2>&1 & ;;
	esac
	_pid=$!
	_url=http://$_a:$_port$_path
	echo "$_pid" >"$_d/pid"
	if wait_http "$NS" "$_url" "$_pid"; then
		echo "$_url" >"$_d/url"
	else
		echo "$_name did not answer: $(cat "$_d/out" "$_d/error.log" 2>/dev/null | tail -1)" >"$_d/why"
	fi
}
stop() { # PID: end it and wait for it (it must let go of the TAP)
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# wrk_once NAME CONNS SUBJECT: requests/s of 4 s of wrk against it
wrk_once() {
	_d=$T/$1-$3
	[ -s "$_d/url" ] || { cat "$_d/why" >&2; return 1; }
	in_s timeout -k 2 20 wrk -t1 -c"$2" -d4s "$(cat "$_d/url")" >"$T/w" 2>&1 ||
		{ tail -1 "$T/w" >&2; return 1; }
	# an error page is no answer
	grep -q 'Non-2xx' "$T/w" && { grep 'Non-2xx' "$T/w" >&2; return 1; }
	sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$T/w"
}
start_nginx() { # SUBJECT
	nginx_conf "$T/nginx-$1"
	start_server nginx "$1" / 8080 "$NGINX" -p "$T/nginx-$1" \
		-e "$T/nginx-$1/error.log" -c "$T/nginx-$1/nginx.conf"
}
nginx_once() { wrk_once nginx 32 "$1"; }

# ---- gohttp_rps
start_gohttp() { # SUBJECT
	start_server gohttp "$1" /data/224241 8081 "$GOHTTP" -mode=server \
		-addr @ADDR@:8081
}
gohttp_once() { wrk_once gohttp 256 "$1"; }

START=$(date +%s)
bench_begin apps
: >"$T/notes"

# shellcheck disable=SC2086 # word splitting of $RR_MODES is intended
measure tcp_rr_us us "$RUNS" rr_once -- host-kernel $RR_MODES
# shellcheck disable=SC2086
measure tcp_rr_thr_us us "$RUNS" rr_thr_once -- host-kernel $RR_MODES

ip netns exec "$NS" iperf3 -s -p 5201 >"$T/iperf-server" 2>&1 &
IPERF_PID=$!
sleep 0.5
measure iperf3_gbps gbit/s "$NET_RUNS" iperf_once -- host-kernel sud
stop "$IPERF_PID"

if [ -x "$NGINX" ] && command -v wrk >/dev/null; then
	start_nginx host-kernel
	start_nginx sud
	measure nginx_rps req/s "$NGINX_RUNS" nginx_once -- host-kernel sud
	stop "$(cat "$T/nginx-host-kernel/pid")"
	stop "$(cat "$T/nginx-sud/pid")"
else
	bench_row nginx_rps host-kernel nan req/s 0
	bench_row nginx_rps sud nan req/s 0
	echo "nginx_rps: nginx or wrk not installed (contrib/install-deps)" >>"$T/notes"
fi

if [ -x "$GOHTTP" ] && command -v wrk >/dev/null; then
	# 256 clients and wrk's own descriptors
	ulimit -n 4096 2>/dev/null
	start_gohttp host-kernel
	start_gohttp sud
	measure gohttp_rps req/s "$NGINX_RUNS" gohttp_once -- host-kernel sud
	stop "$(cat "$T/gohttp-host-kernel/pid")"
	stop "$(cat "$T/gohttp-sud/pid")"
else
	bench_row gohttp_rps host-kernel nan req/s 0
	bench_row gohttp_rps sud nan req/s 0
	echo "gohttp_rps: $GOHTTP not built (make check builds it; needs go) or wrk missing" >>"$T/notes"
fi

bench_target tcp_rr_us sud le 1.1 preload
bench_target tcp_rr_thr_us sud le 1.1 preload
# the FS/GS fallback (machines without FSGSBASE) within 1.1x of FSGSBASE
bench_target tcp_rr_us sud:no-fsgsbase le 1.1 sud
bench_target tcp_rr_thr_us sud:no-fsgsbase le 1.1 sud
bench_target iperf3_gbps sud ge 0.8 host-kernel
bench_target nginx_rps sud ge 1.0 host-kernel
bench_target gohttp_rps sud ge 1.0 host-kernel
bench_end
echo "-- notes ($(($(date +%s) - START)) s, load $(cut -d' ' -f1-3 /proc/loadavg))"
awk '!seen[$0]++' "$T/notes"
