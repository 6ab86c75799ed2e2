// SPDX-License-Identifier: GPL-2.0
/*
 * Creating and closing stack sockets.  Internet sockets (AF_INET,
 * AF_INET6) are the stack's; AF_UNIX, netlink and the rest stay on the
 * host.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define AF_INET_ 2
#define AF_INET6_ 10
#define SOCK_CLOEXEC_ 02000000
#define CLOSE_RANGE_CLOEXEC_ 4

long vfs_socket(long domain, long type, long proto)
{
	long sfd;

	if (domain != AF_INET_ && domain != AF_INET6_)
		return host(SYS_socket, domain, type, proto);
	/* close-on-exec belongs to the placeholder, not to the stack */
	sfd = stack(SYS_socket, domain, type & ~SOCK_CLOEXEC_, proto);
	if (sfd < 0)
		return sfd;
	return vfs_install((int)sfd, type & SOCK_CLOEXEC_);
}

long vfs_accept(int sfd, long addr, long len, long flags)
{
	long nsfd = stack(SYS_accept4, sfd, addr, len, flags & ~SOCK_CLOEXEC_);

	if (nsfd < 0)
		return nsfd;
	return vfs_install((int)nsfd, flags & SOCK_CLOEXEC_);
}

long vfs_close(long fd)
{
	long r = host(SYS_close, fd);

	/* Linux frees the number even when close reports an error. */
	if (r != -EBADF)
		vfs_forget(fd);
	return r;
}

long vfs_close_range(long first, long last, long flags)
{
	long r = host(SYS_close_range, first, last, flags);
	unsigned long fd;

	/* With CLOSE_RANGE_CLOEXEC the placeholders carry the flag alone. */
	if (r || (flags & CLOSE_RANGE_CLOEXEC_))
		return r;
	for (fd = first; fd <= (unsigned long)last && fd < NUSE_VFS_MAX_FD;
	     fd++)
		vfs_forget(fd);
	return 0;
}
