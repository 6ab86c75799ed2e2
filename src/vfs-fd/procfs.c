// SPDX-License-Identifier: GPL-2.0
/*
 * The program's network procfs is its stack's: /proc/net, /proc/self/net,
 * /proc/thread-self/net and /proc/sys/net (the runtime sends only these
 * paths here).  `cat /proc/net/tcp`, busybox netstat, ifconfig -a and
 * route, and `sysctl -w net.ipv4...` see and change the program's stack,
 * not the host's.  The file is opened in the stack's procfs and gets a
 * placeholder like a socket; read, write, getdents64, fstat and close go
 * to it.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define AT_FDCWD_ -100
#define O_CLOEXEC_ 02000000
#define PATH_MAX_ 4096
#define O_PATH_ 010000000
#define O_NOFOLLOW_ 0400000
#define AT_SYMLINK_NOFOLLOW_ 0x100

static bool starts(const char *s, const char *prefix, const char **rest)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	*rest = s;
	return true;
}

/* @prefix, then the end of the path or a '/' */
static bool under(const char *s, const char *prefix)
{
	const char *rest;

	return starts(s, prefix, &rest) && (!*rest || *rest == '/');
}

/*
 * The program's @path into @buf as the stack names it: 1 if it is in the
 * stack's network procfs, 0 if not, or -errno.
 */
static int stack_path(long path, char *buf)
{
	static const char *const selves[] = { "/proc/self/net",
					       "/proc/thread-self/net" };
	const char *rest = NULL;
	size_t i;

	for (i = 0; i < PATH_MAX_; i++) {
		if (vfs_copy_in(&buf[i], (const char *)path + i, 1))
			return -EFAULT;
		if (!buf[i])
			break;
	}
	if (i == PATH_MAX_)
		return -ENAMETOOLONG;
	/* the stack's /proc/net is its only network namespace's */
	for (i = 0; i < sizeof(selves) / sizeof(selves[0]); i++)
		if (under(buf, selves[i])) {
			size_t n = 0;

			starts(buf, selves[i], &rest);
			while (rest[n])
				n++;
			/* "/proc/" stays; rest is further on: copy forwards */
			buf[6] = 'n';
			buf[7] = 'e';
			buf[8] = 't';
			for (size_t k = 0; k <= n; k++)
				buf[9 + k] = rest[k];
			return 1;
		}
	return under(buf, "/proc/net") || under(buf, "/proc/sys/net");
}

long vfs_open_proc(long path, long flags, long mode)
{
	char buf[PATH_MAX_ + 1];
	long sfd;
	int r = stack_path(path, buf);

	if (r <= 0)
		return r < 0 ? r : -ENOENT; /* the runtime sends ours only */
	/* close-on-exec belongs to the placeholder, not to the stack */
	sfd = stack(SYS_openat, AT_FDCWD_, (long)buf, flags & ~O_CLOEXEC_,
		    mode);
	if (sfd < 0)
		return sfd;
	return vfs_install((int)sfd, flags & O_CLOEXEC_);
}

/*
 * newfstatat(dirfd, PATH, ...) of a path in the stack's network procfs
 * (ls stats every entry): the stack has no stat by name, so the file is
 * opened there (O_PATH) and fstat'ed.  1 with *ret set, 0: not ours.
 */
int vfs_stat_proc(long path, long buf, long flags, long *ret)
{
	char p[PATH_MAX_ + 1];
	long sfd;
	int r = stack_path(path, p);

	if (r <= 0)
		return 0; /* the host's (and its errors) */
	sfd = stack(SYS_openat, AT_FDCWD_, (long)p,
		    O_PATH_ | O_CLOEXEC_ |
			    (flags & AT_SYMLINK_NOFOLLOW_ ? O_NOFOLLOW_ : 0),
		    0);
	if (sfd < 0) {
		*ret = sfd;
		return 1;
	}
	*ret = vfs_stack_stat((int)sfd, buf);
	stack(SYS_close, sfd);
	return 1;
}
