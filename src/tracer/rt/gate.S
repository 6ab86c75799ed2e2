/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything in [nuse_gate_start, nuse_gate_end) may issue real system
 * calls: SUD exempts this range and the seccomp filter exempts it by
 * instruction pointer.  Keep it small and free of C.
 */
#include "gate.h"

#define SYS_rt_sigreturn 15
#define SYS_clone 56
#define CLONE_VM 0x100

	.section .text.nuse_gate, "ax", @progbits
	.globl nuse_gate_start, nuse_gate_end
	.globl nuse_gate_syscall, nuse_gate_int80, nuse_gate_sigreturn, nuse_gate_restorer
	.hidden nuse_gate_start, nuse_gate_end
#ifndef NUSE_GATE_ONLY
	.globl nuse_hook, nuse_hook_trap
	.hidden nuse_hook
#endif

nuse_gate_start:

/* long nuse_gate_syscall(nr, a0..a5): SysV arguments to syscall registers. */
	.type nuse_gate_syscall, @function
nuse_gate_syscall:
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %r10
	movq %r9, %r8
	movq 8(%rsp), %r9
	syscall
	ret
	.size nuse_gate_syscall, . - nuse_gate_syscall

/* long nuse_gate_int80(nr, a0..a5): the i386 ABI, for programs that use it. */
	.type nuse_gate_int80, @function
nuse_gate_int80:
	pushq %rbx
	pushq %rbp
	movq %rdi, %rax
	movq %rsi, %rbx
	xchgq %rdx, %rcx
	movq %r8, %rsi
	movq %r9, %rdi
	movq 24(%rsp), %rbp
	int $0x80
	movslq %eax, %rax
	popq %rbp
	popq %rbx
	ret
	.size nuse_gate_int80, . - nuse_gate_int80

	.type nuse_gate_sigreturn, @function
nuse_gate_sigreturn:
	movq %rdi, %rsp
	movl $SYS_rt_sigreturn, %eax
	syscall
	ud2
	.size nuse_gate_sigreturn, . - nuse_gate_sigreturn

/*
 * long nuse_gate_intr_wait(int *addr): FUTEX_WAIT(addr, 0) for the
 * stack's interruptible wait (nuse_host_set_intr_wait), with the thread's
 * SUD selector at BLOCK meanwhile: the stack's calls run with it at
 * ALLOW, and a signal handler of the program running during the wait
 * must be intercepted, its sigreturn included (rt_sigreturn_check).  The
 * syscall itself is in the gate.
 */
	.globl nuse_gate_intr_wait, nuse_gate_intr_site
	.type nuse_gate_intr_wait, @function
nuse_gate_intr_wait:
	movb $1, %gs:RT_OFF_SUD_SELECTOR
	xorl %esi, %esi
	xorl %edx, %edx
	xorl %r10d, %r10d
	movl $202, %eax
nuse_gate_intr_site:
	syscall
	movb $0, %gs:RT_OFF_SUD_SELECTOR
	ret
	.size nuse_gate_intr_wait, . - nuse_gate_intr_wait

	.type nuse_gate_restorer, @function
nuse_gate_restorer:
	movl $SYS_rt_sigreturn, %eax
	syscall
	ud2
	.size nuse_gate_restorer, . - nuse_gate_restorer

#ifndef NUSE_GATE_ONLY /* the preload shim needs only the raw calls above */
/*
 * nuse_hook: a rewritten site did `call *%rax` with the syscall number in
 * RAX and the arguments in RDI, RSI, RDX, R10, R8, R9; the return address
 * is at (%rsp).  Like the syscall it replaces, it preserves every register
 * but RAX (result), RCX and R11.
 */
	.type nuse_hook, @function
nuse_hook:
	/* Calls the runtime has nothing to do with go straight to the host. */
	cmpq $RT_NR_MAX, %rax
	jae .Lslow
	btq %rax, rt_slow_calls(%rip)
	jc .Lslow
	syscall
	ret
.Lslow:
	cmpq $SYS_rt_sigreturn, %rax
	je .Lsigreturn
	cmpq $SYS_clone, %rax
	jne .Lgeneric
	testq $CLONE_VM, %rdi
	jz .Lgeneric
	testq %rsi, %rsi
	jnz .Lclone_thread

.Lgeneric:
	/* Run C on the thread's runtime stack unless already on it (nested). */
	movq %rsp, %r11
	movq %rsp, %rcx
	subq %gs:RT_OFF_STACK_LO, %rcx
	cmpq $RT_STACK_SIZE, %rcx
	jb 1f
	movq %gs:RT_OFF_STACK_TOP, %rsp
1:	pushq %r11		/* app stack pointer */
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r10
	pushq %r8
	pushq %r9
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	/* rt_syscall(nr, a0, a1, a2, a3, a4, a5, ret_ip): two stack slots */
	subq $16, %rsp
	movq 56(%rbp), %r11	/* app stack pointer */
	pushq (%r11)		/* return address of the site */
	pushq %r9
	movq %r8, %r9
	movq %r10, %r8
	movq %rdx, %rcx
	movq %rsi, %rdx
	movq %rdi, %rsi
	movq %rax, %rdi
	call rt_syscall
	movq %rbp, %rsp
	popq %rbp
	popq %r9
	popq %r8
	popq %r10
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rsp
	ret

.Lsigreturn:
	/* The frame starts where the restorer's `syscall` would have left RSP. */
	leaq 8(%rsp), %rsp
	movl $SYS_rt_sigreturn, %eax
	syscall
	ud2

.Lclone_thread:
	/*
	 * A new thread starts on its own stack: hand it the return address
	 * there, so both parent and child can `ret` to the site.
	 */
	movq (%rsp), %r11
	movq %r11, -8(%rsi)
	subq $8, %rsi
	syscall
	testq %rax, %rax
	jz .Lchild
	addq $8, %rsi
	ret
.Lchild:
	addq $8, %rsi
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r10
	pushq %r8
	pushq %r9
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call rt_thread_start
	movq %rbp, %rsp
	popq %rbp
	popq %r9
	popq %r8
	popq %r10
	popq %rdx
	popq %rsi
	popq %rdi
	xorl %eax, %eax
	ret
	.size nuse_hook, . - nuse_hook

/*
 * nuse_hook_trap: entered by the SIGSYS handler's redirect with the
 * return address at (%rsp) and the program's red zone (128 bytes) above
 * it; the hook's result comes back in RAX and `ret $128` lands at the
 * site with the program's own stack pointer.
 */
	.type nuse_hook_trap, @function
nuse_hook_trap:
	call nuse_hook
	ret $128
	.size nuse_hook_trap, . - nuse_hook_trap
#endif

nuse_gate_end:
	.section .note.GNU-stack, "", @progbits
