// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread runtime blocks behind GS, and re-arming interception where
 * the kernel clears it (new threads and forked children lose SUD).
 */
#include <errno.h>
#include <linux/prctl.h>
#include <signal.h>
#include <sys/mman.h>

#include "rt.h"

/* guard page, stack, block page on top */
#define GUARD_SIZE 4096
#define BLOCK_SIZE (GUARD_SIZE + RT_STACK_SIZE + 4096)

/* Every block ever made; reused once its thread is gone. */
static struct rt_thread *all_threads;
static int threads_lock;

static void lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause");
}

static void unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static struct rt_thread *reuse_block(long pid)
{
	struct rt_thread *t;

	for (t = all_threads; t; t = t->next) {
		int tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);

		/* A thread's tid is released only after it stopped running. */
		if (tid > 0 && rt_sys(SYS_tgkill, pid, tid, 0) == -ESRCH &&
		    __atomic_compare_exchange_n(&t->tid, &tid, -1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return t;
	}
	return NULL;
}

int rt_thread_init(void)
{
	long pid = rt_sys(SYS_getpid);
	struct rt_thread *t;
	long p;

	lock(&threads_lock);
	t = reuse_block(pid);
	unlock(&threads_lock);
	if (!t) {
		/* Stack below, block on the top page. */
		p = rt_sys(SYS_mmap, 0, BLOCK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p < 0 && p > -4096)
			return (int)p;
		/*
		 * An overflow must fault, not write into the block of the
		 * thread mapped below.
		 */
		rt_sys(SYS_mprotect, p, GUARD_SIZE, PROT_NONE);
		p += GUARD_SIZE;
		t = (struct rt_thread *)(p + RT_STACK_SIZE);
		t->stack_lo = p;
		t->stack_top = p + RT_STACK_SIZE;
		lock(&threads_lock);
		t->next = all_threads;
		all_threads = t;
		unlock(&threads_lock);
	}
	/*
	 * The stack's host services share this block (see rt.h): a reused
	 * block must not hand the dead thread's kernel state to this one.
	 */
	rt_memset(&t->host, 0, sizeof(t->host));
	t->host.self = &t->host;
	t->host.fs = nuse_host_fs_id(); /* after CLONE_SETTLS in a new thread */
	t->host.pid = pid;
	t->host.tid = rt_sys(SYS_gettid);
	t->sud_selector = 1; /* BLOCK */
	t->app_blocks_sigsys = false;
	t->in_stack = 0;
	t->deferred = 0;
	__atomic_store_n(&t->tid, (int)t->host.tid, __ATOMIC_RELEASE);
	nuse_host_set_gs(t); /* before arming: its fallback is a raw call */
	return 0;
}

/*
 * A bounce buffer for vfs-fd's splice and sendfile: a trap per 8 KiB
 * (what fits on the runtime stack) made Go's 1 GiB splice tests 2.6x
 * slower than native under seccomp.  Made on first use, kept with the
 * thread's block.
 */
#define SCRATCH_SIZE (256UL << 10)

void *rt_scratch(unsigned long *size)
{
	struct rt_thread *t = rt_self();
	long p;

	if (!t->scratch) {
		p = rt_sys(SYS_mmap, 0, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p < 0 && p > -4096)
			return NULL;
		t->scratch = (void *)p;
	}
	*size = SCRATCH_SIZE;
	return t->scratch;
}

/* Turn on SUD for the calling thread; only the gate may make syscalls. */
int rt_arm(void)
{
	if (rt_cfg.mode == RT_MODE_SECCOMP)
		return 0; /* the filter is inherited by threads and children */
	/*
	 * With the in-process stack, a per-thread selector byte lets the
	 * stack's own calls through (rt_stack_enter); the host stack needs
	 * none.
	 */
	return (int)rt_sys(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH,
			   PR_SYS_DISPATCH_ON, (long)nuse_gate_start,
			   (long)(nuse_gate_end - nuse_gate_start),
			   rt_cfg.linux_stack ? (long)&rt_self()->sud_selector : 0);
}

/* First C code of a thread made by the program (see nuse_hook). */
void rt_thread_start(void)
{
	if (rt_thread_init() || rt_arm()) {
		rt_log("cannot set up a new thread", NULL);
		rt_sys(SYS_exit_group, 127);
	}
}

/* In a forked child: same memory, new tid, SUD to re-arm. */
void rt_after_fork(void)
{
	struct rt_thread *t = rt_self();

	/* The stack's host services must see this process's block as fresh. */
	rt_memset(t->host.slot, 0, sizeof(t->host.slot));
	t->host.pid = rt_sys(SYS_getpid);
	t->host.tid = rt_sys(SYS_gettid);
	__atomic_store_n(&t->tid, (int)t->host.tid, __ATOMIC_RELEASE);
	if (rt_arm()) {
		rt_log("cannot re-arm syscall user dispatch after fork", NULL);
		rt_sys(SYS_exit_group, 127);
	}
}
