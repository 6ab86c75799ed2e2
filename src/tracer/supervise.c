// SPDX-License-Identifier: GPL-2.0
/*
 * Skeleton shared by the supervisor modes (ptrace, unotify).
 *
 * Three processes:
 *
 * - the front: the nuse-exec the shell started.  It forks the supervisor,
 *   learns the program's pid and, later, its wait status through a pipe,
 *   and returns that status.  It forwards to the program the signals that
 *   are sent to it by kill(2) (timeout(1), "kill $!"), so the front stands
 *   for the program as a pid would natively.
 * - the supervisor: forks the program and serves its calls until no
 *   process under the filter is left.  It must outlive the program,
 *   because a program's background children (sh -c 'x &') keep making
 *   trapped calls after it has exited: natively the shell gets its status
 *   at once and the children go on, so the front returns as soon as the
 *   program exits, and the supervisor goes on serving in the background
 *   with no hold on the terminal (stdin and stdout are /dev/null, its cwd
 *   is /, stderr is kept only with -v).  Under ptrace the tracer cannot be
 *   handed over to another process and a detached tracee would get ENOSYS
 *   from SECCOMP_RET_TRACE, so serving on is the only correct choice there;
 *   unotify does the same for symmetry.  It ignores every catchable signal:
 *   the program gets its own, and the supervisor's death would kill
 *   (ptrace: PTRACE_O_EXITKILL) or cripple (unotify: ENOSYS) the tree.
 *   If the front dies before the program (kill -9), it kills the program.
 * - the program: the supervisor's child.  It installs the filter, stops
 *   itself with SIGSTOP so the supervisor can take hold of it (seize it, or
 *   fetch its listener with pidfd_getfd), then execs.  The filter is
 *   inherited by every descendant and survives execve.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuse/vfs.h>

#include "filter.h"
#include "isolate.h"
#include "probe.h"
#include "serve-linux.h"
#include "stack-linux.h"
#include "supervise.h"

/* From the supervisor to the front: stop by the signal in si_value. */
#define SUP_SIG_STOP (SIGRTMIN + 2)

/* Messages from the supervisor to the front. */
enum { MSG_PID = 'P', MSG_STATUS = 'S', MSG_FAIL = 'F' };
struct sup_msg {
	int kind;
	int val;
};

/* Signals the front passes on to the program when they come from kill(2). */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
				 SIGUSR2, SIGALRM, SIGWINCH };

int nuse_sup_load_filter(const void *prog, unsigned long flags)
{
	long r;

	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
	/*
	 * no_new_privs is inherited and stops setuid programs from
	 * gaining privileges: set it only when the kernel demands it.
	 */
	if (r < 0 && errno == EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return -errno;
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
	}
	return r < 0 ? -errno : (int)r;
}

void nuse_sup_log(const struct nuse_sup *s, int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (s->o->verbose < level)
		return;
	n = snprintf(line, sizeof(line), "nuse-exec: %s: ", s->mode->name);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line: lines of concurrent processes do not mix. */
	dprintf(STDERR_FILENO, "%s\n", line);
}

static int send_msg(int fd, int kind, int val)
{
	struct sup_msg m = { kind, val };
	ssize_t n;

	do
		n = write(fd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	return n == sizeof(m) ? 0 : -1;
}

/* --- the supervisor ------------------------------------------------------ */

static volatile sig_atomic_t sup_main_pid;
static pid_t sup_front_pid;

/* PR_SET_PDEATHSIG: the front is gone while the program runs. */
static void on_front_death(int sig)
{
	(void)sig;
	if (getppid() == sup_front_pid)
		return;	/* someone else's signal: ignored like the rest */
	if (sup_main_pid > 0) {
		kill(sup_main_pid, SIGKILL);
		/* Reap it: a zombie would still look alive for a while. */
		waitpid(sup_main_pid, NULL, __WALL);
	}
	_exit(1);
}

static void sup_ignore_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		/* SIGCHLD keeps SIG_DFL: SIG_IGN would lose wait statuses. */
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
			sigaction(sig, &sa, NULL);
	sa.sa_handler = on_front_death;
	sigaction(SIGTERM, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != sup_front_pid)
		on_front_death(SIGTERM);
}

