#!/bin/sh
# Signals around trapped calls behave as natively (SA_RESTART during a
# blocking recv, EINTR without, siginfo of a queued signal, the program's
# own SIGSYS handler with SIGSYS blocked, stop/continue of a child); kill(1)
# on nuse-exec reaches the program; nuse-exec stops and continues with the
# program (job control); kill -9 on nuse-exec kills it.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$SUP/sup_signals"
need_prog "$BUSYBOX"

# alive PID: PID runs and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# state PID: its state letter in /proc (R, S, T...).
state() {
	sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null
}

# state_is PID LETTER: PID reaches that state within 5 s.
state_is() {
	_i=0
	until [ "$(state "$1")" = "$2" ]; do
		_i=$((_i + 1))
		[ "$_i" -le 100 ] || return 1
		sleep 0.05
	done
}

for m in $MODES; do
	compare_one "signals" "$m" "$SUP/sup_signals"

	# SIGTERM sent to nuse-exec is the program's: it dies of it.
	"$NUSE_EXEC" --stack=host --mode="$m" "$BUSYBOX" sleep 15 &
	pid=$!
	sleep 0.3
	kill -TERM "$pid"
	t0=$(now_ms)
	wait "$pid"
	st=$?
	if [ "$st" = 143 ] && [ $(($(now_ms) - t0)) -lt 5000 ]; then
		pass "kill -TERM nuse-exec [$m]"
	else
		fail "kill -TERM nuse-exec [$m]: status $st"
	fi

	# Job control: nuse-exec stops and continues with the program, and
	# reports its death while stopped.
	rm -f "$T/pid"
	"$NUSE_EXEC" --stack=host --mode="$m" "$BUSYBOX" sh -c "echo \$\$ >$T/pid; exec $BUSYBOX sleep 15" &
	pid=$!
	wait_file "$T/pid"
	prog=$(cat "$T/pid")
	sleep 0.2
	kill -STOP "$prog"
	if state_is "$pid" T; then
		pass "stops with the program [$m]"
	else
		fail "stops with the program [$m]: nuse-exec $(state "$pid")"
	fi
	kill -CONT "$prog"
	if state_is "$pid" S; then
		pass "continues with the program [$m]"
	else
		fail "continues with the program [$m]: nuse-exec $(state "$pid")"
	fi
	kill -STOP "$prog"
	state_is "$pid" T
	kill -KILL "$prog"
	wait "$pid"
	st=$?
	if [ "$st" = 137 ]; then
		pass "killed while stopped [$m]"
	else
		fail "killed while stopped [$m]: status $st"
	fi

	# kill -9 on nuse-exec: the program goes too.
	rm -f "$T/pid"
	"$NUSE_EXEC" --stack=host --mode="$m" "$BUSYBOX" sh -c "echo \$\$ >$T/pid; exec $BUSYBOX sleep 15" &
	pid=$!
	wait_file "$T/pid"
	kill -KILL "$pid"
	wait "$pid"
	prog=$(cat "$T/pid")
	i=0
	while alive "$prog" && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if alive "$prog"; then
		fail "kill -9 nuse-exec [$m]: program $prog still runs"
		kill -KILL "$prog"
	else
		pass "kill -9 nuse-exec [$m]"
	fi
done
finish
