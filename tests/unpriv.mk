# The loopback session tests again as an unprivileged user (nobody,
# tests/unpriv-run.sh), from a copy of what they need: unprivileged use is
# a first-class path (docs/design.md "What nuse needs from the machine").
TESTS += tests/integration/loopback-shm.sh tests/integration/machine.sh
EXTRA_DIST += tests/integration/loopback-shm.sh tests/unpriv-run.sh \
	tests/unpriv.mk tests/integration/machine.sh
check_PROGRAMS += tests/programs/deny
tests_programs_deny_SOURCES = tests/programs/deny.c
tests/integration/machine.log: nuse-exec tests/programs/deny
tests/integration/loopback-shm.log: nuse-exec libnuse-preload.so \
	src/stack/nuse-node

UNPRIV_TESTS = tests/unpriv/loopback-shm.sh tests/unpriv/session.sh \
	tests/unpriv/stack-linux.sh tests/unpriv/stack-linux-preload.sh \
	tests/unpriv/stack-linux-unotify.sh tests/unpriv/stack-linux-ptrace.sh \
	tests/unpriv/isolation.sh
TESTS += $(UNPRIV_TESTS)
check_SCRIPTS += $(UNPRIV_TESTS)
CLEANFILES += $(UNPRIV_TESTS)

tests/unpriv/%.sh: tests/integration/%.sh
	@mkdir -p tests/unpriv
	@printf '%s\n' '#!/bin/sh' '# generated (tests/unpriv.mk): $< as user nobody' \
		'exec $${SHELL:-/bin/sh} "$$top_srcdir/tests/unpriv-run.sh" $*' >$@

tests/unpriv/isolation.sh: tests/escape/isolation.sh
	@mkdir -p tests/unpriv
	@printf '%s\n' '#!/bin/sh' '# generated (tests/unpriv.mk): $< as user nobody' \
		'exec $${SHELL:-/bin/sh} "$$top_srcdir/tests/unpriv-run.sh" isolation' >$@

$(UNPRIV_TESTS:.sh=.log): nuse-exec libnuse-preload.so src/stack/nuse-node \
	$(NUSE_TEST_PROGRAMS_EXTRA) $(NUSE_SESSION_TEST_EXTRA) \
	tests/programs/stacktest tests/programs/sigrestart \
	tests/programs/sessiontest
