#!/bin/sh
# nuse-node on DPDK's net_af_packet PMD over a veth (no hugepages), the
# host kernel on the other end: ping (IPv4, IPv6), UDP echo and 64 MiB of
# TCP each way checked by SHA-256 (DPDK has no offloads here: the stack
# segments and checksums every 1500-byte frame itself; the host's veth
# has its offloads turned off for the same reason).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
need_node
"$LINK" info dpdk:net_null0 >"$T/probe" 2>&1 ||
	{ grep -q "built without DPDK" "$T/probe" && skip "configured without DPDK (libdpdk-dev)"; }
grep -q "^dpdk " "$T/probe" || skip "DPDK EAL does not start here: $(head -3 "$T/probe" | tr '\n' ' ')"

mkns NN n
mkns NP p
veth_pair "$NN" "$NP" 1500
px() { ip netns exec "$NP" "$@"; }
# The PMD reads raw frames (no virtio-net header): the host must send them
# with finished checksums and unsegmented, as a NIC would receive them.
px $PEER nooffload vp || skip "cannot turn veth offloads off"
IF=dpdk:net_af_packet0,iface=vn,ip=10.77.0.2/24,ip6=fd77::2/64,mac=02:00:00:77:00:02

node "$NN" -i "$IF" --udp-echo 7
px ping -c3 -i 0.2 -W 3 10.77.0.2 >"$T/ping" 2>&1 &&
	pass "ping 10.77.0.2 over dpdk net_af_packet" || fail "ping: $(tail -3 "$T/ping")"
px ping -6 -c3 -i 0.2 -W 3 fd77::2 >"$T/ping6" 2>&1 &&
	pass "ping fd77::2 over dpdk net_af_packet" || fail "ping -6: $(tail -3 "$T/ping6")"
px timeout 20 $PEER udp-check 10.77.0.2 7 100 >"$T/udp" 2>&1 &&
	pass "UDP echo: $(cat "$T/udp")" || fail "UDP echo: $(cat "$T/udp")"
stop_node

xfer_in "TCP 64 MiB host -> nuse over dpdk" "$NN" "$NP" 10.77.0.2 67108864 -i "$IF"
xfer_out "TCP 64 MiB nuse -> host over dpdk" "$NN" "$NP" 10.77.0.1:5002 67108864 -i "$IF"
leftover=$(eal_leftovers)
[ -z "$leftover" ] && pass "no EAL directory left" || fail "left behind: $leftover"
finish
