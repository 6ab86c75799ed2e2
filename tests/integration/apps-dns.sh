#!/bin/sh
# Name resolution under nuse-exec --stack=linux: the glibc (getent, curl),
# musl (tests/programs/resolve-musl) and Go (gohttp, pure Go resolver)
# resolvers reach a DNS server on the host side of the TAP through the
# Linux stack, and /etc/hosts keeps working (a name only it has resolves
# with no query on the wire).
#
# resolv.conf and hosts are the test's own, bind-mounted over /etc/ in a
# private mount namespace (unshare -m) around nuse-exec: nothing on the
# host changes, and nuse needs no option for it (a program under nuse reads
# /etc from the host's file system like any other file).
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd python3 unshare getent curl
[ -x "$BUSYBOX" ] || skip "needs busybox-static ($BUSYBOX)"

apps_link
cat >"$T/resolv.conf" <<EOF
nameserver $HOST4
options timeout:2 attempts:2
EOF
cat >"$T/hosts" <<EOF
127.0.0.1 localhost
::1 localhost ip6-localhost
$HOST4 files.nuse.test
EOF
: >"$T/dns.log"
bg ip netns exec "$NS" python3 "$top_srcdir/tests/integration/dns-server.py" "$HOST4" 53 \
	"$T/dns.log" "web.nuse.test=$HOST4,$HOST6" "v4.nuse.test=$HOST4"
wait_for 10 grep -q ready "$BG_OUT" || { fail "DNS server did not start: $(cat "$BG_OUT")"; finish; }
mkdir -p "$T/www"
make_file "$T/www/doc" 1
bg ip netns exec "$NS" "$BUSYBOX" httpd -f -p "$HOST4:8082" -h "$T/www"
wait_tcp "$HOST4" 8082 || { fail "host httpd did not start"; finish; }
DOC_SHA=$(sha "$T/www/doc")

# in_ns MODE CMD...: CMD under nuse with the test's /etc/resolv.conf and
# /etc/hosts; output in $T/out, status in $st.
in_ns() {
	_m=$1
	shift
	tap_free
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf &&
		mount --bind "$2" /etc/hosts && shift 2 && exec "$@"' sh \
		"$T/resolv.conf" "$T/hosts" \
		ip netns exec "$NS" timeout -k 2 60 "$NUSE_EXEC" --mode="$_m" \
		--stack=linux ${ISO_OPT:-} -i "$NUSE_IF" --sysctl net.ipv6.conf.default.accept_dad=0 \
		"$@" >"$T/out" 2>&1
	st=$?
}

# queried NAME: the DNS server was asked about NAME since the last reset.
queried() {
	grep -q "^$1 " "$T/dns.log"
}

expect() {
	if [ "$st" = 0 ] && eval "$2"; then
		pass "$1"
	else
		fail "$1: status $st: $(head -5 "$T/out" | tr '\n' '|') dns: $(tr '\n' ' ' <"$T/dns.log")"
	fi
	: >"$T/dns.log"
}

RESOLVE=$PROGS/resolve-musl
GO=$PROGS/gohttp/gohttp
for m in $APPS_MODES; do
	: >"$T/dns.log"
	ISO_OPT=
	if [ "$m" = preload ]; then
		# glibc's resolver makes its sockets with libc-internal calls
		# the shim cannot see (docs/preload.md): in the program's
		# network namespace they find no network, and no query leaves
		in_ns "$m" getent ahostsv4 web.nuse.test
		if [ "$st" = 2 ] && ! queried web.nuse.test; then
			pass "$m: glibc's own resolver sockets stay in the program's namespace: no query"
		else
			fail "$m: glibc resolver not contained: status $st, dns: $(tr '\n' ' ' <"$T/dns.log")"
		fi
		: >"$T/dns.log"
		# the rest as before: over the host's network, --no-isolate
		ISO_OPT=--no-isolate
	fi
	in_ns "$m" getent ahostsv4 web.nuse.test
	expect "$m: glibc getent ahostsv4 web.nuse.test over DNS" \
		'grep -q "^$HOST4 *STREAM web.nuse.test" "$T/out" && queried web.nuse.test'
	in_ns "$m" getent ahosts web.nuse.test
	expect "$m: glibc getent ahosts (A and AAAA)" \
		'grep -q "^$HOST6 " "$T/out" && grep -q "^$HOST4 " "$T/out"'
	# IPv4 only: "getent hosts" would also ask DNS for the AAAA the file lacks
	in_ns "$m" getent ahostsv4 files.nuse.test
	expect "$m: glibc: /etc/hosts name, no DNS query" \
		'grep -q "^$HOST4 *STREAM files.nuse.test" "$T/out" && ! queried files.nuse.test'
	in_ns "$m" getent hosts nosuch.nuse.test
	if [ "$st" = 2 ] && queried nosuch.nuse.test; then
		pass "$m: glibc: NXDOMAIN is 'not found' (status 2)"
	else
		fail "$m: glibc NXDOMAIN: status $st: $(cat "$T/out")"
	fi
	: >"$T/dns.log"
	in_ns "$m" curl -sf -4 -m 20 -o "$T/got" "http://web.nuse.test:8082/doc"
	expect "$m: curl http://web.nuse.test:8082/doc (glibc resolver), sha256 equal" \
		'[ "$(sha "$T/got")" = "$DOC_SHA" ] && queried web.nuse.test'

	if [ -x "$RESOLVE" ] && applies "$m" "$RESOLVE"; then
		in_ns "$m" "$RESOLVE" web.nuse.test files.nuse.test
		expect "$m: musl getaddrinfo: DNS name (A, AAAA) and /etc/hosts name" \
			'grep -qx "web.nuse.test $HOST4" "$T/out" &&
			grep -qx "web.nuse.test $HOST6" "$T/out" &&
			grep -qx "files.nuse.test $HOST4" "$T/out" &&
			queried web.nuse.test && ! queried files.nuse.test'
	elif [ ! -x "$RESOLVE" ]; then
		echo "SKIP: $m: musl resolver: $RESOLVE not built (needs musl-gcc)"
	fi

	if [ -x "$GO" ] && applies "$m" "$GO"; then
		in_ns "$m" "$GO" -mode=client -url "http://v4.nuse.test:8082/doc" -n 2
		expect "$m: Go resolver (static, pure Go) + GET, sha256 equal" \
			'grep -qx "client: 2/2 ok, size 1048576, sha256 $DOC_SHA" "$T/out" &&
			queried v4.nuse.test'
		in_ns "$m" "$GO" -mode=client -url "http://files.nuse.test:8082/doc" -n 1
		expect "$m: Go resolver: /etc/hosts name, no DNS query" \
			'grep -qx "client: 1/1 ok, size 1048576, sha256 $DOC_SHA" "$T/out" &&
			! queried files.nuse.test'
	elif [ ! -x "$GO" ]; then
		echo "SKIP: $m: Go resolver: $GO not built (needs Go)"
	fi
done
finish
