# bench/progs: micro-benchmarks run by bench/intercept.sh natively and
# under each interception mode; dynamic glibc so --mode=preload applies.
noinst_PROGRAMS += bench/progs/bench-getppid bench/progs/bench-udp
bench_progs_bench_getppid_SOURCES = bench/progs/bench-getppid.c
bench_progs_bench_udp_SOURCES = bench/progs/bench-udp.c
