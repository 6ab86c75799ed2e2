#!/bin/sh
# At an interactive shell on a terminal: Ctrl-Z stops the job and fg
# resumes it, Ctrl-C reaches the program's own handler and nuse-exec
# returns its status -- as natively.  Events are awaited, not timed.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/supervisor.lib"
need_prog "$BUSYBOX"
command -v python3 >/dev/null || skip "python3 needed to drive a terminal"
command -v bash >/dev/null || skip "bash needed as the interactive shell"

# tty_session CMD: run CMD at an interactive bash on a new terminal, press
# Ctrl-Z after "ready" then fg, or Ctrl-C with INTR=1; prints a transcript
# summary: the events seen, in order.
tty_session() {
	INTR=${INTR:-0} python3 - "$1" <<'PY'
import os, pty, re, select, signal, sys, time

cmd, intr = sys.argv[1], os.environ["INTR"] == "1"
pid, fd = pty.fork()
if pid == 0:
    # A test run in the background (make -j, CI started with nohup ... &)
    # inherits SIGINT and SIGQUIT ignored, and a shell cannot trap a
    # signal ignored at its entry: Ctrl-C would reach nobody.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
buf = ""

def wait_for(pattern, timeout=10.0):
    """Read until @pattern (a regex) shows; consume up to it."""
    global buf
    end = time.time() + timeout
    while True:
        m = re.search(pattern, buf)
        if m:
            buf = buf[m.end():]
            return m
        if time.time() > end:
            return None
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                buf += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                return None

os.write(fd, b"PS1='$ '; bind 'set enable-bracketed-paste off' 2>/dev/null\n")
wait_for(r"\$ ")
os.write(fd, (cmd + "\n").encode())
print("ready" if wait_for(r"\nready\r\n") else "no ready")
if intr:
    os.write(fd, b"\x03")
    print("caught" if wait_for(r"caught\r\n") else "not caught")
else:
    os.write(fd, b"\x1a")
    print("stopped" if wait_for(r"Stopped") else "not stopped")
    time.sleep(0.7)
    wait_for(r"\$ ", 1)
    print("still stopped" if "done-42" not in buf else "ran on while stopped")
    os.write(fd, b"fg\n")
    print("done" if wait_for(r"done-42") else "not done")
os.write(fd, b"echo rc=$?\n")
m = wait_for(r"rc=(\d+)")
print("rc=" + (m.group(1) if m else "?"))
os.write(fd, b"exit\n")
time.sleep(0.2)
os.kill(pid, 9)
os.waitpid(pid, 0)
# nothing of the terminal's session may outlive the test (a job the
# keys did not end)
for p in os.listdir("/proc"):
    try:
        if p.isdigit() and open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[3] == str(pid):
            os.kill(int(p), 9)
    except (OSError, IndexError):
        pass
PY
}

STOP_PROG="$BUSYBOX sh -c 'echo ready; $BUSYBOX sleep 1; echo done-\$((6*7))'"
INTR_PROG="$BUSYBOX sh -c 'trap \"echo caught; exit 5\" INT; echo ready; while :; do $BUSYBOX sleep 1; done'"
native_stop=$(INTR=0 tty_session "$STOP_PROG" | tr '\n' ' ')
native_intr=$(INTR=1 tty_session "$INTR_PROG" | tr '\n' ' ')

# check KIND MODE NATIVE WANT GOT
check() {
	if [ "$3" != "$4" ]; then
		skip_one "tty $1 [$2]" "native run gave: $3"
	elif [ "$5" = "$3" ]; then
		pass "tty $1 [$2]: $5"
	else
		fail "tty $1 [$2]: '$5', native '$3'"
	fi
}

for m in $MODES; do
	check stop "$m" "$native_stop" "ready stopped still stopped done rc=0 " \
		"$(INTR=0 tty_session "$NUSE_EXEC --stack=host --mode=$m $STOP_PROG" | tr '\n' ' ')"
	check intr "$m" "$native_intr" "ready caught rc=5 " \
		"$(INTR=1 tty_session "$NUSE_EXEC --stack=host --mode=$m $INTR_PROG" | tr '\n' ' ')"
done
finish
