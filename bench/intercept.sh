#!/bin/sh
# bench-intercept: what interception costs, per mode, against native.
#   getppid_ns       one getppid() through libc (bench/progs/getppid-loop):
#                    each run's median over all its batches of 1000 calls
#                    (it was the fastest batch, which hid the tails)
#   getppid_p99_ns   the same runs' 99th percentile of those batches
#   udp_sendrecv_ns  one sendto()+recvfrom() on loopback UDP
#                    (bench/progs/udp-pingpong), each run's median batch of
#                    100; udp_sendrecv_p99_ns its batches' 99th percentile
#   wget_256m_s      busybox-static wget of 256 MiB from a local nginx
#                    (sendfile on) to /dev/null
# Subject "sud:no-fsgsbase" is sud with the FS/GS fallback forced
# (NUSE_NO_FSGSBASE=1), the path of machines without FSGSBASE; subject
# "native:sud-on" (getppid only) is native with syscall user dispatch on
# and its selector at ALLOW: the kernel's share of any SUD mode's cost.
# Medians of BENCH_RUNS (default 9; at least 7 for the micro-benchmarks)
# runs, BENCH_WGET_RUNS (9) for wget;
# subjects take turns within each round.  A subject that fails
# to run is a "nan" row plus a line on stderr.  Modes: $NUSE_BENCH_MODES
# (default: every mode).
set -u

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
# shellcheck source=bench/lib.sh
. "$top_srcdir/bench/lib.sh"

MODES=${NUSE_BENCH_MODES:-"preload sud-trap sud sud:no-fsgsbase seccomp unotify ptrace"}
RUNS=${BENCH_RUNS:-9}
WGET_RUNS=${BENCH_WGET_RUNS:-9}
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

# run_subject SUBJECT CMD...: run CMD natively or under nuse-exec
# --mode=SUBJECT with a timeout, stderr to $T/err.
run_subject() {
	_s=$1
	shift
	if [ "$_s" = native ]; then
		timeout -k 2 "$RUN_TIMEOUT" "$@" 2>"$T/err"
	else
		env "$(subject_env "$_s")" timeout -k 2 "$RUN_TIMEOUT" "$NUSE_EXEC" \
			--stack=host --mode="$(subject_mode "$_s")" -- "$@" 2>"$T/err"
	fi
}

# micro_once SUBJECT PROG: one run of a micro-benchmark: prints its median
# batch's ns per call and keeps its batches' p99 in $T/p99.SUBJECT.
micro_once() {
	case $1 in
	native:sud-on) _out=$(RUN_TIMEOUT=20 run_subject native "$2" "$SECS" sud-on) ;;
	*) _out=$(RUN_TIMEOUT=20 run_subject "$1" "$2" "$SECS") ;;
	esac || return
	# shellcheck disable=SC2086 # "P50 P99 MEAN"
	set -- "$1" $_out
	[ $# = 4 ] && echo "$3" >>"$T/p99.$1"
	echo "$2"
}

# p99_rows METRIC SUBJECTS...: a row per subject, the median of its runs'
# p99 (kept by micro_once), as many runs as counted for the main metric.
p99_rows() {
	_m=$1
	shift
	for _s in "$@"; do
		if [ -e "$T/failed.$_s" ] || [ ! -s "$T/p99.$_s" ]; then
			bench_row "$_m" "$_s" nan ns 0
		else
			bench_row "$_m" "$_s" "$(median <"$T/p99.$_s")" ns "$(wc -l <"$T/p99.$_s")"
		fi
		rm -f "$T/p99.$_s"
	done
}

# wget_once SUBJECT: seconds to download $URL once.
wget_once() {
	_t0=$(date +%s%N)
	RUN_TIMEOUT=40 run_subject "$1" "$BUSYBOX" wget -q -O /dev/null "$URL" || return
	_t1=$(date +%s%N)
	awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}

# measure METRIC UNIT RUNS FUNC [ARG] -- SUBJECTS...: RUNS rounds, each
# running FUNC SUBJECT [ARG] once per subject in turn (interleaved, so load
# from elsewhere hits every subject alike); a row per subject with the
# median.  A subject that fails once is dropped: a "nan" row and a line on
# stderr.  Subjects listed in $NOT_APPLICABLE (as "subject:reason;") too.
measure() {
	_metric=$1
	_unit=$2
	_runs=$3
	_fn=$4
	_arg=
	shift 4
	if [ "$1" != -- ]; then
		_arg=$1
		shift
	fi
	shift
	for _s in "$@"; do
		: >"$T/v.$_s"
		rm -f "$T/failed.$_s"
		case ";${NOT_APPLICABLE:-}" in
		*";$_s:"*)
			_why=${NOT_APPLICABLE#*"$_s:"}
			echo "bench-intercept: $_metric $_s: ${_why%%;*}" >&2
			: >"$T/failed.$_s"
			;;
		esac
	done
	_r=0
	while [ "$_r" -lt "$_runs" ]; do
		for _s in "$@"; do
			[ -e "$T/failed.$_s" ] && continue
			_v=$($_fn "$_s" "$_arg")
			_st=$?
			if [ "$_st" = 0 ] && is_number "$_v"; then
				echo "$_v" >>"$T/v.$_s"
			else
				echo "bench-intercept: $_metric $_s: run failed (status $_st): $(head -c 300 "$T/err")$_v" >&2
				: >"$T/failed.$_s"
			fi
		done
		_r=$((_r + 1))
	done
	for _s in "$@"; do
		if [ -e "$T/failed.$_s" ]; then
			bench_row "$_metric" "$_s" nan "$_unit" 0
		else
			bench_row "$_metric" "$_s" "$(median <"$T/v.$_s")" "$_unit" "$_runs"
		fi
	done
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

# shellcheck disable=SC2086 # word splitting of $MODES is intended
measure getppid_ns ns "$RUNS" micro_once "$PROGS/getppid-loop" -- native native:sud-on $MODES
# shellcheck disable=SC2086
p99_rows getppid_p99_ns native native:sud-on $MODES
# shellcheck disable=SC2086
measure udp_sendrecv_ns ns "$RUNS" micro_once "$PROGS/udp-pingpong" -- native $MODES
# shellcheck disable=SC2086
p99_rows udp_sendrecv_p99_ns native $MODES
NOT_APPLICABLE="preload:$BUSYBOX is static, LD_PRELOAD cannot apply;"
if ! start_nginx; then
	NOT_APPLICABLE="native:no HTTP server;"
	for s in $MODES; do
		NOT_APPLICABLE="$NOT_APPLICABLE$s:no HTTP server;"
	done
fi
# shellcheck disable=SC2086
measure wget_256m_s s "$WGET_RUNS" wget_once -- native $MODES

bench_target getppid_ns sud le 1 native 60
# the FS/GS fallback (machines without FSGSBASE): at most 10 ns per call more
bench_target getppid_ns sud:no-fsgsbase le 1 sud 10
bench_target udp_sendrecv_ns sud:no-fsgsbase le 1 sud 20
bench_target wget_256m_s sud le 1.05 native
bench_end
