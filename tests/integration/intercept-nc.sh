#!/bin/sh
# busybox-static nc: a client under each mode talking to a native listener,
# and a listener under each mode answering a native client.  The listener
# runs a handler (-e) that stores the request up to the client's EOF, then
# answers and closes: deterministic in both directions.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$BUSYBOX"

make_file "$T/request" 256
printf 'reply line %s\n' 1 2 3 >"$T/reply"
printf '#!%s sh\n%s cat >"%s"\n%s cat "%s"\n' "$BUSYBOX" "$BUSYBOX" "$T/srv.out" \
	"$BUSYBOX" "$T/reply" >"$T/handler"
chmod +x "$T/handler"

# exchange NAME SERVER_MODE CLIENT_MODE
exchange() {
	_name=$1
	rm -f "$T/srv.out" "$T/cli.out"
	PORT=$(free_port)
	if [ "$2" = native ]; then
		spawn_bg "$BUSYBOX" nc -l -p "$PORT" -e "$T/handler"
	else
		spawn_bg "$NUSE_EXEC" --stack=host --mode="$2" -- "$BUSYBOX" nc -l -p "$PORT" -e "$T/handler"
	fi
	_srv=$BG_LAST
	if ! wait_listen "$PORT"; then
		fail "$_name: listener did not come up"
		return
	fi
	if [ "$3" = native ]; then
		RUN_STDIN=$T/request run "$T/cli.out" "$T/cli.err" "$BUSYBOX" nc 127.0.0.1 "$PORT"
	else
		RUN_STDIN=$T/request run "$T/cli.out" "$T/cli.err" \
			"$NUSE_EXEC" --stack=host --mode="$3" -- "$BUSYBOX" nc 127.0.0.1 "$PORT"
	fi
	_cst=$ST
	# The listener exits once the handler has answered.
	_i=0
	while kill -0 "$_srv" 2>/dev/null && [ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill "$_srv" 2>/dev/null
	wait "$_srv" 2>/dev/null
	_sst=$?
	if [ "$_cst" != 0 ] || [ "$_sst" != 0 ]; then
		fail "$_name: client status $_cst, listener status $_sst"
		sed 's/^/  | /' "$T/cli.err" | head -5
	elif ! cmp -s "$T/cli.out" "$T/reply"; then
		fail "$_name: client received the wrong bytes"
	elif ! cmp -s "$T/srv.out" "$T/request"; then
		fail "$_name: listener received the wrong bytes"
	else
		pass "$_name"
	fi
}

exchange "nc native<->native" native native
for m in $(modes_for "$BUSYBOX"); do
	over_budget && { fail "nc [$m]: time budget used up"; continue; }
	exchange "nc client [$m]" native "$m"
	exchange "nc listener [$m]" "$m" native
done
finish
