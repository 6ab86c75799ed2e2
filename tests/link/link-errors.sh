#!/bin/sh
# nuse-node refuses bad options with one line naming the option and status
# 2; a backend that cannot open is one line and status 1.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
[ -x "$NODE" ] || skip "$NODE not built"

# bad ARGS... EXPECTED-WORD: status 2, one line on stderr mentioning it.
bad() {
	_want=$1
	shift
	"$NODE" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ "$_rc" = 2 ] && one_line "$T/err" && grep -q -- "$_want" "$T/err" &&
		[ ! -s "$T/out" ]; then
		pass "$* -> $(cat "$T/err")"
	else
		fail "$*: status $_rc, stderr '$(cat "$T/err")'"
	fi
}

bad "--bogus" --bogus
bad "--tcp-sink" --tcp-sink
bad "--tcp-sink" --tcp-sink 0
bad "--tcp-echo" --tcp-echo 70000
bad "--tcp-source" --tcp-source 10.0.0.1 --bytes 1
bad "--tcp-source" --tcp-source nohost:80 --bytes 1
bad "--bytes" --tcp-source 10.0.0.1:80
bad "--bytes" --tcp-source 10.0.0.1:80 --bytes 12X
bad "--duration" --duration -1
bad "--sysctl" --sysctl novalue
bad "--impair" --impair 1
bad "endpoint" --tcp-echo 7 --udp-echo 7
bad "--iface" -i "tap:x,mtu=12"
bad "--iface" -i "shm:x,speed=10"
bad "argument" stray

# A backend that cannot open: one line, status 1, nothing left.
"$NODE" -i "packet:nuse-no-such-if$$" --duration 1 >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && one_line "$T/err" && grep -q "nuse-no-such-if" "$T/err" &&
	pass "missing interface -> $(cat "$T/err")" || fail "missing interface: $rc $(cat "$T/err")"
"$NODE" --help | grep -q "^Usage: nuse-node" && pass "--help" || fail "--help"

# Loopback only without --iface: a stack that boots and ends on time.
"$NODE" --ping-only --duration 0.3 >"$T/out" 2>&1 && grep -q "ping-only: up" "$T/out" &&
	pass "loopback-only stack up for 0.3 s" || fail "no-iface run: $(cat "$T/out")"
finish
