// SPDX-License-Identifier: GPL-2.0
/*
 * epoll: the program's epoll instance is a host epoll; stack sockets
 * added to it go into a stack epoll beside it (the "shadow", made on the
 * first such epoll_ctl), with the program's event data, so edge, level
 * and oneshot triggering are the stack's own.  A wait on an instance with
 * stack sockets only is the stack's epoll_wait; with both kinds the host
 * waits, woken by the stack through the instance's bell (notify.c) — or,
 * when no bell can be made, in short slices (see poll.c).
 *
 * Limits: a dup of an epoll descriptor does not carry the shadow; the
 * count of host descriptors in an instance is what epoll_ctl told us
 * (closing a host descriptor does not lower it: the wait then just takes
 * the mixed path).
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define EPOLL_CTL_ADD_ 1
#define EPOLL_CTL_DEL_ 2
#define VFS_SLICE_MS 1
#define EPOLL_EVENT_SIZE 12 /* packed struct epoll_event on x86-64 */

long vfs_epoll_ctl(long epfd, long op, long fd, long ev)
{
	int sfd = vfs_lookup(fd), shadow;
	long r;

	if (vfs_lookup(epfd) >= 0)
		return -EINVAL; /* a socket is not an epoll instance */
	if (sfd < 0) {
		r = host(SYS_epoll_ctl, epfd, op, fd, ev);
		/*
		 * The first host descriptor: a thread may be waiting in the
		 * stack's epoll_wait on the shadow, which knows nothing of
		 * it; the kick ends that wait and it goes on as a mixed one.
		 */
		if (!r && op == EPOLL_CTL_ADD_ &&
		    vfs_shadow_host_count(epfd, 1) == 1 &&
		    (shadow = vfs_shadow(epfd)) >= 0)
			vfs_shadow_kick(epfd, shadow);
		else if (!r && op == EPOLL_CTL_DEL_)
			vfs_shadow_host_count(epfd, -1);
		return r;
	}
	/*
	 * Is epfd an open descriptor?  The host answers EBADF if not, EINVAL
	 * otherwise (no valid op, and an epoll cannot watch itself).
	 */
	r = host(SYS_epoll_ctl, epfd, 0x7fff, epfd, 0);
	if (r == -EBADF)
		return r;
	shadow = vfs_shadow_get(epfd, op == EPOLL_CTL_ADD_);
	if (shadow < 0)
		return shadow == -1 ? -ENOENT : shadow;
	r = stack(SYS_epoll_ctl, shadow, op, sfd, ev);
	/*
	 * A thread may be waiting in the host's epoll_wait on this instance
	 * already (host_wait): the bell, in the host instance from now on,
	 * wakes it when the stack has events.
	 */
	if (!r && op == EPOLL_CTL_ADD_ && vfs_shadow_host_fds(epfd))
		vfs_bell(epfd, shadow);
	return r;
}

/* Drop the bell's events from what the host wrote at ev: how many are left. */
static long unbell(long ev, long n, bool *rang)
{
	struct ev {
		unsigned int events;
		unsigned long long data;
	} __attribute__((packed)) e[64];
	long kept = 0;

	for (long i = 0; i < n; i += 64) {
		long chunk = n - i < 64 ? n - i : 64, k;

		if (vfs_copy_in(e, (char *)ev + i * EPOLL_EVENT_SIZE,
				chunk * EPOLL_EVENT_SIZE))
			return -EFAULT;
		for (k = 0; k < chunk; k++) {
			if (e[k].data == VFS_BELL_DATA) {
				*rang = true;
				continue;
			}
			if (vfs_copy_out((char *)ev + kept * EPOLL_EVENT_SIZE,
					 &e[k], EPOLL_EVENT_SIZE))
				return -EFAULT;
			kept++;
		}
	}
	return kept;
}

/* The shadow's events at ev without a kick's (vfs_shadow_kick). */
static long stack_events(long epfd, int shadow, long ev, long max, long ms,
			 bool *kicked)
{
	long r = stack(SYS_epoll_wait, shadow, ev, max, ms);

	if (r <= 0 || !vfs_shadow_has_kick(epfd))
		return r;
	return unbell(ev, r, kicked);
}

static long mixed_wait(long nr, long epfd, int shadow, long ev, long max,
		       long long deadline, long mask, long size);

/*
 * An instance with stack sockets only: the stack's wait, until a kick
 * says a host descriptor joined (then a mixed wait, with the time left).
 */
static long stack_wait(long nr, long epfd, int shadow, long ev, long max,
		       long long deadline, long mask, long size)
{
	for (;;) {
		long long left = deadline < 0 ? -1 : deadline - vfs_now_ms();
		bool kicked = false;
		long r;

		if (deadline >= 0 && left < 0)
			left = 0;
		r = stack_events(epfd, shadow, ev, max, left, &kicked);
		if (r || !kicked)
			return r;
		if (vfs_shadow_host_fds(epfd))
			return mixed_wait(nr, epfd, shadow, ev, max, deadline,
					  mask, size);
	}
}

