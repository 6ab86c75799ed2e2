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
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "modes.h"
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
		/* Signal-delivery-stop: deliver it, unchanged. */
		break;
	case PTRACE_EVENT_SECCOMP:
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

static int pt_serve(struct nuse_sup *s)
{
	pid_t tid;
	int st;

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
