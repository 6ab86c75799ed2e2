// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers for bench/stack.sh, one per run, on stdout:
 *   stack-bench boot              ms from nuse_boot() to a first socket
 *   stack-bench rss               MiB resident after boot
 *   stack-bench stream nuse|nuse-pvm|host SECONDS   TCP over loopback, Gbit/s
 *   stack-bench rr nuse|nuse-pvm|host COUNT         1-byte TCP round trip, us
 * "host" runs the same code on the host kernel's sockets; "nuse" copies
 * our buffers directly (nuse_direct_copies(), as an embedder is told to),
 * "nuse-pvm" with a process_vm_readv/writev per copy (an embedder that
 * installs no fault handler).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <nuse/stack.h>

static int use_host;

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;

	if (!use_host)
		return nuse_sys(nr, a, b, c, d, e, f);
	r = syscall(nr, a, b, c, d, e, f);
	return r < 0 ? -(long)errno : r;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, long err)
{
	fprintf(stderr, "stack-bench: %s: %ld\n", what, err);
	exit(1);
}

static void boot(int direct)
{
	struct nuse_boot_params p = { .mem_size = 64UL << 20 };
	long r;

	if (direct && nuse_direct_copies())
		die("nuse_direct_copies", -errno);
	r = nuse_boot(&p);

	if (r)
		die("boot", r);
}

struct conn {
	long listen_fd, client, server;
};

static void connect_pair(struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int one = 1;

	c->listen_fd = sys(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0);
	if (c->listen_fd < 0)
		die("socket", c->listen_fd);
	if (sys(SYS_bind, c->listen_fd, (long)&sin, len, 0, 0, 0) ||
	    sys(SYS_listen, c->listen_fd, 4, 0, 0, 0, 0) ||
	    sys(SYS_getsockname, c->listen_fd, (long)&sin, (long)&len, 0, 0, 0))
		die("listen", -1);
	c->client = sys(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0);
	if (sys(SYS_connect, c->client, (long)&sin, len, 0, 0, 0))
		die("connect", -1);
	c->server = sys(SYS_accept, c->listen_fd, 0, 0, 0, 0, 0);
	if (c->server < 0)
		die("accept", c->server);
	sys(SYS_setsockopt, c->client, IPPROTO_TCP, TCP_NODELAY, (long)&one, sizeof(one), 0);
	sys(SYS_setsockopt, c->server, IPPROTO_TCP, TCP_NODELAY, (long)&one, sizeof(one), 0);
}

static volatile int stop;

static void *sink(void *arg)
{
	struct conn *c = arg;
	static char buf[1 << 17];

	while (sys(SYS_read, c->server, (long)buf, sizeof(buf), 0, 0, 0) > 0)
		;
	return NULL;
}

static void stream(double seconds)
{
	static char buf[1 << 16];
	struct conn c;
	pthread_t th;
	double t0, t1;
	long total = 0;

	connect_pair(&c);
	pthread_create(&th, NULL, sink, &c);
	memset(buf, 'x', sizeof(buf));
	t0 = now();
	do {
		long n = sys(SYS_write, c.client, (long)buf, sizeof(buf), 0, 0, 0);

		if (n <= 0)
			die("write", n);
		total += n;
	} while ((t1 = now()) - t0 < seconds);
	sys(SYS_shutdown, c.client, SHUT_WR, 0, 0, 0, 0);
	pthread_join(th, NULL);
	printf("%.3f\n", total * 8 / (t1 - t0) / 1e9);
	/* for bench/stack.sh's system calls per MiB */
	fprintf(stderr, "mib %.3f\n", total / 1048576.0);
}

static void *echo(void *arg)
{
	struct conn *c = arg;
	char b;

	while (sys(SYS_read, c->server, (long)&b, 1, 0, 0, 0) == 1)
		sys(SYS_write, c->server, (long)&b, 1, 0, 0, 0);
	return NULL;
}

static void rr(long count)
{
	struct conn c;
	pthread_t th;
	double t0;
	char b = 'x';
	long i;

	connect_pair(&c);
	pthread_create(&th, NULL, echo, &c);
	for (i = 0; i < count / 10; i++) {	/* warm up */
		sys(SYS_write, c.client, (long)&b, 1, 0, 0, 0);
		sys(SYS_read, c.client, (long)&b, 1, 0, 0, 0);
	}
	t0 = now();
	for (i = 0; i < count; i++) {
		if (sys(SYS_write, c.client, (long)&b, 1, 0, 0, 0) != 1 ||
		    sys(SYS_read, c.client, (long)&b, 1, 0, 0, 0) != 1)
			die("rr", i);
	}
	printf("%.3f\n", (now() - t0) / count * 1e6);
	sys(SYS_shutdown, c.client, SHUT_WR, 0, 0, 0, 0);
	pthread_join(th, NULL);
}

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atof(line + 6);
	if (f)
		fclose(f);
	return kib / 1024;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "boot")) {
		double t0 = now();
		long fd;

		boot(1);
		fd = nuse_sys(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0);
		if (fd < 0)
			die("socket", fd);
		printf("%.3f\n", (now() - t0) * 1e3);
		return 0;
	}
	if (!strcmp(what, "rss")) {
		double before = rss_mib();

		boot(1);
		nuse_sys(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0);
		/* what the stack adds to the process */
		printf("%.2f\n", rss_mib() - before);
		return 0;
	}
	if (argc == 4 && (!strcmp(what, "stream") || !strcmp(what, "rr"))) {
		use_host = !strcmp(argv[2], "host");
		if (!use_host)
			boot(strcmp(argv[2], "nuse-pvm") != 0);
		if (!strcmp(what, "stream"))
			stream(atof(argv[3]));
		else
			rr(atol(argv[3]));
		return 0;
	}
	fprintf(stderr, "usage: stack-bench boot|rss|stream nuse|nuse-pvm|host SEC|rr nuse|nuse-pvm|host N\n");
	return 2;
}
