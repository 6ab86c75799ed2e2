#!/bin/sh
# Bad input to the backends: each refusal is one line naming what was
# wrong, the exit status is non-zero, and nothing is left half-created
# (no TAP, no /dev/shm file, no capture file, no EAL directory).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"
need_root

mkns A a
ax() { ip netns exec "$A" "$@"; }

# expect STATUS PATTERN CMD...: CMD exits with STATUS, says PATTERN in one line.
expect() {
	_st=$1
	_pat=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ "$_rc" -eq "$_st" ] && one_line "$T/err" && grep -q -- "$_pat" "$T/err"; then
		pass "$(cat "$T/err")"
	else
		fail "$* -> status $_rc (want $_st), stderr: $(cat "$T/err")"
	fi
}

links() { ax ip -o link show | grep -vc ": lo:"; }

# --iface syntax: status 2, message from the shared parser.
expect 2 "^--iface: bad MAC 'zz:00:00:00:00:01'$" "$LINK" info tap:x,mac=zz:00:00:00:00:01
expect 2 "^--iface: bad ip address '10.0.0.256'$" "$LINK" info tap:x,ip=10.0.0.256/24
expect 2 "^--iface: bad ip prefix length '40'" "$LINK" info tap:x,ip=10.0.0.1/40
expect 2 "^--iface: bad ip6 address" "$LINK" info tap:x,ip6=fd00::zz/64
expect 2 "^--iface: bad gw address" "$LINK" info tap:x,ip=10.0.0.1/24,gw=10.0.0
expect 2 "^--iface: bad MTU '12'" "$LINK" info tap:x,mtu=12
expect 2 "^--iface: unknown option 'speed=10'$" "$LINK" info tap:x,speed=10
expect 2 "^--iface: unknown backend 'vde'" "$LINK" info vde:sw0

# Nonexistent interface.
expect 1 "packet:nosuch0: no such interface" ax "$LINK" info packet:nosuch0
ax ip link add dn type veth peer name dn1 && {
	expect 1 "packet:dn: interface is down" ax "$LINK" info packet:dn
	ax ip link del dn
}
expect 1 "tap:lo: exists and is not a TAP device" ax "$LINK" info tap:lo
[ "$(links)" -eq 0 ] && pass "no interface left after refused opens" ||
	fail "left behind: $(ax ip -o link show)"

# Busy: a TAP already attached by another process.
bg ip netns exec "$A" timeout 20 "$LINK" -n 0 -t 8 respond tap:nt0,ip=10.99.9.2/24
R=$BG_PID
if wait_for 15 grep -q responding "$BG_OUT"; then
	expect 1 "tap:nt0: device busy" ax "$LINK" info tap:nt0
else
	fail "first tap:nt0 did not start: $(cat "$BG_OUT")"
fi
kill "$R" 2>/dev/null
wait_bg "$R" 2>/dev/null
wait_for 15 sh -c "[ \$(ip netns exec $A ip -o link show | grep -vc ': lo:') -eq 0 ]" &&
	pass "busy TAP gone with its owner" || fail "TAP left: $(ax ip -o link show)"

# A capture file that cannot be written: refused before any device exists.
expect 1 "pcap /nonexistent/x.pcap" ax "$LINK" --pcap /nonexistent/x.pcap info tap:nt2
[ "$(links)" -eq 0 ] && pass "no TAP created when the capture fails" ||
	fail "left behind: $(ax ip -o link show)"

# Not root.
if command -v setpriv >/dev/null 2>&1; then
	NR="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
	expect 1 "tap:nt3: permission denied (needs CAP_NET_ADMIN)" ax $NR "$LINK" info tap:nt3
	ax ip link add vx type veth peer name vy && ax ip link set vx up
	expect 1 "packet:vx: socket: Operation not permitted (needs CAP_NET_RAW)" \
		ax $NR "$LINK" info packet:vx
	ax ip link del vx
	[ "$(links)" -eq 0 ] && pass "nothing created without privileges" ||
		fail "left behind: $(ax ip -o link show)"
else
	echo "SKIP: not-root cases: no setpriv"
fi

# shm: a name that is not a link.
NAME=$TEST_NAME-$$
echo junk >"/dev/shm/nuse-$NAME"
expect 1 "shm:$NAME: /dev/shm/nuse-$NAME is not a nuse link" "$LINK" info "shm:$NAME"
rm -f "/dev/shm/nuse-$NAME"
expect 1 "shm:a/b: bad link name" "$LINK" info shm:a/b

# DPDK: bad devargs, when DPDK is built in.
if "$LINK" info dpdk:net_null0 >/dev/null 2>&1; then
	expect 1 "dpdk:net_bogus0: probe failed" "$LINK" info dpdk:net_bogus0
	# net_tap makes its TAP at probe; a port that then fails must take it away.
	expect 1 "dpdk:net_tap0: port setup: Invalid argument (Frame size" \
		ax "$LINK" info dpdk:net_tap0,iface=dtapx,mtu=65000
	[ "$(links)" -eq 0 ] && pass "no TAP left by a DPDK port that failed" ||
		fail "left behind: $(ax ip -o link show)"
	[ -n "$(eal_leftovers)" ] && fail "EAL directory left behind: $(eal_leftovers)" ||
		pass "no EAL directory after a failed probe"
else
	echo "SKIP: DPDK cases: DPDK not available"
fi
finish
