// SPDX-License-Identifier: GPL-2.0
/*
 * Access to the application's memory. It shares our address space, but a
 * bad pointer must give EFAULT, not a crash: copies go through the host's
 * process_vm_readv/writev, which check the pointer for us.
 *
 * A supervisor (nuse-exec --mode=unotify/ptrace) serves calls of another
 * process: its serving thread names that process with nuse_uaccess_pid()
 * before the call, and "user" memory is then the other process's.  The
 * setting is per host thread (a table hashed on the tid; unused in the
 * in-process modes, which then pay one load per copy).
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <nuse/host.h>
#include <nuse/stack.h>

/* open addressing on the host tid; entries are never freed (serving
 * threads live as long as the supervisor) */
#define UACCESS_THREADS 4096

struct uaccess_target {
	long tid; /* serving host thread, 0: free */
	long pid; /* whose memory it copies */
};

static struct uaccess_target targets[UACCESS_THREADS];
static int any_target; /* set once: the in-process modes never set one */

static struct uaccess_target *find(long tid, bool claim)
{
	unsigned int i, h = (unsigned long)tid % UACCESS_THREADS;

	for (i = 0; i < UACCESS_THREADS; i++) {
		struct uaccess_target *t = &targets[(h + i) % UACCESS_THREADS];
		long cur = READ_ONCE(t->tid);

		if (cur == tid)
			return t;
		if (!cur) {
			if (!claim)
				return NULL;
			if (cmpxchg(&t->tid, 0L, tid) == 0)
				return t;
			if (READ_ONCE(t->tid) == tid)
				return t;
		}
	}
	return NULL;
}

static long target_pid(void)
{
	struct uaccess_target *t;

	if (likely(!READ_ONCE(any_target)))
		return 0;
	t = find(nuse_host_gettid(), false);
	return t ? READ_ONCE(t->pid) : 0;
}

/* Exported (nuse.syms): 0 or -ENOSPC; pid 0 goes back to our own memory. */
int nuse_uaccess_pid(long pid)
{
	struct uaccess_target *t = find(nuse_host_gettid(), pid != 0);

	if (!t)
		return pid ? -ENOSPC : 0;
	WRITE_ONCE(t->pid, pid);
	if (pid && !READ_ONCE(any_target))
		WRITE_ONCE(any_target, 1);
	return 0;
}

struct uaccess_iovec {
	void *base;
	unsigned long len;
};

static long vm_copy_syscall(long nr, long pid, struct uaccess_iovec *l,
			    struct uaccess_iovec *r)
{
	register long r10 __asm__("r10") = (long)r;
	register long r8 __asm__("r8") = 1;
	register long r9 __asm__("r9") = 0;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(pid), "S"(l), "d"(1L), "r"(r10),
			       "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

/* Bytes NOT copied, like the host's copies. */
static unsigned long remote_copy(long pid, int write, void *local,
				 const void __user *remote, unsigned long n)
{
	unsigned long done = 0;

	while (done < n) {
		struct uaccess_iovec l = { (char *)local + done, n - done };
		struct uaccess_iovec r = { (char __force *)remote + done,
					   n - done };
		long ret = vm_copy_syscall(write ? 311 /* process_vm_writev */ :
						   310 /* process_vm_readv */,
					   pid, &l, &r);

		if (ret <= 0)
			break;
		done += (unsigned long)ret;
	}
	return n - done;
}

/* the kernel's writable data (nuse-shared.lds), shared by the session */
extern char __nuse_shared_start[], __nuse_shared_end[];

static bool overlaps(unsigned long a, unsigned long end, unsigned long lo,
		     unsigned long hi)
{
	return a < hi && end > lo;
}

/*
 * In the in-process modes the kernel's own memory is in the caller's
 * address space, and access_ok() lets everything through (no MMU,
 * TASK_SIZE is the whole space): a "user" pointer into the kernel's
 * memory region (slab, page allocator, task stacks, struct pages) or into
 * its data section would have the call read or write the kernel itself,
 * and the session's other processes with it.  Linux's access_ok() refuses
 * kernel addresses: so do we, for the whole copy.
 */
static bool kernel_range(const void __user *p, unsigned long n)
{
	unsigned long a = (unsigned long)p, end = a + n;

	if (end < a)
		end = ULONG_MAX;
	return overlaps(a, end, memory_start, memory_end) ||
	       overlaps(a, end, (unsigned long)__nuse_shared_start,
			(unsigned long)__nuse_shared_end);
}

/*
 * For the host services' copies of the program's memory
 * (src/backend/host/mem.c), which the stack's own copies below, the
 * runtime and vfs-fd all go through: one check for every caller.
 */
int nuse_user_range_bad(const void *p, unsigned long n)
{
	return n && kernel_range((const void __user __force *)p, n);
}

unsigned long raw_copy_from_user(void *to, const void __user *from,
				 unsigned long n)
{
	long pid = target_pid();

	if (pid && n)
		return remote_copy(pid, 0, to, from, n);
	return nuse_host_copy_in(to, (const void __force *)from, n);
}

unsigned long raw_copy_to_user(void __user *to, const void *from,
			       unsigned long n)
{
	long pid = target_pid();

	if (pid && n)
		return remote_copy(pid, 1, (void *)from, to, n);
	return nuse_host_copy_out((void __force *)to, from, n);
}

unsigned long __clear_user(void __user *to, unsigned long n)
{
	static const char zeros[256];
	unsigned long done = 0;

	while (done < n) {
		unsigned long chunk =
			min(n - done, (unsigned long)sizeof(zeros));

		if (raw_copy_to_user((char __user *)to + done, zeros, chunk))
			return n - done;
		done += chunk;
	}
	return 0;
}
