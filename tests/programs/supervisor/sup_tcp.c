// SPDX-License-Identifier: GPL-2.0
/*
 * TCP over 127.0.0.1: a forked client connects, the parent accepts.  The
 * descriptors' numbers and flags are printed: they must be the native ones
 * however the socket was made.
 */
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int client(const struct sockaddr_in *sa)
{
	char buf[8] = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    send(fd, "ping", 4, 0) != 4 ||
	    recv(fd, buf, 4, MSG_WAITALL) != 4 || strcmp(buf, "pong"))
		return 1;
	close(fd);
	return 0;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct pollfd p;
	char buf[8] = { 0 };
	int lfd, cfd, st;
	pid_t pid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4) || getsockname(lfd, (struct sockaddr *)&sa, &len)) {
		perror("listen");
		return 1;
	}
	cfd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	printf("fds: listener %d cloexec %d, udp6 %d cloexec %d nonblock %d\n",
	       lfd, !!(fcntl(lfd, F_GETFD) & FD_CLOEXEC), cfd,
	       !!(fcntl(cfd, F_GETFD) & FD_CLOEXEC),
	       !!(fcntl(cfd, F_GETFL) & O_NONBLOCK));
	close(cfd);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(client(&sa));
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1) {
		perror("poll");
		return 1;
	}
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0 || recv(cfd, buf, 4, MSG_WAITALL) != 4 ||
	    strcmp(buf, "ping") || send(cfd, "pong", 4, 0) != 4) {
		perror("server");
		return 1;
	}
	close(cfd);
	close(lfd);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "client failed: status 0x%x\n", st);
		return 1;
	}
	printf("tcp: ping pong over 127.0.0.1\n");
	return 0;
}
