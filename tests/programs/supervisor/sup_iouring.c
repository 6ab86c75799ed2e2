// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_setup must fail with ENOSYS under every mode: a ring would do
 * network I/O that no filter sees.  Also through the x32 ABI number, which
 * a filter on x86-64 numbers alone would let through.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define X32_BIT 0x40000000L

static int try(const char *what, long nr)
{
	unsigned char params[120]; /* struct io_uring_params */
	long r;

	memset(params, 0, sizeof(params));
	r = syscall(nr, 4, params);
	if (r >= 0) {
		close((int)r);
		printf("%s: ring created\n", what);
		return 1;
	}
	printf("%s: %s\n", what, errno == ENOSYS ? "ENOSYS" : strerror(errno));
	return errno != ENOSYS;
}

int main(void)
{
	int bad = try("io_uring_setup", SYS_io_uring_setup);

	bad |= try("x32 io_uring_setup", X32_BIT | SYS_io_uring_setup);
	return bad;
}
