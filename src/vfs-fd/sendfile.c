// SPDX-License-Identifier: GPL-2.0
/*
 * sendfile(2) from a host file to a stack socket (nginx, lighttpd, ...),
 * for every mode (include/nuse/vfs.h, struct nuse_vfs_io): the file's
 * pages are mapped and handed to the stack's write, which copies them
 * into socket buffers once, as the host's sendfile does.  Small files (a
 * mapping costs two more system calls than a read) and files that cannot
 * be mapped are read through a buffer.  What Linux cannot splice from
 * (a pipe, a socket: no splice_read) is refused with EINVAL before
 * anything is read, as do_splice_direct() does; a program then falls back
 * to read and write (Go does; a pipe's data read here could not be put
 * back if the socket took less).  Offsets follow sendfile: *offset is
 * used and advanced when given, else the file position.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define CHUNK (1L << 20)
#define SMALL 8192
#define PAGE 4096L
#define PROT_READ_ 1
#define MAP_PRIVATE_ 2
#define SEEK_CUR_ 1
#define S_IFMT_ 0170000
#define S_IFREG_ 0100000
#define S_IFIFO_ 0010000
#define S_IFSOCK_ 0140000

struct host_stat {
	unsigned long dev, ino, nlink;
	unsigned int mode, uid, gid, pad;
	unsigned long rdev;
	long size, blksize, blocks;
	char rest[80];
};

static long send_mapped(const struct nuse_vfs_io *io, int sfd, long in,
			long long off, long len)
{
	long long base = off & ~(PAGE - 1);
	long skip = off - base;
	long map = io->hostcall(SYS_mmap, 0, len + skip, PROT_READ_, MAP_PRIVATE_,
			    in, base);
	long r;

	if (map < 0 && map > -4096)
		return map;
	r = stack(SYS_write, sfd, map + skip, len);
	io->hostcall(SYS_munmap, map, len + skip, 0, 0, 0, 0);
	return r;
}

static long send_copied(const struct nuse_vfs_io *io, int sfd, long in,
			long long off, long len)
{
	char local[SMALL], *buf = io->buf ? io->buf : local;
	long size = io->buf ? (long)io->buf_size : SMALL;
	long n = len < size ? len : size;

	n = io->hostcall(SYS_pread64, in, (long)buf, n, off, 0, 0);
	if (n <= 0)
		return n;
	return stack(SYS_write, sfd, buf, n);
}

long nuse_vfs_sendfile(const struct nuse_vfs_io *io, int sfd, long in,
		       long offp, long count)
{
	long long off, start;
	long sent = 0, r = 0;
	struct host_stat st;

	r = io->hostcall(SYS_fstat, in, (long)&st, 0, 0, 0, 0);
	if (r)
		return r;
	if ((st.mode & S_IFMT_) == S_IFIFO_ || (st.mode & S_IFMT_) == S_IFSOCK_)
		return -EINVAL;
	if (offp) {
		if (io->copy_in(io, &off, offp, sizeof(off)))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
	} else {
		off = io->hostcall(SYS_lseek, in, 0, SEEK_CUR_, 0, 0, 0);
		if (off < 0)
			return off;
	}
	start = off;
	while (sent < count) {
		long len = count - sent < CHUNK ? count - sent : CHUNK;

		/* never past the end: a mapping there would fault */
		if (io->hostcall(SYS_fstat, in, (long)&st, 0, 0, 0, 0))
			break;
		if ((st.mode & S_IFMT_) == S_IFREG_) {
			if (off >= st.size)
				break;
			if (len > st.size - off)
				len = st.size - off;
			r = len <= SMALL ? send_copied(io, sfd, in, off, len) :
					   send_mapped(io, sfd, in, off, len);
		} else {
			r = send_copied(io, sfd, in, off, len);
		}
		if (r <= 0)
			break;
		sent += r;
		off += r;
		if (r < len)
			break; /* socket buffer full (non-blocking) */
	}
	if (offp && io->copy_out(io, offp, &off, sizeof(off)))
		return -EFAULT;
	if (!offp && off != start)
		io->hostcall(SYS_lseek, in, off, 0 /* SEEK_SET */, 0, 0, 0);
	return sent ? sent : r;
}
