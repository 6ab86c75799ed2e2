#!/bin/sh
# What nuse needs from the machine (issue 12): nuse-exec --check, the
# automatic fallbacks and the refusals (exit 125), on "machines" that lack
# a feature, made with tests/programs/deny (a seccomp filter inherited by
# nuse-exec and the program: a call fails with an errno, or fakes success
# without doing anything).  A faked success is the dangerous case: the
# mode believes it is armed while the program's calls would reach the
# host, and the check every mode makes before the program's first
# instruction must refuse to run it.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
DENY=$PROGS/deny
need_prog "$DENY"
[ "$(id -u)" = 0 ] || skip "deny's filter needs root for the programs nuse starts"
PY=/usr/bin/python3
TRUE=$(command -v true)

# --check: one line per feature, one per mode, each tried
run "$T/out" "$T/err" "$NUSE_EXEC" --check
if [ "$ST" -eq 0 ] && grep -q '^  FSGSBASE (AT_HWCAP2) ' "$T/out" &&
	[ "$(grep -cE '^  (sud|sud-trap|seccomp|ptrace|unotify|preload) +(works|falls back|refused)' "$T/out")" = 6 ]; then
	pass "--check: the machine's features and six modes"
else
	fail "--check (status $ST): $(cat "$T/out" "$T/err")"
fi

# NUSE_NO_FSGSBASE: the fallback, reported and announced
NUSE_NO_FSGSBASE=1 run "$T/out" "$T/err" "$NUSE_EXEC" --check
grep -q 'GS set with arch_prctl' "$T/out" &&
	pass "--check reports the FS/GS fallback under NUSE_NO_FSGSBASE=1" ||
	fail "--check under NUSE_NO_FSGSBASE=1: $(head -3 "$T/out")"
NUSE_NO_FSGSBASE=1 run "$T/out" "$T/err" "$NUSE_EXEC" -v -- "$TRUE"
[ "$ST" -eq 0 ] && grep -q 'GS set with arch_prctl' "$T/err" &&
	pass "-v announces the FS/GS fallback" ||
	fail "-v under NUSE_NO_FSGSBASE=1 (status $ST): $(cat "$T/err")"

# every mode proves its calls reach the stack before the program runs
for m in sud sud-trap seccomp ptrace unotify; do
	for s in linux host; do
		run "$T/out" "$T/err" "$NUSE_EXEC" -v --mode="$m" --stack="$s" -- "$TRUE"
		want="reach the Linux stack"
		[ "$s" = host ] && want="reach nuse"
		[ "$ST" -eq 0 ] && grep -q "probe: the program's calls $want" "$T/err" &&
			pass "$m --stack=$s: probed before the program ran" ||
			fail "$m --stack=$s: no probe line (status $ST): $(cat "$T/err")"
	done
done

# no syscall user dispatch: the default falls back, an explicit sud is refused
run "$T/out" "$T/err" "$DENY" 157/59=22 -- "$NUSE_EXEC" -v -- /bin/echo ran
[ "$ST" -eq 0 ] && grep -qx ran "$T/out" && grep -q -- '--mode=seccomp' "$T/err" &&
	pass "no SUD: the default mode falls back to seccomp, announced" ||
	fail "no SUD, default mode (status $ST): $(cat "$T/out" "$T/err")"
for m in sud sud-trap; do
	run "$T/out" "$T/err" "$DENY" 157/59=22 -- "$NUSE_EXEC" --mode=$m -- /bin/echo ran
	[ "$ST" -eq 125 ] && [ ! -s "$T/out" ] && grep -q 'use --mode=seccomp' "$T/err" &&
		[ "$(wc -l <"$T/err")" -eq 1 ] &&
		pass "no SUD: --mode=$m refused, 125, one line" ||
		fail "no SUD, --mode=$m (status $ST): $(cat "$T/out" "$T/err")"
done
run "$T/out" "$T/err" "$DENY" 157/59=22 -- "$NUSE_EXEC" --check
[ "$ST" -eq 0 ] && grep -qE '^  sud +refused: .*syscall user dispatch' "$T/out" &&
	grep -qE '^  seccomp +works' "$T/out" &&
	pass "no SUD: --check says sud is refused, seccomp works" ||
	fail "no SUD, --check (status $ST): $(cat "$T/out")"

# armed in appearance only: the probe must refuse the program
check_refused() { # WHAT RULE MODE
	run "$T/out" "$T/err" "$DENY" "$2" -- "$NUSE_EXEC" --mode="$3" -- /bin/echo ran
	if [ "$ST" -eq 125 ] && [ ! -s "$T/out" ] &&
		grep -q 'reached the host kernel: not running' "$T/err"; then
		pass "$1: --mode=$3 refuses to run the program (125)"
	else
		fail "$1: --mode=$3 (status $ST): $(cat "$T/out" "$T/err")"
	fi
}
check_refused "SUD faked" 157/59=0 sud
check_refused "SUD faked" 157/59=0 sud-trap
for m in seccomp ptrace unotify; do
	check_refused "seccomp filter faked" 317/1=0 "$m"
done
run "$T/out" "$T/err" "$DENY" 438=38 -- "$NUSE_EXEC" --mode=unotify -- /bin/echo ran
[ "$ST" -eq 125 ] && [ ! -s "$T/out" ] &&
	pass "no pidfd_getfd: unotify refused (125): $(cat "$T/err")" ||
	fail "no pidfd_getfd (status $ST): $(cat "$T/out" "$T/err")"

# GS holds the runtime's block: the program may not move it
if [ -x "$PY" ]; then
	for m in sud seccomp; do
		run "$T/out" "$T/err" "$NUSE_EXEC" --mode=$m -- "$PY" -c 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(158, 0x1001, 0)
print(r, os.strerror(ctypes.get_errno()))'
		grep -qx -- '-1 Operation not permitted' "$T/out" &&
			pass "$m: arch_prctl(ARCH_SET_GS) fails with EPERM" ||
			fail "$m: ARCH_SET_GS (status $ST): $(cat "$T/out" "$T/err")"
	done
fi
finish
