// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall entry: take the CPU, run as the calling thread's task (made on
 * first use) and call the syscall directly, on the caller's own thread.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
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

/* Take the CPU and run as the calling thread's task. */
int nuse_enter(void)
{
	struct nuse_thread_state *ts = nuse_thread_state();
	int ret = nuse_cpu_get();

	if (ret)
		return ret;
	if (unlikely(!ts->task)) {
		struct task_struct *task = nuse_host_task_create();

		if (IS_ERR(task)) {
			nuse_cpu_put();
			return PTR_ERR(task);
		}
		ts->task = task;
	}
	nuse_switch_to_host_task(ts->task);
	return 0;
}

void nuse_leave(void)
{
	if (current->task_works)
		task_work_run();
	nuse_cpu_put();
}

long nuse_syscall(long nr, long *args)
{
	nuse_sys_fn fn;
	int sigpipe = 0;
	long ret;

	if (nr < 0 || nr >= nuse_syscall_table_size || !nuse_syscall_table[nr])
		return -ENOSYS;
	fn = nuse_syscall_table[nr];
	ret = nuse_enter();
	if (ret)
		return ret;

	ret = fn(args[0], args[1], args[2], args[3], args[4], args[5]);

	/* what the return to user mode would do: deferred fput() etc. */
	if (current->task_works)
		task_work_run();
	if (unlikely(signal_pending(current)))
		sigpipe = take_signals();
	/* no restart machinery here: report an interrupted call */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
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
