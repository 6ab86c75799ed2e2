// SPDX-License-Identifier: GPL-2.0
/*
 * Host threads made with clone(2) directly, and per-thread data behind
 * the %gs base. A thread made here has no libc: its %fs still points at
 * its creator's TLS, so nothing on it may call libc.
 */
#include <nuse/host.h>
#include "sys.h"

#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000

/* 256 KiB of stack: kernel paths nest (softirq inside syscalls), and the
 * pages are only committed when touched. */
#define THREAD_STACK_SIZE	(256UL << 10)
#define PAGE_SZ			4096UL

struct nuse_host_thread {
	int tid;		/* cleared by the kernel when the thread ends */
	int own_map;		/* the mapping is ours to free at join */
	void (*fn)(void *);
	void *arg;
	unsigned long map_size;
	struct nuse_host_tls tls;
};

/*
 * One page per process, wiped in a forked child (MADV_WIPEONFORK): it holds
 * the pid the per-thread blocks were made for. A child finds 0 there, so
 * the blocks it inherited are known stale without a syscall per call.
 */
#define MADV_WIPEONFORK		18
static long *proc_page;

static long this_pid(void)
{
	long *page = __atomic_load_n(&proc_page, __ATOMIC_ACQUIRE);
	long pid;

	if (__builtin_expect(!page, 0)) {
		long *fresh = nuse_host_mem_alloc(PAGE_SZ, 0);
		long *none = 0;

		if (!fresh)
			nuse_host_panic("nuse: cannot allocate the process page");
		sys3(NR_madvise, fresh, PAGE_SZ, MADV_WIPEONFORK);
		if (!__atomic_compare_exchange_n(&proc_page, &none, fresh, 0,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			nuse_host_mem_free(fresh, PAGE_SZ);
		page = __atomic_load_n(&proc_page, __ATOMIC_ACQUIRE);
	}
	pid = __atomic_load_n(page, __ATOMIC_ACQUIRE);
	if (__builtin_expect(!pid, 0)) {
		pid = sys0(NR_getpid);
		__atomic_store_n(page, pid, __ATOMIC_RELEASE);
	}
	return pid;
}

int nuse_host_init(void)
{
	nuse_host_fsgs_decide();
	return 0;
}

static void tls_init(struct nuse_host_tls *tls)
{
	nuse_host_memset(tls, 0, sizeof(*tls));
	tls->self = tls;
	tls->fs = nuse_host_fs_id();
	tls->pid = this_pid();
	tls->tid = sys0(NR_gettid);
	nuse_host_set_gs(tls);
}

/* A fresh block for the calling thread, in GS. */
struct nuse_host_tls *nuse_host_tls_first(void)
{
	struct nuse_host_tls *tls = nuse_host_mem_alloc(PAGE_SZ, 0);

	if (!tls)
		nuse_host_panic("nuse: cannot allocate per-thread data");
	tls_init(tls);
	return tls;
}

struct nuse_host_tls *nuse_host_self(void)
{
	struct nuse_host_tls *tls = nuse_host_gs_block();

	if (__builtin_expect(tls->fs == nuse_host_fs_id() && tls->pid == this_pid(), 1))
		return tls;
	/* inherited from the thread (or process) that cloned this one */
	return nuse_host_tls_first();
}

long nuse_host_gettid(void)
{
	return nuse_host_self()->tid;
}

long nuse_host_getpid(void)
{
	return this_pid();
}

/* page[1]: wiped with the pid in a forked child */
long nuse_host_proc_get(void)
{
	this_pid();
	return __atomic_load_n(&proc_page[1], __ATOMIC_ACQUIRE);
}

void nuse_host_proc_set(long value)
{
	this_pid();
	__atomic_store_n(&proc_page[1], value, __ATOMIC_RELEASE);
}

/* Runs first on the new thread, on its own stack (which a sanitizer, when
 * the tests build this file with one, knows nothing about). */
static void __attribute__((noreturn, used, no_sanitize_address))
thread_start(struct nuse_host_thread *t)
{
	tls_init(&t->tls);
	t->fn(t->arg);
	nuse_host_thread_exit();
}

static long clone_thread(unsigned long flags, void *stack, int *ptid, int *ctid,
			 struct nuse_host_thread *t)
{
	long ret;
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = 0;
	register long r12 __asm__("r12") = (long)t;

	/* The child must not return through the parent's frames: it calls
	 * thread_start on the new stack (16-byte aligned before the call). */
	__asm__ __volatile__("syscall\n\t"
			     "test %%rax, %%rax\n\t"
			     "jnz 1f\n\t"
			     "xor %%ebp, %%ebp\n\t"
			     "mov %%r12, %%rdi\n\t"
			     "call thread_start\n\t"
			     "ud2\n"
			     "1:"
			     : "=a"(ret)
			     : "a"(NR_clone), "D"(flags), "S"(stack), "d"(ptid),
			       "r"(r10), "r"(r8), "r"(r12)
			     : "rcx", "r11", "memory");
	return ret;
}

static struct nuse_host_thread *create_on(char *mem, unsigned long size, int own,
					  void (*fn)(void *), void *arg)
{
	unsigned long all = ~0UL, old;
	struct nuse_host_thread *t;
	unsigned long top;
	long ret;

	/* control block in the top page, stack right below it */
	top = ((unsigned long)mem + size - PAGE_SZ) & ~15UL;
	t = (struct nuse_host_thread *)top;
	t->fn = fn;
	t->arg = arg;
	t->map_size = size;
	t->own_map = own;
	/* the thread starts with every signal blocked: signals belong to
	 * the application's threads, never to ours */
	sys4(NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, &old, 8);
	ret = clone_thread(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			   CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
			   CLONE_CHILD_CLEARTID,
			   (void *)top, &t->tid, &t->tid, t);
	sys4(NR_rt_sigprocmask, 2, &old, 0, 8);
	return ret < 0 ? 0 : t;
}

struct nuse_host_thread *nuse_host_thread_create(void (*fn)(void *), void *arg)
{
	unsigned long size = THREAD_STACK_SIZE + PAGE_SZ;
	char *map = nuse_host_mem_alloc(size, 0);
	struct nuse_host_thread *t;

	if (!map)
		return 0;
	t = create_on(map, size, 1, fn, arg);
	if (!t)
		nuse_host_mem_free(map, size);
	return t;
}

struct nuse_host_thread *nuse_host_thread_create_on(void *mem, unsigned long size,
						    void (*fn)(void *), void *arg)
{
	if (size < 4 * PAGE_SZ)
		return 0;
	return create_on(mem, size, 0, fn, arg);
}

void nuse_host_thread_join(struct nuse_host_thread *t)
{
	int tid;

	while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) != 0)
		futex_wait(&t->tid, tid, 0);
	if (t->own_map)
		nuse_host_mem_free((char *)t - THREAD_STACK_SIZE, t->map_size);
}

long nuse_host_thread_id(struct nuse_host_thread *t)
{
	return t->tid;
}

void nuse_host_thread_exit(void)
{
	for (;;)
		sys1(NR_exit, 0);
}
