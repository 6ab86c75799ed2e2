#!/bin/sh
# The session's keeper SIGKILLed (issue 14 item 5): a process of the
# session blocked in accept() and another in recv() must get an error
# (ENETDOWN) within a bounded time, not hang, and nuse-exec must exit with
# one clear line and status 125 (nuse's own failure).
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$PROGS/netfuzz"

# keeper_of MODE: the live nuse-keeper whose command line names our run.
keeper_of() {
	procs_matching nuse-keeper "--mode=$1 .*netfuzz blocked $PORT" | tail -1
}

for m in sud sud-trap seccomp; do
	case " $MODES " in *" $m "*) ;; *) continue ;; esac
	PORT=$(free_port)
	rm -f "$T/out" "$T/st"
	# shellcheck disable=SC2016
	spawn_bg sh -c '"$1" --mode="$2" -- "$3" blocked "$4" >"$5/out" 2>"$5/err"
		echo $? >"$5/st"' sh "$NUSE_EXEC" "$m" "$PROGS/netfuzz" "$PORT" "$T"
	_i=0
	until grep -q ready "$T/out" 2>/dev/null || [ $_i -ge 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	k=$(keeper_of "$m")
	if [ -z "$k" ] || ! grep -q ready "$T/out"; then
		fail "$m: the subjects did not start (keeper '${k:-none}')"
		continue
	fi
	sleep 0.3 # both calls are waiting in the stack now
	kill -KILL "$k"
	_i=0
	until [ -s "$T/st" ] || [ $_i -ge 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	st=$(cat "$T/st" 2>/dev/null)
	lines=$(grep -c "session's stack is gone" "$T/err")
	if [ -z "$st" ]; then
		fail "$m: still blocked 10 s after the keeper's death: $(cat "$T/out" "$T/err" | tr '\n' ' ')"
	elif [ "$st" = 125 ] && grep -q '^accept: Network is down' "$T/out" &&
		grep -q '^recv: Network is down' "$T/out" && [ "$lines" -ge 1 ]; then
		pass "$m: keeper killed: accept and recv fail with ENETDOWN in $((_i / 10)).$((_i % 10)) s, status 125, '$(head -1 "$T/err")'"
	else
		fail "$m: keeper killed: status $st: $(cat "$T/out" "$T/err" | tr '\n' ' ')"
	fi
done
finish
