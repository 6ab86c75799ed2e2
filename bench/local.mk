# bench: `make bench` runs every benchmark, `make bench-NAME` one of them;
# each writes bench/results/NAME.csv (metric,subject,value,unit,runs).
EXTRA_DIST += $(BENCHES:%=bench/%.sh)

# The rules themselves are at the end of Makefile.am: a static pattern
# over $(BENCHES) needs the whole list, and a plain `bench-%` pattern would
# also match files such as bench/progs/bench-*.o.

BENCHES += intercept
include bench/progs/local.mk
BENCHES += link
