#!/bin/sh
# The soak (issue 14 item 6; docs/soak.md): two nuse sessions
# (nuse-exec --stack=linux --mode=sud), each on a TAP of its own in one
# network namespace, loaded at once for SOAK_SECONDS (default 120) by
# host-kernel wrk in that namespace:
#   nginx   master and 2 workers (fork sharing the session's stack),
#           keepalive_requests 100 (so connections are closed and made
#           again all the time), wrk -c $SOAK_CONNS on a 1 KiB page
#   go      the static Go server (tests/programs/gohttp, no cgo),
#           wrk -c $SOAK_CONNS (default 2000) keep-alive clients on
#           /data/1 (7,920 bytes)
# Sampled every second (tests/soak/sample.py): VmRSS, RssAnon, threads
# and the descriptor count of every process of each session (its
# programs, nuse-keeper, nuse-fds), the stack's memory in use (read from
# the keeper) and its socket counts (/proc/net/sockstat and sockstat6,
# read by a process of the session: in sud mode /proc/net is the
# stack's), the bytes through each TAP.  CSV in tests/soak/ of the build
# tree.  Pass: zero failed requests (no wrk socket error, no non-2xx
# answer, wrk's own exit 0) and at least 50 requests per client; no 5 s
# without a byte through a session's TAP; after the warm-up (the first
# 25%), private memory, the stack's memory in use, descriptors and
# sockets flat (sample.py's bounds, docs/soak.md says why those); the
# servers end on SIGTERM and the keepers with them, all within bounded
# waits.
#
# Environment: SOAK_SECONDS (120), SOAK_CONNS (2000), SOAK_KEEP_CSV
# (directory for the CSV; default $top_builddir/tests/soak).
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"

SECS=${SOAK_SECONDS:-120}
CONNS=${SOAK_CONNS:-2000}
OUTDIR=${SOAK_KEEP_CSV:-$top_builddir/tests/soak}
SAMPLE=$top_srcdir/tests/soak/sample.py
GO=$PROGS/gohttp/gohttp
PY=$(readlink -f /usr/bin/python3 2>/dev/null)
N_FAIL=0
N_PASS=0
T_START=$(date +%s)

need_apps
need_cmd nginx wrk curl python3 nm
[ -x "$PY" ] || skip "needs /usr/bin/python3 (the in-session sampler)"
[ "$SECS" -ge 40 ] 2>/dev/null || skip "SOAK_SECONDS=$SECS: 40 at least"
# wrk holds CONNS sockets per server, a server CONNS placeholders and more
want=$((CONNS * 2 + 512))
# shellcheck disable=SC3045 # dash and bash have ulimit -n and -H
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
# shellcheck disable=SC3045
[ "$(ulimit -n)" -ge "$want" ] ||
	skip "RLIMIT_NOFILE $(ulimit -n) (hard $(ulimit -Hn)), $CONNS clients need $want"

pass() {
	N_PASS=$((N_PASS + 1))
	echo "PASS: $*"
}
fail() {
	N_FAIL=$((N_FAIL + 1))
	FAILED=1
	echo "FAIL: $*"
}

# Everything is killed and removed at exit, also on failure: the
# sessions' process groups, the keepers (own sessions; their command line
# names $T), whatever is left in the namespace, then the namespace (and
# with it the TAPs) by tests/backend/lib.sh's cleanup.
SIDS=""
soak_cleanup() {
	[ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
	for s in $SIDS; do
		kill -KILL -- "-$s" 2>/dev/null
	done
	for p in $(pgrep -x nuse-keeper) $(pgrep -x nuse-fds); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$T/" &&
			kill -KILL "$p" 2>/dev/null
	done
	for ns in $NETNS; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	cleanup
}
trap soak_cleanup EXIT

apps_link
nsx ip tuntap add dev nb0 mode tap vnet_hdr || skip "cannot create a second TAP"
ip -n "$NS" link set nb0 up
ip -n "$NS" addr add 10.80.0.1/24 dev nb0
IF_NGINX="tap:na0,ip=$NUSE4/24,gw=$HOST4"
IF_GO="tap:nb0,ip=10.80.0.2/24,gw=10.80.0.1"
URL_NGINX=http://$NUSE4:8080/
URL_GO=http://10.80.0.2:8090/data/1

mkdir -p "$T/nginx/www" "$T/nginx/tmp" "$T/go" "$OUTDIR" || exit 99
rm -f "$OUTDIR"/soak-stall-*.txt
head -c 1024 /dev/zero | tr '\0' x >"$T/nginx/www/index.html"
cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
user root;
master_process on;
worker_processes 2;
worker_rlimit_nofile $want;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections $want; }
http {
	access_log off;
	keepalive_requests 100;
	client_body_temp_path $T/nginx/tmp;
	proxy_temp_path $T/nginx/tmp;
	fastcgi_temp_path $T/nginx/tmp;
	uwsgi_temp_path $T/nginx/tmp;
	scgi_temp_path $T/nginx/tmp;
	server {
		listen $NUSE4:8080 backlog=4096;
		root $T/nginx/www;
	}
}
EOF

