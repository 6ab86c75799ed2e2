// SPDX-License-Identifier: GPL-2.0
/*
 * sendfile and splice for the supervisor modes: vfs-fd's implementation
 * (include/nuse/vfs.h, struct nuse_vfs_io), the one the in-process modes
 * use, given the supervisor's way to the caller: its host descriptor as a
 * copy taken with pidfd_getfd (the same open file: its position and pipe
 * are the caller's own), its memory through the call's read_mem and
 * write_mem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nuse/stack.h>
#include <nuse/vfs.h>

#include "serve-linux.h"

/* A round trip per call costs tens of microseconds here: big chunks. */
#define SL_IO_BUF (1 << 20)

static long sup_host(long nr, long a0, long a1, long a2, long a3, long a4,
		     long a5)
{
	long r = syscall(nr, a0, a1, a2, a3, a4, a5);

	return r < 0 ? -errno : r;
}

static long sup_copy_in(const struct nuse_vfs_io *io, void *dst,
			unsigned long src, unsigned long len)
{
	struct nuse_call *c = io->ctx;

	return c->read_mem(c, dst, src, len) == (long)len ? 0 : -EFAULT;
}

static long sup_copy_out(const struct nuse_vfs_io *io, unsigned long dst,
			 const void *src, unsigned long len)
{
	struct nuse_call *c = io->ctx;

	return c->write_mem(c, dst, src, len) == (long)len ? 0 : -EFAULT;
}

static long call_io(struct nuse_call *c, long fd,
		    long (*fn)(const struct nuse_vfs_io *io, long copy, void *arg),
		    void *arg)
{
	static __thread char *buf; /* a worker's, for good: workers are few */
	struct nuse_vfs_io io = { .hostcall = sup_host, .copy_in = sup_copy_in,
				  .copy_out = sup_copy_out, .ctx = c };
	int copy;
	long r;

	if (!buf)
		buf = malloc(SL_IO_BUF);
	io.buf = buf;
	io.buf_size = buf ? SL_IO_BUF : 0;
	copy = sl_caller_fd(c->tid, fd);

	if (copy < 0)
		return -EBADF;
	nuse_uaccess_pid(0); /* the stack's buffers are ours */
	r = fn(&io, copy, arg);
	close(copy);
	return r;
}

static long sendfile_io(const struct nuse_vfs_io *io, long in, void *arg)
{
	struct nuse_call *c = io->ctx;

	return nuse_vfs_sendfile(io, *(int *)arg, in, (long)c->args[2],
				 (long)c->args[3]);
}

long sl_sendfile(struct nuse_call *c, int sfd)
{
	return call_io(c, (long)c->args[1], sendfile_io, &sfd);
}

struct splice_arg {
	int sfd;
	bool from_socket;
};

static long splice_io(const struct nuse_vfs_io *io, long pipe, void *arg)
{
	struct splice_arg *a = arg;
	struct nuse_call *c = io->ctx;

	return nuse_vfs_splice(io, a->sfd, pipe, a->from_socket,
			       (long)c->args[1], (long)c->args[3],
			       (long)c->args[4], (long)c->args[5]);
}

long sl_splice(struct nuse_call *c, int sin, int sout)
{
	struct splice_arg a = { sin >= 0 ? sin : sout, sin >= 0 };

	if (sin >= 0 && sout >= 0)
		return -EINVAL; /* no pipe between two sockets */
	return call_io(c, (long)c->args[sin >= 0 ? 2 : 0], splice_io, &a);
}
