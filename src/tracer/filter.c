// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <nuse/vfs.h>

#include "abis.h"
#include "filter.h"
#include "netcalls.h"

/* The calls the in-process runtime must see besides the network ones. */
static const int inproc_extra[] = {
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigsuspend,
	SYS_execve,	  SYS_execveat,	      SYS_readlink,
	SYS_readlinkat,	  SYS_prctl,	      SYS_rt_sigpending,
	/* --stack=linux: a child's stack descriptor table (fork hooks) */
	SYS_fork,	  SYS_vfork,	      SYS_clone,
	SYS_clone3,
	/* --stack=linux: the network procfs is the stack's */
	SYS_open,	  SYS_openat,
	/* FS tells a thread's block apart; GS holds it */
	SYS_arch_prctl,
	/* nuse-exec's own check that calls reach nuse (probe.c) */
	NUSE_PROBE_NR,
	/* --stack=linux: 125 once the session's stack is gone */
	SYS_exit_group,
};

#define N_EXTRA (sizeof(inproc_extra) / sizeof(inproc_extra[0]))

struct prog {
	struct sock_filter *f;
	unsigned int n, cap;
};

static void emit(struct prog *p, struct sock_filter insn)
{
	if (p->n < p->cap)
		p->f[p->n] = insn;
	p->n++;
}

#define STMT(p, code, k) emit(p, (struct sock_filter)BPF_STMT(code, k))
#define JUMP(p, code, k, jt, jf) \
	emit(p, (struct sock_filter)BPF_JUMP(code, k, jt, jf))
#define LD_AT(p, off) STMT(p, BPF_LD | BPF_W | BPF_ABS, off)
#define LD(p, field) LD_AT(p, offsetof(struct seccomp_data, field))
/* the instruction pointer's low and high 32 bits (little-endian) */
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (IP_LO + 4)
#define RET(p, v) STMT(p, BPF_RET | BPF_K, v)

#define REFUSED (SECCOMP_RET_ERRNO | ENOSYS)

/*
 * The head both programs share, which looks at the ABI first:
 *   i386: a refused call -> ENOSYS; else @i386_other;
 *   x32: ENOSYS;  io_uring_setup (x86-64): ENOSYS if @io_uring;
 *   x86-64: falls through to what follows, with nr loaded.
 * Jump offsets are 8 bits: the refused list is far shorter than 255.
 */
static void emit_abis(struct prog *p, uint32_t i386_other, bool io_uring)
{
	unsigned int n = nuse_i386_refused_count;

	LD(p, arch);
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, n + 5, 0);
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 1, 0);
	RET(p, SECCOMP_RET_KILL_PROCESS); /* no other ABI on x86-64 */
	LD(p, nr);
	for (unsigned int i = 0; i < n; i++)
		JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, nuse_i386_refused_calls[i],
		     n - i, 0);
	RET(p, i386_other);
	RET(p, REFUSED);
	/* x86-64 and x32 */
	LD(p, nr);
	JUMP(p, BPF_JMP | BPF_JGE | BPF_K, NUSE_X32_BIT, 0, 1);
	RET(p, REFUSED);
	if (!io_uring)
		return;
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1);
	RET(p, REFUSED);
}

/* nr loaded: @action for each of @nrs[0..n), ALLOW otherwise. */
static void emit_list(struct prog *p, const int *nrs, unsigned int n,
		      uint32_t action)
{
	for (unsigned int i = 0; i < n; i++)
		JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, nrs[i], n - i, 0);
	RET(p, SECCOMP_RET_ALLOW);
	RET(p, action);
}

/* Twice: once to count, once to fill. */
static struct sock_filter *build(struct prog *p, unsigned short *len,
				 void (*gen)(struct prog *, const void *),
				 const void *arg)
{
	p->f = NULL;
	p->n = p->cap = 0;
	gen(p, arg);
	if (p->n > BPF_MAXINSNS) {
		errno = E2BIG;
		return NULL;
	}
	p->cap = p->n;
	p->f = calloc(p->cap, sizeof(*p->f));
	if (!p->f)
		return NULL;
	p->n = 0;
	gen(p, arg);
	*len = (unsigned short)p->n;
	return p->f;
}

