# src/tracer/preload: libnuse-preload.so, the LD_PRELOAD mode (--mode=preload).
# Built as a "program" because automake without libtool has no shared
# libraries; installed in $(nuselibdir) = $(pkglibdir).  nuse-exec finds it
# next to itself (build tree) or there.
nuselib_PROGRAMS += libnuse-preload.so
libnuse_preload_so_SOURCES = src/tracer/preload/shim.c \
	src/tracer/rt/dispatch.c src/tracer/rt/dispatch.h \
	src/tracer/rt/gate.S src/tracer/rt/gate.h \
	src/tracer/netcalls.c src/tracer/netcalls.h
libnuse_preload_so_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/tracer
# Hidden by default: calls into the dispatcher are direct, not through the PLT.
libnuse_preload_so_CFLAGS = $(AM_CFLAGS) -fPIC -fvisibility=hidden $(RT_SAN_CFLAGS)
libnuse_preload_so_CCASFLAGS = $(AM_CCASFLAGS) -fPIC -DNUSE_GATE_ONLY
# -Bsymbolic: the gate (rt/gate.S) exports its symbols; call them directly.
libnuse_preload_so_LDFLAGS = -shared -fPIC -Wl,-z,defs -Wl,-z,now -Wl,-Bsymbolic

# --stack=linux: nuse-exec loads the program in-process and publishes its
# runtime's entry to the shim (abi.h); runtime code, so RT_CFLAGS.
src_tracer_libnuse_rt_linux_a_SOURCES += src/tracer/preload/rt-entry.c \
	src/tracer/preload/abi.h
libnuse_preload_so_SOURCES += src/tracer/preload/abi.h src/tracer/preload/linux.c \
	src/tracer/preload/probe.c src/tracer/probe.c src/tracer/probe.h \
	src/tracer/preload/signals.c \
	src/tracer/preload/exec.c
nuse_exec_SOURCES += src/tracer/preload/run-linux.c src/tracer/preload/run.h
