#!/bin/sh
# ls and env, busybox (static) and the host's (dynamic), natively and under
# each mode.  env is compared with nuse's own variables filtered out.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse

mkdir -p "$T/dir/sub"
for f in alpha beta gamma; do
	echo "$f" >"$T/dir/$f"
done
ln -s alpha "$T/dir/link"
touch -d @1000000000 "$T/dir" "$T/dir"/* "$T/dir/sub"

if [ -x "$BUSYBOX" ]; then
	compare "busybox ls" "$BUSYBOX" ls -lA "$T/dir"
	compare "busybox ls missing" "$BUSYBOX" ls "$T/missing"
else
	skip_one "busybox ls" "busybox not available"
fi
compare "ls" /bin/ls -lA --time-style=+%s "$T/dir"
compare "ls missing" /bin/ls "$T/missing"

FILTER=env_filter
# shellcheck disable=SC2317 # called through $FILTER
env_filter() {
	grep -v -e '^NUSE_' -e '^LD_PRELOAD=' | sort
}
if [ -x "$BUSYBOX" ]; then
	compare "busybox env" "$BUSYBOX" env
fi
compare "env" /usr/bin/env
finish
