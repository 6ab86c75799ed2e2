// SPDX-License-Identifier: GPL-2.0
/*
 * poll, ppoll, select and pselect6.  No stack socket in the set: the host
 * call as it is.  Only stack sockets: the stack's poll.  A mix: the stack
 * is polled without waiting and the host waits, beside the program's
 * descriptors, on a bell's eventfd that the stack signals when one of the
 * set's sockets may be ready (notify.c); without a bell, in slices of at
 * most VFS_SLICE_MS.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define VFS_POLL_MAX 512 /* descriptors per call with stack sockets in it */
#define VFS_SLICE_MS 1

#define POLLIN_ 0x001
#define POLLPRI_ 0x002
#define POLLOUT_ 0x004
#define POLLERR_ 0x008
#define POLLHUP_ 0x010
#define POLLNVAL_ 0x020

struct vfs_ts {
	long sec, nsec;
};

/* Is any descriptor of the program's array a stack socket? */
static long any_mapped(const struct vfs_pollfd *ufds, unsigned long n)
{
	struct vfs_pollfd buf[64];
	unsigned long i, k, chunk;
	long r;

	for (i = 0; i < n; i += chunk) {
		chunk = n - i < 64 ? n - i : 64;
		r = vfs_copy_in(buf, ufds + i, chunk * sizeof(buf[0]));
		if (r)
			return r;
		for (k = 0; k < chunk; k++)
			if (vfs_lookup(buf[k].fd) >= 0)
				return 1;
	}
	return 0;
}

static long remaining(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - vfs_now_ms();
	return left > 0 ? left : 0;
}

/*
 * Wait on fds[] (our memory), some of them stack sockets; timeout_ms < 0
 * waits forever.  Fills revents, returns how many are ready or -errno.
 */
static long poll_local(struct vfs_pollfd *fds, unsigned int n,
		       long long timeout_ms, long mask, long masksize)
{
	struct vfs_pollfd sfds[VFS_POLL_MAX], hfds[VFS_POLL_MAX + 1];
	struct bell *bell;
	long efd;
	long long deadline = timeout_ms < 0 ? -1 : vfs_now_ms() + timeout_ms;
	unsigned int i, nhost = 0;
	long rs, rh = 0, left;

	for (i = 0; i < n; i++) {
		int sfd = vfs_lookup(fds[i].fd);

		/* negative descriptors are ignored by poll: hide the other side */
		sfds[i] = fds[i];
		hfds[i] = fds[i];
		sfds[i].fd = sfd;
		if (sfd >= 0)
			hfds[i].fd = -1;
		else if (fds[i].fd >= 0)
			nhost++;
	}
	if (!nhost) {
		rs = stack(SYS_poll, sfds, n, timeout_ms < 0 ? -1 : timeout_ms);
		rh = 0;
		goto merge;
	}
	/* the stack wakes the host wait through a bell (notify.c) */
	efd = vfs_bell_poll_begin(&bell, sfds, n);
	for (;;) {
		struct vfs_ts slice = { 0, 0 }, *tsp = &slice;
		unsigned int nh = n;

		if (bell)
			vfs_bell_reset(bell);
		rs = stack(SYS_poll, sfds, n, 0);
		if (rs < 0)
			break;
		left = remaining(deadline);
		if (!rs && left != 0 && bell) {
			hfds[n] = (struct vfs_pollfd){ (int)efd, POLLIN_, 0 };
			nh = n + 1;
			if (left < 0) {
				tsp = NULL;
			} else {
				slice.sec = left / 1000;
				slice.nsec = (left % 1000) * 1000000L;
			}
			nuse_yield();
		} else if (!rs && left != 0) {
			long ms = left < 0 || left > VFS_SLICE_MS ?
					  VFS_SLICE_MS :
					  left;

			slice.nsec = ms * 1000000L;
		}
		rh = host(SYS_ppoll, hfds, nh, tsp, mask, masksize);
		if (rh < 0)
			break;
		if (nh > n && hfds[n].revents)
			rh--; /* the bell: the stack has news */
		if (rs || rh || remaining(deadline) == 0)
			break;
	}
	vfs_bell_poll_end(bell);
	if (rs >= 0 && rh < 0)
		return rh;
merge:
	if (rs < 0)
		return rs;
	for (i = 0; i < n; i++)
		fds[i].revents = vfs_lookup(fds[i].fd) >= 0 ? sfds[i].revents :
							      hfds[i].revents;
	return rs + rh;
}

