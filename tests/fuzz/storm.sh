#!/bin/sh
# The kill storm (issue 14 item 5): tests/programs/storm in one nuse
# session (16 processes: 8 TCP server/client pairs) while random ones are
# SIGKILLed at random points, inside stack calls included, for
# $STORM_SECONDS (default 15) per mode.  Required, per mode:
#
#   * storm's own verdict "result: PASS": every completed transfer's data
#     exact (SHA-256 both ways), every failed one explained by a kill
#     (of its peer; in the in-process modes, at most one failure per 50
#     kills may be explained by a kill of another process that was
#     running: it may have died half-way through the peer's packet in
#     the stack's code, docs/stack.md "Threads that die inside the
#     stack"; a child that dies of a signal the parent did not send
#     counts the same way), no
#     stall, no sockets of the dead left in the stack (sock_diag; in the
#     in-process modes also the stack's /proc/net/sockstat), and two new
#     processes of the session that make three fresh transfers;
#   * nuse-exec exits 0;
#   * the keeper ends within 30 s of the session (a stuck reap does not);
#   * the keeper's memory (VmRSS from /proc/PID/status of nuse-keeper; in
#     unotify of the supervisor, which holds the stack): at "end" (after
#     the storm, its checks and the fresh transfers) at most 10% over
#     "warm" (2 s of transfers, before the first kill) plus 128 kB per
#     kill.  RSS because the stack cannot report its own use (free
#     pages, slab) from outside; in a session it is mostly the stack's
#     memfd pages the keeper touched, whose size is printed too.  The
#     per-kill part is a known leak, measured at 87 kB per killed process:
#     the tasks of a dead process are never freed (docs/stack.md), so
#     the issue's criterion, end within 10% of warm, is NOT met: the test
#     says XFAIL for it, STORM_MEM_STRICT=1 makes it a failure.
#
# `make storm STORM_SECONDS=N` is the long run.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$PROGS/storm"
SECS=${STORM_SECONDS:-15}
# what the tasks of one killed process keep in the stack (measured 87 kB:
# a template and a thread task, each with its 32 KiB kernel stack)
PER_KILL=128
BUDGET=$((BUDGET + 4 * (SECS + 30)))

# keeper_of PORT: the process holding the stack of our run: the live
# nuse-keeper whose command line names it, or (unotify: no keeper, the
# supervisor holds the stack) the nuse-exec whose child the storm is.
keeper_of() {
	procs_matching nuse-keeper "storm .*-P $1 " | tail -1
}
supervisor_of() {
	for _p in $(procs_matching storm "storm .*-P $1 "); do
		_pp=$(awk '/^PPid:/ { print $2 }' "/proc/$_p/status" 2>/dev/null)
		[ "$(cat "/proc/$_pp/comm" 2>/dev/null)" = nuse-exec ] && echo "$_pp"
	done | head -1
}

