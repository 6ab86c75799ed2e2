#!/bin/sh
# bench-stack: the stack as a library against the host kernel's own stack.
#   boot_ms        median of 20 boots (each a fresh process) to a first socket
#   rss_mib        resident memory the booted stack adds to the process
#   lo_tcp_gbps    TCP stream over loopback (nuse's own lo vs the host's)
#   lo_tcp_rr_us   1-byte TCP request/response round trip
#   rr_syscalls    host system calls per round trip (strace -f -c of 2,000)
#   syscalls_per_mib  host system calls per MiB streamed (strace -f -c, 1 s)
# Subjects: host-kernel; nuse (direct copies: nuse_direct_copies(), what an
# embedder is told to do); nuse-pvm (a process_vm_readv/writev per copy: an
# embedder without the fault handler).  Stream and round-trip figures are
# medians of ROUNDS rounds (default 5), the subjects interleaved in each.
# The system call counts carry across machines: where a call costs 1 us
# (PTI) instead of 0.1, they are what the figures scale with.
. "${top_srcdir:-.}/bench/lib.sh"
B=${top_builddir:-.}/bench/stack-bench
[ -x "$B" ] || { echo "bench-stack: $B not built" >&2; exit 1; }
ROUNDS=${ROUNDS:-5}
SUBJECTS="host-kernel nuse nuse-pvm"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

bench_begin stack

runs() { # N CMD...: prints N results
	n=$1; shift
	i=0
	while [ $i -lt "$n" ]; do "$@" || exit 1; i=$((i + 1)); done
}
arg() { # SUBJECT: stack-bench's name for it
	case $1 in host-kernel) echo host ;; *) echo "$1" ;; esac
}

v=$(runs 20 "$B" boot | median); bench_row boot_ms nuse "$v" ms 20
v=$(runs 5 "$B" rss | median); bench_row rss_mib nuse "$v" MiB 5

r=0
while [ $r -lt "$ROUNDS" ]; do
	for s in $SUBJECTS; do
		"$B" stream "$(arg $s)" 2 2>/dev/null >>"$W/gbps.$s" || exit 1
		"$B" rr "$(arg $s)" 20000 >>"$W/rr.$s" || exit 1
	done
	r=$((r + 1))
done
for s in $SUBJECTS; do
	bench_row lo_tcp_gbps "$s" "$(median <"$W/gbps.$s")" Gbit/s "$ROUNDS"
done
for s in $SUBJECTS; do
	bench_row lo_tcp_rr_us "$s" "$(median <"$W/rr.$s")" us "$ROUNDS"
done

# strace -c's total line: "100.00 SECONDS USECS CALLS [ERRORS] total"
calls() { awk '$NF == "total" { print $4 }' "$1"; }
if command -v strace >/dev/null 2>&1; then
	for s in $SUBJECTS; do
		for i in 1 2 3; do
			strace -f -c -o "$W/c" "$B" rr "$(arg $s)" 2000 >/dev/null || exit 1
			echo "$(calls "$W/c")" | awk '{ printf "%.2f\n", $1 / 2000 }'
		done | median >"$W/v"
		bench_row rr_syscalls "$s" "$(cat "$W/v")" calls 3
	done
	for s in $SUBJECTS; do
		for i in 1 2 3; do
			strace -f -c -o "$W/c" "$B" stream "$(arg $s)" 1 2>"$W/e" >/dev/null || exit 1
			awk -v n="$(calls "$W/c")" '$1 == "mib" { printf "%.2f\n", n / $2 }' "$W/e"
		done | median >"$W/v"
		bench_row syscalls_per_mib "$s" "$(cat "$W/v")" calls 3
	done
else
	echo "bench-stack: no strace: system call counts not measured" >&2
fi

bench_target lo_tcp_gbps nuse ge 0.7 host-kernel
bench_target lo_tcp_rr_us nuse le 1.5 host-kernel
bench_target rr_syscalls nuse le 1 host-kernel
bench_end
awk -F, '$1 == "boot_ms" { printf "boot_ms target <= 20: %s\n", ($3 <= 20) ? "MET" : "NOT MET" }
	 $1 == "rss_mib" { printf "rss_mib target <= 32: %s\n", ($3 <= 32) ? "MET" : "NOT MET" }' "$BENCH_CSV"
