#!/bin/sh
# shm backend: two processes exchange 100000 self-checking frames of mixed
# sizes back to back, in order, none lost or altered; no root needed and
# nothing is left in /dev/shm. Also checks the capture of both ends.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"
[ -x "$LINK" ] || skip "$LINK not built"
[ -d /dev/shm ] && [ -w /dev/shm ] || skip "no writable /dev/shm"

NAME=$TEST_NAME-$$
N=100000

bg timeout 30 "$LINK" -n $N -t 25 recv "shm:$NAME"
R=$BG_PID
RO=$BG_OUT
wait_for 15 grep -q receiving "$RO"
if timeout 30 "$LINK" -n $N -t 25 send "shm:$NAME" >"$T/send" 2>&1; then
	pass "sender: $(grep sent "$T/send")"
else
	fail "sender: $(cat "$T/send")"
fi
if wait_bg "$R"; then
	pass "receiver: $(grep received "$RO")"
else
	fail "receiver: $(cat "$RO")"
fi
[ -e "/dev/shm/nuse-$NAME" ] && fail "/dev/shm/nuse-$NAME left behind" ||
	pass "nothing left in /dev/shm"

# Capture on both ends, read back by tcpdump.
if command -v tcpdump >/dev/null 2>&1; then
	bg timeout 20 "$LINK" -n 10 -t 10 --pcap "$T/rx.pcap" recv "shm:$NAME"
	R=$BG_PID
	RO=$BG_OUT
	wait_for 15 grep -q receiving "$RO"
	timeout 20 "$LINK" -n 10 -t 10 --pcap "$T/tx.pcap" send "shm:$NAME" >"$T/send" 2>&1 ||
		fail "pcap sender: $(cat "$T/send")"
	wait_bg "$R" || fail "pcap receiver: $(cat "$RO")"
	for f in tx rx; do
		n=$(tcpdump -nr "$T/$f.pcap" 2>/dev/null | grep -c "ethertype Unknown (0x88b5)")
		[ "$n" -eq 10 ] && pass "tcpdump -r $f.pcap shows the 10 frames" ||
			fail "$f.pcap: $(tcpdump -nr "$T/$f.pcap" 2>&1 | head -3)"
	done
	tcpdump -c1 -nr "$T/rx.pcap" -xx 2>/dev/null | grep -q "0x0000:  ffff ffff ffff" &&
		pass "frames captured in full" || fail "rx.pcap content"
else
	echo "SKIP: pcap read-back: no tcpdump"
fi
finish