# start NAME IFACE SERVER...: the session NAME: SERVER under nuse-exec
# on IFACE, and the in-session sampler, which watches SERVER's pid (not
# its child: nginx would log an unknown child's death); $T/NAME/sid is
# its session id (setsid does not fork: a background job of a
# non-interactive shell is no group leader, so $! is the session).
# A session outlives nothing: timeout ends it 120 s after the load.
start() {
	_n=$1 _if=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the session's sh
	setsid ip netns exec "$NS" timeout -k 5 $((SECS + 180)) "$NUSE_EXEC" \
		--stack=linux --mode=sud -i "$_if" -- \
		sh -c '("$1" "$2" inside "$3" "$4" $$ &); shift 4; exec "$@"' sh \
		"$PY" "$SAMPLE" "$T/$_n/sockstat" $((SECS + 180)) "$@" \
		>"$T/$_n/out" 2>&1 </dev/null &
	echo $! >"$T/$_n/sid"
	SIDS="$SIDS $!"
}

# up NAME URL: the session's server answers 200 (20 s).
up() {
	wait_for 20 sh -c "[ \"\$(ip netns exec '$NS' curl -s -m 2 -o /dev/null \
		-w '%{http_code}' '$2')\" = 200 ]"
}

SESSIONS=""
start nginx "$IF_NGINX" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf"
if up nginx "$URL_NGINX"; then
	SESSIONS="$SESSIONS nginx"
else
	fail "nginx: did not come up under nuse: $(tail -5 "$T/nginx/out" "$T/nginx/error.log" | tr '\n' '|')"
fi
if [ -x "$GO" ]; then
	start go "$IF_GO" "$GO" -mode=server -addr 10.80.0.2:8090
	if up go "$URL_GO"; then
		SESSIONS="$SESSIONS go"
	else
		fail "go: gohttp did not come up under nuse: $(tail -5 "$T/go/out" | tr '\n' '|')"
	fi
else
	echo "SKIP: go: $GO not built (needs Go): nginx only"
fi
[ -n "$SESSIONS" ] || finish

# The stack's memory in use, read from the keepers (sample.py): where
# nuse-exec (static, not PIE) has the page allocator's counters.
SOAK_TOTALRAM=$(nm "$NUSE_EXEC" 2>/dev/null | awk '$3 == "_totalram_pages" { print $1 }')
SOAK_ZONE_STAT=$(nm "$NUSE_EXEC" 2>/dev/null | awk '$3 == "vm_zone_stat" { print $1 }')
export SOAK_TOTALRAM SOAK_ZONE_STAT
[ -n "$SOAK_TOTALRAM" ] && [ -n "$SOAK_ZONE_STAT" ] ||
	fail "no _totalram_pages or vm_zone_stat in $NUSE_EXEC (stripped?): the stack's memory in use cannot be sampled"

# The load, and the sampler from the host; t = 0 when wrk starts.
T0=$(date +%s.%N)
specs=""
for s in $SESSIONS; do
	tap=na0
	[ "$s" = go ] && tap=nb0
	specs="$specs $s:$(cat "$T/$s/sid"):$tap:$T/$s/wrk.st:$T/$s/sockstat"
done
# shellcheck disable=SC2086 # one word per session
"$PY" "$SAMPLE" outside "$OUTDIR/soak-procs.csv" "$T0" "$T/stop" $specs \
	>"$T/sampler.out" 2>&1 &
SAMPLER=$!
BG_PIDS="$BG_PIDS $SAMPLER"
for s in $SESSIONS; do
	url=$URL_NGINX
	[ "$s" = go ] && url=$URL_GO
	# wrk.st, written when this load ends, also ends the sampler's
	# watch for a stall of this session
	(
		trap - EXIT INT TERM HUP # not this shell's cleanup
		nsx timeout -k 5 $((SECS + 60)) wrk -t1 -c"$CONNS" -d"${SECS}s" \
			--timeout 10s "$url" >"$T/$s/wrk" 2>&1
		echo $? >"$T/$s/wrk.st"
	) &
	echo $! >"$T/$s/wrk.pid"
	BG_PIDS="$BG_PIDS $!"
done
echo "soak: $SECS s, $CONNS clients per server, sessions:$SESSIONS; samples every second"
for s in $SESSIONS; do
	wait "$(cat "$T/$s/wrk.pid")"
done
: >"$T/stop"
wait "$SAMPLER"
SAMPLER=

