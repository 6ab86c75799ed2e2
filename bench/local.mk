# bench: `make bench` runs every benchmark, `make bench-NAME` one of them;
# each writes bench/results/NAME.csv (metric,subject,value,unit,runs).
EXTRA_DIST += $(BENCHES:%=bench/%.sh)

bench: $(BENCHES:%=bench-%)

bench-%: all
	@mkdir -p bench/results
	NUSE_EXEC='$(abs_top_builddir)/nuse-exec' top_builddir='$(abs_top_builddir)' \
		top_srcdir='$(abs_top_srcdir)' $(SHELL) $(srcdir)/bench/$*.sh

.PHONY: bench

BENCHES += intercept
include bench/progs/local.mk
