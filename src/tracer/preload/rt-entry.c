// SPDX-License-Identifier: GPL-2.0
/*
 * --mode=preload --stack=linux, the nuse-exec side: the entry the shim
 * calls for every interposed call (see abi.h).  Runtime code (RT_CFLAGS):
 * it runs on the program's threads, with the program's FS.
 *
 * Under SUD the runtime sees every clone and fork and sets up the new
 * thread's block (rt_thread_start, rt_after_fork).  Under preload it sees
 * neither, so a thread gets its block on its first call instead:
 *
 * - clone copies GS into a new thread, so a thread made by pthread_create
 *   first arrives with its creator's block, whose recorded FS (the
 *   creator's TLS, as nuse_host_fs_id() tells it) is not its own: it is given a block of its own.  The
 *   same test catches the program moving its own FS (arch_prctl), which
 *   only needs the record updated (the block's tid is the caller's).
 * - a forked child inherits a copy of the forking thread's block, whose
 *   pid and tid are the parent's.  The shim's pthread_atfork handler
 *   fixes it in the child before anything else runs; a fork made without
 *   libc (raw syscall) is caught by the block's pid not matching the pid
 *   kept in a MADV_WIPEONFORK page, which reads 0 in a child.
 *
 * The checks cost two loads and two compares per call; the call itself
 * then runs on the block's runtime stack, as from a rewritten site.
 */
#include <errno.h>
#include <sys/mman.h>

#include <nuse/stack.h>
#include <nuse/vfs.h>

#include "../rt/dispatch.h"
#include "../rt/rt.h"
#include "../stack-linux.h"
#include "abi.h"

#define MADV_WIPEONFORK_ 18
#define STR_(x) #x
#define STR(x) STR_(x)

long nuse_preload_entry(long nr, long a0, long a1, long a2, long a3, long a4,
			long a5);
struct rt_thread *rt_preload_thread(void);

/* This process's pid; 0 in a forked child until its first call. */
long *rt_preload_pid;

static long preload_fork_prepare(void);
static void preload_fork_child(long token);
static const char *preload_exec_arg(void);
static void preload_exec_failed(void);
static long preload_spawn_prepare(char *buf, unsigned long len);
static void preload_spawn_done(long token, long pid);
static int preload_signal_enter(int sig, void *si, void *uc);

const struct nuse_preload_rt nuse_preload_rt_table = {
	.magic = NUSE_PRELOAD_RT_MAGIC,
	.version = NUSE_PRELOAD_RT_VERSION,
	.size = sizeof(struct nuse_preload_rt),
	.dispatch = nuse_preload_entry,
	.fork_prepare = preload_fork_prepare,
	.fork_child = preload_fork_child,
	.exec_arg = preload_exec_arg,
	.exec_failed = preload_exec_failed,
	.spawn_prepare = preload_spawn_prepare,
	.spawn_done = preload_spawn_done,
	.prog_path = rt_cfg.prog_path,
	.signal_enter = preload_signal_enter,
};

/*
 * RDI..R9 and the 7th argument on the stack, as a SysV call.  The fast
 * path checks that GS holds this thread's block (its FS) made in
 * this process (its pid), then moves to the block's runtime stack and
 * calls nuse_dispatch with the 7th argument copied there.
 */
/* clang-format off */
asm(".text\n"
    ".globl nuse_preload_entry\n"
    ".type nuse_preload_entry, @function\n"
    "nuse_preload_entry:\n"
    "	movq %gs:0, %rax\n" /* host.self */
    "	movq rt_preload_pid(%rip), %r11\n"
    "	movq (%r11), %r11\n"
    "	cmpq 16(%rax), %r11\n" /* host.pid */
    "	jne 3f\n"
    NUSE_HOST_ASM_FS_ID("%r11")
    "	cmpq 8(%rax), %r11\n" /* host.fs */
    "	jne 3f\n"
    "1:	movq %rsp, %r11\n"
    "	subq " STR(RT_OFF_STACK_LO) "(%rax), %r11\n"
    "	cmpq $" STR(RT_STACK_SIZE) ", %r11\n"
    "	jb 2f\n"
    "	movq %rsp, %r11\n"
    "	movq " STR(RT_OFF_STACK_TOP) "(%rax), %rsp\n"
    "	pushq %r11\n"
    "	pushq 8(%r11)\n"
    "	call nuse_dispatch\n"
    "	movq 8(%rsp), %rsp\n"
    "	ret\n"
    /* already on the runtime stack (a handler that interrupted a call) */
    "2:	jmp nuse_dispatch\n"
    /* no block, or not this thread's: fix it on the program's stack */
    "3:	pushq %rdi\n"
    "	pushq %rsi\n"
    "	pushq %rdx\n"
    "	pushq %rcx\n"
    "	pushq %r8\n"
    "	pushq %r9\n"
    "	subq $8, %rsp\n"
    "	call rt_preload_thread\n"
    "	addq $8, %rsp\n"
    "	popq %r9\n"
    "	popq %r8\n"
    "	popq %rcx\n"
    "	popq %rdx\n"
    "	popq %rsi\n"
    "	popq %rdi\n"
    "	jmp 1b\n"
    ".size nuse_preload_entry, . - nuse_preload_entry\n");
/* clang-format on */

static void die(const char *why)
{
	rt_log(why, NULL);
	rt_sys(SYS_exit_group, 127);
}

