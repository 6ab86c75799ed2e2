/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_PROCESSOR_H
#define _ASM_NUSE_PROCESSOR_H

struct task_struct;

struct thread_struct { };

#define INIT_THREAD { }

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

#define TASK_SIZE	(~0UL)
#define TASK_UNMAPPED_BASE	0
#define STACK_TOP	TASK_SIZE
#define STACK_TOP_MAX	STACK_TOP

#define KSTK_EIP(tsk)	(0)
#define KSTK_ESP(tsk)	(0)

#define task_pt_regs(tsk) ((struct pt_regs *)0)


static inline unsigned long __get_wchan(struct task_struct *p)
{
	return 0;
}

static inline void start_thread(struct pt_regs *regs, unsigned long ip,
				unsigned long sp) { }

#endif
