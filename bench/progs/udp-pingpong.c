// SPDX-License-Identifier: GPL-2.0
/*
 * udp-pingpong [SECONDS]: one sendto() plus one recvfrom() of a 64-byte
 * datagram between two UDP sockets on 127.0.0.1, in ns per pair, through
 * libc (so the preload shim sees them).  Prints the median and the 99th
 * percentile of the per-pair time over every batch of 100 in the run,
 * then the whole run's mean (as getppid-loop does; the fastest batch,
 * printed before, hid the tails).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 100

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int round_trip(int a, int b, const struct sockaddr_in *to)
{
	char buf[64] = "nuse";
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);

	if (sendto(a, buf, sizeof(buf), 0, (const struct sockaddr *)to,
		   sizeof(*to)) != sizeof(buf))
		return -1;
	if (recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) !=
	    sizeof(buf))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5, t0, t, tb;
	size_t n = 0, cap = 1024;
	double *per = malloc(cap * sizeof(*per));
	struct sockaddr_in sa = { .sin_family = AF_INET }, sb;
	socklen_t len = sizeof(sb);
	int a, b;

	if (!per)
		return 1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sb = sa;
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	if (a < 0 || b < 0 || bind(a, (struct sockaddr *)&sa, sizeof(sa)) ||
	    bind(b, (struct sockaddr *)&sb, sizeof(sb)) ||
	    getsockname(b, (struct sockaddr *)&sb, &len)) {
		perror("udp-pingpong: socket");
		return 1;
	}
	for (int i = 0; i < BATCH; i++)
		if (round_trip(a, b, &sb))
			goto err;
	t0 = now();
	tb = t0;
	do {
		for (int i = 0; i < BATCH; i++)
			if (round_trip(a, b, &sb))
				goto err;
		t = now();
		if (n == cap) {
			double *p = realloc(per, (cap *= 2) * sizeof(*per));

			if (!p)
				return 1;
			per = p;
		}
		per[n++] = (t - tb) * 1e9 / BATCH;
		tb = t;
	} while (t - t0 < secs);
	qsort(per, n, sizeof(*per), cmp);
	printf("%.1f %.1f %.1f\n", per[n / 2], per[n * 99 / 100],
	       (t - t0) * 1e9 / ((double)n * BATCH));
	free(per);
	return 0;
err:
	perror("udp-pingpong: sendto/recvfrom");
	return 1;
}
