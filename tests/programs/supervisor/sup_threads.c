// SPDX-License-Identifier: GPL-2.0
/*
 * Threads making trapped calls at the same time, then (argument "exec") an
 * execve from a thread that is not the leader.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NTHREADS 8
#define ROUNDS 500

static void *worker(void *arg)
{
	long id = (long)arg, i, got = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return (void *)-1L;
	for (i = 0; i < ROUNDS; i++) {
		long v = id * ROUNDS + i, r = -1;

		if (write(sv[0], &v, sizeof(v)) != sizeof(v) ||
		    read(sv[1], &r, sizeof(r)) != sizeof(r) || r != v)
			break;
		got++;
	}
	close(sv[0]);
	close(sv[1]);
	return (void *)got;
}

static void *execer(void *arg)
{
	char *argv[] = { arg, "after-exec", NULL };

	execv("/proc/self/exe", argv);
	perror("execv");
	exit(1);
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	long i, total = 0;
	void *r;

	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		int sv[2];
		char c = 0;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
		    write(sv[0], "e", 1) != 1 || read(sv[1], &c, 1) != 1)
			return 1;
		printf("exec from thread: %c\n", c);
		return 0;
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &r);
		total += (long)r;
	}
	printf("threads: %ld of %d round trips\n", total, NTHREADS * ROUNDS);
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		pthread_t e;

		pthread_create(&e, NULL, execer, argv[0]);
		pthread_join(e, NULL); /* does not return: the exec wins */
	}
	return total == NTHREADS * ROUNDS ? 0 : 1;
}
