// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-hello: a program that embeds Linux's network stack (libnuse) and
 * serves HTTP on it. It boots the stack in its own process, attaches one
 * link (a TAP, a packet socket or a shm ring: the --iface syntax of
 * nuse-exec and nuse-node), then answers N requests on its own sockets;
 * the host kernel never sees a socket of it.
 *
 *   cc -o nuse-hello nuse-hello.c $(pkg-config --cflags --libs nuse)
 *   ip tuntap add dev nt0 mode tap vnet_hdr && ip addr add 10.0.0.1/24 dev nt0
 *   ip link set nt0 up
 *   ./nuse-hello tap:nt0,ip=10.0.0.2/24 8080 1 &  curl http://10.0.0.2:8080/
 *
 * docs/library.md describes the API it uses.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nuse/attach.h>
#include <nuse/stack.h>

/* The stack's system calls: Linux numbers and arguments, -errno on error. */
#define S(n, a0, a1, a2) \
	nuse_sys(SYS_##n, (long)(a0), (long)(a1), (long)(a2), 0, 0, 0)

static int fail(const char *what, long err)
{
	fprintf(stderr, "nuse-hello: %s: %s\n", what, strerror((int)-err));
	return 1;
}

/* Read a request up to its blank line, answer it, close. */
static void serve(long c, const char *cc)
{
	char req[2048], body[256], resp[512];
	long n, got = 0;
	int blen, rlen;

	while (got < (long)sizeof(req) - 1) {
		n = S(read, c, req + got, sizeof(req) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	blen = snprintf(body, sizeof(body),
			"hello from Linux's network stack in process %d (%s)\n",
			(int)getpid(), cc);
	rlen = snprintf(resp, sizeof(resp),
			"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
			"Content-Length: %d\r\nConnection: close\r\n\r\n%s",
			blen, body);
	S(write, c, resp, rlen);
	S(close, c, 0, 0);
}

int main(int argc, char **argv)
{
	struct nuse_boot_params bp = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct nuse_attach *link;
	struct nuse_iface ifc;
	char err[256], cc[32] = "?";
	int port, conns, i, one = 1;
	long fd, r;

	if (argc != 4) {
		fprintf(stderr,
			"usage: nuse-hello BACKEND:SPEC,ip=A/L PORT CONNECTIONS\n");
		return 2;
	}
	port = atoi(argv[2]);
	conns = atoi(argv[3]);
	if (nuse_iface_parse(argv[1], &ifc, err, sizeof(err))) {
		fprintf(stderr, "nuse-hello: %s\n", err);
		return 2;
	}

	/* 1. one stack per process: boot it (default memory, no sysctls),
	 * copying our buffers without a system call per copy */
	if (nuse_direct_copies())
		return fail("nuse_direct_copies", -errno);
	r = nuse_boot(&bp);
	if (r < 0)
		return fail("boot", r);
	/* 2. a link: backend opened, device added, address set, link up */
	r = nuse_attach(&link, &ifc, NULL, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "nuse-hello: %s\n", err);
		return 1;
	}
	nuse_sysctl_get("net.ipv4.tcp_congestion_control", cc, sizeof(cc));
	cc[strcspn(cc, "\n")] = '\0';

	/* 3. sockets of the stack, through its system calls */
	fd = S(socket, AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", fd);
	nuse_sys(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, (long)&one,
		 sizeof(one), 0);
	sin.sin_port = htons(port);
	r = S(bind, fd, &sin, sizeof(sin));
	if (r < 0)
		return fail("bind", r);
	r = S(listen, fd, 16, 0);
	if (r < 0)
		return fail("listen", r);
	printf("nuse-hello: %s is %s, listening on port %d\n",
	       nuse_attach_name(link), argv[1], port);
	fflush(stdout);

	for (i = 0; i < conns; i++) {
		long c = S(accept4, fd, 0, 0);

		if (c < 0)
			return fail("accept", c);
		serve(c, cc);
	}
	S(close, fd, 0, 0);

	/* 4. let TCP deliver what the closed sockets left, then stop */
	for (i = 0; i < 100 && nuse_tcp_pending() > 0; i++)
		usleep(20000);
	nuse_detach(link);
	nuse_halt();
	printf("nuse-hello: served %d\n", conns);
	return 0;
}