# rss PID: VmRSS in kB, empty if gone.
rss() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# memfd PID: the size allocated to the stack's memory (kB), empty if not found.
memfd() {
	for _f in "/proc/$1"/fd/*; do
		case $(readlink "$_f" 2>/dev/null) in
		*nuse-kernel-memory*)
			echo $(($(stat -L -c %b "$_f") / 2))
			return
			;;
		esac
	done
}

# wait_line FILE TEXT SECONDS: wait for a line with TEXT in FILE or for
# the run to end ($D/st).
wait_line() {
	_i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		[ -s "$D/st" ] && return 1
		_i=$((_i + 1))
		[ "$_i" -le $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

for m in sud sud-trap seccomp unotify; do
	case " $MODES " in *" $m "*) ;; *) continue ;; esac
	if over_budget; then
		fail "$m: not run, $BUDGET s time budget used up"
		continue
	fi
	D=$T/$m
	mkdir -p "$D/w"
	PORT=$(free_port)
	# the stack's /proc/net only in the in-process modes, where the
	# processes also run the stack's code for each other (-c, see the top)
	case $m in unotify | ptrace) n= ;; *) n='-n -c' ;; esac
	# no timeout(1): it would make a process group of its own, which the
	# cleanup (of spawn_bg's group) would miss; every wait here is bounded
	# shellcheck disable=SC2016
	spawn_bg sh -c '"$1" --mode="$2" -- "$3" -t "$4" -P "$5" -s "$5" \
		-w "$6/w" $7 >"$6/out" 2>"$6/err"
		echo $? >"$6/st"' sh "$NUSE_EXEC" "$m" "$PROGS/storm" \
		"$SECS" "$PORT" "$D" "$n"
	pid=$BG_LAST
	k='' warm='' end='' why='' warm_mem='' end_mem='' kills=''
	if ! wait_line "$D/out" "pause warm" 30; then
		why="no 'pause warm' within 30 s"
	else
		k=$(keeper_of "$PORT")
		[ -n "$k" ] || k=$(supervisor_of "$PORT")
		warm=$(rss "$k")
		warm_mem=$(memfd "$k")
		[ -n "$warm" ] || why="no keeper found at 'warm' ('${k:-none}')"
	fi
	touch "$D/w/warm"
	if [ -n "$why" ]; then
		:
	fi
	if [ -z "$why" ] && ! wait_line "$D/out" "pause end" $((SECS + 100)); then
		why="no 'pause end' within $((SECS + 100)) s of 'warm'"
	elif [ -z "$why" ]; then
		end=$(rss "$k")
		end_mem=$(memfd "$k")
		[ -n "$end" ] || why="the keeper $k is gone at 'end'"
	fi
	touch "$D/w/end"
	_i=0
	until [ -s "$D/st" ] || [ $_i -ge 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	st=$(cat "$D/st" 2>/dev/null)
	if [ -z "$st" ]; then
		why="${why:+$why; }still running 30 s after 'end'"
		kill -KILL -- "-$pid" 2>/dev/null
	fi
	# the keeper ends after the session's last process, once TCP has
	# delivered what closed sockets left (at most 20 s): one that does
	# not is stuck (a reap waiting for a lock, say)
	_i=0
	while [ -n "$k" ] && kill -0 "$k" 2>/dev/null &&
		[ "$(cut -d' ' -f3 "/proc/$k/stat" 2>/dev/null)" != Z ]; do
		_i=$((_i + 1))
		if [ $_i -gt 300 ]; then
			why="${why:+$why; }the keeper $k still runs 30 s after the session"
			kill -KILL "$k" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	sed -n 's/^/  | /p' "$D/out" | grep -v 'pause' | head -30
	if [ -z "$why" ] && [ "$st" != 0 ]; then
		why="status $st"
	fi
	if [ -z "$why" ] && ! grep -q '^result: PASS$' "$D/out"; then
		why="no 'result: PASS'"
	fi
	kills=$(sed -n 's/^storm: kills \([0-9]*\).*/\1/p' "$D/out")
	# the keeper's memory (see the top): what each dead process's
	# tasks keep (never freed, docs/stack.md) is bounded, and beyond
	# that nothing may grow by more than 10%
	if [ -z "$why" ] && [ -n "$kills" ] &&
		[ "$end" -gt $((warm + warm / 10 + kills * PER_KILL)) ]; then
		why="keeper VmRSS $warm kB at warm, $end kB at end: more than 10% + $PER_KILL kB per kill ($kills) up"
	fi
	figures="keeper VmRSS $warm -> $end kB${kills:+ ($(((end - warm) / (kills ? kills : 1))) kB per kill)}, stack memfd ${warm_mem:--} -> ${end_mem:--} kB"
	if [ -z "$why" ]; then
		pass "$m: $kills kills, $(sed -n 's/^storm: transfers verified \([0-9]*\).*/\1 transfers verified/p' "$D/out"), $figures"
		# the issue's criterion, not met while dead tasks leak
		if [ "$end" -le $((warm + warm / 10)) ]; then
			pass "$m: keeper memory at end within 10% of warm"
		elif [ -n "${STORM_MEM_STRICT:-}" ]; then
			fail "$m: keeper memory at end $end kB, more than 10% over warm ($warm kB)"
		else
			echo "XFAIL: $m: keeper memory at end $end kB, more than 10% over warm ($warm kB): the tasks of killed processes are never freed (docs/stack.md); STORM_MEM_STRICT=1 makes this a failure"
		fi
	else
		fail "$m: $why; $figures"
		if [ -s "$D/err" ]; then
			echo "  stderr:"
			head -10 "$D/err" | sed 's/^/  | /'
		fi
	fi
done
finish
