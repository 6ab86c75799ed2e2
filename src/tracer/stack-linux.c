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
	bool restart; /* ended by a handler that wants it called again */
};

/*
 * Room left on the runtime stack below call_stack's frame for what runs
 * there before the stack switches to its task stack (vfs-fd's buffers:
 * a path, a splice or sendfile chunk).
 */
#define NEST_MARGIN (24 * 1024)

/*
 * While the call runs (often blocked on the stack's task stack), a signal
 * handler of the program that enters the runtime again — under seccomp,
 * nginx's SIGTERM handler writing its log: a trapped write — must not
 * start at the top of the runtime stack, over this call's frames (the
 * call then returned through clobbered frames: nginx died of SIGSEGV at
 * SIGTERM). The gate and linux_dispatch take the stack top from the
 * thread: it is lowered below our frames for the call's duration.
 */
static long call_stack(struct call *c)
{
	struct rt_thread *t = rt_self();
	uintptr_t top = t->stack_top;
	uintptr_t below = ((uintptr_t)__builtin_frame_address(0) - NEST_MARGIN) & ~15UL;
	long r;

	if (below > t->stack_lo && below < top)
		t->stack_top = below;
	rt_stack_enter(t);
	r = nuse_vfs_syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4],
			     c->a[5]);
	c->restart = r == -EINTR && nuse_sys_restart_wanted();
	/* signals put off meanwhile: by linux_dispatch, when all is undone */
	rt_stack_exit(t);
	t->stack_top = top;
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
	/* below our frames: a signal taken on the task stack lands at the
	 * alternate stack's top */
	uintptr_t top = ((uintptr_t)__builtin_frame_address(0) - NEST_MARGIN) & ~15UL;
	struct rt_stack_t ss = { (void *)t->stack_lo, 0, top - t->stack_lo };
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
static long dispatch_once(struct call *c);

/*
 * A call that a handler of the program interrupted returns only once
 * every state of ours is undone: the handler runs then (the signals put
 * off meanwhile are sent again, sigwrap.c), and the call is made again if
 * Linux would restart it, as its return to user mode does.
 */
static long linux_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
			   long a5)
{
	struct call c = { nr, { a0, a1, a2, a3, a4, a5 }, 0, false };
	struct rt_thread *t = rt_self();
	long r;

	for (;;) {
		r = dispatch_once(&c);
		if (!__atomic_load_n(&t->in_stack, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&t->deferred, __ATOMIC_ACQUIRE))
			rt_signals_release(t);
		if (!c.restart)
			return r;
		c.restart = false;
	}
}

static long dispatch_once(struct call *cp)
{
	struct call c = *cp;
	static const uint64_t all = ~0ULL;
	struct rt_thread *t = rt_self();
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct rt_stack_t old;
	long r;

	if (sp - t->stack_lo < RT_STACK_SIZE) {
		r = call_stack(&c); /* already there (rewritten site) */
		cp->restart = c.restart;
		return r;
	}
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
	cp->restart = c.restart;
	return r;
}

/*
 * The session's processes (session.c): a fork gives the child a copy of
 * the stack's descriptor table, an execve hands the session and the
 * descriptor map to the new image.  Stack calls from the runtime, so
 * with SUD's selector on ALLOW.
 */
static long fork_prepare(void)
{
	struct rt_thread *t = rt_self();
	long r;

	rt_stack_enter(t);
	r = nuse_proc_fork_prepare();
	rt_stack_leave(t);
	return r;
}

static void fork_parent(long token, long pid)
{
	struct rt_thread *t = rt_self();

	rt_stack_enter(t);
	if (pid < 0)
		nuse_proc_reap(token);
	else
		nuse_proc_register(token, pid);
	rt_stack_leave(t);
}

/* the process the current token is for (see exec_token) */
static long proc_pid;

