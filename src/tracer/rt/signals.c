// SPDX-License-Identifier: GPL-2.0
/*
 * SIGSYS belongs to the runtime: the program's SIGSYS action and any mask
 * that would block it are kept virtual, because a dispatch trap while
 * SIGSYS is blocked kills the process.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <linux/audit.h>
#include <ucontext.h>

#include "../abis.h"
#include "../netcalls.h"
#include "rt.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#define SIGSYS_BIT (1ULL << (RT_SIGSYS - 1))
#define SYS_USER_DISPATCH_CODE 2
#define SYS_SECCOMP_CODE 1

struct rt_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	int pad;
	void *call_addr;
	int syscall;
	unsigned int arch;
};

long rt_sigaction(int sig, const struct rt_kernel_sigaction *act,
		  struct rt_kernel_sigaction *oact, size_t size)
{
	struct rt_kernel_sigaction k;
	long r;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (act) {
		r = rt_copy_in(&k, act, sizeof(k));
		if (r)
			return r;
		k.mask &= ~SIGSYS_BIT;
	}
	if (rt_cfg.wrap_sigaction) {
		bool handled;

		r = rt_cfg.wrap_sigaction(sig, act ? &k : NULL, oact, &handled);
		if (handled)
			return r;
	}
	if (sig == RT_SIGSYS) {
		if (oact) {
			r = rt_copy_out(oact, &rt_cfg.app_sigsys, sizeof(k));
			if (r)
				return r;
		}
		if (act)
			rt_cfg.app_sigsys = k;
		return 0;
	}
	return rt_sys(SYS_rt_sigaction, sig, act ? &k : NULL, oact, size);
}

/* A SIGSYS held while the program "blocked" it is sent again once unblocked. */
static void release_pending(struct rt_thread *t)
{
	long pid, tid;

	if (t->app_blocks_sigsys || !t->sigsys_pending)
		return;
	t->sigsys_pending = false;
	pid = rt_sys(SYS_getpid);
	tid = rt_sys(SYS_gettid);
	rt_sys(SYS_rt_tgsigqueueinfo, pid, tid, RT_SIGSYS, t->pending_si);
}

long rt_sigpending(uint64_t *set, size_t size)
{
	uint64_t m;
	long r;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	r = rt_sys(SYS_rt_sigpending, &m, size);
	if (r)
		return r;
	if (rt_self()->sigsys_pending)
		m |= SIGSYS_BIT;
	return rt_copy_out(set, &m, sizeof(m));
}

/* Size, mask and how checked as the kernel does; *m = the program's set. */
static long read_set(int how, const uint64_t *set, size_t size, uint64_t *m)
{
	long r;

	*m = 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (!set)
		return 0;
	r = rt_copy_in(m, set, sizeof(*m));
	if (r)
		return r;
	if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	return 0;
}

/* What the program now believes about SIGSYS after (how, m). */
static void note_sigsys(struct rt_thread *t, int how, uint64_t m)
{
	if (how == SIG_SETMASK)
		t->app_blocks_sigsys = m & SIGSYS_BIT;
	else if (m & SIGSYS_BIT)
		t->app_blocks_sigsys = how == SIG_BLOCK;
}

long rt_sigprocmask(int how, const uint64_t *set, uint64_t *oset, size_t size)
{
	struct rt_thread *t = rt_self();
	bool was_blocked = t->app_blocks_sigsys;
	uint64_t m, k, o;
	long r;

	r = read_set(how, set, size, &m);
	if (r)
		return r;
	k = m & ~SIGSYS_BIT; /* never really blocked */
	r = rt_sys(SYS_rt_sigprocmask, how, set ? &k : NULL, oset, size);
	if (r)
		return r;
	if (set)
		note_sigsys(t, how, m);
	if (oset && was_blocked && !rt_copy_in(&o, oset, sizeof(o))) {
		o |= SIGSYS_BIT;
		rt_copy_out(oset, &o, sizeof(o));
	}
	release_pending(t);
	return 0;
}

/*
 * rt_sigprocmask from a trap: the mask to change is the one saved in the
 * SIGSYS frame, which sigreturn will install; changing the live mask would
 * be undone on return.
 */
static long sigprocmask_in_frame(ucontext_t *uc, int how, const uint64_t *set,
				 uint64_t *oset, size_t size)
{
	const uint64_t unblockable = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));
	struct rt_thread *t = rt_self();
	uint64_t *saved = (uint64_t *)&uc->uc_sigmask;
	uint64_t cur = *saved, m, o;
	long r;

	r = read_set(how, set, size, &m);
	if (r)
		return r;
	if (oset) {
		o = cur | (t->app_blocks_sigsys ? SIGSYS_BIT : 0);
		r = rt_copy_out(oset, &o, sizeof(o));
		if (r)
			return r;
	}
	if (!set)
		return 0;
	if (how == SIG_BLOCK)
		cur |= m;
	else if (how == SIG_UNBLOCK)
		cur &= ~m;
	else
		cur = m;
	note_sigsys(t, how, m);
	*saved = cur & ~(unblockable | SIGSYS_BIT);
	release_pending(t);
	return 0;
}

