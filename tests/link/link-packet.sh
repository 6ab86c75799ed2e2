#!/bin/sh
# nuse-node on AF_PACKET rings over one end of a veth pair, the host kernel
# on the other end in another namespace: ping (IPv4, IPv6 with neighbour
# discovery), 256 MiB of TCP each way checked by SHA-256, UDP echo; then
# the same link at MTU 9000.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
need_node

mkns NN n
mkns NP p
veth_pair "$NN" "$NP" 1500
px() { ip netns exec "$NP" "$@"; }
IF=packet:vn,ip=10.77.0.2/24,ip6=fd77::2/64,mac=02:00:00:77:00:02

node "$NN" -i "$IF" --udp-echo 7
px ping -c3 -i 0.2 -W 3 10.77.0.2 >"$T/ping" 2>&1 &&
	pass "ping 10.77.0.2 over packet (ARP, ICMP)" || fail "ping: $(tail -3 "$T/ping")"
px ping -6 -c3 -i 0.2 -W 3 fd77::2 >"$T/ping6" 2>&1 &&
	pass "ping fd77::2 over packet (neighbour discovery)" ||
	fail "ping -6: $(tail -3 "$T/ping6")"
px timeout 20 $PEER udp-check 10.77.0.2 7 200 >"$T/udp" 2>&1 &&
	pass "UDP echo: $(cat "$T/udp")" || fail "UDP echo: $(cat "$T/udp")"
stop_node

xfer_in "TCP 256 MiB host -> nuse over packet" "$NN" "$NP" 10.77.0.2 268435456 -i "$IF"
xfer_out "TCP 256 MiB nuse -> host over packet" "$NN" "$NP" 10.77.0.1:5002 268435456 -i "$IF"

# Jumbo frames: both ends at MTU 9000, the stack told with mtu=.
ip -n "$NN" link set vn mtu 9000
ip -n "$NP" link set vp mtu 9000
IF9=packet:vn,ip=10.77.0.2/24,mtu=9000,mac=02:00:00:77:00:02
node "$NN" -i "$IF9" --udp-echo 7
px ping -c2 -i 0.2 -W 3 -M do -s 8972 10.77.0.2 >"$T/ping9" 2>&1 &&
	pass "ping with 9000-byte packets, DF set" || fail "jumbo ping: $(tail -3 "$T/ping9")"
stop_node
xfer_out "TCP 64 MiB nuse -> host at MTU 9000" "$NN" "$NP" 10.77.0.1:5002 67108864 -i "$IF9"
xfer_in "TCP 64 MiB host -> nuse at MTU 9000" "$NN" "$NP" 10.77.0.2 67108864 -i "$IF9"
finish
