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

/*
 * Once, before the first call; the stack must be booted.  @scratch gives
 * the calling thread's bounce buffer for splice and sendfile (and its
 * size), or NULL: 8 KiB on the stack then.
 */
void nuse_vfs_init(nuse_vfs_host_fn host, void *(*scratch)(unsigned long *size));

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
 * Semantics shared by the in-process table and the supervisor modes
 * (src/tracer/serve-linux*.c), so that they are implemented once: each
 * caller gives its way to the host (host descriptors are the io's own:
 * the program's numbers in-process, copies taken with pidfd_getfd in a
 * supervisor) and to the program's memory (0 or -EFAULT).  Stack
 * descriptors are the stack's; buffers the stack reads are this
 * process's own (a supervisor calls nuse_uaccess_pid(0) first).
 */
struct nuse_vfs_io {
	nuse_vfs_host_fn hostcall;
	long (*copy_in)(const struct nuse_vfs_io *io, void *dst,
			unsigned long src, unsigned long len);
	long (*copy_out)(const struct nuse_vfs_io *io, unsigned long dst,
			 const void *src, unsigned long len);
	void *ctx;
	/* a bounce buffer of the caller's, or NULL for 8 KiB on the stack
	 * (the in-process runtime stack is small): bigger is fewer calls */
	void *buf;
	unsigned long buf_size;
};

/* sendfile(2) from host descriptor @in to stack socket @sfd; @offp is a
 * pointer in the program's memory or 0. */
long nuse_vfs_sendfile(const struct nuse_vfs_io *io, int sfd, long in,
		       long offp, long count);
/* splice(2) between host pipe @pipe and stack socket @sfd, from the
 * socket when @from_socket; offsets are the call's (program pointers). */
long nuse_vfs_splice(const struct nuse_vfs_io *io, int sfd, long pipe,
		     int from_socket, long off_in, long off_out, long len,
		     long flags);

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
