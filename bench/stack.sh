#!/bin/sh
# bench-stack: the stack as a library against the host kernel's own stack.
#   boot_ms       median of 20 boots (each a fresh process) to a first socket
#   rss_mib       resident memory the booted stack adds to the process
#   lo_tcp_gbps   TCP stream over loopback (nuse's own lo vs the host's)
#   lo_tcp_rr_us  1-byte TCP request/response round trip
. "${top_srcdir:-.}/bench/lib.sh"
B=${top_builddir:-.}/bench/stack-bench
[ -x "$B" ] || { echo "bench-stack: $B not built" >&2; exit 1; }

bench_begin stack

runs() { # N CMD...: prints N results
	n=$1; shift
	i=0
	while [ $i -lt "$n" ]; do "$@" || exit 1; i=$((i + 1)); done
}

v=$(runs 20 "$B" boot | median); bench_row boot_ms nuse "$v" ms 20
v=$(runs 5 "$B" rss | median); bench_row rss_mib nuse "$v" MiB 5
for s in host-kernel nuse; do
	m=${s%-kernel}
	v=$(runs 3 "$B" stream "$m" 3 | median); bench_row lo_tcp_gbps "$s" "$v" Gbit/s 3
done
for s in host-kernel nuse; do
	m=${s%-kernel}
	v=$(runs 3 "$B" rr "$m" 20000 | median); bench_row lo_tcp_rr_us "$s" "$v" us 3
done

bench_target lo_tcp_gbps nuse ge 0.7 host-kernel
bench_target lo_tcp_rr_us nuse le 1.5 host-kernel
bench_end
awk -F, '$1 == "boot_ms" { printf "boot_ms target <= 20: %s\n", ($3 <= 20) ? "MET" : "NOT MET" }
	 $1 == "rss_mib" { printf "rss_mib target <= 32: %s\n", ($3 <= 32) ? "MET" : "NOT MET" }' "$BENCH_CSV"
