# nuse-exec --stack=linux (issue 6): stacktest under the in-process modes.
check_PROGRAMS += tests/programs/stacktest
tests_programs_stacktest_SOURCES = tests/programs/stacktest.c
TESTS += tests/integration/stack-linux.sh
EXTRA_DIST += tests/integration/stack-linux.sh tests/integration/stack-linux.mk
tests/integration/stack-linux.log: tests/programs/stacktest nuse-exec \
	$(NUSE_TEST_PROGRAMS_EXTRA)
