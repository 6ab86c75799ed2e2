#!/bin/sh
# A lossy, reordering link: 1% loss and reordering, TCP must still deliver
# every byte exactly, both ways. With tc netem (sch_netem), on the host's
# veth: delay 5ms loss 1% reorder 25% — packet's qdisc bypass skips a qdisc
# on our side, so the host's side carries the impairment for both
# directions (data one way, ACKs the other). Without netem (kernels built
# without it, like the development VM) the stack's attach glue impairs
# instead: nuse-node --impair 1,25 drops 1% of frames each way and swaps
# 25% of neighbours within a batch. 256 MiB each way, as the clean
# transfers (link-packet.sh): 5-15 s on this 2-core machine.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
need_node

mkns NN n
mkns NP p
veth_pair "$NN" "$NP" 1500
IF=packet:vn,ip=10.77.0.2/24,mac=02:00:00:77:00:02
if ip netns exec "$NP" tc qdisc add dev vp root netem delay 5ms loss 1% reorder 25% 50% 2>/dev/null; then
	HOW="tc netem"
	IMPAIR=""
else
	HOW="nuse-node --impair (no netem in this kernel)"
	IMPAIR="--impair 1,25"
fi
# shellcheck disable=SC2086
xfer_in "TCP 256 MiB host -> nuse, 1% loss + reordering by $HOW" "$NN" "$NP" 10.77.0.2 268435456 -i "$IF" $IMPAIR
# shellcheck disable=SC2086
xfer_out "TCP 256 MiB nuse -> host, 1% loss + reordering by $HOW" "$NN" "$NP" 10.77.0.1:5002 268435456 -i "$IF" $IMPAIR
retr=$(ip netns exec "$NP" nstat -az TcpRetransSegs 2>/dev/null | awk '/TcpRetransSegs/ { print $2 }')
echo "host retransmitted ${retr:-?} segments"
finish
