// SPDX-License-Identifier: GPL-2.0
/*
 * Futex semaphores and mutexes. The futexes are not FUTEX_PRIVATE: the
 * stack's memory may be a MAP_SHARED mapping used by several processes.
 */
#include <nuse/host.h>
#include "sys.h"

/*
 * No spinning before sleeping: measured on a loaded 2-core host, a waiter
 * spinning takes the core the thread it waits for needs (loopback TCP
 * request/response 35 us without spinning, 180 us with 2000 pauses).
 */

void nuse_host_sem_init(struct nuse_host_sem *sem, int count)
{
	sem->count = count;
	sem->waiters = 0;
}

void nuse_host_sem_up(struct nuse_host_sem *sem)
{
	__atomic_fetch_add(&sem->count, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sem->waiters, __ATOMIC_SEQ_CST))
		futex_wake(&sem->count, 1);
}

static int sem_trydown(struct nuse_host_sem *sem)
{
	int c = __atomic_load_n(&sem->count, __ATOMIC_RELAXED);

	while (c > 0) {
		if (__atomic_compare_exchange_n(&sem->count, &c, c - 1, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return 1;
	}
	return 0;
}

void nuse_host_sem_down(struct nuse_host_sem *sem)
{
	while (!sem_trydown(sem)) {
		__atomic_fetch_add(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		/* sleeps only while count is still 0; EINTR/EAGAIN retry */
		futex_wait(&sem->count, 0, 0);
		__atomic_fetch_sub(&sem->waiters, 1, __ATOMIC_SEQ_CST);
	}
}

/*
 * FUTEX_WAIT(addr, 0) with its syscall instruction at a known address
 * (intr_site): a signal frame whose saved RIP is there, or right after
 * it, interrupted this wait.
 */
long nuse_host_intr_wait(int *addr);
extern const char nuse_host_intr_site[];

static long (*intr_wait)(int *addr) = nuse_host_intr_wait;
static unsigned long intr_site = (unsigned long)nuse_host_intr_site;

void nuse_host_set_intr_wait(long (*wait)(int *addr), const void *site)
{
	intr_wait = wait;
	intr_site = (unsigned long)site;
}
__asm__(".text\n"
	".globl nuse_host_intr_wait, nuse_host_intr_site\n"
	".hidden nuse_host_intr_wait, nuse_host_intr_site\n"
	".type nuse_host_intr_wait, @function\n"
	"nuse_host_intr_wait:\n"
	"	xorl %esi, %esi\n"	/* FUTEX_WAIT */
	"	xorl %edx, %edx\n"	/* while *addr == 0 */
	"	xorl %r10d, %r10d\n"	/* no timeout */
	"	movl $202, %eax\n"	/* futex */
	"nuse_host_intr_site:\n"
	"	syscall\n"
	"	ret\n"
	".size nuse_host_intr_wait, . - nuse_host_intr_wait\n");

void nuse_host_sigreturn(struct nuse_host_tls *self, unsigned long *rip,
			 unsigned long *rax)
{
	unsigned long site = intr_site;
	int how;

	if (*rip == site && *rax == NR_futex)
		how = NUSE_HOST_INTR_RESTART; /* the kernel set up a restart */
	else if (*rip == site + 2 && (long)*rax == -EINTR)
		how = NUSE_HOST_INTR_EINTR;
	else
		return;
	*rip = site + 2;
	*rax = (unsigned long)-EINTR;
	/* of several handlers, one without SA_RESTART decides */
	if (self->intr < how)
		self->intr = how;
}

int nuse_host_sem_down_interruptible(struct nuse_host_sem *sem)
{
	while (!sem_trydown(sem)) {
		long ret;

		__atomic_fetch_add(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		ret = intr_wait(&sem->count);
		__atomic_fetch_sub(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		if (ret == -EINTR)
			return sem_trydown(sem) ? 0 : -EINTR;
	}
	return 0;
}

int nuse_host_sem_down_timeout(struct nuse_host_sem *sem, unsigned long long timeout_ns)
{
	unsigned long long deadline = nuse_host_time_ns() + timeout_ns;

	while (!sem_trydown(sem)) {
		unsigned long long now = nuse_host_time_ns();
		struct host_timespec rel;

		if (now >= deadline)
			return -ETIMEDOUT;
		rel.tv_sec = (long)((deadline - now) / 1000000000ULL);
		rel.tv_nsec = (long)((deadline - now) % 1000000000ULL);
		__atomic_fetch_add(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		futex_wait(&sem->count, 0, &rel);
		__atomic_fetch_sub(&sem->waiters, 1, __ATOMIC_SEQ_CST);
	}
	return 0;
}

int nuse_host_sem_down_timeout_intr(struct nuse_host_sem *sem,
				    unsigned long long timeout_ns)
{
	unsigned long long deadline = nuse_host_time_ns() + timeout_ns;

	while (!sem_trydown(sem)) {
		unsigned long long now = nuse_host_time_ns();
		struct host_timespec rel;
		long ret;

		if (now >= deadline)
			return -ETIMEDOUT;
		rel.tv_sec = (long)((deadline - now) / 1000000000ULL);
		rel.tv_nsec = (long)((deadline - now) % 1000000000ULL);
		__atomic_fetch_add(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		ret = futex_wait(&sem->count, 0, &rel);
		__atomic_fetch_sub(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		if (ret == -EINTR)
			return sem_trydown(sem) ? 0 : -EINTR;
	}
	return 0;
}

/*
 * Mutexes shared by the session's processes, any of which may be
 * SIGKILLed at any instruction, holding one too (waiting for the CPU
 * under cpu.lock, creating its task under create_lock): a plain futex
 * mutex then stayed locked for good and every process of the session
 * hung on it (the kill storm, tests/fuzz/storm.sh).  So the word holds
 * the owner's thread id (MUTEX_WAITERS: someone sleeps on it), a waiter
 * wakes every 100 ms and takes over a mutex whose owner is gone, as
 * cpu.c takes over the CPU of a dead holder.  What the dead owner
 * protected is as it left it: the critical sections are short updates.
 */
#define MUTEX_WAITERS	(1 << 30)
#define MUTEX_CHECK_NS	100000000L

void nuse_host_mutex_init(struct nuse_host_mutex *mutex)
{
	mutex->state = 0;
}

static int self_tid(void)
{
	return (int)nuse_host_self()->tid;
}

int nuse_host_mutex_trylock(struct nuse_host_mutex *mutex)
{
	int zero = 0;

	return __atomic_compare_exchange_n(&mutex->state, &zero, self_tid(), 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* The thread id in a mutex word is gone: no thread of any process has it. */
static int owner_gone(int c)
{
	int tid = c & ~MUTEX_WAITERS;

	return tid > 0 && nuse_host_tid_gone(tid);
}

void nuse_host_mutex_lock(struct nuse_host_mutex *mutex)
{
	const struct host_timespec check = { 0, MUTEX_CHECK_NS };
	int self = self_tid(), c = 0;

	if (__atomic_compare_exchange_n(&mutex->state, &c, self, 0,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	for (;;) {
		if (c == 0) {
			/* free again: take it, saying others may sleep on it */
			if (__atomic_compare_exchange_n(&mutex->state, &c,
							self | MUTEX_WAITERS, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return;
			continue;
		}
		if (!(c & MUTEX_WAITERS) &&
		    !__atomic_compare_exchange_n(&mutex->state, &c,
						 c | MUTEX_WAITERS, 0,
						 __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			continue;
		c |= MUTEX_WAITERS;
		/* sleeps only while the word is still c; every 100 ms, is
		 * the owner still there? */
		if (futex_wait(&mutex->state, c, &check) == -ETIMEDOUT) {
			c = __atomic_load_n(&mutex->state, __ATOMIC_RELAXED);
			if (c && owner_gone(c) &&
			    __atomic_compare_exchange_n(&mutex->state, &c,
							self | MUTEX_WAITERS, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return;
		}
		c = __atomic_load_n(&mutex->state, __ATOMIC_RELAXED);
	}
}

void nuse_host_mutex_unlock(struct nuse_host_mutex *mutex)
{
	if (__atomic_exchange_n(&mutex->state, 0, __ATOMIC_RELEASE) &
	    MUTEX_WAITERS)
		futex_wake(&mutex->state, 1);
}
