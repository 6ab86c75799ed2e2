// SPDX-License-Identifier: GPL-2.0
/*
 * Access to the application's memory. It shares our address space, but a
 * bad pointer must give EFAULT, not a crash: copies go through the host's
 * process_vm_readv/writev, which check the pointer for us.
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <nuse/host.h>

unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return nuse_host_copy_in(to, (const void __force *)from, n);
}

unsigned long raw_copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return nuse_host_copy_out((void __force *)to, from, n);
}

unsigned long __clear_user(void __user *to, unsigned long n)
{
	static const char zeros[256];
	unsigned long done = 0;

	while (done < n) {
		unsigned long chunk = min(n - done, (unsigned long)sizeof(zeros));

		if (nuse_host_copy_out((char __force *)to + done, zeros, chunk))
			return n - done;
		done += chunk;
	}
	return 0;
}
