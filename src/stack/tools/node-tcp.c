// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-node's TCP endpoints, on the stack's sockets (nuse_sys): echo, a
 * sink that hashes each stream, a source of N bytes per stream, and a
 * request-response latency client. Stack sockets are polled with a short
 * timeout so --duration and signals end every loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "node.h"
#include "sha256.h"

#define MAX_CONNS 64
#define CHUNK (256 * 1024)

struct conn {
	long fd;
	uint64_t bytes;
	struct sha256 sha;
};

static uint8_t buf[CHUNK];

static void conn_close(struct conn *c)
{
	S(close, c->fd, 0, 0, 0, 0, 0);
	c->fd = -1;
}

int node_tcp_echo(const struct node_opts *o)
{
	struct pollfd pfd[MAX_CONNS + 1];
	long fds[MAX_CONNS + 1];
	double start = node_now();
	int n = 1, served = 0, i;
	long l, r, w, off;

	l = node_listen(SOCK_STREAM, o->port);
	if (l < 0)
		return 1;
	fds[0] = l;
	printf("tcp-echo: listening on %d\n", o->port);
	fflush(stdout);
	while (!node_done(o, start) && (!o->conns || served < o->conns)) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		r = S(poll, A(pfd), n, 200, 0, 0, 0);
		if (r < 0 && r != -EINTR)
			return 1;
		for (i = n - 1; r > 0 && i >= 1; i--) {
			if (!pfd[i].revents)
				continue;
			r = S(read, fds[i], A(buf), sizeof(buf), 0, 0, 0);
			for (off = 0; r > 0 && off < r; off += w) {
				w = S(write, fds[i], A(buf + off), r - off, 0, 0, 0);
				if (w <= 0)
					break;
			}
			if (r <= 0 || off < r) {
				S(close, fds[i], 0, 0, 0, 0, 0);
				fds[i] = fds[--n];
				served++;
			}
			r = 1;
		}
		if (pfd[0].revents && n <= MAX_CONNS) {
			long c = S(accept4, l, 0, 0, 0, 0, 0);

			if (c >= 0)
				fds[n++] = c;
		}
	}
	return 0;
}

int node_tcp_sink(const struct node_opts *o)
{
	struct pollfd pfd[MAX_CONNS + 1];
	struct conn c[MAX_CONNS + 1];
	double start = node_now(), first = 0, last = 0;
	uint64_t total = 0;
	int n = 1, served = 0, i;
	char hex[65];
	long l, r;

	l = node_listen(SOCK_STREAM, o->port);
	if (l < 0)
		return 1;
	c[0].fd = l;
	printf("tcp-sink: listening on %d\n", o->port);
	fflush(stdout);
	while (!node_done(o, start) && (!o->conns || served < o->conns)) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
		r = S(poll, A(pfd), n, 200, 0, 0, 0);
		if (r < 0 && r != -EINTR)
			return 1;
		for (i = n - 1; r > 0 && i >= 1; i--) {
			if (!pfd[i].revents)
				continue;
			r = S(read, c[i].fd, A(buf), sizeof(buf), 0, 0, 0);
			if (r > 0) {
				if (o->hash)
					sha256_update(&c[i].sha, buf, r);
				c[i].bytes += r;
				total += r;
				r = 1;
				continue;
			}
			last = node_now();
			if (o->hash)
				sha256_hex(&c[i].sha, hex);
			else
				strcpy(hex, "-");
			printf("tcp-sink: stream bytes %llu sha256 %s%s\n",
			       (unsigned long long)c[i].bytes, hex,
			       r < 0 ? " (error)" : "");
			fflush(stdout);
			conn_close(&c[i]);
			c[i] = c[--n];
			served++;
			r = 1;
		}
		if (pfd[0].revents && n <= MAX_CONNS) {
			c[n].fd = S(accept4, l, 0, 0, 0, 0, 0);
			if (c[n].fd >= 0) {
				if (!first)
					first = node_now();
				c[n].bytes = 0;
				sha256_init(&c[n].sha);
				n++;
			}
		}
	}
	if (served && last > first)
		printf("tcp-sink: total bytes %llu streams %d secs %.3f gbps %.3f\n",
		       (unsigned long long)total, served, last - first,
		       total * 8 / (last - first) / 1e9);
	return 0;
}

/*
 * A random source port from the host: a freshly booted stack picks the
 * same ephemeral ports (and ISNs) at every boot, so back-to-back runs
 * would hit the host's connection still in LAST_ACK/TIME_WAIT and be reset.
 */
