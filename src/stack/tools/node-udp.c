// SPDX-License-Identifier: GPL-2.0
/* nuse-node's UDP endpoints: echo, a counting sink and a flooding source. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "node.h"

static uint8_t buf[65536];

static int wait_in(long fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return S(poll, A(&p), 1, 200, 0, 0, 0) > 0;
}

int node_udp_echo(const struct node_opts *o)
{
	struct sockaddr_storage from;
	double start = node_now();
	socklen_t len;
	long fd, r;

	fd = node_listen(SOCK_DGRAM, o->port);
	if (fd < 0)
		return 1;
	printf("udp-echo: listening on %d\n", o->port);
	fflush(stdout);
	while (!node_done(o, start)) {
		if (!wait_in(fd))
			continue;
		len = sizeof(from);
		r = S(recvfrom, fd, A(buf), sizeof(buf), MSG_DONTWAIT, A(&from), A(&len));
		if (r >= 0)
			S(sendto, fd, A(buf), r, 0, A(&from), len);
	}
	return 0;
}

/* Counts datagrams; the rate is from the first to the last one, and the
 * sink stops 1 s after traffic stops. */
int node_udp_sink(const struct node_opts *o)
{
	double start = node_now(), first = 0, last = 0;
	unsigned long n = 0;
	long fd, r;

	fd = node_listen(SOCK_DGRAM, o->port);
	if (fd < 0)
		return 1;
	printf("udp-sink: listening on %d\n", o->port);
	fflush(stdout);
	while (!node_done(o, start)) {
		if (!wait_in(fd)) {
			if (n && node_now() - last > 1.0)
				break;
			continue;
		}
		while ((r = S(recvfrom, fd, A(buf), sizeof(buf), MSG_DONTWAIT, 0, 0)) >= 0) {
			if (!n)
				first = node_now();
			n++;
		}
		last = node_now();
	}
	printf("udp-sink: datagrams %lu secs %.3f kpps %.1f\n", n, last - first,
	       n > 1 && last > first ? n / (last - first) / 1e3 : 0.0);
	return 0;
}

int node_udp_source(const struct node_opts *o)
{
	double start, end;
	unsigned long n = 0, tries = 0;
	long fd, r;

	fd = S(socket, o->peer.ss_family, SOCK_DGRAM, 0, 0, 0, 0);
	if (fd < 0)
		return 1;
	r = S(connect, fd, A(&o->peer), o->peerlen, 0, 0, 0);
	if (r < 0) {
		fprintf(stderr, "nuse-node: connect: %s\n", strerror(-r));
		return 1;
	}
	memset(buf, 0x5a, o->size);
	start = node_now();
	while (!node_stop) {
		r = S(write, fd, A(buf), o->size, 0, 0, 0);
		if (r == o->size)
			n++;
		/* check the clock every 256 datagrams only */
		if (!(++tries & 255) && node_now() - start >= (o->duration ? o->duration : 3))
			break;
	}
	end = node_now();
	printf("udp-source: datagrams %lu secs %.3f kpps %.1f\n", n, end - start,
	       n / (end - start) / 1e3);
	return 0;
}
