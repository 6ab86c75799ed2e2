#!/bin/sh
# sud rewrites syscall sites into calls through page 0: the page is there,
# executable and never writable, only in sud mode; a NULL write still
# faults as natively.
. "${top_srcdir:-.}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || [ "$(cat /proc/sys/vm/mmap_min_addr)" = 0 ] ||
	skip "mapping page 0 needs root or vm.mmap_min_addr=0"

page0() {
	"$NUSE_EXEC" --stack=host --mode="$1" -- "$BUSYBOX" head -1 /proc/self/maps | cut -d' ' -f1,2
}

v=$(page0 sud)
case "$v" in
"00000000-00001000 --xp" | "00000000-00001000 r-xp") pass "sud: page 0 mapped ($v)" ;;
*) fail "sud: page 0 not mapped as the sled: '$v'" ;;
esac
for m in sud-trap seccomp; do
	v=$(page0 "$m")
	case "$v" in
	00000000-*) fail "$m: page 0 mapped: '$v'" ;;
	*) pass "$m: no page 0" ;;
	esac
done

# A write through NULL: SIGSEGV natively and under sud.
cat >"$T/nullw.c" <<'C'
int main(void) { *(volatile int *)0 = 1; return 0; }
C
if cc -o "$T/nullw" "$T/nullw.c" 2>/dev/null; then
	"$T/nullw" 2>/dev/null
	native=$?
	"$NUSE_EXEC" --stack=host --mode=sud -- "$T/nullw" 2>/dev/null
	under=$?
	if [ "$native" = "$under" ]; then
		pass "NULL write: status $under as natively"
	else
		fail "NULL write: native $native, sud $under"
	fi
else
	skip_one "NULL write" "no C compiler"
fi
finish
