#!/bin/sh
# Fuzzing the session's stack (issue 14 item 4): trinity (Debian's syscall
# fuzzer), restricted to the network calls and the INET, INET6, PACKET and
# NETLINK families, and netfuzz (tests/programs/netfuzz.c, seeded random
# network calls) run under nuse-exec for a bounded time, each in a fresh
# network and IPC namespace.  Pass, per mode: no crash, no hang, no
# sanitizer report or kernel warning on stderr, the calls reached the
# session's stack (counted), and afterwards a process of the same session
# makes a fresh TCP connection that carries 64 KiB exactly.
#
# trinity runs as nobody in every mode (as root it crashes in its own
# socket set-up, natively too: docs/fuzz.md).  Its children make
# themselves non-dumpable; under unotify that prctl succeeds without
# effect, so the unprivileged supervisor still sees their descriptors
# (src/tracer/filter.c).
#
# In a build configured with --enable-sanitizers, nuse-exec, its runtime
# and the stack carry UBSan (docs/fuzz.md "Sanitizers"): a report is a
# "UBSAN:" (kernel) or "runtime error:" (nuse-exec) line, or a SIGILL of
# a trap-mode check (runtime, vfs-fd, host services, port).
#
# Environment: FUZZ_SECONDS (per tool and mode, default 10), FUZZ_SEED
# (default 1), FUZZ_MODES (default "sud sud-trap seccomp unotify"),
# NUSE_EXEC.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

SECONDS_EACH=${FUZZ_SECONDS:-10}
SEED=${FUZZ_SEED:-1}
FUZZ_MODES=${FUZZ_MODES:-"sud sud-trap seccomp unotify"}
# lib.sh's budget is for the short tests; this one is bounded per run
BUDGET=$((SECONDS_EACH * 16 + 600))
need_nuse
need_prog "$PROGS/netfuzz"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, trinity as nobody)"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
TRINITY=$(command -v trinity || true)
[ -n "$TRINITY" ] || echo "note: trinity not installed (contrib/install-deps): netfuzz only"

# which sanitizers: nuse-exec is static and not stripped in the build tree
SAN="no sanitizers"
if nm "$NUSE_EXEC" 2>/dev/null | grep -q __ubsan_handle; then
	SAN="UBSan build: nuse-exec, runtime, stack"
fi
echo "fuzz: $(basename "$NUSE_EXEC") ($SAN), $SECONDS_EACH s per tool and mode, seed $SEED"
# What nobody needs: a directory of its own, our programs readable.
chmod 0755 "$T"
mkdir "$T/run" && chmod 1777 "$T/run"

NETCALLS="socket socketpair bind listen accept accept4 connect getsockname
getpeername sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown
setsockopt getsockopt"
TRINITY_CALLS=
for c in $NETCALLS; do TRINITY_CALLS="$TRINITY_CALLS -c $c"; done


# bad_output FILE: the lines that say nuse or its stack went wrong.
bad_output() {
	grep -E 'UBSan|UBSAN|AddressSanitizer|runtime error|BUG:|WARNING:|Oops|Kernel panic|nuse: a thread died|nuse-exec: .*(failed|error|lost)|Segmentation fault|Illegal instruction|netfuzz: a child ended' "$1"
}

# snmp_field FILE PROTO FIELD: a counter of /proc/net/snmp's format.
snmp_field() {
	awk -v p="$2:" -v f="$3" '$1 == p && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == p && h { for (i = 2; i <= NF; i++) if (n[i] == f) print $i; exit }' "$1"
}

