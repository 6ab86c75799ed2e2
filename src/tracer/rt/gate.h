/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime's syscall gate: the only code range whose system calls are
 * let through by SUD (its allowed region) and by our seccomp filter
 * (matched by instruction pointer).  See gate.S.
 */
#ifndef NUSE_RT_GATE_H
#define NUSE_RT_GATE_H

/*
 * Per-thread runtime block, reached through GS.  Offsets used by gate.S;
 * the block starts with the stack's struct nuse_host_tls (72 bytes), so
 * one GS base serves the runtime and the stack's host services.
 */
#define RT_OFF_SELF 0
#define RT_OFF_STACK_TOP 72
#define RT_OFF_STACK_LO 80
#define RT_OFF_SUD_SELECTOR 88
#define RT_STACK_SIZE (64 * 1024)
#define RT_NR_MAX 512 /* syscall numbers the fast path knows */

#ifndef __ASSEMBLER__

long nuse_gate_syscall(long nr, long a0, long a1, long a2, long a3, long a4,
		       long a5);
long nuse_gate_int80(long nr, long a0, long a1, long a2, long a3, long a4,
		     long a5);
/* Resume an interrupted context from its signal frame at @uc_sp. */
void nuse_gate_sigreturn(void *uc_sp) __attribute__((noreturn));
/* Signal restorer for the runtime's own handlers. */
void nuse_gate_restorer(void);
/* FUTEX_WAIT(addr, 0) with the SUD selector at BLOCK meanwhile, its
 * syscall at nuse_gate_intr_site (nuse_host_set_intr_wait). */
long nuse_gate_intr_wait(int *addr);
extern const char nuse_gate_intr_site[];
/* Entry of rewritten syscall sites (reached through page 0). */
void nuse_hook(void);
/* nuse_hook for a call a SIGSYS handler redirects: the return address is
 * RT_RED_ZONE bytes below the program's stack pointer, which the return
 * restores. */
#define RT_RED_ZONE 128
void nuse_hook_trap(void);

extern char nuse_gate_start[], nuse_gate_end[];

/* Bit per syscall number: set when the runtime must see the call. */
extern unsigned long rt_slow_calls[RT_NR_MAX / 64];

#endif /* __ASSEMBLER__ */
#endif
