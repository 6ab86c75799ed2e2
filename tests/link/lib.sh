# shellcheck shell=sh
# Helpers for tests/link/*.sh (POSIX sh, sourced): the backend tests'
# namespace helpers and cleanup trap, plus nuse-node and the Python peer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"

NODE=$top_builddir/src/stack/nuse-node
PEER="python3 $top_srcdir/tests/link/peer.py"

need_node() {
	need_root
	[ -x "$NODE" ] || skip "$NODE not built"
	command -v python3 >/dev/null 2>&1 || skip "needs python3 for the peer"
}

# veth_pair NS_NUSE NS_PEER MTU: veth "vn" in the first namespace (for the
# stack, no address), "vp" in the second with 10.77.0.1/24 and fd77::1/64.
veth_pair() {
	ip link add vn netns "$1" type veth peer name vp netns "$2" ||
		skip "cannot create veth pairs"
	ip -n "$1" link set vn mtu "$3" up
	ip -n "$2" link set vp mtu "$3" up
	ip -n "$2" addr add 10.77.0.1/24 dev vp
	ip -n "$2" addr add fd77::1/64 dev vp nodad
}

# node NS ARGS...: nuse-node in the background in NS (30 s at most), then
# wait for its endpoint to report that it is up. Sets NODE_PID, NODE_OUT.
node() {
	_ns=$1
	shift
	bg ip netns exec "$_ns" timeout 50 "$NODE" \
		--sysctl net.ipv6.conf.default.accept_dad=0 "$@"
	NODE_PID=$BG_PID
	NODE_OUT=$BG_OUT
	wait_for 15 grep -q "listening\|up" "$NODE_OUT" ||
		fail "nuse-node did not come up: $(cat "$NODE_OUT")"
}

# stop_node: end the last node (SIGTERM; timeout passes it on).
stop_node() {
	kill "$NODE_PID" 2>/dev/null
	wait_bg "$NODE_PID"
	grep -q "nuse-node:" "$NODE_OUT" && fail "nuse-node: $(cat "$NODE_OUT")"
	return 0
}

# sha_of FILE PREFIX: the sha256 on the first line starting with PREFIX.
sha_of() {
	sed -n "s/^$2.*sha256 \([0-9a-f]*\).*/\1/p" "$1" | head -1
}

# same_sha WHAT BYTES FILE1 PREFIX1 FILE2 PREFIX2: both ends saw the same
# stream of BYTES bytes.
same_sha() {
	_a=$(sha_of "$3" "$4")
	_b=$(sha_of "$5" "$6")
	if [ -n "$_a" ] && [ "$_a" = "$_b" ] && grep -q "^$4.*bytes $2 " "$3" &&
		grep -q "^$6.*bytes $2 " "$5"; then
		pass "$1 ($(grep -o 'gbps [0-9.]*' "$3" | tail -1))"
	else
		fail "$1: sha256 '$_a' vs '$_b': $(cat "$3" "$5")"
	fi
}

# xfer_in WHAT NS_NUSE NS_PEER ADDR BYTES IFACE...: the host kernel in
# NS_PEER sends BYTES to a nuse-node sink on IFACE in NS_NUSE.
xfer_in() {
	_what=$1 _nn=$2 _np=$3 _addr=$4 _bytes=$5
	shift 5
	node "$_nn" "$@" --tcp-sink 5001 --conns 1
	_np_out=$T/peer.$BG_N
	ip netns exec "$_np" timeout 50 $PEER send "$_addr" 5001 "$_bytes" \
		>"$_np_out" 2>&1
	wait_bg "$NODE_PID"
	same_sha "$_what" "$_bytes" "$NODE_OUT" "tcp-sink: stream" "$_np_out" "send:"
}

# xfer_out WHAT NS_NUSE NS_PEER PEER_ADDR BYTES IFACE...: a nuse-node
# source on IFACE in NS_NUSE sends BYTES to the host kernel in NS_PEER.
xfer_out() {
	_what=$1 _nn=$2 _np=$3 _addr=$4 _bytes=$5
	shift 5
	bg ip netns exec "$_np" timeout 50 $PEER recv 5002
	_pp=$BG_PID
	_po=$BG_OUT
	wait_for 10 grep -q listening "$_po"
	ip netns exec "$_nn" timeout 50 "$NODE" \
		--sysctl net.ipv6.conf.default.accept_dad=0 "$@" \
		--tcp-source "$_addr" --bytes "$_bytes" >"$T/src.$BG_N" 2>&1
	wait_bg "$_pp"
	same_sha "$_what" "$_bytes" "$T/src.$BG_N" "tcp-source: stream" "$_po" "recv:"
}
