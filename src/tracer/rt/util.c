// SPDX-License-Identifier: GPL-2.0
/* Freestanding string and memory helpers, and safe user copies. */
#include <errno.h>
#include <sys/uio.h>

#include "rt.h"

void rt_memcpy(void *d, const void *s, size_t n)
{
	asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

void rt_memset(void *d, int c, size_t n)
{
	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
}

size_t rt_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int rt_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int rt_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

void rt_log(const char *a, const char *b)
{
	rt_sys(SYS_write, 2, "nuse-exec: ", 11);
	rt_sys(SYS_write, 2, a, rt_strlen(a));
	if (b)
		rt_sys(SYS_write, 2, b, rt_strlen(b));
	rt_sys(SYS_write, 2, "\n", 1);
}

/*
 * Copy program memory through the kernel so that a bad pointer gives
 * EFAULT, as the real system call would, instead of crashing the runtime.
 */
static long copy_vm(void *dst, const void *src, size_t len, long nr)
{
	struct iovec l = { dst, len }, r = { (void *)src, len };
	long pid = rt_sys(SYS_getpid);
	long n;

	if (!len)
		return 0;
	if (nr == SYS_process_vm_writev) {
		l.iov_base = (void *)src;
		r.iov_base = dst;
	}
	n = rt_sys(nr, pid, &l, 1, &r, 1, 0);
	if (n < 0)
		return n == -ENOSYS ? -EFAULT : n;
	return (size_t)n == len ? 0 : -EFAULT;
}

long rt_copy_in(void *dst, const void *src, size_t len)
{
	if (rt_cfg.copy_in) /* faults recovered (rt/fault.c): no syscall */
		return rt_cfg.copy_in(dst, src, len) ? -EFAULT : 0;
	return copy_vm(dst, src, len, SYS_process_vm_readv);
}

long rt_copy_out(void *dst, const void *src, size_t len)
{
	if (rt_cfg.copy_out)
		return rt_cfg.copy_out(dst, src, len) ? -EFAULT : 0;
	return copy_vm(dst, src, len, SYS_process_vm_writev);
}
