/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nuse host services: what the stack (src/stack) needs from the host —
 * threads, futex-based semaphores and mutexes, clock, one-shot timers,
 * memory and per-thread data.
 *
 * Everything here is raw system calls: these functions run on the
 * application's own threads, whose %fs belongs to the application's libc
 * (glibc, musl, Go), and on threads created here, which have no libc at
 * all. Per-thread data is reached through %gs, which none of those use on
 * x86-64. The header is included by kernel code too: plain C types only.
 */
#ifndef NUSE_HOST_H
#define NUSE_HOST_H

/* Counting semaphore. Futexes are process-shared: the stack may live in
 * memory shared by several processes. */
struct nuse_host_sem {
	int count;
	int waiters;
};

/* 0 unlocked, 1 locked, 2 locked with waiters. */
struct nuse_host_mutex {
	int state;
};

struct nuse_host_thread;
struct nuse_host_timer;

/* Per-thread block, found through the %gs base. */
#define NUSE_HOST_TLS_SLOTS 4
struct nuse_host_tls {
	struct nuse_host_tls *self;
	/* %fs base of the owning thread: clone() copies %gs to a new thread,
	 * a different %fs tells that the block is not the caller's */
	unsigned long fs;
	/* the process it was made in: after fork() the child's copy is stale */
	long pid;
	long tid;
	/* how a signal handler that ran during an interruptible wait ended
	 * it (NUSE_HOST_INTR_*), set by nuse_host_sigreturn(), taken by the
	 * stack to end the interrupted call as Linux would */
	int intr;
	/* set while the thread is in the stack's code or waits in it
	 * (nuse_enter to nuse_leave): a signal handler must not run then */
	int in_stack;
	void *slot[NUSE_HOST_TLS_SLOTS];
};

#define NUSE_HOST_INTR_RESTART	1	/* its handler had SA_RESTART */
#define NUSE_HOST_INTR_EINTR	2	/* a handler without SA_RESTART */

/* Probe the CPU (FSGSBASE) and the vDSO once; 0 or -errno. */
int nuse_host_init(void);

/*
 * FS and GS bases: the one place that says how they are read and written
 * (fsgs.c decides once per process, before main).  With the instructions
 * (AT_HWCAP2 has HWCAP2_FSGSBASE, and NUSE_NO_FSGSBASE is not set): as
 * they are.  Without: GS is set with arch_prctl(ARCH_SET_GS), which costs
 * a system call and so happens once per thread; nothing per call does.
 *
 * Reading GS: every thread of a process that links these services has
 * GS set (a constructor sets the main thread's before any other thread
 * exists; clone and fork copy it), and every block starts with a pointer
 * to itself, so %gs:0 is the block on any machine.
 *
 * Telling threads apart by FS (clone copies GS into a new thread, so a
 * block found through GS may be its creator's): the FS base where the
 * instructions read it; otherwise the word at %fs:0, which the x86-64
 * TLS ABI makes the thread pointer itself for C programs (glibc, musl).
 * Go's word there is the same for all its threads, which are told apart
 * by the runtime seeing their clone instead.  Without the instructions FS
 * only moves through arch_prctl and clone, which the runtime sees.
 */
extern int nuse_host_fsgsbase __attribute__((visibility("hidden")));
/* Decide (once; the constructor does it): 1 with the instructions. */
int nuse_host_fsgs_decide(void);

static inline void *nuse_host_gs_block(void)
{
	void *block;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(block));
	return block;
}

static inline unsigned long nuse_host_fs_id(void)
{
	unsigned long id;

	if (__builtin_expect(nuse_host_fsgsbase, 1))
		__asm__ __volatile__("rdfsbase %0" : "=r"(id));
	else
		__asm__ __volatile__("movq %%fs:0, %0" : "=r"(id));
	return id;
}

/* The same into register REG, for assembly (clobbers the flags only). */
#define NUSE_HOST_ASM_FS_ID(reg)                                     \
	"cmpl $0, nuse_host_fsgsbase(%rip)\n"                        \
	"je 991f\n"                                                  \
	"rdfsbase " reg "\n"                                         \
	"jmp 992f\n"                                                 \
	"991: movq %fs:0, " reg "\n"                                 \
	"992:\n"

/*
 * Set the calling thread's GS base to @block (whose first word must point
 * to itself).  The fallback's system call is raw: call it where the
 * thread's calls are not intercepted (before arming, or on a thread the
 * runtime does not trap).
 */
