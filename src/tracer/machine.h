/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What nuse needs from the machine, detected the way the kernel documents
 * it (prctl and seccomp probes, errno, AT_HWCAP2), for `nuse-exec --check`
 * and for the automatic fallbacks (docs/design.md "What nuse needs from
 * the machine").
 */
#ifndef NUSE_TRACER_MACHINE_H
#define NUSE_TRACER_MACHINE_H

#include <stdbool.h>

/* A feature: -1 not probed, 0 absent, 1 present. */
struct nuse_machine {
	int sud;		/* PR_SET_SYSCALL_USER_DISPATCH (Linux 5.11) */
	int page0;		/* may map page 0 (vm.mmap_min_addr, CAP_SYS_RAWIO) */
	int seccomp_trap;	/* SECCOMP_RET_TRAP (3.5) */
	int seccomp_trace;	/* SECCOMP_RET_TRACE */
	int seccomp_notif;	/* SECCOMP_RET_USER_NOTIF (5.0) */
	int notif_killable;	/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19) */
	int pidfd_getfd;	/* pidfd_getfd(2) (5.6) */
	int close_range;	/* close_range(2) (5.9) */
	int memfd;		/* memfd_create(2) (3.17) */
	int yama;		/* kernel.yama.ptrace_scope, -1 without Yama */
	int cap_sys_ptrace;	/* effective CAP_SYS_PTRACE */
	int cap_net_admin;	/* effective CAP_NET_ADMIN */
	int tun;		/* /dev/net/tun can be opened */
	int ia32;		/* int $0x80 runs (IA32 emulation) */
	int userns;		/* an unprivileged user namespace can be made */
	int isolation;		/* enum nuse_isolation a program gets (isolate.h) */
	char isolation_why[160]; /* why none, or why it failed */
	int fsgsbase;		/* AT_HWCAP2 has HWCAP2_FSGSBASE */
	int fsgsbase_used;	/* ... and nuse uses it (not NUSE_NO_FSGSBASE) */
	int hugepages;		/* HugePages_Total > 0 (DPDK runs without) */
	char pti[64];		/* /sys/.../vulnerabilities/meltdown */
	char kernel[64];	/* uname -r */
};

/* Cheap probes only (a few system calls): what every run needs. */
void nuse_machine_quick(struct nuse_machine *m);
/* Everything, some probes in short-lived children: for --check. */
void nuse_machine_full(struct nuse_machine *m);

/* `nuse-exec --check`: the machine's table and, per mode, whether it
 * works, falls back or is refused, and why.  Returns the exit status. */
int nuse_check(const char *self, int verbose);

#endif
