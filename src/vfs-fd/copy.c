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

long long vfs_now_ms(void)
{
	struct {
		long sec, nsec;
	} ts;

	host(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);
	return ts.sec * 1000LL + ts.nsec / 1000000;
}
