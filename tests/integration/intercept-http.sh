#!/bin/sh
# HTTP clients against a native busybox httpd on 127.0.0.1: busybox-static
# wget and the host's (dynamic) curl, natively and under each mode; the
# downloaded files must have the served file's sha256.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$BUSYBOX"

mkdir -p "$T/www"
make_file "$T/www/big.bin" 8192
echo "small file" >"$T/www/small.txt"
WANT=$(sha "$T/www/big.bin")
http_start "$T/www"

# fetch NAME MODE CMD...: CMD writes $T/got; check status and sha256.
fetch() {
	_name=$1
	_mode=$2
	shift 2
	rm -f "$T/got"
	if [ "$_mode" = native ]; then
		run "$T/fetch.out" "$T/fetch.err" "$@"
	else
		run "$T/fetch.out" "$T/fetch.err" "$NUSE_EXEC" --stack=host --mode="$_mode" -- "$@"
	fi
	if [ "$ST" != 0 ]; then
		fail "$_name [$_mode]: status $ST"
		sed 's/^/  | /' "$T/fetch.err" | head -5
	elif [ ! -f "$T/got" ] || [ "$(sha "$T/got")" != "$WANT" ]; then
		fail "$_name [$_mode]: downloaded file differs"
	else
		pass "$_name [$_mode]: sha256 ok"
	fi
}

for m in native $(modes_for "$BUSYBOX"); do
	fetch "busybox wget" "$m" "$BUSYBOX" wget -q -O "$T/got" "$HTTP_URL/big.bin"
done
compare "busybox wget -O-" "$BUSYBOX" wget -q -O - "$HTTP_URL/small.txt"
compare "busybox wget 404" "$BUSYBOX" wget -q -O - "$HTTP_URL/missing"

CURL=$(command -v curl || true)
if [ -n "$CURL" ]; then
	for m in native $(modes_for "$CURL"); do
		fetch "curl" "$m" "$CURL" -sf -o "$T/got" "$HTTP_URL/big.bin"
	done
	compare "curl small" "$CURL" -sS "$HTTP_URL/small.txt"
	compare "curl 404" "$CURL" -sf "$HTTP_URL/missing"
	compare "curl refused" "$CURL" -s "http://127.0.0.1:$(free_port)/"
else
	skip_one curl "curl not installed"
fi
finish