/* A SIGSYS that is not ours: what the program asked for. */
static void deliver_app_sigsys(int sig, void *si, void *uc)
{
	struct rt_kernel_sigaction *a = &rt_cfg.app_sigsys;

	if (a->handler == SIG_IGN)
		return;
	if (a->handler == SIG_DFL) {
		struct rt_kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 };
		uint64_t unblock = SIGSYS_BIT;

		rt_sys(SYS_rt_sigaction, RT_SIGSYS, &dfl, NULL, 8);
		long pid, tid;

		rt_sys(SYS_rt_sigprocmask, SIG_UNBLOCK, &unblock, NULL, 8);
		pid = rt_sys(SYS_getpid);
		tid = rt_sys(SYS_gettid);
		rt_sys(SYS_tgkill, pid, tid, RT_SIGSYS);
		return;
	}
	if (a->flags & SA_SIGINFO)
		((void (*)(int, void *, void *))a->handler)(sig, si, uc);
	else
		((void (*)(int))a->handler)(sig);
	if (a->flags & SA_RESETHAND)
		a->handler = SIG_DFL;
}

static bool is_ours(const struct rt_siginfo *si)
{
	if (rt_cfg.mode == RT_MODE_SECCOMP)
		return si->si_code == SYS_SECCOMP_CODE &&
		       si->si_errno == RT_SECCOMP_DATA;
	return si->si_code == SYS_USER_DISPATCH_CODE;
}

void rt_sigsys_handler(int sig, void *siv, void *ucv)
{
	struct rt_siginfo *si = siv;
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t ip = g[REG_RIP];
	long nr = g[REG_RAX];

	if (!is_ours(si)) {
		struct rt_thread *t = rt_self();

		if (t->app_blocks_sigsys && !t->sigsys_pending) {
			rt_memcpy(t->pending_si, si, sizeof(t->pending_si));
			t->sigsys_pending = true;
		} else if (!t->app_blocks_sigsys) {
			deliver_app_sigsys(sig, siv, ucv);
		}
		return;
	}
	if (si->arch != AUDIT_ARCH_X86_64) {
		/*
		 * int $0x80: i386 numbers and registers; never rewritten.
		 * Network calls and those that would leave the runtime are
		 * refused (abis.h); the rest go to the host as they are.
		 */
		g[REG_RAX] = nuse_i386_refused(nr) ?
			-ENOSYS :
			nuse_gate_int80(nr, (uint32_t)g[REG_RBX], (uint32_t)g[REG_RCX],
					(uint32_t)g[REG_RDX], (uint32_t)g[REG_RSI],
					(uint32_t)g[REG_RDI], (uint32_t)g[REG_RBP]);
		return;
	}
	if (rt_cfg.rewrite && rt_rewrite_site(ip - 2)) {
		g[REG_RIP] = ip - 2; /* run the rewritten call */
		return;
	}
	if (nr == SYS_rt_sigreturn)
		nuse_gate_sigreturn((void *)g[REG_RSP]);
	if (nr == SYS_rt_sigprocmask) {
		g[REG_RAX] = sigprocmask_in_frame(uc, g[REG_RDI], (void *)g[REG_RSI],
						  (void *)g[REG_RDX], g[REG_R10]);
		return;
	}
	if (nr == SYS_clone && (g[REG_RDI] & CLONE_VM) && g[REG_RSI]) {
		/* A thread needs the hook's stack handling: enter it as a call. */
		g[REG_RSP] -= 8;
		*(uintptr_t *)g[REG_RSP] = ip;
		g[REG_RIP] = (greg_t)nuse_hook;
		return;
	}
	if (rt_cfg.linux_stack && nr < RT_NR_MAX &&
	    (nuse_is_net_syscall(nr) || nr == SYS_ppoll || nr == SYS_pselect6 ||
	     nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2)) {
		/*
		 * A call for the in-process stack may block for long, and a
		 * signal handler of the program would then run over our frames
		 * on its alternate stack (Go crashed on that, 1 in 3 runs): serve
		 * it outside this handler, as from a rewritten site, entering the
		 * hook as a call made below the red zone (nuse_hook_trap).
		 */
		g[REG_RSP] -= 8 + RT_RED_ZONE;
		*(uintptr_t *)g[REG_RSP] = ip;
		g[REG_RIP] = (greg_t)nuse_hook_trap;
		return;
	}
	g[REG_RAX] = rt_syscall(nr, g[REG_RDI], g[REG_RSI], g[REG_RDX],
				g[REG_R10], g[REG_R8], g[REG_R9], ip);
	/* sigreturn restores the alternate stack from the frame: keep the new one. */
	if (nr == SYS_sigaltstack && g[REG_RAX] == 0)
		rt_sys(SYS_sigaltstack, NULL, &uc->uc_stack);
}

int rt_install_sigsys(void)
{
	struct rt_kernel_sigaction sa = {
		.handler = (void *)rt_sigsys_handler,
		.flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER,
		.restorer = (void *)nuse_gate_restorer,
		.mask = 0,
	};

	return (int)rt_sys(SYS_rt_sigaction, RT_SIGSYS, &sa, NULL, 8);
}
