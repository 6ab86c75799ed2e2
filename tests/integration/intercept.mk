# Integration tests of nuse-exec's interception modes (issue 3): real
# programs natively and under each mode of $NUSE_TEST_MODES.
INTERCEPT_TESTS = \
	tests/integration/intercept-errors.sh \
	tests/integration/intercept-shell.sh \
	tests/integration/intercept-coreutils.sh \
	tests/integration/intercept-nusetest.sh \
	tests/integration/intercept-http.sh \
	tests/integration/intercept-nc.sh \
	tests/integration/intercept-mtserver.sh \
	tests/integration/intercept-go.sh \
	tests/integration/intercept-nginx.sh
TESTS += $(INTERCEPT_TESTS)
EXTRA_DIST += $(INTERCEPT_TESTS) tests/integration/intercept.mk

# The programs they run, built by custom rules (tests/programs/local.mk),
# and the preload shim.
$(INTERCEPT_TESTS:.sh=.log): $(NUSE_TEST_PROGRAMS_EXTRA) libnuse-preload.so
