// SPDX-License-Identifier: GPL-2.0
/*
 * The program's signal actions, with the in-process stack (--stack=linux
 * in sud, sud-trap and seccomp; preload through its shim): where the
 * program sets a handler, the real action is the runtime's rt_signal(),
 * with the program's flags and mask, and the program's action is kept
 * here (what rt_sigaction reports back), as for SIGSYS.
 *
 * Why: Linux runs a handler only on the way back to user mode, never in
 * the middle of kernel code.  Here the stack's code runs on the program's
 * own thread, and a handler that ran in the middle of a call would run
 * over it: re-enter the stack from inside it, or siglongjmp out of it and
 * leave the call's locks held for ever (trinity's SIGALRM handler wedged
 * the session that way).  So a signal that arrives while the thread is in
 * a stack call is put off: the call ends as Linux ends an interrupted call
 * (nuse_host_sigreturn: restarted under SA_RESTART, or EINTR), and the
 * signal is queued again to the thread when the call returns
 * (rt_signals_release), to run the handler then, as Linux would.  Faults
 * raised by the thread itself (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP
 * from the kernel) are not put off; the stack's copies recover their own
 * (rt_fault_fixup).
 *
 * Limits: one pending instance per signal while a call runs (queued
 * real-time signals of one number merge); the handler's context (its
 * ucontext) is the runtime's return path, not the program's instruction.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "gate.h"
#include "rt.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#define NSIG_ 64
#define BIT(sig) (1ULL << ((sig) - 1))
#define SIGSYS_BIT BIT(RT_SIGSYS)

static struct rt_kernel_sigaction app_action[NSIG_ + 1];
/* signals whose real action is rt_signal */
static uint64_t wrapped;
/* ... whatever the program asks (SIGSEGV, SIGBUS with direct copies) */
static uint64_t always;

static bool is_handler(const struct rt_kernel_sigaction *a)
{
	return a->handler != SIG_DFL && a->handler != SIG_IGN;
}

/* The real action: ours, with what the program asked for. */
static long install(int sig, const struct rt_kernel_sigaction *app)
{
	struct rt_kernel_sigaction k = {
		.handler = (void *)rt_signal,
		.flags = SA_SIGINFO | SA_RESTORER |
			 (app->flags & (SA_ONSTACK | SA_NODEFER | SA_RESTART)),
		.restorer = (void *)nuse_gate_restorer,
		.mask = app->mask & ~SIGSYS_BIT,
	};

	return rt_sys(SYS_rt_sigaction, sig, &k, NULL, 8);
}

long rt_wrap_sigaction(int sig, const struct rt_kernel_sigaction *act,
		       struct rt_kernel_sigaction *oact, bool *handled)
{
	struct rt_kernel_sigaction old;
	uint64_t bit;
	bool want;
	long r;

	*handled = false;
	if (sig < 1 || sig > NSIG_ || sig == RT_SIGSYS || sig == SIGKILL ||
	    sig == SIGSTOP)
		return 0;
	bit = BIT(sig);
	want = act && (is_handler(act) || (always & bit));
	if (!(__atomic_load_n(&wrapped, __ATOMIC_RELAXED) & bit) && !want)
		return 0; /* the kernel's own action, as asked */
	*handled = true;
	if (__atomic_load_n(&wrapped, __ATOMIC_RELAXED) & bit)
		old = app_action[sig];
	else if ((r = rt_sys(SYS_rt_sigaction, sig, NULL, &old, 8)))
		return r;
	if (oact && (r = rt_copy_out(oact, &old, sizeof(old))))
		return r;
	if (!act)
		return 0;
	app_action[sig] = *act; /* before the real one can run with it */
	if (want) {
		r = install(sig, act);
		if (!r)
			__atomic_or_fetch(&wrapped, bit, __ATOMIC_RELEASE);
	} else {
		__atomic_and_fetch(&wrapped, ~bit, __ATOMIC_RELEASE);
		r = rt_sys(SYS_rt_sigaction, sig, act, NULL, 8);
	}
	if (r)
		app_action[sig] = old;
	return r;
}

