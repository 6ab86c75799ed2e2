// SPDX-License-Identifier: GPL-2.0
/*
 * Network calls: with the host stack (the only one wired in today) they go
 * straight to the host kernel through the gate; the in-process Linux stack
 * plugs in here (issue 6).
 */
#include <errno.h>
#include <sys/syscall.h>

#include "dispatch.h"
#include "gate.h"

long nuse_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
		   long a5)
{
	/* io_uring could move data without a socket call: refuse it. */
	if (nr == SYS_io_uring_setup)
		return -ENOSYS;
	return nuse_gate_syscall(nr, a0, a1, a2, a3, a4, a5);
}