/*
 * Drop what the supervisor inherited from the front but does not need, and
 * lift its own descriptor limit (the program has its own copy of the
 * limit already) so a program started with a tight one can be served.
 */
static void sup_detach_fds(int keep)
{
	struct rlimit rl;
	int null;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO && null != keep)
			close(null);
	}
	if (keep > 3)
		syscall(SYS_close_range, 3, keep - 1, 0);
	syscall(SYS_close_range, keep + 1, ~0U, 0);
	if (chdir("/")) {
		/* Not fatal: the old cwd only stays busy longer. */
	}
}

/* Signal the front, if it is still the one that started us. */
static void sup_signal_front(struct nuse_sup *s, int sig)
{
	if (s->report_fd >= 0 && getppid() == s->front_pid)
		kill(s->front_pid, sig);
}

void nuse_sup_main_stopped(struct nuse_sup *s, int sig)
{
	if (s->main_stopped)
		return;
	s->main_stopped = true;
	nuse_sup_log(s, 1, "program %d stopped (%s)", s->main_pid,
		     strsignal(sig));
	/*
	 * Queued, so it cannot merge with a SIGTSTP from the terminal that
	 * the front has yet to handle (and ignore); the front then stops
	 * by @sig itself.
	 */
	if (s->report_fd >= 0 && getppid() == s->front_pid)
		sigqueue(s->front_pid, SUP_SIG_STOP,
			 (union sigval){ .sival_int = sig });
}

void nuse_sup_main_continued(struct nuse_sup *s)
{
	if (!s->main_stopped)
		return;
	s->main_stopped = false;
	nuse_sup_log(s, 1, "program %d continued", s->main_pid);
	sup_signal_front(s, SIGCONT);
}

void nuse_sup_main_exited(struct nuse_sup *s, int status)
{
	int null;

	sup_main_pid = 0;
	if (s->report_fd < 0)
		return;
	/* Killed while stopped: the front must wake up to report it. */
	nuse_sup_main_continued(s);
	prctl(PR_SET_PDEATHSIG, 0);
	nuse_sup_log(s, 1, "program %d ended (wait status 0x%x)", s->main_pid,
		     status);
	/* Lose the terminal before the shell gets the status. */
	if (!s->o->verbose) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDERR_FILENO);
			close(null);
		}
	}
	send_msg(s->report_fd, MSG_STATUS, status);
	close(s->report_fd);
	s->report_fd = -1;
}

/* The program's calls, all under the filter: nothing reaches the host
 * unseen, so there is no host's word to ask (probe.h). */
static long probe_call(long nr, long a0, long a1, long a2)
{
	long r = syscall(nr, a0, a1, a2);

	return r < 0 ? -errno : r;
}

static const struct nuse_probe_ops probe_ops = { .call = probe_call };

static void __attribute__((noreturn))
child_exec(const struct nuse_sup_mode *m, const struct sock_fprog *prog,
	   const struct nuse_program *p, char **argv, char **envp,
	   volatile int *shared, const struct nuse_opts *o)
{
	bool stack_linux = o->stack == NUSE_STACK_LINUX;
	int verbose = o->verbose;
	const char *why;
	int r;

	/* inherited from the supervisor; the supervisor must attach to us */
	prctl(PR_SET_DUMPABLE, 1);
	/* only the program leaves: the supervisor serves from outside */
	r = nuse_isolate_program(o);
	if (r)
		_exit(r);
	r = m->child_setup(prog);
	if (r < 0) {
		dprintf(STDERR_FILENO,
			"nuse-exec: --mode=%s: cannot install the seccomp filter: %s%s\n",
			m->name, strerror(-r),
			/* one listener per filter chain */
			r == -EBUSY ? " (one seccomp listener per process: is --mode=unotify nested?)" : "");
		_exit(125);
	}
	*shared = r;
	/* Wait for the supervisor to take hold of us. */
	kill(getpid(), SIGSTOP);
	why = nuse_probe_run(&probe_ops, stack_linux);
	if (why) {
		dprintf(STDERR_FILENO,
			"nuse-exec: --mode=%s: %s: not running %s (nuse-exec --check tells what this machine allows)\n",
			m->name, why, p->path);
		_exit(125);
	}
	if (verbose)
		dprintf(STDERR_FILENO,
			"nuse-exec: probe: the program's calls reach %s\n",
			stack_linux ? "the Linux stack" : "nuse");
	execve(p->path, argv, envp);
	r = errno;
	dprintf(STDERR_FILENO, "nuse-exec: %s: %s\n", p->path, strerror(r));
	_exit(r == ENOENT ? 127 : 126);
}

