#!/bin/sh
# nuse-node on a TAP: a host kernel in the same namespace pings it (IPv4 and
# IPv6, with ARP and neighbour discovery), exchanges 256 MiB each way over
# TCP (SHA-256 on both ends), gets UDP echoes, and the capture shows the
# TCP handshake to tcpdump -r.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
need_node
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

mkns NS a
nsx() { ip netns exec "$NS" "$@"; }
nsx ip tuntap add dev nt0 mode tap vnet_hdr || skip "cannot create TAP devices"
nsx ip link set nt0 up
nsx ip addr add 10.77.0.1/24 dev nt0
nsx ip addr add fd77::1/64 dev nt0 nodad
IF=tap:nt0,ip=10.77.0.2/24,ip6=fd77::2/64,mac=02:00:00:77:00:02

node "$NS" -i "$IF" --udp-echo 7 --pcap "$T/udp.pcap"
nsx ping -c3 -i 0.2 -W 3 10.77.0.2 >"$T/ping" 2>&1 &&
	pass "ping 10.77.0.2 (ARP, ICMP)" || fail "ping: $(tail -3 "$T/ping")"
nsx ping -6 -c3 -i 0.2 -W 3 fd77::2 >"$T/ping6" 2>&1 &&
	pass "ping fd77::2 (neighbour discovery, ICMPv6)" ||
	fail "ping -6: $(tail -3 "$T/ping6")"
nsx timeout 20 $PEER udp-check 10.77.0.2 7 200 >"$T/udp" 2>&1 &&
	pass "UDP echo over IPv4: $(cat "$T/udp")" || fail "UDP echo: $(cat "$T/udp")"
nsx timeout 20 $PEER udp-check fd77::2 7 50 >"$T/udp6" 2>&1 &&
	pass "UDP echo over IPv6: $(cat "$T/udp6")" || fail "UDP echo v6: $(cat "$T/udp6")"
stop_node
nsx ip link show nt0 >/dev/null 2>&1 && pass "attached TAP left in place" ||
	fail "attached TAP gone"

# 256 MiB each way; the first one captured for the handshake check.
node "$NS" -i "$IF" --tcp-sink 5001 --conns 1 --pcap "$T/tcp.pcap"
nsx timeout 50 $PEER send 10.77.0.2 5001 268435456 >"$T/send" 2>&1
wait_bg "$NODE_PID"
same_sha "TCP 256 MiB host -> nuse" 268435456 "$NODE_OUT" "tcp-sink: stream" "$T/send" "send:"
xfer_out "TCP 256 MiB nuse -> host" "$NS" "$NS" 10.77.0.1:5002 268435456 -i "$IF"
xfer_out "TCP 16 MiB nuse -> host over IPv6" "$NS" "$NS" "[fd77::1]:5002" 16777216 -i "$IF" --pcap "$T/v6.pcap"

if command -v tcpdump >/dev/null 2>&1; then
	tcpdump -nr "$T/tcp.pcap" -c 20 'tcp[tcpflags] & tcp-syn != 0' >"$T/dump" 2>"$T/dump.err"
	if grep -q "10.77.0.1.[0-9]* > 10.77.0.2.5001: Flags \[S\]" "$T/dump" &&
		grep -q "10.77.0.2.5001 > 10.77.0.1.[0-9]*: Flags \[S\.\]" "$T/dump"; then
		pass "tcpdump -r shows the SYN and the SYN-ACK"
	else
		fail "pcap: $(cat "$T/dump" "$T/dump.err")"
	fi
else
	echo "SKIP: pcap read-back: no tcpdump"
fi
finish
