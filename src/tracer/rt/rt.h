/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-process runtime: code that runs on the program's own threads
 * after nuse-exec has jumped into it.  It calls no libc (FS and the libc
 * state belong to the program), issues system calls only through the gate
 * and keeps per-thread state behind GS.
 */
#ifndef NUSE_RT_H
#define NUSE_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include <nuse/host.h>

#include "gate.h"

#define RT_SIGSYS 31
#define RT_SECCOMP_DATA 0x4e55 /* = NUSE_FILTER_TRAP_DATA (filter.h) */
#define RT_X32_BIT 0x40000000

/* RT_MODE_PRELOAD: --stack=linux under the shim, nothing intercepted here */
enum rt_mode { RT_MODE_SUD, RT_MODE_SUD_TRAP, RT_MODE_SECCOMP, RT_MODE_PRELOAD };

/*
 * One block behind GS for the runtime and for the stack's host services:
 * nuse_host_self() accepts it while host.self, host.fs (the thread's FS
 * base) and host.pid are right, so the runtime keeps those current.
 */
struct rt_thread {
	struct nuse_host_tls host; /* host.self: RT_OFF_SELF */
	uintptr_t stack_top;	   /* RT_OFF_STACK_TOP */
	uintptr_t stack_lo;	   /* RT_OFF_STACK_LO */
	uint8_t sud_selector;	   /* SUD selector byte (--stack=linux) */
	int tid;
	bool app_blocks_sigsys; /* the program believes SIGSYS is blocked */
	bool sigsys_pending;	/* one arrived while "blocked" */
	uint8_t pending_si[128];
	/* vfs-fd's bounce buffer (rt_scratch), kept when the block is reused */
	void *scratch;
	/* signals put off while a stack call runs (sigwrap.c): the depth of
	 * stack calls, the signals, their siginfo (memory kept on reuse) */
	int in_stack;
	uint64_t deferred;
	void *deferred_si;
	struct rt_thread *next;
};

_Static_assert(offsetof(struct rt_thread, host.self) == RT_OFF_SELF,
	       "gate.S: self");
_Static_assert(offsetof(struct rt_thread, stack_top) == RT_OFF_STACK_TOP,
	       "gate.S: stack_top");
_Static_assert(offsetof(struct rt_thread, stack_lo) == RT_OFF_STACK_LO,
	       "gate.S: stack_lo");
_Static_assert(offsetof(struct rt_thread, sud_selector) == RT_OFF_SUD_SELECTOR,
	       "gate.S: sud_selector");

struct rt_kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/*
 * With --stack=linux every process of the session shares one stack: a
 * fork gives the child a copy of the stack's descriptor table, an execve
 * carries the session to the new image (src/tracer/stack-linux.c).
 */
struct rt_proc_hooks {
	long (*fork_prepare)(void);	/* token or -errno, before the fork */
	void (*fork_parent)(long token, long pid); /* pid < 0: it failed */
	void (*fork_child)(long token);
	/* nuse-exec's --session=... option for the new image, or NULL */
	const char *(*exec_arg)(void);
	void (*exec_failed)(void);
};

struct rt_config {
	/* --stack=linux in-process: SIGSEGV/SIGBUS actions (rt/fault.c) */
	long (*wrap_sigaction)(int sig, const struct rt_kernel_sigaction *act,
				struct rt_kernel_sigaction *oact, bool *handled);
	/* ... and the copies that fault handler makes safe (bytes not copied) */
	unsigned long (*copy_in)(void *dst, const void *src, unsigned long n);
	unsigned long (*copy_out)(void *dst, const void *src, unsigned long n);
	enum rt_mode mode;
	const struct rt_proc_hooks *proc; /* NULL: nothing shared */
	bool rewrite;		/* patch syscall sites on first trap */
	bool linux_stack;	/* --stack=linux: SUD uses a per-thread selector */
	int verbose;
	const char *mode_name;
	char self_exe[4096];	/* nuse-exec, for re-entry at execve */
	char prog_path[4096];	/* what /proc/self/exe must show */
	uintptr_t vdso_lo, vdso_hi;
	struct rt_kernel_sigaction app_sigsys; /* the program's SIGSYS action */
};

extern struct rt_config rt_cfg;

#define rt_sys(nr, ...) rt_sys_(nr, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define rt_sys_(nr, a, b, c, d, e, f, ...)                                 \
	nuse_gate_syscall((nr), (long)(a), (long)(b), (long)(c), (long)(d), \
			  (long)(e), (long)(f))

