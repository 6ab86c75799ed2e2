// SPDX-License-Identifier: GPL-2.0
/*
 * Serving one intercepted call for the supervisor modes, and its -vv trace
 * line.  Both modes hand every call to nuse_serve_call(); only the answer
 * differs per mode (ptrace: registers; unotify: the response).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <nuse/vfs.h>

#include "abis.h"
#include "serve-linux.h"
#include "supervise.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#define NR_IO_URING_SETUP 425

/*
 * Name and argument layout of the x86-64 calls in netcalls.  One letter
 * per argument: d int, x hex, p pointer, f address family, w buffer whose
 * length is the next argument, s sockaddr whose length is the next
 * argument, c C string.
 */
struct call_desc {
	const char *name;
	const char *args;
};

#define D(n, a) [SYS_##n] = { #n, a }
static const struct call_desc calls[] = {
	D(socket, "fxd"), D(socketpair, "fxdp"), D(bind, "dsd"),
	D(listen, "dd"), D(accept, "dpp"), D(accept4, "dppx"),
	D(connect, "dsd"), D(getsockname, "dpp"), D(getpeername, "dpp"),
	D(sendto, "dwdxsd"), D(recvfrom, "dpdxpp"), D(sendmsg, "dpx"),
	D(recvmsg, "dpx"), D(sendmmsg, "dpdx"), D(recvmmsg, "dpdxp"),
	D(shutdown, "dd"), D(setsockopt, "dddpd"), D(getsockopt, "dddpp"),
	D(read, "dpd"), D(write, "dwd"), D(readv, "dpd"), D(writev, "dpd"),
	D(sendfile, "ddpd"), D(splice, "dpdpdx"), D(ioctl, "dxp"),
	D(fcntl, "ddx"), D(close, "d"), D(close_range, "ddx"), D(dup, "d"),
	D(dup2, "dd"), D(dup3, "ddx"), D(fstat, "dp"),
	D(newfstatat, "dcpx"), D(poll, "pdd"), D(ppoll, "pdpp"),
	D(select, "dpppp"), D(pselect6, "dppppp"), D(epoll_create, "d"),
	D(epoll_create1, "x"), D(epoll_ctl, "dddp"), D(epoll_wait, "dpdd"),
	D(epoll_pwait, "dpddp"), D(epoll_pwait2, "dpdpp"),
	D(io_uring_setup, "dp"),
};
#undef D

static const struct call_desc *describe(uint32_t arch, long nr)
{
	if (arch != AUDIT_ARCH_X86_64 || nr < 0 ||
	    nr >= (long)(sizeof(calls) / sizeof(calls[0])) || !calls[nr].name)
		return NULL;
	return &calls[nr];
}

const char *nuse_syscall_name(uint32_t arch, long nr)
{
	const struct call_desc *d = describe(arch, nr);

	return d ? d->name : NULL;
}

/* A growing line; output past its end is dropped. */
struct line {
	char buf[512];
	size_t n;
};

static void __attribute__((format(printf, 2, 3)))
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (l->n >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	r = vsnprintf(l->buf + l->n, sizeof(l->buf) - l->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->n += r;
}

static void put_bytes(struct line *l, struct nuse_call *c, unsigned long addr,
		      unsigned long len)
{
	unsigned char b[32];
	long n, i;

	n = c->read_mem(c, b, addr, len < sizeof(b) ? len : sizeof(b));
	if (n < 0) {
		put(l, "%#lx", addr);
		return;
	}
	put(l, "\"");
	for (i = 0; i < n; i++)
		if (b[i] >= ' ' && b[i] < 0x7f && b[i] != '"' && b[i] != '\\')
			put(l, "%c", b[i]);
		else
			put(l, "\\x%02x", b[i]);
	put(l, "\"%s", (unsigned long)n < len ? "..." : "");
}

static void put_string(struct line *l, struct nuse_call *c, unsigned long addr)
{
	char s[64];
	long n;

	n = c->read_mem(c, s, addr, sizeof(s) - 1);
	if (n <= 0) {
		put(l, "%#lx", addr);
		return;
	}
	s[n] = '\0';
	put(l, "\"%s\"", s);
}

static void put_family(struct line *l, int af)
{
	switch (af) {
	case AF_UNIX:
		put(l, "AF_UNIX");
		break;
	case AF_INET:
		put(l, "AF_INET");
		break;
	case AF_INET6:
		put(l, "AF_INET6");
		break;
	case AF_NETLINK:
		put(l, "AF_NETLINK");
		break;
	default:
		put(l, "%d", af);
	}
}

static void put_sockaddr(struct line *l, struct nuse_call *c,
			 unsigned long addr, unsigned long len)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
	} u;
	char a[INET6_ADDRSTRLEN];
	long n;

	memset(&u, 0, sizeof(u));
	if (!addr || len < sizeof(u.sa.sa_family) ||
	    (n = c->read_mem(c, &u, addr, len < sizeof(u) ? len : sizeof(u))) <
		    (long)sizeof(u.sa.sa_family)) {
		put(l, "%#lx", addr);
		return;
	}
	put(l, "{");
	put_family(l, u.sa.sa_family);
	if (u.sa.sa_family == AF_INET && n >= (long)sizeof(u.in))
		put(l, ", %s:%u", inet_ntop(AF_INET, &u.in.sin_addr, a, sizeof(a)),
		    ntohs(u.in.sin_port));
	else if (u.sa.sa_family == AF_INET6 && n >= (long)sizeof(u.in6))
		put(l, ", [%s]:%u",
		    inet_ntop(AF_INET6, &u.in6.sin6_addr, a, sizeof(a)),
		    ntohs(u.in6.sin6_port));
	else if (u.sa.sa_family == AF_UNIX && n > 2)
		put(l, ", \"%.*s\"", (int)(n - 2),
		    u.un.sun_path[0] ? u.un.sun_path : "@");
	put(l, "}");
}

