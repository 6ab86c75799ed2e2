#!/bin/sh
# link-raw: frames per second through each backend, no stack on either end:
# nuse-link --raw send on one end, nuse-link --raw recv on the other (the
# receiver's first-to-last-frame rate; frames lost on the way count against
# it). Subjects: shm and DPDK memif between two processes; through the host
# kernel: TAP into an AF_PACKET ring on the same TAP, AF_PACKET and DPDK
# net_af_packet over a veth pair into an AF_PACKET ring. Root for all but
# shm; everything happens in namespaces made here and deleted on exit.
#
# Environment: LINK_RAW_N frames per run (1000000), LINK_RAW_RUNS (3).
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
. "$top_srcdir/bench/lib.sh"
LINK=$top_builddir/src/backend/nuse-link
N=${LINK_RAW_N:-1000000}
RUNS=${LINK_RAW_RUNS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-link-raw.XXXXXX") || exit 1
NS_A=nuse-bench-$$-a
NS_B=nuse-bench-$$-b
trap 'ip netns del $NS_A 2>/dev/null; ip netns del $NS_B 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

[ -x "$LINK" ] || { echo "link-raw: $LINK not built" >&2; exit 1; }

# one RX_PREFIX TX_PREFIX RX_SPEC TX_SPEC SIZE [SEND_OPTS]: one run, prints pps.
one() {
	rxp=$1 txp=$2 rx=$3 tx=$4 size=$5
	shift 5
	$rxp "$LINK" -n "$N" -s "$size" --raw -t 10 recv "$rx" >"$T/rx" 2>&1 &
	pid=$!
	sleep 1
	$txp "$LINK" -n "$N" -s "$size" --raw -t 30 "$@" send "$tx" >"$T/tx" 2>&1
	wait "$pid"
	sed -n 's/^received \([0-9]*\) .*: \([0-9]*\) pps$/\1 \2/p' "$T/rx" |
		awk -v n="$N" '{ printf "%.0f\n", $2 * $1 / n }'
}

# measure SUBJECT RX_PREFIX TX_PREFIX RX_SPEC TX_SPEC [SEND_OPTS]
measure() {
	subj=$1
	shift
	for size in 60 1514; do
		i=0
		: >"$T/runs"
		while [ $i -lt "$RUNS" ]; do
			rm -f "$T/m.sock"
			one "$1" "$2" "$3" "$4" "$size" ${5:-} >>"$T/runs"
			i=$((i + 1))
		done
		bench_row "pps_$size" "$subj" "$(median <"$T/runs")" pps "$RUNS"
	done
}

bench_begin link-raw
measure shm "" "" "shm:bench-$$" "shm:bench-$$"
if "$LINK" info dpdk:net_null0 >/dev/null 2>&1; then
	measure memif "" "" "dpdk:net_memif0,role=server,socket=$T/m.sock" \
		"dpdk:net_memif0,role=client,socket=$T/m.sock" --linger
fi
if [ "$(id -u)" = 0 ] && ip netns add "$NS_A" && ip netns add "$NS_B"; then
	A="ip netns exec $NS_A"
	B="ip netns exec $NS_B"
	ip -n "$NS_A" tuntap add dev nt0 mode tap vnet_hdr
	ip -n "$NS_A" link set nt0 up
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B"
	ip -n "$NS_A" link set va up
	ip -n "$NS_B" link set vb up
	measure tap "$A" "$A" packet:nt0 tap:nt0
	measure packet "$B" "$A" packet:vb packet:va
	if "$LINK" info dpdk:net_null0 >/dev/null 2>&1; then
		measure af_packet "$B" "$A" packet:vb dpdk:net_af_packet0,iface=va
	fi
fi
bench_end