/* poll(fds, n, ms) and ppoll(fds, n, ts, mask, size) */
long vfs_poll(long nr, long a0, long a1, long a2, long a3, long a4)
{
	struct vfs_pollfd fds[VFS_POLL_MAX];
	long long timeout_ms = nr == SYS_poll ? (int)a2 : -1;
	struct vfs_ts ts;
	long r;

	r = any_mapped((void *)a0, (unsigned long)a1);
	if (r <= 0)
		return r ?: host(nr, a0, a1, a2, a3, a4);
	if ((unsigned long)a1 > VFS_POLL_MAX)
		return -ENOMEM; /* documented limit with stack sockets */
	r = vfs_copy_in(fds, (void *)a0, a1 * sizeof(fds[0]));
	if (r)
		return r;
	if (nr == SYS_ppoll && a2) {
		r = vfs_copy_in(&ts, (void *)a2, sizeof(ts));
		if (r)
			return r;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
			return -EINVAL;
		timeout_ms = ts.sec * 1000LL + (ts.nsec + 999999) / 1000000;
	}
	r = poll_local(fds, (unsigned int)a1, timeout_ms,
		       nr == SYS_ppoll ? a3 : 0, nr == SYS_ppoll ? a4 : 8);
	if (r >= 0 && vfs_copy_out((void *)a0, fds, a1 * sizeof(fds[0])))
		return -EFAULT;
	return r;
}

#define SET_WORDS (1024 / 64)

static bool isset(const unsigned long *set, int fd)
{
	return set[fd / 64] & (1UL << (fd % 64));
}

/*
 * select(n, r, w, e, timeval) and pselect6(n, r, w, e, timespec, {mask,
 * size}): turned into a poll over the descriptors named in the sets.
 */
long vfs_select(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	unsigned long sets[3][SET_WORDS], out[3][SET_WORDS];
	const long user[3] = { a1, a2, a3 };
	static const short want[3] = { POLLIN_, POLLOUT_, POLLPRI_ };
	static const short got[3] = { POLLIN_ | POLLHUP_ | POLLERR_,
				      POLLOUT_ | POLLERR_, POLLPRI_ };
	struct vfs_pollfd fds[VFS_POLL_MAX];
	long long timeout_ms = -1;
	struct vfs_ts ts;
	long sig[2] = { 0, 8 };
	unsigned int n = 0;
	int fd, k, mapped = 0;
	long r, words, ready = 0, nfds = a0;

	if (a0 < 0)
		return -EINVAL;
	/* stack sockets are looked for below 1024 (FD_SETSIZE) only */
	if (nfds > 1024)
		nfds = 1024;
	words = (nfds + 63) / 64;
	for (k = 0; k < 3; k++) {
		for (int w = 0; w < SET_WORDS; w++)
			sets[k][w] = out[k][w] = 0;
		if (user[k] &&
		    (r = vfs_copy_in(sets[k], (void *)user[k], words * 8)))
			return r;
	}
	for (fd = 0; fd < nfds; fd++)
		for (k = 0; k < 3; k++)
			if (isset(sets[k], fd) && vfs_lookup(fd) >= 0)
				mapped = 1;
	if (!mapped)
		return host(nr, a0, a1, a2, a3, a4, a5);
	if (a4) {
		r = vfs_copy_in(&ts, (void *)a4, sizeof(ts));
		if (r)
			return r;
		if (nr == SYS_select) /* timeval: microseconds */
			ts.nsec *= 1000;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
			return -EINVAL;
		timeout_ms = ts.sec * 1000LL + (ts.nsec + 999999) / 1000000;
	}
	if (nr == SYS_pselect6 && a5 &&
	    (r = vfs_copy_in(sig, (void *)a5, sizeof(sig))))
		return r;
	for (fd = 0; fd < nfds; fd++) {
		short ev = 0;

		for (k = 0; k < 3; k++)
			if (isset(sets[k], fd))
				ev |= want[k];
		if (!ev)
			continue;
		if (n == VFS_POLL_MAX)
			return -ENOMEM;
		fds[n].fd = fd;
		fds[n].events = ev;
		fds[n++].revents = 0;
	}
	r = poll_local(fds, n, timeout_ms, sig[0], sig[1]);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < n; i++) {
		if (fds[i].revents & POLLNVAL_)
			return -EBADF;
		for (k = 0; k < 3; k++)
			if (isset(sets[k], fds[i].fd) &&
			    (fds[i].revents & got[k])) {
				out[k][fds[i].fd / 64] |= 1UL
							  << (fds[i].fd % 64);
				ready++;
			}
	}
	for (k = 0; k < 3; k++)
		if (user[k] && vfs_copy_out((void *)user[k], out[k], words * 8))
			return -EFAULT;
	return ready;
}
