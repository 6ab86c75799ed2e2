# tests/fuzz: trinity and netfuzz against the session's stack (issue 14
# item 4), the kill storm (item 5) and the soak (item 6).
#
#   make check-fuzz                 the short pass (also part of make check)
#   make fuzz FUZZ_SECONDS=N        the long one: N s per tool and mode
#   make check-fuzz-san             the short one against a sanitizer build
#                                   (this one, or a twin built for it)
# ?=: a FUZZ_SECONDS from the environment is not overridden (make would
# export its own value to `make check-fuzz` too).
FUZZ_SECONDS ?= 300
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh tests/fuzz/fuzz-san.sh \
	docs/fuzz.md
TESTS += tests/fuzz/fuzz.sh tests/fuzz/keeper-kill.sh

check-fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
fuzz: all $(check_PROGRAMS)
	$(AM_TESTS_ENVIRONMENT) FUZZ_SECONDS='$(FUZZ_SECONDS)' \
		$(SHELL) $(srcdir)/tests/fuzz/fuzz.sh
# Not in `make check`: the twin's build (a second kernel, with UBSan) alone
# takes longer than CI's budget allows (docs/fuzz.md).
check-fuzz-san:
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
		MAKE='$(MAKE)' $(SHELL) $(srcdir)/tests/fuzz/fuzz-san.sh
clean-local: clean-fuzz-san
clean-fuzz-san:
	-rm -rf fuzz-san.tmp
.PHONY: check-fuzz fuzz check-fuzz-san clean-fuzz-san
