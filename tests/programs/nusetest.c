// SPDX-License-Identifier: GPL-2.0
/*
 * nusetest: one program touching what an interception mode can break:
 * threads, signals (SA_SIGINFO, SA_RESTART, SA_ONSTACK, full masks, the
 * program's own SIGSYS), fork, vfork+execve, posix_spawn, TCP/UDP over
 * 127.0.0.1 and ::1, AF_UNIX socketpairs with SCM_RIGHTS, poll, select,
 * epoll (level, edge, one-shot), error paths (errno), getppid,
 * io_uring_setup, /proc/self/exe, argv[0] and comm.
 *
 * Everything printed is deterministic (no pids, ports or timings), so a
 * run under nuse-exec can be compared byte for byte with a native run.
 * Exit status 0 when every check passed, 1 otherwise.  Only the
 * io_uring_setup line is expected to differ (ENOSYS under nuse).
 *
 * Builds with glibc (dynamic, static-pie) and musl (static): raw syscall
 * numbers and no glibc-only headers.
 *
 *   nusetest                 run every check
 *   nusetest --exit N        exit with status N
 *   nusetest --kill SIG      die by signal SIG
 *   nusetest --child NAME    (internal) child started by exec/spawn
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

extern char **environ;

static int failures;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (!(cond)) {                                      \
			printf("FAIL %s:%d: ", __func__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf(" (errno %d)\n", errno);             \
			failures++;                                 \
		}                                                   \
	} while (0)

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case ENOSYS:
		return "ENOSYS";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOMEM:
		return "ENOMEM";
	case EFAULT:
		return "EFAULT";
	case EINTR:
		return "EINTR";
	case EAGAIN:
		return "EAGAIN";
	case EBADF:
		return "EBADF";
	case EADDRNOTAVAIL:
		return "EADDRNOTAVAIL";
	case EAFNOSUPPORT:
		return "EAFNOSUPPORT";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ENOTSOCK:
		return "ENOTSOCK";
	case ENOTCONN:
		return "ENOTCONN";
	case EPIPE:
		return "EPIPE";
	case ENOPROTOOPT:
		return "ENOPROTOOPT";
	case EISCONN:
		return "EISCONN";
	default:
		return "other";
	}
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static ssize_t write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, p + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += r;
	}
	return done;
}

static ssize_t read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, p + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* --- identity ------------------------------------------------------------ */

static void test_identity(char **argv)
{
	char exe[4096], comm[17] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	printf("argv0: %s\n", argv[0]);
	if (n > 0) {
		exe[n] = '\0';
		printf("proc_self_exe: %s\n", base(exe));
	} else {
		printf("proc_self_exe: error %s\n", errname(errno));
	}
	if (prctl(PR_GET_NAME, comm, 0, 0, 0))
		printf("comm: error %s\n", errname(errno));
	else
		printf("comm: %s\n", comm);
	printf("getppid: %s\n", getppid() > 1 ? "ok" : "bad");
}

/* --- threads ------------------------------------------------------------- */

#define NTHREADS 8
#define THREAD_ROUNDS 2000

struct tharg {
	int id;
	uint32_t sum;
	int ok;
};

static void *thread_main(void *p)
{
	struct tharg *a = p;
	int sv[2];
	uint32_t h = 2166136261u;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return NULL;
	for (int i = 0; i < THREAD_ROUNDS; i++) {
		unsigned char msg[16], in[16];

		for (int j = 0; j < 16; j++)
			msg[j] = (unsigned char)(a->id * 31 + i * 7 + j);
		if (write_all(sv[0], msg, sizeof(msg)) != sizeof(msg) ||
		    read_all(sv[1], in, sizeof(in)) != sizeof(in) ||
		    memcmp(msg, in, sizeof(in)))
			goto out;
		h = fnv(h, in, sizeof(in));
		if (i % 500 == 0)
			sched_yield();
	}
	a->sum = h;
	a->ok = 1;
out:
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[NTHREADS];
	struct tharg a[NTHREADS];
	uint32_t total = 0;
	int ok = 0;

	for (int i = 0; i < NTHREADS; i++) {
		a[i] = (struct tharg){ .id = i };
		CHECK(!pthread_create(&t[i], NULL, thread_main, &a[i]),
		      "pthread_create");
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		ok += a[i].ok;
		total ^= a[i].sum;
	}
	printf("threads: %d/%d ok, checksum %08x\n", ok, NTHREADS, total);
}

