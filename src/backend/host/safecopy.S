/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copies of the application's memory without a system call: a bad pointer
 * faults on the `rep movsb` below, and the runtime's SIGSEGV/SIGBUS
 * handler (src/tracer/rt/fault.c) resumes at the fixup, which returns
 * the count `rep movsb` had left in RCX: the bytes not copied.
 */
	.text
	.globl nuse_host_safe_copy, nuse_host_fault_fixup
	.type nuse_host_safe_copy, @function
/* unsigned long nuse_host_safe_copy(void *dst, const void *src, unsigned long n) */
nuse_host_safe_copy:
	movq %rdx, %rcx
.Lcopy:
	rep movsb
	xorl %eax, %eax
	ret
.Lfixup:
	movq %rcx, %rax
	ret
	.size nuse_host_safe_copy, . - nuse_host_safe_copy

	.type nuse_host_fault_fixup, @function
/* unsigned long nuse_host_fault_fixup(unsigned long ip): where a fault at ip resumes, or 0 */
nuse_host_fault_fixup:
	xorl %eax, %eax
	leaq .Lcopy(%rip), %rdx
	cmpq %rdx, %rdi
	jne 1f
	leaq .Lfixup(%rip), %rax
1:	ret
	.size nuse_host_fault_fixup, . - nuse_host_fault_fixup

	.section .note.GNU-stack, "", @progbits
