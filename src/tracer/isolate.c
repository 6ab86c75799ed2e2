// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "isolate.h"
#include "options.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * What a root program would use to leave its namespace or act through
 * nuse's processes outside it: setns and mount (SYS_ADMIN), ptrace and
 * process_vm_writev of the keeper or the supervisor (SYS_PTRACE), kernel
 * code (SYS_MODULE, BPF, PERFMON).  Root keeps the rest: file access,
 * setuid, and CAP_SYS_RAWIO, which sud's page 0 needs at every execve.
 */
static const int root_drops[] = { CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE,
				  CAP_BPF, CAP_PERFMON };

static int set_caps(const int *drop, unsigned int n, bool all)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	for (unsigned int k = 0; k < 2; k++) {
		uint32_t keep = ~0U;

		for (unsigned int i = 0; i < n; i++)
			if ((unsigned int)drop[i] / 32 == k)
				keep &= ~(1U << (drop[i] % 32));
		if (all)
			keep = 0;
		d[k].effective &= keep;
		d[k].permitted &= keep;
		d[k].inheritable &= keep;
	}
	if (syscall(SYS_capset, &h, d))
		return -errno;
	/* ambient capabilities would come back at the next execve */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

static int drop_root_caps(void)
{
	for (unsigned int i = 0; i < sizeof(root_drops) / sizeof(root_drops[0]);
	     i++)
		/* EINVAL: a kernel older than the capability */
		if (prctl(PR_CAPBSET_DROP, root_drops[i], 0, 0, 0) &&
		    errno != EINVAL)
			return -errno;
	return set_caps(root_drops, sizeof(root_drops) / sizeof(root_drops[0]),
			false);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n, len = (ssize_t)strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n != len)
		r = n < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

/* Our own ids, and nothing else: files of others show as nobody. */
static int map_ids(uid_t uid, gid_t gid)
{
	char line[64];
	int r;

	/* gid_map is refused until setgroups is denied (user_namespaces(7)) */
	r = write_file("/proc/self/setgroups", "deny");
	if (r && r != -ENOENT)
		return r;
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned int)uid,
		 (unsigned int)uid);
	r = write_file("/proc/self/uid_map", line);
	if (r)
		return r;
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned int)gid,
		 (unsigned int)gid);
	return write_file("/proc/self/gid_map", line);
}

int nuse_isolate(enum nuse_isolation *how, char *why, size_t len)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int r;

	why[0] = '\0';
	if (!unshare(CLONE_NEWNET)) {
		*how = NUSE_ISOLATION_NETNS;
		return drop_root_caps();
	}
	if (errno != EPERM) {
		/* no CONFIG_NET_NS, user.max_net_namespaces reached, threads */
		snprintf(why, len, "unshare(CLONE_NEWNET): %s",
			 strerror(errno));
		*how = NUSE_ISOLATION_UNAVAILABLE;
		return 0;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		/* user.max_user_namespaces=0, a sysctl or an LSM forbids them */
		snprintf(
			why, len,
			"unshare(CLONE_NEWNET), unshare(CLONE_NEWUSER|CLONE_NEWNET): %s",
			strerror(errno));
		*how = NUSE_ISOLATION_UNAVAILABLE;
		return 0;
	}
	*how = NUSE_ISOLATION_USERNS;
	r = map_ids(uid, gid);
	if (r) {
		snprintf(why, len, "user namespace: id maps: %s", strerror(-r));
		return r;
	}
	/* what unshare gave us in the new namespace, the program never had */
	r = set_caps(NULL, 0, true);
	if (r)
		snprintf(why, len, "user namespace: capset: %s", strerror(-r));
	return r;
}

const char *nuse_isolation_name(enum nuse_isolation how)
{
	switch (how) {
	case NUSE_ISOLATION_NETNS:
		return "a network namespace of its own (CAP_SYS_ADMIN)";
	case NUSE_ISOLATION_USERNS:
		return "a network namespace of its own, in a user namespace mapping only its own uid and gid";
	case NUSE_ISOLATION_UNAVAILABLE:
		return "none: the host's network namespace";
	case NUSE_ISOLATION_OFF:
		break;
	}
	return "none (--no-isolate)";
}

int nuse_isolate_program(const struct nuse_opts *o)
{
	enum nuse_isolation how = NUSE_ISOLATION_OFF;
	char why[256] = "";
	int r = 0;

	if (o->stack != NUSE_STACK_LINUX || o->session)
		return 0;
	if (!o->no_isolate)
		r = nuse_isolate(&how, why, sizeof(why));
	if (r) {
		fprintf(stderr,
			"nuse-exec: isolation: %s: not running the program (--no-isolate runs it in the host's network namespace)\n",
			why);
		return 125;
	}
	if (o->verbose)
		fprintf(stderr, "nuse-exec: isolation: %s%s%s\n",
			nuse_isolation_name(how), why[0] ? ": " : "", why);
	return 0;
}
