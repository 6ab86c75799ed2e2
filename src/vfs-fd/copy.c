// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing the program's memory without faulting: a bad
 * pointer in poll or select arguments must give EFAULT, as the kernel
 * does, not crash the runtime.  The stack's own copies: direct where the
 * runtime recovers a faulting copy (rt/fault.c), else process_vm_*.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "vfs-fd.h"

long vfs_copy_in(void *dst, const void *src, size_t len)
{
	return nuse_host_copy_in(dst, src, len) ? -EFAULT : 0;
}

long vfs_copy_out(void *dst, const void *src, size_t len)
{
	return nuse_host_copy_out(dst, src, len) ? -EFAULT : 0;
}

static long io_copy_in(const struct nuse_vfs_io *io, void *dst,
		       unsigned long src, unsigned long len)
{
	return vfs_copy_in(dst, (const void *)src, len);
}

static long io_copy_out(const struct nuse_vfs_io *io, unsigned long dst,
			const void *src, unsigned long len)
{
	return vfs_copy_out((void *)dst, src, len);
}

static long io_host(long nr, long a0, long a1, long a2, long a3, long a4,
		    long a5)
{
	return vfs_host_fn(nr, a0, a1, a2, a3, a4, a5);
}

void vfs_io_init(struct nuse_vfs_io *io)
{
	io->hostcall = io_host;
	io->copy_in = io_copy_in;
	io->copy_out = io_copy_out;
	io->ctx = NULL;
	io->buf_size = 0;
	io->buf = vfs_scratch_fn ? vfs_scratch_fn(&io->buf_size) : NULL;
}

long long vfs_now_ms(void)
{
	struct {
		long sec, nsec;
	} ts;

	host(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);
	return ts.sec * 1000LL + ts.nsec / 1000000;
}
