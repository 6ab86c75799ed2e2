/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The other system call ABIs of an x86-64 process: i386 (`int $0x80`,
 * AUDIT_ARCH_I386, numbers of syscall_32.tbl) and x32 (AUDIT_ARCH_X86_64,
 * number | 0x40000000).  Their network calls have layouts of their own and
 * nuse's stack serves none of them, so every mode refuses them with ENOSYS,
 * what a kernel without those calls gives, instead of letting them reach
 * the host (docs/design.md "Other ABIs").  Runtime code: no libc.
 */
#ifndef NUSE_TRACER_ABIS_H
#define NUSE_TRACER_ABIS_H

#include <stdbool.h>

#define NUSE_X32_BIT 0x40000000

/*
 * i386 calls refused: socketcall and the socket calls, io_uring, and the
 * calls that would leave nuse's interception or reach another process
 * (fork, clone, exec, prctl, seccomp, signal actions, ptrace,
 * process_vm_*, pidfd_getfd, setns).  The rest goes to the host as is.
 */
extern const int nuse_i386_refused_calls[];
extern const unsigned int nuse_i386_refused_count;

bool nuse_i386_refused(long nr);

/* Every x32 call is refused: Debian's kernels and most others ship with
 * the x32 ABI off, and give ENOSYS for all of them. */
static inline bool nuse_x32_refused(long nr)
{
	return (nr & NUSE_X32_BIT) != 0;
}

#endif
