#!/bin/sh
# The network procfs of a program under nuse-exec --stack=linux is its
# stack's (in the in-process modes: sud, seccomp; docs/design.md): cat of
# /proc/net/dev and /proc/self/net/dev shows lo and eth0, not the
# namespace's TAP; /proc/sys/net shows what --sysctl set, and a write
# there changes the stack's value and leaves the host's alone; a listener
# of the session is in /proc/net/tcp and busybox netstat; busybox ifconfig
# -a and route -n (which read /proc/net) show eth0 and its route; ls of
# /proc/sys/net/ipv4 lists the stack's sysctls.
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
[ -x "$BUSYBOX" ] || skip "needs busybox-static ($BUSYBOX)"
apps_link

BB=$BUSYBOX
nsx cat /proc/net/dev >"$T/native" 2>&1
grep -q "na0:" "$T/native" || fail "native /proc/net/dev lacks na0: $(cat "$T/native")"
HOST_FIN=$(nsx cat /proc/sys/net/ipv4/tcp_fin_timeout)

for m in $APPS_MODES; do
	case $m in
	sud | seccomp | sud-trap) ;;
	*) continue ;; # served in the in-process modes only (docs/design.md)
	esac
	nuse_out "$m" "$BB" cat /proc/net/dev
	check "$m" "/proc/net/dev: lo and eth0, not the host's na0" \
		'[ $st = 0 ] && has " lo:" && has "eth0:" && ! has "na0:"'
	nuse_out "$m" "$BB" cat /proc/self/net/dev
	check "$m" "/proc/self/net/dev: the same" \
		'[ $st = 0 ] && has "eth0:" && ! has "na0:"'
	nuse_out "$m" --sysctl net.ipv4.tcp_congestion_control=reno \
		"$BB" cat /proc/sys/net/ipv4/tcp_congestion_control
	check "$m" "/proc/sys/net/ipv4/tcp_congestion_control: reno, as --sysctl set it" \
		'[ $st = 0 ] && [ "$(cat "$T/out")" = reno ]'
	nuse_out "$m" "$BB" sh -c "echo 17 >/proc/sys/net/ipv4/tcp_fin_timeout &&
		$BB cat /proc/sys/net/ipv4/tcp_fin_timeout"
	check "$m" "a write to /proc/sys/net is the stack's, the host keeps $HOST_FIN" \
		'[ $st = 0 ] && [ "$(cat "$T/out")" = 17 ] &&
		[ "$(nsx cat /proc/sys/net/ipv4/tcp_fin_timeout)" = "$HOST_FIN" ]'
	# 7777 = 0x1E61, state 0A: listening (busybox nc listens on IPv6)
	nuse_out "$m" "$BB" sh -c "$BB nc -l -p 7777 </dev/null >/dev/null & sleep 1
		$BB cat /proc/net/tcp /proc/net/tcp6; echo ---; $BB netstat -tln
		kill \$!"
	check "$m" "a listener of the session in /proc/net/tcp6 and netstat -tln" \
		'grep -q ":1E61 0*:0000 0A " "$T/out" && has ":7777 .* LISTEN" &&
		! nsx cat /proc/net/tcp /proc/net/tcp6 | grep -q ":1E61 "'
	nuse_out "$m" "$BB" ifconfig -a
	check "$m" "ifconfig -a: eth0 with $NUSE4 and lo, not na0" \
		'[ $st = 0 ] && has "^eth0" && has "inet addr:$NUSE4" && has "^lo" && ! has "^na0"'
	nuse_out "$m" "$BB" route -n
	check "$m" "route -n: default via $HOST4 and 10.79.0.0 on eth0" \
		'[ $st = 0 ] && has "^0.0.0.0 *$HOST4 .*eth0" && has "^10.79.0.0 .*eth0"'
	nuse_out "$m" "$BB" ls /proc/sys/net/ipv4
	check "$m" "ls /proc/sys/net/ipv4: the stack's sysctls" \
		'[ $st = 0 ] && has "tcp_congestion_control" && has "tcp_fin_timeout"'
done
finish
