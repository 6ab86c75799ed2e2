#!/bin/sh
# nuse-exec --stack=linux's link options: ping from the program to the host
# kernel over each backend -i attaches (tap, packet on a veth, dpdk's
# net_af_packet on a veth with --dpdk-args when built with DPDK), two links
# at once (eth0, eth1), --pcap (FILE and FILE.1 read back by tcpdump; every
# frame the program sends on a TAP is in the capture),
# --sysctl reaching the stack; and bad input: status 2, one line naming the
# option, nothing left behind (no TAP, no capture file).
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd ping

apps_link
ip -n "$NS" link add va type veth peer name vb || skip "cannot create veth pairs"
ip -n "$NS" link set va up
ip -n "$NS" link set vb up
ip -n "$NS" addr add 10.81.0.1/24 dev vb
ip netns exec "$NS" sysctl -qw net.ipv6.conf.va.disable_ipv6=1

# run MODE ARGS...: nuse-exec --stack=linux in $NS (no default link)
run() {
	_m=$1
	shift
	tap_free
	ip netns exec "$NS" timeout -k 2 30 "$NUSE_EXEC" --mode="$_m" --stack=linux "$@" \
		>"$T/out" 2>&1
	st=$?
}

for m in $APPS_MODES; do
	LINKS="-i $NUSE_IF -i packet:va,ip=10.81.0.2/24"
	# shellcheck disable=SC2086 # $LINKS is words
	run "$m" $LINKS -- ip -br addr
	if [ "$st" = 0 ] && grep -q "^eth0 .*$NUSE4/24" "$T/out" &&
		grep -q "^eth1 .*10.81.0.2/24" "$T/out"; then
		pass "$m: tap (eth0) and packet (eth1) at once"
	else
		fail "$m: two links: status $st: $(head -8 "$T/out" | tr '\n' '|')"
	fi
	# shellcheck disable=SC2086
	run "$m" $LINKS --pcap "$T/cap" --sysctl net.ipv4.ip_default_ttl=33 \
		-- ping -c1 -W5 10.81.0.1
	if [ "$st" = 0 ] && grep -q "1 received" "$T/out"; then
		pass "$m: ping over the packet link (eth1)"
	else
		fail "$m: ping over packet: status $st: $(head -5 "$T/out" | tr '\n' '|')"
	fi
	# the captures are complete once the session's keeper has closed them
	tap_free
	if command -v tcpdump >/dev/null 2>&1; then
		if tcpdump -nr "$T/cap" 2>/dev/null >/dev/null &&
			tcpdump -vnr "$T/cap.1" icmp 2>/dev/null | grep -q "ttl 33," &&
			tcpdump -nr "$T/cap.1" icmp 2>/dev/null | grep -q "10.81.0.2 > 10.81.0.1: ICMP echo request" &&
			tcpdump -nr "$T/cap.1" icmp 2>/dev/null | grep -q "10.81.0.1 > 10.81.0.2: ICMP echo reply"; then
			pass "$m: --pcap: eth0 in FILE, eth1 in FILE.1; --sysctl ip_default_ttl=33 seen on the wire"
		else
			fail "$m: --pcap/--sysctl: $(tcpdump -vnr "$T/cap.1" 2>&1 | head -4 | tr '\n' '|')"
		fi
	else
		echo "SKIP: $m: --pcap read-back: no tcpdump"
	fi
	rm -f "$T/cap" "$T/cap.1"

	# the program's own frames on a TAP (written without the stack's CPU
	# when nothing captures) must all pass through the capture
	run "$m" -i "$NUSE_IF" --pcap "$T/tcap" -- ping -c3 -i0.2 -W5 "$HOST4"
	tap_free
	if ! command -v tcpdump >/dev/null 2>&1; then
		echo "SKIP: $m: --pcap on tap: no tcpdump"
	elif [ "$st" = 0 ] && grep -q "3 received" "$T/out" &&
		[ "$(tcpdump -nr "$T/tcap" icmp 2>/dev/null |
			grep -c "$NUSE4 > $HOST4: ICMP echo request")" = 3 ] &&
		[ "$(tcpdump -nr "$T/tcap" icmp 2>/dev/null |
			grep -c "$HOST4 > $NUSE4: ICMP echo reply")" = 3 ]; then
		pass "$m: --pcap on tap: the program's 3 echo requests and the 3 replies in FILE"
	else
		fail "$m: --pcap on tap: status $st: $(tcpdump -nr "$T/tcap" 2>&1 | head -4 | tr '\n' '|')"
	fi
	rm -f "$T/tcap"

	if grep -q "define HAVE_DPDK 1" "$top_builddir/config.h"; then
		run "$m" -i dpdk:net_af_packet0,iface=va,ip=10.81.0.2/24 \
			--dpdk-args "--no-huge -m 256 --no-shconf --no-pci --no-telemetry --log-level=lib.eal:error" \
			-- ping -c1 -W5 10.81.0.1
		if [ "$st" = 0 ] && grep -q "1 received" "$T/out"; then
			pass "$m: dpdk:net_af_packet0 on a veth with --dpdk-args: ping"
		else
			fail "$m: dpdk: status $st: $(head -5 "$T/out" | tr '\n' '|')"
		fi
	else
		echo "SKIP: $m: dpdk: nuse-exec built without DPDK"
	fi
done

# Bad input: 2, the first line names the option, nothing created.
bad() {
	_what=$1
	_opt=$2
	shift 2
	tap_free
	rm -f "$T/bad.pcap" "$T/bad.pcap.1"
	ip netns exec "$NS" timeout 30 "$NUSE_EXEC" "$@" -- true >"$T/out" 2>&1
	st=$?
	# the keeper that failed may still be closing its descriptors
	wait_for 5 sh -c "! ip -n '$NS' link show nz0"
	if [ "$st" = 2 ] && head -1 "$T/out" | grep -q -- "^nuse-exec: $_opt" &&
		! ip -n "$NS" link show nz0 >/dev/null 2>&1 && [ ! -e "$T/bad.pcap" ] &&
		[ ! -e "$T/bad.pcap.1" ]; then
		pass "bad input: $_what: status 2, '$(head -1 "$T/out")'"
	else
		fail "bad input: $_what: status $st: $(head -2 "$T/out" | tr '\n' '|')"
	fi
}
bad "-i with --stack=host" "--iface: needs --stack=linux" --stack=host -i tap:nz0
bad "--sysctl without --stack=linux" "--sysctl: needs --stack=linux" --stack=host --sysctl a=b
bad "bad address" "--iface: bad ip" --stack=linux -i tap:nz0,ip=10.1.2/24
bad "unknown backend" "--iface: unknown backend 'wire'" --stack=linux -i wire:x
bad "unknown item" "--iface: unknown option 'speed=10'" --stack=linux -i tap:nz0,speed=10
bad "sysctl not KEY=VALUE" "--sysctl: expected KEY=VALUE" --stack=linux --sysctl foo
bad "unknown sysctl key" "--sysctl: net.ipv4.nope=1: no such key" \
	--stack=linux -i tap:nz0 --pcap "$T/bad.pcap" --sysctl net.ipv4.nope=1
bad "second link fails" "--iface: tap:na0" --stack=linux -i tap:nz0 -i tap:na0 \
	-i tap:na0 --pcap "$T/bad.pcap"
bad "--pcap without a link" "--pcap: no --iface" --stack=linux --pcap "$T/bad.pcap"
finish