static inline void nuse_host_set_gs(void *block)
{
	long ret;

	if (__builtin_expect(nuse_host_fsgsbase, 1)) {
		__asm__ __volatile__("wrgsbase %0" ::"r"(block) : "memory");
		return;
	}
	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(158L /* arch_prctl */), "D"(0x1001L /* ARCH_SET_GS */),
			       "S"(block)
			     : "rcx", "r11", "memory");
	(void)ret;
}

void nuse_host_sem_init(struct nuse_host_sem *sem, int count);
void nuse_host_sem_up(struct nuse_host_sem *sem);
void nuse_host_sem_down(struct nuse_host_sem *sem);
/*
 * 0, or -4 (EINTR) if a signal handler of the program ran on this thread
 * while it waited.  Where the interception sees the handler return
 * (nuse_host_sigreturn), even one with SA_RESTART ends the wait: Linux
 * restarts only some of the calls such a wait serves (not poll, select,
 * epoll waits, nor sockets with a timeout), so the stack decides, with
 * the record in nuse_host_tls.intr.  Elsewhere SA_RESTART restarts the
 * wait unseen.
 */
int nuse_host_sem_down_interruptible(struct nuse_host_sem *sem);
/*
 * A signal handler is returning to the frame with these registers (its
 * saved RIP and RAX, which may be changed): if it interrupted this
 * thread's interruptible wait, make the wait end with EINTR instead of
 * the restart the kernel prepared, and record which of the two the
 * handler asked for.
 */
void nuse_host_sigreturn(struct nuse_host_tls *self, unsigned long *rip,
			 unsigned long *rax);
/*
 * The futex wait of that interruptible wait, FUTEX_WAIT(addr, 0), whose
 * syscall instruction is at @site: an interception that lets the stack's
 * own calls through for a thread (SUD's selector) gives one that
 * intercepts the thread again while it sleeps, so that a signal handler
 * running meanwhile is seen, its sigreturn included.  Before any wait.
 */
void nuse_host_set_intr_wait(long (*wait)(int *addr), const void *site);
/* Waits at most timeout_ns; 0 when taken, -110 (ETIMEDOUT) otherwise. */
int nuse_host_sem_down_timeout(struct nuse_host_sem *sem, unsigned long long timeout_ns);
/* Both: 0, -4 (EINTR) or -110 (ETIMEDOUT). */
int nuse_host_sem_down_timeout_intr(struct nuse_host_sem *sem,
				    unsigned long long timeout_ns);
/*
 * The session's keeper (0: none, or this process is it).
 * nuse_host_sem_down_app() is an application thread's interruptible wait
 * in the stack that ends with -100 (ENETDOWN) when the keeper is gone (a
 * watcher thread of the process holds a pidfd of it).  keeper_lost() checks
 * now (and prints one line the first time); known_lost() only reads.
 */
void nuse_host_keeper_set(long pid);
int nuse_host_keeper_lost(void);
int nuse_host_keeper_known_lost(void);
int nuse_host_sem_down_app(struct nuse_host_sem *sem);

void nuse_host_mutex_init(struct nuse_host_mutex *mutex);
void nuse_host_mutex_lock(struct nuse_host_mutex *mutex);
int nuse_host_mutex_trylock(struct nuse_host_mutex *mutex);
void nuse_host_mutex_unlock(struct nuse_host_mutex *mutex);

/* A host thread with its own stack, all signals blocked and no libc. */
struct nuse_host_thread *nuse_host_thread_create(void (*fn)(void *), void *arg);
/* The same on memory the caller provides (and frees after the join), e.g.
 * memory shared with other processes: control block on top, stack below. */
struct nuse_host_thread *nuse_host_thread_create_on(void *mem, unsigned long size,
						    void (*fn)(void *), void *arg);
/* Wait for the thread to end (it returned or called _exit) and free it. */
void nuse_host_thread_join(struct nuse_host_thread *thread);
void nuse_host_thread_exit(void) __attribute__((noreturn));
/* The thread's host id (gettid() as seen by the thread itself). */
long nuse_host_thread_id(struct nuse_host_thread *thread);
long nuse_host_gettid(void);
long nuse_host_getpid(void);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
unsigned long long nuse_host_time_ns(void);
unsigned long long nuse_host_realtime_ns(void);

/* One-shot timer: fn(arg) runs on the timer's own thread at the
 * absolute CLOCK_MONOTONIC deadline. Re-arming replaces the deadline. */
