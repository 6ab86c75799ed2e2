// SPDX-License-Identifier: GPL-2.0
/*
 * nuse_vfs_syscall: where a network or descriptor call of the program
 * goes when the in-process stack is selected.  A call naming a stack
 * socket goes to the stack with the same arguments, the socket's host
 * placeholder number replaced by its stack descriptor.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define FIOCLEX_ 0x5451
#define FIONCLEX_ 0x5450

nuse_vfs_host_fn vfs_host_fn;
void *(*vfs_scratch_fn)(unsigned long *size);

void nuse_vfs_init(nuse_vfs_host_fn host_fn, void *(*scratch)(unsigned long *size))
{
	vfs_host_fn = host_fn;
	vfs_scratch_fn = scratch;
	vfs_table_init();
}

#define AT_EMPTY_PATH_ 0x1000

/* struct stat as the stack fills it (asm-generic: the port has no own) */
struct stack_stat {
	unsigned long dev, ino;
	unsigned int mode, nlink, uid, gid;
	unsigned long rdev, pad1;
	long size;
	int blksize, pad2;
	long blocks, atime;
	unsigned long atime_ns;
	long mtime;
	unsigned long mtime_ns;
	long ctime;
	unsigned long ctime_ns;
	unsigned int unused4, unused5;
};

/* struct stat of x86-64, as the program expects it */
struct x86_64_stat {
	unsigned long dev, ino, nlink;
	unsigned int mode, uid, gid, pad0;
	unsigned long rdev;
	long size, blksize, blocks;
	unsigned long atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	long unused[3];
};

_Static_assert(sizeof(struct stack_stat) == 128, "asm-generic struct stat");
_Static_assert(sizeof(struct x86_64_stat) == 144, "x86-64 struct stat");

/*
 * The stack's own stat of the file: a socket's (S_IFSOCK, 0777), or a
 * procfs file's or directory's (opendir checks S_ISDIR).
 */
long vfs_stack_stat(int sfd, long buf)
{
	struct stack_stat ss;
	struct x86_64_stat xs = { 0 };
	long r;

	r = stack(SYS_fstat, sfd, (long)&ss);
	if (r)
		return r;
	xs.dev = ss.dev;
	xs.ino = ss.ino;
	xs.nlink = ss.nlink;
	xs.mode = ss.mode;
	xs.uid = ss.uid;
	xs.gid = ss.gid;
	xs.rdev = ss.rdev;
	xs.size = ss.size;
	xs.blksize = ss.blksize;
	xs.blocks = ss.blocks;
	xs.atime = ss.atime;
	xs.atime_ns = ss.atime_ns;
	xs.mtime = ss.mtime;
	xs.mtime_ns = ss.mtime_ns;
	xs.ctime = ss.ctime;
	xs.ctime_ns = ss.ctime_ns;
	return vfs_copy_out((void *)buf, &xs, sizeof(xs)) ? -EFAULT : 0;
}

static long sock_stat(long fd, long buf)
{
	int sfd = vfs_lookup(fd);

	return sfd < 0 ? -EBADF : vfs_stack_stat(sfd, buf);
}

/* newfstatat(fd, "", buf, AT_EMPTY_PATH) is glibc's fstat. */
static long sock_fstatat(long fd, long path, long buf, long flags)
{
	char c = 1;

	if ((flags & AT_EMPTY_PATH_) && path &&
	    !vfs_copy_in(&c, (void *)path, 1) && !c)
		return sock_stat(fd, buf);
	return host(SYS_newfstatat, fd, path, buf, flags);
}

