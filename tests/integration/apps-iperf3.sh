#!/bin/sh
# iperf3 (the distribution's, dynamic) under nuse-exec --stack=linux as the
# client of a host-kernel iperf3 server over a TAP, both directions (-R):
# each run must exit 0 and report a non-zero received throughput.
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd iperf3 python3

apps_link
# gbps FILE: the receiver's throughput in an iperf3 -J report, Gbit/s.
gbps() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("%.3f" % (r["end"]["sum_received"]["bits_per_second"] / 1e9))' "$1" 2>/dev/null
}

for m in $APPS_MODES; do
	for dir in send recv; do
		# a fresh one-shot server per run
		bg ip netns exec "$NS" timeout 40 iperf3 -s -1 -B "$HOST4" -p 5201
		srv=$BG_PID
		wait_for 10 sh -c "ip netns exec $NS ss -Hltn 'sport = :5201' | grep -q ." ||
			{ fail "host iperf3 server did not start: $(cat "$BG_OUT")"; finish; }
		R=""
		[ "$dir" = recv ] && R=-R
		# shellcheck disable=SC2086 # $R is empty or -R
		nuse "$m" iperf3 -c "$HOST4" -p 5201 -t 3 -J $R >"$T/$m.$dir.json" 2>"$T/$m.$dir.err"
		st=$?
		# a client that never connected leaves the one-shot server waiting
		[ "$st" = 0 ] || kill "$srv" 2>/dev/null
		wait_bg "$srv"
		g=$(gbps "$T/$m.$dir.json")
		case "$dir" in send) what="nuse -> host" ;; *) what="host -> nuse (-R)" ;; esac
		if [ "$st" = 0 ] && [ -n "$g" ] && [ "$g" != 0.000 ]; then
			pass "$m: iperf3 $what: $g Gbit/s, clean exit"
		else
			fail "$m: iperf3 $what: status $st, '$g' Gbit/s: $(head -c 300 "$T/$m.$dir.err") $(grep -m1 error "$T/$m.$dir.json")"
		fi
	done
done
finish