struct nuse_host_timer *nuse_host_timer_create(void (*fn)(void *), void *arg);
void nuse_host_timer_arm(struct nuse_host_timer *timer, unsigned long long deadline_ns);
void nuse_host_timer_cancel(struct nuse_host_timer *timer);
void nuse_host_timer_free(struct nuse_host_timer *timer);
/* The same in memory the caller provides (NUSE_HOST_TIMER_SIZE bytes),
 * e.g. shared with the other processes that arm it; its thread is ours. */
#define NUSE_HOST_TIMER_SIZE 128
struct nuse_host_timer *nuse_host_timer_create_on(void *mem, void (*fn)(void *), void *arg);

/* Page-aligned anonymous memory; shared survives fork as shared. */
void *nuse_host_mem_alloc(unsigned long size, int shared);
void nuse_host_mem_free(void *addr, unsigned long size);
/* The same at addr if that range is free, else anywhere. */
void *nuse_host_mem_alloc_at(unsigned long addr, unsigned long size, int shared);
/* Turn [start, start+len) (page-aligned, private) into a shared mapping
 * with the same contents at the same address: 0 or -errno. */
int nuse_host_mem_share(void *start, unsigned long len);

/*
 * Memory shared by the processes of a session (share.c): memfd-backed, so
 * an exec'd image can map it again (open /proc/KEEPER/fd/N). Descriptors
 * are O_CLOEXEC; results are fds, 0 or -errno.
 */
int nuse_host_memfd(const char *name, unsigned long size);
/* Map fd at exactly addr; replace: over what is there, else only if free. */
int nuse_host_mmap_fd(void *addr, unsigned long size, int fd, int replace);
/* Like nuse_host_mem_share(), through a new memfd, which is returned. */
int nuse_host_mem_share_fd(void *start, unsigned long len, const char *name);
int nuse_host_open_rw(const char *path);
void nuse_host_close(int fd);

/* writev(2) on fd; iov is an array of struct iovec; -errno on error. */
long nuse_host_writev(int fd, const void *iov, int n);

/* Add 1 to host eventfd fd of the calling process. */
void nuse_host_eventfd_signal(int fd);
/* Wake every waiter of a process-shared futex word. */
void nuse_host_futex_wake(int *word);
/* Sleep while *word == seen (or until a wake-up or a signal). */
void nuse_host_futex_wait(int *word, int seen);
/* The same for at most ns nanoseconds. */
void nuse_host_futex_wait_ns(int *word, int seen, unsigned long long ns);

/* A word of this process, 0 in a forked child and in a new image. */
long nuse_host_proc_get(void);
void nuse_host_proc_set(long value);

/* Does host thread tid of process pid still exist? */
int nuse_host_alive(long pid, long tid);

/* This thread's block; created on first use (an application thread). */
struct nuse_host_tls *nuse_host_self(void);

/* Copy from/to memory of the calling process without faulting: returns
 * the number of bytes NOT copied (0 on success). */
unsigned long nuse_host_copy_in(void *dst, const void *src, unsigned long n);
unsigned long nuse_host_copy_out(void *dst, const void *src, unsigned long n);
/* Implemented by the stack (kernel/uaccess.c): does [p, p + n) touch the
 * stack's own memory?  Both copies above then copy nothing. */
int nuse_user_range_bad(const void *p, unsigned long n);

/*
 * Copies without a system call, once the process has a SIGSEGV/SIGBUS
 * handler that resumes a faulting copy at nuse_host_fault_fixup(ip)
 * (nuse-exec's runtime in the in-process modes): per process, off by
 * default and in a new image.
 */
void nuse_host_copy_direct(int on);
/* ... except for user ranges touching [lo, hi), which keep the syscall */
void nuse_host_copy_avoid(unsigned long lo, unsigned long hi);
unsigned long nuse_host_safe_copy(void *dst, const void *src, unsigned long n);
unsigned long nuse_host_fault_fixup(unsigned long ip);

/* Send a signal to the calling host thread (e.g. SIGPIPE). */
void nuse_host_raise(int sig);

void nuse_host_print(const char *str, unsigned long len);
void nuse_host_panic(const char *msg) __attribute__((noreturn));

/* libc-free helpers (no implicit memcpy calls in host code). */
void nuse_host_memcpy(void *dst, const void *src, unsigned long n);
void nuse_host_memset(void *dst, int c, unsigned long n);
unsigned long nuse_host_strlen(const char *s);

#endif
