#!/bin/sh
# Isolation (issue 14, item 1): with --stack=linux the program runs in a
# network namespace of its own, in every mode, while filesystem AF_UNIX
# sockets to the host keep working and abstract names do not cross;
# --no-isolate keeps the host's namespace; a machine that allows no
# namespace runs the program unisolated and says so (-v, --check).
# Also run as user nobody (tests/unpriv.mk): a user namespace then.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
PY=$(command -v python3) || skip "needs python3"
HOSTNS=$(readlink /proc/self/ns/net)

# A host server on a path and on an abstract name: answers "hello".
spawn_bg "$PY" -c 'import os, socket, sys, threading
def serve(addr):
    s = socket.socket(socket.AF_UNIX)
    s.bind(addr)
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.sendall(b"hello\n")
        c.close()
for a in (sys.argv[1], "\0" + sys.argv[2]):
    threading.Thread(target=serve, args=(a,), daemon=True).start()
import time
time.sleep(0.2)
open(sys.argv[1] + ".up", "w").write("up")
time.sleep(120)' "$T/u.sock" "nuse-iso-$$"
wait_file "$T/u.sock.up" || skip "the AF_UNIX server did not start"

CLIENT='import socket, sys
for name, a in (("path", sys.argv[1]), ("abstract", "\0" + sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(a)
        print(name, s.recv(16).decode().strip())
    except OSError as e:
        print(name, e.strerror)
print("ns", __import__("os").readlink("/proc/self/ns/net"))'

for m in sud sud-trap seccomp ptrace unotify preload; do
	run "$T/out" "$T/err" "$NUSE_EXEC" -v --mode="$m" -- "$PY" -c "$CLIENT" \
		"$T/u.sock" "nuse-iso-$$"
	ns=$(sed -n 's/^ns //p' "$T/out")
	if [ "$ST" -eq 0 ] && [ -n "$ns" ] && [ "$ns" != "$HOSTNS" ] &&
		grep -q '^nuse-exec: isolation: a network namespace of its own' "$T/err"; then
		pass "$m: a network namespace of its own ($(grep -o 'in a user namespace' "$T/err" || echo CAP_SYS_ADMIN))"
	else
		fail "$m: not isolated (status $ST, ns $ns, host $HOSTNS): $(cat "$T/err" | head -5)"
	fi
	grep -qx 'path hello' "$T/out" &&
		pass "$m: a filesystem AF_UNIX socket reaches the host's server" ||
		fail "$m: filesystem AF_UNIX: $(cat "$T/out")"
	grep -qx 'abstract Connection refused' "$T/out" &&
		pass "$m: an abstract AF_UNIX name of the host does not cross" ||
		fail "$m: abstract AF_UNIX: $(cat "$T/out")"
done

# --no-isolate: the host's namespace, abstract names and all
run "$T/out" "$T/err" "$NUSE_EXEC" -v --no-isolate -- "$PY" -c "$CLIENT" \
	"$T/u.sock" "nuse-iso-$$"
[ "$ST" -eq 0 ] && [ "$(sed -n 's/^ns //p' "$T/out")" = "$HOSTNS" ] &&
	grep -qx 'abstract hello' "$T/out" &&
	grep -q 'isolation: none (--no-isolate)' "$T/err" &&
	pass "--no-isolate: the host's namespace, abstract names reach the host" ||
	fail "--no-isolate (status $ST): $(cat "$T/out" "$T/err")"

# --stack=host: no isolation (the point is the host's network)
run "$T/out" "$T/err" "$NUSE_EXEC" --stack=host -- "$PY" -c "$CLIENT" \
	"$T/u.sock" "nuse-iso-$$"
[ "$ST" -eq 0 ] && [ "$(sed -n 's/^ns //p' "$T/out")" = "$HOSTNS" ] &&
	pass "--stack=host: the host's namespace" ||
	fail "--stack=host (status $ST): $(cat "$T/out" "$T/err")"

# the links stay outside: an shm: link to nuse-node still carries traffic
# (tests/integration/loopback-shm.sh), and the keeper is not in our netns
run "$T/out" "$T/err" "$NUSE_EXEC" -- "$PY" -c 'import os, time
print(os.readlink("/proc/self/ns/net"))
for p in os.listdir("/proc"):
    try:
        if open("/proc/%s/comm" % p).read().strip() == "nuse-keeper":
            print("keeper", os.readlink("/proc/%s/ns/net" % p))
    except OSError as e:
        print("keeper", e.strerror)'
if grep -q '^keeper Permission denied' "$T/out" ||
	{ grep -q '^keeper ' "$T/out" && ! grep -q "^keeper $(head -1 "$T/out")" "$T/out"; }; then
	pass "the keeper stays outside the program's namespace, not open to it"
else
	fail "keeper: $(cat "$T/out" "$T/err")"
fi

# a machine that allows no namespace: runs, unisolated, and says so
DENY=$PROGS/deny
if [ -x "$DENY" ] && [ "$(id -u)" = 0 ]; then
	# unshare(2) is 272: EPERM, as with user.max_user_namespaces=0
	run "$T/out" "$T/err" "$DENY" 272=1 -- "$NUSE_EXEC" -v -- /bin/echo ran
	[ "$ST" -eq 0 ] && grep -qx ran "$T/out" &&
		grep -q 'isolation: none: the host.s network namespace: unshare' "$T/err" &&
		grep -q "probe: the program's calls reach the Linux stack" "$T/err" &&
		pass "no namespaces allowed: runs unisolated, -v says so, still probed" ||
		fail "no namespaces (status $ST): $(cat "$T/out" "$T/err")"
	run "$T/out" "$T/err" "$DENY" 272=1 -- "$NUSE_EXEC" --check
	grep -q '^  network namespace (isolation) *no (' "$T/out" &&
		pass "no namespaces allowed: --check says so" ||
		fail "no namespaces, --check: $(grep -i namespace "$T/out")"
else
	skip_one "no namespaces allowed" "needs root for deny's filter"
fi
run "$T/out" "$T/err" "$NUSE_EXEC" --check
grep -q '^  network namespace (isolation) *yes: ' "$T/out" &&
	pass "--check: $(grep 'network namespace (isolation)' "$T/out" | sed 's/^ *//')" ||
	fail "--check: $(grep -i namespace "$T/out")"
finish
