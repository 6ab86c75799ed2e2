# tests/soak: the soak (issue 14 item 6; docs/soak.md): nginx and a static
# Go server, each in its own nuse session, under 2,000 wrk clients at once;
# RSS, descriptors and sockets sampled every second must stay flat, no
# request may fail.  Root (a namespace, TAPs).
#
#   make check                      runs it for 120 s (tests/soak/soak.sh)
#   make soak SOAK_SECONDS=N        alone, N seconds
SOAK_SECONDS = 120
EXTRA_DIST += tests/soak/soak.sh tests/soak/sample.py docs/soak.md
TESTS += tests/soak/soak.sh
CLEANFILES += tests/soak/soak-procs.csv tests/soak/soak-sockets.csv \
	tests/soak/soak-stall-nginx.txt tests/soak/soak-stall-go.txt

tests/soak/soak.log: nuse-exec $(NUSE_TEST_PROGRAMS_EXTRA)
# Not beside a kernel build of another test (distcheck, the .deb, the
# sanitizer twin): with 2,000 clients on 2 cores, a build beside it made
# 15 of ~1,000,000 Go answers take more than wrk's 10 s in a CI run.
tests/soak/soak.log: $(filter tests/package/distcheck.log tests/package/deb.log \
	tests/fuzz/fuzz-san.log,$(TEST_LOGS))

soak: nuse-exec $(NUSE_TEST_PROGRAMS_EXTRA)
	@mkdir -p tests/soak
	$(AM_TESTS_ENVIRONMENT) SOAK_SECONDS='$(SOAK_SECONDS)' \
		$(SHELL) $(srcdir)/tests/soak/soak.sh
.PHONY: soak
