#!/bin/sh
# The embedding example (contrib/examples/nuse-hello.c), compiled against
# the *installed* headers and libraries through `pkg-config --cflags --libs
# nuse`, boots the stack, attaches a TAP and serves HTTP to the host
# kernel's curl in a network namespace the test makes (and removes).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, TAP)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for t in ip cc pkg-config curl; do
	command -v $t >/dev/null 2>&1 || skip "needs $t"
done

D=$T/dest
install_tree "$D" || { fail "make install DESTDIR"; finish; }
P=$(prefix_of "$D")
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --define-prefix --cflags --libs nuse) || { fail "pkg-config nuse"; finish; }
# only the installed tree: no -I or -L of the build tree
case $flags in
*"$top_srcdir/include"* | *"$top_builddir/src"*) fail "flags name the build tree: $flags" ;;
esac
if cc -std=gnu11 -Wall -Wextra -Werror -o "$T/nuse-hello" \
	"$top_srcdir/contrib/examples/nuse-hello.c" $flags >"$T/cc" 2>&1; then
	pass "nuse-hello built with: cc nuse-hello.c $flags"
else
	fail "nuse-hello does not build: $(cat "$T/cc")"
	finish
fi

mkns NS a
nsx() { ip netns exec "$NS" "$@"; }
nsx ip tuntap add dev nh0 mode tap vnet_hdr || skip "cannot create TAP devices"
nsx ip addr add 10.99.16.1/24 dev nh0
nsx ip link set nh0 up
bg nsx timeout 60 "$T/nuse-hello" tap:nh0,ip=10.99.16.2/24 8080 2
H=$BG_PID
HO=$BG_OUT
if wait_for 20 grep -q "listening on port 8080" "$HO"; then
	pass "nuse-hello: $(head -1 "$HO")"
else
	fail "nuse-hello did not start: $(cat "$HO")"
	finish
fi
for i in 1 2; do
	if nsx timeout 20 curl -sS --max-time 15 -o "$T/body" http://10.99.16.2:8080/ 2>"$T/curl"; then
		grep -q "^hello from Linux's network stack in process [0-9]* ([a-z0-9]*)\$" "$T/body" &&
			pass "curl $i from the host kernel: $(cat "$T/body")" ||
			fail "curl $i: unexpected body '$(cat "$T/body")'"
	else
		fail "curl $i: $(cat "$T/curl")"
	fi
done
# the host kernel has no socket on 8080: the server's are the stack's
nsx ss -Htln 'sport = :8080' | grep -q . && fail "the host kernel listens on 8080" ||
	pass "no host-kernel socket on 8080"
if wait_bg "$H" && grep -q "served 2" "$HO"; then
	pass "nuse-hello served 2 and halted the stack"
else
	fail "nuse-hello: $(cat "$HO")"
fi
echo "# example: $(elapsed) s"
finish
