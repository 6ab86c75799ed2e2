// SPDX-License-Identifier: GPL-2.0
/*
 * --mode=ptrace: SECCOMP_RET_TRACE on the netcalls set, every descendant
 * seized through PTRACE_O_TRACEFORK/VFORK/CLONE.  Only the filtered calls
 * stop the program; signals and group-stops pass through exactly:
 *
 * - a signal-delivery-stop is resumed with the same signal, so the kernel
 *   delivers the original siginfo (same number: it is not rewritten);
 * - PTRACE_SEIZE reports group-stops as PTRACE_EVENT_STOP, and
 *   PTRACE_LISTEN leaves the tracee stopped as natively until SIGCONT;
 * - a seccomp stop is a ptrace-stop, not an interruptible sleep: a signal
 *   arriving meanwhile stays pending and the call is not disturbed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modes.h"
#include "serve-linux.h"
#include "supervise.h"

#define PT_OPTIONS                                                          \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)

static int pt_child_setup(const void *prog)
{
	return nuse_sup_load_filter(prog, 0);
}

/* The tracer of @pid, or 0 (from /proc/PID/status). */
static pid_t tracer_of(pid_t pid)
{
	char path[64], line[128];
	pid_t t = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &t) == 1)
			break;
	fclose(f);
	return t;
}

static int pt_attach(struct nuse_sup *s, pid_t pid, int child_val)
{
	(void)child_val;
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)PT_OPTIONS) < 0) {
		int e = errno;
		pid_t t = e == EPERM ? tracer_of(pid) : 0;

		if (t)
			/* strace -f, gdb, or an outer nuse-exec --mode=ptrace */
			fprintf(stderr, "nuse-exec: --mode=ptrace: the program is traced already (by pid %d); use --mode=unotify\n",
				t);
		else
			fprintf(stderr, "nuse-exec: --mode=ptrace: cannot trace the program: %s%s\n",
				strerror(e),
				e == EPERM ? " (ptrace restricted: see kernel.yama.ptrace_scope, or use --mode=unotify)" : "");
		return -e;
	}
	nuse_sup_log(s, 1, "seized %d", pid);
	return 0;
}

/* The tracee is stopped: its memory cannot change under us. */
static long pt_read_mem(struct nuse_call *c, void *dst, unsigned long addr,
			unsigned long len)
{
	struct iovec l = { dst, len }, r = { (void *)addr, len };
	long n = process_vm_readv(c->tid, &l, 1, &r, 1, 0);

	return n < 0 ? -errno : n;
}

static long pt_write_mem(struct nuse_call *c, unsigned long addr,
			 const void *src, unsigned long len)
{
	struct iovec l = { (void *)src, len }, r = { (void *)addr, len };
	long n = process_vm_writev(c->tid, &l, 1, &r, 1, 0);

	return n < 0 ? -errno : n;
}

/* Skip the call (nr -1) and make it return @ret. */
static void pt_set_return(const struct nuse_sup *s, pid_t tid, long ret)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0)
		goto fail;
	regs.orig_rax = -1;
	regs.rax = ret;
	if (ptrace(PTRACE_SETREGS, tid, 0L, &regs) < 0)
		goto fail;
	return;
fail:
	/* ESRCH: killed meanwhile (SIGKILL); nothing left to answer. */
	if (errno != ESRCH)
		nuse_sup_log(s, 0, "[%d] cannot set the result: %s", tid,
			     strerror(errno));
}

static void pt_syscall(const struct nuse_sup *s, pid_t tid)
{
	struct __ptrace_syscall_info info;
	struct nuse_call c = {
		.tid = tid,
		.read_mem = pt_read_mem,
		.write_mem = pt_write_mem,
	};
	int i;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (long)sizeof(info), &info) <
		    0 ||
	    info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return;
	c.arch = info.arch;
	c.nr = info.seccomp.nr;
	for (i = 0; i < 6; i++)
		c.args[i] = info.seccomp.args[i];
	if (nuse_serve_call(s, &c) == NUSE_CALL_RETURN)
		pt_set_return(s, tid, c.ret);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

static bool pt_linux;
static void pt_linux_queue(const struct nuse_sup *s, pid_t tid);
static bool pt_linux_exit_stop(const struct nuse_sup *s, pid_t tid);
static void pt_linux_gone(pid_t tid);

/*
 * The program's stops are mirrored by the front only once it has exec'd:
 * the SIGSTOP/SIGCONT of its start are nuse's, not the shell's business.
 */
static bool pt_main_execd;