# hang_dump DIR: per thread of every process whose working directory is
# under DIR (the session's): state, kernel wait channel, and the system
# call it is in (/proc/PID/task/TID/syscall: number and arguments).
hang_dump() {
	for _p in $(ls /proc | grep -E '^[0-9]+$'); do
		case $(readlink "/proc/$_p/cwd" 2>/dev/null) in
		"$1"*) ;;
		*) continue ;;
		esac
		echo "pid $_p $(cat "/proc/$_p/comm" 2>/dev/null)"
		for _t in /proc/$_p/task/*; do
			echo "  tid ${_t##*/} $(cut -d' ' -f3 "$_t/stat" 2>/dev/null)" \
				"wchan $(cat "$_t/wchan" 2>/dev/null)" \
				"syscall $(cut -d' ' -f1-4 "$_t/syscall" 2>/dev/null)"
		done
	done 2>/dev/null
}

# fuzz_run NAME MODE AS CMD: run CMD (a shell command line) as the
# session's program under MODE in a fresh network and IPC namespace, the
# whole session as user AS (root or nobody), then `netfuzz tcp` in the same
# session; checks and counts.  (The session is started as nobody rather
# than dropping to nobody inside it: a process that gives up root and then
# execs cannot map the root keeper's memory again, docs/fuzz.md.)
fuzz_run() {
	_name=$1 _mode=$2 _cmd=$4
	_as=
	[ "$3" = root ] ||
		_as="setpriv --reuid=$3 --regid=$(id -g "$3") --clear-groups --inh-caps=-all"
	_d=$T/$_name-$_mode
	mkdir -p "$_d" && chmod 0777 "$_d"
	# the stack's counters (in-process modes: /proc/net is the stack's)
	# and the namespace's own, which nothing but nuse could have moved
	_after="$PROGS/netfuzz tcp >$_d/tcp 2>&1; echo \$? >$_d/tcp.st"
	case $_mode in
	unotify) ;;
	*) _after="$_after; cat /proc/net/snmp >$_d/snmp.stack" ;;
	esac
	_t0=$(date +%s)
	# before the timeout ends a hung run: what each of the session's
	# processes (cwd in $_d) and threads was doing, for the failure
	(
		trap 'kill $_s 2>/dev/null; exit 0' TERM
		sleep $((SECONDS_EACH + 85)) &
		_s=$!
		wait $_s
		hang_dump "$_d" >"$_d/hang"
	) >/dev/null 2>&1 &
	_dumper=$!
	# shellcheck disable=SC2016 # expanded by the inner shells
	timeout -k 5 $((SECONDS_EACH + 90)) unshare -n -i sh -c '
		ip link set lo up 2>/dev/null
		cd "$1" && $6 "$2" --mode="$3" -- sh -c "$4; $5"
		echo $? >"$1/st"
		cat /proc/net/snmp >"$1/snmp.host"' sh \
		"$_d" "$NUSE_EXEC" "$_mode" "$_cmd" "$_after" "$_as" \
		>"$_d/out" 2>"$_d/err" </dev/null
	_st=$?
	kill "$_dumper" 2>/dev/null
	wait "$_dumper" 2>/dev/null
	_secs=$(($(date +%s) - _t0))
	# a keeper wedged by a hang outlives the timeout (its own session),
	# and so may a program process waiting in the stack: every process
	# of ours has its working directory in $_d
	for _k in $(ls /proc | grep -E '^[0-9]+$'); do
		case $(readlink "/proc/$_k/cwd" 2>/dev/null) in
		"$_d"*) kill -KILL "$_k" 2>/dev/null ;;
		esac
	done
	_why=
	if [ "$_st" = 124 ] || [ "$_st" = 137 ]; then
		_why="hang: not done after $((SECONDS_EACH + 90)) s"
	elif [ "$(cat "$_d/tcp.st" 2>/dev/null)" != 0 ]; then
		_why="no fresh TCP connection afterwards: $(head -c 200 "$_d/tcp" 2>/dev/null)"
	elif bad_output "$_d/err" >"$_d/bad" || bad_output "$_d/out" >>"$_d/bad"; then
		_why="reported: $(head -3 "$_d/bad")"
	fi
	_host_tcp=$(snmp_field "$_d/snmp.host" Tcp ActiveOpens)
	if [ -n "$_host_tcp" ] && [ "$_host_tcp" != 0 ]; then
		_why="${_why:+$_why; }the namespace's host kernel saw $_host_tcp TCP connects"
	fi
	FUZZ_STACK_TCP=
	[ -s "$_d/snmp.stack" ] &&
		FUZZ_STACK_TCP=$(snmp_field "$_d/snmp.stack" Tcp ActiveOpens)
	FUZZ_SECS=$_secs
	if [ -n "$_why" ]; then
		fail "$_name [$_mode]: $_why"
		tail -15 "$_d/err" | sed 's/^/  | /'
		[ -s "$_d/hang" ] && head -60 "$_d/hang" | sed 's/^/  hang| /'
		return 1
	fi
	return 0
}

