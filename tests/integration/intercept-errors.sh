#!/bin/sh
# nuse-exec's own statuses: 127 program not found, 126 not executable, not
# ELF, wrong architecture, 32-bit, static under preload; 2 and usage for a
# bad option.  Every mode must agree.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse

# elf_header PATH CLASS MACHINE: a 64-byte ELF header, executable bit set.
elf_header() {
	python3 -c 'import struct, sys
cls, mach = int(sys.argv[2]), int(sys.argv[3])
ident = b"\x7fELF" + bytes([cls, 1, 1, 0]) + bytes(8)
hdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, mach, 1, 0x400000, 64, 0, 0, 64, 56, 0, 64, 0, 0)
open(sys.argv[1], "wb").write(hdr)' "$1" "$2" "$3"
	chmod +x "$1"
}

elf_header "$T/aarch64" 2 183
elf_header "$T/i386" 1 3
printf 'just text\n' >"$T/text"
chmod +x "$T/text"
printf 'not executable\n' >"$T/noexec"
mkdir "$T/adir"

# message NAME PATTERN: the last stderr must match PATTERN (grep -E).
message() {
	if grep -Eqi "$2" "$T/last.err"; then
		pass "$1: message"
	else
		fail "$1: message does not match /$2/"
		sed 's/^/  | /' "$T/last.err" | head -5
	fi
}

for m in $MODES; do
	expect_status "missing [$m]" 127 "$NUSE_EXEC" --stack=host --mode="$m" -- "$T/nonexistent" &&
		message "missing [$m]" "nonexistent"
	expect_status "not in PATH [$m]" 127 "$NUSE_EXEC" --stack=host --mode="$m" -- nuse-no-such-program &&
		message "not in PATH [$m]" "not found"
	expect_status "not executable [$m]" 126 "$NUSE_EXEC" --stack=host --mode="$m" -- "$T/noexec" &&
		message "not executable [$m]" "permission denied"
	expect_status "directory [$m]" 126 "$NUSE_EXEC" --stack=host --mode="$m" -- "$T/adir"
	expect_status "not ELF [$m]" 126 "$NUSE_EXEC" --stack=host --mode="$m" -- "$T/text" &&
		message "not ELF [$m]" "ELF|exec format"
	expect_status "aarch64 [$m]" 126 "$NUSE_EXEC" --stack=host --mode="$m" -- "$T/aarch64" &&
		message "aarch64 [$m]" "architecture|machine"
	expect_status "32-bit [$m]" 126 "$NUSE_EXEC" --stack=host --mode="$m" -- "$T/i386" &&
		message "32-bit [$m]" "32-bit|class"
	# -v and an explicit --stack=host change nothing on stdout or the status.
	if expect_status "-v --stack=host [$m]" 3 "$NUSE_EXEC" -v --stack=host -m "$m" -- \
		/bin/sh -c 'echo ok; exit 3'; then
		if [ "$(cat "$T/last.out")" = ok ]; then
			pass "-v --stack=host [$m]: stdout"
		else
			fail "-v --stack=host [$m]: stdout '$(head -c 100 "$T/last.out")'"
		fi
	fi
done

if [ -x "$BUSYBOX" ] && ! is_dynamic "$BUSYBOX"; then
	expect_status "static under preload" 126 "$NUSE_EXEC" --stack=host --mode=preload -- "$BUSYBOX" true &&
		message "static under preload" "sud.*seccomp.*ptrace.*unotify"
fi

expect_status "unknown option" 2 "$NUSE_EXEC" --bogus-option -- /bin/true &&
	message "unknown option" "bogus-option" && message "unknown option usage" "usage"
expect_status "unknown mode" 2 "$NUSE_EXEC" --stack=host --mode=nonsense -- /bin/true &&
	message "unknown mode" "nonsense" && message "unknown mode usage" "usage"
expect_status "unknown short option" 2 "$NUSE_EXEC" -Z /bin/true &&
	message "unknown short option" "Z" && message "unknown short option usage" "usage"
expect_status "no program" 2 "$NUSE_EXEC" --stack=host --mode=preload &&
	message "no program usage" "usage"
expect_status "help" 0 "$NUSE_EXEC" --help
expect_status "version" 0 "$NUSE_EXEC" --version
finish
