// SPDX-License-Identifier: GPL-2.0
/*
 * rt_syscall: every system call of the program, from a trap or from a
 * rewritten site.  Network calls go to the dispatcher; the calls that would
 * take control away from the runtime (signals, process creation, execve)
 * are adjusted here; everything else goes to the host unchanged.
 */
#include <errno.h>
#include <linux/prctl.h>
#include <sched.h>
#include <signal.h>

#include <nuse/vfs.h>

#include "dispatch.h"
#include "rt.h"
#include "../abis.h"
#include "../netcalls.h"

#define SIGSYS_BIT (1ULL << (RT_SIGSYS - 1))

/* A mask argument with SIGSYS taken out, in @local; NULL stays NULL. */
static long strip_mask(long user, uint64_t *local, long *out)
{
	long r;

	*out = 0;
	if (!user)
		return 0;
	r = rt_copy_in(local, (void *)user, sizeof(*local));
	if (r)
		return r;
	*local &= ~SIGSYS_BIT;
	*out = (long)local;
	return 0;
}

static long masked_call(long nr, long a0, long a1, long a2, long a3, long a4,
			long a5, int mask_arg)
{
	long a[6] = { a0, a1, a2, a3, a4, a5 };
	uint64_t local;
	long r;

	r = strip_mask(a[mask_arg], &local, &a[mask_arg]);
	if (r)
		return r;
	if (nr == SYS_ppoll || nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2)
		return nuse_dispatch(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return rt_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static long pselect(long a0, long a1, long a2, long a3, long a4, long a5)
{
	struct {
		long mask;
		long size;
	} sig;
	uint64_t local;
	long r;

	if (!a5)
		return nuse_dispatch(SYS_pselect6, a0, a1, a2, a3, a4, a5);
	r = rt_copy_in(&sig, (void *)a5, sizeof(sig));
	if (r)
		return r;
	r = strip_mask(sig.mask, &local, &sig.mask);
	if (r)
		return r;
	return nuse_dispatch(SYS_pselect6, a0, a1, a2, a3, a4, (long)&sig);
}

static long do_fork(long flags, long a1, long a2, long a3, long a4)
{
	const struct rt_proc_hooks *h = rt_cfg.proc;
	long token = h ? h->fork_prepare() : 0;
	long r;

	if (token < 0)
		return token;
	r = rt_sys(SYS_clone, flags, a1, a2, a3, a4);
	if (r == 0) {
		rt_after_fork();
		if (h)
			h->fork_child(token);
	} else if (h) {
		h->fork_parent(token, r);
	}
	return r;
}

struct rt_config rt_cfg;
unsigned long rt_slow_calls[RT_NR_MAX / 64];

static void mark_slow(long nr)
{
	rt_slow_calls[nr / 64] |= 1UL << (nr % 64);
}

/* The calls rt_syscall changes or routes; see the switch below. */
void rt_classify_init(void)
{
	static const short special[] = {
		SYS_rt_sigreturn, SYS_rt_sigaction, SYS_rt_sigprocmask,
		SYS_rt_sigsuspend, SYS_ppoll,	    SYS_epoll_pwait,
		SYS_epoll_pwait2,  SYS_pselect6,    SYS_fork,
		SYS_vfork,	   SYS_clone,	    SYS_clone3,
		SYS_execve,	   SYS_execveat,    SYS_readlink,
		SYS_readlinkat,	   SYS_open,	    SYS_openat,
		SYS_prctl,	   SYS_rt_sigpending,  SYS_arch_prctl,
		NUSE_PROBE_NR,	   SYS_exit_group,
	};

	for (unsigned int i = 0; i < nuse_net_syscalls_count; i++)
		mark_slow(nuse_net_syscalls[i]);
	for (unsigned int i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		mark_slow(special[i]);
}

long rt_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
		uintptr_t ret_ip)
{
	long r;

	if (nuse_x32_refused(nr)) /* abis.h: as a kernel without x32 */
		return -ENOSYS;
	switch (nr) {
	case SYS_rt_sigaction:
		return rt_sigaction(a0, (void *)a1, (void *)a2, a3);
	case SYS_rt_sigprocmask:
		return rt_sigprocmask(a0, (void *)a1, (void *)a2, a3);
	case SYS_rt_sigpending:
		return rt_sigpending((void *)a0, a1);
	case SYS_rt_sigsuspend:
		return masked_call(nr, a0, a1, a2, a3, a4, a5, 0);
	case SYS_ppoll:
		return masked_call(nr, a0, a1, a2, a3, a4, a5, 3);
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		return masked_call(nr, a0, a1, a2, a3, a4, a5, 4);
	case SYS_pselect6:
		return pselect(a0, a1, a2, a3, a4, a5);
	case SYS_fork:
		return do_fork(SIGCHLD, 0, 0, 0, 0);
	case SYS_vfork:
		/*
		 * The child would run on the parent's stack, under the
		 * parent's runtime frames: give it a copy instead.
		 */
		return do_fork(CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	case SYS_clone:
		if (a0 & CLONE_VM) {
			if (a1)
				return -ENOSYS; /* threads go through nuse_hook */
			a0 &= ~(long)CLONE_VM; /* vfork-like: same as above */
		}
		return do_fork(a0, a1, a2, a3, a4);
	case SYS_clone3:
		/* libcs fall back to clone, which we know how to follow. */
		return -ENOSYS;
	case SYS_execve:
		return rt_execve(-100, (char *)a0, (char **)a1, (char **)a2, 0);
	case SYS_execveat:
		return rt_execve(a0, (char *)a1, (char **)a2, (char **)a3, a4);
	case SYS_readlink:
	case SYS_readlinkat:
	case SYS_open:
	case SYS_openat:
		switch (rt_path_class((const char *)(nr == SYS_readlink ||
						     nr == SYS_open ? a0 : a1))) {
		case RT_PATH_SELF_EXE:
			return rt_serve_self_exe(nr, a0, a1, a2, a3);
		case RT_PATH_STACK_PROC:
			/* the program's network procfs is its stack's */
			if (rt_cfg.linux_stack && nr != SYS_readlink &&
			    nr != SYS_readlinkat)
				return nuse_dispatch(nr, a0, a1, a2, a3, a4, a5);
			break;
		default:
			break;
		}
		break;
	case SYS_exit_group:
		/* nuse's own failure: the session's stack is gone (stack-linux.c) */
		if (nuse_dispatch_lost && nuse_dispatch_lost())
			a0 = 125;
		break;
	case SYS_prctl:
		/* The program cannot turn our dispatch off. */
		if (a0 == PR_SET_SYSCALL_USER_DISPATCH)
			return -EBUSY;
		break;
	case NUSE_PROBE_NR:
		return nuse_dispatch(nr, a0, a1, a2, a3, a4, a5);
	case SYS_arch_prctl:
		/* GS holds the runtime's block; FS tells it is this thread's. */
		if (a0 == 0x1001 /* ARCH_SET_GS */)
			return -EPERM;
		r = rt_sys(nr, a0, a1);
		if (!r && a0 == 0x1002 /* ARCH_SET_FS */)
			rt_self()->host.fs = nuse_host_fs_id();
		return r;
	default:
		if (nuse_is_net_syscall(nr))
			return nuse_dispatch(nr, a0, a1, a2, a3, a4, a5);
		break;
	}
	(void)ret_ip;
	return rt_sys(nr, a0, a1, a2, a3, a4, a5);
}
