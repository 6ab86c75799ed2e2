/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_THREAD_INFO_H
#define _ASM_NUSE_THREAD_INFO_H

/*
 * An application thread runs its syscalls on its task's kernel stack
 * (kernel/syscalls.c): kernel code keeps pointers into the stack (wait
 * queue entries, mutex waiters) in shared structures, so the stack must
 * be in the kernel's memory, which forked processes share. 32 KiB: the
 * receive path runs softirqs on the same stack.
 */
#define THREAD_SIZE_ORDER	3
#define THREAD_SIZE		(PAGE_SIZE << THREAD_SIZE_ORDER)

#ifndef __ASSEMBLY__
#include <asm/types.h>
#include <asm/page.h>
#include <nuse/host.h>

typedef struct {
	unsigned long seg;
} mm_segment_t;

struct thread_info {
	struct task_struct *task;
	unsigned long flags;
	int preempt_count;
	/* host thread currently bound to this task (0 if none), its process */
	long tid;
	long pid;
	/* posted when the scheduler hands the CPU to this task */
	struct nuse_host_sem sched_sem;
	/* host tasks: inside a syscall (a host signal may interrupt it) */
	int in_syscall;
	unsigned long syscall_seq;
	/* kernel threads: the host thread backing them, and its stack */
	struct nuse_host_thread *thread;
	void *stack;
};

#define INIT_THREAD_INFO(tsk)			\
{						\
	.task		= &tsk,			\
	.flags		= 0,			\
	.preempt_count	= INIT_PREEMPT_COUNT,	\
}

/* One CPU: the running task's thread_info is a plain global. */
extern struct thread_info *nuse_current_ti;
static inline struct thread_info *current_thread_info(void)
{
	return nuse_current_ti;
}

#endif /* __ASSEMBLY__ */

#define TIF_SYSCALL_TRACE	0
#define TIF_NOTIFY_RESUME	1
#define TIF_SIGPENDING		2
#define TIF_NEED_RESCHED	3
#define TIF_RESTORE_SIGMASK	4
#define TIF_MEMDIE		5
#define TIF_NOTIFY_SIGNAL	6
#define TIF_POLLING_NRFLAG	7
/* the task stands for a host thread (application thread or idle helper) */
#define TIF_HOST_THREAD		8
/* the task's host thread exits at its next switch away */
#define TIF_NUSE_EXIT		9

#define _TIF_SYSCALL_TRACE	(1 << TIF_SYSCALL_TRACE)
#define _TIF_NOTIFY_RESUME	(1 << TIF_NOTIFY_RESUME)
#define _TIF_SIGPENDING		(1 << TIF_SIGPENDING)
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)
#define _TIF_NOTIFY_SIGNAL	(1 << TIF_NOTIFY_SIGNAL)
#define _TIF_POLLING_NRFLAG	(1 << TIF_POLLING_NRFLAG)
#define _TIF_HOST_THREAD	(1 << TIF_HOST_THREAD)

#endif
