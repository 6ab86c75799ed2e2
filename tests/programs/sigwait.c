// SPDX-License-Identifier: GPL-2.0
/*
 * sigwait: a signal handler runs while a call blocks on a stack socket
 * (or in a plain sleep), with and without SA_RESTART, and what the call
 * returns is printed: the data, the connection or the readiness it was
 * waiting for when restarted, EINTR when not, EINTR anyway for the calls
 * Linux never restarts (poll, select, epoll waits, sleeps, sockets with a
 * timeout: signal(7)).  The output must be the same natively and under
 * nuse-exec in every mode; no kernel-internal errno (512-530) may appear.
 *
 * The signal (SIGALRM) comes 50 ms into the call; what the call waits for
 * comes at 200 ms from a child process, so a restarted call completes (a
 * connect restarted waits for its SYN's retransmission, a second later).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static sigjmp_buf jump;
static volatile sig_atomic_t jumping;

static void on_alarm(int sig)
{
	(void)sig;
	hits++;
	if (jumping)
		siglongjmp(jump, 1);
}

struct ctx {
	int lsn;	/* a listener on 127.0.0.1 */
	struct sockaddr_in addr;
	int a, b;	/* a connected pair: a (here) <- b (the child's) */
	int ep;
	int full;	/* a listener whose accept queue is full */
	struct sockaddr_in full_addr;
	int filler;	/* what fills it */
};

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static void setup(struct ctx *x, int backlog)
{
	socklen_t len = sizeof(x->addr);

	memset(&x->addr, 0, sizeof(x->addr));
	x->addr.sin_family = AF_INET;
	x->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	x->lsn = socket(AF_INET, SOCK_STREAM, 0);
	if (x->lsn < 0 || bind(x->lsn, (void *)&x->addr, sizeof(x->addr)) ||
	    listen(x->lsn, backlog) ||
	    getsockname(x->lsn, (void *)&x->addr, &len))
		fail("listener");
	x->b = socket(AF_INET, SOCK_STREAM, 0);
	if (x->b < 0 || connect(x->b, (void *)&x->addr, sizeof(x->addr)))
		fail("connect");
	x->a = accept(x->lsn, NULL, NULL);
	if (x->a < 0)
		fail("accept");
	x->ep = epoll_create1(0);
	/* backlog 0 holds one connection: the next one's SYN is dropped */
	len = sizeof(x->full_addr);
	x->full_addr = x->addr;
	x->full_addr.sin_port = 0;
	x->full = socket(AF_INET, SOCK_STREAM, 0);
	if (x->full < 0 ||
	    bind(x->full, (void *)&x->full_addr, sizeof(x->full_addr)) ||
	    listen(x->full, 0) ||
	    getsockname(x->full, (void *)&x->full_addr, &len))
		fail("full listener");
	x->filler = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(x->filler, (void *)&x->full_addr, sizeof(x->full_addr)))
		fail("filler");
}

static void teardown(struct ctx *x)
{
	close(x->a);
	close(x->b);
	close(x->lsn);
	close(x->ep);
	close(x->full);
	close(x->filler);
}

/* What the child does at 400 ms to end the wait. */
enum wake { W_SEND, W_CONNECT, W_ACCEPT_FULL, W_NONE };

static void child_wakes(struct ctx *x, enum wake w)
{
	usleep(200000);
	switch (w) {
	case W_SEND:
		if (write(x->b, "z", 1) != 1)
			_exit(1);
		break;
	case W_CONNECT: {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (connect(c, (void *)&x->addr, sizeof(x->addr)))
			_exit(1);
		break;
	}
	case W_ACCEPT_FULL:
		/* make room: the waiting connect's next SYN gets through */
		close(accept(x->full, NULL, NULL));
		break;
	case W_NONE:
		break;
	}
	_exit(0);
}

static long op_recv(struct ctx *x)
{
	char c;

	return recv(x->a, &c, 1, 0);
}

static long op_read(struct ctx *x)
{
	char c;

	return read(x->a, &c, 1);
}

/*
 * The handler jumps out of the blocked recv (trinity does): the call must
 * be over by then, as in Linux (under nuse the handler runs after it
 * returns), and the socket as good as before: a second recv gets the byte.
 */
static long op_recv_jump(struct ctx *x)
{
	char c;
	long r;

	jumping = 1;
	if (sigsetjmp(jump, 1) == 0) {
		r = recv(x->a, &c, 1, 0);
		jumping = 0;
		return r == 1 ? -2 /* not interrupted: the test is void */ : r;
	}
	jumping = 0;
	return recv(x->a, &c, 1, 0);
}

