/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system calls that can touch the network or a descriptor that may be
 * a stack socket: what the filtering modes (seccomp, ptrace, unotify) send
 * to nuse.  SUD sees every call and classifies with the same table.
 */
#ifndef NUSE_TRACER_NETCALLS_H
#define NUSE_TRACER_NETCALLS_H

#include <stdbool.h>

extern const int nuse_net_syscalls[];
extern const unsigned int nuse_net_syscalls_count;

bool nuse_is_net_syscall(long nr);

#endif
