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
static int epoll_map[NUSE_VFS_MAX_FD];
static int epoll_host_fds[NUSE_VFS_MAX_FD];
/* stack eventfd + 1 in the shadow of epfd, to end a wait there (epoll.c) */
static int epoll_kick[NUSE_VFS_MAX_FD];

void vfs_table_init(void)
{
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
long vfs_reserve(bool cloexec)
{
	return host(SYS_eventfd2, 0, EFD_NONBLOCK | (cloexec ? EFD_CLOEXEC : 0));
}

long vfs_install(int sfd, bool cloexec)
{
	long fd = vfs_reserve(cloexec);
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

void vfs_shadow_set(long epfd, int sfd)
{
	if (in_range(epfd))
		__atomic_store_n(&epoll_map[epfd], sfd + 1, __ATOMIC_RELEASE);
}

/* Host descriptors registered in epfd through us (a hint, see epoll.c):
 * the new count. */
int vfs_shadow_host_count(long epfd, int delta)
{
	if (!in_range(epfd))
		return 0;
	return __atomic_add_fetch(&epoll_host_fds[epfd], delta,
				  __ATOMIC_RELAXED);
}

bool vfs_shadow_has_kick(long epfd)
{
	return in_range(epfd) && __atomic_load_n(&epoll_kick[epfd], __ATOMIC_ACQUIRE);
}

/*
 * End a wait in the shadow of epfd: a stack eventfd in it (made on first
 * need) with the bell's event data, written to.  The waiter drops the
 * event (it never reaches the program) and looks at the instance again.
 */
void vfs_shadow_kick(long epfd, int shadow)
{
	struct {
		unsigned int events;
		unsigned long long data;
	} __attribute__((packed)) ev = { 0x1 /* EPOLLIN */ | (1u << 31) /* EPOLLET */,
					  VFS_BELL_DATA };
	unsigned long long one = 1;
	int k, none = 0;
	long n;

	if (!in_range(epfd))
		return;
	k = __atomic_load_n(&epoll_kick[epfd], __ATOMIC_ACQUIRE) - 1;
	if (k < 0) {
		n = stack(SYS_eventfd2, 0, EFD_NONBLOCK);
		if (n < 0)
			return;
		if (stack(SYS_epoll_ctl, shadow, 1 /* ADD */, n, (long)&ev) ||
		    !__atomic_compare_exchange_n(&epoll_kick[epfd], &none,
						 (int)n + 1, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			stack(SYS_close, n);
			k = none - 1;
			if (k < 0)
				return;
		} else {
			k = (int)n;
		}
	}
	stack(SYS_write, k, (long)&one, sizeof(one));
}

int vfs_shadow_host_fds(long epfd)
{
	return in_range(epfd) ? __atomic_load_n(&epoll_host_fds[epfd],
						__ATOMIC_RELAXED) :
				0;
}

/*
 * fd was closed on the host: drop what we kept about it.  Each process
 * has its own descriptor table in the stack, a copy of its parent's made
 * at fork (nuse_proc_fork_prepare): closing closes this process's
 * reference only, as on the host.
 */
void vfs_forget(long fd)
{
	int s;

	if (!in_range(fd))
		return;
	s = vfs_unbind(fd);
	if (s >= 0)
		stack(SYS_close, s);
	s = __atomic_exchange_n(&epoll_map[fd], 0, __ATOMIC_ACQ_REL) - 1;
	if (s >= 0)
		vfs_bell_forget(fd);
	if (s >= 0)
		stack(SYS_close, s);
	s = __atomic_exchange_n(&epoll_kick[fd], 0, __ATOMIC_ACQ_REL) - 1;
	if (s >= 0)
		stack(SYS_close, s);
	__atomic_store_n(&epoll_host_fds[fd], 0, __ATOMIC_RELAXED);
}
