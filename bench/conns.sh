#!/bin/sh
# bench-conns: idle TCP connections on one stack — how many it holds, how
# fast they are made, what each costs in memory — the host kernel against
# nuse's Linux stack (nuse-exec --stack=linux --mode=sud), in one run.
#
# bench/progs/conns-held multi N PROCS: PROCS processes (one nuse session,
# or natively), each with its own listener on 127.0.0.1 and N/PROCS
# clients, so both ends of every connection are on the stack measured;
# PROCS processes because RLIMIT_NOFILE is 20,000 here (hard: no
# CAP_SYS_RESOURCE) and each connection takes two descriptors.  Each
# process connects as fast as it can while its server thread accepts;
# then every connection is asked once.  In its own network namespace.
#   conns_held        connections that answered, of N (largest N)
#   conn_rate_per_s   connections established per second (one connect()
#                     and one accept() each), all processes at once, from
#                     their start to the last one's last accept
#   kib_per_conn      memory growth per idle connection (both ends), from
#                     just before the first connect to when all answered:
#                     the host's slab (/proc/meminfo Slab: the host
#                     kernel's sockets, and nuse's placeholder
#                     descriptors) + the namespace's processes' anonymous
#                     memory + (nuse) the stack's memory actually
#                     allocated (the keeper's memfd, in blocks)
# The same at every other size of CONNS_SIZES as conn_rate_per_s_1k,
# kib_per_conn_10k, ...: where the curve bends.
# Subjects take turns (host-kernel, sud) in each round; the median of
# CONNS_RUNS (5) rounds, CONNS_BIG_RUNS (5) at the largest size.  The
# host's Slab is the whole machine's: others' work on a shared machine
# moves it, by less than the ~1 GB that 100k connections add.
# Environment: CONNS_SIZES ("1000 10000 100000"), CONNS_PROCS (12),
# CONNS_MEM (nuse-exec --mem, MiB: 1024: at the default 512, 100k
# connections exhaust the stack's memory and it panics, docs/bench.md).
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
# shellcheck source=bench/lib.sh
. "$top_srcdir/bench/lib.sh"
export LC_ALL=C

SIZES=${CONNS_SIZES:-"1000 10000 100000"}
PROCS=${CONNS_PROCS:-12}
RUNS=${CONNS_RUNS:-5}
BIG_RUNS=${CONNS_BIG_RUNS:-5}
MEM=${CONNS_MEM:-1024}
PROG=$top_builddir/bench/progs/conns-held

[ "$(id -u)" = 0 ] || { echo "bench-conns: needs root (a namespace)" >&2; exit 1; }
[ -x "$PROG" ] || { echo "bench-conns: $PROG not built (make all)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-bench-conns.XXXXXX") || exit 1
# a copy of nuse-exec: the tree may be rebuilt during the run
if [ -x "$NUSE_EXEC" ]; then
	mkdir "$T/bin" && cp "$NUSE_EXEC" "$T/bin/nuse-exec" || exit 1
	NUSE_EXEC=$T/bin/nuse-exec
fi
NS=nuse-conns-$$
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up

# The three memory parts, in KiB, each on its own line.
slab_kib() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
anon_kib() {
	for p in $(ip netns pids "$NS"); do
		awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}
