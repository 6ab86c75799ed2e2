/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_NUSE_SIGCONTEXT_H
#define _UAPI_ASM_NUSE_SIGCONTEXT_H
/* Signals are never delivered inside the stack. */
struct sigcontext {
	unsigned long unused;
};
#endif
