/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The service behind every interception mode: one network or descriptor
 * system call, Linux x86-64 number and arguments, served by the selected
 * stack.  Returns the kernel convention (-errno on failure).
 */
#ifndef NUSE_RT_DISPATCH_H
#define NUSE_RT_DISPATCH_H

long nuse_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
		   long a5);

#endif
