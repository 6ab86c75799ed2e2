// SPDX-License-Identifier: GPL-2.0
/*
 * libnuse-preload.so: the LD_PRELOAD interception mode (--mode=preload).
 *
 * Interposes the libc wrappers of the network and descriptor system calls
 * (the set in netcalls.c) and forwards each, unchanged, to the runtime's
 * dispatcher, nuse_dispatch(), which returns the kernel's convention
 * (a value, or -errno); the shim turns that into libc's (-1 and errno).
 *
 * This is the baseline every other mode is measured against, so the
 * forwarding path is one direct call: no locks, no lookups, no TLS, and
 * errno is only touched on failure.
 *
 * What an LD_PRELOAD shim cannot see (see docs/preload.md):
 *  - static programs (no dynamic loader): nuse-exec refuses them;
 *  - raw `syscall` instructions: Go's runtime, inline assembly, liburing;
 *  - calls libc makes to itself (stdio's write, getaddrinfo's sockets),
 *    which do not go through the PLT.
 * syscall(2) itself is interposed, so io_uring_setup and other calls made
 * through it reach the dispatcher too.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "netcalls.h"
#include "preload/abi.h"
#include "rt/dispatch.h"

#define SHIM __attribute__((visibility("default")))

/* What the kernel expects as sigsetsize: _NSIG / 8. */
#define KSIGSET_SIZE 8

extern void __chk_fail(void) __attribute__((noreturn));

/* The kernel's -errno convention to libc's. */
static inline __attribute__((always_inline)) long ret(long r)
{
	if (__builtin_expect((unsigned long)r > -4096UL, 0)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define L(x) ((long)(x))
#define FWD0(nr) ret(nuse_dispatch(nr, 0, 0, 0, 0, 0, 0))
#define FWD1(nr, a) ret(nuse_dispatch(nr, L(a), 0, 0, 0, 0, 0))
#define FWD2(nr, a, b) ret(nuse_dispatch(nr, L(a), L(b), 0, 0, 0, 0))
#define FWD3(nr, a, b, c) ret(nuse_dispatch(nr, L(a), L(b), L(c), 0, 0, 0))
#define FWD4(nr, a, b, c, d) \
	ret(nuse_dispatch(nr, L(a), L(b), L(c), L(d), 0, 0))
#define FWD5(nr, a, b, c, d, e) \
	ret(nuse_dispatch(nr, L(a), L(b), L(c), L(d), L(e), 0))
#define FWD6(nr, a, b, c, d, e, f) \
	ret(nuse_dispatch(nr, L(a), L(b), L(c), L(d), L(e), L(f)))

static inline long raw_syscall(long nr, long a0, long a1, long a2, long a3,
			       long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* --- sockets ------------------------------------------------------------ */

SHIM int socket(int domain, int type, int protocol)
{
	return FWD3(SYS_socket, domain, type, protocol);
}

SHIM int socketpair(int domain, int type, int protocol, int sv[2])
{
	return FWD4(SYS_socketpair, domain, type, protocol, sv);
}

SHIM int bind(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	return FWD3(SYS_bind, fd, addr.__sockaddr__, len);
}

SHIM int listen(int fd, int backlog)
{
	return FWD2(SYS_listen, fd, backlog);
}

SHIM int accept(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
	return FWD3(SYS_accept, fd, addr.__sockaddr__, len);
}

SHIM int accept4(int fd, __SOCKADDR_ARG addr, socklen_t *len, int flags)
{
	return FWD4(SYS_accept4, fd, addr.__sockaddr__, len, flags);
}

SHIM int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	return FWD3(SYS_connect, fd, addr.__sockaddr__, len);
}

SHIM int getsockname(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
	return FWD3(SYS_getsockname, fd, addr.__sockaddr__, len);
}

SHIM int getpeername(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
	return FWD3(SYS_getpeername, fd, addr.__sockaddr__, len);
}

SHIM ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return FWD6(SYS_sendto, fd, buf, n, flags, 0, 0);
}

SHIM ssize_t sendto(int fd, const void *buf, size_t n, int flags,
		    __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	return FWD6(SYS_sendto, fd, buf, n, flags, addr.__sockaddr__, len);
}

SHIM ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return FWD3(SYS_sendmsg, fd, msg, flags);
}

