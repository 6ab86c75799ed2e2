// SPDX-License-Identifier: GPL-2.0
/*
 * Signals and blocked calls for the supervisor modes with --stack=linux.
 *
 * A call served from outside keeps its caller waiting killably (unotify
 * with WAIT_KILLABLE_RECV, or a ptrace stop): a signal sent to the caller
 * stays pending until the answer.  Natively it would end a blocking call
 * (EINTR, or a restart under SA_RESTART).  So every call in flight is
 * recorded here, and a monitor thread looks at the ones that have been
 * blocked for a while: if their caller has a signal pending that it does
 * not block, or the call is no longer pending (the caller was killed), the
 * worker blocked in the stack for it gets SL_SIG_INTR, which ends its
 * stack call with EINTR (the stack's own handling of host signals,
 * docs/stack.md).  The answer is then -ERESTARTSYS for the calls Linux
 * restarts under SA_RESTART and -EINTR for the readiness waits, which it
 * never restarts: the caller's kernel applies SA_RESTART as it would.
 *
 * The first look is after FIRST_MS, then at doubling intervals up to
 * MAX_MS: the latency of a signal to a call blocked long ago, traded for
 * what reading /proc costs per blocked call.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <nuse/stack.h>

#include "serve-linux.h"

#define FIRST_MS 5
#define MAX_MS 50
#define ERESTARTNOHAND_ 514
#define ERESTART_RESTARTBLOCK_ 516

static struct sl_flight *flights;
static pthread_mutex_t flight_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flight_cond = PTHREAD_COND_INITIALIZER;
static pid_t sup_pid;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void sl_flight_begin(struct sl_flight *f, struct nuse_call *c)
{
	f->c = c;
	f->worker = (pid_t)syscall(SYS_gettid);
	f->next_check = mono_ms() + FIRST_MS;
	f->interval = FIRST_MS;
	f->interrupted = false;
	pthread_mutex_lock(&flight_lock);
	f->prev = NULL;
	f->next = flights;
	if (flights)
		flights->prev = f;
	flights = f;
	pthread_cond_signal(&flight_cond);
	pthread_mutex_unlock(&flight_lock);
}

bool sl_flight_end(struct sl_flight *f)
{
	pthread_mutex_lock(&flight_lock);
	if (f->prev)
		f->prev->next = f->next;
	else
		flights = f->next;
	if (f->next)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&flight_lock);
	return f->interrupted;
}

/*
 * The answer for a call the monitor interrupted.  The readiness waits
 * are never restarted (signal(7)): EINTR.  The others: the restart code
 * the stack's call ended with, which the caller's kernel (the caller has
 * the signal pending) turns into a restart or EINTR by the caller's own
 * SA_RESTART, as for a call of its own: ERESTARTSYS for recv or accept,
 * EINTR for a socket with a timeout (sock_intr_errno).
 */
long sl_interrupted_ret(long nr)
{
	long code;

	switch (nr) {
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		return -EINTR;
	}
	code = nuse_sys_interrupted_code();
	if (code == -ERESTART_RESTARTBLOCK_)
		return -ERESTARTNOHAND_; /* no restart block of the caller's */
	return code ? code : -EINTR;
}

static unsigned long long hex_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/*
 * Would a signal interrupt the caller's call natively?  A signal pending
 * for the thread and not blocked; a process-wide one only when the
 * process has this one thread (otherwise another thread may take it, and
 * this one's kernel would not restart a call it was not told about).
 */
static bool signal_for(pid_t tid)
{
	char path[64], buf[2048];
	unsigned long long blk;
	const char *th;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	blk = hex_field(buf, "\nSigBlk:");
	if (hex_field(buf, "\nSigPnd:") & ~blk)
		return true;
	th = strstr(buf, "\nThreads:");
	return (hex_field(buf, "\nShdPnd:") & ~blk) && th && atoi(th + 9) == 1;
}

static void on_intr(int sig)
{
	(void)sig; /* only there to end the worker's wait */
}

static void *monitor(void *arg)
{
	struct sl_flight *f;
	long long now;

	(void)arg;
	pthread_mutex_lock(&flight_lock);
	for (;;) {
		while (!flights)
			pthread_cond_wait(&flight_cond, &flight_lock);
		now = mono_ms();
		for (f = flights; f; f = f->next) {
			if (now < f->next_check)
				continue;
			if (f->interval < MAX_MS)
				f->interval *= 2;
			f->next_check = now + f->interval;
			if (!f->c->pending(f->c) || signal_for(f->c->tid)) {
				f->interrupted = true;
				/* again at the next look if it was not blocked yet */
				syscall(SYS_tgkill, sup_pid, f->worker,
					SL_SIG_INTR);
			}
		}
		pthread_mutex_unlock(&flight_lock);
		usleep(FIRST_MS * 1000);
		pthread_mutex_lock(&flight_lock);
	}
	return NULL;
}

int sl_signals_start(void)
{
	struct sigaction sa = { .sa_handler = on_intr }; /* no SA_RESTART */
	pthread_t t;

	sup_pid = getpid();
	sigemptyset(&sa.sa_mask);
	if (sigaction(SL_SIG_INTR, &sa, NULL) ||
	    pthread_create(&t, NULL, monitor, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}
