# nuse-exec --stack=linux (issue 6): stacktest under the in-process modes.
check_PROGRAMS += tests/programs/stacktest
tests_programs_stacktest_SOURCES = tests/programs/stacktest.c
TESTS += tests/integration/stack-linux.sh
EXTRA_DIST += tests/integration/stack-linux.sh tests/integration/stack-linux.mk
tests/integration/stack-linux.log: tests/programs/stacktest nuse-exec \
	$(NUSE_TEST_PROGRAMS_EXTRA)
# One stack per session: fork, exec, SIGKILL, the keeper's lifetime.
check_PROGRAMS += tests/programs/sessiontest
tests_programs_sessiontest_SOURCES = tests/programs/sessiontest.c tests/programs/check.h
TESTS += tests/integration/session.sh
EXTRA_DIST += tests/integration/session.sh
NUSE_SESSION_TEST_EXTRA =
if HAVE_MUSL
MUSL_TEST_PROGS += tests/programs/sessiontest-musl
NUSE_SESSION_TEST_EXTRA += tests/programs/sessiontest-musl
endif
tests/integration/session.log: tests/programs/sessiontest nuse-exec \
	$(NUSE_SESSION_TEST_EXTRA)
# --stack=linux in the preload and supervisor modes (one script per mode).
STACK_LINUX_MODES_TESTS = tests/integration/stack-linux-preload.sh \
	tests/integration/stack-linux-unotify.sh \
	tests/integration/stack-linux-ptrace.sh
TESTS += $(STACK_LINUX_MODES_TESTS)
EXTRA_DIST += $(STACK_LINUX_MODES_TESTS) tests/integration/stack-linux-modes.lib
check_PROGRAMS += tests/programs/sigrestart
tests_programs_sigrestart_SOURCES = tests/programs/sigrestart.c
# (after the session block: its NUSE_SESSION_TEST_EXTRA is used here)
$(STACK_LINUX_MODES_TESTS:.sh=.log): tests/programs/stacktest \
	tests/programs/sigrestart tests/programs/sessiontest nuse-exec \
	libnuse-preload.so $(NUSE_TEST_PROGRAMS_EXTRA) \
	$(NUSE_SESSION_TEST_EXTRA)
# The program's SIGSEGV/SIGBUS while the runtime recovers direct copies.
check_PROGRAMS += tests/programs/faulttest
tests_programs_faulttest_SOURCES = tests/programs/faulttest.c tests/programs/check.h
TESTS += tests/integration/stack-faults.sh
EXTRA_DIST += tests/integration/stack-faults.sh
NUSE_FAULT_TEST_EXTRA =
if HAVE_MUSL
MUSL_TEST_PROGS += tests/programs/faulttest-musl
NUSE_FAULT_TEST_EXTRA += tests/programs/faulttest-musl
endif
tests/integration/stack-faults.log: tests/programs/faulttest nuse-exec \
	$(NUSE_FAULT_TEST_EXTRA)
# Data a program sent before it exited is delivered (keeper/supervisor drain).
TESTS += tests/integration/stack-exit.sh
EXTRA_DIST += tests/integration/stack-exit.sh
tests/integration/stack-exit.log: nuse-exec libnuse-preload.so
# Signals and blocked calls: restarted or EINTR as natively, every mode.
check_PROGRAMS += tests/programs/sigwait
tests_programs_sigwait_SOURCES = tests/programs/sigwait.c
TESTS += tests/integration/stack-signals.sh
EXTRA_DIST += tests/integration/stack-signals.sh
NUSE_SIGWAIT_EXTRA =
if HAVE_MUSL
MUSL_TEST_PROGS += tests/programs/sigwait-musl
NUSE_SIGWAIT_EXTRA += tests/programs/sigwait-musl
endif
tests/integration/stack-signals.log: tests/programs/sigwait nuse-exec \
	libnuse-preload.so $(NUSE_SIGWAIT_EXTRA)
