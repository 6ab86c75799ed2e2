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

int nuse_host_keeper_lost(void)
{
	static const char msg1[] = "nuse-exec: the session's stack is gone "
				   "(its keeper, pid ";
	static const char msg2[] = ", died): network calls fail with "
				   "ENETDOWN\n";
	char num[24];
	int n = 0;
	long p;

	if (!keeper_pid)
		return 0;
	if (__atomic_load_n(&keeper_lost, __ATOMIC_RELAXED))
		return 1;
	/* EPERM (a root keeper, an unprivileged process) is alive too */
	if (sys2(NR_kill, keeper_pid, 0) != -ESRCH)
		return 0;
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
 * and given up when the keeper is gone (it would never end).
 */
#define KEEPER_CHECK_NS 250000000L

int nuse_host_sem_down_app(struct nuse_host_sem *sem)
{
	if (!keeper_pid)
		return nuse_host_sem_down_interruptible(sem);
	for (;;) {
		int r = nuse_host_sem_down_timeout_intr(sem, KEEPER_CHECK_NS);

		if (r != -ETIMEDOUT)
			return r;
		if (nuse_host_keeper_lost())
			return -ENETDOWN;
	}
}