/* --- signals ------------------------------------------------------------- */

static volatile sig_atomic_t got_signo, got_code, got_value, got_count;
static volatile sig_atomic_t alarm_count;
static int alarm_pipe = -1;
static char *altstack_lo, *altstack_hi;
static volatile sig_atomic_t on_altstack;

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_signo = si->si_signo;
	got_code = si->si_code;
	got_value = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
	got_count++;
	(void)sig;
}

static void alarm_handler(int sig)
{
	(void)sig;
	if (++alarm_count == 3 && alarm_pipe >= 0) {
		int e = errno;

		if (write(alarm_pipe, "hello", 5) != 5)
			alarm_count = 100;
		errno = e;
	}
}

static void stack_handler(int sig)
{
	char here;

	(void)sig;
	on_altstack = &here >= altstack_lo && &here < altstack_hi;
}

static const char *code_name(int code)
{
	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_TKILL:
		return "SI_TKILL";
	case SI_QUEUE:
		return "SI_QUEUE";
	default:
		return "other";
	}
}

/* A blocking read on a pipe, interrupted by SIGALRM ticks. */
static void restart_case(int restart)
{
	struct sigaction sa = { .sa_handler = alarm_handler };
	/*
	 * First tick after 100 ms, so that even a slow mode is blocked in
	 * read() by then; then every 20 ms.
	 */
	struct itimerval it = { { 0, 20000 }, { 0, 100000 } },
			 off = { { 0, 0 }, { 0, 0 } };
	char buf[16] = "";
	int p[2];
	ssize_t n;

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	CHECK(!pipe(p), "pipe");
	alarm_pipe = p[1];
	alarm_count = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	n = read(p[0], buf, sizeof(buf));
	if (!restart) {
		int e = errno;

		/* Without SA_RESTART the first tick interrupts; wait for the write. */
		while (alarm_count < 3)
			pause();
		printf("no_restart: read=%zd %s\n", n,
		       n < 0 ? errname(e) : buf);
		n = read(p[0], buf, sizeof(buf));
	}
	setitimer(ITIMER_REAL, &off, NULL);
	alarm_pipe = -1;
	printf("%s: read=%zd '%.*s' ticks>=3 %s\n",
	       restart ? "sa_restart" : "no_restart_after", n,
	       n > 0 ? (int)n : 0, buf,
	       alarm_count >= 3 && alarm_count < 100 ? "yes" : "no");
	close(p[0]);
	close(p[1]);
	signal(SIGALRM, SIG_DFL);
}

