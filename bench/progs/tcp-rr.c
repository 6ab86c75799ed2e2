// SPDX-License-Identifier: GPL-2.0
/*
 * tcp-rr: TCP request/response over 127.0.0.1, for bench/apps.sh.
 *
 *   tcp-rr threads SIZE ROUNDS      server thread + client thread, one process
 *   tcp-rr fork SIZE ROUNDS         server in a forked child
 *   tcp-rr server PORT SIZE         answer one connection, then exit
 *   tcp-rr client PORT SIZE ROUNDS  the client of "server"
 *
 * The client sends SIZE bytes, waits for SIZE bytes back, ROUNDS times
 * (TCP_NODELAY both ways) after 100 warm-up rounds, and prints the median
 * of the round trips in microseconds: the median, not the mean, because
 * the 2-core machine is shared and a few round trips wait for a core.
 * Each round trip is timed alone (clock_gettime goes through the vDSO).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 100
#define MAX_SIZE 65536

static int size;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("setsockopt TCP_NODELAY");
}

/* Whole SIZE-byte messages; 0 at end of stream. */
static int xfer(int fd, char *buf, int out)
{
	int done = 0;

	while (done < size) {
		ssize_t n = out ? write(fd, buf + done, size - done) :
				  read(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(out ? "write" : "read");
		if (n == 0)
			return 0;
		done += n;
	}
	return 1;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		die("bind/listen");
	return fd;
}

static int port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		die("getsockname");
	return ntohs(a.sin_port);
}

static void serve(int lfd)
{
	static char buf[MAX_SIZE];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	nodelay(fd);
	while (xfer(fd, buf, 0))
		xfer(fd, buf, 1);
	close(fd);
	close(lfd);
}

static void *serve_thread(void *lfd)
{
	serve((int)(long)lfd);
	return NULL;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Connect for at most 5 s (the server of "client" may still be starting). */
static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int tries;

	for (tries = 0; tries < 500; tries++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		if (errno != ECONNREFUSED)
			die("connect");
		close(fd);
		usleep(10000);
	}
	die("connect");
	return -1;
}

static void client(int port, int rounds)
{
	static char buf[MAX_SIZE];
	double *t = malloc(sizeof(*t) * rounds);
	int fd = connect_to(port), i;

	if (!t)
		die("malloc");
	nodelay(fd);
	memset(buf, 'x', size);
	for (i = -WARMUP; i < rounds; i++) {
		double t0 = now_us();

		if (!xfer(fd, buf, 1) || !xfer(fd, buf, 0)) {
			fprintf(stderr, "tcp-rr: server closed\n");
			exit(1);
		}
		if (i >= 0)
			t[i] = now_us() - t0;
	}
	close(fd);
	qsort(t, rounds, sizeof(*t), cmp);
	printf("%.2f\n", rounds % 2 ? t[rounds / 2] :
				      (t[rounds / 2 - 1] + t[rounds / 2]) / 2);
	free(t);
}

static int usage(void)
{
	fprintf(stderr, "usage: tcp-rr threads|fork SIZE ROUNDS\n"
			"       tcp-rr server PORT SIZE\n"
			"       tcp-rr client PORT SIZE ROUNDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	int rounds = 0, lfd, port;
	pthread_t th;
	pid_t pid;
	int st;

	if (!strcmp(how, "server") && argc == 4) {
		size = atoi(argv[3]);
	} else if (!strcmp(how, "client") && argc == 5) {
		size = atoi(argv[3]);
		rounds = atoi(argv[4]);
	} else if ((!strcmp(how, "threads") || !strcmp(how, "fork")) &&
		   argc == 4) {
		size = atoi(argv[2]);
		rounds = atoi(argv[3]);
	} else {
		return usage();
	}
	if (size < 1 || size > MAX_SIZE ||
	    (strcmp(how, "server") && rounds < 1))
		return usage();

	if (!strcmp(how, "server")) {
		serve(listen_on(atoi(argv[2])));
		return 0;
	}
	if (!strcmp(how, "client")) {
		client(atoi(argv[2]), rounds);
		return 0;
	}
	lfd = listen_on(0);
	port = port_of(lfd);
	if (!strcmp(how, "threads")) {
		if (pthread_create(&th, NULL, serve_thread, (void *)(long)lfd))
			die("pthread_create");
		client(port, rounds);
		pthread_join(th, NULL);
		return 0;
	}
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		serve(lfd);
		_exit(0);
	}
	close(lfd);
	client(port, rounds);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	return 0;
}
