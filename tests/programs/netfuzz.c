// SPDX-License-Identifier: GPL-2.0
/*
 * netfuzz: a small seeded fuzzer of the network system calls, and the
 * TCP check a fuzz run ends with.  It complements trinity (Debian's
 * syscall fuzzer) where trinity cannot run meaningfully (unotify, see
 * docs/fuzz.md) and runs beside it everywhere else.
 *
 *   netfuzz fuzz SEED SECONDS [PROCS]   PROCS processes (default 2), each
 *                                       making random network calls with
 *                                       random arguments for SECONDS
 *   netfuzz tcp                         a fresh TCP connection on
 *                                       127.0.0.1 carries 64 KiB exactly
 *   netfuzz blocked PORT                one process blocked in accept(),
 *                                       another in recv() on a connection:
 *                                       each prints how its call ended
 *
 * Every socket is non-blocking and every receive has MSG_DONTWAIT, so no
 * call can wait for ever: a hang is the stack's.  The calls are those
 * of the x86-64 ABI on Internet, packet and networking netlink sockets,
 * with pointers that are sometimes bad (NULL, unmapped, read-only) and
 * lengths that are sometimes wrong.  Per-call counts go to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NFDS 24

enum call {
	C_SOCKET,
	C_BIND,
	C_CONNECT,
	C_LISTEN,
	C_ACCEPT,
	C_SENDTO,
	C_RECVFROM,
	C_SENDMSG,
	C_RECVMSG,
	C_SETSOCKOPT,
	C_GETSOCKOPT,
	C_SHUTDOWN,
	C_GETNAME,
	C_IOCTL,
	C_POLL,
	C_EPOLL,
	C_NETLINK,
	C_DUP,
	C_CLOSE,
	C_MAX
};

static const char *const call_name[C_MAX] = {
	"socket",     "bind",	     "connect",	 "listen",  "accept4",
	"sendto",     "recvfrom",    "sendmsg",	 "recvmsg", "setsockopt",
	"getsockopt", "shutdown",    "getname",	 "ioctl",   "poll",
	"epoll",      "netlink-msg", "dup",	 "close",
};

static long calls[C_MAX], oks[C_MAX];
static uint64_t rng;
static int fds[NFDS];
static unsigned char *ro_page, *buf;

static uint64_t rnd(void)
{
	/* xorshift64*: small, seeded, the same sequence on every run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static int pick_fd(void)
{
	int fd = fds[below(NFDS)];

	/* now and then a number that is no socket, or none at all */
	switch (below(40)) {
	case 0:
		return -1;
	case 1:
		return 1; /* stdout, the host's */
	case 2:
		return 1000;
	}
	return fd;
}

/* A buffer pointer: mostly good, sometimes NULL, unmapped or read-only. */
static void *ptr(int writable)
{
	switch (below(24)) {
	case 0:
		return NULL;
	case 1:
		return (void *)8;
	case 2:
		return writable ? (void *)ro_page : (void *)(uintptr_t)-4096;
	}
	return buf + below(64);
}

static unsigned int len(unsigned int max)
{
	switch (below(16)) {
	case 0:
		return 0;
	case 1:
		return 0x7fffffff;
	case 2:
		return 1 + below(65536);
	}
	return below(max + 1);
}

static const int ports[] = { 7000, 7001, 7002, 0 };