static void test_signals(void)
{
	struct sigaction sa = { .sa_sigaction = info_handler,
				.sa_flags = SA_SIGINFO };
	static char stackbuf[65536] __attribute__((aligned(16)));
	stack_t ss = { .ss_sp = stackbuf, .ss_size = sizeof(stackbuf) };
	sigset_t full, old, cur, pend;
	union sigval v = { .sival_int = 42 };

	/* SA_SIGINFO: raise (tgkill) and sigqueue. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("siginfo raise: signo=%d code=%s\n", (int)got_signo,
	       code_name(got_code));
	sigqueue(getpid(), SIGUSR1, v);
	printf("siginfo sigqueue: signo=%d code=%s value=%d\n", (int)got_signo,
	       code_name(got_code), (int)got_value);

	/* SA_RESTART and its absence around a blocking pipe read. */
	restart_case(1);
	restart_case(0);

	/* SA_ONSTACK on a sigaltstack. */
	altstack_lo = stackbuf;
	altstack_hi = stackbuf + sizeof(stackbuf);
	CHECK(!sigaltstack(&ss, NULL), "sigaltstack");
	{
		struct sigaction sb = { .sa_handler = stack_handler,
					.sa_flags = SA_ONSTACK };

		sigemptyset(&sb.sa_mask);
		sigaction(SIGUSR2, &sb, NULL);
		raise(SIGUSR2);
		printf("sa_onstack: handler on altstack %s\n",
		       on_altstack ? "yes" : "no");
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
		signal(SIGUSR2, SIG_DFL);
	}

	/* A full mask: signals stay pending until unblocked. */
	sigfillset(&full);
	sigprocmask(SIG_SETMASK, &full, &old);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("full mask: USR1 %d ALRM %d SYS %d TERM %d\n",
	       sigismember(&cur, SIGUSR1), sigismember(&cur, SIGALRM),
	       sigismember(&cur, SIGSYS), sigismember(&cur, SIGTERM));
	got_count = 0;
	raise(SIGUSR1);
	/* The network still works with everything blocked. */
	{
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		CHECK(fd >= 0, "socket under full mask");
		close(fd);
	}
	sigpending(&pend);
	printf("full mask: USR1 pending %d, handled %d\n",
	       sigismember(&pend, SIGUSR1), (int)got_count);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("full mask: after unblock handled %d\n", (int)got_count);

	/* The program's own SIGSYS handler. */
	sigaction(SIGSYS, &sa, NULL);
	got_signo = 0;
	raise(SIGSYS);
	printf("own sigsys: signo=%d code=%s\n", (int)got_signo,
	       code_name(got_code));

	/* Blocking SIGSYS must not be fatal, whatever the mode uses it for. */
	{
		sigset_t sys;
		int sv[2];
		char c = 0;

		sigemptyset(&sys);
		sigaddset(&sys, SIGSYS);
		sigprocmask(SIG_BLOCK, &sys, &old);
		got_count = 0;
		CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv),
		      "socketpair with SIGSYS blocked");
		CHECK(write(sv[0], "x", 1) == 1 && read(sv[1], &c, 1) == 1 &&
			      c == 'x',
		      "io with SIGSYS blocked");
		close(sv[0]);
		close(sv[1]);
		CHECK(getppid() > 0, "getppid with SIGSYS blocked");
		raise(SIGSYS);
		sigpending(&pend);
		printf("sigsys blocked: survived, pending %d, handled %d\n",
		       sigismember(&pend, SIGSYS), (int)got_count);
		sigprocmask(SIG_SETMASK, &old, NULL);
		printf("sigsys unblocked: handled %d\n", (int)got_count);
	}
	signal(SIGSYS, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
}

/* --- processes ----------------------------------------------------------- */

static void print_status(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
	else
		printf("%s: status %#x\n", what, st);
}

static void test_processes(void)
{
	char *cargv[] = { "nusetest-child", "--child", NULL, NULL };
	int p[2], st = 0;
	pid_t pid, me = getpid();
	char buf[32] = "";

	/* fork: the child talks back through a pipe and sees us as parent. */
	CHECK(!pipe(p), "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		const char *m = getppid() == me ? "child sees parent" :
						  "child lost parent";

		close(p[0]);
		if (write(p[1], m, strlen(m)) < 0)
			_exit(99);
		_exit(42);
	}
	close(p[1]);
	buf[read_all(p[0], buf, sizeof(buf) - 1) > 0 ? strlen(buf) : 0] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	printf("fork: '%s'\n", buf);
	print_status("fork", st);

	/* vfork + execve of ourselves. */
	cargv[2] = "vfork";
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execve("/proc/self/exe", cargv, environ);
		_exit(127);
	}
	CHECK(pid > 0, "vfork");
	waitpid(pid, &st, 0);
	print_status("vfork+execve", st);

	/* posix_spawn of ourselves. */
	cargv[2] = "spawn";
	fflush(stdout);
	CHECK(!posix_spawn(&pid, "/proc/self/exe", NULL, NULL, cargv, environ),
	      "posix_spawn");
	waitpid(pid, &st, 0);
	print_status("posix_spawn", st);
}

