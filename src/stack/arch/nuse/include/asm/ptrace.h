/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_PTRACE_H
#define _ASM_NUSE_PTRACE_H

/* Nothing is ever interrupted in user mode: there is no user mode. */
struct pt_regs {
	unsigned long ip;
	unsigned long sp;
};

#define user_mode(regs)			0
#define kernel_mode(regs)		1
#define instruction_pointer(regs)	((regs)->ip)
#define user_stack_pointer(regs)	((regs)->sp)
#define profile_pc(regs)		instruction_pointer(regs)

#endif
