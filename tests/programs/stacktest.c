// SPDX-License-Identifier: GPL-2.0
/*
 * stacktest: sockets inside one process, for nuse-exec --stack=linux
 * (tests/integration/stack-linux.sh).  Passes natively too; the script
 * proves which stack served it.
 *
 *   stacktest                run every check
 *   stacktest listen PORT    listen on 127.0.0.1:PORT, say so, wait for stdin EOF
 *   stacktest connect PORT   connect to 127.0.0.1:PORT, print the errno name
 *
 * The full run ends by executing itself again ("execfds A B FAILURES") to
 * check that a SOCK_CLOEXEC socket A is gone after execve and B is not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                       \
	do {                                                   \
		if (!(cond)) {                                 \
			printf("FAIL %s:%d: ", __func__, __LINE__); \
			printf(__VA_ARGS__);                   \
			printf(" (errno %s)\n", strerrorname_np(errno) ?: "0"); \
			failures++;                            \
		}                                              \
	} while (0)

static socklen_t make_addr(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (void *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = in6addr_loopback;
	return sizeof(*sin6);
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (void *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* One process, one thread: listener, nonblocking connect, accept. */
static void test_tcp(int family)
{
	const char *name = family == AF_INET ? "127.0.0.1" : "::1";
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, 0, &ss);
	int l, c, a, d, err = -1, one = 1, avail = -1;
	char buf[64] = "";
	struct pollfd pfd;
	struct stat st;
	socklen_t elen = sizeof(err);
	ssize_t n;

	l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0, "socket");
	CHECK(!fstat(l, &st) && S_ISSOCK(st.st_mode), "fstat: a socket");
	CHECK(fcntl(l, F_GETFD) == FD_CLOEXEC, "SOCK_CLOEXEC on the listener");
	CHECK(!setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "SO_REUSEADDR");
	CHECK(!bind(l, (void *)&ss, len) && !listen(l, 8), "bind/listen");
	make_addr(family, bound_port(l), &ss);

	c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(c >= 0 && fcntl(c, F_GETFD) == 0, "socket without CLOEXEC");
	CHECK(fcntl(c, F_GETFL) & O_NONBLOCK, "SOCK_NONBLOCK seen by F_GETFL");
	CHECK(connect(c, (void *)&ss, len) == 0 || errno == EINPROGRESS,
	      "nonblocking connect");
	pfd = (struct pollfd){ .fd = c, .events = POLLOUT };
	CHECK(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLOUT), "connect completes");
	CHECK(!getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen) && err == 0, "SO_ERROR");

	a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(a >= 0 && fcntl(a, F_GETFD) == FD_CLOEXEC, "accept4 SOCK_CLOEXEC");
	CHECK(!setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "TCP_NODELAY");

	CHECK(write(c, "hello", 5) == 5, "write");
	pfd = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(poll(&pfd, 1, 5000) == 1, "data arrives");
	CHECK(!ioctl(a, FIONREAD, &avail) && avail == 5, "FIONREAD %d", avail);
	n = recv(a, buf, sizeof(buf), MSG_PEEK);
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "MSG_PEEK");
	memset(buf, 0, sizeof(buf));
	n = read(a, buf, sizeof(buf));
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "read after peek");

	/* dup2 onto a socket number; the copy shares the connection */
	d = dup2(a, 100);
	CHECK(d == 100 && fcntl(d, F_GETFD) == 0, "dup2 (no CLOEXEC on the copy)");
	CHECK(close(a) == 0, "close the original");
	CHECK(send(d, "world", 5, 0) == 5, "send on the dup");
	memset(buf, 0, sizeof(buf));
	CHECK(recv(c, buf, sizeof(buf), MSG_WAITALL) == 5 && !memcmp(buf, "world", 5),
	      "recv from the dup");
	a = fcntl(d, F_DUPFD_CLOEXEC, 50);
	CHECK(a >= 50 && fcntl(a, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
	CHECK(!fcntl(a, F_SETFD, 0) && fcntl(a, F_GETFD) == 0, "F_SETFD");
	CHECK(close(d) == 0, "close the dup");

	/* O_NONBLOCK through fcntl and FIONBIO */
	CHECK(!fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK), "F_SETFL");
	CHECK(recv(a, buf, 1, 0) < 0 && errno == EAGAIN, "EAGAIN when nonblocking");
	one = 0;
	CHECK(!ioctl(a, FIONBIO, &one) && !(fcntl(a, F_GETFL) & O_NONBLOCK), "FIONBIO");

	CHECK(!shutdown(c, SHUT_WR), "shutdown");
	CHECK(recv(a, buf, 1, 0) == 0, "EOF after shutdown");
	CHECK(close(a) == 0 && close(c) == 0 && close(l) == 0, "close");
	CHECK(send(a, "x", 1, 0) < 0 && errno == EBADF, "closed socket is gone");
	printf("tcp %s: ok\n", name);
}

