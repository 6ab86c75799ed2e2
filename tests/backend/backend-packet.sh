#!/bin/sh
# packet backend: AF_PACKET rings on one end of a veth pair; the host
# kernel at the other end (another namespace) pings through it and
# exchanges 30000-byte TSO segments with it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"
need_root

mkns A a
mkns B b
ip link add va netns "$A" type veth peer name vb netns "$B" || skip "cannot create veth pairs"
ip -n "$A" link set va up
ip -n "$B" link set vb up
ip -n "$B" addr add 10.99.1.1/24 dev vb

bg ip netns exec "$A" timeout 30 "$LINK" -n 3 -t 15 respond packet:va,ip=10.99.1.2/24
R=$BG_PID
RO=$BG_OUT
wait_for 15 grep -q responding "$RO"
if ip netns exec "$B" ping -c3 -i 0.2 -W 3 10.99.1.2 >"$T/ping" 2>&1; then
	pass "ping through AF_PACKET rings on a veth"
else
	fail "ping through AF_PACKET: $(tail -2 "$T/ping")"
fi
wait_bg "$R" || fail "responder: $(cat "$RO")"
grep -q "replied 3" "$RO" && pass "responder answered 3 echoes" || fail "responder: $(cat "$RO")"
# Promiscuous mode was the socket's: it went with it.
ip -n "$A" link show va | grep -q PROMISC && fail "va left promiscuous" ||
	pass "no promiscuous mode left on va"

if command -v python3 >/dev/null 2>&1; then
	bg ip netns exec "$B" timeout 30 python3 "$top_srcdir/tests/backend/tcp-peer.py" 10.99.1.1 5001
	S=$BG_PID
	SO=$BG_OUT
	wait_for 15 ip netns exec "$B" sh -c "ss -ltn | grep -q 10.99.1.1:5001"
	if ip netns exec "$A" timeout 30 "$LINK" -t 20 -c 10.99.1.1:5001 \
		tcp packet:va,ip=10.99.1.2/24 >"$T/tcp" 2>&1; then
		pass "TSO: $(grep tcp: "$T/tcp" | tr '\n' ';')"
	else
		fail "TSO: $(cat "$T/tcp")"
	fi
	wait_bg "$S"
	grep -q "server got 30000 ok" "$SO" && pass "peer received the 30000-byte segment intact" ||
		fail "peer: $(cat "$SO")"
else
	echo "SKIP: TSO check: no python3 for the host-kernel peer"
fi
finish
