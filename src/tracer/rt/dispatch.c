// SPDX-License-Identifier: GPL-2.0
/*
 * Network calls: with the host stack they go straight to the host kernel
 * through the gate; with --stack=linux nuse-exec installs the in-process
 * stack's entry (vfs-fd) here.  A pointer rather than a call keeps the
 * runtime (and the preload shim, which shares this file) free of the
 * stack's code.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>

#include <nuse/vfs.h>

#include "dispatch.h"
#include "gate.h"

nuse_dispatch_fn nuse_dispatch_stack;
int (*nuse_dispatch_lost)(void);

long nuse_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
		   long a5)
{
	/* io_uring could move data without a socket call: refuse it. */
	if (nr == SYS_io_uring_setup)
		return -ENOSYS;
	if (nr == NUSE_PROBE_NR && !nuse_dispatch_stack)
		return NUSE_PROBE_REPLY; /* the host's stack: no socket is ours */
	if (__builtin_expect(nuse_dispatch_stack != NULL, 0))
		return nuse_dispatch_stack(nr, a0, a1, a2, a3, a4, a5);
	return nuse_gate_syscall(nr, a0, a1, a2, a3, a4, a5);
}
