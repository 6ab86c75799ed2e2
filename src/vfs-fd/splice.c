// SPDX-License-Identifier: GPL-2.0
/*
 * splice(2) between a host pipe and a stack socket (haproxy, socat, Go's
 * TCP-to-TCP copies), for every mode (include/nuse/vfs.h, struct
 * nuse_vfs_io), through a buffer: the stack cannot splice into a host
 * pipe's pages.
 *
 * Socket to pipe: no more is received than the pipe has room for, so the
 * write into it cannot fall short and lose what the socket gave.  Pipe to
 * socket: what was taken from the pipe is all written to the socket,
 * waiting for room in its buffer if need be (a non-blocking socket may
 * then wait a moment; nothing taken from the pipe is lost).
 * SPLICE_F_NONBLOCK makes the pipe side non-blocking, as on Linux; the
 * socket's own O_NONBLOCK applies to it (tcp_splice_read ignores the
 * flag).  Errors in do_splice's order: no pipe, EINVAL; an offset for
 * the pipe, ESPIPE; one for the socket, EINVAL.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define CHUNK 8192 /* on the runtime stack (64 KiB), without io->buf */
#define SPLICE_F_NONBLOCK_ 2
#define F_GETPIPE_SZ_ 1032
#define FIONREAD_ 0x541B
#define POLLIN_ 1
#define POLLOUT_ 4

struct pollfd_ {
	int fd;
	short events, revents;
};

/* Wait until host descriptor fd is ready for @events (EAGAIN if nb). */
static long host_ready(const struct nuse_vfs_io *io, long fd, short events,
		       bool nb)
{
	struct pollfd_ p = { (int)fd, events, 0 };
	long r = io->hostcall(SYS_poll, (long)&p, 1, nb ? 0 : -1, 0, 0, 0);

	return r < 0 ? r : r == 0 ? -EAGAIN : 0;
}

static long from_socket(const struct nuse_vfs_io *io, int sfd, long pipe,
			long len, long flags)
{
	bool nb = flags & SPLICE_F_NONBLOCK_;
	long size = io->hostcall(SYS_fcntl, pipe, F_GETPIPE_SZ_, 0, 0, 0, 0), r;
	int used;
	char local[CHUNK], *buf = io->buf ? io->buf : local;
	long chunk = io->buf ? (long)io->buf_size : CHUNK;

	if (size < 0)
		return -EINVAL; /* not a pipe */
	for (;;) {
		if (io->hostcall(SYS_ioctl, pipe, FIONREAD_, (long)&used, 0, 0, 0))
			used = 0;
		if (used < size)
			break;
		r = host_ready(io, pipe, POLLOUT_, nb);
		if (r)
			return r;
	}
	if (len > size - used)
		len = size - used;
	if (len > chunk)
		len = chunk;
	r = stack(SYS_recvfrom, sfd, buf, len, 0, 0, 0);
	if (r <= 0)
		return r;
	return io->hostcall(SYS_write, pipe, (long)buf, r, 0, 0, 0);
}

static long to_socket(const struct nuse_vfs_io *io, long pipe, int sfd,
		      long len, long flags)
{
	struct pollfd_ p = { sfd, POLLOUT_, 0 };
	long n, r, done = 0;
	char local[CHUNK], *buf = io->buf ? io->buf : local;
	long chunk = io->buf ? (long)io->buf_size : CHUNK;

	if (io->hostcall(SYS_fcntl, pipe, F_GETPIPE_SZ_, 0, 0, 0, 0) < 0)
		return -EINVAL; /* not a pipe */
	if (flags & SPLICE_F_NONBLOCK_) {
		r = host_ready(io, pipe, POLLIN_, true);
		if (r)
			return r;
	}
	n = io->hostcall(SYS_read, pipe, (long)buf, len < chunk ? len : chunk, 0,
			 0, 0);
	if (n <= 0)
		return n;
	while (done < n) {
		r = stack(SYS_write, sfd, buf + done, n - done);
		if (r == -EAGAIN) {
			r = stack(SYS_poll, &p, 1, -1);
			if (r >= 0)
				continue;
		}
		if (r < 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

long nuse_vfs_splice(const struct nuse_vfs_io *io, int sfd, long pipe,
		     int from_sock, long off_in, long off_out, long len,
		     long flags)
{
	/* as do_splice: one side a pipe (EINVAL), no offset for it
	 * (ESPIPE), none for a socket either (EINVAL: it has no pread) */
	if (io->hostcall(SYS_fcntl, pipe, F_GETPIPE_SZ_, 0, 0, 0, 0) < 0)
		return -EINVAL;
	if (from_sock ? off_out : off_in)
		return -ESPIPE;
	if (from_sock ? off_in : off_out)
		return -EINVAL;
	if (!len)
		return 0;
	if (from_sock)
		return from_socket(io, sfd, pipe, len, flags);
	return to_socket(io, pipe, sfd, len, flags);
}