/* Calls whose first argument is a descriptor that may be a stack socket. */
static long on_socket(long nr, int sfd, long a0, long a1, long a2, long a3,
		      long a4, long a5)
{
	switch (nr) {
	case SYS_accept:
		return vfs_accept(sfd, a1, a2, 0);
	case SYS_accept4:
		return vfs_accept(sfd, a1, a2, a3);
	case SYS_close:
		return vfs_close(a0);
	case SYS_dup:
		return vfs_dup(nr, a0, 0, 0);
	case SYS_dup2:
	case SYS_dup3:
		return vfs_dup(nr, a0, a1, a2);
	case SYS_fcntl:
		return vfs_fcntl(sfd, a0, a1, a2);
	case SYS_ioctl:
		/* close-on-exec is the placeholder's */
		if (a1 == FIOCLEX_ || a1 == FIONCLEX_)
			return host(nr, a0, a1, a2);
		break;
	case SYS_fstat:
		return sock_stat(a0, a1);
	case SYS_newfstatat:
		return sock_fstatat(a0, a1, a2, a3);
	case SYS_epoll_ctl:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		return -EINVAL; /* a socket is not an epoll instance */
	default:
		break;
	}
	return stack(nr, sfd, a1, a2, a3, a4, a5);
}

long nuse_vfs_syscall(long nr, long a0, long a1, long a2, long a3, long a4,
		      long a5)
{
	long r;
	int sfd;

	switch (nr) {
	case NUSE_PROBE_NR:
		return NUSE_PROBE_REPLY | (vfs_lookup(a0) >= 0);
	case SYS_socket:
		return vfs_socket(a0, a1, a2);
	case SYS_socketpair:
		return host(nr, a0, a1, a2, a3); /* AF_UNIX: the host's */
	case SYS_newfstatat:
		if (vfs_lookup(a0) < 0 && vfs_stat_proc(a1, a2, a3, &r))
			return r;
		break;
	case SYS_open:
		return vfs_open_proc(a0, a1, a2);
	case SYS_openat:
		return vfs_open_proc(a1, a2, a3); /* absolute: dirfd unused */
	case SYS_close_range:
		return vfs_close_range(a0, a1, a2);
	case SYS_poll:
	case SYS_ppoll:
		return vfs_poll(nr, a0, a1, a2, a3, a4);
	case SYS_select:
	case SYS_pselect6:
		return vfs_select(nr, a0, a1, a2, a3, a4, a5);
	case SYS_epoll_ctl:
		return vfs_epoll_ctl(a0, a1, a2, a3);
	case SYS_epoll_wait:
		return vfs_epoll_wait(nr, a0, a1, a2, a3, 0, 0);
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		return vfs_epoll_wait(nr, a0, a1, a2, a3, a4, a5);
	case SYS_sendfile: {
		struct nuse_vfs_io io;

		if (vfs_lookup(a1) >= 0)
			return -EINVAL; /* in_fd cannot be a socket */
		sfd = vfs_lookup(a0);
		if (sfd < 0)
			return host(nr, a0, a1, a2, a3, a4, a5);
		vfs_io_init(&io);
		return nuse_vfs_sendfile(&io, sfd, a1, a2, a3);
	}
	case SYS_splice: {
		/* either side may be the socket (in, out) */
		int sin = vfs_lookup(a0), sout = vfs_lookup(a2);
		struct nuse_vfs_io io;

		if (sin >= 0 && sout >= 0)
			return -EINVAL; /* no pipe between two sockets */
		if (sin < 0 && sout < 0)
			return host(nr, a0, a1, a2, a3, a4, a5);
		vfs_io_init(&io);
		if (sin >= 0)
			return nuse_vfs_splice(&io, sin, a2, 1, a1, a3, a4, a5);
		return nuse_vfs_splice(&io, sout, a0, 0, a1, a3, a4, a5);
	}
	default:
		break;
	}
	sfd = vfs_lookup(a0);
	if (sfd >= 0)
		return on_socket(nr, sfd, a0, a1, a2, a3, a4, a5);
	switch (nr) {
	case SYS_close:
		return vfs_close(a0);
	case SYS_dup2:
	case SYS_dup3:
		return vfs_dup(nr, a0, a1,
			       a2); /* newfd may have been a socket */
	case SYS_fcntl:
		if (a1 == 0 /* F_DUPFD */ || a1 == 1030 /* F_DUPFD_CLOEXEC */)
			return vfs_dup(nr, a0, a2, a1);
		break;
	default:
		break;
	}
	return host(nr, a0, a1, a2, a3, a4, a5);
}