static int child_main(const char *what)
{
	char exe[4096], comm[17] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	exe[n > 0 ? n : 0] = '\0';
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	printf("child %s: argv0=nusetest-child exe=%s comm=%s socket=%s\n",
	       what, base(exe), comm, fd >= 0 ? "ok" : errname(errno));
	return strcmp(what, "vfork") ? 5 : 7;
}

/* --- sockets ------------------------------------------------------------- */

#define TCP_BYTES (1 << 20)

struct tcp_srv {
	int lfd;
	uint32_t sum;
	size_t n;
};

static void *tcp_server(void *p)
{
	struct tcp_srv *s = p;
	static unsigned char buf[65536];
	uint32_t h = 2166136261u;
	int fd = accept(s->lfd, NULL, NULL);
	ssize_t r;

	if (fd < 0)
		return NULL;
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
		h = fnv(h, buf, r);
		s->n += r;
	}
	s->sum = h;
	send(fd, &h, sizeof(h), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

static void test_tcp(int family)
{
	const char *name = family == AF_INET ? "tcp 127.0.0.1" : "tcp ::1";
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	struct tcp_srv srv = { 0 };
	static unsigned char data[TCP_BYTES];
	uint32_t h = 2166136261u, back = 0;
	pthread_t t;
	int one = 1, cfd;

	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	srv.lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv.lfd < 0 || bind(srv.lfd, (struct sockaddr *)&ss, len)) {
		printf("%s: unavailable (%s)\n", name, errname(errno));
		if (srv.lfd >= 0)
			close(srv.lfd);
		return;
	}
	setsockopt(srv.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK(!listen(srv.lfd, 8), "listen");
	CHECK(!getsockname(srv.lfd, (struct sockaddr *)&ss, &len),
	      "getsockname");
	pthread_create(&t, NULL, tcp_server, &srv);

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + (i >> 9));
	h = fnv(h, data, sizeof(data));
	cfd = socket(family, SOCK_STREAM, 0);
	CHECK(!connect(cfd, (struct sockaddr *)&ss, len), "connect");
	CHECK(!setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)),
	      "TCP_NODELAY");
	{
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);

		CHECK(!getpeername(cfd, (struct sockaddr *)&peer, &plen) &&
			      plen == len && !memcmp(&peer, &ss, len),
		      "getpeername");
	}
	/* Mix write, send, writev and sendmsg. */
	{
		size_t q = sizeof(data) / 4;
		struct iovec iov[2] = { { data + q, q / 2 },
					{ data + q + q / 2, q - q / 2 } };
		struct msghdr mh = { 0 };
		struct iovec iv = { data + 3 * q, sizeof(data) - 3 * q };

		CHECK(write_all(cfd, data, q) == (ssize_t)q, "write");
		CHECK(send(cfd, data + q, 0, 0) == 0, "send 0");
		CHECK(writev(cfd, iov, 2) == (ssize_t)q, "writev");
		CHECK(write_all(cfd, data + 2 * q, q) == (ssize_t)q, "write");
		mh.msg_iov = &iv;
		mh.msg_iovlen = 1;
		CHECK(sendmsg(cfd, &mh, 0) == (ssize_t)iv.iov_len, "sendmsg");
	}
	CHECK(!shutdown(cfd, SHUT_WR), "shutdown");
	CHECK(read_all(cfd, &back, sizeof(back)) == sizeof(back), "read sum");
	pthread_join(t, NULL);
	close(cfd);
	close(srv.lfd);
	printf("%s: %zu bytes, checksum %s\n", name, srv.n,
	       srv.sum == h && back == h ? "ok" : "MISMATCH");
}

