// SPDX-License-Identifier: GPL-2.0
/*
 * sendfile(2) from a host file to a stack socket (nginx, lighttpd, ...):
 * the file's pages are mapped and handed to the stack's write, which
 * copies them into socket buffers once, as the host's sendfile does.
 * What cannot be mapped (a pipe as in_fd), and small files (a mapping
 * costs two more system calls than a read), are read through a buffer.
 * Offsets follow sendfile: *offset is used and advanced when given, else
 * the file position.
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

static long send_mapped(int sfd, long in, long long off, long len)
{
	long long base = off & ~(PAGE - 1);
	long skip = off - base;
	long map = host(SYS_mmap, 0, len + skip, PROT_READ_, MAP_PRIVATE_, in,
			base);
	long r;

	if (map < 0 && map > -4096)
		return map;
	r = stack(SYS_write, sfd, map + skip, len);
	host(SYS_munmap, map, len + skip);
	return r;
}

static long send_copied(int sfd, long in, long long off, long len)
{
	char buf[SMALL];
	long n = len < (long)sizeof(buf) ? len : (long)sizeof(buf);

	n = host(SYS_pread64, in, buf, n, off);
	if (n <= 0)
		return n;
	return stack(SYS_write, sfd, buf, n);
}

long vfs_sendfile(int sfd, long in, long offp, long count)
{
	long long off, start;
	long sent = 0, r = 0;

	if (vfs_lookup(in) >= 0)
		return -EINVAL; /* in_fd must be a file, as on the host */
	if (offp) {
		if (vfs_copy_in(&off, (void *)offp, sizeof(off)))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
	} else {
		off = host(SYS_lseek, in, 0, SEEK_CUR_);
		if (off < 0)
			return off;
	}
	start = off;
	while (sent < count) {
		long len = count - sent < CHUNK ? count - sent : CHUNK;
		struct {
			unsigned long dev, ino, nlink;
			unsigned int mode, uid, gid, pad;
			unsigned long rdev;
			long size, blksize, blocks;
			char rest[80];
		} st;

		/* never past the end: a mapping there would fault */
		if (host(SYS_fstat, in, &st))
			break;
		if ((st.mode & 0170000) == 0100000) {
			if (off >= st.size)
				break;
			if (len > st.size - off)
				len = st.size - off;
			r = len <= SMALL ? send_copied(sfd, in, off, len) :
					   send_mapped(sfd, in, off, len);
		} else {
			r = send_copied(sfd, in, off, len);
		}
		if (r <= 0)
			break;
		sent += r;
		off += r;
		if (r < len)
			break; /* socket buffer full (non-blocking) */
	}
	if (offp && vfs_copy_out((void *)offp, &off, sizeof(off)))
		return -EFAULT;
	if (!offp && off != start)
		host(SYS_lseek, in, off, 0 /* SEEK_SET */);
	return sent ? sent : r;
}
