// SPDX-License-Identifier: GPL-2.0
/*
 * Is a task other than current waiting for the CPU?
 *
 * A host thread leaving the CPU schedules other runnable tasks (cpu.c).
 * single_task_running() counts the run queue, and since EEVDF's delayed
 * dequeue (6.12) a task that went to sleep with negative lag stays queued,
 * "sched_delayed", until picked, when it is dropped. Asked that way, the
 * answer was "yes" about twice per nginx request; scheduling then found
 * nothing to run but the idle task, whose thread and the idle helper's
 * woke for nothing (measured: 27k times in 5 s of wrk).
 */
#include <linux/sched.h>
#include <../kernel/sched/sched.h>
#include <asm/nuse.h>

bool nuse_others_runnable(void)
{
	struct rq *rq = this_rq();
	unsigned int n = rq->nr_running - rq->cfs.h_nr_delayed;

	if (task_on_rq_queued(current) && !current->se.sched_delayed)
		n--;
	return (int)n > 0;
}