static long op_recv_timeo(struct ctx *x)
{
	struct timeval tv = { 2, 0 };
	char c;

	setsockopt(x->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return recv(x->a, &c, 1, 0);
}

static long op_accept(struct ctx *x)
{
	int c = accept(x->lsn, NULL, NULL);

	if (c >= 0)
		close(c);
	return c >= 0 ? 0 : -1;
}

/* A blocking connect whose SYN is dropped: restarted, Linux's connect
 * finds the connection in progress and says EALREADY. */
static long op_connect(struct ctx *x)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	long r = connect(c, (void *)&x->full_addr, sizeof(x->full_addr));
	int e = errno;

	close(c);
	errno = e;
	return r;
}

static long op_poll(struct ctx *x)
{
	struct pollfd p = { x->a, POLLIN, 0 };

	return poll(&p, 1, -1);
}

static long op_ppoll(struct ctx *x)
{
	struct pollfd p = { x->a, POLLIN, 0 };

	return ppoll(&p, 1, NULL, NULL);
}

static long op_select(struct ctx *x)
{
	fd_set r;

	FD_ZERO(&r);
	FD_SET(x->a, &r);
	return select(x->a + 1, &r, NULL, NULL, NULL);
}

static long op_pselect(struct ctx *x)
{
	fd_set r;

	FD_ZERO(&r);
	FD_SET(x->a, &r);
	return pselect(x->a + 1, &r, NULL, NULL, NULL, NULL);
}

static long op_epoll_wait(struct ctx *x)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;

	epoll_ctl(x->ep, EPOLL_CTL_ADD, x->a, &ev);
	return epoll_wait(x->ep, &out, 1, -1);
}

static long op_epoll_pwait(struct ctx *x)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	sigset_t none;

	sigemptyset(&none);
	epoll_ctl(x->ep, EPOLL_CTL_ADD, x->a, &ev);
	return epoll_pwait(x->ep, &out, 1, -1, &none);
}

static long op_nanosleep(struct ctx *x)
{
	struct timespec ts = { 0, 600000000 };

	(void)x;
	return nanosleep(&ts, NULL);
}

static const struct {
	const char *name;
	long (*op)(struct ctx *);
	enum wake wake;
} ops[] = {
	{ "recv", op_recv, W_SEND },
	{ "read", op_read, W_SEND },
	{ "recv SO_RCVTIMEO", op_recv_timeo, W_SEND },
	{ "recv, handler jumps", op_recv_jump, W_SEND },
	{ "accept", op_accept, W_CONNECT },
	{ "connect", op_connect, W_ACCEPT_FULL },
	{ "poll", op_poll, W_SEND },
	{ "ppoll", op_ppoll, W_SEND },
	{ "select", op_select, W_SEND },
	{ "pselect6", op_pselect, W_SEND },
	{ "epoll_wait", op_epoll_wait, W_SEND },
	{ "epoll_pwait", op_epoll_pwait, W_SEND },
	{ "nanosleep", op_nanosleep, W_NONE },
};

/* by name (strerror's wording differs between libcs) */
static const char *errno_name(int e)
{
	static char other[16];

	switch (e) {
	case EINTR:
		return "EINTR";
	case EAGAIN:
		return "EAGAIN";
	case EALREADY:
		return "EALREADY";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EINPROGRESS:
		return "EINPROGRESS";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

static void one_case(unsigned int i, int flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
	struct itimerval it = { .it_value = { 0, 50000 } };
	struct ctx x;
	long r;
	int e, st;
	pid_t pid;

	hits = 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		fail("sigaction");
	setup(&x, 8);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0)
		child_wakes(&x, ops[i].wake);
	setitimer(ITIMER_REAL, &it, NULL);
	errno = 0;
	r = ops[i].op(&x);
	e = errno;
	printf("%-18s %-13s handler ran %d time(s), ", ops[i].name,
	       flags ? "SA_RESTART:" : "no SA_RESTART:", (int)hits);
	if (r >= 0)
		printf("returned %s\n", r > 0 ? "> 0" : "0");
	else if (e >= 512 && e <= 530)
		printf("KERNEL-INTERNAL errno %d\n", e);
	else
		printf("failed: %s\n", errno_name(e));
	waitpid(pid, &st, 0);
	teardown(&x);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (argc > 1 && strcmp(argv[1], ops[i].name))
			continue;
		one_case(i, SA_RESTART);
		one_case(i, 0);
	}
	return 0;
}
