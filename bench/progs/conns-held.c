// SPDX-License-Identifier: GPL-2.0
/*
 * conns-held: how many TCP connections one network stack holds open at
 * once, each answered by its server, for bench/apps.sh.
 *
 *   conns-held loop MAX               both ends in this process, 127.0.0.1
 *   conns-held server PORT            the server alone (until killed)
 *   conns-held client ADDR PORT MAX   the client alone
 *   conns-held multi MAX PROCS [CTL]  MAX connections over PROCS processes
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
 *
 * "multi" is "loop" in PROCS forked processes at once (MAX/PROCS each,
 * every process its own listener and clients, both ends on 127.0.0.1),
 * for more connections than one process may have descriptors, and for a
 * connection rate with many clients: each process connects as fast as it
 * can, without the message (the server thread accepts meanwhile), then
 * waits until its server accepted them all; the rate is connections
 * established (one connect() and one accept() each) per second, from the
 * moment all processes start to the last one done. Then every connection
 * is asked once. It prints "ALIVE RATE". With CTL, a file name prefix,
 * it waits for CTL.go before opening (CTL.ready exists when every process
 * listens) and holds the connections once done (CTL.done, its figures
 * written) until CTL.end exists: the caller measures memory meanwhile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256

static int lfd, epfd;
static long accepted; /* by the server thread, for "multi" */

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
				__atomic_add_fetch(&accepted, 1, __ATOMIC_RELEASE);
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

/* Wait (polling, 2 ms) until the file exists. */
static void wait_file(const char *ctl, const char *ext)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s.%s", ctl, ext);
	while (stat(path, &st))
		usleep(2000);
}

static void put_file(const char *ctl, const char *ext)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s.%s", ctl, ext);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

/* What one "multi" process reports to the parent. */
struct multi_report {
	int phase, opened, alive;
	double done; /* all of its connections accepted (now_s) */
	char why[160]; /* the first failure, if any */
};

/*
 * One process of "multi": listen, tell the parent (ready), wait for go,
 * connect max times, wait for the accepts, report; ask every connection
 * once, report; hold everything until the parent closes go.
 */
static void multi_child(int max, int ready_fd, int go_fd, int end_fd,
			int rep_fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct multi_report rep = { 0 };
	struct timeval tmo = { .tv_sec = 5 };
	int *fds = calloc(max, sizeof(*fds));
	char c;

	if (!fds)
		die("calloc");
	a.sin_port = htons(start_server(0, 1));
	/* go: the parent closes its end (one byte each could be taken twice) */
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 0)
		_exit(1);
	for (rep.opened = 0; rep.opened < max; rep.opened++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			snprintf(rep.why, sizeof(rep.why),
				 "%s #%d: %s", fd < 0 ? "socket" : "connect",
				 rep.opened + 1, strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
		fds[rep.opened] = fd;
	}
	/* established means accepted too: 10 s at most for the last ones */
	for (double t = now_s();
	     __atomic_load_n(&accepted, __ATOMIC_ACQUIRE) < rep.opened &&
	     now_s() - t < 10;)
		usleep(200);
	rep.done = now_s();
	rep.phase = 1;
	if (write(rep_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	for (int i = 0; i < rep.opened; i++)
		if (!ping(fds[i], (uint64_t)i << 32 | i))
			rep.alive++;
	rep.phase = 2;
	rep.why[0] = 0;
	if (write(rep_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	/* hold them until the parent lets go (EOF), then exit unclosed */
	while (read(end_fd, &c, 1) > 0)
		;
	_exit(0);
}

static int multi(int max, int procs, const char *ctl)
{
	int ready[2], go[2], end[2], rep[2], opened = 0, alive = 0, st;
	struct multi_report r;
	double t0, last = 0;
	char c;

	if (procs < 1 || procs > max)
		procs = 1;
	if (pipe(ready) || pipe(go) || pipe(end) || pipe(rep))
		die("pipe");
	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			close(end[1]);
			close(rep[0]);
			multi_child(max / procs + (i < max % procs), ready[1],
				    go[0], end[0], rep[1]);
		}
	}
	close(ready[1]);
	close(go[0]);
	close(end[0]);
	close(rep[1]);
	for (int i = 0; i < procs; i++)
		if (read(ready[0], &c, 1) != 1)
			die("conns-held: a process did not start");
	if (ctl) {
		put_file(ctl, "ready");
		wait_file(ctl, "go");
	}
	t0 = now_s();
	close(go[1]);
	/* two reports per process: opened (phase 1), then alive (2) */
	for (int i = 0; i < 2 * procs; i++) {
		if (read(rep[0], &r, sizeof(r)) != sizeof(r))
			die("conns-held: a process died");
		if (r.phase == 1) {
			if (r.why[0])
				fprintf(stderr, "conns-held: %s\n", r.why);
			opened += r.opened;
			if (r.done > last)
				last = r.done;
		} else {
			alive += r.alive;
		}
	}
	fprintf(stderr, "conns-held: %d processes, %d opened, %d answered, %.2f s to open\n",
		procs, opened, alive, last - t0);
	printf("%d %.0f\n", alive, opened / (last - t0));
	fflush(stdout);
	if (ctl) {
		put_file(ctl, "done");
		wait_file(ctl, "end");
	}
	close(end[1]);
	while (wait(&st) > 0)
		;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: conns-held loop MAX\n"
			"       conns-held server PORT\n"
			"       conns-held client ADDR PORT MAX\n"
			"       conns-held multi MAX PROCS [CTL]\n");
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
	if (!strcmp(how, "multi") && (argc == 4 || argc == 5) &&
	    atoi(argv[2]) > 0 && atoi(argv[3]) > 0)
		return multi(atoi(argv[2]), atoi(argv[3]),
			     argc == 5 ? argv[4] : NULL);
	return usage();
}
