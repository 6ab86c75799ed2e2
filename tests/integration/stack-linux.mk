# nuse-exec --stack=linux (issue 6): stacktest under the in-process modes.
check_PROGRAMS += tests/programs/stacktest
tests_programs_stacktest_SOURCES = tests/programs/stacktest.c
TESTS += tests/integration/stack-linux.sh
EXTRA_DIST += tests/integration/stack-linux.sh tests/integration/stack-linux.mk
tests/integration/stack-linux.log: tests/programs/stacktest nuse-exec \
	$(NUSE_TEST_PROGRAMS_EXTRA)
# --stack=linux in the preload and supervisor modes.
TESTS += tests/integration/stack-linux-modes.sh
EXTRA_DIST += tests/integration/stack-linux-modes.sh
tests/integration/stack-linux-modes.log: tests/programs/stacktest nuse-exec \
	libnuse-preload.so $(NUSE_TEST_PROGRAMS_EXTRA)
