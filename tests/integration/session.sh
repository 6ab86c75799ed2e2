#!/bin/sh
# One Linux stack per nuse-exec --stack=linux session (issue 4 item 5,
# issue 6 item 3): every process the program starts uses the same stack,
# each with its own descriptor table; execve keeps what is not O_CLOEXEC;
# a process that ends, SIGKILL included, has its sockets closed; the
# keeper process that hosts the stack goes away with the session's last
# process.  tests/programs/sessiontest checks the calls (it passes natively
# too); busybox's sh and nc show it with programs nobody here wrote.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$PROGS/sessiontest"
need_prog "$BUSYBOX"

# keepers: pids of the nuse-keeper processes whose command line names $T.
keepers() {
	procs_matching nuse-keeper "$T" | tr '\n' ' '
}

# no_keeper_left WHAT: the session's keeper ended with its last process.
no_keeper_left() {
	_i=0
	while [ -n "$(keepers)" ] && [ $_i -lt 40 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if [ -z "$(keepers)" ]; then
		pass "$1: no keeper left after the session"
	else
		fail "$1: keeper still running: $(keepers)"
	fi
}

cp "$BUSYBOX" "$T/busybox"
BB=$T/busybox
PROGRAMS="$PROGS/sessiontest"
[ -x "$PROGS/sessiontest-musl" ] && PROGRAMS="$PROGRAMS $PROGS/sessiontest-musl"

# listening PORT: shell code for the session's sh: wait (10 s at most)
# until the session's stack has a listener on PORT (ss asks the stack)
listening() {
	echo "w=0; until ss -Hltn 'sport = :$1' | grep -q .; do w=\$((w + 1)); [ \$w -lt 100 ] || break; sleep 0.1; done"
}

for m in sud sud-trap seccomp; do
	case " $MODES " in *" $m "*) ;; *) continue ;; esac
	over_budget && break

	for p in $PROGRAMS; do
		run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$p"
		if [ "$ST" -eq 0 ] && grep -q '^result: PASS' "$T/out"; then
			pass "$m: $(basename "$p")"
		else
			fail "$m: $(basename "$p") (status $ST)"
			grep -v ': ok$' "$T/out" "$T/err" | head -20
		fi
	done

	# a server and a client, two processes of busybox's sh, one stack
	port=$(free_port)
	run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$BB" sh -c \
		"$BB nc -l -p $port >$T/got & $(listening $port); echo hello-$m | $BB nc 127.0.0.1 $port; wait; cat $T/got"
	if [ "$ST" -eq 0 ] && grep -qx "hello-$m" "$T/out"; then
		pass "$m: sh: nc server and nc client share the stack"
	else
		fail "$m: sh: nc server and client (status $ST): $(head -c 300 "$T/out" "$T/err")"
	fi
	no_keeper_left "$m: sh"

	# nc -e: the accepted socket dup2'ed onto 0 and 1, then execve(cat)
	port=$(free_port)
	run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$BB" sh -c \
		"$BB nc -l -p $port -e $BB cat & $(listening $port); echo echo-$m | $BB nc -w 2 127.0.0.1 $port; kill \$! 2>/dev/null; wait"
	if grep -qx "echo-$m" "$T/out"; then
		pass "$m: nc -e cat: a socket kept across dup2 and execve"
	else
		fail "$m: nc -e cat (status $ST): $(head -c 300 "$T/out" "$T/err")"
	fi

	# the session outlives its first process while a child still runs
	port=$(free_port)
	run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$BB" sh -c \
		"$BB setsid $BB nc -l -p $port >$T/late & echo \$! >$T/late.pid; sleep 0.3; exit 0"
	sleep 0.3
	if [ "$ST" -eq 0 ] && [ -n "$(keepers)" ]; then
		pass "$m: keeper stays while a background child uses the stack"
	else
		fail "$m: keeper gone with a child still running (status $ST)"
	fi
	kill "$(cat "$T/late.pid" 2>/dev/null)" 2>/dev/null
	no_keeper_left "$m: background child killed"

	# ss (iproute2, run by the program) asks the session's stack
	port=$(free_port)
	run "$T/out" "$T/err" "$NUSE_EXEC" --stack=linux --mode="$m" -- "$BB" sh -c \
		"$BB nc -l -p $port & $(listening $port); ss -Hltn 'sport = :$port' | wc -l; kill \$!"
	if [ "$ST" -eq 0 ] && [ "$(head -1 "$T/out")" = 1 ] &&
		! ss -Hltn "sport = :$port" | grep -q .; then
		pass "$m: ss in the session lists the listener of another of its processes"
	else
		fail "$m: ss in the session (status $ST): $(cat "$T/out" "$T/err")"
	fi
done
finish
