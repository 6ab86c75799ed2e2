# tests: Check unit tests and integration tests with real programs.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	NUSE_EXEC='$(abs_top_builddir)/nuse-exec'; \
	export top_srcdir top_builddir NUSE_EXEC;
EXTRA_DIST += tests/integration/lib.sh

check_PROGRAMS += tests/unit/test_options
tests_unit_test_options_SOURCES = tests/unit/test_options.c
tests_unit_test_options_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_options_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_options_LDADD = src/tracer/libnuse-tracer.a $(BACKEND_LIBS) \
	$(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_options

check_PROGRAMS += tests/unit/test_program
tests_unit_test_program_SOURCES = tests/unit/test_program.c
tests_unit_test_program_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_program_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_program_LDADD = src/tracer/libnuse-tracer.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_program

check_PROGRAMS += tests/unit/test_probe
tests_unit_test_probe_SOURCES = tests/unit/test_probe.c
tests_unit_test_probe_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_probe_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_probe_LDADD = src/tracer/libnuse-tracer.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_probe

check_PROGRAMS += tests/unit/test_filter
tests_unit_test_filter_SOURCES = tests/unit/test_filter.c
tests_unit_test_filter_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_filter_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_filter_LDADD = src/tracer/libnuse-tracer.a \
	src/tracer/libnuse-rt.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_filter

check_PROGRAMS += tests/unit/test_paths
tests_unit_test_paths_SOURCES = tests/unit/test_paths.c
tests_unit_test_paths_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_paths_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_paths_LDADD = src/tracer/libnuse-tracer.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_paths

check_PROGRAMS += tests/unit/test_rt
tests_unit_test_rt_SOURCES = tests/unit/test_rt.c
tests_unit_test_rt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_rt_LDFLAGS = $(SAN_CFLAGS) -no-pie
tests_unit_test_rt_LDADD = src/tracer/libnuse-rt.a src/backend/libnuse-host.a \
	$(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_rt
TESTS += $(UNIT_TESTS)

# The unit tests again, code under test compiled in, with ASan+UBSan: part
# of `make check`, alone with `make check-sanitizers`.  Other layers add
# their twins to UNIT_SAN_TESTS.
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
check_PROGRAMS += $(UNIT_SAN_TESTS)
TESTS += $(UNIT_SAN_TESTS)

UNIT_SAN_TESTS += tests/unit/test_options-san
tests_unit_test_options_san_SOURCES = tests/unit/test_options.c \
	src/tracer/options.c
tests_unit_test_options_san_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ASAN_FLAGS)
tests_unit_test_options_san_LDFLAGS = $(ASAN_FLAGS)
tests_unit_test_options_san_LDADD = $(BACKEND_LIBS) $(CHECK_LIBS)

UNIT_SAN_TESTS += tests/unit/test_program-san
tests_unit_test_program_san_SOURCES = tests/unit/test_program.c \
	src/tracer/program.c
tests_unit_test_program_san_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ASAN_FLAGS)
tests_unit_test_program_san_LDFLAGS = $(ASAN_FLAGS)
tests_unit_test_program_san_LDADD = $(CHECK_LIBS)

UNIT_SAN_TESTS += tests/unit/test_filter-san
tests_unit_test_filter_san_SOURCES = tests/unit/test_filter.c \
	src/tracer/filter.c src/tracer/netcalls.c src/tracer/abis.c
tests_unit_test_filter_san_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ASAN_FLAGS)
tests_unit_test_filter_san_LDFLAGS = $(ASAN_FLAGS)
tests_unit_test_filter_san_LDADD = $(CHECK_LIBS)

# The runtime keeps its own flags (no libc, no SSE) under the sanitizers.
UNIT_SAN_TESTS += tests/unit/test_rt-san
tests_unit_test_rt_san_SOURCES = tests/unit/test_rt.c \
	$(src_tracer_libnuse_rt_a_SOURCES)
tests_unit_test_rt_san_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(RT_CFLAGS) \
	$(ASAN_FLAGS)
tests_unit_test_rt_san_LDFLAGS = $(ASAN_FLAGS) -no-pie
tests_unit_test_rt_san_LDADD = src/backend/libnuse-host.a $(CHECK_LIBS)

check-sanitizers:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(UNIT_SAN_TESTS)'
.PHONY: check-sanitizers
TESTS += tests/integration/sud-rewrite.sh
EXTRA_DIST += tests/integration/sud-rewrite.sh
include tests/programs/local.mk
include tests/integration/intercept.mk
include tests/integration/supervisor.mk
include tests/link/link.mk
include tests/integration/stack-linux.mk
include tests/integration/apps.mk
include tests/package/local.mk
include tests/escape/local.mk

# The static musl test programs the included files listed (-pthread: for
# the ones that use threads; harmless to the others).
if HAVE_MUSL
CLEANFILES += $(MUSL_TEST_PROGS)
$(MUSL_TEST_PROGS): tests/programs/%-musl: tests/programs/%.c tests/programs/check.h
	@mkdir -p tests/programs
	$(AM_V_CC)$(MUSL_GCC) -std=gnu11 -D_GNU_SOURCE $(WARN_CFLAGS) -O2 -static -pthread \
		-o $@ $(srcdir)/tests/programs/$*.c
endif
include tests/nofsgs.mk
include tests/unpriv.mk
include tests/conformance/local.mk
include tests/fuzz/local.mk
include tests/soak/local.mk