static void test_udp(int family)
{
	const char *name = family == AF_INET ? "127.0.0.1" : "::1";
	struct sockaddr_storage ss, from;
	socklen_t len = make_addr(family, 0, &ss), flen = sizeof(from);
	int s = socket(family, SOCK_DGRAM, 0), c = socket(family, SOCK_DGRAM, 0);
	char buf[64] = "";

	CHECK(s >= 0 && c >= 0, "socket");
	CHECK(!bind(s, (void *)&ss, len), "bind");
	make_addr(family, bound_port(s), &ss);
	CHECK(sendto(c, "ping", 4, 0, (void *)&ss, len) == 4, "sendto");
	CHECK(recv(s, buf, sizeof(buf), MSG_PEEK) == 4, "MSG_PEEK");
	CHECK(recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &flen) == 4 &&
		      !memcmp(buf, "ping", 4) && from.ss_family == family,
	      "recvfrom");
	CHECK(!close(s) && !close(c), "close");
	printf("udp %s: ok\n", name);
}

/* poll, select and epoll over a pipe and a stack socket together */
static void test_mixed(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);
	int p[2], ep, n;
	struct pollfd pfd[2];
	struct epoll_event ev, out[4];
	fd_set rd;
	struct timeval tv = { 0, 20000 };
	char b;

	CHECK(!pipe(p), "pipe");
	CHECK(!bind(s, (void *)&ss, len), "bind");
	make_addr(AF_INET, bound_port(s), &ss);
	pfd[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = s, .events = POLLIN };
	CHECK(poll(pfd, 2, 20) == 0, "mixed poll: nothing ready, times out");
	CHECK(write(p[1], "x", 1) == 1, "pipe write");
	CHECK(poll(pfd, 2, 1000) == 1 && pfd[0].revents == POLLIN && !pfd[1].revents,
	      "mixed poll: pipe ready");
	CHECK(read(p[0], &b, 1) == 1, "pipe read");
	CHECK(sendto(c, "d", 1, 0, (void *)&ss, len) == 1, "sendto");
	CHECK(poll(pfd, 2, 1000) == 1 && !pfd[0].revents && pfd[1].revents == POLLIN,
	      "mixed poll: socket ready");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(s, &rd);
	CHECK(select((s > p[0] ? s : p[0]) + 1, &rd, NULL, NULL, &tv) == 1 &&
		      FD_ISSET(s, &rd) && !FD_ISSET(p[0], &rd),
	      "mixed select");

	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0, "epoll_create1");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 1 };
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), "epoll_ctl pipe");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 2 };
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), "epoll_ctl socket");
	n = epoll_wait(ep, out, 4, 1000);
	CHECK(n == 1 && out[0].data.u32 == 2, "mixed epoll: socket ready (%d)", n);
	CHECK(recv(s, &b, 1, 0) == 1, "drain");
	CHECK(epoll_wait(ep, out, 4, 20) == 0, "mixed epoll: times out");
	CHECK(write(p[1], "x", 1) == 1, "pipe write");
	n = epoll_wait(ep, out, 4, 1000);
	CHECK(n == 1 && out[0].data.u32 == 1, "mixed epoll: pipe ready (%d)", n);
	CHECK(!epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL), "epoll_ctl DEL socket");
	close(ep);
	close(p[0]);
	close(p[1]);
	close(s);
	close(c);
	printf("mixed poll/select/epoll: ok\n");
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct late_wait {
	int ep, n;
	struct epoll_event out;
	long long ms;
};

