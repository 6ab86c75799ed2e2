# Conformance: Go's own net package tests under every mode, compared with
# a native run test by test (tests/conformance/gonet.sh).  Part of `make
# check`; alone with `make check-conformance`; wall times per mode with
# `make bench-conformance`.
CONFORMANCE_TESTS = tests/conformance/gonet.sh
TESTS += $(CONFORMANCE_TESTS)
EXTRA_DIST += $(CONFORMANCE_TESTS) tests/conformance/local.mk \
	tests/conformance/gonet-exceptions.txt
if HAVE_GO
# Built from the Debian package's sources, no download; caches in the tree.
tests/conformance/gonet.test:
	@mkdir -p tests/conformance
	$(AM_V_GEN)cd "$$($(GO) env GOROOT)/src/net" && CGO_ENABLED=0 \
		GOFLAGS= GOPROXY=off GO111MODULE= \
		GOCACHE='$(abs_top_builddir)/tests/conformance/.cache' \
		$(GO) test -c -o '$(abs_top_builddir)/$@' net
check_SCRIPTS += tests/conformance/gonet.test
CLEANFILES += tests/conformance/gonet.test
tests/conformance/gonet.log: tests/conformance/gonet.test nuse-exec
endif
check-conformance:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(CONFORMANCE_TESTS)'
.PHONY: check-conformance
