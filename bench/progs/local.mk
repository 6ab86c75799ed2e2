# bench/progs: micro-benchmarks run by bench/intercept.sh natively and
# under each interception mode; dynamic glibc so --mode=preload applies.
# (Names avoid the "bench-" prefix, which the benchmark targets use.)
noinst_PROGRAMS += bench/progs/getppid-loop bench/progs/udp-pingpong
bench_progs_getppid_loop_SOURCES = bench/progs/getppid-loop.c
bench_progs_udp_pingpong_SOURCES = bench/progs/udp-pingpong.c

# bench/apps.sh: TCP round trips and connections held on loopback, run
# natively and under nuse-exec --stack=linux (threads are in glibc >= 2.34).
noinst_PROGRAMS += bench/progs/tcp-rr bench/progs/conns-held
bench_progs_tcp_rr_SOURCES = bench/progs/tcp-rr.c
bench_progs_conns_held_SOURCES = bench/progs/conns-held.c
