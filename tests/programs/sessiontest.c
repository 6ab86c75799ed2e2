// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors of processes sharing one network stack, checked the way
 * the host kernel behaves (it passes natively too): a fork copies the
 * descriptor table, each process closes its own copy, execve keeps what
 * is not O_CLOEXEC, and a process that dies (SIGKILL included) has its
 * sockets closed.  Under nuse-exec --stack=linux every socket here is
 * the session's stack's (tests/integration/session.sh).
 *
 *   sessiontest                 run every check, "result: PASS" at the end
 *   sessiontest --exec-check FD PORT FD2 PORT2   (internal, after execve)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int listener(int flags, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 8) || getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int can_bind(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	r = fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

/* A connection through listener lfd (port) works: round trip of one byte. */
static int serves(int lfd, int port)
{
	int c = connect_to(port), s;
	char b = 'x';

	if (c < 0)
		return 0;
	s = accept(lfd, NULL, NULL);
	if (s < 0 || write(c, "q", 1) != 1 || read(s, &b, 1) != 1) {
		close(c);
		return 0;
	}
	close(s);
	close(c);
	return b == 'q';
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* A child closing its copy of a listener leaves the parent's open. */
static void fork_close(void)
{
	int port, lfd = listener(0, &port), st;
	pid_t pid;

	CHECK(lfd >= 0, "fork_close: listener");
	pid = fork();
	if (pid == 0)
		_exit(close(lfd) ? 1 : 0);
	st = wait_status(pid);
	CHECK(WIFEXITED(st) && !WEXITSTATUS(st), "fork_close: child");
	CHECK(serves(lfd, port),
	      "fork_close: parent's listener after the child closed its copy");
	close(lfd);
	printf("fork_close: ok\n");
}

/* The parent closing its copy leaves the child's open: the child serves. */
static void fork_serve(void)
{
	int port, lfd = listener(0, &port), st, c;
	char buf[8] = "";
	pid_t pid;

	CHECK(lfd >= 0, "fork_serve: listener");
	pid = fork();
	if (pid == 0) {
		int s = accept(lfd, NULL, NULL);
		char b[8];
		ssize_t n = s < 0 ? -1 : read(s, b, sizeof(b));

		_exit(n > 0 && write(s, b, n) == n ? 0 : 1);
	}
	close(lfd);
	c = connect_to(port);
	CHECK(c >= 0, "fork_serve: connect to the child's copy");
	CHECK(write(c, "ping", 4) == 4 && read(c, buf, sizeof(buf)) == 4 &&
		      !memcmp(buf, "ping", 4),
	      "fork_serve: echo from the child");
	close(c);
	st = wait_status(pid);
	CHECK(WIFEXITED(st) && !WEXITSTATUS(st), "fork_serve: child");
	printf("fork_serve: ok\n");
}

/* execve keeps a socket, closes an O_CLOEXEC one (checked in the new image). */
static void exec_keep(const char *self)
{
	int pa, pb, a = listener(0, &pa), b = listener(SOCK_CLOEXEC, &pb);
	int sync[2], st;
	pid_t pid;

	CHECK(a >= 0 && b >= 0 && !pipe(sync), "exec_keep: setup");
	pid = fork();
	if (pid == 0) {
		char fa[16], ta[16], fb[16], tb[16], c;

		close(sync[1]);
		/* the parent's copies must be gone for the port check */
		if (read(sync[0], &c, 1) != 0)
			_exit(2);
		snprintf(fa, sizeof(fa), "%d", a);
		snprintf(ta, sizeof(ta), "%d", pa);
		snprintf(fb, sizeof(fb), "%d", b);
		snprintf(tb, sizeof(tb), "%d", pb);
		execl(self, "sessiontest", "--exec-check", fa, ta, fb, tb,
		      (char *)NULL);
		_exit(3);
	}
	close(sync[0]);
	close(a);
	close(b);
	close(sync[1]);
	st = wait_status(pid);
	CHECK(WIFEXITED(st) && !WEXITSTATUS(st),
	      "exec_keep: the new image (status %d)", st);
	printf("exec_keep: ok\n");
}

static void sleep_ms(int ms);

static int exec_check(char **argv)
{
	int a = atoi(argv[2]), pa = atoi(argv[3]), b = atoi(argv[4]);
	int pb = atoi(argv[5]);

	CHECK(serves(a, pa), "exec_check: kept listener serves");
	CHECK(fcntl(b, F_GETFD) < 0 && errno == EBADF,
	      "exec_check: O_CLOEXEC socket closed");
	/*
	 * At once, as on Linux; the supervisor modes close a stack socket
	 * when their reaper sees the placeholder's hang-up, microseconds
	 * later (docs/supervisor.md): they get up to a second.
	 */
	{
		int tries = getenv("SESSIONTEST_SUPERVISOR") ? 100 : 1, ok = 0;

		while (tries-- && !(ok = can_bind(pb)))
			sleep_ms(10);
		CHECK(ok, "exec_check: its port is free again");
	}
	return failures ? 1 : 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * A child killed with SIGKILL: its sockets are closed as at exit (the
 * port can be bound again), and the parent's calls go on.  block: the
 * child is blocked in accept() on another socket when it is killed.
 */
static void kill_child(int block)
{
	int sync[2], port = 0, port2 = 0, st, ok = 0, i;
	const char *name = block ? "kill_blocked" : "kill_idle";
	pid_t pid;

	CHECK(!pipe(sync), "%s: pipe", name);
	pid = fork();
	if (pid == 0) {
		int p2, l = listener(0, &port), l2 = listener(0, &p2);

		if (l < 0 || l2 < 0 ||
		    write(sync[1], &port, sizeof(port)) != sizeof(port) ||
		    write(sync[1], &p2, sizeof(p2)) != sizeof(p2))
			_exit(1);
		if (block)
			accept(l2, NULL, NULL);
		for (;;)
			pause();
	}
	CHECK(read(sync[0], &port, sizeof(port)) == sizeof(port) &&
		      read(sync[0], &port2, sizeof(port2)) == sizeof(port2),
	      "%s: child's ports", name);
	close(sync[0]);
	close(sync[1]);
	sleep_ms(50);
	kill(pid, SIGKILL);
	st = wait_status(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: child killed",
	      name);
	for (i = 0; i < 40 && !ok; i++) {
		ok = can_bind(port);
		if (!ok)
			sleep_ms(50);
	}
	CHECK(ok, "%s: the dead child's listener closed (port %d free)", name,
	      port);
	if (block) {
		/* the listener its accept() was blocked on: closed too */
		for (i = 0, ok = 0; i < 40 && !ok; i++) {
			ok = can_bind(port2);
			if (!ok)
				sleep_ms(50);
		}
		CHECK(ok,
		      "%s: the listener it was blocked on closed (port %d free)",
		      name, port2);
	}
	{
		int p, l = listener(0, &p);

		CHECK(l >= 0 && serves(l, p), "%s: the parent still served",
		      name);
		close(l);
	}
	printf("%s: ok\n", name);
}

/* At the descriptor limit accept fails with EMFILE and the connection
 * stays queued: accepted once a descriptor is free. */
static void accept_emfile(void)
{
	int port, lfd = listener(0, &port), c = connect_to(port), fds[64];
	int n = 0, s;
	struct rlimit old, lim;

	CHECK(lfd >= 0 && c >= 0 && !getrlimit(RLIMIT_NOFILE, &old),
	      "accept_emfile: setup");
	lim = old;
	lim.rlim_cur = (rlim_t)c + 2; /* only c + 1 above c, taken below */
	CHECK(!setrlimit(RLIMIT_NOFILE, &lim), "accept_emfile: setrlimit");
	while (n < 64 && (fds[n] = dup(0)) >= 0)
		n++;
	s = accept(lfd, NULL, NULL);
	CHECK(s < 0 && errno == EMFILE, "accept_emfile: EMFILE at the limit");
	while (n)
		close(fds[--n]);
	s = accept(lfd, NULL, NULL);
	CHECK(s >= 0, "accept_emfile: the connection was still queued");
	CHECK(s >= 0 && write(c, "z", 1) == 1 &&
		      read(s, (char[1]){ 0 }, 1) == 1,
	      "accept_emfile: and works");
	setrlimit(RLIMIT_NOFILE, &old);
	close(s);
	close(c);
	close(lfd);
	printf("accept_emfile: ok\n");
}

int main(int argc, char **argv)
{
	char self[4096];
	ssize_t n;

	if (argc == 6 && !strcmp(argv[1], "--exec-check"))
		return exec_check(argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 2;
	self[n] = '\0';
	accept_emfile();
	fork_close();
	fork_serve();
	exec_keep(self);
	kill_child(0);
	kill_child(1);
	printf("result: %s (%d failures)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
