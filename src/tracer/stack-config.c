// SPDX-License-Identifier: GPL-2.0
/*
 * --stack=linux: the options that give the booted stack its links and
 * settings (--sysctl, -i/--iface, --pcap, --dpdk-args), applied with the
 * same glue nuse-node uses (src/stack/attach.c).
 *
 * Runs in nuse-exec's own context, before the program gets control:
 * libc is nuse-exec's, and the backends' receive threads are created here,
 * before SUD or the seccomp filter is armed, so their system calls are
 * never intercepted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nuse/attach.h>
#include <nuse/stack.h>

#include "options.h"
#include "stack-linux.h"

char nuse_stack_err[256];

/* "net.ipv4.ping_group_range=0 0": sysctl(8)'s dotted key, then the value. */
static int set_sysctls(const struct nuse_opts *o, char *err,
		       unsigned long errlen)
{
	char key[128];

	for (int i = 0; i < o->n_sysctls; i++) {
		const char *s = o->sysctls[i], *eq = strchr(s, '=');
		size_t klen = eq - s;
		int r;

		if (klen >= sizeof(key)) {
			snprintf(err, errlen, "--sysctl: key too long in '%s'", s);
			return -EINVAL;
		}
		memcpy(key, s, klen);
		key[klen] = '\0';
		r = nuse_sysctl_set(key, eq + 1);
		if (r < 0) {
			snprintf(err, errlen, "--sysctl: %s: %s", s,
				 r == -ENOENT ? "no such key in the stack" :
						strerror(-r));
			return r;
		}
	}
	return 0;
}

/*
 * The DPDK backend reads its EAL arguments from NUSE_DPDK_EAL_ARGS when
 * it starts the EAL (the first dpdk open).  The environment is also the
 * program's (main hands environ to the loader), so the variable is set
 * only around the attaches and put back as it was.
 */
static char *dpdk_env_set(const char *args)
{
	const char *old = getenv("NUSE_DPDK_EAL_ARGS");
	char *saved = old ? strdup(old) : NULL;

	setenv("NUSE_DPDK_EAL_ARGS", args, 1);
	return saved;
}

static void dpdk_env_restore(char *saved)
{
	if (saved)
		setenv("NUSE_DPDK_EAL_ARGS", saved, 1);
	else
		unsetenv("NUSE_DPDK_EAL_ARGS");
	free(saved);
}

/*
 * The links of this process's stack, detached when it ends: detaching
 * closes the backend, which flushes and closes its capture file.
 */
static struct nuse_attach *attached[NUSE_OPT_MAX_IFACES];
static int n_attached;

/* one capture per interface, as nuse-node: FILE, FILE.1, ... */
static const char *pcap_name(const struct nuse_opts *o, int i, char *buf,
			     size_t len)
{
	if (!o->pcap || !i)
		return o->pcap;
	snprintf(buf, len, "%s.%d", o->pcap, i);
	return buf;
}

static int attach_all(const struct nuse_opts *o, char *err,
		      unsigned long errlen)
{
	struct nuse_attach *att[NUSE_OPT_MAX_IFACES] = { 0 };
	char name[4096], msg[224];
	int i, r = 0;

	for (i = 0; i < o->n_ifaces; i++) {
		r = nuse_attach(&att[i], &o->ifaces[i],
				pcap_name(o, i, name, sizeof(name)), msg,
				sizeof(msg));
		if (r < 0) {
			snprintf(err, errlen, "--iface: %s", msg);
			break;
		}
	}
	if (r < 0) {
		/* nothing half-made: the links attached so far go (a TAP
		 * they created goes with its descriptor), and their captures */
		while (i--) {
			nuse_detach(att[i]);
			if (o->pcap)
				unlink(pcap_name(o, i, name, sizeof(name)));
		}
		return r;
	}
	memcpy(attached, att, sizeof(att));
	n_attached = o->n_ifaces;
	return 0;
}

void nuse_stack_linux_deconfigure(void)
{
	while (n_attached > 0)
		nuse_detach(attached[--n_attached]);
}

int nuse_stack_linux_configure(const struct nuse_opts *o, char *err,
			       unsigned long errlen)
{
	char *saved = NULL;
	int r;

	err[0] = '\0';
	if (o->pcap && !o->n_ifaces) {
		snprintf(err, errlen, "--pcap: no --iface to capture");
		return -EINVAL;
	}
	/*
	 * ICMP datagram sockets for every group, as systemd sets it on the
	 * host: that is how ping works without CAP_NET_RAW.  Linux's default
	 * ("1 0") allows nobody.  --sysctl can set it back.
	 */
	nuse_sysctl_set("net.ipv4.ping_group_range", "0 2147483647");
	/* sysctls first: net.*.conf.default.* then applies to the new links */
	r = set_sysctls(o, err, errlen);
	if (r < 0)
		return r;
	if (o->dpdk_args)
		saved = dpdk_env_set(o->dpdk_args);
	r = attach_all(o, err, errlen);
	if (o->dpdk_args)
		dpdk_env_restore(saved);
	return r;
}