static void pt_stopped(struct nuse_sup *s, pid_t tid, int st)
{
	bool main = tid == s->main_pid && pt_main_execd;
	int sig = WSTOPSIG(st);

	if (tid == s->main_pid && (st >> 16) == PTRACE_EVENT_EXEC)
		pt_main_execd = true;
	/* Any other stop of the leader means its group-stop is over. */
	if (main && !((st >> 16) == PTRACE_EVENT_STOP && is_stop_signal(sig)))
		nuse_sup_main_continued(s);

	switch (st >> 16) {
	case 0:
		/* The exit of a call we rewrote (--stack=linux), else a
		 * signal-delivery-stop: deliver it, unchanged. */
		if (pt_linux && sig == SIGTRAP && pt_linux_exit_stop(s, tid))
			return;
		break;
	case PTRACE_EVENT_SECCOMP:
		if (pt_linux) {
			/* answered when a worker has served it */
			pt_linux_queue(s, tid);
			return;
		}
		pt_syscall(s, tid);
		sig = 0;
		break;
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {
			/* Group-stop: stay stopped until SIGCONT. */
			if (main)
				nuse_sup_main_stopped(s, sig);
			if (ptrace(PTRACE_LISTEN, tid, 0L, 0L) < 0 &&
			    errno != ESRCH)
				nuse_sup_log(s, 0, "[%d] PTRACE_LISTEN: %s",
					     tid, strerror(errno));
			return;
		}
		/* First stop of a new tracee, or end of a group-stop. */
		sig = 0;
		break;
	default:
		/* fork, vfork, clone, exec: the new tracee is seized already. */
		sig = 0;
		break;
	}
	if (ptrace(PTRACE_CONT, tid, 0L, (long)sig) < 0 && errno != ESRCH)
		nuse_sup_log(s, 0, "[%d] PTRACE_CONT: %s", tid, strerror(errno));
}

static int pt_serve_linux(struct nuse_sup *s);

