// SPDX-License-Identifier: GPL-2.0
/*
 * Access to the application's memory. It shares our address space, but a
 * bad pointer must give EFAULT, not a crash: copies go through the host's
 * process_vm_readv/writev, which check the pointer for us.
 *
 * A supervisor (nuse-exec --mode=unotify/ptrace) serves calls of another
 * process: its serving thread names that process with nuse_uaccess_pid()
 * before the call, and "user" memory is then the other process's.  The
 * setting is per host thread (a small table; empty in the in-process
 * modes, which then pay one load per copy).
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <nuse/host.h>
#include <nuse/stack.h>

#define UACCESS_THREADS 256

struct uaccess_target {
	long tid; /* serving host thread, 0: free */
	long pid; /* whose memory it copies */
};

static struct uaccess_target targets[UACCESS_THREADS];
static int n_targets; /* entries ever used: the scan bound */

static long target_pid(void)
{
	long tid;
	int i, n = READ_ONCE(n_targets);

	if (likely(!n))
		return 0;
	tid = nuse_host_gettid();
	for (i = 0; i < n; i++)
		if (READ_ONCE(targets[i].tid) == tid)
			return READ_ONCE(targets[i].pid);
	return 0;
}

/* Exported (nuse.syms): 0 or -ENOSPC; pid 0 goes back to our own memory. */
int nuse_uaccess_pid(long pid)
{
	long tid = nuse_host_gettid();
	int i, n = READ_ONCE(n_targets);

	for (i = 0; i < n; i++)
		if (READ_ONCE(targets[i].tid) == tid) {
			WRITE_ONCE(targets[i].pid, pid);
			return 0;
		}
	if (!pid)
		return 0;
	/* a new serving thread: take a free entry (threads never leave) */
	for (i = 0; i < UACCESS_THREADS; i++) {
		if (cmpxchg(&targets[i].tid, 0L, tid) == 0) {
			WRITE_ONCE(targets[i].pid, pid);
			if (i >= READ_ONCE(n_targets))
				WRITE_ONCE(n_targets, i + 1);
			return 0;
		}
	}
	return -ENOSPC;
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
		struct uaccess_iovec r = { (char __force *)remote + done, n - done };
		long ret = vm_copy_syscall(write ? 311 /* process_vm_writev */ :
						   310 /* process_vm_readv */,
					   pid, &l, &r);

		if (ret <= 0)
			break;
		done += (unsigned long)ret;
	}
	return n - done;
}

unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	long pid = target_pid();

	if (pid && n)
		return remote_copy(pid, 0, to, from, n);
	return nuse_host_copy_in(to, (const void __force *)from, n);
}

unsigned long raw_copy_to_user(void __user *to, const void *from, unsigned long n)
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
		unsigned long chunk = min(n - done, (unsigned long)sizeof(zeros));

		if (raw_copy_to_user((char __user *)to + done, zeros, chunk))
			return n - done;
		done += chunk;
	}
	return 0;
}
