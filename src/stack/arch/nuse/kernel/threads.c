// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks and host threads.
 *
 * A kernel thread is a host thread that waits on its task's semaphore
 * until the scheduler switches to it. An application thread entering a
 * syscall is bound to a "host task" (TIF_HOST_THREAD) created for it on
 * first use; its own host thread runs the task, no new thread is made.
 *
 * A thread that needs the scheduler while the running task is not its own
 * (a syscall arriving while another thread's task is current, or an
 * interrupt delivered from a host thread) borrows that parked task: it
 * marks it asleep and calls schedule() with a jump buffer armed. If the
 * scheduler picks the borrower's own task, schedule() simply returns as
 * that task; otherwise __switch_to posts the next task's semaphore and
 * jumps back, and the borrower waits for its own task's turn.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/fdtable.h>
#include <asm/switch_to.h>
#include <asm/nuse.h>
#include <nuse/host.h>

struct thread_info *nuse_current_ti = &init_thread_info;
struct task_struct *nuse_prev_task;
struct task_struct *nuse_host0;

/* a kernel thread that ended; its host stack is freed by the next create */
static struct nuse_host_thread *zombie;
static void *zombie_stack;

/*
 * Kernel threads run on stacks taken from the kernel's memory, for the
 * same reason as syscalls run on task stacks: what they leave on their
 * stack (wait entries) must be visible to every process sharing the stack.
 */
#define KTHREAD_STACK_ORDER	4

struct thread_bootstrap {
	int (*fn)(void *);
	void *arg;
	struct thread_info *ti;
};

int nuse_host_task_stub(void *unused)
{
	/* never runs: a host task's code is the application thread's */
	BUG();
	return 0;
}

static void thread_bootstrap(void *data)
{
	struct thread_bootstrap tb = *(struct thread_bootstrap *)data;

	nuse_thread_state();
	nuse_host_sem_down(&tb.ti->sched_sem);
	if (test_ti_thread_flag(tb.ti, TIF_NUSE_EXIT))
		nuse_host_thread_exit();
	nuse_cpu_handoff_claim(&tb.ti->sched_sem);
	kfree(data);
	schedule_tail(nuse_prev_task);
	tb.fn(tb.arg);
	do_exit(0);
}

static void reap_zombie(void)
{
	if (zombie) {
		nuse_host_thread_join(zombie);
		free_pages((unsigned long)zombie_stack, KTHREAD_STACK_ORDER);
		zombie = NULL;
	}
}

int copy_thread(struct task_struct *p, const struct kernel_clone_args *args)
{
	struct thread_info *ti = task_thread_info(p);
	struct thread_bootstrap *tb;
	void *stack;

	/* the thread_info was copied from the parent: start afresh */
	nuse_host_sem_init(&ti->sched_sem, 0);
	ti->tid = 0;
	ti->pid = 0;
	ti->thread = NULL;
	ti->stack = NULL;
	ti->in_syscall = 0;
	clear_ti_thread_flag(ti, TIF_HOST_THREAD);
	clear_ti_thread_flag(ti, TIF_NUSE_EXIT);

	if (args->fn == nuse_host_task_stub) {
		set_ti_thread_flag(ti, TIF_HOST_THREAD);
		return 0;
	}
	if (!args->fn)
		return -EINVAL;	/* no user-space fork here */

	reap_zombie();
	tb = kmalloc(sizeof(*tb), GFP_KERNEL);
	if (!tb)
		return -ENOMEM;
	tb->fn = args->fn;
	tb->arg = args->fn_arg;
	tb->ti = ti;
	stack = (void *)__get_free_pages(GFP_KERNEL, KTHREAD_STACK_ORDER);
	if (!stack) {
		kfree(tb);
		return -ENOMEM;
	}
	ti->stack = stack;
	ti->thread = nuse_host_thread_create_on(stack, PAGE_SIZE << KTHREAD_STACK_ORDER,
						thread_bootstrap, tb);
	if (!ti->thread) {
		free_pages((unsigned long)stack, KTHREAD_STACK_ORDER);
		kfree(tb);
		return -ENOMEM;
	}
	ti->tid = nuse_host_thread_id(ti->thread);
	ti->pid = nuse_host_getpid();
	return 0;
}

struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next)
{
	struct thread_info *pti = task_thread_info(prev);
	struct thread_info *nti = task_thread_info(next);
	struct nuse_thread_state *ts = nuse_thread_state();

	nuse_current_ti = nti;
	nuse_prev_task = prev;
	/* the post below may never come (cpu.c): say who owes it */
	if (nti->tid != ts->tid)
		nuse_cpu_handoff(&nti->sched_sem);
	nuse_cpu_set_owner(nti->tid, nti->pid);

	/* the borrower's own task was picked: go on as that task */
	if (nti->tid == ts->tid) {
		ts->jb_armed = 0;
		return prev;
	}
	if (ts->jb_armed) {
		ts->jb_armed = 0;
		nuse_host_sem_up(&nti->sched_sem);
		nuse_longjmp(ts->jb);
	}
	if (READ_ONCE(prev->__state) == TASK_DEAD) {
		/* a kernel thread ends: its host thread goes with it */
		zombie = pti->thread;
		zombie_stack = pti->stack;
		nuse_host_sem_up(&nti->sched_sem);
		nuse_host_thread_exit();
	}
	nuse_host_sem_up(&nti->sched_sem);
	/* going to sleep in a call: what it queued leaves first (netdev.c) */
	nuse_netdev_tx_flush(0);
	if (pti->in_syscall) {
		nuse_netdev_tx_hurry();
		/* an application thread: a host signal may interrupt it */
		int r;

		while ((r = nuse_host_sem_down_app(&pti->sched_sem))) {
			/* the keeper is gone: nothing will wake us, ever */
			if (r == -ENETDOWN && ts->escape_armed)
				nuse_longjmp(ts->escape);
			if (r != -ENETDOWN)
				nuse_interrupt_task(prev, pti->syscall_seq);
		}
	} else {
		nuse_host_sem_down(&pti->sched_sem);
	}
	if (unlikely(test_ti_thread_flag(pti, TIF_NUSE_EXIT)))
		nuse_host_thread_exit();
	nuse_cpu_handoff_claim(&pti->sched_sem);
	return nuse_prev_task;
}

/*
 * Put the parked current task to sleep and schedule. Returns 0 when the
 * scheduler picked this thread's own task (we now run as it), 1 when the
 * CPU went to another host thread (we no longer hold it).
 */
int nuse_sched_jb(void)
{
	struct nuse_thread_state *volatile ts = nuse_thread_state();

	if (nuse_setjmp(ts->jb))
		return 1;
	ts->jb_armed = 1;
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	ts->jb_armed = 0;
	return 0;
}

void nuse_switch_to_host_task(struct task_struct *task)
{
	struct thread_info *ti = task_thread_info(task);
	struct nuse_thread_state *ts = nuse_thread_state();

	ti->tid = ts->tid;
	ti->pid = ts->pid;
	while (current != task) {
		if (WARN_ON_ONCE(!test_thread_flag(TIF_HOST_THREAD)))
			return;
		wake_up_process(task);
		if (nuse_sched_jb()) {
			/* someone else runs; wait until the scheduler picks us
			 * (or take over from a dead thread it went to, and
			 * schedule again, as that thread's task) */
			nuse_netdev_tx_flush(0);
			if (nuse_cpu_wait_turn(&ti->sched_sem))
				continue;
			schedule_tail(nuse_prev_task);
		}
	}
}

/* A task for the calling application thread, cloned from its process's
 * template (host0 outside a session) so that the threads of a process
 * share one descriptor table and one thread group (proc.c). */
/*
 * copy_process() refuses to clone while current has a signal pending:
 * -ERESTARTNOINTR, which a real kernel's return to user mode turns into a
 * restart.  Nothing restarts here, and it reached programs as error 513
 * (Go's netpoller died of it).  Current is a template that never makes a
 * call, or a task between calls: a signal pending for it is stale (a
 * group signal the stack sent its thread group, an interrupt for a call
 * that has ended), and programs get their signals from the host kernel,
 * not from here: drop it.
 */
pid_t nuse_host_task_clone(unsigned long flags)
{
	flush_signals(current);
	return user_mode_thread(nuse_host_task_stub, NULL, flags);
}

struct task_struct *nuse_host_task_create(void)
{
	struct task_struct *task;
	pid_t pid;

	nuse_switch_to_host_task(nuse_proc_template());
	pid = nuse_host_task_clone(CLONE_VM | CLONE_FS | CLONE_FILES |
				   CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM);
	if (pid < 0)
		return ERR_PTR(pid);
	rcu_read_lock();
	task = find_task_by_pid_ns(pid, &init_pid_ns);
	rcu_read_unlock();
	snprintf(task->comm, sizeof(task->comm), "host%d", pid);
	return task;
}

/*
 * Halt: every kernel thread (and the idle task's thread) is parked on its
 * semaphore; wake each with the exit flag so its host thread ends. Host
 * tasks are application threads: never touched.
 */
void nuse_threads_halt(void)
{
	struct task_struct *g, *t;

	for_each_process_thread(g, t) {
		struct thread_info *ti = task_thread_info(t);

		if (t == current || !ti->thread)
			continue;
		set_ti_thread_flag(ti, TIF_NUSE_EXIT);
		nuse_host_sem_up(&ti->sched_sem);
	}
	set_ti_thread_flag(&init_thread_info, TIF_NUSE_EXIT);
	nuse_host_sem_up(&init_thread_info.sched_sem);
}
