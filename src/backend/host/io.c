// SPDX-License-Identifier: GPL-2.0
/* Descriptor I/O for the stack: a link's frames written without the CPU. */
#include <nuse/host.h>
#include "sys.h"

#define NR_writev 20

long nuse_host_writev(int fd, const void *iov, int n)
{
	long ret;

	do
		ret = sys3(NR_writev, fd, iov, n);
	while (ret == -EINTR);
	return ret;
}
