// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor table: which host descriptor numbers are placeholders of
 * stack sockets, and which host epoll instances have a stack epoll beside
 * them.  Entries hold the stack descriptor + 1, so zeroed memory means
 * "host"; updates are atomic because the program's threads share them.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define EFD_NONBLOCK 04000
#define EFD_CLOEXEC 02000000

static int fd_map[NUSE_VFS_MAX_FD];
static long owner_pid;
static int epoll_map[NUSE_VFS_MAX_FD];
static int epoll_host_fds[NUSE_VFS_MAX_FD];

void vfs_table_init(void)
{
	owner_pid = host(SYS_getpid);
}

/*
 * The stack's descriptor table is one for every process sharing the stack
 * (its memory survives fork as shared), the host's is per process.  A
 * forked child closing its copy of a socket must not close the parent's:
 * only the process that made the table closes stack descriptors, a child
 * just drops its mapping (the stack descriptor stays open until the parent
 * closes it; per-process stack descriptor tables come with fork support).
 */
static bool may_close_stack_fd(void)
{
	return host(SYS_getpid) == owner_pid;
}

static bool in_range(long fd)
{
	return fd >= 0 && fd < NUSE_VFS_MAX_FD;
}

int vfs_lookup(long fd)
{
	if (!in_range(fd))
		return -1;
	return __atomic_load_n(&fd_map[fd], __ATOMIC_ACQUIRE) - 1;
}

int vfs_bind(long fd, int sfd)
{
	if (!in_range(fd))
		return -EMFILE;
	__atomic_store_n(&fd_map[fd], sfd + 1, __ATOMIC_RELEASE);
	return 0;
}

/* The stack descriptor fd stood for, or -1. */
int vfs_unbind(long fd)
{
	if (!in_range(fd))
		return -1;
	return __atomic_exchange_n(&fd_map[fd], 0, __ATOMIC_ACQ_REL) - 1;
}

/*
 * Give stack descriptor sfd a host number.  The placeholder is a
 * non-blocking eventfd: after execve (no stack behind it any more) a read
 * on it fails with EAGAIN instead of hanging.
 */
long vfs_install(int sfd, bool cloexec)
{
	long fd = host(SYS_eventfd2, 0,
		       EFD_NONBLOCK | (cloexec ? EFD_CLOEXEC : 0));
	long r;

	if (fd < 0)
		goto fail;
	r = vfs_bind(fd, sfd);
	if (r) {
		host(SYS_close, fd);
		fd = r;
		goto fail;
	}
	return fd;
fail:
	stack(SYS_close, sfd);
	return fd;
}

int vfs_shadow(long epfd)
{
	if (!in_range(epfd))
		return -1;
	return __atomic_load_n(&epoll_map[epfd], __ATOMIC_ACQUIRE) - 1;
}

/* The stack epoll that goes with host epoll epfd, made on first need. */
int vfs_shadow_get(long epfd, bool create)
{
	int s = vfs_shadow(epfd), none = 0;
	long n;

	if (s >= 0 || !create)
		return s;
	if (!in_range(epfd))
		return -EMFILE;
	n = stack(SYS_epoll_create1, 0);
	if (n < 0)
		return (int)n;
	if (!__atomic_compare_exchange_n(&epoll_map[epfd], &none, (int)n + 1,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		stack(SYS_close, n); /* another thread was first */
		return none - 1;
	}
	return (int)n;
}

/* Host descriptors registered in epfd through us (a hint, see epoll.c). */
void vfs_shadow_host_count(long epfd, int delta)
{
	if (in_range(epfd))
		__atomic_add_fetch(&epoll_host_fds[epfd], delta,
				   __ATOMIC_RELAXED);
}

int vfs_shadow_host_fds(long epfd)
{
	return in_range(epfd) ? __atomic_load_n(&epoll_host_fds[epfd],
						__ATOMIC_RELAXED) :
				0;
}

/* fd was closed on the host: drop what we kept about it. */
void vfs_forget(long fd)
{
	int s;

	if (!in_range(fd))
		return;
	s = vfs_unbind(fd);
	if (s >= 0 && may_close_stack_fd())
		stack(SYS_close, s);
	s = __atomic_exchange_n(&epoll_map[fd], 0, __ATOMIC_ACQ_REL) - 1;
	if (s >= 0 && may_close_stack_fd())
		stack(SYS_close, s);
	__atomic_store_n(&epoll_host_fds[fd], 0, __ATOMIC_RELAXED);
}