# the stack's memory: blocks allocated to the keeper's memfd
stack_kib() {
	for p in $(ip netns pids "$NS"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = nuse-keeper ] || continue
		for f in /proc/"$p"/fd/*; do
			case $(readlink "$f" 2>/dev/null) in
			*memfd:nuse-kernel-memory*) stat -L -c '%b %B' "$f" ;;
			esac
		done
	done | awk '{ s += $1 * $2 / 1024 } END { print s + 0 }'
}
mem_kib() { echo "$(slab_kib) $(anon_kib) $(stack_kib)"; }

# wait_file FILE SECONDS PID: until FILE exists, or PID is gone
wait_file() {
	_i=0
	while [ ! -e "$1" ] && [ "$_i" -lt $(($2 * 20)) ]; do
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -e "$1" ]
}

# once SUBJECT N: one run; appends "alive rate kib_per_conn slab anon
# stack" (the last three: each part's KiB per connection) to
# $T/r.SUBJECT.N, or says why not on stderr.
once() {
	_s=$1 _n=$2
	_c=$T/ctl
	rm -f "$_c".* "$T/out" "$T/err"
	# The previous run's keeper outlives its program while it closes
	# 100k connections: measured alongside, it would count as memory
	# freed and take the CPU. Wait for the namespace to be empty.
	_i=0
	while [ -n "$(ip netns pids "$NS")" ] && [ "$_i" -lt 1200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	for _p in $(ip netns pids "$NS"); do
		echo "bench-conns: $_s $_n: pid $_p of the last run still there after 60 s: killed" >&2
		kill -9 "$_p"
	done
	# started directly (not through a function): $! is the run itself
	case $_s in
	host-kernel)
		ip netns exec "$NS" timeout -k 2 600 "$PROG" multi "$_n" "$PROCS" "$_c" \
			>"$T/out" 2>"$T/err" & ;;
	sud)
		ip netns exec "$NS" timeout -k 2 600 "$NUSE_EXEC" --stack=linux --mode=sud \
			--mem="$MEM" -- "$PROG" multi "$_n" "$PROCS" "$_c" \
			>"$T/out" 2>"$T/err" & ;;
	esac
	RUN_PID=$!
	if ! wait_file "$_c.ready" 60 "$RUN_PID"; then
		echo "bench-conns: $_s $_n: did not start: $(head -c 300 "$T/err")" >&2
		kill "$RUN_PID" 2>/dev/null
		wait "$RUN_PID"
		RUN_PID=
		return 1
	fi
	# let what starting allocated settle (the keeper's boot, threads)
	sleep 0.5
	_m0=$(mem_kib)
	: >"$_c.go"
	if ! wait_file "$_c.done" 540 "$RUN_PID"; then
		echo "bench-conns: $_s $_n: no result: $(grep -v '^$' "$T/err" | tail -2 | tr '\n' ' ')" >&2
		kill "$RUN_PID" 2>/dev/null
		wait "$RUN_PID"
		RUN_PID=
		return 1
	fi
	_m1=$(mem_kib)
	: >"$_c.end"
	wait "$RUN_PID"
	RUN_PID=
	set -- $(cat "$T/out")
	[ $# = 2 ] || { echo "bench-conns: $_s $_n: bad output: $*" >&2; return 1; }
	grep -v '^conns-held: [0-9]* processes' "$T/err" | head -2 >&2
	echo "$1 $2 $(echo "$_m0 $_m1" | awk -v n="$_n" '{
		printf "%.2f %.2f %.2f %.2f", ($4 + $5 + $6 - $1 - $2 - $3) / n,
			($4 - $1) / n, ($5 - $2) / n, ($6 - $3) / n }')" >>"$T/r.$_s.$_n"
}

# col FILE K: the median of column K
col() { awk -v k="$2" '{ print $k }' "$1" | median; }

bench_begin conns
START=$(date +%s)
for n in $SIZES; do
	runs=$RUNS
	[ "$n" = "${SIZES##* }" ] && runs=$BIG_RUNS
	for s in host-kernel sud; do : >"$T/r.$s.$n"; done
	r=0
	while [ "$r" -lt "$runs" ]; do
		for s in host-kernel sud; do
			once "$s" "$n"
		done
		r=$((r + 1))
	done
done
LARGEST=${SIZES##* }
for s in host-kernel sud; do
	f=$T/r.$s.$LARGEST
	if [ -s "$f" ]; then
		bench_row conns_held "$s" "$(col "$f" 1)" conns "$(wc -l <"$f")"
	else
		bench_row conns_held "$s" nan conns 0
	fi
done
for m in conn_rate_per_s:2:conn/s kib_per_conn:3:KiB; do
	name=${m%%:*} k=${m#*:} unit=${k#*:} k=${k%%:*}
	for n in $SIZES; do
		suffix=_$n
		[ $((n % 1000)) = 0 ] && suffix=_$((n / 1000))k
		[ "$n" = "$LARGEST" ] && suffix=
		for s in host-kernel sud; do
			f=$T/r.$s.$n
			if [ -s "$f" ]; then
				bench_row "$name$suffix" "$s" "$(col "$f" "$k")" "$unit" "$(wc -l <"$f")"
			else
				bench_row "$name$suffix" "$s" nan "$unit" 0
			fi
		done
	done
done
bench_target conns_held sud ge 1 host-kernel
bench_target conn_rate_per_s sud ge 0.8 host-kernel
bench_target kib_per_conn sud le 2 host-kernel
bench_end
awk -F, '$1 == "conns_held" && $2 == "sud" {
	printf "conns_held         sud              >= 100000: %s  %s\n", $3,
		($3 != "nan" && $3 >= 100000) ? "MET" : "NOT MET" }' "$BENCH_CSV"
echo "-- $(($(date +%s) - START)) s; $PROCS processes; nuse-exec --mem=$MEM"
echo "-- KiB per connection by part (medians): host slab, processes' anonymous memory, the stack's memfd"
for n in $SIZES; do
	for s in host-kernel sud; do
		f=$T/r.$s.$n
		[ -s "$f" ] || continue
		printf '%7s %-12s %8s %8s %8s\n' "$n" "$s" "$(col "$f" 4)" "$(col "$f" 5)" "$(col "$f" 6)"
	done
done
