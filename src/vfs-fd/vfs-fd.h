/* SPDX-License-Identifier: GPL-2.0 */
/* vfs-fd internals: the descriptor table and the calls it routes. */
#ifndef NUSE_VFS_FD_H
#define NUSE_VFS_FD_H

#include <stdbool.h>
#include <stddef.h>

#include <nuse/stack.h>
#include <nuse/vfs.h>

extern nuse_vfs_host_fn vfs_host_fn;
extern void *(*vfs_scratch_fn)(unsigned long *size);

#define host(nr, ...) host_(nr, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define host_(nr, a, b, c, d, e, f, ...)                              \
	vfs_host_fn((nr), (long)(a), (long)(b), (long)(c), (long)(d), \
		    (long)(e), (long)(f))
#define stack(nr, ...) stack_(nr, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define stack_(nr, a, b, c, d, e, f, ...)                                     \
	nuse_sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
		 (long)(f))

/* table.c: placeholder number -> stack descriptor (-1: a host fd). */
void vfs_table_init(void);
int vfs_lookup(long fd);
long vfs_install(int sfd, bool cloexec);
/* open/openat of an absolute path in the stack's network procfs */
long vfs_open_proc(long path, long flags, long mode);
/* the in-process io for the shared semantics (nuse_vfs_io): the gate,
 * the program's memory in this process, the thread's bounce buffer */
void vfs_io_init(struct nuse_vfs_io *io);
/* newfstatat of such a path: 1 with *ret set, 0 if the path is not ours */
int vfs_stat_proc(long path, long buf, long flags, long *ret);
/* the stack's fstat of stack descriptor sfd, as x86-64's struct stat */
long vfs_stack_stat(int sfd, long buf);
/* a placeholder not yet bound to a stack descriptor */
long vfs_reserve(bool cloexec);
int vfs_bind(long fd, int sfd);
int vfs_unbind(long fd);
/* epoll instances (host epoll fds) that also watch stack sockets */
int vfs_shadow(long epfd);
int vfs_shadow_get(long epfd, bool create);
void vfs_shadow_set(long epfd, int sfd);
int vfs_shadow_host_count(long epfd, int delta);
void vfs_shadow_kick(long epfd, int shadow);
bool vfs_shadow_has_kick(long epfd);
int vfs_shadow_host_fds(long epfd);
void vfs_forget(long fd);


/* notify.c: host epoll waits woken by the stack */
#define VFS_BELL_DATA 0x6e7573652d62656cULL /* event data of a bell */
struct bell;
struct bell *vfs_bell(long epfd, int shadow);
void vfs_bell_reset(struct bell *b);
void vfs_bell_forget(long epfd);
struct vfs_pollfd {
	int fd;
	short events, revents;
};
long vfs_bell_poll_begin(struct bell **out, const struct vfs_pollfd *sfds,
			 unsigned int n);
void vfs_bell_poll_end(struct bell *b);

/* copy.c: the program's memory, EFAULT instead of a crash */
long vfs_copy_in(void *dst, const void *src, size_t len);
long vfs_copy_out(void *dst, const void *src, size_t len);

/* copy.c */
long long vfs_now_ms(void);

/* socket.c, dup.c, poll.c, epoll.c */
long vfs_socket(long domain, long type, long proto);
long vfs_accept(int sfd, long addr, long len, long flags);
long vfs_close(long fd);
long vfs_close_range(long first, long last, long flags);
long vfs_dup(long nr, long oldfd, long newfd, long flags);
long vfs_fcntl(int sfd, long fd, long cmd, long arg);
long vfs_poll(long nr, long a0, long a1, long a2, long a3, long a4);
long vfs_select(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long vfs_epoll_ctl(long epfd, long op, long fd, long ev);
long vfs_epoll_wait(long nr, long epfd, long ev, long max, long timeout,
		    long mask, long size);

#endif
