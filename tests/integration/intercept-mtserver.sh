#!/bin/sh
# The multi-threaded C server (8 workers) and its client (16 threads):
# client under each mode against a native server, and the server under
# each mode serving a native client.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
MT=$PROGS/mtserver
need_prog "$MT"

CLIENTS=16
REQS=40

# session NAME SERVER_MODE CLIENT_MODE
session() {
	_name=$1
	rm -f "$T/port" "$T/srv.out"
	if [ "$2" = native ]; then
		spawn_bg "$MT" serve -t 8 -c "$CLIENTS" -f "$T/port" >"$T/srv.out" 2>"$T/srv.err"
	else
		spawn_bg "$NUSE_EXEC" --stack=host --mode="$2" -- "$MT" serve -t 8 -c "$CLIENTS" -f "$T/port" \
			>"$T/srv.out" 2>"$T/srv.err"
	fi
	_srv=$BG_LAST
	if ! wait_file "$T/port"; then
		fail "$_name: server did not start"
		sed 's/^/  | /' "$T/srv.err" | head -5
		return
	fi
	if [ "$3" = native ]; then
		run "$T/cli.out" "$T/cli.err" "$MT" client -P "$(cat "$T/port")" -t "$CLIENTS" -r "$REQS"
	else
		run "$T/cli.out" "$T/cli.err" "$NUSE_EXEC" --stack=host --mode="$3" -- \
			"$MT" client -P "$(cat "$T/port")" -t "$CLIENTS" -r "$REQS"
	fi
	_cst=$ST
	_i=0
	while kill -0 "$_srv" 2>/dev/null && [ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill "$_srv" 2>/dev/null
	wait "$_srv" 2>/dev/null
	_sst=$?
	if [ -z "$REF_CLI" ]; then
		REF_CLI=$(cat "$T/cli.out")
		REF_SRV=$(cat "$T/srv.out")
	fi
	if [ "$_cst" != 0 ] || [ "$_sst" != 0 ]; then
		fail "$_name: client status $_cst, server status $_sst"
		sed 's/^/  | /' "$T/cli.err" "$T/srv.err" | head -5
	elif [ "$(cat "$T/cli.out")" != "$REF_CLI" ] || [ "$(cat "$T/srv.out")" != "$REF_SRV" ]; then
		fail "$_name: output differs from native"
		cat "$T/cli.out" "$T/srv.out" | sed 's/^/  | /'
	else
		pass "$_name: $(cat "$T/cli.out")"
	fi
}

REF_CLI=
session "mtserver native" native native
case "$REF_CLI" in
"mtclient: $CLIENTS/$CLIENTS clients ok"*) ;;
*) fail "native run: $REF_CLI" ;;
esac
for m in $(modes_for "$MT"); do
	over_budget && { fail "mtserver [$m]: time budget used up"; continue; }
	session "mtserver client [$m]" native "$m"
	session "mtserver server [$m]" "$m" native
done
finish
