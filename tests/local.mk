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
tests_unit_test_options_LDADD = src/tracer/libnuse-tracer.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_options

check_PROGRAMS += tests/unit/test_program
tests_unit_test_program_SOURCES = tests/unit/test_program.c
tests_unit_test_program_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_program_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_program_LDADD = src/tracer/libnuse-tracer.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_program

check_PROGRAMS += tests/unit/test_rt
tests_unit_test_rt_SOURCES = tests/unit/test_rt.c
tests_unit_test_rt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_rt_LDFLAGS = $(SAN_CFLAGS) -no-pie
tests_unit_test_rt_LDADD = src/tracer/libnuse-rt.a $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_rt
TESTS += $(UNIT_TESTS)

# Unit tests under ASan+UBSan in a separate build tree.
check-sanitizers:
	rm -rf $(abs_top_builddir)/_build-san && mkdir -p $(abs_top_builddir)/_build-san
	cd $(abs_top_builddir)/_build-san && $(abs_top_srcdir)/configure --enable-sanitizers \
		--with-linux-source=$(LINUX_SOURCE) && \
		$(MAKE) check TESTS='$(UNIT_TESTS)'
.PHONY: check-sanitizers
include tests/programs/local.mk
include tests/integration/intercept.mk
include tests/integration/supervisor.mk
