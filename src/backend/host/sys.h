/* SPDX-License-Identifier: GPL-2.0 */
/* Raw x86-64 system calls: no libc, no errno, no %fs. */
#ifndef NUSE_HOST_SYS_H
#define NUSE_HOST_SYS_H

#define NR_read			0
#define NR_write		1
#define NR_open			2
#define NR_close		3
#define NR_mmap			9
#define NR_munmap		11
#define NR_mremap		25
#define NR_madvise		28
#define NR_rt_sigprocmask	14
#define NR_sched_yield		24
#define NR_getpid		39
#define NR_clone		56
#define NR_exit			60
#define NR_kill			62
#define NR_arch_prctl		158
#define NR_gettid		186
#define NR_tkill		200
#define NR_futex		202
#define NR_clock_gettime	228
#define NR_exit_group		231
#define NR_tgkill		234
#define NR_process_vm_readv	310
#define NR_process_vm_writev	311

#define O_RDONLY		0
#define O_CLOEXEC		02000000

/* mem.c: the thread is gone or a zombie (a dead owner of a lock) */
int nuse_host_tid_gone(long tid);

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_BITSET_MATCH_ANY	0xffffffff

#define EINTR		4
#define EAGAIN		11
#define ETIMEDOUT	110
#define ESRCH		3
#define ENETDOWN	100

struct host_timespec {
	long tv_sec;
	long tv_nsec;
};

struct host_iovec {
	void *base;
	unsigned long len;
};

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

#define sys0(n)			sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a)		sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)		sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)	sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d)	sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static inline long futex_wait(int *addr, int val, const struct host_timespec *rel)
{
	return sys4(NR_futex, addr, FUTEX_WAIT, val, rel);
}

static inline long futex_wake(int *addr, int n)
{
	return sys3(NR_futex, addr, FUTEX_WAKE, n);
}

/* time.c: use the vDSO's clock_gettime found at this ELF header */
void nuse_host_vdso_setup(unsigned long ehdr);
/* thread.c: a fresh block for the calling thread, set in GS */
struct nuse_host_tls *nuse_host_tls_first(void);

#endif
