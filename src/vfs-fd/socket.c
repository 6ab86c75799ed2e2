// SPDX-License-Identifier: GPL-2.0
/*
 * Creating and closing stack sockets.  Internet sockets (AF_INET,
 * AF_INET6), packet sockets and networking netlink are the stack's;
 * AF_UNIX and the rest stay on the host.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define AF_INET_ 2
#define AF_INET6_ 10
#define AF_NETLINK_ 16
#define AF_PACKET_ 17
#define SOCK_CLOEXEC_ 02000000
#define CLOSE_RANGE_UNSHARE_ 2
#define CLOSE_RANGE_CLOEXEC_ 4

/*
 * Netlink families that configure or inspect networking (iproute2's
 * rtnetlink and sock_diag, glibc's getaddrinfo and if_nameindex) belong
 * to the program's stack; the rest (audit, uevents, connector, ...) are
 * about the host and stay there.
 */
static bool stack_netlink(long proto)
{
	switch (proto) {
	case 0:  /* NETLINK_ROUTE */
	case 4:  /* NETLINK_SOCK_DIAG */
	case 6:  /* NETLINK_XFRM */
	case 10: /* NETLINK_FIB_LOOKUP */
	case 12: /* NETLINK_NETFILTER */
	case 16: /* NETLINK_GENERIC */
		return true;
	}
	return false;
}

static bool stack_domain(long domain, long proto)
{
	switch (domain) {
	case AF_INET_:
	case AF_INET6_:
	case AF_PACKET_:
		return true;
	case AF_NETLINK_:
		return stack_netlink(proto);
	}
	return false;
}

long vfs_socket(long domain, long type, long proto)
{
	long sfd;

	if (!stack_domain(domain, proto))
		return host(SYS_socket, domain, type, proto);
	/* close-on-exec belongs to the placeholder, not to the stack */
	sfd = stack(SYS_socket, domain, type & ~SOCK_CLOEXEC_, proto);
	if (sfd < 0)
		return sfd;
	return vfs_install((int)sfd, type & SOCK_CLOEXEC_);
}

/*
 * The host number first, as Linux takes the descriptor before it dequeues
 * a connection: at the descriptor limit accept fails with EMFILE and the
 * connection stays queued, instead of being accepted and then dropped.
 */
long vfs_accept(int sfd, long addr, long len, long flags)
{
	long fd = vfs_reserve(flags & SOCK_CLOEXEC_), nsfd, r;

	if (fd < 0)
		return fd;
	nsfd = stack(SYS_accept4, sfd, addr, len, flags & ~SOCK_CLOEXEC_);
	if (nsfd < 0) {
		host(SYS_close, fd);
		return nsfd;
	}
	r = vfs_bind(fd, (int)nsfd);
	if (r) {
		host(SYS_close, fd);
		stack(SYS_close, nsfd);
		return r;
	}
	return fd;
}

/*
 * The mapping goes before the host number is freed: once it is, another
 * thread may get the same number for a new socket, and dropping the
 * mapping afterwards would drop that socket's.
 */
long vfs_close(long fd)
{
	vfs_forget(fd);
	return host(SYS_close, fd);
}

long vfs_close_range(long first, long last, long flags)
{
	unsigned long fd;

	/* invalid calls fail on the host with nothing forgotten */
	if ((flags & ~(CLOSE_RANGE_UNSHARE_ | CLOSE_RANGE_CLOEXEC_)) ||
	    (unsigned int)first > (unsigned int)last)
		return host(SYS_close_range, first, last, flags);
	/* With CLOSE_RANGE_CLOEXEC the placeholders carry the flag alone. */
	if (!(flags & CLOSE_RANGE_CLOEXEC_))
		for (fd = (unsigned int)first;
		     fd <= (unsigned int)last && fd < NUSE_VFS_MAX_FD; fd++)
			vfs_forget(fd);
	return host(SYS_close_range, first, last, flags);
}