/* A socket address, usually one this stack can use. */
static socklen_t addr(struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	switch (below(6)) {
	case 0:
	case 1: {
		struct sockaddr_in *in = (void *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(ports[below(4)]);
		in->sin_addr.s_addr = below(4) ? htonl(INADDR_LOOPBACK) :
						 (in_addr_t)rnd();
		return below(8) ? sizeof(*in) : below(sizeof(*ss));
	}
	case 2:
	case 3: {
		struct sockaddr_in6 *in6 = (void *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(ports[below(4)]);
		if (below(4))
			in6->sin6_addr = in6addr_loopback;
		else
			memcpy(&in6->sin6_addr, buf, 16);
		in6->sin6_scope_id = below(4) ? 0 : below(3);
		return below(8) ? sizeof(*in6) : below(sizeof(*ss));
	}
	case 4: {
		struct sockaddr_nl *nl = (void *)ss;

		nl->nl_family = AF_NETLINK;
		nl->nl_pid = below(2) ? 0 : (uint32_t)rnd();
		nl->nl_groups = below(2) ? 0 : (uint32_t)rnd();
		return sizeof(*nl);
	}
	default: {
		struct sockaddr_ll *ll = (void *)ss;

		ll->sll_family = AF_PACKET;
		ll->sll_protocol = htons(below(2) ? 0x0800 : (uint16_t)rnd());
		ll->sll_ifindex = (int)below(4);
		ll->sll_halen = (unsigned char)below(9);
		return below(8) ? sizeof(*ll) : below(sizeof(*ss));
	}
	}
}

static void new_socket(int slot)
{
	static const int domains[] = { AF_INET, AF_INET6, AF_PACKET,
				       AF_NETLINK };
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW,
				     SOCK_SEQPACKET, SOCK_PACKET };
	static const int nl_protos[] = { NETLINK_ROUTE, NETLINK_SOCK_DIAG,
					 NETLINK_GENERIC, NETLINK_XFRM };
	int domain = domains[below(4)], type = types[below(5)], proto = 0;
	int fd;

	if (domain == AF_NETLINK) {
		type = below(2) ? SOCK_RAW : SOCK_DGRAM;
		proto = nl_protos[below(4)];
	} else if (type == SOCK_RAW && domain != AF_PACKET) {
		proto = below(2) ? IPPROTO_ICMP : (int)below(256);
		if (domain == AF_INET6 && below(2))
			proto = IPPROTO_ICMPV6;
	} else if (domain == AF_PACKET) {
		proto = htons(below(2) ? 0x0003 /* ETH_P_ALL */ : 0x0800);
	} else if (below(6) == 0) {
		proto = (int)below(300);
	} else if (type == SOCK_DGRAM && below(3) == 0) {
		proto = IPPROTO_ICMP; /* ping socket */
	}
	calls[C_SOCKET]++;
	fd = socket(domain, type | SOCK_NONBLOCK | (below(2) ? SOCK_CLOEXEC : 0),
		    proto);
	if (fd < 0)
		return;
	oks[C_SOCKET]++;
	if (fds[slot] >= 0)
		close(fds[slot]);
	fds[slot] = fd;
}

static void sockopt(int set)
{
	static const int levels[] = { SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6,
				      IPPROTO_TCP, IPPROTO_UDP, SOL_PACKET,
				      SOL_NETLINK, IPPROTO_ICMPV6, IPPROTO_RAW };
	int level = below(12) ? levels[below(9)] : (int)below(300);
	int name = (int)below(below(4) ? 80 : 256);
	socklen_t l = len(64);
	long r;

	/* a few that take a value the stack must judge */
	if (set && below(3) == 0) {
		int v = below(2) ? (int)below(4) : (int)rnd();

		memcpy(buf, &v, sizeof(v));
	}
	calls[set ? C_SETSOCKOPT : C_GETSOCKOPT]++;
	if (set)
		r = setsockopt(pick_fd(), level, name, ptr(0), l);
	else
		r = getsockopt(pick_fd(), level, name, ptr(1),
			       below(8) ? &l : ptr(1));
	if (r == 0)
		oks[set ? C_SETSOCKOPT : C_GETSOCKOPT]++;
}

/* A netlink request, often a well-formed one the stack answers. */
static void netlink_msg(void)
{
	static const int types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE,
				     RTM_GETNEIGH, RTM_NEWADDR, RTM_NEWROUTE,
				     RTM_DELADDR, RTM_NEWLINK, RTM_GETRULE,
				     RTM_GETQDISC, RTM_GETNETCONF };
	struct nlmsghdr *h = (void *)buf;
	unsigned int n = NLMSG_LENGTH(sizeof(struct ifinfomsg)) +
			 below(3) * 8;
	int fd = pick_fd();

	for (unsigned int i = 0; i < n; i++)
		buf[i] = (unsigned char)rnd();
	h->nlmsg_len = below(8) ? n : (uint32_t)rnd();
	h->nlmsg_type = below(8) ? (uint16_t)types[below(11)] : (uint16_t)rnd();
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST |
				    (below(2) ? (uint16_t)NLM_F_DUMP : (uint16_t)rnd()));
	h->nlmsg_seq = (uint32_t)rnd();
	h->nlmsg_pid = 0;
	calls[C_NETLINK]++;
	if (send(fd, buf, n, MSG_DONTWAIT) >= 0)
		oks[C_NETLINK]++;
	/* drain some of the answer */
	for (int i = 0; i < 4; i++)
		if (recv(fd, buf + 4096, 8192, MSG_DONTWAIT) <= 0)
			break;
}