static void bind_random_port(long fd, int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	unsigned short port;
	int i;

	for (i = 0; i < 8; i++) {
		if (getrandom(&port, sizeof(port), 0) != sizeof(port))
			return;
		port = 32768 + port % 28000;
		if (family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		if (!S(bind, fd, A(&ss), family == AF_INET ?
			sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
			0, 0, 0))
			return;
	}
}

static long connect_to(const struct node_opts *o)
{
	struct timeval tv = { .tv_sec = 10 };
	long fd, r;

	fd = S(socket, o->peer.ss_family, SOCK_STREAM, 0, 0, 0, 0);
	if (fd < 0) {
		fprintf(stderr, "nuse-node: socket: %s\n", strerror(-fd));
		return fd;
	}
	/* a peer that never answers must not hang the caller: Linux applies
	 * the send timeout to connect() */
	S(setsockopt, fd, SOL_SOCKET, SO_SNDTIMEO, A(&tv), sizeof(tv), 0);
	bind_random_port(fd, o->peer.ss_family);
	r = S(connect, fd, A(&o->peer), o->peerlen, 0, 0, 0);
	if (r < 0) {
		fprintf(stderr, "nuse-node: connect: %s\n", strerror(-r));
		S(close, fd, 0, 0, 0, 0, 0);
		return r;
	}
	return fd;
}

int node_tcp_source(const struct node_opts *o)
{
	struct pollfd pfd[MAX_CONNS];
	struct conn c[MAX_CONNS];
	int n = o->streams, open, i, ret = 0;
	double start, end;
	char hex[65];
	long r;

	for (i = 0; i < n; i++) {
		c[i].fd = connect_to(o);
		if (c[i].fd < 0)
			return 1;
		S(fcntl, c[i].fd, F_SETFL, O_NONBLOCK, 0, 0, 0);
		c[i].bytes = 0;
		sha256_init(&c[i].sha);
	}
	start = node_now();
	open = n;
	while (open && !node_stop) {
		for (i = 0; i < n; i++) {
			short ev = c[i].bytes < o->bytes ? POLLOUT : POLLIN;

			pfd[i] = (struct pollfd){ .fd = c[i].fd, .events = ev };
			if (c[i].fd < 0)
				pfd[i].fd = -1;
		}
		r = S(poll, A(pfd), n, 200, 0, 0, 0);
		if (r < 0 && r != -EINTR)
			return 1;
		for (i = 0; r > 0 && i < n; i++) {
			uint64_t want = o->bytes - c[i].bytes;

			if (!pfd[i].revents || c[i].fd < 0)
				continue;
			if (!want) {
				/* the peer closes when it has read everything */
				r = S(read, c[i].fd, A(buf), sizeof(buf), 0, 0, 0);
				if (r > 0 || r == -EAGAIN)
					continue;
				conn_close(&c[i]);
				open--;
				continue;
			}
			if (want > CHUNK)
				want = CHUNK;
			/* without a hash nobody checks the bytes: don't make them */
			if (o->hash)
				node_pattern(buf, want, c[i].bytes);
			r = S(write, c[i].fd, A(buf), want, 0, 0, 0);
			if (r == -EAGAIN)
				continue;
			if (r <= 0) {
				fprintf(stderr, "nuse-node: write: %s\n", strerror(-r));
				conn_close(&c[i]);
				open--;
				ret = 1;
				continue;
			}
			if (o->hash)
				sha256_update(&c[i].sha, buf, r);
			c[i].bytes += r;
			if (c[i].bytes == o->bytes)
				S(shutdown, c[i].fd, SHUT_WR, 0, 0, 0, 0);
		}
	}
	end = node_now();
	for (i = 0; i < n; i++) {
		if (o->hash)
			sha256_hex(&c[i].sha, hex);
		else
			strcpy(hex, "-");
		printf("tcp-source: stream bytes %llu sha256 %s\n",
		       (unsigned long long)c[i].bytes, hex);
	}
	printf("tcp-source: total bytes %llu streams %d secs %.3f gbps %.3f\n",
	       (unsigned long long)o->bytes * n, n, end - start,
	       o->bytes * n * 8 / (end - start) / 1e9);
	return ret || node_stop;
}

int node_tcp_rr(const struct node_opts *o)
{
	double start, end;
	long fd, r, i;
	int one = 1;
	char b = 'x';

	fd = connect_to(o);
	if (fd < 0)
		return 1;
	S(setsockopt, fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, A(&one), sizeof(one), 0);
	start = node_now();
	for (i = 0; i < o->count && !node_stop; i++) {
		if (S(write, fd, A(&b), 1, 0, 0, 0) != 1)
			break;
		r = S(read, fd, A(&b), 1, 0, 0, 0);
		if (r != 1)
			break;
	}
	end = node_now();
	S(close, fd, 0, 0, 0, 0, 0);
	if (i < o->count) {
		fprintf(stderr, "nuse-node: tcp-rr: stopped after %ld\n", i);
		return 1;
	}
	printf("tcp-rr: round trips %ld mean_us %.2f\n", i,
	       (end - start) * 1e6 / i);
	return 0;
}
