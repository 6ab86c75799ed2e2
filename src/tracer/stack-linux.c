// SPDX-License-Identifier: GPL-2.0
/*
 * --stack=linux in the in-process modes: boot the Linux stack in this
 * process and route the program's network calls through vfs-fd to it.
 * Compiled with the runtime's flags: linux_dispatch runs on the program's
 * threads.  Outside libnuse-rt.a so that the runtime (and its unit tests)
 * does not pull the stack in.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>

#include <nuse/stack.h>
#include <nuse/vfs.h>

#include "rt/dispatch.h"
#include "rt/rt.h"
#include "stack-linux.h"

struct call {
	long nr, a[6];
	uint64_t mask; /* the thread's signal mask, restored on the new stack */
};

static long call_stack(struct call *c)
{
	struct rt_thread *t = rt_self();
	long r;

	rt_stack_enter(t);
	r = nuse_vfs_syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4],
			     c->a[5]);
	rt_stack_leave(t);
	return r;
}

/* Run fn(c) with RSP at top (16-byte aligned), back on the caller's stack after. */
long nuse_on_stack(struct call *c, long (*fn)(struct call *), uintptr_t top);
asm(".text\n"
    ".type nuse_on_stack, @function\n"
    "nuse_on_stack:\n"
    "	pushq %rbp\n"
    "	movq %rsp, %rbp\n"
    "	movq %rdx, %rsp\n"
    "	call *%rsi\n"
    "	movq %rbp, %rsp\n"
    "	popq %rbp\n"
    "	ret\n"
    ".size nuse_on_stack, . - nuse_on_stack\n");

struct rt_stack_t {
	void *sp;
	int flags;
	size_t size;
};

/*
 * On the runtime stack, which is also the alternate signal stack for the
 * call: a signal that arrives meanwhile is then delivered below the
 * current frame instead of at the top of the program's alternate stack,
 * where the SIGSYS frame we came from lives.  Signals stay blocked until
 * the alternate stack is ours (see linux_dispatch).
 */
static long call_on_runtime_stack(struct call *c)
{
	struct rt_thread *t = rt_self();
	struct rt_stack_t ss = { (void *)t->stack_lo, 0, RT_STACK_SIZE };
	long r = rt_sys(SYS_sigaltstack, &ss, NULL);

	rt_sys(SYS_rt_sigprocmask, SIG_SETMASK, &c->mask, NULL, 8);
	if (r)
		return -ENOMEM;
	return call_stack(c);
}

/*
 * From a trap (sud-trap, seccomp, or a site's first trap under sud) the
 * SIGSYS handler runs on the program's stack or alternate stack, which
 * may be small (Go's signal stack is 32 KiB) and which a nested signal
 * would also use: move to the runtime stack for the stack call.
 */
static long linux_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
			   long a5)
{
	struct call c = { nr, { a0, a1, a2, a3, a4, a5 }, 0 };
	static const uint64_t all = ~0ULL;
	struct rt_thread *t = rt_self();
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct rt_stack_t old;
	long r;

	if (sp - t->stack_lo < RT_STACK_SIZE)
		return call_stack(&c); /* already there (rewritten site) */
	if (rt_sys(SYS_sigaltstack, NULL, &old))
		return -EFAULT;
	/*
	 * Between the switch and the new alternate stack a signal would land
	 * on top of the program's alternate stack, over our frames: blocked.
	 */
	rt_sys(SYS_rt_sigprocmask, SIG_BLOCK, &all, &c.mask, 8);
	r = nuse_on_stack(&c, call_on_runtime_stack, t->stack_top & ~15UL);
	/* back on the program's stack: not on the runtime one, so allowed */
	old.flags &= ~1 /* SS_ONSTACK: informational, refused on set */;
	rt_sys(SYS_sigaltstack, &old, NULL);
	return r;
}

/*
 * Before the jump, after the runtime's thread block exists (the stack's
 * host services then take it as this thread's).  The boot brings lo up.
 */
int nuse_stack_linux_start(const struct nuse_opts *o)
{
	/*
	 * 512 MiB, not the stack's default 64: Linux sizes tcp_mem from it.
	 * A Go HTTP test with 300 connections in one process stalled for its
	 * 30 s timeout under TCP memory pressure at 64 MiB, sometimes at 256,
	 * never in 5 runs at 1 GiB.  Untouched pages cost nothing; the page
	 * array makes boot ~10 ms and ~7 MB of RSS dearer.
	 */
	static const struct nuse_boot_params params = { .mem_size = 512UL << 20 };
	int r = nuse_boot(&params);

	if (r || (r = nuse_stack_linux_configure(o, nuse_stack_err, sizeof(nuse_stack_err))))
		return r;
	nuse_vfs_init(nuse_gate_syscall);
	rt_cfg.linux_stack = true;
	nuse_dispatch_stack = linux_dispatch;
	return 0;
}
