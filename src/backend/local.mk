# src/backend: host services (issue 4) — the packet backends are in io.mk.
#
# libnuse-host.a: threads, futex semaphores/mutexes, clock, timers, memory,
# per-thread data for the stack. Raw syscalls only; it runs on application
# threads (whose %fs is the application's) and on its own libc-less threads,
# hence no stack protector, no builtins, no implicit memcpy/memset.
HOST_SERVICES_SOURCES = include/nuse/host.h src/backend/host/sys.h \
	src/backend/host/sync.c src/backend/host/thread.c src/backend/host/fsgs.c \
	src/backend/host/time.c src/backend/host/mem.c \
	src/backend/host/share.c src/backend/host/io.c src/backend/host/keeper.c \
	src/backend/host/safecopy.S
HOST_SERVICES_CFLAGS = -fno-stack-protector -ffreestanding -fno-builtin \
	-fno-tree-loop-distribute-patterns -fno-omit-frame-pointer

noinst_LIBRARIES += src/backend/libnuse-host.a
src_backend_libnuse_host_a_SOURCES = $(HOST_SERVICES_SOURCES)
src_backend_libnuse_host_a_CFLAGS = $(AM_CFLAGS) $(HOST_SERVICES_CFLAGS) -fPIE \
	$(RT_SAN_CFLAGS)
