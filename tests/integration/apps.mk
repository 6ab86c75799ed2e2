# Applications under nuse-exec --stack=linux on a TAP against host-kernel
# peers (issue 6 items 4, 5, 7; docs/apps.md). Root; each test makes and
# removes its own namespace. Modes: NUSE_APPS_MODES (default sud seccomp
# unotify ptrace preload; preload for dynamic programs only).
APPS_TESTS = \
	tests/integration/apps-wget.sh \
	tests/integration/apps-go.sh \
	tests/integration/apps-iperf3.sh \
	tests/integration/apps-nginx.sh \
	tests/integration/apps-iproute.sh \
	tests/integration/apps-links.sh \
	tests/integration/apps-dns.sh \
	tests/integration/apps-procfs.sh
TESTS += $(APPS_TESTS)
EXTRA_DIST += $(APPS_TESTS) tests/integration/apps.mk \
	tests/integration/apps-lib.sh tests/integration/dns-server.py \
	tests/programs/resolve.c

# The musl resolver's test program (static, musl's getaddrinfo).
APPS_EXTRA_PROGS =
if HAVE_MUSL
MUSL_TEST_PROGS += tests/programs/resolve-musl
APPS_EXTRA_PROGS += tests/programs/resolve-musl
endif
test-programs: $(APPS_EXTRA_PROGS)

$(APPS_TESTS:.sh=.log): nuse-exec $(NUSE_TEST_PROGRAMS_EXTRA) $(APPS_EXTRA_PROGS)

# Only these tests: make check-apps
check-apps:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(APPS_TESTS)'
.PHONY: check-apps