SHIM int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	return FWD4(SYS_sendmmsg, fd, vec, vlen, flags);
}

SHIM ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	return FWD6(SYS_recvfrom, fd, buf, n, flags, 0, 0);
}

SHIM ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
		      __SOCKADDR_ARG addr, socklen_t *len)
{
	return FWD6(SYS_recvfrom, fd, buf, n, flags, addr.__sockaddr__, len);
}

SHIM ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	return FWD3(SYS_recvmsg, fd, msg, flags);
}

SHIM int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
		  struct timespec *tmo)
{
	return FWD5(SYS_recvmmsg, fd, vec, vlen, flags, tmo);
}

SHIM int shutdown(int fd, int how)
{
	return FWD2(SYS_shutdown, fd, how);
}

SHIM int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return FWD5(SYS_setsockopt, fd, level, name, val, len);
}

SHIM int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	return FWD5(SYS_getsockopt, fd, level, name, val, len);
}

/* --- descriptor I/O ----------------------------------------------------- */

SHIM ssize_t read(int fd, void *buf, size_t n)
{
	return FWD3(SYS_read, fd, buf, n);
}

SHIM ssize_t write(int fd, const void *buf, size_t n)
{
	return FWD3(SYS_write, fd, buf, n);
}

SHIM ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	return FWD3(SYS_readv, fd, iov, cnt);
}

SHIM ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	return FWD3(SYS_writev, fd, iov, cnt);
}

SHIM ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	return FWD4(SYS_sendfile, out, in, off, n);
}

SHIM ssize_t sendfile64(int out, int in, off_t *off, size_t n)
{
	return FWD4(SYS_sendfile, out, in, off, n);
}

SHIM ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out,
		    size_t len, unsigned int flags)
{
	return FWD6(SYS_splice, in, off_in, out, off_out, len, flags);
}

SHIM int close(int fd)
{
	return FWD1(SYS_close, fd);
}

SHIM int close_range(unsigned int first, unsigned int last, int flags)
{
	return FWD3(SYS_close_range, first, last, flags);
}

SHIM int dup(int fd)
{
	return FWD1(SYS_dup, fd);
}

SHIM int dup2(int fd, int fd2)
{
	return FWD2(SYS_dup2, fd, fd2);
}

SHIM int dup3(int fd, int fd2, int flags)
{
	return FWD3(SYS_dup3, fd, fd2, flags);
}

/*
 * The third argument is an int or a pointer depending on @cmd; like
 * glibc, pass it on as a full register and let the kernel decide.
 */
SHIM int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return FWD3(SYS_fcntl, fd, cmd, arg);
}

SHIM int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return FWD3(SYS_fcntl, fd, cmd, arg);
}

SHIM int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	long arg;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	return FWD3(SYS_ioctl, fd, req, arg);
}

/*
 * fstat on a stack socket is the placeholder's with a socket's mode
 * (vfs-fd); glibc's fstat is fstatat(fd, "", buf, AT_EMPTY_PATH).
 */
SHIM int fstat(int fd, struct stat *buf)
{
	return FWD2(SYS_fstat, fd, buf);
}

SHIM int fstat64(int fd, struct stat64 *buf)
{
	return FWD2(SYS_fstat, fd, buf);
}

SHIM int fstatat(int dirfd, const char *path, struct stat *buf, int flags)
{
	return FWD4(SYS_newfstatat, dirfd, path, buf, flags);
}

SHIM int fstatat64(int dirfd, const char *path, struct stat64 *buf, int flags)
{
	return FWD4(SYS_newfstatat, dirfd, path, buf, flags);
}

/* --- /proc/self/exe ----------------------------------------------------- */

/*
 * With --stack=linux the program runs in nuse-exec's process, whose
 * /proc/self/exe is nuse-exec: show the program, as the sud runtime does.
 * (An execve of /proc/self/exe is sent back by nuse-exec itself, see
 * preload/run-linux.c.)
 */
static long self_exe(const char *path, char *buf, size_t len)
{
	const char *p = nuse_shim_rt->prog_path;
	size_t n = strlen(p);

	if (n > len)
		n = len;
	memcpy(buf, p, n);
	return (long)n;
}

