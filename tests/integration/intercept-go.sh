#!/bin/sh
# The static Go program (raw syscalls, goroutines, GC, signals with its own
# restorer): HTTP server and 300-goroutine client in one process; then a Go
# client under each mode against a native Go server, and a Go server under
# each mode serving a native Go client.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
GOHTTP=$PROGS/gohttp/gohttp
need_prog "$GOHTTP"

compare "gohttp both" "$GOHTTP" -n 300

# A native server for the clients under test.
spawn_bg "$GOHTTP" -mode=server -portfile "$T/port" >/dev/null
wait_file "$T/port" || { fail "native Go server did not start"; finish; }
URL=http://127.0.0.1:$(cat "$T/port")/data/12345
compare "gohttp client" "$GOHTTP" -mode=client -n 100 -url "$URL"

# Each server under test exits after 51 requests (50 + the final fetch).
run "$T/ref.out" "$T/ref.err" "$GOHTTP" -mode=client -n 50 -url "$URL"
REF=$(cat "$T/ref.out")
for m in $(modes_for "$GOHTTP"); do
	over_budget && { fail "gohttp server [$m]: time budget used up"; continue; }
	rm -f "$T/sport"
	spawn_bg "$NUSE_EXEC" --stack=host --mode="$m" -- "$GOHTTP" -mode=server -requests 51 -portfile "$T/sport" \
		>"$T/srv.out" 2>"$T/srv.err"
	srv=$BG_LAST
	if ! wait_file "$T/sport"; then
		fail "gohttp server [$m]: did not start"
		sed 's/^/  | /' "$T/srv.err" | head -5
		kill "$srv" 2>/dev/null
		continue
	fi
	run "$T/cli.out" "$T/cli.err" "$GOHTTP" -mode=client -n 50 \
		-url "http://127.0.0.1:$(cat "$T/sport")/data/12345"
	i=0
	while kill -0 "$srv" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	sst=$?
	if [ "$ST" = 0 ] && [ "$sst" = 0 ] && [ "$(cat "$T/cli.out")" = "$REF" ] &&
		[ "$(cat "$T/srv.out")" = "server: served 51 requests" ]; then
		pass "gohttp server [$m]"
	else
		fail "gohttp server [$m]: client status $ST, server status $sst"
		cat "$T/cli.out" "$T/srv.out" "$T/srv.err" | head -10 | sed 's/^/  | /'
	fi
done
finish
