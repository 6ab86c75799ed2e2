// SPDX-License-Identifier: GPL-2.0
/*
 * The session's keeper, seen from one process of the session
 * (docs/stack.md, "One stack per session"): the kernel's threads, timers
 * and links run in it, so once it is gone nothing will ever wake a thread
 * waiting in the stack, and nobody frees the CPU it may have held.  The
 * state is this process's own memory (not the kernel's shared data):
 * each process finds out for itself, when one of its waits times out.
 */
#include <nuse/host.h>
#include "sys.h"

static long keeper_pid;
static int keeper_lost;

void nuse_host_keeper_set(long pid)
{
	keeper_pid = pid;
	keeper_lost = 0;
}

static int mark_lost(void);

int nuse_host_keeper_lost(void)
{
	if (!keeper_pid)
		return 0;
	if (__atomic_load_n(&keeper_lost, __ATOMIC_RELAXED))
		return 1;
	/* EPERM (a root keeper, an unprivileged process) is alive too; a
	 * zombie keeper (not yet reaped) is found by the watcher's pidfd */
	if (sys2(NR_kill, keeper_pid, 0) != -ESRCH)
		return 0;
	return mark_lost();
}

/* The keeper is gone: say so once per process. */
static int mark_lost(void)
{
	static const char msg1[] = "nuse-exec: the session's stack is gone "
				   "(its keeper, pid ";
	static const char msg2[] = ", died): network calls fail with "
				   "ENETDOWN\n";
	char num[24];
	int n = 0;
	long p;

	if (__atomic_exchange_n(&keeper_lost, 1, __ATOMIC_ACQ_REL))
		return 1;
	for (p = keeper_pid; p; p /= 10)
		num[sizeof(num) - 1 - n++] = (char)('0' + p % 10);
	/* one line, once per process */
	nuse_host_print(msg1, sizeof(msg1) - 1);
	nuse_host_print(num + sizeof(num) - n, (unsigned int)n);
	nuse_host_print(msg2, sizeof(msg2) - 1);
	return 1;
}

int nuse_host_keeper_known_lost(void)
{
	return __atomic_load_n(&keeper_lost, __ATOMIC_RELAXED);
}

/*
 * An application thread's wait in the stack (its task asleep in a call):
 * interruptible by host signals, as nuse_host_sem_down_interruptible(),
 * and ended with -ENETDOWN when the keeper is gone.  No timeout: a timed
 * futex wait ends with EINTR after any handler, SA_RESTART or not, so a
 * watcher thread per process posts the waiting semaphores instead.  It
 * looks every WATCH_NS and holds no descriptor: a pidfd took a number in
 * the program's table, at a moment the program could not foresee (its
 * own sockets got other numbers than natively, and one fewer fitted
 * under a tight RLIMIT_NOFILE).  The registry is this process's memory.
 */
#define MAX_WAITING 1024
#define WATCH_NS (100ULL * 1000 * 1000)

static struct nuse_host_sem *waiting[MAX_WAITING];
static struct nuse_host_mutex waiting_lock;
static long watcher_pid;

static void watch_keeper(void *unused)
{
	int never = 0;

	/* a zombie keeper counts as alive until reaped (the init process
	 * reaps a detached one at once) */
	while (sys2(NR_kill, keeper_pid, 0) != -ESRCH)
		nuse_host_futex_wait_ns(&never, 0, WATCH_NS);
	mark_lost();
	nuse_host_mutex_lock(&waiting_lock);
	for (int i = 0; i < MAX_WAITING; i++)
		if (waiting[i])
			nuse_host_sem_up(waiting[i]);
	nuse_host_mutex_unlock(&waiting_lock);
}

int nuse_host_sem_down_app(struct nuse_host_sem *sem)
{
	long pid = nuse_host_self()->pid;
	int slot = -1, r;

	if (!keeper_pid)
		return nuse_host_sem_down_interruptible(sem);
	nuse_host_mutex_lock(&waiting_lock);
	/* one watcher per process; a forked child has none yet */
	if (watcher_pid != pid && nuse_host_thread_create(watch_keeper, (void *)0))
		watcher_pid = pid;
	for (int i = 0; i < MAX_WAITING && slot < 0; i++)
		if (!waiting[i])
			slot = i;
	if (slot >= 0)
		waiting[slot] = sem;
	nuse_host_mutex_unlock(&waiting_lock);
	/* after registering: the watcher sets the flag before it posts */
	if (nuse_host_keeper_known_lost())
		r = -ENETDOWN;
	else
		r = nuse_host_sem_down_interruptible(sem);
	if (slot >= 0) {
		nuse_host_mutex_lock(&waiting_lock);
		waiting[slot] = (void *)0;
		nuse_host_mutex_unlock(&waiting_lock);
	}
	return nuse_host_keeper_known_lost() ? -ENETDOWN : r;
}
