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

#endif