static void test_udp(int family)
{
	const char *name = family == AF_INET ? "udp 127.0.0.1" : "udp ::1";
	struct sockaddr_storage a = { 0 }, b, from;
	socklen_t alen, blen, flen;
	int sa, sb, ok = 0;

	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&a;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		alen = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		alen = sizeof(*s);
	}
	b = a;
	blen = alen;
	sa = socket(family, SOCK_DGRAM, 0);
	sb = socket(family, SOCK_DGRAM, 0);
	if (sa < 0 || sb < 0 || bind(sa, (struct sockaddr *)&a, alen) ||
	    bind(sb, (struct sockaddr *)&b, blen)) {
		printf("%s: unavailable (%s)\n", name, errname(errno));
		goto out;
	}
	getsockname(sa, (struct sockaddr *)&a, &alen);
	getsockname(sb, (struct sockaddr *)&b, &blen);
	for (int i = 0; i < 100; i++) {
		char msg[64], in[64];
		int n = snprintf(msg, sizeof(msg), "datagram %d", i);
		ssize_t r;

		if (sendto(sa, msg, n, 0, (struct sockaddr *)&b, blen) != n)
			break;
		flen = sizeof(from);
		r = recvfrom(sb, in, sizeof(in), 0, (struct sockaddr *)&from,
			     &flen);
		if (r != n || memcmp(in, msg, n) || flen != alen ||
		    memcmp(&from, &a, alen))
			break;
		ok++;
	}
	/* connect + send/recv, and sendmmsg/recvmmsg. */
	{
		struct mmsghdr mm[4];
		struct iovec iov[4];
		char bufs[4][16];
		int got;

		CHECK(!connect(sa, (struct sockaddr *)&b, blen), "udp connect");
		for (int i = 0; i < 4; i++) {
			snprintf(bufs[i], sizeof(bufs[i]), "mmsg %d", i);
			iov[i] = (struct iovec){ bufs[i], strlen(bufs[i]) };
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		CHECK(sendmmsg(sa, mm, 4, 0) == 4, "sendmmsg");
		memset(bufs, 0, sizeof(bufs));
		for (int i = 0; i < 4; i++)
			iov[i].iov_len = sizeof(bufs[i]);
		got = 0;
		while (got < 4) {
			int r = recvmmsg(sb, mm + got, 4 - got, 0, NULL);

			if (r <= 0)
				break;
			got += r;
		}
		printf("%s: %d/100 sendto/recvfrom, sendmmsg/recvmmsg %d '%s' '%s'\n",
		       name, ok, got, bufs[0], bufs[3]);
		CHECK(send(sa, "xyz", 3, 0) == 3, "udp send");
		CHECK(recv(sb, bufs[0], sizeof(bufs[0]), 0) == 3, "udp recv");
	}
out:
	if (sa >= 0)
		close(sa);
	if (sb >= 0)
		close(sb);
}

static void test_unix(void)
{
	int sv[2], dv[2], p[2], got = -1;
	char buf[64] = "", c = 0;
	struct msghdr mh = { 0 };
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct cmsghdr *ch;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair stream");
	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM, 0, dv), "socketpair dgram");
	CHECK(write(dv[0], "one", 3) == 3 && write(dv[0], "two!", 4) == 4,
	      "dgram write");
	printf("unix dgram: %zd %zd\n", read(dv[1], buf, sizeof(buf)),
	       read(dv[1], buf, sizeof(buf)));

	/* Pass a pipe's read end over the stream pair. */
	CHECK(!pipe(p), "pipe");
	memset(&cm, 0, sizeof(cm));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	ch = CMSG_FIRSTHDR(&mh);
	ch->cmsg_level = SOL_SOCKET;
	ch->cmsg_type = SCM_RIGHTS;
	ch->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(ch), &p[0], sizeof(int));
	c = 'F';
	CHECK(sendmsg(sv[0], &mh, 0) == 1, "sendmsg SCM_RIGHTS");
	close(p[0]);
	memset(&cm, 0, sizeof(cm));
	c = 0;
	mh.msg_controllen = sizeof(cm.buf);
	CHECK(recvmsg(sv[1], &mh, 0) == 1, "recvmsg SCM_RIGHTS");
	ch = CMSG_FIRSTHDR(&mh);
	if (ch && ch->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(ch), sizeof(int));
	CHECK(write(p[1], "via passed fd", 13) == 13, "pipe write");
	memset(buf, 0, sizeof(buf));
	printf("unix scm_rights: byte %c, passed fd reads '%s'\n", c,
	       got >= 0 && read(got, buf, sizeof(buf) - 1) > 0 ? buf :
								 "(nothing)");
	if (got >= 0)
		close(got);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(dv[0]);
	close(dv[1]);
}