static void fork_child(long token)
{
	struct rt_thread *t = rt_self();
	int r;

	proc_pid = rt_sys(SYS_getpid);
	rt_stack_enter(t);
	r = nuse_proc_attach(token, proc_pid);
	rt_stack_leave(t);
	if (r)
		rt_log("forked child: no descriptor table in the stack", NULL);
}

static char *put_num(char *p, long v)
{
	char tmp[24];
	int n = 0;

	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static long exec_vfs_fd = -1;

/*
 * The token the new image attaches to.  A child made with CLONE_VM but
 * not CLONE_THREAD (posix_spawn, vfork with a stack) shares our memory,
 * token included, until it execs: it gets a table of its own here, a
 * copy of the parent's, as the kernel's vfork gives it.
 */
static long exec_token(void)
{
	struct rt_thread *t = rt_self();
	long me = rt_sys(SYS_getpid), token;

	if (me == proc_pid)
		return nuse_proc_self();
	rt_stack_enter(t);
	token = nuse_proc_fork_prepare();
	if (token > 0 && nuse_proc_register(token, me)) {
		nuse_proc_reap(token);
		token = -1;
	}
	rt_stack_leave(t);
	return token;
}

static const char *exec_arg(void)
{
	static char buf[192];
	const long v[] = { nuse_session.keeper, nuse_session.data_fd,
			   nuse_session.mem_fd, (long)nuse_session.mem_size,
			   exec_token(), exec_vfs_fd = nuse_vfs_save() };
	char *p = buf;

	rt_memcpy(p, "--session=", 10);
	p += 10;
	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (i)
			*p++ = ',';
		/* a failed save: the new image keeps no socket (v = -errno) */
		p = put_num(p, i == 5 && v[i] < 0 ? -1 : v[i]);
	}
	*p = '\0';
	return buf;
}

static void exec_failed(void)
{
	if (exec_vfs_fd >= 0)
		rt_sys(SYS_close, exec_vfs_fd);
	exec_vfs_fd = -1;
}

static const struct rt_proc_hooks proc_hooks = {
	.fork_prepare = fork_prepare,
	.fork_parent = fork_parent,
	.fork_child = fork_child,
	.exec_arg = exec_arg,
	.exec_failed = exec_failed,
};

/*
 * Before the jump, after the runtime's thread block exists (the stack's
 * host services then take it as this thread's): boot the session's stack
 * in its keeper, or join it after an execve.
 */
int nuse_stack_linux_start(const struct nuse_opts *o)
{
	long vfs_fd;
	int r = nuse_session_start(o, &vfs_fd, nuse_stack_err,
				   sizeof(nuse_stack_err));

	if (r)
		return r;
	proc_pid = rt_sys(SYS_getpid);
	nuse_vfs_init(nuse_gate_syscall, rt_scratch);
	if (vfs_fd >= 0)
		nuse_vfs_restore(vfs_fd);
	rt_cfg.linux_stack = true;
	rt_cfg.proc = &proc_hooks;
	/* SUD lets a thread's calls through while it is in the stack: its
	 * waits there intercept it again (a signal handler may run) */
	if (rt_cfg.mode == RT_MODE_SUD || rt_cfg.mode == RT_MODE_SUD_TRAP)
		nuse_host_set_intr_wait(nuse_gate_intr_wait, nuse_gate_intr_site);
	nuse_dispatch_stack = linux_dispatch;
	/* handlers run after a stack call, never inside it (sigwrap.c); in
	 * preload the shim wraps them (preload/signals.c) */
	if (rt_cfg.mode != RT_MODE_PRELOAD)
		rt_cfg.wrap_sigaction = rt_wrap_sigaction;
	nuse_dispatch_lost = nuse_session_lost;
	/*
	 * Copies of the program's memory without a system call where the
	 * runtime sees the program's SIGSEGV/SIGBUS actions (not preload,
	 * whose libc calls it does not see): process_vm_* otherwise.
	 */
	if (rt_cfg.mode != RT_MODE_PRELOAD && rt_fault_init())
		rt_log("SIGSEGV handler not installed: copies stay system calls", NULL);
	return 0;
}