/*
 * Mixed wait with a bell: reset it, ask the stack, then block in the
 * host's epoll, which the bell's eventfd wakes when the stack has events.
 */
static long bell_wait(struct bell *bell, long nr, long epfd, int shadow,
		      long ev, long max, long long deadline, long mask,
		      long size)
{
	for (;;) {
		long long left = deadline < 0 ? -1 : deadline - vfs_now_ms();
		bool rang = false;
		long rs, rh;

		if (deadline >= 0 && left < 0)
			left = 0;
		vfs_bell_reset(bell);
		rs = stack_events(epfd, shadow, ev, max, 0, &rang);
		rang = false;
		if (rs < 0 || rs == max)
			return rs;
		if (!rs && left)
			nuse_yield();
		rh = host(SYS_epoll_pwait, epfd, ev + rs * EPOLL_EVENT_SIZE,
			  max - rs, rs ? 0 : left,
			  nr == SYS_epoll_wait ? 0 : mask, size ?: 8);
		if (rh < 0)
			return rs ? rs : rh;
		rh = unbell(ev + rs * EPOLL_EVENT_SIZE, rh, &rang);
		if (rh < 0)
			return rh;
		if (rs + rh ||
		    (!rang && left >= 0 && deadline - vfs_now_ms() <= 0))
			return rs + rh;
	}
}

/* Stack and host together until the deadline (-1: none). */
static long mixed_wait(long nr, long epfd, int shadow, long ev, long max,
		       long long deadline, long mask, long size)
{
	struct bell *bell;
	bool kicked;
	long rs, rh;

	if (!vfs_shadow_host_fds(epfd))
		return stack_wait(nr, epfd, shadow, ev, max, deadline, mask,
				  size);
	bell = vfs_bell(epfd, shadow);
	if (bell)
		return bell_wait(bell, nr, epfd, shadow, ev, max, deadline,
				 mask, size);
	for (;;) {
		long long left = deadline < 0 ? -1 : deadline - vfs_now_ms();
		long ms = left < 0 || left > VFS_SLICE_MS ? VFS_SLICE_MS : left;

		rs = stack_events(epfd, shadow, ev, max, 0, &kicked);
		if (rs < 0)
			return rs;
		if (rs == max)
			return rs;
		rh = host(SYS_epoll_pwait, epfd, ev + rs * EPOLL_EVENT_SIZE,
			  max - rs, rs ? 0 : ms,
			  nr == SYS_epoll_wait ? 0 : mask, size ?: 8);
		if (rh < 0)
			return rs ? rs : rh;
		if (rs + rh || (deadline >= 0 && vfs_now_ms() >= deadline))
			return rs + rh;
	}
}

/* The wait's timeout in ms (-1: none), or -EFAULT. */
static long long timeout_ms_of(long nr, long timeout)
{
	struct {
		long sec, nsec;
	} ts;

	if (nr != SYS_epoll_pwait2)
		return timeout < 0 ? -1 : timeout;
	if (!timeout)
		return -1;
	if (vfs_copy_in(&ts, (void *)timeout, sizeof(ts)))
		return -EFAULT;
	return ts.sec * 1000LL + (ts.nsec + 999999) / 1000000;
}

/*
 * A wait on an instance without stack sockets is the host's.  If one is
 * added while it waits (Go's netpoller waits while a goroutine connects),
 * epoll_ctl gives the instance its bell at once, and the bell's ring ends
 * the host wait: it goes on here as a mixed wait, with the time left.
 */
static long host_wait(long nr, long epfd, long ev, long max, long timeout,
		      long mask, long size)
{
	long long t0 = vfs_now_ms(), ms;
	bool rang = false;
	int shadow;
	long r;

	r = host(nr, epfd, ev, max, timeout, mask, size);
	if (r <= 0 || (shadow = vfs_shadow(epfd)) < 0)
		return r;
	r = unbell(ev, r, &rang);
	if (r || !rang)
		return r;
	ms = timeout_ms_of(nr, timeout);
	if (ms < -1)
		return ms;
	return mixed_wait(nr, epfd, shadow, ev, max, ms < 0 ? -1 : t0 + ms,
			  mask, size);
}

/* epoll_wait(epfd, ev, max, ms), epoll_pwait(..., mask, size),
 * epoll_pwait2(epfd, ev, max, timespec, mask, size) */
long vfs_epoll_wait(long nr, long epfd, long ev, long max, long timeout,
		    long mask, long size)
{
	int shadow = vfs_shadow(epfd);
	long long timeout_ms;

	if (shadow < 0)
		return host_wait(nr, epfd, ev, max, timeout, mask, size);
	if (max <= 0)
		return -EINVAL;
	timeout_ms = timeout_ms_of(nr, timeout);
	if (timeout_ms < -1)
		return timeout_ms;
	return mixed_wait(nr, epfd, shadow, ev, max,
			  timeout_ms < 0 ? -1 : vfs_now_ms() + timeout_ms,
			  mask, size);
}
