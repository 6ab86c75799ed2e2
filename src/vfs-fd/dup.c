// SPDX-License-Identifier: GPL-2.0
/*
 * dup, dup2, dup3, F_DUPFD(_CLOEXEC), and fcntl on stack sockets.  The
 * host duplicates the placeholder (number allocation, close-on-exec and
 * dup2's implicit close are then the host's own), the stack duplicates
 * the socket, so both descriptors share one open socket like on Linux.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define F_DUPFD_ 0
#define F_GETFD_ 1
#define F_SETFD_ 2
#define F_DUPFD_CLOEXEC_ 1030

/* The host made newfd a copy of oldfd's placeholder: give it a socket. */
static long bind_copy(long oldfd, long newfd)
{
	int sfd = vfs_lookup(oldfd);
	long nsfd;

	if (newfd < 0 || newfd == oldfd)
		return newfd;
	/* whatever newfd stood for was closed by the host's dup2 */
	vfs_forget(newfd);
	if (sfd < 0)
		return newfd;
	nsfd = stack(SYS_dup, sfd);
	if (nsfd >= 0 && vfs_bind(newfd, (int)nsfd) == 0)
		return newfd;
	if (nsfd >= 0)
		stack(SYS_close, nsfd);
	host(SYS_close, newfd);
	return nsfd < 0 ? nsfd : -EMFILE;
}

/* SYS_dup, SYS_dup2, SYS_dup3 and fcntl's F_DUPFD (nr = SYS_fcntl). */
long vfs_dup(long nr, long oldfd, long newfd, long flags)
{
	long r;

	switch (nr) {
	case SYS_dup:
		r = host(SYS_dup, oldfd);
		break;
	case SYS_fcntl:
		r = host(SYS_fcntl, oldfd, flags, newfd);
		break;
	default:
		r = host(nr, oldfd, newfd, flags);
		break;
	}
	return bind_copy(oldfd, r);
}

long vfs_fcntl(int sfd, long fd, long cmd, long arg)
{
	switch (cmd) {
	case F_DUPFD_:
	case F_DUPFD_CLOEXEC_:
		return vfs_dup(SYS_fcntl, fd, arg, cmd);
	case F_GETFD_:
	case F_SETFD_:
		return host(SYS_fcntl, fd, cmd,
			    arg); /* the placeholder's flag */
	default:
		/* F_GETFL/F_SETFL (O_NONBLOCK), F_SETOWN, ...: the socket's */
		return stack(SYS_fcntl, sfd, cmd, arg);
	}
}
