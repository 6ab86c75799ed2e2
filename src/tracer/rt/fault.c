// SPDX-License-Identifier: GPL-2.0
/*
 * SIGSEGV and SIGBUS, when the in-process stack copies the program's
 * memory directly (--stack=linux in sud, sud-trap and seccomp): a bad
 * pointer in a call faults inside the stack's copy routine, and the call
 * must fail with EFAULT, not kill the program.  The runtime's handler
 * resumes such a fault at the routine's fixup; every other fault goes to
 * the program's own action, which is kept virtual (sigwrap.c: the real
 * action is the runtime's, with the program's flags and mask).
 *
 * Without this, each copy is a process_vm_readv/writev system call (the
 * fallback, and what the supervisor modes use): 60% of nginx's system
 * calls under nuse (docs/bench.md).
 */
#include <errno.h>
#include <signal.h>
#include <ucontext.h>

#include "gate.h"
#include "rt.h"

/* the fixup, from the stack's host services */
unsigned long nuse_host_fault_fixup(unsigned long ip);
void nuse_host_copy_direct(int on);
void nuse_host_copy_avoid(unsigned long lo, unsigned long hi);
unsigned long nuse_host_copy_in(void *dst, const void *src, unsigned long n);
unsigned long nuse_host_copy_out(void *dst, const void *src, unsigned long n);

bool rt_fault_fixup(void *ucv)
{
	greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
	unsigned long fixup = nuse_host_fault_fixup(g[REG_RIP]);

	if (!fixup)
		return false;
	g[REG_RIP] = (greg_t)fixup; /* the copy returns what is left */
	return true;
}

/* Before the program runs: take the two signals, then copy directly. */
int rt_fault_init(void)
{
	int r = rt_wrap_always(SIGSEGV) ?: rt_wrap_always(SIGBUS);

	if (r)
		return r;
	/* the sleds (rewrite.c) read as NOPs without PKU: not user memory */
	nuse_host_copy_avoid(0, 0x10000);
	nuse_host_copy_avoid(RT_X32_BIT, RT_X32_BIT + 0x1000);
	nuse_host_copy_direct(1);
	rt_cfg.copy_in = nuse_host_copy_in;
	rt_cfg.copy_out = nuse_host_copy_out;
	return 0;
}
