// SPDX-License-Identifier: GPL-2.0
/*
 * rt/gate.S is linked whole into libnuse-preload.so for nuse_gate_syscall,
 * the dispatcher's way to the host kernel.  Its other entry, nuse_hook,
 * serves sites rewritten by the in-process modes and refers to the
 * runtime below; no site is ever rewritten under LD_PRELOAD, so these are
 * never reached.  (Drop this file if the gate's hook moves out of gate.S.)
 */
#include "rt/gate.h"

#ifndef RT_NR_MAX
#define RT_NR_MAX 512
#endif

unsigned long rt_slow_calls[RT_NR_MAX / 64];

long rt_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
		unsigned long ret_ip);
void rt_thread_start(void);

long rt_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
		unsigned long ret_ip)
{
	__builtin_trap();
}

void rt_thread_start(void)
{
	__builtin_trap();
}