/* Start the program stopped before execve and hand it to the mode. */
static pid_t sup_start(struct nuse_sup *s, const struct nuse_program *p,
		       char **argv, char **envp)
{
	const struct nuse_sup_mode *m = s->mode;
	struct sock_fprog prog;
	volatile int *shared;
	int st, r;
	pid_t pid;

	/*
	 * With --stack=host nothing is done for close but let it run, and
	 * trapping it is not harmless: a signal that reaches the caller before
	 * the supervisor has taken the notification ends the call with EINTR
	 * when its handler lacks SA_RESTART, and the descriptor stays open
	 * while the program believes it closed (busybox sh kept a pipe's write
	 * end: `seq | sort | head` never saw EOF, 1 run in ~60 under load).
	 */
	prog.filter = nuse_filter_supervisor(m->action,
					     s->o->stack == NUSE_STACK_HOST,
					     &prog.len);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!prog.filter || shared == MAP_FAILED) {
		fprintf(stderr, "nuse-exec: --mode=%s: out of memory\n", m->name);
		pid = -1;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "nuse-exec: --mode=%s: fork: %s\n", m->name,
			strerror(errno));
		goto out;
	}
	if (pid == 0)
		child_exec(m, &prog, p, argv, envp, shared, s->o);

	while (waitpid(pid, &st, WUNTRACED) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "nuse-exec: --mode=%s: waitpid: %s\n",
				m->name, strerror(errno));
			kill(pid, SIGKILL);
			pid = -1;
			goto out;
		}
	}
	if (!WIFSTOPPED(st)) {
		/* The child said why; pass its status on as the program's. */
		s->main_pid = pid;
		nuse_sup_main_exited(s, st);
		pid = 0;
		goto out;
	}
	/* Before attach, whose descriptors must survive. */
	sup_detach_fds(s->report_fd);
	r = m->attach(s, pid, *shared);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		pid = -1;
		goto out;
	}
	kill(pid, SIGCONT);
out:
	if (shared != MAP_FAILED)
		munmap((void *)shared, sizeof(*shared));
	free(prog.filter);
	return pid;
}

static void __attribute__((noreturn))
sup_run(struct nuse_sup *s, const struct nuse_program *p, char **argv,
	char **envp)
{
	pid_t pid;

	sup_front_pid = s->front_pid;
	pid = sup_start(s, p, argv, envp);
	if (pid <= 0) {
		if (pid < 0)
			send_msg(s->report_fd, MSG_FAIL, 0);
		_exit(pid < 0);
	}
	s->main_pid = pid;
	sup_main_pid = pid;
	send_msg(s->report_fd, MSG_PID, pid);
	/* Only now: the program must inherit the front's dispositions. */
	sup_ignore_signals();
	nuse_sup_log(s, 1, "supervising program %d", pid);
	if (s->mode->serve(s) < 0) {
		if (sup_main_pid > 0)
			kill(pid, SIGKILL);
		_exit(1);
	}
	nuse_sup_log(s, 1, "no process left to serve");
	nuse_serve_linux_drain();
	nuse_stack_linux_deconfigure(); /* flushes --pcap captures */
	_exit(0);
}

/* --- the front ----------------------------------------------------------- */

static volatile sig_atomic_t front_main_pid, front_sup_pid;
static volatile sig_atomic_t front_pending[NSIG];
/* Stop signals, whose handling follows the program's stops. */
static const int stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
static bool stop_ignored[NSIG];

static void front_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* Terminal signals reach the program through its process group. */
	if (si->si_code > 0)
		return;
	if (front_main_pid > 0)
		kill(front_main_pid, sig);
	else
		front_pending[sig] = 1;
}

