# src/backend packet I/O (issue 5): TAP, AF_PACKET, DPDK, shm, pcap.
# The library depends on nothing of the stack; see include/nuse/backend.h.
lib_LIBRARIES += src/backend/libnuse-backend.a
nuse_HEADERS += include/nuse/backend.h
# Transmit runs on any thread holding the stack's CPU (no libc state):
# --enable-sanitizers gives it the runtime's trap-mode UBSan.
src_backend_libnuse_backend_a_CFLAGS = $(AM_CFLAGS) $(RT_SAN_CFLAGS)
src_backend_libnuse_backend_a_SOURCES = \
	include/nuse/backend.h \
	src/backend/io.h src/backend/core.c src/backend/util.c \
	src/backend/iface.c \
	src/backend/pcap.h src/backend/pcap.c \
	src/backend/tap.c src/backend/packet.c src/backend/shm.c

# DPDK's headers want their own flags (-include rte_config.h, -march):
# dpdk.c is compiled in a library of its own and its object is added to
# libnuse-backend.a, so no other file is built with them.
BACKEND_LIBS = src/backend/libnuse-backend.a -lpthread
if HAVE_DPDK
noinst_LIBRARIES += src/backend/libnuse-backend-dpdk.a
src_backend_libnuse_backend_dpdk_a_SOURCES = src/backend/dpdk.c
src_backend_libnuse_backend_dpdk_a_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
src_backend_libnuse_backend_a_LIBADD = \
	src/backend/libnuse_backend_dpdk_a-dpdk.$(OBJEXT)
BACKEND_LIBS += $(DPDK_LIBS)
else
EXTRA_DIST += src/backend/dpdk.c
endif

# nuse-link: drives one backend by hand (tests, raw pps).
noinst_PROGRAMS += src/backend/nuse-link
src_backend_nuse_link_SOURCES = src/backend/tools/link.h src/backend/tools/nuse-link.c \
	src/backend/tools/respond.c src/backend/tools/tcp.c
src_backend_nuse_link_LDADD = $(BACKEND_LIBS)

# --- tests -------------------------------------------------------------------
check_PROGRAMS += tests/unit/test_iface
tests_unit_test_iface_SOURCES = tests/unit/test_iface.c
tests_unit_test_iface_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_unit_test_iface_LDFLAGS = $(SAN_CFLAGS)
tests_unit_test_iface_LDADD = $(BACKEND_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_iface

# Its twin under ASan+UBSan, the backend code compiled in (tests/local.mk).
UNIT_SAN_TESTS += tests/unit/test_iface-san
tests_unit_test_iface_san_SOURCES = tests/unit/test_iface.c \
	$(src_backend_libnuse_backend_a_SOURCES)
tests_unit_test_iface_san_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ASAN_FLAGS)
tests_unit_test_iface_san_LDFLAGS = $(ASAN_FLAGS)
tests_unit_test_iface_san_LDADD = $(CHECK_LIBS) -lpthread
if HAVE_DPDK
tests_unit_test_iface_san_SOURCES += src/backend/dpdk.c
tests_unit_test_iface_san_CFLAGS += $(DPDK_CFLAGS)
tests_unit_test_iface_san_LDADD += $(DPDK_LIBS)
endif

# Integration tests: real host-kernel peers in namespaces the tests make
# (root; shm needs none). Each tears its namespaces down on exit.
BACKEND_TESTS = \
	tests/backend/backend-tap.sh \
	tests/backend/backend-packet.sh \
	tests/backend/backend-shm.sh \
	tests/backend/backend-dpdk.sh \
	tests/backend/backend-errors.sh
TESTS += $(BACKEND_TESTS)
EXTRA_DIST += $(BACKEND_TESTS) tests/backend/lib.sh tests/backend/tcp-peer.py

# Only this layer's tests, without building the rest of the tree:
#   make check-backend
BACKEND_TEST_LOGS = tests/unit/test_iface.log tests/unit/test_iface-san.log \
	$(BACKEND_TESTS:.sh=.log)
check-backend: src/backend/nuse-link tests/unit/test_iface \
		tests/unit/test_iface-san
	@rm -f $(BACKEND_TEST_LOGS) $(BACKEND_TEST_LOGS:.log=.trs)
	@$(MAKE) $(AM_MAKEFLAGS) $(BACKEND_TEST_LOGS)
	@cat $(BACKEND_TEST_LOGS:.log=.trs) | grep '^:test-result:' | sort | uniq -c
	@! grep -q '^:test-result: \(FAIL\|ERROR\)' $(BACKEND_TEST_LOGS:.log=.trs)
.PHONY: check-backend

# make bench-link-raw: raw frames per second through each backend.
BENCHES += link-raw
