// SPDX-License-Identifier: GPL-2.0
/* Memory, fault-free copies, console output and string helpers. */
#include <nuse/host.h>
#include "sys.h"

#define PROT_READ	1
#define PROT_WRITE	2
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_ANONYMOUS	0x20
#define MAP_NORESERVE	0x4000

#define MAP_FIXED_NOREPLACE	0x100000

static void *map(unsigned long addr, unsigned long size, int shared, int extra)
{
	long p = sys6(NR_mmap, (long)addr, (long)size, PROT_READ | PROT_WRITE,
		      (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
		      MAP_NORESERVE | extra, -1, 0);

	if (p < 0 && p > -4096)
		return 0;
	return (void *)p;
}

void *nuse_host_mem_alloc(unsigned long size, int shared)
{
	return map(0, size, shared, 0);
}

void *nuse_host_mem_alloc_at(unsigned long addr, unsigned long size, int shared)
{
	void *p = map(addr, size, shared, MAP_FIXED_NOREPLACE);

	/* old kernels ignore the flag and may place it elsewhere: fine */
	return p ? p : map(0, size, shared, 0);
}

void nuse_host_mem_free(void *addr, unsigned long size)
{
	sys2(NR_munmap, addr, size);
}

int nuse_host_mem_share(void *start, unsigned long len)
{
	void *tmp = nuse_host_mem_alloc(len, 1);
	long ret;

	if (!tmp)
		return -12;
	nuse_host_memcpy(tmp, start, len);
	/* atomically replaces the private pages with the shared copy */
	ret = sys6(NR_mremap, (long)tmp, (long)len, (long)len,
		   3 /* MREMAP_MAYMOVE | MREMAP_FIXED */, (long)start, 0);
	if (ret < 0 && ret > -4096) {
		nuse_host_mem_free(tmp, len);
		return (int)ret;
	}
	return 0;
}

/*
 * A thread that ended: no such thread (ESRCH), or a zombie.  Signals to
 * a zombie succeed, and a session's process killed while it held the
 * stack's CPU or a mutex stays a zombie until its parent's wait() — for
 * ever, when the parent is itself waiting for that CPU (the kill storm:
 * its parent forking a new child).  Its /proc/TID/stat says Z (or X).
 */
int nuse_host_tid_gone(long tid)
{
	char path[32] = "/proc/", buf[256], digits[24];
	long fd, n;
	int i = 6, k = 0;

	if (sys2(NR_tkill, tid, 0) == -ESRCH)
		return 1;
	do
		digits[k++] = (char)('0' + tid % 10);
	while ((tid /= 10) && k < (int)sizeof(digits));
	while (k)
		path[i++] = digits[--k];
	nuse_host_memcpy(path + i, "/stat", 6);
	fd = sys3(NR_open, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	n = sys3(NR_read, fd, buf, sizeof(buf) - 1);
	sys1(NR_close, fd);
	if (n <= 0)
		return 0;
	/* "TID (COMM) STATE ...": the state follows the last ')' */
	for (i = (int)n - 1; i >= 0 && buf[i] != ')'; i--)
		;
	return i >= 0 && i + 2 < n && (buf[i + 2] == 'Z' || buf[i + 2] == 'X');
}

int nuse_host_alive(long pid, long tid)
{
	return sys3(NR_tgkill, pid, tid, 0) != -ESRCH && !nuse_host_tid_gone(tid);
}

/*
 * process_vm_readv/writev on our own process: the host kernel checks
 * the application's pointer and answers EFAULT instead of a SIGSEGV.
 */
/* set if a sandbox forbids process_vm_*: copies then trust the pointer */
static int vm_copy_denied;
/* a fault handler recovers nuse_host_safe_copy() in this process */
static int copy_direct;
/*
 * Pages mapped without PROT_READ that the CPU reads anyway (execute-only
 * needs PKU): the runtime's syscall sleds.  A pointer into them must give
 * EFAULT, which only process_vm_* tells.
 */
#define COPY_AVOID_MAX 4
static struct {
	unsigned long lo, hi;
} copy_avoid[COPY_AVOID_MAX];

void nuse_host_copy_direct(int on)
{
	copy_direct = on;
}

void nuse_host_copy_avoid(unsigned long lo, unsigned long hi)
{
	for (int i = 0; i < COPY_AVOID_MAX; i++) {
		if (!copy_avoid[i].hi) {
			copy_avoid[i].lo = lo;
			copy_avoid[i].hi = hi;
			return;
		}
	}
}

static int direct_ok(const void *user, unsigned long n)
{
	unsigned long a = (unsigned long)user;

	if (!copy_direct || a + n < a)
		return 0;
	for (int i = 0; i < COPY_AVOID_MAX && copy_avoid[i].hi; i++)
		if (a < copy_avoid[i].hi && a + n > copy_avoid[i].lo)
			return 0;
	return 1;
}

/*
 * The stack's own memory is in this address space too (its region at
 * 4 GiB, its data section): a program's pointer into it gives EFAULT, as
 * a kernel address does on Linux, from the runtime's and vfs-fd's copies
 * as from the stack's (kernel/uaccess.c defines nuse_user_range_bad; weak:
 * the host services' unit test links without the stack).
 */
#pragma weak nuse_user_range_bad

static int forbidden(const void *user, unsigned long n)
{
	return nuse_user_range_bad && nuse_user_range_bad(user, n);
}

static unsigned long vm_copy(long nr, void *local, const void *remote, unsigned long n)
{
	struct host_iovec l, r;
	unsigned long done = 0;
	long pid = nuse_host_getpid();

	if (__builtin_expect(vm_copy_denied, 0)) {
		if (nr == NR_process_vm_readv)
			nuse_host_memcpy(local, remote, n);
		else
			nuse_host_memcpy((void *)remote, local, n);
		return 0;
	}
	while (done < n) {
		long ret;

		l.base = (char *)local + done;
		l.len = n - done;
		r.base = (char *)remote + done;
		r.len = n - done;
		ret = sys6(nr, pid, (long)&l, 1, (long)&r, 1, 0);
		if (ret == -1 /* EPERM */ || ret == -38 /* ENOSYS */) {
			static const char msg[] = "nuse: process_vm_readv/writev not allowed here: "
						  "bad pointers will crash instead of EFAULT\n";

			nuse_host_print(msg, sizeof(msg) - 1);
			vm_copy_denied = 1;
			return vm_copy(nr, local, remote, n);
		}
		if (ret <= 0)
			break;
		done += (unsigned long)ret;
	}
	return n - done;
}

unsigned long nuse_host_copy_in(void *dst, const void *src, unsigned long n)
{
	if (!n)
		return 0;
	if (forbidden(src, n))
		return n;
	if (direct_ok(src, n))
		return nuse_host_safe_copy(dst, src, n);
	return vm_copy(NR_process_vm_readv, dst, src, n);
}

unsigned long nuse_host_copy_out(void *dst, const void *src, unsigned long n)
{
	if (!n)
		return 0;
	if (forbidden(dst, n))
		return n;
	if (direct_ok(dst, n))
		return nuse_host_safe_copy(dst, src, n);
	return vm_copy(NR_process_vm_writev, (void *)src, dst, n);
}

void nuse_host_print(const char *str, unsigned long len)
{
	while (len) {
		long ret = sys3(NR_write, 2, str, len);

		if (ret == -EINTR)
			continue;
		if (ret <= 0)
			return;
		str += ret;
		len -= (unsigned long)ret;
	}
}

void nuse_host_raise(int sig)
{
	sys3(NR_tgkill, sys0(NR_getpid), sys0(NR_gettid), sig);
}

void nuse_host_panic(const char *msg)
{
	nuse_host_print(msg, nuse_host_strlen(msg));
	nuse_host_print("\n", 1);
	sys2(NR_kill, sys0(NR_getpid), 6 /* SIGABRT */);
	for (;;)
		sys1(NR_exit_group, 134);
}

void nuse_host_memcpy(void *dst, const void *src, unsigned long n)
{
	__asm__ __volatile__("rep movsb"
			     : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

void nuse_host_memset(void *dst, int c, unsigned long n)
{
	__asm__ __volatile__("rep stosb"
			     : "+D"(dst), "+c"(n) : "a"(c) : "memory");
}

unsigned long nuse_host_strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}
