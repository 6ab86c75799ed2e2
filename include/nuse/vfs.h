/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nuse virtual descriptors: the layer between the tracer and the stack.
 *
 * A stack socket owns a real host descriptor number, a placeholder (a
 * non-blocking eventfd) created with the program's O_CLOEXEC, so that
 * lowest-free allocation, dup2 onto it, F_GETFD/F_SETFD, close_range and
 * execve behave as the host's.  vfs-fd maps placeholder numbers to stack
 * descriptors and sends every call on a mapped number to the stack.
 *
 * Runs on the program's threads inside the runtime: no libc.  Host system
 * calls go through the function the tracer hands in (its gate).
 */
#ifndef NUSE_VFS_H
#define NUSE_VFS_H

/* Issue a host system call: result or -errno. */
typedef long (*nuse_vfs_host_fn)(long nr, long a0, long a1, long a2, long a3,
				 long a4, long a5);

/* Descriptor numbers vfs-fd can map (higher placeholders get EMFILE). */
#define NUSE_VFS_MAX_FD 65536

/* Once, before the first call; the stack must be booted. */
void nuse_vfs_init(nuse_vfs_host_fn host);

/*
 * execve: nuse_vfs_save() writes the table to a new memfd (not CLOEXEC:
 * its number goes to the new image), nuse_vfs_restore() reads it there,
 * after nuse_vfs_init(), and closes it; stack descriptors whose
 * placeholder did not survive the exec are closed.  Save: fd or -errno.
 */
long nuse_vfs_save(void);
void nuse_vfs_restore(long memfd);

/*
 * One network or descriptor call (x86-64 number and arguments, as the
 * tracer's classification sends them): served by the stack when it names
 * a stack socket or creates one (AF_INET, AF_INET6), by the host
 * otherwise.  Returns the kernel convention (-errno).
 */
long nuse_vfs_syscall(long nr, long a0, long a1, long a2, long a3, long a4,
		      long a5);

/*
 * nuse-exec's probe (it proves, before running a program, that a call
 * made from the program's side reaches nuse): a number no x86-64 kernel
 * assigns (Linux 6.12 stops at 462; 511 is the last the rewriting sled
 * covers), so natively ENOSYS.  Served, it returns NUSE_PROBE_REPLY, with
 * bit 0 set when a0 is a descriptor of nuse's Linux stack.
 */
#define NUSE_PROBE_NR 511
#define NUSE_PROBE_REPLY 0x4e550000L

#endif