struct inproc_arg {
	uint64_t lo, hi;
	int *nrs;
	unsigned int n;
};

static void gen_inproc(struct prog *p, const void *v)
{
	const struct inproc_arg *a = v;

	/* i386: the runtime is not needed for the calls not refused */
	emit_abis(p, SECCOMP_RET_ALLOW, true);
	/*
	 * nuse-exec's own text is exempt, not just the gate: when it is
	 * re-entered at an execve under the inherited filter, its libc
	 * start-up runs before any handler exists.  A program that jumps
	 * there makes unfiltered calls: the network namespace contains
	 * them (isolate.c, docs/design.md "Containment").
	 */
	LD_AT(p, IP_HI);
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(a->hi >> 32), 0, 4);
	LD_AT(p, IP_LO);
	JUMP(p, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)a->lo, 0, 2);
	JUMP(p, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->hi, 1, 0);
	RET(p, SECCOMP_RET_ALLOW);
	LD(p, nr);
	emit_list(p, a->nrs, a->n, SECCOMP_RET_TRAP | NUSE_FILTER_TRAP_DATA);
}

struct sock_filter *nuse_filter_inproc(uint64_t lo, uint64_t hi,
				       unsigned short *len)
{
	struct inproc_arg a = { lo, hi, NULL, 0 };
	struct sock_filter *f;
	struct prog p;

	if ((lo >> 32) != (hi >> 32)) {
		errno = EINVAL;
		return NULL;
	}
	a.nrs = calloc(nuse_net_syscalls_count + N_EXTRA, sizeof(int));
	if (!a.nrs)
		return NULL;
	for (unsigned int i = 0; i < nuse_net_syscalls_count; i++)
		a.nrs[a.n++] = nuse_net_syscalls[i];
	for (unsigned int i = 0; i < N_EXTRA; i++)
		a.nrs[a.n++] = inproc_extra[i];
	f = build(&p, len, gen_inproc, &a);
	free(a.nrs);
	return f;
}

struct sup_arg {
	uint32_t action;
	int *nrs;
	unsigned int n;
};

static void gen_supervisor(struct prog *p, const void *v)
{
	const struct sup_arg *a = v;

	/* SECCOMP_RET_DATA 1: another ABI's call, continued as it is */
	/* io_uring_setup: refused by the supervisor, which logs it (-vv) */
	emit_abis(p, a->action | 1, false);
	/*
	 * prctl(PR_SET_DUMPABLE, 0) succeeds without effect: the supervisor
	 * tells the program's stack sockets from its host descriptors by
	 * /proc/TID/fd and pidfd_getfd, which a non-dumpable process closes
	 * to an unprivileged supervisor (trinity's children do it).  Any
	 * other prctl, and this one with a bad argument, runs as it is.
	 */
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 7);
	LD_AT(p, offsetof(struct seccomp_data, args[0]));
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, PR_SET_DUMPABLE, 0, 5);
	LD_AT(p, offsetof(struct seccomp_data, args[1]));
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3);
	LD_AT(p, offsetof(struct seccomp_data, args[1]) + 4);
	JUMP(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
	RET(p, SECCOMP_RET_ERRNO | 0);
	LD(p, nr);
	emit_list(p, a->nrs, a->n, a->action);
}

struct sock_filter *nuse_filter_supervisor(uint32_t action, bool skip_close,
					   unsigned short *len)
{
	struct sup_arg a = { action, NULL, 0 };
	struct sock_filter *f;
	struct prog p;

	a.nrs = calloc(nuse_net_syscalls_count + 1, sizeof(int));
	if (!a.nrs)
		return NULL;
	for (unsigned int i = 0; i < nuse_net_syscalls_count; i++)
		if (!(skip_close && nuse_net_syscalls[i] == SYS_close))
			a.nrs[a.n++] = nuse_net_syscalls[i];
	a.nrs[a.n++] = NUSE_PROBE_NR; /* probe.h */
	f = build(&p, len, gen_supervisor, &a);
	free(a.nrs);
	return f;
}
