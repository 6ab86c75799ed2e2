#!/bin/sh
# Programs written to reach the host's network from inside nuse-exec
# (tests/programs/escape.c), in every mode with --stack=linux: int $0x80,
# x32, a raw syscall from fresh memory, nuse's gate and exempt text,
# prctl, seccomp, io_uring, clone3/vfork, setns, a setuid copy, a 32-bit
# program, ptrace, process_vm_writev and pidfd_getfd of nuse's processes
# outside, a nested nuse-exec.  Each one must get nowhere, as seen from
# outside: (a) the host-only listener on 127.0.0.1 saw no connection,
# (b) the host's `ss` shows no socket of the attempt while it holds them
# open, (c) it reports no ESCAPE line.  A control run with --no-isolate
# shows that (a)-(c) do see an escape.  As root, then the attempts that
# differ as user nobody (user namespace).
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
ESC=$PROGS/escape
need_prog "$ESC"
command -v ss >/dev/null 2>&1 || skip "needs ss (iproute2)"
command -v python3 >/dev/null 2>&1 || skip "needs python3 for the listener"
BUDGET=${NUSE_TEST_BUDGET:-110}
TIMEOUT=10
ATTEMPTS="plain int80 x32 jit gate exempt prctl seccomp io_uring clone setns
suid exec32 ptrace vm_write nested"
GATE=$(nm "$NUSE_EXEC" 2>/dev/null | awk '$3 == "nuse_gate_syscall" { print "0x" $1 }')
IA32=yes
"$ESC" ia32 || IA32=

# The host-only listener: logs every connection it accepts.
PORT=$(free_port)
spawn_bg python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
open(sys.argv[2] + ".up", "w").write("up")
while True:
    c, a = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("%s:%d\n" % a)
    c.close()' "$PORT" "$T/conns"
wait_file "$T/conns.up" 2>/dev/null || [ -e "$T/conns.up" ] ||
	skip "the listener did not start"
touch "$T/conns"

# the setuid-root copy (root only), and copies user nobody can run
if [ "$(id -u)" = 0 ]; then
	cp "$ESC" "$T/escape-suid" && chown 0:0 "$T/escape-suid" &&
		chmod 4755 "$T/escape-suid"
fi
chmod 755 "$T"
cp "$NUSE_EXEC" "$T/nuse-exec"
[ -e "$top_builddir/libnuse-preload.so" ] &&
	cp "$top_builddir/libnuse-preload.so" "$T/"
cp "$ESC" "$T/escape"
chmod -R a+rX "$T"
mkdir "$T/h" && chmod 1777 "$T/h" # ready/go: any user

# attempt USER MODE NAME [nuse-exec options]: one run, checked from outside
attempt() {
	_user=$1 _mode=$2 _name=$3
	shift 3
	_tag="$_user $_mode $_name${1:+ $*}"
	_o=$T/out.$$.$_mode.$_name
	rm -f "$T/h/ready" "$T/h/go"
	_n0=$(wc -l <"$T/conns")
	_pre=
	[ "$_user" = nobody ] && _pre="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all"
	# shellcheck disable=SC2086 # _pre: words
	ESCAPE_READY=$T/h/ready ESCAPE_GO=$T/h/go ESCAPE_GATE=$GATE \
		ESCAPE_SUID=$T/escape-suid NUSE_EXEC=$T/nuse-exec \
		timeout -k 2 "$TIMEOUT" $_pre "$T/nuse-exec" --mode="$_mode" "$@" -- \
		"$T/escape" "$_name" "$PORT" >"$_o" 2>&1 &
	_pid=$!
	_i=0
	while [ ! -e "$T/h/ready" ] && kill -0 "$_pid" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.02
		_i=$((_i + 1))
	done
	ss -tuwanpH >"$T/ss" 2>/dev/null; ss -0anpH >>"$T/ss" 2>/dev/null
	touch "$T/h/go"
	wait "$_pid"
	_st=$?
	_why=
	[ "$(wc -l <"$T/conns")" -gt "$_n0" ] && _why="the host's listener saw a connection;"
	grep -q '"escape' "$T/ss" &&
		_why="$_why ss shows its socket: $(grep '"escape' "$T/ss" | head -1);"
	grep -q '^ESCAPE' "$_o" && _why="$_why $(grep -m1 '^ESCAPE' "$_o")"
	[ "$_st" = 124 ] || [ "$_st" = 137 ] && _why="$_why timed out;"
	ESC_WHY=$_why
	ESC_SUMMARY=$(grep -v '^uid ' "$_o" | grep -E ': |status' | head -4 | tr '\n' ';' | cut -c1-160)
	ESC_TAG=$_tag
	[ -z "$_why" ]
}

check() { # attempt's arguments
	if over_budget; then
		fail "$3 [$1 $2]: not run, $BUDGET s time budget used up"
		return
	fi
	if attempt "$@"; then
		pass "$ESC_TAG: got nowhere ($ESC_SUMMARY)"
	else
		fail "$ESC_TAG: $ESC_WHY"
		sed 's/^/  | /' "$T/out.$$.$2.$3" | head -12
	fi
}

skip_reason() { # NAME USER MODE: why the attempt cannot run here, or nothing
	case $1 in
	int80 | exec32) [ -n "$IA32" ] || echo "no IA32 emulation on this machine" ;;
	gate | exempt) [ -n "$GATE" ] || echo "nuse-exec has no symbols (nm)" ;;
	suid) [ "$2" = root ] || echo "needs root to make the setuid copy" ;;
	esac
	case $3 in
	preload) [ -e "$T/libnuse-preload.so" ] || echo "no preload library" ;;
	esac
}

# the control: without the namespace the gate reaches the host, and is seen
if attempt root sud gate --no-isolate; then
	fail "control: --no-isolate, sud, gate: the escape was not detected ($ESC_SUMMARY)"
else
	pass "control: --no-isolate, sud, gate: detected ($ESC_WHY)"
fi

for mode in sud sud-trap seccomp ptrace unotify preload; do
	for a in $ATTEMPTS; do
		why=$(skip_reason "$a" root "$mode")
		if [ -n "$why" ]; then
			skip_one "root $mode $a" "$why"
			continue
		fi
		check root "$mode" "$a"
	done
done

# As nobody: a user namespace instead; what differs from root.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	for mode in sud seccomp unotify; do
		for a in gate exempt setns ptrace vm_write int80; do
			why=$(skip_reason "$a" nobody "$mode")
			if [ -n "$why" ]; then
				skip_one "nobody $mode $a" "$why"
				continue
			fi
			check nobody "$mode" "$a"
		done
	done
else
	skip_one "as nobody" "needs root, setpriv and user nobody"
fi
finish
