// SPDX-License-Identifier: GPL-2.0
/*
 * getppid-loop [SECONDS]: cost of one getppid() through libc, the
 * cheapest system call, in ns per call.  Runs batches of 1000 for about
 * SECONDS (default 0.5) after a warm-up and prints the per-call time of
 * the fastest batch: on a loaded 2-core machine the others measure the
 * scheduler more than the call.
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
	double secs = argc > 1 ? atof(argv[1]) : 0.5, t0, t, tb, best = 1e9;
	volatile pid_t sink;

	/* Warm-up: first calls may trap, rewrite a site or fault pages in. */
	for (int i = 0; i < BATCH; i++)
		sink = getppid();
	t0 = now();
	tb = t0;
	do {
		for (int i = 0; i < BATCH; i++)
			sink = getppid();
		t = now();
		/* The fastest batch: what a call costs when not preempted. */
		if (t - tb < best)
			best = t - tb;
		tb = t;
	} while (t - t0 < secs);
	(void)sink;
	printf("%.1f\n", best * 1e9 / BATCH);
	return 0;
}
