// SPDX-License-Identifier: GPL-2.0
/* Clock and one-shot timers (a thread sleeping on a futex with a deadline). */
#include <elf.h>
#include <nuse/host.h>
#include "sys.h"

#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1

/*
 * The stack reads the clock for every packet: use the vDSO's
 * clock_gettime (no system call) when we can find it. It touches no TLS,
 * so it is safe on our libc-less threads too.
 */
static long (*vdso_clock_gettime)(long clk, struct host_timespec *ts);

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

void nuse_host_vdso_setup(unsigned long base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = 0;
	const Elf64_Sym *symtab = 0;
	const char *strtab = 0;
	const unsigned int *hash = 0;
	unsigned long load = 0;
	unsigned int i;
	int have_load = 0;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			load = base + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
		}
	}
	if (!dyn || !have_load)
		return;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			symtab = (const Elf64_Sym *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			strtab = (const char *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const unsigned int *)(load + dyn->d_un.d_ptr);
	}
	if (!symtab || !strtab || !hash)
		return;
	for (i = 0; i < hash[1]; i++) {	/* nchain: number of symbols */
		if (ELF64_ST_TYPE(symtab[i].st_info) != STT_FUNC || !symtab[i].st_shndx)
			continue;
		if (str_eq(strtab + symtab[i].st_name, "__vdso_clock_gettime")) {
			vdso_clock_gettime = (void *)(load + symtab[i].st_value);
			return;
		}
	}
}

static unsigned long long clock_ns(int clk)
{
	struct host_timespec ts;

	if (!vdso_clock_gettime || vdso_clock_gettime(clk, &ts))
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
	int seq;		/* futex: bumped when the thread must look again */
	int stop;
	unsigned long long deadline;	/* 0: disarmed */
	/* what the thread sleeps until (~0: no deadline); a later deadline
	 * needs no wake-up: the thread looks again when it wakes anyway */
	unsigned long long sleeping_until;
	void (*fn)(void *);
	void *arg;
	struct nuse_host_thread *thread;
	int own_mem;
};

static void timer_loop(void *data)
{
	struct nuse_host_timer *t = data;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		int seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		unsigned long long dl = __atomic_load_n(&t->deadline, __ATOMIC_ACQUIRE);
		struct host_timespec abs;

		if (!dl) {
			__atomic_store_n(&t->sleeping_until, ~0ULL, __ATOMIC_SEQ_CST);
			if (!__atomic_load_n(&t->deadline, __ATOMIC_SEQ_CST))
				futex_wait(&t->seq, seq, 0);
			continue;
		}
		if (nuse_host_time_ns() < dl) {
			__atomic_store_n(&t->sleeping_until, dl, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&t->deadline, __ATOMIC_SEQ_CST) < dl)
				continue;	/* moved earlier meanwhile */
			abs.tv_sec = (long)(dl / 1000000000ULL);
			abs.tv_nsec = (long)(dl % 1000000000ULL);
			/* absolute CLOCK_MONOTONIC wait; an earlier deadline wakes it */
			sys6(NR_futex, (long)&t->seq, FUTEX_WAIT_BITSET, seq,
			     (long)&abs, 0, (long)FUTEX_BITSET_MATCH_ANY);
			continue;
		}
		__atomic_store_n(&t->sleeping_until, 0, __ATOMIC_SEQ_CST);
		/* expired: fire once unless re-armed meanwhile */
		if (__atomic_compare_exchange_n(&t->deadline, &dl, 0, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			t->fn(t->arg);
	}
}

_Static_assert(sizeof(struct nuse_host_timer) <= NUSE_HOST_TIMER_SIZE,
	       "NUSE_HOST_TIMER_SIZE too small");

struct nuse_host_timer *nuse_host_timer_create_on(void *mem, void (*fn)(void *), void *arg)
{
	struct nuse_host_timer *t = mem;

	nuse_host_memset(t, 0, sizeof(*t));
	t->own_mem = 0;
	t->fn = fn;
	t->arg = arg;
	t->sleeping_until = ~0ULL;
	t->thread = nuse_host_thread_create(timer_loop, t);
	return t->thread ? t : 0;
}

struct nuse_host_timer *nuse_host_timer_create(void (*fn)(void *), void *arg)
{
	struct nuse_host_timer *t = nuse_host_mem_alloc(4096, 0);

	if (!t)
		return 0;
	t->own_mem = 1;
	t->fn = fn;
	t->arg = arg;
	t->sleeping_until = ~0ULL;
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
	__atomic_store_n(&t->deadline, deadline_ns, __ATOMIC_SEQ_CST);
	if (deadline_ns < __atomic_load_n(&t->sleeping_until, __ATOMIC_SEQ_CST))
		timer_kick(t);
}

void nuse_host_timer_cancel(struct nuse_host_timer *t)
{
	/* no wake-up: the thread finds no deadline when it next looks */
	__atomic_store_n(&t->deadline, 0, __ATOMIC_SEQ_CST);
}

void nuse_host_timer_free(struct nuse_host_timer *t)
{
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	timer_kick(t);
	nuse_host_thread_join(t->thread);
	if (t->own_mem)
		nuse_host_mem_free(t, 4096);
}
