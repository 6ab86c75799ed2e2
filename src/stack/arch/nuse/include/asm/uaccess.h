/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_UACCESS_H
#define _ASM_NUSE_UACCESS_H

/*
 * "User" memory is the calling application's memory in the same address
 * space. It is copied with process_vm_readv/writev on the calling process,
 * so a bad pointer gives -EFAULT instead of a crash (kernel/uaccess.c).
 */
unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long raw_copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long __clear_user(void __user *to, unsigned long n);
#define __clear_user __clear_user

#include <asm-generic/uaccess.h>

#endif
