/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Isolation that does not depend on catching every call: with
 * --stack=linux the program's processes run in a network namespace of
 * their own, holding only a loopback that is down, so a call that escapes
 * interception finds no network.  nuse's own processes that hold host
 * resources (the keeper with the links, the supervisor, the front) stay
 * where nuse-exec started (docs/design.md "Containment").
 */
#ifndef NUSE_TRACER_ISOLATE_H
#define NUSE_TRACER_ISOLATE_H

#include <stddef.h>

enum nuse_isolation {
	NUSE_ISOLATION_OFF,	    /* --no-isolate, --stack=host */
	NUSE_ISOLATION_NETNS,	    /* unshare(CLONE_NEWNET): CAP_SYS_ADMIN */
	NUSE_ISOLATION_USERNS,	    /* + a user namespace mapping our ids */
	NUSE_ISOLATION_UNAVAILABLE, /* neither allowed here: none */
};

/*
 * Move the calling process, which must be single-threaded, into a new
 * network namespace, and drop what would let it leave: with
 * CAP_SYS_ADMIN (root), CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE,
 * CAP_BPF and CAP_PERFMON from every set and the bounding set; otherwise
 * through a user namespace that maps only our own uid and gid, holding no
 * capability afterwards.  *how says which; NUSE_ISOLATION_UNAVAILABLE with
 * @why set when the kernel allows neither (the caller runs unisolated and
 * says so).  Returns 0, or -errno when it failed half-way (a user
 * namespace without its maps): the caller must not run the program.
 */
int nuse_isolate(enum nuse_isolation *how, char *why, size_t len);

struct nuse_opts;

/*
 * The program's side, before anything of the program runs and before any
 * filter is loaded: isolated as nuse_isolate() allows with --stack=linux,
 * unless --no-isolate, or it is an exec'd image of a session (already
 * inside).  -v says how.  0, or 125 after one line saying why.
 */
int nuse_isolate_program(const struct nuse_opts *o);

/* "a network namespace of its own (...)" for -v and --check */
const char *nuse_isolation_name(enum nuse_isolation how);

#endif