for m in $FUZZ_MODES; do
	# trinity: its children are the session's processes (fork), -N
	# bounds nothing, SIGINT after the time ends it with its statistics
	if [ -n "$TRINITY" ]; then
		# one family at a time (-P takes one), all in one session
		_per=$(((SECONDS_EACH + 3) / 4))
		if fuzz_run trinity "$m" nobody "for P in INET INET6 PACKET NETLINK; do \
			timeout -s INT -k 10 $_per $TRINITY -q -l off --stats -a 64 -C 4 \
			-s $SEED -N 100000000 $TRINITY_CALLS -P \$P \
			--disable-fds=pipes,perf,epoll,eventfd,pseudo,timerfd,testfile,memfd,drm; \
			echo trinity-family \$P; done"; then
			_d=$T/trinity-$m
			_ran=$(awk '/Ran [0-9]+ syscalls/ { for (i = 1; i < NF; i++) if ($i == "Ran") n += $(i + 1) }
				END { print n + 0 }' "$_d/out")
			_fams=$(awk '/Ran [0-9]+ syscalls/ { for (i = 1; i < NF; i++) if ($i == "Ran") r = $(i + 1) }
				/^trinity-family/ { printf "%s %s, ", $2, r; r = 0 }' "$_d/out")
			_stuck=$(grep -c '^Killed$\|still running' "$_d/out" "$_d/err" | awk -F: '{ n += $2 } END { print n + 0 }')
			if [ "$(grep -c '^Killed' "$_d/err")" != 0 ]; then
				# SIGINT did not end it: a process stuck in the stack
				fail "trinity [$m]: $_ran calls, but trinity had to be killed: a process was stuck in the stack ($_stuck reports)"
			elif [ "$_ran" = 0 ]; then
				fail "trinity [$m]: made no calls: $(grep -v futex "$_d/out" | tail -3)"
			else
				pass "trinity [$m]: $_ran calls (${_fams%, }) in $FUZZ_SECS s, stack TCP connects ${FUZZ_STACK_TCP:-?}, fresh TCP connection afterwards"
				# per-call statistics, summed over the families
				awk '/^[a-z0-9_]+: \(attempted:/ { gsub(/[(.:]/, " "); a[$1] += $3; ok[$1] += $5 }
					END { for (c in a) printf "%s %d/%d\n", c, ok[c], a[c] }' "$_d/out" |
					sort | tr '\n' ' ' | sed 's/^/    ok\/attempted: /; s/ $/\n/'
			fi
		fi
	fi
	if fuzz_run netfuzz "$m" root "$PROGS/netfuzz fuzz $SEED $SECONDS_EACH 2"; then
		_d=$T/netfuzz-$m
		_calls=$(awk '/calls in/ { n += $4 } END { print n + 0 }' "$_d/out")
		if [ "$_calls" = 0 ]; then
			fail "netfuzz [$m]: made no calls"
		else
			pass "netfuzz [$m]: $_calls calls in $FUZZ_SECS s, stack TCP connects ${FUZZ_STACK_TCP:-(not visible in $m)}, fresh TCP connection afterwards"
		fi
	fi
done
finish