static int pt_serve(struct nuse_sup *s)
{
	pid_t tid;
	int st;

	if (s->o->stack == NUSE_STACK_LINUX)
		return pt_serve_linux(s);
	for (;;) {
		tid = waitpid(-1, &st, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				return 0; /* no tracee left */
			nuse_sup_log(s, 0, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (WIFSTOPPED(st))
			pt_stopped(s, tid, st);
		else if (tid == s->main_pid)
			nuse_sup_main_exited(s, st);
	}
}

/*
 * --stack=linux.  Only the tracer thread may use ptrace on a tracee, and
 * calls may block in the stack: this thread takes every stop, hands each
 * seccomp stop to a worker (the tracee stays stopped meanwhile), and
 * answers when the worker is done.  It waits on a signalfd for SIGCHLD
 * (tracee stops) and an eventfd (jobs done).
 *
 * A new stack socket's placeholder is the write end of a pipe the
 * supervisor made: ptrace cannot pass a descriptor, so the stopped call
 * is turned into openat("/proc/SUPERVISOR/fd/N", O_WRONLY), which opens
 * the same pipe in the tracee; at its exit stop the registers the call
 * began with are put back, with the new descriptor as the result.
 */
struct pt_job {
	struct nuse_call c;
	const struct nuse_sup *s;
	enum nuse_verdict v;
	int fd;			/* placeholder to install, or -1 */
	char path[96];		/* the FIFO the caller opens */
	unsigned int fd_flags;	/* O_CLOEXEC */
	struct user_regs_struct regs; /* the call's, while it is rewritten */
	struct user_regs_struct regs_sub; /* the call run in its place */
	struct pt_job *next;
};

static pthread_mutex_t pt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pt_cond = PTHREAD_COND_INITIALIZER;
static struct pt_job *pt_todo, *pt_done, *pt_rewritten;
static int pt_idle, pt_done_fd = -1;

static bool pt_job_pending(struct nuse_call *c)
{
	return kill(c->tid, 0) == 0;
}

/* From a worker: keep the pipe end for the main thread to install. */
static int pt_job_install(struct nuse_call *c, int fd, unsigned int flags)
{
	struct pt_job *j = (struct pt_job *)((char *)c - offsetof(struct pt_job, c));

	j->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	j->fd_flags = flags;
	snprintf(j->path, sizeof(j->path), "%s", c->install_path);
	return j->fd < 0 ? -errno : 0;
}

static void *pt_worker(void *arg);

static int pt_spawn_worker(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	pt_idle++;
	r = pthread_create(&t, &attr, pt_worker, NULL);
	pthread_attr_destroy(&attr);
	if (r)
		pt_idle--;
	return r ? -r : 0;
}

static void *pt_worker(void *arg)
{
	uint64_t one = 1;
	struct pt_job *j;

	(void)arg;
	pthread_mutex_lock(&pt_lock);
	for (;;) {
		while (!pt_todo)
			pthread_cond_wait(&pt_cond, &pt_lock);
		j = pt_todo;
		pt_todo = j->next;
		/* one thread always waits for the next call */
		if (--pt_idle == 0 && pt_spawn_worker())
			nuse_sup_log(j->s, 0, "cannot start a worker thread");
		pthread_mutex_unlock(&pt_lock);
		j->v = nuse_serve_call(j->s, &j->c);
		pthread_mutex_lock(&pt_lock);
		pt_idle++;
		j->next = pt_done;
		pt_done = j;
		if (write(pt_done_fd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow here */
		}
	}
	return NULL;
}

static void pt_answer(const struct nuse_sup *s, struct pt_job *j);

static void pt_linux_queue(const struct nuse_sup *s, pid_t tid)
{
	struct __ptrace_syscall_info info;
	struct pt_job *j = calloc(1, sizeof(*j));
	int i;

	if (!j || ptrace(PTRACE_GET_SYSCALL_INFO, tid, (long)sizeof(info), &info) < 0 ||
	    info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		free(j);
		ptrace(PTRACE_CONT, tid, 0L, 0L);
		return;
	}
	j->s = s;
	j->fd = -1;
	j->c = (struct nuse_call){
		.tid = tid,
		.arch = info.arch,
		.nr = info.seccomp.nr,
		.read_mem = pt_read_mem,
		.write_mem = pt_write_mem,
		.install_fd = pt_job_install,
		.pending = pt_job_pending,
		.install_by_path = true,
	};
	for (i = 0; i < 6; i++)
		j->c.args[i] = info.seccomp.args[i];
	if (!nuse_serve_linux_may_block(&j->c)) {
		/* served here: no hand-off to a worker and back */
		j->v = nuse_serve_call(s, &j->c);
		pt_answer(s, j);
		return;
	}
	pthread_mutex_lock(&pt_lock);
	j->next = pt_todo;
	pt_todo = j;
	pthread_cond_signal(&pt_cond);
	pthread_mutex_unlock(&pt_lock);
}

/*
 * Run another call in place of the stopped one, with @data (n bytes) below
 * the red zone of the caller's stack; its exit stop puts the call's own
 * registers back but RAX (pt_linux_exit_stop).
 */
static int pt_substitute(struct pt_job *j, long nr, const void *data, int n,
			 unsigned long *at)
{
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, j->c.tid, 0L, &j->regs) < 0)
		return -errno;
	r = j->regs;
	*at = (r.rsp - 128 - 64) & ~15UL;
	if (pt_write_mem(&j->c, *at, data, n) != n)
		return -EFAULT;
	r.orig_rax = nr;
	r.rdi = r.rsi = r.rdx = r.r10 = r.r8 = r.r9 = 0;
	j->regs_sub = r;
	return 0;
}

static int pt_start_substitute(struct pt_job *j)
{
	if (ptrace(PTRACE_SETREGS, j->c.tid, 0L, &j->regs_sub) < 0 ||
	    ptrace(PTRACE_SYSCALL, j->c.tid, 0L, 0L) < 0)
		return -errno;
	j->next = pt_rewritten;
	pt_rewritten = j;
	return 0;
}

/* Turn the stopped call into the openat of the placeholder FIFO. */
static int pt_rewrite(const struct nuse_sup *s, struct pt_job *j)
{
	const char *path = j->path;
	unsigned long at;
	int r;

	r = pt_substitute(j, SYS_openat, path, (int)strlen(path) + 1, &at);
	if (r)
		return r;
	j->regs_sub.rdi = (unsigned long)AT_FDCWD;
	j->regs_sub.rsi = at;
	j->regs_sub.rdx = O_WRONLY | (j->fd_flags & O_CLOEXEC);
	nuse_sup_log(s, 2, "[%d] placeholder: openat(%s)", j->c.tid, path);
	return pt_start_substitute(j);
}

/*
 * A call the caller's pending signal interrupted (serve-linux-signals.c):
 * a skipped call cannot be restarted, so the stop turns into a futex wait
 * that the pending signal ends at once with -ERESTARTSYS; its exit stop
 * puts the original call's number and arguments back, and the caller's
 * kernel then restarts it under SA_RESTART, or returns EINTR, as natively.
 * (Only used when the signal is pending for this very thread, so the wait
 * cannot sleep.)
 */
static int pt_restart(struct pt_job *j)
{
	static const int zero;
	unsigned long at;
	int r = pt_substitute(j, SYS_futex, &zero, sizeof(zero), &at);

	if (r)
		return r;
	j->regs_sub.rdi = at;
	j->regs_sub.rsi = 0x80 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */;
	return pt_start_substitute(j);
}

static struct pt_job *pt_unlink_rewritten(pid_t tid)
{
	struct pt_job **p, *j;

	for (p = &pt_rewritten; *p; p = &(*p)->next)
		if ((*p)->c.tid == tid) {
			j = *p;
			*p = j->next;
			return j;
		}
	return NULL;
}

/* The exit of a rewritten call: its registers back, the new fd in RAX. */
static bool pt_linux_exit_stop(const struct nuse_sup *s, pid_t tid)
{
	struct pt_job *j = pt_unlink_rewritten(tid);
	struct user_regs_struct r;

	if (!j)
		return false;
	if (ptrace(PTRACE_GETREGS, tid, 0L, &r) == 0) {
		j->regs.rax = r.rax;
		ptrace(PTRACE_SETREGS, tid, 0L, &j->regs);
	}
	if (j->fd >= 0) {
		nuse_sup_log(s, 2, "[%d] placeholder installed: %lld", tid,
			     (long long)r.rax);
		unlink(j->path);
		close(j->fd); /* the tracee's end, or a hang-up closes the socket */
	}
	free(j);
	if (ptrace(PTRACE_CONT, tid, 0L, 0L) < 0 && errno != ESRCH)
		nuse_sup_log(s, 0, "[%d] PTRACE_CONT: %s", tid, strerror(errno));
	return true;
}

static void pt_linux_gone(pid_t tid)
{
	struct pt_job *j = pt_unlink_rewritten(tid);

	if (j) {
		if (j->fd >= 0) {
			unlink(j->path);
			close(j->fd);
		}
		free(j);
	}
}

static void pt_answer(const struct nuse_sup *s, struct pt_job *j)
{
	pid_t tid = j->c.tid;

	if (j->v == NUSE_CALL_ANSWERED && j->fd >= 0) {
		if (!pt_rewrite(s, j))
			return;
		/* not installed: the reaper closes the socket */
		unlink(j->path);
		close(j->fd);
		j->v = NUSE_CALL_RETURN;
		j->c.ret = -EMFILE;
	}
	if (j->v == NUSE_CALL_RETURN && j->c.ret == -512 /* ERESTARTSYS */) {
		if (!pt_restart(j))
			return;
		j->c.ret = -EINTR;
	}
	if (j->v != NUSE_CALL_CONTINUE)
		pt_set_return(s, tid, j->c.ret);
	free(j);
	if (ptrace(PTRACE_CONT, tid, 0L, 0L) < 0 && errno != ESRCH)
		nuse_sup_log(s, 0, "[%d] PTRACE_CONT: %s", tid, strerror(errno));
}

static int pt_serve_linux(struct nuse_sup *s)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	struct pt_job *done;
	sigset_t chld;
	uint64_t n;
	pid_t tid;
	int st;

	pt_linux = true;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pfd[0] = (struct pollfd){ signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK), POLLIN, 0 };
	pfd[1] = (struct pollfd){ eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), POLLIN, 0 };
	pt_done_fd = pfd[1].fd;
	if (pfd[0].fd < 0 || pfd[1].fd < 0 || nuse_serve_linux_start(s)) {
		nuse_sup_log(s, 0, "cannot start serving");
		return -1;
	}
	pthread_mutex_lock(&pt_lock);
	st = pt_spawn_worker();
	pthread_mutex_unlock(&pt_lock);
	if (st)
		return -1;
	for (;;) {
		while ((tid = waitpid(-1, &st, __WALL | WNOHANG)) > 0) {
			if (WIFSTOPPED(st)) {
				pt_stopped(s, tid, st);
				continue;
			}
			pt_linux_gone(tid);
			if (tid == s->main_pid)
				nuse_sup_main_exited(s, st);
		}
		if (tid < 0 && errno == ECHILD) {
			nuse_serve_linux_cleanup();
			return 0; /* no tracee left */
		}
		pthread_mutex_lock(&pt_lock);
		done = pt_done;
		pt_done = NULL;
		pthread_mutex_unlock(&pt_lock);
		while (done) {
			struct pt_job *j = done;

			done = j->next;
			pt_answer(s, j);
		}
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return -1;
		while (read(pfd[0].fd, &si, sizeof(si)) == sizeof(si))
			;
		if (read(pfd[1].fd, &n, sizeof(n)) < 0) {
			/* nothing done yet */
		}
	}
}

static const struct nuse_sup_mode ptrace_mode = {
	.name = "ptrace",
	.action = SECCOMP_RET_TRACE,
	.child_setup = pt_child_setup,
	.attach = pt_attach,
	.serve = pt_serve,
};

int nuse_ptrace_run(const struct nuse_opts *o, const struct nuse_program *p,
		    char **argv, char **envp)
{
	return nuse_supervise(&ptrace_mode, o, p, argv, envp);
}
