#!/bin/sh
# nuse-exec --stack=linux in the in-process modes (issue 6, first slice):
# sockets inside one process served by the Linux stack on its own
# loopback.  tests/programs/stacktest and nusetest check the calls (they
# pass natively too); this script proves which stack served them: a
# listener under nuse is not in the host's tables, and a port only the
# host listens on is refused inside nuse.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
PROG=$PROGS/stacktest
need_prog "$PROG"

host_listens() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# hold_bg OUT CMD...: CMD in the background, its stdin open until killed.
hold_bg() {
	_o=$1
	shift
	spawn_bg sh -c 'o=$1; shift; sleep 60 | "$@" >"$o" 2>&1' sh "$_o" "$@"
}

stop_bg() {
	kill -TERM "-$1" 2>/dev/null # dash: no "--"
	wait "$1" 2>/dev/null
}

for m in sud sud-trap seccomp; do
	case " $MODES " in *" $m "*) ;; *) continue ;; esac
	over_budget && break

	run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PROG"
	if [ "$ST" -eq 0 ] && grep -q '^result: PASS' "$T/out"; then
		pass "$m: stacktest"
	else
		fail "$m: stacktest (status $ST)"
		grep -v ': ok$' "$T/out" "$T/err" | head -20
	fi

	# nusetest's socket parts (TCP, UDP, poll, select, epoll, errno) and
	# the rest of it (threads, signals, fork, exec) with the Linux stack.
	for _p in "$PROGS/nusetest" "$PROGS/nusetest-static-pie" "$PROGS/nusetest-musl"; do
		[ -x "$_p" ] || continue
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$_p"
		if [ "$ST" -eq 0 ] && grep -q '^result: PASS' "$T/out"; then
			pass "$m: $(basename "$_p")"
		else
			fail "$m: $(basename "$_p") (status $ST)"
			grep -E 'FAIL|fail' "$T/out" "$T/err" | head -20
		fi
	done

	# A listener inside nuse: not a host socket.
	PORT=$(free_port)
	hold_bg "$T/listen.out" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PROG" listen "$PORT"
	_pid=$BG_LAST
	if ! wait_file "$T/listen.out" || ! grep -q "^listening $PORT" "$T/listen.out"; then
		fail "$m: listener did not start: $(cat "$T/listen.out")"
	elif host_listens "$PORT"; then
		fail "$m: the host sees the listener on $PORT"
	else
		pass "$m: listener on $PORT invisible to the host's ss -ltn"
	fi
	stop_bg "$_pid"
	rm -f "$T/listen.out"

	# A listener on the host only: refused inside nuse.
	PORT=$(free_port)
	hold_bg "$T/hostlisten.out" "$PROG" listen "$PORT"
	_pid=$BG_LAST
	if ! wait_listen "$PORT"; then
		fail "$m: host listener did not start"
	else
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$PROG" connect "$PORT"
		if grep -q '^connect: ECONNREFUSED' "$T/out"; then
			pass "$m: host-only listener refused inside the Linux stack"
		else
			fail "$m: connect to a host-only listener: $(cat "$T/out" "$T/err")"
		fi
		if [ "$m" = sud ]; then
			run "$T/out" "$T/err" "$NUSE_EXEC" --stack=host --mode="$m" -- "$PROG" connect "$PORT"
			if grep -q '^connect: connected' "$T/out"; then
				pass "$m: the same connect with --stack=host reaches it"
			else
				fail "$m: --stack=host connect: $(cat "$T/out" "$T/err")"
			fi
		fi
	fi
	stop_bg "$_pid"
	rm -f "$T/hostlisten.out"
done

# The preload and supervisor modes: stack-linux-modes.sh.
finish
