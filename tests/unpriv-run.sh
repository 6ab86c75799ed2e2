#!/bin/sh
# tests/unpriv-run.sh NAME: run tests/integration/NAME.sh (or
# tests/escape/NAME.sh) as an unprivileged user (nobody), from a copy of
# what it needs in a directory
# that user can read (the build tree may be under a private home).  The
# copy is removed afterwards, also when the test fails.
set -u
name=$1
: "${top_srcdir:?}" "${top_builddir:?}"
[ "$(id -u)" = 0 ] ||
	{ echo "SKIP: $name: already unprivileged: the plain run checks this"; exit 77; }
command -v setpriv >/dev/null 2>&1 ||
	{ echo "SKIP: $name: needs setpriv (util-linux)"; exit 77; }
uid=$(id -u nobody 2>/dev/null) ||
	{ echo "SKIP: $name: no user nobody"; exit 77; }
gid=$(id -g nobody)

S=$(mktemp -d /tmp/nuse-unpriv.XXXXXX) || exit 99
trap 'rm -rf "$S"' EXIT
trap 'exit 143' INT TERM HUP
mkdir -p "$S/tests/programs" "$S/tests/integration" "$S/tests/backend" \
	"$S/tests/link" "$S/src/stack" "$S/src/backend" "$S/tmp"
cp "$top_builddir/nuse-exec" "$top_builddir/libnuse-preload.so" "$S/"
cp "$top_builddir/src/stack/nuse-node" "$S/src/stack/"
for f in "$top_builddir"/tests/programs/*; do
	[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$S/tests/programs/"
done
if [ -x "$top_builddir/tests/programs/gohttp/gohttp" ]; then
	mkdir -p "$S/tests/programs/gohttp"
	cp "$top_builddir/tests/programs/gohttp/gohttp" "$S/tests/programs/gohttp/"
fi
cp "$top_srcdir"/tests/integration/*.sh "$top_srcdir"/tests/integration/*.lib \
	"$top_srcdir"/tests/integration/*.py "$top_srcdir"/tests/escape/*.sh \
	"$S/tests/integration/"
cp "$top_srcdir"/tests/backend/lib.sh "$S/tests/backend/"
cp "$top_srcdir"/tests/link/lib.sh "$S/tests/link/"
chmod -R a+rX "$S"
chmod 1777 "$S/tmp"

# No capabilities at all, not even inherited ones.
setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
	env HOME="$S/tmp" PATH=/usr/local/bin:/usr/bin:/bin TMPDIR="$S/tmp" \
	top_srcdir="$S" top_builddir="$S" NUSE_EXEC="$S/nuse-exec" \
	sh "$S/tests/integration/$name.sh"