static inline struct rt_thread *rt_self(void)
{
	return nuse_host_gs_block();
}

/* rt/sigwrap.c: the signals put off during a stack call, sent again */
void rt_signals_release(struct rt_thread *t);

/*
 * Around a call into the in-process stack (--stack=linux): its host
 * services issue raw system calls from outside the gate, so SUD must let
 * this thread's calls through meanwhile (the selector is per thread: no
 * other thread gets an unintercepted window).  host.fs is refreshed
 * because the program may have moved FS without a call we see (with the
 * base instructions, or through a call seccomp mode does not trap).
 */
static inline void rt_stack_enter(struct rt_thread *t)
{
	__atomic_add_fetch(&t->in_stack, 1, __ATOMIC_ACQ_REL);
	t->host.fs = nuse_host_fs_id();
	__atomic_store_n(&t->sud_selector, 0 /* ALLOW */, __ATOMIC_RELEASE);
}

/* The same, leaving the signals put off meanwhile to the caller, which
 * sends them again where a handler may run (rt_signals_release). */
static inline void rt_stack_exit(struct rt_thread *t)
{
	__atomic_store_n(&t->sud_selector, 1 /* BLOCK */, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&t->in_stack, 1, __ATOMIC_ACQ_REL);
}

static inline void rt_stack_leave(struct rt_thread *t)
{
	rt_stack_exit(t);
	if (!__atomic_load_n(&t->in_stack, __ATOMIC_ACQUIRE) &&
	    __atomic_load_n(&t->deferred, __ATOMIC_ACQUIRE))
		rt_signals_release(t);
}

/* The thread's scratch memory for vfs-fd (nuse_vfs_init), or NULL. */
void *rt_scratch(unsigned long *size);

/* rt/fault.c (with --stack=linux): own SIGSEGV/SIGBUS, copy directly */
int rt_fault_init(void);
/* ... and the fixup of a faulting copy: true if @uc was resumed there */
bool rt_fault_fixup(void *uc);

/* rt/sigwrap.c (with --stack=linux): the program's actions, virtual */
struct rt_kernel_sigaction;
long rt_wrap_sigaction(int sig, const struct rt_kernel_sigaction *act,
		       struct rt_kernel_sigaction *oact, bool *handled);
int rt_wrap_always(int sig);
void rt_signal(int sig, void *si, void *uc);
/* In a stack call: end its wait, keep the signal for after it; true if
 * put off (else deliver it now). */
bool rt_signal_put_off(struct rt_thread *t, int sig, void *si, void *uc);

/* Runtime entry points. */
long rt_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
		uintptr_t ret_ip);
void rt_thread_start(void);
void rt_classify_init(void);
int rt_thread_init(void);
int rt_arm(void);
void rt_after_fork(void);
void rt_sigsys_handler(int sig, void *si, void *uc);
int rt_install_sigsys(void);
int rt_rewrite_init(void);
bool rt_rewrite_site(uintptr_t site);
long rt_execve(int dirfd, const char *path, char *const argv[],
	       char *const envp[], int flags);
/* What the runtime does with a path the program opens or reads a link of:
 * /proc/self/exe is the program's, not nuse-exec's; /proc/net,
 * /proc/self/net, /proc/thread-self/net, /proc/sys/net and below are the
 * stack's procfs files. */
enum rt_path_class { RT_PATH_OTHER, RT_PATH_SELF_EXE, RT_PATH_STACK_PROC };
enum rt_path_class rt_path_class(const char *path);
bool rt_is_stack_proc_path(const char *path);
/* readlink(at)/open(at) of /proc/self/exe, made about the program */
long rt_serve_self_exe(long nr, long a0, long a1, long a2, long a3);
long rt_sigaction(int sig, const struct rt_kernel_sigaction *act,
		  struct rt_kernel_sigaction *oact, size_t size);
long rt_sigprocmask(int how, const uint64_t *set, uint64_t *oset, size_t size);
long rt_sigpending(uint64_t *set, size_t size);
long rt_copy_in(void *dst, const void *src, size_t len);
long rt_copy_out(void *dst, const void *src, size_t len);

/* Freestanding helpers: the compiler must not call libc for us. */
void rt_memcpy(void *d, const void *s, size_t n);
void rt_memset(void *d, int c, size_t n);
size_t rt_strlen(const char *s);
int rt_strcmp(const char *a, const char *b);
int rt_strncmp(const char *a, const char *b, size_t n);
void rt_log(const char *a, const char *b);

#endif
