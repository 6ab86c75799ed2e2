/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_CACHE_H
#define _ASM_NUSE_CACHE_H

/* x86-64 hosts: 64-byte cache lines. */
#define L1_CACHE_SHIFT	6
#define L1_CACHE_BYTES	(1 << L1_CACHE_SHIFT)

#endif
