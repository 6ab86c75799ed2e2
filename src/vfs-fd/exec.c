// SPDX-License-Identifier: GPL-2.0
/*
 * Across execve: the new image gets the table of stack descriptors in a
 * memfd the old one fills just before the call.  Placeholders the host
 * closed at exec (O_CLOEXEC) tell which stack descriptors to close.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

struct saved_fd {
	int fd; /* placeholder (or host epoll) number */
	int sfd; /* stack descriptor */
	int epoll; /* 1: the stack epoll beside host epoll fd */
	int pad;
	unsigned long dev, ino; /* the placeholder's, to know it again */
};

struct host_stat {
	unsigned long dev, ino;
	char rest[128];
};

#define MFD_CLOEXEC_ 1

static long put(long mfd, int fd, int sfd, int epoll)
{
	struct host_stat st;
	struct saved_fd e = { fd, sfd, epoll, 0, 0, 0 };

	if (host(SYS_fstat, fd, &st))
		return 0; /* not open: nothing to carry */
	e.dev = st.dev;
	e.ino = st.ino;
	return host(SYS_write, mfd, &e, sizeof(e)) == sizeof(e) ? 0 : -ENOMEM;
}

long nuse_vfs_save(void)
{
	long mfd = host(SYS_memfd_create, "nuse-vfs", 0), r = 0;

	if (mfd < 0)
		return mfd;
	for (int fd = 0; fd < NUSE_VFS_MAX_FD && !r; fd++) {
		int s = vfs_lookup(fd);

		if (s >= 0)
			r = put(mfd, fd, s, 0);
		s = vfs_shadow(fd);
		if (s >= 0 && !r)
			r = put(mfd, fd, s, 1);
	}
	if (!r)
		r = host(SYS_lseek, mfd, 0, 0 /* SEEK_SET */);
	if (r) {
		host(SYS_close, mfd);
		return r;
	}
	return mfd;
}

void nuse_vfs_restore(long mfd)
{
	struct saved_fd e;
	struct host_stat st;

	while (host(SYS_read, mfd, &e, sizeof(e)) == sizeof(e)) {
		bool same = !host(SYS_fstat, e.fd, &st) && st.dev == e.dev &&
			    st.ino == e.ino;

		if (!same)
			stack(SYS_close, e.sfd); /* closed by the exec */
		else if (e.epoll)
			vfs_shadow_set(e.fd, e.sfd);
		else
			vfs_bind(e.fd, e.sfd);
	}
	host(SYS_close, mfd);
}
