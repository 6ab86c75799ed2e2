#!/bin/sh
# The program's SIGSEGV/SIGBUS under --stack=linux (src/tracer/rt/fault.c):
# the runtime takes both signals to recover the stack's direct copies of
# the program's memory, so a bad pointer is EFAULT, while the program's
# own handlers, SIG_IGN and the default action behave as on the host.
# tests/programs/faulttest checks it (it passes natively too).
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$PROGS/faulttest"

PROGRAMS="$PROGS/faulttest"
[ -x "$PROGS/faulttest-musl" ] && PROGRAMS="$PROGRAMS $PROGS/faulttest-musl"

for m in sud sud-trap seccomp; do
	case " $MODES " in *" $m "*) ;; *) continue ;; esac
	for p in $PROGRAMS; do
		run "$T/out" "$T/err" "$NUSE_EXEC" --mode="$m" -- "$p"
		if [ "$ST" -eq 0 ] && grep -q '^result: PASS' "$T/out"; then
			pass "$m: $(basename "$p")"
		else
			fail "$m: $(basename "$p") (status $ST)"
			grep -v ': ok$' "$T/out" "$T/err" | head -20
		fi
		# a fault with no handler: the process dies of SIGSEGV (139 in sh)
		run "$T/out" "$T/err" "$NUSE_EXEC" --mode="$m" -- "$p" default
		if [ "$ST" -eq 139 ]; then
			pass "$m: $(basename "$p"): unhandled fault dies of SIGSEGV"
		else
			fail "$m: $(basename "$p"): unhandled fault gave status $ST"
		fi
	done
done
finish
