/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_IRQFLAGS_H
#define _ASM_NUSE_IRQFLAGS_H

/*
 * Interrupts are a flag of the virtual CPU. Re-enabling them runs the
 * interrupts that host threads raised meanwhile (kernel/cpu.c).
 */
#define ARCH_IRQ_ENABLED	1
#define ARCH_IRQ_DISABLED	0

extern unsigned long nuse_irq_flags;
void nuse_irq_enable_slowpath(void);
extern unsigned long nuse_irq_pending;

static inline unsigned long arch_local_save_flags(void)
{
	return nuse_irq_flags;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	nuse_irq_flags = flags;
	if (flags == ARCH_IRQ_ENABLED && __atomic_load_n(&nuse_irq_pending, __ATOMIC_RELAXED))
		nuse_irq_enable_slowpath();
}

#include <asm-generic/irqflags.h>

#endif