static void *late_waiter(void *arg)
{
	struct late_wait *w = arg;
	long long t0 = mono_ms();

	w->n = epoll_wait(w->ep, &w->out, 1, 5000);
	w->ms = mono_ms() - t0;
	return NULL;
}

/*
 * A thread already blocked in epoll_wait sees a descriptor another thread
 * adds meanwhile: a stack socket joining a set of host descriptors (Go's
 * netpoller waits on its eventfd while a goroutine connects and adds the
 * connection), and a pipe joining a set of stack sockets.
 */
static void test_epoll_late(int stack_first)
{
	const char *what = stack_first ? "pipe added to a set of sockets" :
					 "socket added to a set of pipes";
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);
	struct late_wait w = { .n = -2 };
	struct epoll_event ev;
	struct timespec pause = { 0, 200 * 1000000L };
	int before = failures;
	pthread_t t;
	int p[2];

	CHECK(!pipe(p), "pipe");
	CHECK(!bind(s, (void *)&ss, len), "bind");
	make_addr(AF_INET, bound_port(s), &ss);
	w.ep = epoll_create1(EPOLL_CLOEXEC);
	/* what the set holds while the thread starts waiting: never ready */
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 1 };
	CHECK(!epoll_ctl(w.ep, EPOLL_CTL_ADD, stack_first ? s : p[0], &ev),
	      "epoll_ctl first");
	CHECK(!pthread_create(&t, NULL, late_waiter, &w), "pthread_create");
	nanosleep(&pause, NULL);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u32 = 2 };
	CHECK(!epoll_ctl(w.ep, EPOLL_CTL_ADD, stack_first ? p[0] : s, &ev),
	      "epoll_ctl late");
	if (stack_first)
		CHECK(write(p[1], "x", 1) == 1, "pipe write");
	else
		CHECK(sendto(c, "d", 1, 0, (void *)&ss, len) == 1, "sendto");
	pthread_join(t, NULL);
	CHECK(w.n == 1 && w.out.data.u32 == 2 && w.ms < 3000,
	      "epoll_wait already waiting, %s: %d events after %lld ms", what,
	      w.n, w.ms);
	close(w.ep);
	close(p[0]);
	close(p[1]);
	close(s);
	close(c);
	if (failures == before)
		printf("epoll: %s while another thread waits: ok\n", what);
}