static void one_call(void)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct msghdr mh;
	struct iovec iov[3];
	long r = -1;
	int c = (int)below(C_MAX), fd;

	/* sockets are the point: make them often */
	if (below(6) == 0)
		c = C_SOCKET;
	fd = pick_fd();
	switch (c) {
	case C_SOCKET:
		new_socket((int)below(NFDS));
		return;
	case C_BIND:
		sl = addr(&ss);
		r = bind(fd, below(16) ? (void *)&ss : ptr(0), sl);
		break;
	case C_CONNECT:
		sl = addr(&ss);
		if (below(10) == 0)
			ss.ss_family = AF_UNSPEC; /* disconnect */
		r = connect(fd, below(16) ? (void *)&ss : ptr(0), sl);
		break;
	case C_LISTEN:
		r = listen(fd, (int)below(8) - 1);
		break;
	case C_ACCEPT:
		sl = sizeof(ss);
		r = accept4(fd, below(4) ? (void *)&ss : ptr(1),
			    below(4) ? &sl : ptr(1),
			    SOCK_NONBLOCK | (below(2) ? SOCK_CLOEXEC : 0));
		if (r >= 0) {
			int slot = (int)below(NFDS);

			if (fds[slot] >= 0)
				close(fds[slot]);
			fds[slot] = (int)r;
		}
		break;
	case C_SENDTO:
		sl = addr(&ss);
		r = sendto(fd, ptr(0), len(4096),
			   MSG_DONTWAIT | MSG_NOSIGNAL |
				   (below(4) ? 0 : (int)(rnd() & 0x8c7)),
			   below(2) ? (void *)&ss : NULL, sl);
		break;
	case C_RECVFROM:
		sl = sizeof(ss);
		r = recvfrom(fd, ptr(1), len(8192),
			     MSG_DONTWAIT | (below(4) ? 0 : (int)(rnd() & 0x4a3)),
			     below(2) ? (void *)&ss : NULL, &sl);
		break;
	case C_SENDMSG:
	case C_RECVMSG:
		memset(&mh, 0, sizeof(mh));
		for (int i = 0; i < 3; i++) {
			iov[i].iov_base = ptr(c == C_RECVMSG);
			iov[i].iov_len = len(2048);
		}
		sl = addr(&ss);
		mh.msg_name = below(2) ? &ss : NULL;
		mh.msg_namelen = c == C_RECVMSG ? sizeof(ss) : sl;
		mh.msg_iov = below(16) ? iov : ptr(0);
		mh.msg_iovlen = below(4);
		if (below(4) == 0) {
			/* ancillary data: random bytes, sometimes a real header */
			struct cmsghdr *cm = (void *)(buf + 2048);

			cm->cmsg_len = CMSG_LEN(below(32));
			cm->cmsg_level = below(2) ? SOL_SOCKET : IPPROTO_IP;
			cm->cmsg_type = (int)below(64);
			mh.msg_control = cm;
			mh.msg_controllen = below(4) ? cm->cmsg_len : len(256);
		}
		if (c == C_SENDMSG)
			r = sendmsg(fd, below(16) ? &mh : ptr(0),
				    MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			r = recvmsg(fd, below(16) ? &mh : ptr(1),
				    MSG_DONTWAIT |
					    (below(4) ? 0 : MSG_ERRQUEUE));
		break;
	case C_SETSOCKOPT:
	case C_GETSOCKOPT:
		sockopt(c == C_SETSOCKOPT);
		return;
	case C_SHUTDOWN:
		r = shutdown(fd, (int)below(4));
		break;
	case C_GETNAME:
		sl = below(4) ? sizeof(ss) : len(256);
		r = below(2) ? getsockname(fd, ptr(1), &sl) :
			       getpeername(fd, (void *)&ss, below(8) ? &sl : ptr(1));
		break;
	case C_IOCTL: {
		static const unsigned long reqs[] = {
			FIONREAD,     SIOCGIFCONF, SIOCGIFINDEX, SIOCGIFFLAGS,
			SIOCSIFFLAGS, SIOCGIFADDR, SIOCGIFMTU,	 SIOCSIFMTU,
			TIOCOUTQ,     FIONREAD,	   SIOCGIFCOUNT,	 SIOCGIFHWADDR,
			SIOCGIFNAME,  SIOCATMARK,  SIOCGSTAMP
		};
		struct ifreq *ifr = (void *)buf;
		unsigned long req = reqs[below(15)];

		memset(ifr, 0, sizeof(*ifr));
		strcpy(ifr->ifr_name, below(2) ? "lo" : "eth0");
		ifr->ifr_ifindex = (int)below(3);
		/* the run ends with a TCP check on lo: keep it up and usable;
		 * no FIONBIO: every socket stays non-blocking */
		if (req == SIOCSIFFLAGS)
			ifr->ifr_flags = (short)(IFF_UP | IFF_RUNNING |
						 IFF_LOOPBACK | (rnd() & 0x7f00));
		if (req == SIOCSIFMTU)
			ifr->ifr_mtu = 1280 + (int)below(64000);
		r = ioctl(fd, req, below(12) ? (void *)buf : ptr(1));
		break;
	}
	case C_POLL: {
		struct pollfd p[4];

		for (int i = 0; i < 4; i++)
			p[i] = (struct pollfd){ pick_fd(), (short)rnd(), 0 };
		r = poll(p, below(5), 0);
		break;
	}
	case C_EPOLL: {
		struct epoll_event ev = { .events = (uint32_t)rnd() };
		int ep = epoll_create1(EPOLL_CLOEXEC);

		if (ep < 0)
			break;
		for (int i = 0; i < 3; i++)
			epoll_ctl(ep, (int)below(3) + 1, pick_fd(), &ev);
		r = epoll_wait(ep, (void *)buf, 8, 0);
		close(ep);
		break;
	}
	case C_NETLINK:
		netlink_msg();
		return;
	case C_DUP:
		r = fcntl(fd, F_DUPFD_CLOEXEC, 30 + below(20));
		if (r >= 0)
			close((int)r);
		break;
	case C_CLOSE: {
		int slot = (int)below(NFDS);

		if (fds[slot] >= 0)
			r = close(fds[slot]);
		fds[slot] = -1;
		break;
	}
	}
	calls[c]++;
	if (r >= 0)
		oks[c]++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fuzz(unsigned long seed, double seconds)
{
	double end = now() + seconds;
	long total = 0;

	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (int i = 0; i < NFDS; i++)
		fds[i] = -1;
	while (now() < end) {
		for (int i = 0; i < 64; i++)
			one_call();
		total += 64;
	}
	printf("netfuzz[%d] seed %lu: %ld calls in %.0f s\n", getpid(), seed,
	       total, seconds);
	for (int c = 0; c < C_MAX; c++)
		printf("  %-12s %8ld calls %8ld ok\n", call_name[c], calls[c],
		       oks[c]);
	fflush(stdout);
	for (int i = 0; i < NFDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
}

/* A fresh connection carries 64 KiB exactly, within 10 s. */
static int tcp_check(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { 10, 0 };
	socklen_t al = sizeof(a);
	static unsigned char out[65536], in[65536];
	int l, c, s;
	size_t got = 0;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + (i >> 8));
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &al)) {
		perror("netfuzz tcp: listener");
		return 1;
	}
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(c, (void *)&a, sizeof(a))) {
		perror("netfuzz tcp: connect");
		return 1;
	}
	s = accept(l, NULL, NULL);
	if (s < 0) {
		perror("netfuzz tcp: accept");
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(c, out, sizeof(out), 0) != (ssize_t)sizeof(out)) {
		perror("netfuzz tcp: send");
		return 1;
	}
	shutdown(c, SHUT_WR);
	while (got < sizeof(in)) {
		ssize_t n = recv(s, in + got, sizeof(in) - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != sizeof(in) || memcmp(in, out, sizeof(in))) {
		fprintf(stderr, "netfuzz tcp: got %zu bytes, %s\n", got,
			got == sizeof(in) ? "different" : "short");
		return 1;
	}
	printf("netfuzz tcp: 65536 bytes over a fresh connection: ok\n");
	return 0;
}

