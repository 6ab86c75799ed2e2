#!/bin/sh
# Two nuse-node stacks back to back over DPDK's net_memif (no hugepages,
# no host kernel in the data path): one node is the memif server, the other
# the client on the same socket under $T. TCP round trips over IPv4 (ARP)
# and IPv6 (ND) as the ping (nuse-node has no ICMP client), a second client
# on the same server socket, 64 MiB of TCP client -> server with equal
# SHA-256 on both ends, a UDP flood counted by a sink. Each node has its own
# EAL --file-prefix and socket; every memif socket and EAL runtime directory
# is gone afterwards, and the trap removes them if a node dies.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
[ -x "$NODE" ] || skip "$NODE not built"
grep -q '^#define HAVE_DPDK 1' "$top_builddir/config.h" 2>/dev/null ||
	skip "configured without DPDK (libdpdk-dev)"

# The backend's defaults, spelled out so that each node's prefix is ours.
EAL="--no-huge -m 256 --no-shconf --no-telemetry --no-pci --log-level=lib.eal:error"
if [ "$(id -u)" = 0 ]; then
	EAL_BASE=/var/run/dpdk
else
	EAL_BASE=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi
PREFIXES=""
memif_cleanup() {
	cleanup
	for p in $PREFIXES; do
		rm -rf "${EAL_BASE:?}/$p"
	done
}
trap memif_cleanup EXIT

# mnode ROLE SOCK N ENDPOINT...: nuse-node in the background (50 s at
# most) as memif ROLE on SOCK with 10.79.0.N and fd79::N, its own EAL
# prefix. Sets BG_PID, BG_OUT.
MN=0
mnode() {
	_role=$1 _sock=$2 _n=$3
	shift 3
	MN=$((MN + 1))
	_pfx=nuse-memif-$$-$MN
	PREFIXES="$PREFIXES $_pfx"
	bg env NUSE_DPDK_EAL_ARGS="$EAL --file-prefix=$_pfx" timeout 50 "$NODE" \
		--sysctl net.ipv6.conf.default.accept_dad=0 \
		-i "dpdk:net_memif0,role=$_role,socket=$_sock$ABSTRACT,ip=10.79.0.$_n/24,ip6=fd79::$_n/64,mac=02:00:00:79:00:0$_n" \
		"$@"
}

# server SOCK ENDPOINT...: the memif server node, up and listening.
server() {
	_sock=$1
	shift
	mnode server "$_sock" 1 "$@"
	S=$BG_PID
	SO=$BG_OUT
	wait_for 20 server_up
	grep -q listening "$SO" || fail "server node did not come up: $(cat "$SO")"
	sock_there "$_sock" || fail "no memif socket $_sock$ABSTRACT"
}
server_up() {
	grep -q listening "$SO" || ! kill -0 "$S" 2>/dev/null
}

# client SOCK ENDPOINT...: the memif client node, to its end. Sets CO.
client() {
	mnode client "$@"
	CO=$BG_OUT
	wait_bg "$BG_PID" || fail "client node: $(cat "$CO")"
}

# done_pair SOCK WHAT: the server ended cleanly and took its socket along.
done_pair() {
	wait_bg "$S" || fail "server node ($2): $(cat "$SO")"
	grep -q "^nuse-node:" "$SO" "$CO" && fail "$2: $(cat "$SO" "$CO")"
	sock_there "$1" && fail "memif socket left behind after $2" || return 0
}

# sock_there SOCK: the memif socket exists (in the abstract namespace,
# memif's default, or as a file with socket-abstract=no).
sock_there() {
	if [ -z "$ABSTRACT" ]; then
		grep -q " @$1\$" /proc/net/unix
	else
		[ -e "$1" ]
	fi
}

# One server, two clients in turn: round trips over IPv4 then IPv6.
# The socket in the abstract namespace (memif's default).
ABSTRACT=
SOCK=$T/memif.1.sock
server "$SOCK" --tcp-echo 7 --conns 2
for dst in 10.79.0.1 "[fd79::1]"; do
	client "$SOCK" 2 --tcp-rr "$dst:7" --count 2000
	grep -q "round trips 2000" "$CO" &&
		pass "2000 TCP round trips to $dst over memif ($(grep -o 'mean_us [0-9.]*' "$CO"))" ||
		fail "tcp-rr to $dst over memif: $(cat "$CO")"
done
done_pair "$SOCK" "round trips"

# 64 MiB of TCP, client -> server, SHA-256 on both ends; from here on
# the socket is a file in $T.
ABSTRACT=,socket-abstract=no
SOCK=$T/memif.2.sock
server "$SOCK" --tcp-sink 5001 --conns 1
client "$SOCK" 2 --tcp-source 10.79.0.1:5001 --bytes 67108864
done_pair "$SOCK" "TCP transfer"
same_sha "TCP 64 MiB nuse -> nuse over memif" 67108864 "$CO" "tcp-source: stream" "$SO" "tcp-sink: stream"

# UDP: 1 s of 1400-byte datagrams to a counting sink.
SOCK=$T/memif.3.sock
server "$SOCK" --udp-sink 5003 --duration 20
client "$SOCK" 2 --udp-source 10.79.0.1:5003 --size 1400 --duration 1
done_pair "$SOCK" "UDP"
sent=$(sed -n 's/^udp-source: datagrams \([0-9]*\).*/\1/p' "$CO")
got=$(sed -n 's/^udp-sink: datagrams \([0-9]*\).*/\1/p' "$SO")
if [ "${got:-0}" -gt 0 ] && [ "$got" -le "${sent:-0}" ]; then
	pass "UDP over memif: $got of $sent datagrams ($(grep -o 'kpps [0-9.]*' "$SO"))"
else
	fail "UDP over memif: sent '$sent' got '$got': $(cat "$CO" "$SO")"
fi

left=""
for p in $PREFIXES; do
	[ -e "$EAL_BASE/$p" ] && left="$left $EAL_BASE/$p"
done
[ -z "$left" ] && pass "no EAL runtime directory or memif socket left" ||
	fail "left behind:$left"
finish
