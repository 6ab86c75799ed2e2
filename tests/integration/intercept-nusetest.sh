#!/bin/sh
# nusetest (threads, signals, fork/vfork/spawn, TCP/UDP/UNIX sockets, poll,
# epoll, identity) built three ways: static musl, static-pie glibc and
# dynamic glibc, natively and under each mode.  Only the io_uring_setup
# line may differ: it must say ENOSYS under nuse.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse

# shellcheck disable=SC2317 # called through $FILTER
no_uring() {
	grep -v '^io_uring_setup:'
}

checked=0
for v in nusetest-musl nusetest-static-pie nusetest; do
	P=$PROGS/$v
	if [ ! -x "$P" ]; then
		skip_one "$v" "not built"
		continue
	fi
	checked=1
	FILTER=no_uring
	compare "$v" "$P"
	FILTER=
	for m in $(modes_for "$P"); do
		f=$T/$v.$m.out
		[ -f "$f" ] || continue
		if grep -q '^io_uring_setup: ENOSYS' "$f"; then
			pass "$v [$m]: io_uring_setup refused"
		else
			fail "$v [$m]: io_uring_setup not refused: $(grep '^io_uring_setup' "$f")"
		fi
	done
	compare "$v --exit 3" "$P" --exit 3
	compare "$v --kill TERM" "$P" --kill 15
done
[ "$checked" = 1 ] || skip "no nusetest built"
finish
