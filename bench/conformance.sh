#!/bin/sh
# bench-conformance: the wall time of Go's net package tests per mode
# against native, from the same run (tests/conformance/gonet.sh, modes
# interleaved within each round, medians of BENCH_RUNS (5) rounds):
#   gonet_wall_s  seconds for `gonet.test -test.short` in a fresh namespace
# A mode whose run fails still gets its time: the comparison of results
# is make check-conformance's job.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
# shellcheck source=bench/lib.sh
. "$top_srcdir/bench/lib.sh"
bench_begin conformance
GONET_CSV=$(mktemp) || exit 1
trap 'rm -f "$GONET_CSV"' EXIT
GONET_CSV=$GONET_CSV GONET_RUNS=${BENCH_RUNS:-5} top_builddir=$top_builddir \
	top_srcdir=$top_srcdir sh "$top_srcdir/tests/conformance/gonet.sh" |
	grep -E '^(PASS|FAIL|SKIP)' >&2
cat "$GONET_CSV" >>"$BENCH_CSV"
bench_target gonet_wall_s seccomp le 1.5 native
bench_target gonet_wall_s sud le 1.5 native
bench_target gonet_wall_s unotify le 3 native
bench_target gonet_wall_s ptrace le 3 native
bench_end
