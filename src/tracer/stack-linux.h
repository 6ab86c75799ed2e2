/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NUSE_TRACER_STACK_LINUX_H
#define NUSE_TRACER_STACK_LINUX_H

struct nuse_opts;

/* Boot the in-process Linux stack, configure it from the options and
 * route network calls to it through vfs-fd (--stack=linux, in-process
 * modes): 0 or -errno; a configuration error left its one line in
 * nuse_stack_err. */
int nuse_stack_linux_start(const struct nuse_opts *o);

/*
 * stack-config.c: apply --sysctl, -i/--iface, --pcap and --dpdk-args to
 * the booted stack (sysctls first).  0, or -errno with one line naming
 * the option in err; a failure detaches what it had attached.
 */
int nuse_stack_linux_configure(const struct nuse_opts *o, char *err,
			       unsigned long errlen);
extern char nuse_stack_err[256];
/* Detach the links configure attached (the captures are complete after
 * it): in the process that owns the stack, before it exits. */
void nuse_stack_linux_deconfigure(void);

/*
 * session.c: boot the session's stack in its keeper process, or join the
 * session named by o->session (after execve; *vfs_fd then is the
 * descriptor map to restore, or -1).  0 or -errno (+ a line in err for a
 * bad option).
 */
#include <nuse/stack.h>
extern struct nuse_session nuse_session;
/* Before the stack goes away: let TCP deliver what closed sockets left. */
void nuse_session_drain(void);
int nuse_session_start(const struct nuse_opts *o, long *vfs_fd, char *err,
		       unsigned long errlen);
/*
 * After the program's first process is isolated (isolate.h): hand the
 * session's memfds to a holder process there, which exec'd images open
 * them from, and close them here.  0 or -errno.
 */
int nuse_session_hold(void);

#endif
