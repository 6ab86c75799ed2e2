// SPDX-License-Identifier: GPL-2.0
/*
 * conns-held: how many TCP connections one network stack holds open at
 * once, each answered by its server, for bench/apps.sh.
 *
 *   conns-held loop MAX               both ends in this process, 127.0.0.1
 *   conns-held server PORT            the server alone (until killed)
 *   conns-held client ADDR PORT MAX   the client alone
 *
 * The server accepts and echoes with epoll (level-triggered, one instance
 * for the listener and every accepted socket).  The client opens
 * connections one after another up to MAX, each connect() followed by an
 * 8-byte message carrying its number and a wait for the echo (5 s receive
 * timeout).  The first failure stops the opening (its reason goes to
 * stderr).  Then every connection opened so far is asked again: the figure
 * printed is how many answered this second round, i.e. how many were held
 * open and alive together.  "loop" needs two descriptors per connection;
 * RLIMIT_NOFILE is raised to its hard limit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256

static int lfd, epfd;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *server(void *arg)
{
	struct epoll_event ev[BATCH];
	char buf[64];

	(void)arg;
	for (;;) {
		int n = epoll_wait(epfd, ev, BATCH, -1), i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			ssize_t r;

			if (fd == lfd) {
				struct epoll_event e = { .events = EPOLLIN };
				int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

				if (c < 0 &&
				    (errno == EMFILE || errno == ENFILE ||
				     errno == ENOBUFS || errno == ENOMEM)) {
					/* level-triggered: it would fire forever */
					perror("conns-held: accept, no longer accepting");
					epoll_ctl(epfd, EPOLL_CTL_DEL, lfd,
						  NULL);
					continue;
				}
				if (c < 0) {
					if (errno != EAGAIN && errno != EINTR &&
					    errno != ECONNABORTED)
						perror("conns-held: accept");
					continue;
				}
				e.data.fd = c;
				if (epoll_ctl(epfd, EPOLL_CTL_ADD, c, &e))
					die("epoll_ctl ADD");
				continue;
			}
			r = read(fd, buf, sizeof(buf));
			if (r > 0) {
				if (write(fd, buf, r) != r)
					perror("conns-held: echo");
			} else if (r == 0 || errno != EAGAIN) {
				epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
			}
		}
	}
	return NULL;
}

/* Send the connection's number, read it back. 0 on success. */
static int ping(int fd, uint64_t id)
{
	uint64_t back = ~id;
	size_t got = 0;

	if (write(fd, &id, sizeof(id)) != sizeof(id))
		return -1;
	while (got < sizeof(back)) {
		ssize_t r = read(fd, (char *)&back + got, sizeof(back) - got);

		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
		got += r;
	}
	if (back != id) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Listen on 127.0.0.1:port (0: any port), start the server thread. */
static int start_server(int port, int loopback_only)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr =
					 htonl(loopback_only ? INADDR_LOOPBACK :
							       INADDR_ANY) };
	struct epoll_event e = { .events = EPOLLIN };
	socklen_t len = sizeof(a);
	int one = 1;
	pthread_t th;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	epfd = epoll_create1(0);
	if (lfd < 0 || epfd < 0)
		die("socket/epoll_create1");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len))
		die("bind/listen");
	e.data.fd = lfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &e))
		die("epoll_ctl");
	if (pthread_create(&th, NULL, server, NULL))
		die("pthread_create");
	return ntohs(a.sin_port);
}

/* The first connection waits up to 20 s for the server to come up. */
static int connect_first(const struct sockaddr_in *a)
{
	double t0 = now_s();

	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			return -1;
		if (!connect(fd, (const struct sockaddr *)a, sizeof(*a))) {
			close(fd);
			return 0;
		}
		close(fd);
		if (now_s() - t0 > 20)
			return -1;
		usleep(50000);
	}
}

static int client(const char *addr, int port, int max)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct timeval tmo = { .tv_sec = 5 };
	double t0 = now_s();
	int n, alive, i;
	int *fds = calloc(max, sizeof(*fds));

	if (!fds || inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "conns-held: bad address %s\n", addr);
		return 2;
	}
	if (connect_first(&a)) {
		fprintf(stderr, "conns-held: no server at %s:%d: %s\n", addr,
			port, strerror(errno));
		return 1;
	}
	for (n = 0; n < max; n++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0) {
			fprintf(stderr, "conns-held: socket #%d: %s\n", n + 1,
				strerror(errno));
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
		    ping(fd, n)) {
			fprintf(stderr, "conns-held: connection #%d: %s\n",
				n + 1, strerror(errno));
			close(fd);
			break;
		}
		fds[n] = fd;
		if ((n + 1) % 5000 == 0)
			fprintf(stderr, "conns-held: %d open after %.1f s\n",
				n + 1, now_s() - t0);
	}
	for (alive = 0, i = 0; i < n; i++)
		if (!ping(fds[i], (uint64_t)i << 32 | i))
			alive++;
	fprintf(stderr, "conns-held: %d opened, %d answered again, %.1f s\n", n,
		alive, now_s() - t0);
	printf("%d\n", alive);
	/* exit without closing: tearing them down is not measured */
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: conns-held loop MAX\n"
			"       conns-held server PORT\n"
			"       conns-held client ADDR PORT MAX\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";

	raise_nofile();
	if (!strcmp(how, "loop") && argc == 3 && atoi(argv[2]) > 0)
		return client("127.0.0.1", start_server(0, 1), atoi(argv[2]));
	if (!strcmp(how, "server") && argc == 3) {
		start_server(atoi(argv[2]), 0);
		for (;;)
			pause();
	}
	if (!strcmp(how, "client") && argc == 5 && atoi(argv[4]) > 0)
		return client(argv[2], atoi(argv[3]), atoi(argv[4]));
	return usage();
}
