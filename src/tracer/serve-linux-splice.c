// SPDX-License-Identifier: GPL-2.0
/*
 * splice(2) between a tracee's pipe and a stack socket, for the
 * supervisor modes: the same scheme as vfs-fd's splice.c (through a
 * buffer; no more taken from the socket than the pipe has room for;
 * what was taken from the pipe all written to the socket), on a copy of
 * the tracee's pipe (pidfd_getfd: the same pipe).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nuse/stack.h>

#include "serve-linux.h"

#define CHUNK 65536

/* Wait until fd is ready for @events; -EAGAIN if @nb and it is not. */
static long pipe_ready(int fd, short events, bool nb)
{
	struct pollfd p = { fd, events, 0 };
	int r = poll(&p, 1, nb ? 0 : -1);

	return r < 0 ? -errno : r == 0 ? -EAGAIN : 0;
}

static long from_socket(int sfd, int pipe, long len, bool nb)
{
	static __thread char buf[CHUNK];
	int size = fcntl(pipe, F_GETPIPE_SZ), used;
	long r;

	if (size < 0)
		return -EINVAL; /* not a pipe */
	for (;;) {
		if (ioctl(pipe, FIONREAD, &used))
			used = 0;
		if (used < size)
			break;
		r = pipe_ready(pipe, POLLOUT, nb);
		if (r)
			return r;
	}
	if (len > size - used)
		len = size - used;
	if (len > CHUNK)
		len = CHUNK;
	/* the socket's O_NONBLOCK, not the flag (as tcp_splice_read) */
	r = sl_stack(0, SYS_recvfrom, sfd, (long)buf, len, 0, 0, 0);
	if (r <= 0)
		return r;
	r = write(pipe, buf, r);
	return r < 0 ? -errno : r;
}

static long to_socket(int pipe, int sfd, long len, bool nb)
{
	static __thread char buf[CHUNK];
	struct pollfd p = { sfd, POLLOUT, 0 };
	long n, r, done = 0;

	if (fcntl(pipe, F_GETPIPE_SZ) < 0)
		return -EINVAL; /* not a pipe */
	if (nb) {
		r = pipe_ready(pipe, POLLIN, true);
		if (r)
			return r;
	}
	n = read(pipe, buf, len < CHUNK ? len : CHUNK);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	while (done < n) {
		r = sl_stack(0, SYS_write, sfd, (long)(buf + done), n - done, 0,
			     0, 0);
		if (r == -EAGAIN) {
			r = sl_stack(0, SYS_poll, (long)&p, 1, -1, 0, 0, 0);
			if (r >= 0)
				continue;
		}
		if (r < 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

long sl_splice(struct nuse_call *c, int sin, int sout)
{
	long len = (long)c->args[4], r;
	bool nb = c->args[5] & SPLICE_F_NONBLOCK;
	int copy;

	if (sin >= 0 && sout >= 0)
		return -EINVAL; /* no pipe between two sockets */
	copy = sl_caller_fd(c->tid, (long)c->args[sin >= 0 ? 2 : 0]);
	if (copy < 0)
		return -EBADF;
	/* as do_splice: no pipe, EINVAL; an offset for the pipe, ESPIPE;
	 * one for the socket, EINVAL */
	if (fcntl(copy, F_GETPIPE_SZ) < 0)
		r = -EINVAL;
	else if (sin >= 0 ? c->args[3] : c->args[1])
		r = -ESPIPE;
	else if (sin >= 0 ? c->args[1] : c->args[3])
		r = -EINVAL;
	else if (!len)
		r = 0;
	else
		r = sin >= 0 ? from_socket(sin, copy, len, nb) :
			       to_socket(copy, sout, len, nb);
	close(copy);
	return r;
}
