// SPDX-License-Identifier: GPL-2.0
/* Hooks the core expects from every architecture; most have nothing to do
 * here because there is no user mode, no registers to show, no ptrace. */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/printk.h>
#include <asm/nuse.h>

void flush_thread(void)
{
}

void ptrace_disable(struct task_struct *child)
{
}

long arch_ptrace(struct task_struct *child, long request,
		 unsigned long addr, unsigned long data)
{
	return -EINVAL;
}

void show_regs(struct pt_regs *regs)
{
}

void show_stack(struct task_struct *task, unsigned long *sp, const char *loglvl)
{
	printk("%sCall trace: (not available on nuse; use gdb)\n", loglvl);
}

static int show_cpuinfo(struct seq_file *m, void *v)
{
	seq_puts(m, "processor\t: 0\nvendor_id\t: nuse virtual CPU\n\n");
	return 0;
}

static void *c_start(struct seq_file *m, loff_t *pos)
{
	return *pos < 1 ? (void *)1 : NULL;
}

static void *c_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void c_stop(struct seq_file *m, void *v)
{
}

const struct seq_operations cpuinfo_op = {
	.start	= c_start,
	.next	= c_next,
	.stop	= c_stop,
	.show	= show_cpuinfo,
};
