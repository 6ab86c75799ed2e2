// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall entry: take the CPU, run as the calling thread's task (made on
 * first use) and call the syscall directly, on the caller's own thread.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/task_work.h>
#include <linux/signal.h>
#include <linux/errno.h>
#include <asm/nuse.h>
#include <nuse/host.h>
#include <nuse/stack.h>

typedef long (*nuse_sys_fn)(long, long, long, long, long, long);
extern const nuse_sys_fn nuse_syscall_table[];
extern const int nuse_syscall_table_size;

/* Signals the stack raised against the task (SIGPIPE on a broken
 * connection) go to the application thread, as the host would do. */
static int take_signals(void)
{
	int sigpipe;

	spin_lock_irq(&current->sighand->siglock);
	sigpipe = sigismember(&current->pending.signal, SIGPIPE) ||
		  sigismember(&current->signal->shared_pending.signal, SIGPIPE);
	spin_unlock_irq(&current->sighand->siglock);
	flush_signals(current);
	return sigpipe;
}

/*
 * Run fn(arg) on the current task's kernel stack (see thread_info.h):
 * rdi = fn, rsi = arg, rdx = stack top (16-byte aligned).
 */
long nuse_call_on_stack(long (*fn)(void *), void *arg, unsigned long top);
__asm__(".text\n"
	".globl nuse_call_on_stack\n"
	".type nuse_call_on_stack,@function\n"
	"nuse_call_on_stack:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov %rdx, %rsp\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	call *%rax\n"
	"	mov %rbp, %rsp\n"
	"	pop %rbp\n"
	"	ret\n"
	".size nuse_call_on_stack, .-nuse_call_on_stack\n");

long nuse_on_task_stack(long (*fn)(void *), void *arg)
{
	unsigned long base = (unsigned long)task_stack_page(current);
	unsigned long sp = (unsigned long)__builtin_frame_address(0);

	if (sp >= base && sp < base + THREAD_SIZE)
		return fn(arg);
	return nuse_call_on_stack(fn, arg, (base + THREAD_SIZE) & ~15UL);
}

/*
 * Threads meeting the stack for the first time take turns: each runs as
 * host0 for a moment to clone its task, and two at once would both wait
 * for host0's turn. Taken before the CPU, never while holding it.
 */
static struct nuse_host_mutex create_lock;

/* Take the CPU and run as the calling thread's task. */
int nuse_enter(void)
{
	struct nuse_thread_state *ts = nuse_thread_state();
	int creating = !ts->task;
	int ret;

	/* the session's keeper is gone (a wait found out): so is the stack */
	if (unlikely(nuse_host_keeper_known_lost()))
		return -ENETDOWN;
	if (unlikely(creating))
		nuse_host_mutex_lock(&create_lock);
	ret = nuse_cpu_get();
	if (ret)
		goto out;
	/* the dead task's count as between two calls, not mid-switch: the
	 * switch to ours below schedules ("scheduling while atomic") */
	if (unlikely(nuse_cpu_took_over()))
		current_thread_info()->preempt_count = 0;
	if (unlikely(!ts->task)) {
		struct task_struct *task = nuse_host_task_create();

		if (IS_ERR(task)) {
			nuse_cpu_put();
			ret = PTR_ERR(task);
			goto out;
		}
		ts->task = task;
	}
	nuse_switch_to_host_task(ts->task);
	nuse_host_self()->in_stack = 1;
out:
	if (unlikely(creating))
		nuse_host_mutex_unlock(&create_lock);
	return ret;
}

void nuse_leave(void)
{
	if (current->task_works)
		task_work_run();
	nuse_host_self()->in_stack = 0;
	nuse_cpu_put();
}

/*
 * What the return to user mode does with a call a signal interrupted
 * (arch/x86/kernel/signal.c, handle_signal): @intr says how the program's
 * handler ended the thread's wait (NUSE_HOST_INTR_*, 0 if none was seen).
 * ERESTARTSYS restarts under SA_RESTART, ERESTARTNOINTR always; the rest
 * (poll, select, epoll waits, sleeps) end with EINTR, as do calls on
 * sockets with a timeout, which the stack already ends with EINTR.
 */
