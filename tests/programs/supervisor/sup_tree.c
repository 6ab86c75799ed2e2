// SPDX-License-Identifier: GPL-2.0
/*
 * A process tree: each level checks a trapped round trip, then starts the
 * next by fork+exec, vfork+exec or posix_spawn in turn, and waits for it.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int round_trip(void)
{
	int sv[2];
	char c = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || write(sv[0], "t", 1) != 1 ||
	    read(sv[1], &c, 1) != 1)
		return 0;
	close(sv[0]);
	close(sv[1]);
	return c == 't';
}

int main(int argc, char **argv)
{
	static const char *const how[] = { "fork", "vfork", "posix_spawn" };
	int depth = argc > 1 ? atoi(argv[1]) : 6, st = 0;
	char next[16];
	char *args[] = { argv[0], next, NULL };
	pid_t pid = -1;

	printf("level %d: round trip %s\n", depth, round_trip() ? "ok" : "FAILED");
	fflush(stdout);
	if (depth == 0)
		return 0;
	snprintf(next, sizeof(next), "%d", depth - 1);
	switch (depth % 3) {
	case 0:
		pid = fork();
		if (pid == 0) {
			execv("/proc/self/exe", args);
			_exit(127);
		}
		break;
	case 1:
		pid = vfork();
		if (pid == 0) {
			execv("/proc/self/exe", args);
			_exit(127);
		}
		break;
	case 2:
		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ))
			pid = -1;
		break;
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		perror(how[depth % 3]);
		return 1;
	}
	printf("level %d: %s child exited %d\n", depth, how[depth % 3],
	       WEXITSTATUS(st));
	return WEXITSTATUS(st) ? 1 : 0;
}
