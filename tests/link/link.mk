# tests/link: a nuse stack on each backend against host-kernel peers
# (issue 5). Root for all but shm, memif and errors; each script makes and removes
# its own namespaces, veths and TAPs, even when it fails.
LINK_TESTS = \
	tests/link/link-tap.sh \
	tests/link/link-packet.sh \
	tests/link/link-dpdk.sh \
	tests/link/link-errors.sh \
	tests/link/link-netem.sh \
	tests/link/link-shm.sh \
	tests/link/link-memif.sh
TESTS += $(LINK_TESTS)
EXTRA_DIST += $(LINK_TESTS) tests/link/lib.sh \
	tests/link/peer.py

# Only these tests: make check-link
check-link: src/stack/nuse-node src/backend/nuse-link
	@rm -f $(LINK_TESTS:.sh=.log) $(LINK_TESTS:.sh=.trs)
	@$(MAKE) $(AM_MAKEFLAGS) $(LINK_TESTS:.sh=.log)
	@cat $(LINK_TESTS:.sh=.trs) | grep '^:test-result:' | sort | uniq -c
	@! grep -q '^:test-result: \(FAIL\|ERROR\)' $(LINK_TESTS:.sh=.trs)
.PHONY: check-link
