# bench: `make bench` runs every benchmark, `make bench-NAME` one of them;
# each writes bench/results/NAME.csv (metric,subject,value,unit,runs).
# `make bench` then draws every CSV as bench/results/NAME.png (bench/chart.sh,
# gnuplot); `make bench-chart` redraws them alone.
EXTRA_DIST += $(BENCHES:%=bench/%.sh) bench/chart.sh

# The rules themselves are at the end of Makefile.am: a static pattern
# over $(BENCHES) needs the whole list, and a plain `bench-%` pattern would
# also match files such as bench/progs/bench-*.o.

BENCHES += intercept
include bench/progs/local.mk
BENCHES += link
BENCHES += apps
BENCHES += conformance
BENCHES += conns

# After every benchmark (the prerequisites of `bench`, in Makefile.am).
bench:
	@$(MAKE) $(AM_MAKEFLAGS) bench-chart
bench-chart:
	top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/bench/chart.sh
.PHONY: bench-chart
