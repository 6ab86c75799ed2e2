# tests/fuzz: trinity and netfuzz against the session's stack (issue 14
# item 4) and the kill storm (item 5); the soak (item 6) is tests/soak.
#
#   make check-fuzz                 the short pass (also part of make check)
#   make fuzz FUZZ_SECONDS=N        the long one: N s per tool and mode
#   make storm STORM_SECONDS=N      the kill storm, N s of kills per mode
FUZZ_SECONDS = 300
# ?=: `STORM_SECONDS=N make check` reaches the test (the default is the
# test's own, 15 s)
STORM_SECONDS ?= 300
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh \
	tests/fuzz/storm.sh docs/fuzz.md
TESTS += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh tests/fuzz/storm.sh

check-fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) FUZZ_SECONDS='$(FUZZ_SECONDS)' \
		$(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
.PHONY: check-fuzz fuzz

storm: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) STORM_SECONDS='$(STORM_SECONDS)' \
		$(SHELL) $(srcdir)/tests/fuzz/storm.sh
.PHONY: storm

# The kill storm's program (tests/fuzz/storm.sh).
check_PROGRAMS += tests/programs/storm
tests_programs_storm_SOURCES = tests/programs/storm.c tests/programs/sha256.h
