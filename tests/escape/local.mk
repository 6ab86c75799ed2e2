# tests/escape: programs written to reach the host's network from inside
# nuse-exec, in every mode (issue 14); docs/design.md "Containment".
check_PROGRAMS += tests/programs/escape
tests_programs_escape_SOURCES = tests/programs/escape.c
TESTS += tests/escape/escape.sh tests/escape/isolation.sh
EXTRA_DIST += tests/escape/escape.sh tests/escape/isolation.sh
tests/escape/escape.log tests/escape/isolation.log: nuse-exec \
	libnuse-preload.so tests/programs/escape
