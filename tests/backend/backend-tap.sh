#!/bin/sh
# tap backend: a host kernel in a namespace pings through a TAP (attached
# and created), sends and receives 30000-byte TSO segments, and the capture
# reads back with tcpdump.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"
need_root
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

mkns NS a
nsx() { ip netns exec "$NS" "$@"; }

# Attach to an existing TAP (made with vnet_hdr like `ip tuntap` users do).
nsx ip tuntap add dev nt0 mode tap vnet_hdr || skip "cannot create TAP devices"
nsx ip link set nt0 up
nsx ip addr add 10.99.0.1/24 dev nt0
bg ip netns exec "$NS" timeout 30 "$LINK" -n 3 -t 15 --pcap "$T/tap.pcap" respond tap:nt0,ip=10.99.0.2/24
R=$BG_PID
RO=$BG_OUT
wait_for 15 grep -q responding "$RO"
if nsx ping -c3 -i 0.2 -W 3 10.99.0.2 >"$T/ping" 2>&1; then
	pass "ping through an attached TAP"
else
	fail "ping through an attached TAP: $(tail -2 "$T/ping")"
fi
wait_bg "$R" || fail "responder: $(cat "$RO")"
grep -q "replied 3" "$RO" && pass "responder answered 3 echoes" || fail "responder: $(cat "$RO")"
nsx ip link show nt0 >/dev/null 2>&1 && pass "attached TAP outlives the backend" ||
	fail "attached TAP vanished"

# Capture: classic pcap that tcpdump reads.
if command -v tcpdump >/dev/null 2>&1; then
	tcpdump -nr "$T/tap.pcap" >"$T/dump" 2>"$T/dump.err"
	n_req=$(grep -c "ICMP echo request" "$T/dump")
	n_rep=$(grep -c "ICMP echo reply" "$T/dump")
	if [ "$n_req" -eq 3 ] && [ "$n_rep" -eq 3 ] && grep -q "ARP, Reply 10.99.0.2 is-at" "$T/dump"; then
		pass "tcpdump -r shows 3 requests, 3 replies and our ARP reply"
	else
		fail "pcap: $(cat "$T/dump" "$T/dump.err")"
	fi
else
	echo "SKIP: pcap read-back: no tcpdump"
fi

# Create: a TAP the backend makes goes away with it.
bg ip netns exec "$NS" timeout 30 "$LINK" -n 2 -t 15 respond tap:nt1,ip=10.99.5.2/24
R=$BG_PID
RO=$BG_OUT
if wait_for 15 nsx ip link show nt1; then
	nsx ip link set nt1 up
	nsx ip addr add 10.99.5.1/24 dev nt1
	nsx ping -c2 -i 0.2 -W 3 10.99.5.2 >"$T/ping" 2>&1 &&
		pass "ping through a TAP the backend created" ||
		fail "ping through a created TAP: $(tail -2 "$T/ping")"
else
	fail "tap:nt1 was not created: $(cat "$RO")"
fi
wait_bg "$R" || fail "responder on nt1: $(cat "$RO")"
nsx ip link show nt1 >/dev/null 2>&1 && fail "created TAP left behind" ||
	pass "created TAP removed on close"

# TSO both ways through a host-kernel TCP socket.
if command -v python3 >/dev/null 2>&1; then
	bg ip netns exec "$NS" timeout 30 python3 "$top_srcdir/tests/backend/tcp-peer.py" 10.99.0.1 5001
	S=$BG_PID
	SO=$BG_OUT
	wait_for 15 nsx sh -c "ss -ltn | grep -q 10.99.0.1:5001"
	if nsx timeout 30 "$LINK" -t 20 -c 10.99.0.1:5001 --pcap "$T/tcp.pcap" \
		tcp tap:nt0,ip=10.99.0.2/24 >"$T/tcp" 2>&1; then
		pass "TSO: $(grep tcp: "$T/tcp" | tr "\n" ";")"
	else
		fail "TSO: $(cat "$T/tcp")"
	fi
	wait_bg "$S"
	grep -q "server got 30000 ok" "$SO" && pass "peer received the 30000-byte segment intact" ||
		fail "peer: $(cat "$SO")"
	if command -v tcpdump >/dev/null 2>&1; then
		tcpdump -nr "$T/tcp.pcap" 2>/dev/null | grep -q "seq 1:30001, .*length 30000" &&
			pass "pcap holds the GSO segment with its real length" ||
			fail "pcap lacks the 30000-byte segment"
	fi
else
	echo "SKIP: TSO check: no python3 for the host-kernel peer"
fi
finish
