// SPDX-License-Identifier: GPL-2.0
/*
 * Memory shared by the processes of one session: backed by memfds, so a
 * process that execs (a new image, nothing inherited) can map the same
 * pages again at the same address through /proc/KEEPER/fd/N.
 */
#include <nuse/host.h>
#include "sys.h"

#define NR_pwrite64 18
#define NR_ftruncate 77
#define NR_memfd_create 319

#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 0x01
#define MAP_FIXED 0x10
#define MAP_FIXED_NOREPLACE 0x100000
#define O_RDWR 2
#define O_CLOEXEC 02000000
#define MFD_CLOEXEC 1

static int is_err(long r)
{
	return r < 0 && r > -4096;
}

int nuse_host_memfd(const char *name, unsigned long size)
{
	long fd = sys2(NR_memfd_create, name, MFD_CLOEXEC);
	long r;

	if (fd < 0)
		return (int)fd;
	r = sys2(NR_ftruncate, fd, size);
	if (r) {
		sys1(NR_close, fd);
		return (int)r;
	}
	return (int)fd;
}

int nuse_host_mmap_fd(void *addr, unsigned long size, int fd, int replace)
{
	long p = sys6(NR_mmap, (long)addr, (long)size, PROT_READ | PROT_WRITE,
		      MAP_SHARED | (replace ? MAP_FIXED : MAP_FIXED_NOREPLACE),
		      fd, 0);

	if (is_err(p))
		return (int)p;
	if (p != (long)addr) {
		/* a kernel without MAP_FIXED_NOREPLACE put it elsewhere */
		sys2(NR_munmap, p, size);
		return -17; /* EEXIST */
	}
	return 0;
}

int nuse_host_mem_share_fd(void *start, unsigned long len, const char *name)
{
	int fd = nuse_host_memfd(name, len);
	unsigned long done = 0;
	long r;

	if (fd < 0)
		return fd;
	while (done < len) {
		r = sys4(NR_pwrite64, fd, (char *)start + done, len - done,
			 done);
		if (r <= 0) {
			r = r ? r : -5;
			goto fail;
		}
		done += (unsigned long)r;
	}
	/* same bytes, now in the memfd: swap the private pages for it */
	r = nuse_host_mmap_fd(start, len, fd, 1);
	if (r)
		goto fail;
	return fd;
fail:
	sys1(NR_close, fd);
	return (int)r;
}

int nuse_host_open_rw(const char *path)
{
	return (int)sys3(NR_open, path, O_RDWR | O_CLOEXEC, 0);
}

void nuse_host_close(int fd)
{
	sys1(NR_close, fd);
}

void nuse_host_futex_wake(int *word)
{
	futex_wake(word, 0x7fffffff);
}

void nuse_host_futex_wait(int *word, int seen)
{
	futex_wait(word, seen, 0);
}

void nuse_host_futex_wait_ns(int *word, int seen, unsigned long long ns)
{
	struct host_timespec rel = { (long)(ns / 1000000000ULL),
				     (long)(ns % 1000000000ULL) };

	futex_wait(word, seen, &rel);
}

void nuse_host_eventfd_signal(int fd)
{
	static const unsigned long one = 1;

	sys3(NR_write, fd, &one, sizeof(one));
}
