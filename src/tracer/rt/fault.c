// SPDX-License-Identifier: GPL-2.0
/*
 * SIGSEGV and SIGBUS, when the in-process stack copies the program's
 * memory directly (--stack=linux in sud, sud-trap and seccomp): a bad
 * pointer in a call faults inside the stack's copy routine, and the call
 * must fail with EFAULT, not kill the program.  The runtime's handler
 * resumes such a fault at the routine's fixup; every other fault goes to
 * the program's own action, which is kept virtual here (the real action
 * is ours, with the program's flags and mask), as for SIGSYS.
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

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#define SIGSYS_BIT (1ULL << (RT_SIGSYS - 1))

/* the fixup, from the stack's host services */
unsigned long nuse_host_fault_fixup(unsigned long ip);
void nuse_host_copy_direct(int on);
void nuse_host_copy_avoid(unsigned long lo, unsigned long hi);
unsigned long nuse_host_copy_in(void *dst, const void *src, unsigned long n);
unsigned long nuse_host_copy_out(void *dst, const void *src, unsigned long n);

static struct rt_kernel_sigaction app_action[2]; /* SIGSEGV, SIGBUS */
static bool owned;

static int slot(int sig)
{
	return sig == SIGSEGV ? 0 : sig == SIGBUS ? 1 : -1;
}

static void fault_handler(int sig, siginfo_t *si, void *ucv);

/* The real action: our handler, with what the program asked for. */
static long install(int sig, const struct rt_kernel_sigaction *app)
{
	struct rt_kernel_sigaction k = {
		.handler = (void *)fault_handler,
		.flags = SA_SIGINFO | SA_RESTORER |
			 (app->flags & (SA_ONSTACK | SA_NODEFER | SA_RESTART)),
		.restorer = (void *)nuse_gate_restorer,
		.mask = app->mask & ~SIGSYS_BIT,
	};

	return rt_sys(SYS_rt_sigaction, sig, &k, NULL, 8);
}

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	unsigned long fixup = nuse_host_fault_fixup(g[REG_RIP]);
	struct rt_kernel_sigaction *a;

	if (fixup) {
		g[REG_RIP] = (greg_t)fixup; /* the copy returns what is left */
		return;
	}
	a = &app_action[slot(sig)];
	if (a->handler == SIG_DFL || a->handler == SIG_IGN) {
		struct rt_kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 };

		if (si->si_code <= 0 && a->handler == SIG_IGN)
			return; /* sent by kill(): ignored, as asked */
		rt_sys(SYS_rt_sigaction, sig, &dfl, NULL, 8);
		/*
		 * A fault runs the instruction again and meets the default
		 * action (a core, as without us); a signal sent by kill() is
		 * sent again, delivered when this handler returns.
		 */
		if (si->si_code <= 0) {
			long pid = rt_sys(SYS_getpid), tid = rt_sys(SYS_gettid);

			rt_sys(SYS_tgkill, pid, tid, sig);
		}
		return;
	}
	if (a->flags & SA_SIGINFO)
		((void (*)(int, void *, void *))a->handler)(sig, si, ucv);
	else
		((void (*)(int))a->handler)(sig);
	if (a->flags & SA_RESETHAND)
		a->handler = SIG_DFL;
}

/* rt_sigaction for SIGSEGV and SIGBUS; *handled = false for the others. */
static long fault_sigaction(int sig, const struct rt_kernel_sigaction *act,
			    struct rt_kernel_sigaction *oact, bool *handled)
{
	int i = slot(sig);
	long r;

	*handled = owned && i >= 0;
	if (!*handled)
		return 0;
	if (oact) {
		r = rt_copy_out(oact, &app_action[i], sizeof(*oact));
		if (r)
			return r;
	}
	if (act) {
		app_action[i] = *act;
		return install(sig, act);
	}
	return 0;
}

/* Before the program runs: take the two signals, then copy directly. */
int rt_fault_init(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS };

	for (int i = 0; i < 2; i++) {
		long r = rt_sys(SYS_rt_sigaction, sigs[i], NULL, &app_action[i],
				8);

		if (!r)
			r = install(sigs[i], &app_action[i]);
		if (r)
			return (int)r;
	}
	owned = true;
	rt_cfg.fault_sigaction = fault_sigaction;
	/* the sleds (rewrite.c) read as NOPs without PKU: not user memory */
	nuse_host_copy_avoid(0, 0x10000);
	nuse_host_copy_avoid(RT_X32_BIT, RT_X32_BIT + 0x1000);
	nuse_host_copy_direct(1);
	rt_cfg.copy_in = nuse_host_copy_in;
	rt_cfg.copy_out = nuse_host_copy_out;
	return 0;
}