/* --- readiness ----------------------------------------------------------- */

static void test_poll_select(void)
{
	int p[2], r0, r1, s0;
	struct pollfd pf;
	fd_set rs;
	struct timeval tv = { 0, 0 };
	struct timespec ts = { 0, 1000000 };

	CHECK(!pipe(p), "pipe");
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	r0 = poll(&pf, 1, 0);
	CHECK(write(p[1], "z", 1) == 1, "write");
	r1 = poll(&pf, 1, 1000);
	printf("poll: empty %d, ready %d revents %s\n", r0, r1,
	       pf.revents == POLLIN ? "POLLIN" : "other");
	pf.revents = 0;
	printf("ppoll: ready %d\n", ppoll(&pf, 1, &ts, NULL));
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	s0 = select(p[0] + 1, &rs, NULL, NULL, &tv);
	printf("select: ready %d isset %d\n", s0, FD_ISSET(p[0], &rs) ? 1 : 0);
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	printf("pselect: ready %d\n",
	       pselect(p[0] + 1, &rs, NULL, NULL, &ts, NULL));
	close(p[0]);
	close(p[1]);
}

static int ewait(int ep)
{
	struct epoll_event ev[4];

	return epoll_wait(ep, ev, 4, 0);
}

static void test_epoll(void)
{
	int sv[2], ep, lt[2], et[3], os[3];
	struct epoll_event ev = { 0 };
	char buf[8];

	/* Level-triggered: stays ready until drained. */
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
	      "socketpair");
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1122334455667788ull;
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev), "epoll_ctl add");
	CHECK(write(sv[0], "ab", 2) == 2, "write");
	lt[0] = ewait(ep);
	lt[1] = ewait(ep);
	{
		struct epoll_event out;

		CHECK(epoll_wait(ep, &out, 1, 0) == 1 &&
			      out.data.u64 == 0x1122334455667788ull,
		      "epoll data");
	}
	CHECK(read(sv[1], buf, sizeof(buf)) == 2, "read");
	printf("epoll level: %d %d, drained %d\n", lt[0], lt[1], ewait(ep));

	/* Edge-triggered: one report per new arrival. */
	ev.events = EPOLLIN | EPOLLET;
	CHECK(!epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &ev), "epoll_ctl mod et");
	CHECK(write(sv[0], "c", 1) == 1, "write");
	et[0] = ewait(ep);
	et[1] = ewait(ep);
	CHECK(write(sv[0], "d", 1) == 1, "write");
	et[2] = ewait(ep);
	printf("epoll edge: %d %d %d\n", et[0], et[1], et[2]);
	while (read(sv[1], buf, sizeof(buf)) > 0)
		;

	/* One-shot: disarmed after one report until EPOLL_CTL_MOD. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	CHECK(!epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &ev),
	      "epoll_ctl mod oneshot");
	CHECK(write(sv[0], "e", 1) == 1, "write");
	os[0] = ewait(ep);
	os[1] = ewait(ep);
	CHECK(!epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &ev), "epoll_ctl rearm");
	os[2] = ewait(ep);
	printf("epoll oneshot: %d %d rearmed %d\n", os[0], os[1], os[2]);

	/* epoll_pwait with a mask, and a blocking wait woken by a thread-free write. */
	{
		sigset_t m;
		struct epoll_event out;

		sigemptyset(&m);
		printf("epoll_pwait: %d\n", epoll_pwait(ep, &out, 1, 0, &m));
	}
	CHECK(!epoll_ctl(ep, EPOLL_CTL_DEL, sv[1], NULL), "epoll_ctl del");
	printf("epoll deleted: %d\n", ewait(ep));
	close(ep);
	close(sv[0]);
	close(sv[1]);
}