/*
 * The subjects of the keeper's death (tests/fuzz/keeper-kill.sh): a child
 * blocked in accept() on PORT+1, and this process blocked in recv() on a
 * connection to PORT that nobody writes to.  "ready" once both wait.
 */
static int blocked(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = socket(AF_INET, SOCK_STREAM, 0), l2, c, status;
	char b[16];
	pid_t pid;
	ssize_t n;

	a.sin_port = htons((uint16_t)port);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1))
		return 1;
	pid = fork();
	if (pid == 0) {
		l2 = socket(AF_INET, SOCK_STREAM, 0);
		a.sin_port = htons((uint16_t)(port + 1));
		if (l2 < 0 || bind(l2, (void *)&a, sizeof(a)) || listen(l2, 1))
			_exit(1);
		c = accept(l2, NULL, NULL);
		printf("accept: %s\n", c < 0 ? strerror(errno) : "a connection");
		_exit(c < 0 ? 3 : 0);
	}
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (void *)&a, sizeof(a)))
		return 1;
	usleep(200000);
	printf("ready\n");
	n = recv(c, b, sizeof(b), 0);
	printf("recv: %s\n", n < 0 ? strerror(errno) : "data or EOF");
	waitpid(pid, &status, 0);
	return n < 0 ? 3 : 0;
}

int main(int argc, char **argv)
{
	int procs, status, ret = 0;
	unsigned long seed;
	double seconds;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "tcp"))
		return tcp_check();
	if (argc >= 3 && !strcmp(argv[1], "blocked"))
		return blocked(atoi(argv[2]));
	if (argc < 4 || strcmp(argv[1], "fuzz")) {
		fprintf(stderr, "usage: netfuzz fuzz SEED SECONDS [PROCS] | netfuzz tcp\n");
		return 2;
	}
	seed = strtoul(argv[2], NULL, 0);
	seconds = strtod(argv[3], NULL);
	procs = argc > 4 ? atoi(argv[4]) : 2;
	signal(SIGPIPE, SIG_IGN);
	buf = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (buf == MAP_FAILED || ro_page == MAP_FAILED)
		return 1;
	/* the processes share the stack (a session): forked, not exec'd */
	for (int p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(fuzz(seed + (unsigned long)p, seconds));
		if (pid < 0) {
			perror("netfuzz: fork");
			return 1;
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "netfuzz: a child ended with status 0x%x\n",
				status);
			ret = 1;
		}
	return ret;
}
