#!/bin/sh
# busybox-static wget under nuse-exec --stack=linux fetches 64 MiB from a
# host-kernel nginx over a TAP (IPv4, then 1 MiB over IPv6); the file's
# sha256 must match. The Linux stack in nuse-exec is the only way to the
# server: it listens on the TAP's host side inside a namespace of its own.
# shellcheck source=tests/integration/apps-lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/apps-lib.sh"
need_apps
need_cmd nginx python3
[ -x "$BUSYBOX" ] || skip "needs busybox-static ($BUSYBOX)"

apps_link
mkdir -p "$T/www"
make_file "$T/www/big" 64
make_file "$T/www/small" 1
nginx_conf "$T/nginx.conf" "$T/www" 8080 "master_process off;"
sed -i "s/listen 8080;/listen $HOST4:8080; listen [$HOST6]:8080;/" "$T/nginx.conf"
bg ip netns exec "$NS" nginx -c "$T/nginx.conf" -p "$T"
wait_tcp "$HOST4" 8080 || { fail "host nginx did not start: $(cat "$BG_OUT" "$T/nginx-error.log")"; finish; }

for m in $APPS_MODES; do
	applies "$m" "$BUSYBOX" || continue
	rm -f "$T/got"
	nuse "$m" "$BUSYBOX" wget -q -O "$T/got" "http://$HOST4:8080/big" >"$T/out" 2>&1
	st=$?
	if [ "$st" = 0 ] && [ "$(sha "$T/got")" = "$(sha "$T/www/big")" ]; then
		pass "$m: busybox wget 64 MiB from the host's nginx over TAP, sha256 equal"
	else
		fail "$m: wget: status $st, $(wc -c <"$T/got" 2>/dev/null) bytes: $(head -5 "$T/out")"
	fi
	rm -f "$T/got"
	nuse "$m" "$BUSYBOX" wget -q -O "$T/got" "http://[$HOST6]:8080/small" >"$T/out" 2>&1
	st=$?
	if [ "$st" = 0 ] && [ "$(sha "$T/got")" = "$(sha "$T/www/small")" ]; then
		pass "$m: busybox wget 1 MiB over IPv6, sha256 equal"
	else
		fail "$m: wget over IPv6: status $st: $(head -5 "$T/out")"
	fi
done
finish
