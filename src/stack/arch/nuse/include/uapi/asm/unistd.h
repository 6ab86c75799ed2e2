/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Inside the kernel the generic numbering is used; nuse_syscall() takes
 * x86-64 numbers and maps them through its own table (kernel/syscalls.c).
 */
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SYS_CLONE
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_TIME32_SYSCALLS
#include <asm-generic/unistd.h>
