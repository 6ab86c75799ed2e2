// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_setup must fail with ENOSYS under every mode: a ring would do
 * network I/O that no filter sees.  Also through the x32 ABI number and
 * the i386 ABI (int $0x80), which a filter on x86-64 numbers alone would
 * let through.
 */
#include <signal.h>
#include <sys/wait.h>
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

/* io_uring_setup(4, NULL) through int $0x80, in a child: without ia32
 * emulation the instruction faults. */
static int try_i386(void)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		long r = 425; /* io_uring_setup in every x86 ABI */

		asm volatile("int $0x80" : "+a"(r) : "b"(4), "c"(0) : "memory");
		printf("i386 io_uring_setup: %s\n",
		       r == -ENOSYS ? "ENOSYS" : strerror((int)-r));
		fflush(stdout);
		_exit(r != -ENOSYS);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	if (WIFSIGNALED(st)) {
		printf("i386 io_uring_setup: no ia32 emulation (%s)\n",
		       strsignal(WTERMSIG(st)));
		return 0;
	}
	return WEXITSTATUS(st);
}

int main(void)
{
	int bad = try("io_uring_setup", SYS_io_uring_setup);

	bad |= try("x32 io_uring_setup", X32_BIT | SYS_io_uring_setup);
	bad |= try_i386();
	return bad;
}
