// SPDX-License-Identifier: GPL-2.0
/*
 * --stack=linux in the in-process modes: boot the Linux stack in this
 * process and route the program's network calls through vfs-fd to it.
 * Compiled with the runtime's flags: linux_dispatch runs on the program's
 * threads.  Outside libnuse-rt.a so that the runtime (and its unit tests)
 * does not pull the stack in.
 */
#include <nuse/stack.h>
#include <nuse/vfs.h>

#include "rt/dispatch.h"
#include "rt/rt.h"
#include "stack-linux.h"

static long linux_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
			   long a5)
{
	struct rt_thread *t = rt_self();
	long r;

	rt_stack_enter(t);
	r = nuse_vfs_syscall(nr, a0, a1, a2, a3, a4, a5);
	rt_stack_leave(t);
	return r;
}

/*
 * Before the jump, after the runtime's thread block exists (the stack's
 * host services then take it as this thread's).  The boot brings lo up.
 */
int nuse_stack_linux_start(void)
{
	int r = nuse_boot(NULL);

	if (r)
		return r;
	nuse_vfs_init(nuse_gate_syscall);
	rt_cfg.linux_stack = true;
	nuse_dispatch_stack = linux_dispatch;
	return 0;
}