# The verdict on the requests.
for s in $SESSIONS; do
	if [ -s "$OUTDIR/soak-stall-$s.txt" ]; then
		fail "$s: stalled: $(head -1 "$OUTDIR/soak-stall-$s.txt") (threads: $OUTDIR/soak-stall-$s.txt)"
		sed 's/^/  | /' "$OUTDIR/soak-stall-$s.txt" | head -60
	fi
	w=$T/$s/wrk
	st=$(cat "$T/$s/wrk.st")
	n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$w")
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$w")
	errs=$(grep -E 'Socket errors|Non-2xx' "$w" | tr '\n' ' ')
	echo "$s: $(grep -E 'requests in|Latency' "$w" | tr -s ' ' | tr '\n' ';')"
	if [ "$st" != 0 ]; then
		fail "$s: wrk ended with status $st (124: hung): $(tail -3 "$w" | tr '\n' '|')"
	elif [ -n "$errs" ] || [ -z "$n" ]; then
		fail "$s: failed requests: ${errs:-no wrk summary}"
	elif [ "$n" -lt $((CONNS * 50)) ]; then
		fail "$s: only $n requests in $SECS s ($((CONNS * 50)) at least, 50 per client)"
	else
		pass "$s: $n requests in $SECS s ($rps/s), $CONNS clients, 0 socket errors, 0 non-2xx"
	fi
done

# The servers end on SIGTERM (timeout passes it on), their keepers with
# them; 20 s each at most.
ended() {
	! kill -0 "$1" 2>/dev/null
}
for s in $SESSIONS; do
	sid=$(cat "$T/$s/sid")
	# (no watchdog subshell: in bash, one killed before it has run a
	# command runs this shell's traps: the cleanup, rm -rf "$T")
	kill -TERM "$sid" 2>/dev/null
	wait_for 20 ended "$sid" || kill -KILL -- "-$sid" 2>/dev/null
	wait "$sid"
	st=$?
	case $s:$st in
	nginx:0 | go:143) ;; # nginx exits 0 on SIGTERM, Go dies of it
	*) fail "$s: status $st after SIGTERM (137: killed after 20 s)" ;;
	esac
	if grep -E 'BUG:|WARNING:|Oops|nuse-exec:|nuse:' "$T/$s/out" >"$T/$s/bad"; then
		fail "$s: the session said: $(head -3 "$T/$s/bad" | tr '\n' '|')"
	fi
done
grep -q "\[\(alert\|crit\|emerg\)\]" "$T/nginx/error.log" 2>/dev/null &&
	fail "nginx logged: $(grep -m3 "\[\(alert\|crit\|emerg\)\]" "$T/nginx/error.log")"
keepers() {
	for _p in $(pgrep -x nuse-keeper) $(pgrep -x nuse-fds); do
		tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null | grep -qF "$T/" && echo "$_p"
	done
}
gone() {
	[ -z "$(keepers)" ] && [ -z "$(ip netns pids "$NS")" ]
}
if wait_for 20 gone; then
	pass "every session's processes, keepers included, gone after SIGTERM"
else
	fail "still there 20 s after the servers ended: $(keepers | tr '\n' ' ') (in the namespace: $(ip netns pids "$NS" | tr '\n' ' '))"
fi

# The slopes.
specs=""
for s in $SESSIONS; do
	specs="$specs $s:$T/$s/sockstat"
done
# shellcheck disable=SC2086
"$PY" "$SAMPLE" sockets "$OUTDIR/soak-sockets.csv" "$T0" $specs
WARM=$((SECS / 4))
TW=$((WARM > 65 ? WARM : 65))
[ $((SECS - TW)) -ge 30 ] || TW=$((SECS + 1)) # no window: not checked
for s in $SESSIONS; do
	grep -q ",$s,keeper," "$OUTDIR/soak-procs.csv" ||
		fail "$s: its keeper was never sampled"
	awk -F, -v s="$s" '$2 == s && $3 == "keeper" && $12 != "" { f = 1 } END { exit !f }' \
		"$OUTDIR/soak-procs.csv" || fail "$s: the stack's memory in use was never read"
	[ -s "$T/$s/sockstat" ] || fail "$s: no socket counts from inside the session"
done
echo "slopes: least squares over $WARM-$((SECS - 1)) s (warm-up $WARM s; TIME_WAIT from $TW s)"
"$PY" "$SAMPLE" fit "$OUTDIR/soak-procs.csv" "$OUTDIR/soak-sockets.csv" \
	"$WARM" $((SECS - 1)) "$TW" >"$T/fit" 2>&1
st=$?
sed 's/^FAIL: /  bound broken: /' "$T/fit"
if [ "$st" = 0 ]; then
	pass "RSS, descriptors and sockets flat after the warm-up (table above; CSV in $OUTDIR)"
else
	fail "not flat after the warm-up (CSV in $OUTDIR): $(sed -n 's/^FAIL: //p' "$T/fit" | head -4 | tr '\n' '|')"
fi
[ "$TW" -gt "$SECS" ] && echo "note: TIME_WAIT not checked: less than 30 s after 65 s"
echo "$TEST_NAME: $N_PASS passed, $N_FAIL failed ($(($(date +%s) - T_START)) s)"
finish
