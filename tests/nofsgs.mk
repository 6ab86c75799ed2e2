# The integration tests and the host services' unit test a second time
# with the FS/GS fallback forced (NUSE_NO_FSGSBASE=1, docs/design.md
# "What nuse needs from the machine"): `make check` proves both paths on
# a machine with FSGSBASE, and the fallback is all a machine without it
# has.  Each wrapper runs the original script, whose log it gets.
NOFSGS_ORIGINALS = $(INTERCEPT_TESTS) $(SUPERVISOR_TESTS) $(APPS_TESTS) \
	$(STACK_LINUX_MODES_TESTS) tests/integration/stack-linux.sh \
	tests/integration/session.sh tests/integration/stack-faults.sh \
	tests/integration/stack-exit.sh tests/integration/sud-rewrite.sh \
	tests/integration/stack-signals.sh
# Named one by one: automake rewrites TESTS itself and drops a pattern
# substitution ($(VAR:a%=b%) became $(VAR): the originals ran twice and
# these never), so keep this list in step with NOFSGS_ORIGINALS.
NOFSGS_TESTS = \
	tests/nofsgs/intercept-errors.sh tests/nofsgs/intercept-shell.sh \
	tests/nofsgs/intercept-coreutils.sh tests/nofsgs/intercept-nusetest.sh \
	tests/nofsgs/intercept-http.sh tests/nofsgs/intercept-nc.sh \
	tests/nofsgs/intercept-mtserver.sh tests/nofsgs/intercept-go.sh \
	tests/nofsgs/intercept-nginx.sh tests/nofsgs/supervisor-status.sh \
	tests/nofsgs/supervisor-tree.sh tests/nofsgs/supervisor-threads.sh \
	tests/nofsgs/supervisor-iouring.sh tests/nofsgs/supervisor-tcp.sh \
	tests/nofsgs/supervisor-signals.sh tests/nofsgs/supervisor-background.sh \
	tests/nofsgs/supervisor-verbose.sh tests/nofsgs/supervisor-tty.sh \
	tests/nofsgs/apps-wget.sh tests/nofsgs/apps-go.sh \
	tests/nofsgs/apps-iperf3.sh tests/nofsgs/apps-nginx.sh \
	tests/nofsgs/apps-iproute.sh tests/nofsgs/apps-links.sh \
	tests/nofsgs/apps-dns.sh tests/nofsgs/apps-procfs.sh \
	tests/nofsgs/stack-linux-preload.sh tests/nofsgs/stack-linux-unotify.sh \
	tests/nofsgs/stack-linux-ptrace.sh tests/nofsgs/stack-linux.sh \
	tests/nofsgs/session.sh tests/nofsgs/stack-faults.sh \
	tests/nofsgs/stack-exit.sh tests/nofsgs/sud-rewrite.sh \
	tests/nofsgs/stack-signals.sh tests/nofsgs/test_host.sh
TESTS += $(NOFSGS_TESTS)
check_SCRIPTS += $(NOFSGS_TESTS)
CLEANFILES += $(NOFSGS_TESTS)
EXTRA_DIST += tests/nofsgs.mk

tests/nofsgs/%.sh: tests/integration/%.sh
	@mkdir -p tests/nofsgs
	@printf '%s\n' '#!/bin/sh' '# generated (tests/nofsgs.mk): $< with NUSE_NO_FSGSBASE=1' \
		'NUSE_NO_FSGSBASE=1; export NUSE_NO_FSGSBASE' \
		'exec $${SHELL:-/bin/sh} "$$top_srcdir/tests/integration/$*.sh" "$$@"' >$@
tests/nofsgs/test_host.sh: tests/stack/test_host
	@mkdir -p tests/nofsgs
	@printf '%s\n' '#!/bin/sh' '# generated (tests/nofsgs.mk): test_host with NUSE_NO_FSGSBASE=1' \
		'NUSE_NO_FSGSBASE=1; export NUSE_NO_FSGSBASE' \
		'exec "$$top_builddir/tests/stack/test_host"' >$@

# What the originals' logs wait for (their own rules in the files above).
$(NOFSGS_TESTS:.sh=.log): nuse-exec libnuse-preload.so \
	$(NUSE_TEST_PROGRAMS_EXTRA) $(NUSE_SESSION_TEST_EXTRA) \
	$(NUSE_FAULT_TEST_EXTRA) $(APPS_EXTRA_PROGS) $(NUSE_SIGWAIT_EXTRA) \
	tests/programs/sigwait

# The list above by name must follow NOFSGS_ORIGINALS: `make check`
# fails here, before the tests, when a wrapper is missing or left over.
nofsgs-list-check:
	@want='$(sort $(NOFSGS_ORIGINALS:tests/integration/%=tests/nofsgs/%))'; \
	have='$(sort $(filter-out tests/nofsgs/test_host.sh,$(NOFSGS_TESTS)))'; \
	test "$$want" = "$$have" || { \
		echo "tests/nofsgs.mk: NOFSGS_TESTS is out of step with NOFSGS_ORIGINALS" >&2; \
		echo "  expected: $$want" >&2; exit 1; }
check_SCRIPTS += nofsgs-list-check
.PHONY: nofsgs-list-check
