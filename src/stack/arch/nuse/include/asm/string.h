/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_STRING_H
#define _ASM_NUSE_STRING_H

/*
 * Packet copies dominate; lib/string.c's byte loops would be slow, so
 * these use the host CPU's fast string instructions (kernel/string.c).
 */
#define __HAVE_ARCH_MEMCPY
extern void *memcpy(void *dest, const void *src, __kernel_size_t n);
#define __HAVE_ARCH_MEMSET
extern void *memset(void *s, int c, __kernel_size_t n);
#define __HAVE_ARCH_MEMMOVE
extern void *memmove(void *dest, const void *src, __kernel_size_t n);

#endif
