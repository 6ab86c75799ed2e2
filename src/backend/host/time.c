// SPDX-License-Identifier: GPL-2.0
/* Clock and one-shot timers (a thread sleeping on a futex with a deadline). */
#include <nuse/host.h>
#include "sys.h"

#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1

static unsigned long long clock_ns(int clk)
{
	struct host_timespec ts;

	sys2(NR_clock_gettime, clk, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

unsigned long long nuse_host_time_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

unsigned long long nuse_host_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

struct nuse_host_timer {
	int seq;		/* futex: bumped on every arm/cancel/free */
	int stop;
	unsigned long long deadline;	/* 0: disarmed */
	void (*fn)(void *);
	void *arg;
	struct nuse_host_thread *thread;
};

static void timer_loop(void *data)
{
	struct nuse_host_timer *t = data;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		int seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		unsigned long long dl = __atomic_load_n(&t->deadline, __ATOMIC_ACQUIRE);
		struct host_timespec abs;

		if (!dl) {
			futex_wait(&t->seq, seq, 0);
			continue;
		}
		if (nuse_host_time_ns() < dl) {
			abs.tv_sec = (long)(dl / 1000000000ULL);
			abs.tv_nsec = (long)(dl % 1000000000ULL);
			/* absolute CLOCK_MONOTONIC wait; a re-arm wakes it */
			sys6(NR_futex, (long)&t->seq, FUTEX_WAIT_BITSET, seq,
			     (long)&abs, 0, (long)FUTEX_BITSET_MATCH_ANY);
			continue;
		}
		/* expired: fire once unless re-armed meanwhile */
		if (__atomic_compare_exchange_n(&t->deadline, &dl, 0, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			t->fn(t->arg);
	}
}

struct nuse_host_timer *nuse_host_timer_create(void (*fn)(void *), void *arg)
{
	struct nuse_host_timer *t = nuse_host_mem_alloc(4096, 0);

	if (!t)
		return 0;
	t->fn = fn;
	t->arg = arg;
	t->thread = nuse_host_thread_create(timer_loop, t);
	if (!t->thread) {
		nuse_host_mem_free(t, 4096);
		return 0;
	}
	return t;
}

static void timer_kick(struct nuse_host_timer *t)
{
	__atomic_fetch_add(&t->seq, 1, __ATOMIC_SEQ_CST);
	futex_wake(&t->seq, 1);
}

void nuse_host_timer_arm(struct nuse_host_timer *t, unsigned long long deadline_ns)
{
	if (!deadline_ns)
		deadline_ns = 1;
	__atomic_store_n(&t->deadline, deadline_ns, __ATOMIC_RELEASE);
	timer_kick(t);
}

void nuse_host_timer_cancel(struct nuse_host_timer *t)
{
	__atomic_store_n(&t->deadline, 0, __ATOMIC_RELEASE);
	timer_kick(t);
}

void nuse_host_timer_free(struct nuse_host_timer *t)
{
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	timer_kick(t);
	nuse_host_thread_join(t->thread);
	nuse_host_mem_free(t, 4096);
}
