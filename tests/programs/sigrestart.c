// SPDX-License-Identifier: GPL-2.0
/*
 * sigrestart: a signal handler runs while recv() blocks on a TCP socket
 * over 127.0.0.1; with SA_RESTART the recv goes on and gets the byte a
 * child sends later, without it recv fails with EINTR (signal(7)).  The
 * output is the same natively and under nuse-exec --stack=linux, whose
 * supervisor modes serve blocked calls from another process.
 *
 *   sigrestart          both cases, one line each
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits;

static void on_alarm(int sig)
{
	(void)sig;
	hits++;
}

static int one_case(int flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct itimerval it = { .it_value = { 0, 100000 } };
	socklen_t len = sizeof(a);
	int s, c, x, st;
	ssize_t n;
	pid_t pid;
	char b;

	hits = 0;
	sigemptyset(&sa.sa_mask);
	s = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || c < 0 || sigaction(SIGALRM, &sa, NULL) ||
	    bind(s, (void *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (void *)&a, &len) ||
	    connect(c, (void *)&a, sizeof(a)))
		return perror("setup"), 1;
	x = accept(s, NULL, NULL);
	pid = fork();
	if (pid == 0) {
		usleep(400000);
		_exit(write(c, "z", 1) != 1);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	n = recv(x, &b, 1, 0);
	printf("%s: handler ran %d time(s), recv %s\n",
	       flags ? "SA_RESTART" : "no SA_RESTART", (int)hits,
	       n == 1		       ? "got the byte" :
	       n < 0 && errno == EINTR ? "EINTR" :
					 "?");
	waitpid(pid, &st, 0);
	close(x);
	close(c);
	close(s);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return one_case(SA_RESTART) | one_case(0);
}