static void front_install_stops(void);

/* The program has stopped: stop by the same signal, as the shell sees it. */
static void front_mirror_stop(int rt, siginfo_t *si, void *uc)
{
	int sig = si->si_value.sival_int;

	if (si->si_code != SI_QUEUE || si->si_pid != front_sup_pid) {
		front_forward(rt, si, uc);
		return;
	}
	if (sig <= 0 || sig >= NSIG || stop_ignored[sig])
		sig = SIGSTOP;
	signal(sig, SIG_DFL);
	/* A SIGCONT resumes us and front_cont() catches it again. */
	raise(sig);
}

/* Continued: catch stop signals again (a SIGCONT also drops pending ones). */
static void front_cont(int sig)
{
	(void)sig;
	front_install_stops();
}

/*
 * Stop signals: one from the terminal is ignored, since the program got its
 * own and the supervisor tells whether it stopped (it may ignore or handle
 * it); one from kill(2) is passed on.
 */
static void front_install_stops(void)
{
	struct sigaction sa = { .sa_sigaction = front_forward,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (!stop_ignored[stops[i]])
			sigaction(stops[i], &sa, NULL);
}

static void front_install_forwarding(void)
{
	struct sigaction cont = { .sa_handler = front_cont,
				  .sa_flags = SA_RESTART };
	struct sigaction sa = { .sa_sigaction = front_forward,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	struct sigaction old;
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		/* An ignored signal stays ignored, as in the program. */
		if (sigaction(forwarded[i], NULL, &old) ||
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(forwarded[i], &sa, NULL);
	}
	/* Ignored: the program ignores it too, and stops only by SIGSTOP. */
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		stop_ignored[stops[i]] = !sigaction(stops[i], NULL, &old) &&
					 old.sa_handler == SIG_IGN;
	front_install_stops();
	sigemptyset(&cont.sa_mask);
	sigaction(SIGCONT, &cont, NULL);
	sa.sa_sigaction = front_mirror_stop;
	sigaction(SUP_SIG_STOP, &sa, NULL);
}

static int front_read(int fd, struct sup_msg *m)
{
	ssize_t n;

	do
		n = read(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	return n == sizeof(*m) ? 0 : -1;
}

static void front_set_main(pid_t pid)
{
	sigset_t all, old;
	int sig;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	front_main_pid = pid;
	for (sig = 1; sig < NSIG; sig++)
		if (front_pending[sig])
			kill(pid, sig);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int nuse_supervise(const struct nuse_sup_mode *m, const struct nuse_opts *o,
		   const struct nuse_program *p, char **argv, char **envp)
{
	struct nuse_sup s = { .o = o, .mode = m, .report_fd = -1 };
	struct sup_msg msg;
	int pfd[2];
	pid_t sup;

	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "nuse-exec: pipe: %s\n", strerror(errno));
		return -1;
	}
	s.front_pid = getpid();
	/*
	 * The front and the supervisor stay in the host's network
	 * namespace: no process of the program may ptrace them or write
	 * their memory, as one of the same user could while they are
	 * dumpable.  The program's child sets itself dumpable again.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	fflush(NULL);
	sup = fork();
	if (sup < 0) {
		fprintf(stderr, "nuse-exec: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (sup == 0) {
		close(pfd[0]);
		s.report_fd = pfd[1];
		sup_run(&s, p, argv, envp);
	}
	close(pfd[1]);
	front_sup_pid = sup;
	front_install_forwarding();

	while (!front_read(pfd[0], &msg)) {
		switch (msg.kind) {
		case MSG_PID:
			front_set_main(msg.val);
			break;
		case MSG_STATUS:
			close(pfd[0]);
			/* Reap the supervisor if it is done already. */
			waitpid(sup, NULL, WNOHANG);
			return msg.val;
		case MSG_FAIL:
			close(pfd[0]);
			waitpid(sup, NULL, 0);
			return -1;
		}
	}
	close(pfd[0]);
	fprintf(stderr, "nuse-exec: --mode=%s: the supervisor died\n", m->name);
	if (front_main_pid > 0)
		kill(front_main_pid, SIGKILL);
	return -1;
}