/* splice between a pipe and a TCP socket, both ways, and its errors */
static void test_splice(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	int l = socket(AF_INET, SOCK_STREAM, 0), c, a, p[2], before = failures;
	static char out[200000], in[200000];
	loff_t off = 0;
	size_t got = 0;
	ssize_t n;
	char b[8];
	int file;

	CHECK(!bind(l, (void *)&ss, len) && !listen(l, 1), "bind/listen");
	make_addr(AF_INET, bound_port(l), &ss);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!connect(c, (void *)&ss, len), "connect");
	a = accept(l, NULL, NULL);
	CHECK(a >= 0 && !pipe(p), "accept, pipe");

	CHECK(write(c, "hello", 5) == 5, "write");
	n = splice(a, NULL, p[1], NULL, 5, 0);
	CHECK(n == 5 && read(p[0], b, 5) == 5 && !memcmp(b, "hello", 5),
	      "splice socket -> pipe (%zd)", n);
	CHECK(write(p[1], "world", 5) == 5, "pipe write");
	n = splice(p[0], NULL, c, NULL, 5, 0);
	CHECK(n == 5 && recv(a, b, 5, MSG_WAITALL) == 5 && !memcmp(b, "world", 5),
	      "splice pipe -> socket (%zd)", n);

	/* more than a pipe holds: spliced in turns with reading the pipe */
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 251);
	if (fork() == 0) {
		_exit(write(c, out, sizeof(out)) == sizeof(out) ? 0 : 1);
	}
	while (got < sizeof(in)) {
		n = splice(a, NULL, p[1], NULL, sizeof(in) - got, 0);
		if (n <= 0)
			break;
		for (ssize_t k = 0; k < n;) {
			ssize_t r = read(p[0], in + got + k, n - k);

			if (r <= 0)
				break;
			k += r;
		}
		got += n;
	}
	wait(NULL);
	CHECK(got == sizeof(in) && !memcmp(in, out, sizeof(in)),
	      "splice of 200000 bytes socket -> pipe, in order (%zu)", got);

	/* SPLICE_F_NONBLOCK is the pipe's; the socket's is O_NONBLOCK */
	fcntl(a, F_SETFL, O_NONBLOCK);
	errno = 0;
	CHECK(splice(a, NULL, p[1], NULL, 1, 0) < 0 && errno == EAGAIN,
	      "O_NONBLOCK socket, nothing to read: EAGAIN");
	fcntl(a, F_SETFL, 0);
	errno = 0;
	CHECK(splice(a, &off, p[1], NULL, 1, 0) < 0 && errno == EINVAL,
	      "an offset for the socket: EINVAL");
	errno = 0;
	CHECK(splice(a, NULL, p[1], &off, 1, 0) < 0 && errno == ESPIPE,
	      "an offset for the pipe: ESPIPE");
	errno = 0;
	CHECK(splice(a, NULL, c, NULL, 1, 0) < 0 && errno == EINVAL,
	      "socket to socket: EINVAL");
	file = open("/dev/null", O_WRONLY);
	errno = 0;
	CHECK(splice(a, NULL, file, NULL, 1, SPLICE_F_NONBLOCK) < 0 && errno == EINVAL,
	      "socket to a file that is not a pipe: EINVAL");
	close(file);
	close(p[0]);
	close(p[1]);
	close(a);
	close(c);
	close(l);
	if (failures == before)
		printf("splice: ok\n");
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A handler without SA_RESTART ends a blocked recv with EINTR. */
static void test_eintr(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 100000 } };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char b;

	CHECK(!bind(s, (void *)&ss, len), "bind");
	sigemptyset(&sa.sa_mask);
	CHECK(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	CHECK(!setitimer(ITIMER_REAL, &it, NULL), "setitimer");
	CHECK(recv(s, &b, 1, 0) < 0 && errno == EINTR && alarms == 1,
	      "blocked recv interrupted");
	signal(SIGALRM, SIG_DFL);
	close(s);
	printf("eintr: ok\n");
}

/*
 * A handler that writes to a pipe (as nginx logs at SIGTERM) while its
 * thread is blocked in the stack: the write lands, the call ends with
 * EINTR, and the thread goes on (under seccomp the handler's write is
 * trapped and entered the runtime over the blocked call's frames).
 */
static int handler_pipe = -1;

static void on_alarm_write(int sig)
{
	(void)sig;
	alarms++;
	if (write(handler_pipe, "h", 1) != 1)
		alarms += 100;
}

static void test_handler_io(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	struct sigaction sa = { .sa_handler = on_alarm_write };
	struct itimerval it = { .it_value = { 0, 30000 } };
	int s = socket(AF_INET, SOCK_DGRAM, 0), p[2], i, ok = 0, before = failures;
	char b[16];

	CHECK(!bind(s, (void *)&ss, len) && !pipe(p), "bind, pipe");
	handler_pipe = p[1];
	sigemptyset(&sa.sa_mask);
	CHECK(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	for (i = 0; i < 10; i++) {
		alarms = 0;
		setitimer(ITIMER_REAL, &it, NULL);
		if (recv(s, b, 1, 0) < 0 && errno == EINTR && alarms == 1 &&
		    read(p[0], b, sizeof(b)) == 1 && b[0] == 'h')
			ok++;
	}
	CHECK(ok == 10, "recv interrupted by a handler that writes: %d of 10", ok);
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
	close(s);
	if (failures == before)
		printf("handler i/o while blocked: ok\n");
}

/* A receive timestamp (SO_TIMESTAMP) is not before the send: the stack's
 * wall clock follows the host's (ping compares the two). */
static void test_timestamp(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	int s = socket(AF_INET, SOCK_DGRAM, 0), one = 1, i;

	CHECK(!bind(s, (void *)&ss, len), "bind");
	make_addr(AF_INET, bound_port(s), &ss);
	CHECK(!setsockopt(s, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one)),
	      "SO_TIMESTAMP");
	for (i = 0; i < 5; i++) {
		char buf[8], cb[128];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cb, .msg_controllen = sizeof(cb) };
		struct timeval before, stamp;
		struct cmsghdr *c;
		long long d;

		gettimeofday(&before, NULL);
		CHECK(sendto(s, "t", 1, 0, (void *)&ss, len) == 1, "sendto");
		CHECK(recvmsg(s, &m, 0) == 1, "recvmsg");
		c = CMSG_FIRSTHDR(&m);
		CHECK(c && c->cmsg_type == SCM_TIMESTAMP, "SCM_TIMESTAMP");
		if (!c)
			break;
		memcpy(&stamp, CMSG_DATA(c), sizeof(stamp));
		d = (stamp.tv_sec - before.tv_sec) * 1000000LL +
		    (stamp.tv_usec - before.tv_usec);
		/* 1 us of rounding: the two clocks are read apart */
		CHECK(d >= -1 && d < 1000000, "timestamp %lld us after the send", d);
	}
	close(s);
	printf("timestamp: ok\n");
}

