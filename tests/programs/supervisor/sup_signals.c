// SPDX-License-Identifier: GPL-2.0
/*
 * Signals around trapped calls must behave as natively: SA_RESTART during
 * a blocking recv, EINTR without it, siginfo of a queued signal, the
 * program's own SIGSYS handler with SIGSYS blocked, and stop/continue of a
 * child as seen by its parent.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled, value, code;
static volatile pid_t writer;

/* SIGALRM: tell the writer that the recv has been interrupted. */
static void on_alarm(int sig)
{
	(void)sig;
	handled++;
	if (writer > 0)
		kill(writer, SIGUSR1);
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handled++;
	value = si->si_value.sival_int;
	code = si->si_code;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * A child that writes one byte to @fd: after the parent's SIGALRM handler
 * has run (@rtsig 0), so the order of events never depends on timing, or
 * after queueing @rtsig to the parent.
 */
static pid_t late_writer(int fd, int rtsig)
{
	sigset_t usr1, old;
	pid_t pid;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = fork();
	if (pid == 0) {
		if (rtsig)
			sigqueue(getppid(), rtsig, (union sigval){ .sival_int = 42 });
		else
			sigwait(&usr1, &sig);
		msleep(50);
		_exit(write(fd, "x", 1) != 1);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

static void blocking_recv(const char *name, int flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
	struct itimerval it = { .it_value = { 0, 300000 } };
	int sv[2], e;
	char c;
	ssize_t n;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sigaction(SIGALRM, &sa, NULL);
	handled = 0;
	writer = late_writer(sv[1], 0);
	setitimer(ITIMER_REAL, &it, NULL);
	n = recv(sv[0], &c, 1, 0);
	e = errno;
	printf("%s: handler=%d recv=%zd%s%s\n", name, handled, n,
	       n < 0 ? " " : "", n < 0 ? strerror(e) : "");
	waitpid(writer, NULL, 0);
	writer = 0;
	close(sv[0]);
	close(sv[1]);
}

static void queued_signal(void)
{
	struct sigaction sa = { .sa_sigaction = on_info,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	int sv[2], sig = SIGRTMIN + 1;
	char c;
	pid_t pid;
	ssize_t n;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sigaction(sig, &sa, NULL);
	handled = 0;
	pid = late_writer(sv[1], sig);
	n = recv(sv[0], &c, 1, 0);
	printf("queued: handler=%d value=%d si_queue=%d recv=%zd\n", handled,
	       value, code == SI_QUEUE, n);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(sv[1]);
}

static void own_sigsys(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigset_t set, pend;
	int fd;

	sigaction(SIGSYS, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigprocmask(SIG_BLOCK, &set, NULL);
	handled = 0;
	fd = socket(AF_INET, SOCK_DGRAM, 0); /* trapped: no SIGSYS involved */
	close(fd);
	sigpending(&pend);
	printf("sigsys blocked: socket=%s pending=%d\n", fd >= 0 ? "ok" : "failed",
	       sigismember(&pend, SIGSYS));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSYS);
	printf("sigsys raised: handler=%d\n", handled);
	signal(SIGSYS, SIG_DFL);
}

static void stop_continue(void)
{
	int sv[2], st;
	char c = 0;
	pid_t pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		/* exits only once the parent has seen it continue: an exit
		 * first would be reported instead of the continuation */
		if (read(sv[1], &c, 1) != 1)
			_exit(2);
		_exit(write(sv[1], "c", 1) == 1 ? 5 : 1);
	}
	waitpid(pid, &st, WUNTRACED);
	printf("child stopped: %d sig=%s\n", WIFSTOPPED(st),
	       WIFSTOPPED(st) ? strsignal(WSTOPSIG(st)) : "-");
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	printf("child continued: %d\n", WIFCONTINUED(st));
	if (write(sv[0], "g", 1) != 1)
		perror("write");
	waitpid(pid, &st, 0);
	if (read(sv[0], &c, 1) != 1)
		c = '?';
	printf("child exited: %d byte=%c\n", WEXITSTATUS(st), c);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	blocking_recv("SA_RESTART", SA_RESTART);
	blocking_recv("no SA_RESTART", 0);
	queued_signal();
	own_sigsys();
	stop_continue();
	return 0;
}
