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
NOFSGS_TESTS = $(NOFSGS_ORIGINALS:tests/integration/%=tests/nofsgs/%) \
	tests/nofsgs/test_host.sh
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