static bool is_self_exe(int dirfd, const char *path)
{
	return nuse_shim_rt && path &&
	       (dirfd == AT_FDCWD || path[0] == '/') &&
	       !strcmp(path, "/proc/self/exe");
}

SHIM ssize_t readlink(const char *path, char *buf, size_t len)
{
	if (__builtin_expect(is_self_exe(AT_FDCWD, path), 0))
		return self_exe(path, buf, len);
	return ret(raw_syscall(SYS_readlink, L(path), L(buf), L(len), 0, 0, 0));
}

SHIM ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	if (__builtin_expect(is_self_exe(dirfd, path), 0))
		return self_exe(path, buf, len);
	return ret(raw_syscall(SYS_readlinkat, dirfd, L(path), L(buf), L(len), 0,
			       0));
}

/* --- readiness ---------------------------------------------------------- */

SHIM int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return FWD3(SYS_poll, fds, n, timeout);
}

/* The kernel writes the time left back; the caller's timeout is const. */
SHIM int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
	       const sigset_t *mask)
{
	struct timespec t, *tp = NULL;

	if (tmo) {
		t = *tmo;
		tp = &t;
	}
	return FWD5(SYS_ppoll, fds, n, tp, mask, KSIGSET_SIZE);
}

SHIM int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	return FWD5(SYS_select, n, r, w, e, tv);
}

SHIM int pselect(int n, fd_set *r, fd_set *w, fd_set *e,
		 const struct timespec *tmo, const sigset_t *mask)
{
	struct timespec t, *tp = NULL;
	struct {
		const sigset_t *ss;
		size_t len;
	} data = { mask, KSIGSET_SIZE };

	if (tmo) {
		t = *tmo;
		tp = &t;
	}
	return FWD6(SYS_pselect6, n, r, w, e, tp, &data);
}

SHIM int epoll_create(int size)
{
	return FWD1(SYS_epoll_create, size);
}

SHIM int epoll_create1(int flags)
{
	return FWD1(SYS_epoll_create1, flags);
}

SHIM int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	return FWD4(SYS_epoll_ctl, epfd, op, fd, ev);
}

SHIM int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	return FWD4(SYS_epoll_wait, epfd, ev, max, timeout);
}

SHIM int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
		     const sigset_t *mask)
{
	return FWD6(SYS_epoll_pwait, epfd, ev, max, timeout, mask,
		    KSIGSET_SIZE);
}

SHIM int epoll_pwait2(int epfd, struct epoll_event *ev, int max,
		      const struct timespec *tmo, const sigset_t *mask)
{
	return FWD6(SYS_epoll_pwait2, epfd, ev, max, tmo, mask, KSIGSET_SIZE);
}

/* --- _FORTIFY_SOURCE entry points ---------------------------------------- */

SHIM ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return FWD3(SYS_read, fd, buf, n);
}

SHIM ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	if (n > buflen)
		__chk_fail();
	return FWD6(SYS_recvfrom, fd, buf, n, flags, 0, 0);
}

SHIM ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen,
			    int flags, __SOCKADDR_ARG addr, socklen_t *len)
{
	if (n > buflen)
		__chk_fail();
	return FWD6(SYS_recvfrom, fd, buf, n, flags, addr.__sockaddr__, len);
}

SHIM int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return FWD3(SYS_poll, fds, n, timeout);
}

SHIM int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		     const sigset_t *mask, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return ppoll(fds, n, tmo, mask);
}

/* --- syscall(2) ---------------------------------------------------------- */


/*
 * Programs call io_uring_setup, and anything glibc has no wrapper for,
 * through syscall(2): send the network and descriptor numbers to the
 * dispatcher (which refuses io_uring_setup) and the rest to the kernel.
 */
SHIM long syscall(long nr, ...)
{
	va_list ap;
	long a0, a1, a2, a3, a4, a5;

	va_start(ap, nr);
	a0 = va_arg(ap, long);
	a1 = va_arg(ap, long);
	a2 = va_arg(ap, long);
	a3 = va_arg(ap, long);
	a4 = va_arg(ap, long);
	a5 = va_arg(ap, long);
	va_end(ap);
	if (nuse_is_net_syscall(nr))
		return ret(nuse_dispatch(nr, a0, a1, a2, a3, a4, a5));
	return ret(raw_syscall(nr, a0, a1, a2, a3, a4, a5));
}
