# bench/progs: micro-benchmarks run by bench/intercept.sh natively and
# under each interception mode; dynamic glibc so --mode=preload applies.
# (Names avoid the "bench-" prefix, which the benchmark targets use.)
noinst_PROGRAMS += bench/progs/getppid-loop bench/progs/udp-pingpong
bench_progs_getppid_loop_SOURCES = bench/progs/getppid-loop.c
bench_progs_udp_pingpong_SOURCES = bench/progs/udp-pingpong.c
