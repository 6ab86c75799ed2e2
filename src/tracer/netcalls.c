// SPDX-License-Identifier: GPL-2.0
#include <sys/syscall.h>

#include "netcalls.h"

/* One list, expanded into the table the filters use and a switch. */
#define NUSE_NET_SYSCALLS(X)                                                  \
	/* sockets */                                                         \
	X(socket) X(socketpair) X(bind) X(listen) X(accept) X(accept4)        \
	X(connect) X(getsockname) X(getpeername) X(sendto) X(recvfrom)        \
	X(sendmsg) X(recvmsg) X(sendmmsg) X(recvmmsg) X(shutdown)             \
	X(setsockopt) X(getsockopt)                                           \
	/* descriptor I/O that may land on a socket */                        \
	X(read) X(write) X(readv) X(writev) X(sendfile) X(splice) X(ioctl)    \
	X(fcntl) X(close) X(close_range) X(dup) X(dup2) X(dup3) X(fstat)      \
	X(newfstatat) X(getdents64)                                           \
	/* readiness over mixed descriptors */                                \
	X(poll) X(ppoll) X(select) X(pselect6) X(epoll_create)                \
	X(epoll_create1) X(epoll_ctl) X(epoll_wait) X(epoll_pwait)            \
	X(epoll_pwait2)                                                       \
	/* would bypass the dispatcher */                                     \
	X(io_uring_setup)

#define AS_ENTRY(name) SYS_##name,
#define AS_CASE(name) case SYS_##name:

const int nuse_net_syscalls[] = { NUSE_NET_SYSCALLS(AS_ENTRY) };

const unsigned int nuse_net_syscalls_count =
	sizeof(nuse_net_syscalls) / sizeof(nuse_net_syscalls[0]);

bool nuse_is_net_syscall(long nr)
{
	switch (nr) {
	NUSE_NET_SYSCALLS(AS_CASE)
		return true;
	default:
		return false;
	}
}
