#!/bin/sh
# Go's own net package tests (the Debian golang-go sources, built static
# with CGO_ENABLED=0: tests/conformance/gonet.test) natively and under
# nuse-exec in each mode, each run in a network namespace of its own with
# only a loopback, then compared test by test: every test (and subtest)
# that passes natively must pass under nuse, except those listed with a
# reason in tests/conformance/gonet-exceptions.txt (a debt, not a pass).
#
#   GONET_MODES     subjects besides native (default: every mode but preload,
#                   which cannot apply: the binary is static)
#   GONET_TIMEOUT   seconds one run may take (default 60; native takes 5)
#   GONET_CSV       also write gonet_wall_s rows there (bench-conformance)
#   GONET_RUNS      rounds for the wall times (default 1; modes interleaved)
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
[ "$(id -u)" = 0 ] || skip "needs root (a network namespace per run)"
command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
GO=${GO:-$(command -v go || true)}
[ -n "$GO" ] || skip "needs go (golang-go) for the net package's sources"
GONET=$top_builddir/tests/conformance/gonet.test
need_prog "$GONET"
NETDIR=$("$GO" env GOROOT)/src/net
[ -d "$NETDIR/testdata" ] || skip "no $NETDIR/testdata"
EXC=$top_srcdir/tests/conformance/gonet-exceptions.txt
SUBJECTS="native ${GONET_MODES:-sud sud-trap seccomp unotify ptrace}"
RUN_S=${GONET_TIMEOUT:-60}
RUNS=${GONET_RUNS:-1}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

NS_LIST=""
cleanup_ns() {
	for n in $NS_LIST; do ip netns del "$n" 2>/dev/null; done
}
trap 'cleanup_ns; cleanup' EXIT

# one_run SUBJECT ROUND: the suite once; log in $T/SUBJECT.ROUND.log,
# seconds in $T/SUBJECT.ROUND.time, status in $T/SUBJECT.ROUND.st
one_run() {
	_ns=nuse-gonet-$$-$1
	ip netns add "$_ns" || skip "cannot create a network namespace"
	NS_LIST="$NS_LIST $_ns"
	ip -n "$_ns" link set lo up
	if [ "$1" = native ]; then
		_cmd=""
	else
		_cmd="$NUSE_EXEC --mode=$1 --"
	fi
	_t0=$(date +%s%N)
	# shellcheck disable=SC2086 # $_cmd is words
	(cd "$NETDIR" && exec ip netns exec "$_ns" timeout -k 5 "$RUN_S" \
		$_cmd "$GONET" -test.short -test.v -test.timeout "$((RUN_S - 10))s") \
		>"$T/$1.$2.log" 2>&1 </dev/null
	echo $? >"$T/$1.$2.st"
	_t1=$(date +%s%N)
	awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 }' >"$T/$1.$2.time"
	ip netns del "$_ns" 2>/dev/null
}

# results LOG: "NAME RESULT" for every test and subtest that ended
results() {
	sed -n 's/^ *--- \(PASS\|FAIL\|SKIP\): \([^ ]*\) .*/\2 \1/p' "$1" | sort -u
}

r=1
while [ "$r" -le "$RUNS" ]; do
	for s in $SUBJECTS; do
		one_run "$s" "$r"
	done
	r=$((r + 1))
done

results "$T/native.1.log" >"$T/native.res"
grep ' PASS$' "$T/native.res" | cut -d' ' -f1 >"$T/native.pass"
n_native=$(wc -l <"$T/native.pass")
if [ "$n_native" -lt 100 ]; then
	fail "native: only $n_native tests passed (status $(cat "$T/native.1.st")): $(tail -5 "$T/native.1.log")"
	finish
fi
pass "native: $n_native tests pass ($(cat "$T/native.1.time") s)"

for s in $SUBJECTS; do
	[ "$s" = native ] && continue
	results "$T/$s.1.log" >"$T/$s.res"
	bad=0
	: >"$T/$s.bad"
	while read -r t; do
		got=$(awk -v t="$t" '$1 == t { print $2 }' "$T/$s.res")
		[ "$got" = PASS ] && continue
		# exceptions: "MODE TEST reason" (MODE may be *), '#' comments
		if awk -v m="$s" -v t="$t" '!/^#/ && ($1 == m || $1 == "*") && $2 == t { f = 1 } END { exit !f }' "$EXC" 2>/dev/null; then
			continue
		fi
		echo "  $t: ${got:-did not run (the suite ended: status $(cat "$T/$s.1.st"))}" >>"$T/$s.bad"
		bad=$((bad + 1))
	done <"$T/native.pass"
	n_pass=$(grep -c ' PASS$' "$T/$s.res")
	if [ "$bad" -eq 0 ]; then
		pass "$s: every test that passes natively passes ($n_pass pass, $(cat "$T/$s.1.time") s)"
	else
		fail "$s: $bad of $n_native native passes do not pass ($(cat "$T/$s.1.time") s):"
		head -40 "$T/$s.bad"
		grep -m3 -E 'panic:|fatal error:|runtime: ' "$T/$s.1.log" | sed 's/^/  /'
	fi
done

if [ -n "${GONET_CSV:-}" ]; then
	for s in $SUBJECTS; do
		r=1
		: >"$T/$s.times"
		while [ "$r" -le "$RUNS" ]; do
			cat "$T/$s.$r.time" >>"$T/$s.times"
			r=$((r + 1))
		done
		echo "gonet_wall_s,$s,$(median <"$T/$s.times"),s,$RUNS" >>"$GONET_CSV"
	done
fi
finish