static void log_call(const struct nuse_sup *s, struct nuse_call *c,
		     enum nuse_verdict v)
{
	const struct call_desc *d = describe(c->arch, c->nr);
	struct line l = { .n = 0 };
	int i;

	if (!d) {
		put(&l, "[%d] syscall_%s%ld(%#lx, %#lx, %#lx, ...)", c->tid,
		    c->arch == AUDIT_ARCH_I386 ? "i386_" :
		    c->arch == AUDIT_ARCH_X86_64 ? "x32_" : "",
		    c->nr & ~(long)__X32_SYSCALL_BIT, c->args[0], c->args[1],
		    c->args[2]);
		goto out;
	}
	put(&l, "[%d] %s(", c->tid, d->name);
	for (i = 0; d->args[i]; i++) {
		unsigned long a = c->args[i];

		if (i)
			put(&l, ", ");
		switch (d->args[i]) {
		case 'd':
			put(&l, "%d", (int)a);
			break;
		case 'f':
			put_family(&l, (int)a);
			break;
		case 'w':
			put_bytes(&l, c, a, c->args[i + 1]);
			break;
		case 's':
			put_sockaddr(&l, c, a, c->args[i + 1]);
			break;
		case 'c':
			put_string(&l, c, a);
			break;
		default:
			put(&l, "%#lx", a);
		}
	}
	put(&l, ")");
out:
	/* What nuse answered; a continued call's result is the kernel's. */
	if (v != NUSE_CALL_CONTINUE) {
		if (c->ret < 0 && c->ret > -4096)
			put(&l, " = -1 %s (nuse)", strerrorname_np(-c->ret) ?: "?");
		else
			put(&l, " = %ld (nuse)", c->ret);
	}
	nuse_sup_log(s, 2, "%s", l.buf);
}

/*
 * The filter refuses these already (filter.c); checked again so that no
 * path through the supervisor continues them to the host.
 */
static bool refused(const struct nuse_call *c)
{
	if (c->arch == AUDIT_ARCH_I386)
		return nuse_i386_refused(c->nr);
	if (nuse_x32_refused(c->nr))
		return true;
	/* A ring would do network I/O that no filter sees. */
	return c->nr == NR_IO_URING_SETUP;
}

enum nuse_verdict nuse_serve_call(const struct nuse_sup *s, struct nuse_call *c)
{
	enum nuse_verdict v;

	if (refused(c)) {
		c->ret = -ENOSYS;
		v = NUSE_CALL_RETURN;
	} else if (s->o->stack == NUSE_STACK_HOST) {
		/* probe.h: the call reached nuse; no socket is ours */
		if (c->arch == AUDIT_ARCH_X86_64 && c->nr == NUSE_PROBE_NR) {
			c->ret = NUSE_PROBE_REPLY;
			v = NUSE_CALL_RETURN;
		} else {
			v = nuse_serve_host(s, c);
		}
	} else {
		v = nuse_serve_linux(s, c);
	}
	if (s->o->verbose >= 2)
		log_call(s, c, v);
	return v;
}
