#!/bin/sh
# dpdk backend (DPDK 22.11, no hugepages): net_af_packet on a veth and
# net_tap answer pings from a host kernel in a namespace; two processes
# exchange 50000 frames over net_memif. The EAL leaves nothing in
# /var/run/dpdk, a memif socket is removed with its device.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"
need_root
"$LINK" info dpdk:net_null0 >"$T/probe" 2>&1 ||
	{ grep -q "built without DPDK" "$T/probe" && skip "configured without DPDK (libdpdk-dev)"; }
grep -q "^dpdk " "$T/probe" || skip "DPDK EAL does not start here: $(head -3 "$T/probe" | tr '\n' ' ')"
pass "EAL starts without hugepages: $(grep '^dpdk ' "$T/probe")"

mkns A a
mkns B b

# net_af_packet over a veth pair.
ip link add va netns "$A" type veth peer name vb netns "$B" || skip "cannot create veth pairs"
ip -n "$A" link set va up
ip -n "$B" link set vb up
ip -n "$B" addr add 10.99.3.1/24 dev vb
bg ip netns exec "$A" timeout 40 "$LINK" -n 3 -t 15 respond dpdk:net_af_packet0,iface=va,ip=10.99.3.2/24
R=$BG_PID
RO=$BG_OUT
wait_for 20 grep -q responding "$RO"
if ip netns exec "$B" ping -c3 -i 0.2 -W 3 10.99.3.2 >"$T/ping" 2>&1; then
	pass "ping through net_af_packet on a veth"
else
	fail "ping through net_af_packet: $(tail -2 "$T/ping")"
fi
wait_bg "$R" || fail "af_packet responder: $(cat "$RO")"

# net_tap: the PMD creates the TAP; we configure its host side.
bg ip netns exec "$A" timeout 40 "$LINK" -n 3 -t 15 respond dpdk:net_tap0,iface=dtap0,ip=10.99.4.2/24
R=$BG_PID
RO=$BG_OUT
if wait_for 20 ip -n "$A" link show dtap0 && wait_for 20 grep -q responding "$RO"; then
	ip -n "$A" link set dtap0 up
	ip -n "$A" addr add 10.99.4.1/24 dev dtap0
	ip netns exec "$A" ping -c3 -i 0.2 -W 3 10.99.4.2 >"$T/ping" 2>&1 &&
		pass "ping through net_tap" || fail "ping through net_tap: $(tail -2 "$T/ping")"
else
	fail "net_tap: no dtap0: $(cat "$RO")"
fi
wait_bg "$R" || fail "net_tap responder: $(cat "$RO")"
ip -n "$A" link show dtap0 >/dev/null 2>&1 && fail "dtap0 left behind" || pass "dtap0 removed on close"

# net_memif between two processes sharing a socket path.
SOCK=$T/memif.sock
N=50000
bg timeout 40 "$LINK" -n $N -t 20 recv "dpdk:net_memif0,role=server,socket=$SOCK"
R=$BG_PID
RO=$BG_OUT
wait_for 20 grep -q receiving "$RO"
if timeout 40 "$LINK" -n $N -t 20 --linger send "dpdk:net_memif0,role=client,socket=$SOCK" >"$T/send" 2>&1; then
	pass "memif sender: $(grep sent "$T/send")"
else
	fail "memif sender: $(cat "$T/send")"
fi
if wait_bg "$R"; then
	pass "memif receiver: $(grep received "$RO")"
else
	fail "memif receiver: $(cat "$RO")"
fi
[ -e "$SOCK" ] && fail "memif socket left behind" || pass "memif socket removed"
[ -n "$(eal_leftovers)" ] && fail "EAL runtime dirs left: $(eal_leftovers)" ||
	pass "no EAL runtime directory left"
finish
