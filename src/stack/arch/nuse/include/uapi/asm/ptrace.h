/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_NUSE_PTRACE_H
#define _UAPI_ASM_NUSE_PTRACE_H
/* No user mode to trace. */
#endif
