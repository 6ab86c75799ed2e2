/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fail closed: before the program's first instruction, every mode makes
 * a few calls the way the program will make them and checks that they
 * reached nuse and, with --stack=linux, that a socket made that way is
 * the Linux stack's and not the host's.  Otherwise nuse-exec refuses to
 * run the program (exit status 125).
 */
#ifndef NUSE_TRACER_PROBE_H
#define NUSE_TRACER_PROBE_H

#include <stdbool.h>

struct nuse_probe_ops {
	/* a call as the program makes it (x86-64 number, three arguments) */
	long (*call)(long nr, long a0, long a1, long a2);
	/* the host kernel's own getsockopt(fd, SOL_SOCKET, SO_DOMAIN):
	 * the domain or -errno; NULL where the program's side has no
	 * unintercepted path (the supervisor modes) */
	long (*host_domain)(long fd);
};

/* NULL when the calls reach nuse, else what went wrong (one phrase). */
const char *nuse_probe_run(const struct nuse_probe_ops *ops, bool linux_stack);

#endif
