// SPDX-License-Identifier: GPL-2.0
/*
 * How FS and GS bases are read and written: decided here, once per
 * process, for the runtime, the SIGSYS path, the preload entry and the
 * host services alike (include/nuse/host.h has the accessors, and the
 * only uses of the base instructions).
 *
 * The base instructions may be used only where AT_HWCAP2 has
 * HWCAP2_FSGSBASE: the kernel then enabled them and saves the bases
 * across context switches (Documentation/arch/x86/x86_64/fsgs.rst).
 * Some kernels leave CR4.FSGSBASE set without saving the values, so an
 * instruction that does not fault proves nothing.  Without the flag, or
 * with NUSE_NO_FSGSBASE=1 in the environment (the fallback, forced for
 * tests), GS is set with arch_prctl and read through the block's own
 * pointer at %gs:0, FS is told apart by the word at %fs:0.
 *
 * Every thread must have GS set before it reads %gs:0: a constructor
 * gives the main thread a block before any other thread exists, clone
 * copies GS into new threads, fork into the child.
 */
#include <nuse/host.h>
#include "sys.h"

#define AT_NULL			0
#define AT_HWCAP2		26
#define AT_SYSINFO_EHDR		33
#define HWCAP2_FSGSBASE		(1 << 1)

int nuse_host_fsgsbase;
static int decided;

/* AT_HWCAP2 and AT_SYSINFO_EHDR from /proc/self/auxv (no libc here). */
static int scan_auxv(void)
{
	unsigned long auxv[128];
	int fsgsbase = 0;
	long fd, n, i;

	fd = sys2(NR_open, "/proc/self/auxv", 0);
	if (fd < 0)
		return 0;
	n = sys3(NR_read, fd, auxv, sizeof(auxv));
	sys1(NR_close, fd);
	for (i = 0; i + 1 < n / (long)sizeof(long) && auxv[i] != AT_NULL; i += 2) {
		if (auxv[i] == AT_HWCAP2)
			fsgsbase = (auxv[i + 1] & HWCAP2_FSGSBASE) != 0;
		if (auxv[i] == AT_SYSINFO_EHDR)
			nuse_host_vdso_setup(auxv[i + 1]);
	}
	return fsgsbase;
}

/* Is NUSE_NO_FSGSBASE set to something other than "" or "0"? */
static int fallback_forced(void)
{
	static const char key[] = "NUSE_NO_FSGSBASE=";
	char buf[4096];
	unsigned long k = 0;	/* bytes of key matched at an entry's start */
	int at_start = 1, value = 0;
	long fd, n, i;

	fd = sys2(NR_open, "/proc/self/environ", 0);
	if (fd < 0)
		return 0;
	while ((n = sys3(NR_read, fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			char c = buf[i];

			if (value) {
				/* first byte of the value decides */
				value = 0;
				if (c != '\0' && c != '0') {
					sys1(NR_close, fd);
					return 1;
				}
			}
			if (c == '\0') {
				at_start = 1;
				k = 0;
				continue;
			}
			if (at_start && c == key[k]) {
				if (++k == sizeof(key) - 1)
					value = 1, at_start = 0;
				continue;
			}
			at_start = 0;
		}
	}
	sys1(NR_close, fd);
	return 0;
}

int nuse_host_fsgs_decide(void)
{
	if (!__atomic_load_n(&decided, __ATOMIC_ACQUIRE)) {
		int insn = scan_auxv() && !fallback_forced();

		__atomic_store_n(&nuse_host_fsgsbase, insn, __ATOMIC_RELAXED);
		__atomic_store_n(&decided, 1, __ATOMIC_RELEASE);
	}
	return nuse_host_fsgsbase;
}

/* Before main, and so before any thread of the process exists. */
static void __attribute__((constructor)) fsgs_setup(void)
{
	nuse_host_fsgs_decide();
	nuse_host_tls_first();
}
