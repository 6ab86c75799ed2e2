// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 numbered syscall table. Deliberately no kernel headers:
 * entries are declared weak with one generic signature, so a syscall
 * this configuration does not build is simply absent (-ENOSYS).
 */
#include "systbl.h"

typedef long (*nuse_sys_fn)(long, long, long, long, long, long);

const nuse_sys_fn nuse_syscall_table[NUSE_SYSTBL_SIZE] = {
	NUSE_SYSTBL_ENTRIES
};
const int nuse_syscall_table_size = NUSE_SYSTBL_SIZE;
