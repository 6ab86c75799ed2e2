// SPDX-License-Identifier: GPL-2.0
/*
 * getppid-loop [SECONDS [sud-on]]: cost of one getppid() through libc,
 * the cheapest system call, in ns per call.  Runs batches of 1000 calls
 * for about SECONDS (default 0.5) after a warm-up and prints three
 * figures over every batch of the run: the median and the 99th
 * percentile of the batches' time per call, and the whole run's mean
 * (preemptions included: on the shared 2-core machine at load 10 it is
 * 5x the median, a figure of the scheduler more than of the call).
 *
 * It used to print the fastest batch, which hides what a program pays:
 * that was the one batch nothing disturbed, and under SUD it read faster
 * than native on the PTI machine (docs/bench.md).
 *
 * "sud-on" turns on syscall user dispatch for this thread with all of
 * user space as its allowed range: every call still reaches the kernel
 * directly, but through the kernel's slow entry and exit path (the
 * syscall work that SUD sets) and its range check, which is what nuse's
 * rewritten sites pay in the kernel (their `syscall` is in nuse's gate,
 * the allowed range). A call outside the range pays a read of the
 * selector byte on top (+21 ns on the Xeon of 2026-12-07, docs/bench.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif

#define BATCH 1000

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

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5, t0, t, tb;
	static volatile char selector; /* 0: SYSCALL_DISPATCH_FILTER_ALLOW */
	/* all of user space but page 0 */
	const unsigned long lo = 0x1000, len = 0x7ffffffff000UL - lo;
	volatile pid_t sink;
	size_t n = 0, cap = 1024;
	double *per = malloc(cap * sizeof(*per));

	if (!per)
		return 1;
	if (argc > 2 && !strcmp(argv[2], "sud-on") &&
	    prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, lo, len,
		  &selector)) {
		perror("getppid-loop: PR_SET_SYSCALL_USER_DISPATCH");
		return 1;
	}
	/* Warm-up: first calls may trap, rewrite a site or fault pages in. */
	for (int i = 0; i < BATCH; i++)
		sink = getppid();
	t0 = now();
	tb = t0;
	do {
		for (int i = 0; i < BATCH; i++)
			sink = getppid();
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
	(void)sink;
	qsort(per, n, sizeof(*per), cmp);
	printf("%.1f %.1f %.1f\n", per[n / 2], per[n * 99 / 100],
	       (t - t0) * 1e9 / ((double)n * BATCH));
	free(per);
	return 0;
}
