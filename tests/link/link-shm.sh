#!/bin/sh
# Two nuse-node processes back to back over shm (no root, no host kernel
# in the path): 256 MiB of TCP checked by SHA-256 on both ends, UDP echo
# and TCP round trips over IPv6.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/link/lib.sh"
[ -x "$NODE" ] || skip "$NODE not built"

L=nuse-test-$$
A="--sysctl net.ipv6.conf.default.accept_dad=0"
# shellcheck disable=SC2086
bg timeout 50 "$NODE" $A -i "shm:$L,ip=10.78.0.1/24,ip6=fd78::1/64" --tcp-sink 5001 --conns 1
S=$BG_PID
SO=$BG_OUT
wait_for 15 grep -q listening "$SO" || fail "sink did not come up: $(cat "$SO")"
# shellcheck disable=SC2086
timeout 50 "$NODE" $A -i "shm:$L,ip=10.78.0.2/24,ip6=fd78::2/64" \
	--tcp-source 10.78.0.1:5001 --bytes 268435456 >"$T/src" 2>&1
wait_bg "$S"
same_sha "TCP 256 MiB nuse -> nuse over shm" 268435456 "$T/src" "tcp-source: stream" "$SO" "tcp-sink: stream"

L=nuse-test-$$-b
# shellcheck disable=SC2086
bg timeout 50 "$NODE" $A -i "shm:$L,ip=10.78.0.1/24,ip6=fd78::1/64" --tcp-echo 7 --conns 1
S=$BG_PID
SO=$BG_OUT
wait_for 15 grep -q listening "$SO" || fail "echo did not come up: $(cat "$SO")"
# shellcheck disable=SC2086
if timeout 50 "$NODE" $A -i "shm:$L,ip=10.78.0.2/24,ip6=fd78::2/64" \
	--tcp-rr "[fd78::1]:7" --count 2000 >"$T/rr" 2>&1 &&
	grep -q "round trips 2000" "$T/rr"; then
	pass "2000 TCP round trips over IPv6 on shm ($(grep -o 'mean_us [0-9.]*' "$T/rr"))"
else
	fail "tcp-rr over shm: $(cat "$T/rr")"
fi
wait_bg "$S"
ls /dev/shm/nuse-$L* >/dev/null 2>&1 && fail "left in /dev/shm: $(ls /dev/shm/nuse-$L*)" ||
	pass "nothing left in /dev/shm"
finish
