# tests/fuzz: trinity and netfuzz against the session's stack (issue 14
# item 4) and the kill storm (item 5); the soak (item 6) is tests/soak.
#
#   make check-fuzz                 the short pass (also part of make check)
#   make fuzz FUZZ_SECONDS=N        the long one: N s per tool and mode
FUZZ_SECONDS = 300
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh docs/fuzz.md
TESTS += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh

check-fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) FUZZ_SECONDS='$(FUZZ_SECONDS)' \
		$(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
.PHONY: check-fuzz fuzz