static bool nuse_restarts(long ret, int intr)
{
	return ret == -ERESTARTNOINTR ||
	       (ret == -ERESTARTSYS && intr == NUSE_HOST_INTR_RESTART);
}

/* No kernel-internal code (512-530) ever leaves the stack. */
static long nuse_user_errno(long ret)
{
	if (likely(ret > -512 || ret < -530))
		return ret;
	switch (ret) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	case -ENOIOCTLCMD:
		return -ENOTTY;	/* what vfs_ioctl() makes of it */
	case -ENOTSUPP:
		return -EOPNOTSUPP;
	default:
		WARN_ONCE(1, "nuse: kernel-internal error %ld from a call\n", ret);
		return -EIO;
	}
}

struct syscall_call {
	nuse_sys_fn fn;
	long *args;
};

static long run_syscall(void *data)
{
	struct syscall_call *c = data;

	return c->fn(c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5]);
}

/* The code the last call of this thread ended with before the mapping
 * above, when it was interrupted (a supervisor answers with it). */
long nuse_sys_interrupted_code(void)
{
	return nuse_thread_state()->interrupted;
}

int nuse_sys_restart_wanted(void)
{
	return nuse_thread_state()->restart;
}

long nuse_syscall(long nr, long *args)
{
	struct nuse_host_tls *self = nuse_host_self();
	struct nuse_thread_state *volatile ts;
	struct syscall_call call;
	int sigpipe = 0, intr;
	long ret;

	if (nr < 0 || nr >= nuse_syscall_table_size || !nuse_syscall_table[nr])
		return -ENOSYS;
	call.fn = nuse_syscall_table[nr];
	call.args = args;
	ret = nuse_enter();
	if (ret)
		return nuse_user_errno(ret);
	ts = nuse_thread_state();
	self->intr = 0;
restart:
	/* a late interrupt for an earlier call must not end this one */
	if (unlikely(signal_pending(current)))
		flush_signals(current);
	current_thread_info()->syscall_seq++;
	current_thread_info()->in_syscall = 1;
	nuse_inflight_enter(nr, args[0]);
	/*
	 * A wait in this call that can never end (the keeper, whose threads
	 * would wake it, is gone) comes back here without the CPU: the
	 * kernel's state is the dead session's, nothing of it is undone.
	 */
	ts = nuse_thread_state();
	if (nuse_setjmp(ts->escape)) {
		ts->escape_armed = 0;
		self->in_stack = 0;
		return -ENETDOWN;
	}
	ts->escape_armed = 1;
	ret = nuse_on_task_stack(run_syscall, &call);
	ts->escape_armed = 0;
	current_thread_info()->in_syscall = 0;
	nuse_inflight_leave();

	/* what the return to user mode would do: deferred fput() etc. */
	if (current->task_works)
		task_work_run();
	if (unlikely(signal_pending(current)))
		sigpipe |= take_signals();
	intr = self->intr;
	self->intr = 0;
	/* restart_syscall() (a lock another task holds, no signal): let it
	 * run, then again, as the return to user mode would */
	if (unlikely(ret == -ERESTARTNOINTR && !intr)) {
		schedule_timeout_uninterruptible(1);
		goto restart;
	}
	ts->interrupted = ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
			  ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK ?
				  ret : 0;
	/* the caller runs the handler first, then calls again */
	ts->restart = nuse_restarts(ret, intr);
	ret = nuse_user_errno(ret);
	self->in_stack = 0;
	nuse_cpu_put();
	if (sigpipe)
		nuse_host_raise(SIGPIPE);
	return ret;
}

long nuse_sys(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long args[6] = { a0, a1, a2, a3, a4, a5 };

	return nuse_syscall(nr, args);
}