/* Take @sig whatever the program's action (before the program runs). */
int rt_wrap_always(int sig)
{
	long r = rt_sys(SYS_rt_sigaction, sig, NULL, &app_action[sig], 8);

	if (!r)
		r = install(sig, &app_action[sig]);
	if (!r) {
		__atomic_or_fetch(&always, BIT(sig), __ATOMIC_RELAXED);
		__atomic_or_fetch(&wrapped, BIT(sig), __ATOMIC_RELEASE);
	}
	return (int)r;
}

/* The program's own action for @sig, now. */
static void deliver(int sig, void *siv, void *ucv)
{
	siginfo_t *si = siv;
	struct rt_kernel_sigaction a = app_action[sig];

	if (!is_handler(&a)) {
		/* only an "always" signal gets here: SIGSEGV or SIGBUS */
		struct rt_kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 };

		if (si->si_code <= 0 && a.handler == SIG_IGN)
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
	if (a.flags & SA_RESETHAND && !(always & BIT(sig))) {
		/* as Linux: the default again on entry to the handler */
		struct rt_kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 };

		app_action[sig] = dfl;
		__atomic_and_fetch(&wrapped, ~BIT(sig), __ATOMIC_RELEASE);
		rt_sys(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	} else if (a.flags & SA_RESETHAND) {
		app_action[sig].handler = SIG_DFL;
	}
	if (a.flags & SA_SIGINFO)
		((void (*)(int, void *, void *))a.handler)(sig, siv, ucv);
	else
		((void (*)(int))a.handler)(sig);
}

/* Raised by the thread's own instruction: cannot wait for the call. */
static bool synchronous(int sig, const void *siv)
{
	const siginfo_t *si = siv;

	return si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS ||
				   sig == SIGILL || sig == SIGFPE ||
				   sig == SIGTRAP);
}

#define DEFER_SI 128 /* bytes of siginfo kept */

/*
 * Is the thread in the stack's code, or waiting in it?  (Not merely in
 * the runtime's routing of a call: a host call it makes for the program,
 * a pipe's read, is interrupted as natively.)
 */
static bool in_stack_call(struct rt_thread *t)
{
	return __atomic_load_n(&t->host.in_stack, __ATOMIC_ACQUIRE);
}

/*
 * In a stack call: end the call's wait as Linux ends an interrupted call
 * and keep the signal for when the call returns.  false if it cannot be
 * kept (no memory for it): it is delivered now then.
 */
static bool rt_defer_signal(struct rt_thread *t, int sig, const void *si,
			    void *ucv)
{
	greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;

	if (!t->deferred_si) {
		long p = rt_sys(SYS_mmap, 0, (NSIG_ + 1) * DEFER_SI,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p < 0 && p > -4096)
			return false;
		t->deferred_si = (void *)p;
	}
	nuse_host_sigreturn(&t->host, (unsigned long *)&g[REG_RIP],
			    (unsigned long *)&g[REG_RAX]);
	rt_memcpy((char *)t->deferred_si + sig * DEFER_SI, si, DEFER_SI);
	__atomic_or_fetch(&t->deferred, BIT(sig), __ATOMIC_RELEASE);
	return true;
}


bool rt_signal_put_off(struct rt_thread *t, int sig, void *si, void *ucv)
{
	return in_stack_call(t) && !synchronous(sig, si) &&
	       rt_defer_signal(t, sig, si, ucv);
}

void rt_signal(int sig, void *si, void *ucv)
{
	if ((sig == SIGSEGV || sig == SIGBUS) && rt_fault_fixup(ucv))
		return;
	if (rt_signal_put_off(rt_self(), sig, si, ucv))
		return;
	deliver(sig, si, ucv);
}

/* The stack call returned: the signals put off meanwhile, again. */
void rt_signals_release(struct rt_thread *t)
{
	uint64_t m = __atomic_exchange_n(&t->deferred, 0, __ATOMIC_ACQ_REL);

	for (int sig = 1; m && sig <= NSIG_; sig++) {
		if (!(m & BIT(sig)))
			continue;
		m &= ~BIT(sig);
		/* to itself: any si_code may be given (rt_tgsigqueueinfo) */
		rt_sys(SYS_rt_tgsigqueueinfo, t->host.pid, t->host.tid, sig,
		       (char *)t->deferred_si + sig * DEFER_SI);
	}
}
