# src/vfs-fd: virtual descriptors between the tracer and the stack
# (include/nuse/vfs.h).  Runs on the program's threads inside the
# runtime: the runtime's flags (no libc, no stack protector, no SSE).
VFS_CFLAGS = -fno-stack-protector -mgeneral-regs-only -fno-builtin \
	-fcf-protection=none -fno-tree-loop-distribute-patterns -fno-pie \
	-fno-delete-null-pointer-checks
noinst_LIBRARIES += src/vfs-fd/libnuse-vfs.a
src_vfs_fd_libnuse_vfs_a_CFLAGS = $(AM_CFLAGS) $(VFS_CFLAGS) $(RT_SAN_CFLAGS)
src_vfs_fd_libnuse_vfs_a_SOURCES = include/nuse/vfs.h \
	src/vfs-fd/vfs-fd.h src/vfs-fd/vfs.c src/vfs-fd/table.c \
	src/vfs-fd/copy.c src/vfs-fd/socket.c src/vfs-fd/dup.c \
	src/vfs-fd/poll.c src/vfs-fd/epoll.c src/vfs-fd/exec.c \
	src/vfs-fd/notify.c src/vfs-fd/sendfile.c src/vfs-fd/procfs.c src/vfs-fd/splice.c

# Like the runtime, vfs-fd must not depend on libc.
check-vfs-freestanding: src/vfs-fd/libnuse-vfs.a
	@bad=$$($(NM) -u src/vfs-fd/libnuse-vfs.a | awk 'NF == 2 { print $$2 }' | \
		grep -v -E '^(nuse_|vfs_|_GLOBAL_OFFSET_TABLE_)' | sort -u); \
	if [ -n "$$bad" ]; then echo "libnuse-vfs.a needs: $$bad" >&2; exit 1; fi
all-local: check-vfs-freestanding
.PHONY: check-vfs-freestanding