/* Bad pointers: EFAULT, no crash. */
static void test_efault(void)
{
	void *bad = (void *)16;
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, 0, &ss);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(bind(s, bad, len) < 0 && errno == EFAULT, "bind(bad)");
	CHECK(!bind(s, (void *)&ss, len), "bind");
	make_addr(AF_INET, bound_port(s), &ss);
	CHECK(sendto(s, bad, 4, 0, (void *)&ss, len) < 0 && errno == EFAULT, "sendto(bad)");
	CHECK(getsockname(s, bad, bad) < 0 && errno == EFAULT, "getsockname(bad)");
	CHECK(sendto(s, "x", 1, 0, (void *)&ss, len) == 1, "sendto");
	CHECK(recv(s, bad, 4, 0) < 0 && errno == EFAULT, "recv(bad)");
	CHECK(syscall(SYS_poll, bad, 1, 0) < 0 && errno == EFAULT, "poll(bad)");
	close(s);
	printf("efault: ok\n");
}

static int do_listen(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, port, &ss);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	char b;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)&ss, len) || listen(l, 1)) {
		perror("stacktest: listen");
		return 1;
	}
	printf("listening %d\n", port);
	fflush(stdout);
	while (read(0, &b, 1) > 0)
		;
	return 0;
}

static int do_connect(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(AF_INET, port, &ss);
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(c, (void *)&ss, len) == 0)
		printf("connect: connected\n");
	else
		printf("connect: %s\n", strerrorname_np(errno));
	return 0;
}

/* After execve: the CLOEXEC socket is closed, the other number open. */
static int exec_fds(char **argv)
{
	int a = atoi(argv[2]), b = atoi(argv[3]);

	failures = atoi(argv[4]);
	CHECK(fcntl(a, F_GETFD) < 0 && errno == EBADF, "CLOEXEC socket closed at execve");
	CHECK(fcntl(b, F_GETFD) == 0, "socket without CLOEXEC kept its number");
	printf("execve: cloexec %s\n", failures ? "FAIL" : "ok");
	printf("result: %s (%d failures)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}

static void exec_self(void)
{
	int a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	char sa[16], sb[16], sf[16];

	CHECK(a >= 0 && b >= 0, "socket");
	snprintf(sa, sizeof(sa), "%d", a);
	snprintf(sb, sizeof(sb), "%d", b);
	snprintf(sf, sizeof(sf), "%d", failures);
	execl("/proc/self/exe", "stacktest", "execfds", sa, sb, sf, (char *)NULL);
	CHECK(0, "execl /proc/self/exe");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "execfds"))
		return exec_fds(argv);
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return do_listen(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "connect"))
		return do_connect(atoi(argv[2]));
	test_tcp(AF_INET);
	test_tcp(AF_INET6);
	test_udp(AF_INET);
	test_udp(AF_INET6);
	test_mixed();
	test_epoll_late(0);
	test_epoll_late(1);
	test_splice();
	test_efault();
	test_timestamp();
	test_eintr();
	test_handler_io();
	exec_self();
	printf("result: %s (%d failures)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
