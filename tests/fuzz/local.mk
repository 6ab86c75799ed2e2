# tests/fuzz: trinity and netfuzz against the session's stack (issue 14
# item 4) and the kill storm (item 5); the soak (item 6) is tests/soak.
#
#   make check-fuzz                 the short pass (also part of make check)
#   make fuzz FUZZ_SECONDS=N        the long one: N s per tool and mode
#   make storm STORM_SECONDS=N      the kill storm, N s of kills per mode
#   make check-fuzz-san             the short one against a sanitizer build
#                                   (this one, or a twin built for it; also
#                                   part of make check)
# ?=: a FUZZ_SECONDS from the environment is not overridden (make would
# export its own value to `make check-fuzz` too).
FUZZ_SECONDS ?= 300
# ?=: `STORM_SECONDS=N make check` reaches the test (the default is the
# test's own, 15 s)
STORM_SECONDS ?= 300
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh \
	tests/fuzz/storm.sh tests/fuzz/fuzz-san.sh docs/fuzz.md
TESTS += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh tests/fuzz/storm.sh \
	tests/fuzz/fuzz-san.sh

check-fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) FUZZ_SECONDS='$(FUZZ_SECONDS)' \
		$(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
storm: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) STORM_SECONDS='$(STORM_SECONDS)' \
		$(SHELL) $(srcdir)/tests/fuzz/storm.sh

# The kill storm's program (tests/fuzz/storm.sh).
check_PROGRAMS += tests/programs/storm
tests_programs_storm_SOURCES = tests/programs/storm.c \
	src/stack/tools/sha256.c src/stack/tools/sha256.h
tests_programs_storm_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/stack/tools

# In `make check` too (tests/fuzz/fuzz-san.sh builds the twin: a second
# kernel with UBSan, minutes on 2 cores; docs/fuzz.md).
check-fuzz-san:
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
		MAKE='$(MAKE)' $(SHELL) $(srcdir)/tests/fuzz/fuzz-san.sh
clean-local: clean-fuzz-san
clean-fuzz-san:
	-rm -rf fuzz-san.tmp
.PHONY: check-fuzz fuzz storm check-fuzz-san clean-fuzz-san