/* The block that was this thread's in the parent, now in a forked child. */
static void adopt_after_fork(struct rt_thread *t, long pid)
{
	/* what rt_after_fork does, without arming SUD */
	rt_memset(t->host.slot, 0, sizeof(t->host.slot));
	t->host.pid = pid;
	t->host.tid = rt_sys(SYS_gettid);
	__atomic_store_n(&t->tid, (int)t->host.tid, __ATOMIC_RELEASE);
}

/* Slow path of nuse_preload_entry: returns the thread's block, set in GS. */
struct rt_thread *rt_preload_thread(void)
{
	struct rt_thread *t = rt_self();
	long pid = __atomic_load_n(rt_preload_pid, __ATOMIC_ACQUIRE);

	if (!pid) {
		/* First call in a child forked without libc (no atfork). */
		pid = rt_sys(SYS_getpid);
		__atomic_store_n(rt_preload_pid, pid, __ATOMIC_RELEASE);
	}
	if (t->host.fs == nuse_host_fs_id()) {
		/* Its own block: only FS or the process changed. */
		if (t->host.pid != pid)
			adopt_after_fork(t, pid);
		return t;
	}
	if (t->host.pid == pid && t->tid == rt_sys(SYS_gettid)) {
		t->host.fs = nuse_host_fs_id(); /* arch_prctl(ARCH_SET_FS) */
		return t;
	}
	/* A thread made by the program: a block of its own. */
	if (rt_thread_init())
		die("preload: cannot set up a thread's runtime block");
	return rt_self();
}

/*
 * The shim's pthread_atfork handlers.  The session's hooks (stack-linux.c)
 * use the thread's block, which this thread may not have yet.  The
 * parent's hook is not called: pthread_atfork does not tell it the
 * child's pid; the child registers itself when it attaches its table.
 */
static long preload_fork_prepare(void)
{
	rt_preload_thread();
	return rt_cfg.proc ? rt_cfg.proc->fork_prepare() : 0;
}

/* First thing in the child, which has one thread. */
static void preload_fork_child(long token)
{
	struct rt_thread *t = rt_self();
	long pid = rt_sys(SYS_getpid);

	__atomic_store_n(rt_preload_pid, pid, __ATOMIC_RELEASE);
	adopt_after_fork(t, pid);
	if (rt_cfg.proc && token > 0)
		rt_cfg.proc->fork_child(token);
}

static const char *preload_exec_arg(void)
{
	rt_preload_thread();
	return rt_cfg.proc ? rt_cfg.proc->exec_arg() : NULL;
}

static void preload_exec_failed(void)
{
	if (rt_cfg.proc)
		rt_cfg.proc->exec_failed();
}

static char *put_num(char *p, char *end, long v)
{
	char tmp[24];
	int n = 0;

	if (v < 0) {
		v = -1; /* only -1 is meaningful here */
		if (p < end)
			*p++ = '-';
	}
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n && p < end)
		*p++ = tmp[--n];
	return p;
}

/* A memfd holding the descriptor map (nuse_vfs_save) for a spawned child. */
static long spawn_vfs_fd = -1;

static long preload_spawn_prepare(char *buf, unsigned long len)
{
	struct rt_thread *t = rt_preload_thread();
	char *p = buf, *end = buf + len - 1;
	long token, v[6];

	if (!rt_cfg.proc || len < 64)
		return -ENOSYS;
	rt_stack_enter(t);
	token = nuse_proc_fork_prepare();
	rt_stack_leave(t);
	if (token < 0)
		return token;
	spawn_vfs_fd = nuse_vfs_save();
	v[0] = nuse_session.keeper;
	v[1] = nuse_session.data_fd;
	v[2] = nuse_session.mem_fd;
	v[3] = (long)nuse_session.mem_size;
	v[4] = token;
	v[5] = spawn_vfs_fd;
	rt_memcpy(p, "--session=", 10);
	p += 10;
	for (int i = 0; i < 6; i++) {
		if (i && p < end)
			*p++ = ',';
		p = put_num(p, end, v[i]);
	}
	*p = '\0';
	return token;
}

static void preload_spawn_done(long token, long pid)
{
	struct rt_thread *t = rt_preload_thread();

	/* the child has its copy of the map, or never will */
	if (spawn_vfs_fd >= 0)
		rt_sys(SYS_close, spawn_vfs_fd);
	spawn_vfs_fd = -1;
	if (!pid)
		return; /* unknown: the child registers itself when it attaches */
	rt_stack_enter(t);
	if (pid < 0)
		nuse_proc_reap(token);
	else
		nuse_proc_register(token, pid);
	rt_stack_leave(t);
}

static int preload_signal_enter(int sig, void *si, void *uc)
{
	struct rt_thread *t = rt_self();

	/* a block inherited through clone: this thread never entered */
	if (t->host.fs != nuse_host_fs_id() ||
	    t->host.pid != __atomic_load_n(rt_preload_pid, __ATOMIC_ACQUIRE))
		return 0;
	return rt_signal_put_off(t, sig, si, uc);
}

/* Before the jump, on the main thread whose block exists: 0 or -errno. */
int nuse_preload_rt_init(void)
{
	long p = rt_sys(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p < 0 && p > -4096)
		return (int)p;
	if (rt_sys(SYS_madvise, p, 4096, MADV_WIPEONFORK_))
		return -EINVAL;
	rt_preload_pid = (long *)p;
	*rt_preload_pid = rt_sys(SYS_getpid);
	return 0;
}
