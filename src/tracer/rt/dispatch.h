/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The service behind every interception mode: one network or descriptor
 * system call, Linux x86-64 number and arguments, served by the selected
 * stack.  Returns the kernel convention (-errno on failure).
 */
#ifndef NUSE_RT_DISPATCH_H
#define NUSE_RT_DISPATCH_H

typedef long (*nuse_dispatch_fn)(long nr, long a0, long a1, long a2, long a3,
				 long a4, long a5);

/* Set before the program starts when a stack other than the host serves
 * the calls (--stack=linux); NULL: the host kernel. */
extern nuse_dispatch_fn nuse_dispatch_stack;
/* Set with the stack: has this process lost it (its keeper died)? */
extern int (*nuse_dispatch_lost)(void);

long nuse_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
		   long a5);

#endif
