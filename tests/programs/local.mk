# tests/programs: real programs the integration tests run natively and
# under every interception mode (see tests/integration).

# nusetest three ways: dynamic glibc, static-pie glibc, static musl.
check_PROGRAMS += tests/programs/nusetest tests/programs/nusetest-static-pie \
	tests/programs/mtserver
tests_programs_nusetest_SOURCES = tests/programs/nusetest.c
tests_programs_nusetest_CFLAGS = $(AM_CFLAGS) -pthread
tests_programs_nusetest_LDFLAGS = -pthread
tests_programs_nusetest_static_pie_SOURCES = tests/programs/nusetest.c
tests_programs_nusetest_static_pie_CFLAGS = $(AM_CFLAGS) -fPIE -pthread
tests_programs_nusetest_static_pie_LDFLAGS = -static-pie -pthread
tests_programs_mtserver_SOURCES = tests/programs/mtserver.c
tests_programs_mtserver_CFLAGS = $(AM_CFLAGS) -pthread
tests_programs_mtserver_LDFLAGS = -pthread

# Built by hand-written rules: another compiler, another toolchain.  The
# integration tests depend on them (tests/integration/intercept.mk); they
# skip what was not configured.
NUSE_TEST_PROGRAMS_EXTRA =
EXTRA_DIST += tests/programs/gohttp/main.go

# Static musl builds, tests/programs/NAME-musl from NAME.c: each .mk adds
# its own to MUSL_TEST_PROGS; the one rule is in tests/local.mk, after
# every list is complete.
MUSL_TEST_PROGS =
if HAVE_MUSL
MUSL_TEST_PROGS += tests/programs/nusetest-musl
NUSE_TEST_PROGRAMS_EXTRA += tests/programs/nusetest-musl
endif

if HAVE_GO
NUSE_TEST_PROGRAMS_EXTRA += tests/programs/gohttp/gohttp
CLEANFILES += tests/programs/gohttp/gohttp
# Static (no cgo), no network: GOPATH mode, caches inside the build tree.
tests/programs/gohttp/gohttp: tests/programs/gohttp/main.go
	@mkdir -p tests/programs/gohttp
	$(AM_V_GEN)CGO_ENABLED=0 GO111MODULE=off GOFLAGS= GOPROXY=off \
		GOCACHE='$(abs_top_builddir)/tests/programs/gohttp/.cache' \
		GOPATH='$(abs_top_builddir)/tests/programs/gohttp/.gopath' \
		$(GO) build -trimpath -o $@ $(srcdir)/tests/programs/gohttp/main.go
endif

# `make test-programs` builds them all without running anything.
test-programs: $(check_PROGRAMS) $(NUSE_TEST_PROGRAMS_EXTRA)
.PHONY: test-programs

# netfuzz: seeded random network calls and the TCP check (tests/fuzz).
check_PROGRAMS += tests/programs/netfuzz
tests_programs_netfuzz_SOURCES = tests/programs/netfuzz.c