/* --- error paths: -1 and the right errno, as natively ------------------- */

#define ERR(call) ((call) < 0 ? errname(errno) : "no error")

static void test_errors(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int p[2], sv[2], s, one = 1;
	void *volatile nowhere = NULL;
	char c;

	CHECK(!pipe(p), "pipe");
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	printf("errno close(-1): %s\n", ERR(close(-1)));
	printf("errno socket(bad family): %s\n",
	       ERR(socket(12345, SOCK_STREAM, 0)));
	printf("errno recv(pipe): %s\n", ERR(recv(p[0], &c, 1, 0)));
	printf("errno recv(empty, MSG_DONTWAIT): %s\n",
	       ERR(recv(sv[0], &c, 1, MSG_DONTWAIT)));
	printf("errno setsockopt(bad option): %s\n",
	       ERR(setsockopt(sv[0], SOL_SOCKET, 12345, &one, sizeof(one))));
	CHECK(write(p[1], "x", 1) == 1, "write");
	printf("errno read(NULL buffer): %s\n", ERR(read(p[0], nowhere, 1)));

	s = socket(AF_INET, SOCK_STREAM, 0);
	printf("errno getpeername(unconnected): %s\n",
	       ERR(getpeername(s, (struct sockaddr *)&a, &len)));
	printf("errno accept(not listening): %s\n", ERR(accept(s, NULL, NULL)));
	/* A port nobody listens on: bind one, then close it unlistened. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(!bind(s, (struct sockaddr *)&a, sizeof(a)), "bind");
	len = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	printf("errno connect(closed port): %s\n",
	       ERR(connect(s, (struct sockaddr *)&a, sizeof(a))));
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr =
		htonl(0xc0000201); /* 192.0.2.1: TEST-NET-1, not ours */
	printf("errno bind(foreign address): %s\n",
	       ERR(bind(s, (struct sockaddr *)&a, sizeof(a))));
	close(s);

	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	printf("errno write(pipe without reader): %s\n",
	       ERR(write(p[1], "x", 1)));
	close(sv[1]);
	printf("errno send(peer closed): %s\n", ERR(send(sv[0], "x", 1, 0)));
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
	close(sv[0]);
}

/* --- io_uring ------------------------------------------------------------ */

static void test_io_uring(void)
{
	/* struct io_uring_params is 120 bytes; zeroed asks for defaults. */
	unsigned char params[120] = { 0 };
	long r = syscall(SYS_io_uring_setup, 1, params);

	if (r >= 0) {
		printf("io_uring_setup: ok (ENOSYS expected under nuse)\n");
		close((int)r);
	} else {
		printf("io_uring_setup: %s (ENOSYS expected under nuse)\n",
		       errname(errno));
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (argc == 3 && !strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--kill")) {
		signal(atoi(argv[2]), SIG_DFL);
		raise(atoi(argv[2]));
		return 99;
	}
	if (argc == 3 && !strcmp(argv[1], "--child"))
		return child_main(argv[2]);

	test_identity(argv);
	test_threads();
	test_signals();
	test_processes();
	test_tcp(AF_INET);
	test_tcp(AF_INET6);
	test_udp(AF_INET);
	test_udp(AF_INET6);
	test_unix();
	test_poll_select();
	test_epoll();
	test_errors();
	test_io_uring();
	printf("result: %s (%d failures)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
