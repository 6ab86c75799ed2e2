// SPDX-License-Identifier: GPL-2.0
/*
 * getppid-loop [SECONDS]: cost of one getppid() through libc, the
 * cheapest system call, in ns per call.  Runs batches for about SECONDS
 * (default 0.5) after a warm-up, prints one number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5, t0, t;
	unsigned long n = 0;
	volatile pid_t sink;

	/* Warm-up: first calls may trap, rewrite a site or fault pages in. */
	for (int i = 0; i < BATCH; i++)
		sink = getppid();
	t0 = now();
	do {
		for (int i = 0; i < BATCH; i++)
			sink = getppid();
		n += BATCH;
		t = now();
	} while (t - t0 < secs);
	(void)sink;
	printf("%.1f\n", (t - t0) * 1e9 / n);
	return 0;
}
