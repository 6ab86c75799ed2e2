// SPDX-License-Identifier: GPL-2.0
/*
 * mtserver: a multi-threaded TCP server and its client, over 127.0.0.1.
 *
 *   mtserver serve [-t THREADS] [-c CONNS] [-P PORT] [-f PORTFILE]
 *	THREADS workers block in accept() on one listening socket; each
 *	connection carries requests (4-byte length, payload) answered with
 *	the payload, every byte plus one.  Exits 0 after CONNS connections
 *	(0: never), printing a summary.  PORT 0 (default) picks a free port,
 *	written to PORTFILE once listening.
 *
 *   mtserver client -P PORT [-t CLIENTS] [-r REQUESTS]
 *	CLIENTS threads each connect and send REQUESTS requests of
 *	deterministic sizes (1 byte .. 64 KiB), checking every answer.
 *
 * Output is deterministic: no ports, no pids, no timings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXREQ (64 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static long conns_done, reqs_done, bytes_done;

static int io_all(int fd, void *buf, size_t n, int wr)
{
	char *p = buf;

	while (n) {
		ssize_t r = wr ? send(fd, p, n, MSG_NOSIGNAL) :
				 recv(fd, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

static size_t req_size(int client, int i)
{
	return 1 + (size_t)((client * 7919u + i * 104729u) % MAXREQ);
}

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* --- server ---------------------------------------------------------------- */

static void serve_conn(int fd, unsigned char *buf)
{
	long reqs = 0, bytes = 0;
	uint32_t len;

	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		/* Half the traffic waits in poll first, the rest blocks in recv. */
		if (reqs % 2 && poll(&pf, 1, -1) < 0)
			break;
		if (io_all(fd, &len, sizeof(len), 0))
			break;
		len = ntohl(len);
		if (len == 0 || len > MAXREQ || io_all(fd, buf, len, 0))
			break;
		for (uint32_t i = 0; i < len; i++)
			buf[i]++;
		if (io_all(fd, buf, len, 1))
			break;
		reqs++;
		bytes += len;
	}
	close(fd);
	pthread_mutex_lock(&lock);
	conns_done++;
	reqs_done += reqs;
	bytes_done += bytes;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *p)
{
	int lfd = (int)(intptr_t)p;
	unsigned char *buf = malloc(MAXREQ);

	if (!buf)
		return NULL;
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("mtserver: accept");
			break;
		}
		serve_conn(fd, buf);
	}
	free(buf);
	return NULL;
}

static int serve(int threads, long conns, int port, const char *portfile)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	socklen_t len = sizeof(a);
	int one = 1, lfd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 128) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len)) {
		perror("mtserver: listen");
		return 1;
	}
	if (portfile) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 ||
		    fclose(f) || rename(tmp, portfile)) {
			perror("mtserver: port file");
			return 1;
		}
	}
	for (int i = 0; i < threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, worker, (void *)(intptr_t)lfd)) {
			fprintf(stderr, "mtserver: pthread_create failed\n");
			return 1;
		}
		pthread_detach(t);
	}
	pthread_mutex_lock(&lock);
	while (!conns || conns_done < conns)
		pthread_cond_wait(&done_cond, &lock);
	printf("mtserver: %d threads served %ld connections, %ld requests, %ld bytes\n",
	       threads, conns_done, reqs_done, bytes_done);
	pthread_mutex_unlock(&lock);
	fflush(stdout);
	_exit(0);
}

/* --- client ---------------------------------------------------------------- */

static int cport, creqs;

struct cres {
	int id, ok;
	long bytes;
	uint32_t sum;
};

static void *client(void *p)
{
	struct cres *r = p;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(cport) };
	unsigned char *out = malloc(MAXREQ), *in = malloc(MAXREQ);
	uint32_t h = 2166136261u;
	int one = 1, fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!out || !in || fd < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (int i = 0; i < creqs; i++) {
		size_t n = req_size(r->id, i);
		uint32_t len = htonl(n);

		for (size_t j = 0; j < n; j++)
			out[j] = (unsigned char)(r->id + i * 3 + j);
		if (io_all(fd, &len, sizeof(len), 1) || io_all(fd, out, n, 1) ||
		    io_all(fd, in, n, 0))
			goto out;
		for (size_t j = 0; j < n; j++)
			if (in[j] != (unsigned char)(out[j] + 1))
				goto out;
		h = fnv(h, in, n);
		r->bytes += n;
	}
	r->sum = h;
	r->ok = 1;
out:
	if (fd >= 0)
		close(fd);
	free(out);
	free(in);
	return NULL;
}

static int run_clients(int threads)
{
	pthread_t *t = calloc(threads, sizeof(*t));
	struct cres *r = calloc(threads, sizeof(*r));
	uint32_t sum = 0;
	long bytes = 0;
	int ok = 0;

	if (!t || !r)
		return 1;
	for (int i = 0; i < threads; i++) {
		r[i].id = i;
		if (pthread_create(&t[i], NULL, client, &r[i]))
			return 1;
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].ok;
		bytes += r[i].bytes;
		sum ^= r[i].sum;
	}
	printf("mtclient: %d/%d clients ok, %ld requests, %ld bytes, checksum %08x\n",
	       ok, threads, (long)ok * creqs, bytes, sum);
	free(t);
	free(r);
	return ok == threads ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mtserver serve [-t THREADS] [-c CONNS] [-P PORT] [-f PORTFILE]\n"
		"       mtserver client -P PORT [-t CLIENTS] [-r REQUESTS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int threads = 8, port = 0, opt;
	long conns = 0;
	const char *portfile = NULL;

	if (argc < 2)
		usage();
	creqs = 50;
	optind = 2;
	while ((opt = getopt(argc, argv, "t:c:P:f:r:")) != -1) {
		switch (opt) {
		case 't':
			threads = atoi(optarg);
			break;
		case 'c':
			conns = atol(optarg);
			break;
		case 'P':
			port = atoi(optarg);
			break;
		case 'f':
			portfile = optarg;
			break;
		case 'r':
			creqs = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (threads < 1)
		usage();
	if (!strcmp(argv[1], "serve"))
		return serve(threads, conns, port, portfile);
	if (!strcmp(argv[1], "client") && port > 0) {
		cport = port;
		return run_clients(threads);
	}
	usage();
	return 2;
}
