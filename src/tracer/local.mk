# src/tracer: nuse-exec and its interception modes.
bin_PROGRAMS += nuse-exec

# Code shared by nuse-exec and the unit tests.
noinst_LIBRARIES += src/tracer/libnuse-tracer.a
src_tracer_libnuse_tracer_a_CFLAGS = $(AM_CFLAGS) $(PROG_SAN_CFLAGS)
src_tracer_libnuse_tracer_a_SOURCES = \
	src/tracer/options.c src/tracer/options.h \
	src/tracer/program.c src/tracer/program.h \
	src/tracer/elfload.c src/tracer/elfload.h \
	src/tracer/probe.c src/tracer/probe.h \
	src/tracer/machine.c src/tracer/machine.h \
	src/tracer/paths.c src/tracer/paths.h \
	src/tracer/filter.c src/tracer/filter.h \
	src/tracer/isolate.c src/tracer/isolate.h

# The in-process runtime: runs on the program's threads after the jump, so
# no libc, no stack protector (FS is the program's), no SSE registers (a
# rewritten site must preserve them like a syscall does).
RT_CFLAGS = -fno-stack-protector -mgeneral-regs-only -fno-builtin \
	-fcf-protection=none -fno-tree-loop-distribute-patterns -fno-pie \
	-fno-delete-null-pointer-checks
noinst_LIBRARIES += src/tracer/libnuse-rt.a
src_tracer_libnuse_rt_a_CFLAGS = $(AM_CFLAGS) $(RT_CFLAGS) $(RT_SAN_CFLAGS)
src_tracer_libnuse_rt_a_SOURCES = \
	src/tracer/netcalls.c src/tracer/netcalls.h \
	src/tracer/abis.c src/tracer/abis.h \
	src/tracer/rt/gate.S src/tracer/rt/gate.h \
	src/tracer/rt/dispatch.c src/tracer/rt/dispatch.h \
	src/tracer/rt/rt.h src/tracer/rt/util.c src/tracer/rt/thread.c \
	src/tracer/rt/signals.c src/tracer/rt/syscall.c \
	src/tracer/rt/rewrite.c src/tracer/rt/exec.c

NUSE_INPROC_SOURCES = src/tracer/inproc.c

# --stack=linux for the in-process modes: runtime code (RT_CFLAGS) that
# reaches the stack through vfs-fd; only nuse-exec links it.
noinst_LIBRARIES += src/tracer/libnuse-rt-linux.a
src_tracer_libnuse_rt_linux_a_CFLAGS = $(AM_CFLAGS) $(RT_CFLAGS) $(RT_SAN_CFLAGS)
src_tracer_libnuse_rt_linux_a_SOURCES = \
	src/tracer/stack-linux.c src/tracer/stack-linux.h \
	src/tracer/rt/fault.c src/tracer/rt/sigwrap.c

nuse_exec_SOURCES = src/tracer/main.c src/tracer/modes.h \
	src/tracer/check.c \
	src/tracer/supervise.c src/tracer/supervise.h \
	src/tracer/serve.c src/tracer/serve-host.c \
	src/tracer/serve-linux.c src/tracer/serve-linux.h \
	src/tracer/serve-linux-poll.c src/tracer/serve-linux-signals.c \
	src/tracer/serve-linux-io.c \
	src/tracer/ptrace.c src/tracer/unotify.c \
	src/tracer/stack-config.c src/tracer/session.c \
	$(NUSE_INPROC_SOURCES)
nuse_exec_CPPFLAGS = $(AM_CPPFLAGS) -DNUSE_PKGLIBDIR=\"$(pkglibdir)\" \
	-DNUSE_BINDIR=\"$(bindir)\"
# --enable-sanitizers: UBSan with its runtime (docs/fuzz.md).
nuse_exec_CFLAGS = $(AM_CFLAGS) -fno-pie $(PROG_SAN_CFLAGS)
# Static, non-PIE, at a fixed address clear of where programs load: the
# runtime's gate keeps its address across execve and no dynamic loader
# makes trapped calls before main.
nuse_exec_LDFLAGS = -static -no-pie -Wl,-Ttext-segment=0x20000000 $(PROG_SAN_CFLAGS)
nuse_exec_LDADD = src/tracer/libnuse-tracer.a src/tracer/libnuse-rt-linux.a \
	src/vfs-fd/libnuse-vfs.a src/tracer/libnuse-rt.a $(ATTACH_LIBS) \
	$(NUSE_EXEC_DPDK_LIBS) $(SECCOMP_LIBS)
# -i dpdk:... in a static binary: no plugin loading, so the virtual PMDs
# the tests use are linked whole (they register from constructors), and
# what DPDK's static archives need after them (pkg-config --static would
# pull RDMA and crypto libraries that have no static archives here).
if HAVE_DPDK
nuse_exec_LDFLAGS += -Wl,--whole-archive -l:librte_net_af_packet.a \
	-l:librte_net_tap.a -l:librte_net_memif.a -l:librte_net_ring.a \
	-l:librte_net_null.a -l:librte_mempool_ring.a -l:librte_bus_vdev.a \
	-Wl,--no-whole-archive
NUSE_EXEC_DPDK_LIBS = -lrte_gso -lrte_ethdev -lrte_hash -lrte_mbuf \
	-lrte_mempool -lrte_ring -lrte_net -lrte_meter -lrte_rcu -lrte_pci \
	-lrte_eal -lrte_kvargs -lrte_telemetry -lnuma -lbsd -lmd -lm -lelf -lz \
	-latomic
endif

# The runtime must not depend on libc: check what it links against.
check-rt-freestanding: src/tracer/libnuse-rt.a src/tracer/libnuse-rt-linux.a
	@bad=$$($(NM) -u src/tracer/libnuse-rt.a src/tracer/libnuse-rt-linux.a | awk 'NF == 2 { print $$2 }' | \
		grep -v -E '^(nuse_|rt_|_GLOBAL_OFFSET_TABLE_)' | sort -u); \
	if [ -n "$$bad" ]; then echo "the runtime needs: $$bad" >&2; exit 1; fi
all-local: check-rt-freestanding
.PHONY: check-rt-freestanding
include src/tracer/preload/local.mk
