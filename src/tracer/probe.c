// SPDX-License-Identifier: GPL-2.0
/* Fail closed: see probe.h.  No libc: the preload shim shares it. */
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <nuse/vfs.h>

#include "probe.h"

const char *nuse_probe_run(const struct nuse_probe_ops *ops, bool linux_stack)
{
	const char *why = NULL;
	long fd, r;

	r = ops->call(NUSE_PROBE_NR, -1, 0, 0);
	if (r == -ENOSYS)
		return "a call made as the program makes it reached the host kernel";
	if ((r & ~1L) != NUSE_PROBE_REPLY)
		return "a call made as the program makes it got no answer from nuse";
	fd = ops->call(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return "the program's stack cannot make a socket";
	r = ops->call(NUSE_PROBE_NR, fd, 0, 0);
	if (linux_stack && r != (NUSE_PROBE_REPLY | 1))
		why = "a socket made as the program makes it is not the Linux stack's";
	/* The host kernel's own word: it must not know that socket. */
	else if (linux_stack && ops->host_domain &&
		 ops->host_domain(fd) != -ENOTSOCK)
		why = "a socket made as the program makes it is the host kernel's";
	ops->call(SYS_close, fd, 0, 0);
	return why;
}
