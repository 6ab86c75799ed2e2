// SPDX-License-Identifier: GPL-2.0
/*
 * execve re-enters nuse-exec, which loads the new program under the same
 * mode; /proc/self/exe names the program, not nuse-exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "rt.h"

#define AT_FDCWD_ -100

/*
 * The first size - 1 bytes of the program's @path into @buf, terminated:
 * false if it cannot be read. One copy, or byte by byte when that faults
 * (a short path may end just before an unmapped page).
 */
static bool path_head(char *buf, size_t size, const char *path)
{
	size_t i;

	if (!path)
		return false;
	if (rt_copy_in(buf, path, size - 1)) {
		for (i = 0; i < size - 1; i++) {
			if (rt_copy_in(buf + i, path + i, 1))
				return false;
			if (!buf[i])
				break;
		}
	}
	buf[size - 1] = '\0';
	return true;
}

/* @prefix, then the end of the path or a '/' */
static bool under(const char *buf, const char *prefix)
{
	size_t n = rt_strlen(prefix);

	for (size_t i = 0; i < n; i++)
		if (buf[i] != prefix[i])
			return false;
	return buf[n] == '\0' || buf[n] == '/';
}

enum rt_path_class rt_path_class(const char *path)
{
	char buf[32];

	if (!path_head(buf, sizeof(buf), path) || buf[0] != '/' ||
	    buf[1] != 'p')
		return RT_PATH_OTHER;
	if (!rt_strcmp(buf, "/proc/self/exe"))
		return RT_PATH_SELF_EXE;
	if (under(buf, "/proc/net") || under(buf, "/proc/self/net") ||
	    under(buf, "/proc/thread-self/net") || under(buf, "/proc/sys/net"))
		return RT_PATH_STACK_PROC;
	return RT_PATH_OTHER;
}

bool rt_is_stack_proc_path(const char *path)
{
	return rt_path_class(path) == RT_PATH_STACK_PROC;
}

long rt_serve_self_exe(long nr, long a0, long a1, long a2, long a3)
{
	size_t n;

	switch (nr) {
	case SYS_readlink:
	case SYS_readlinkat: {
		char *buf = (char *)(nr == SYS_readlink ? a1 : a2);
		long size = nr == SYS_readlink ? a2 : a3;

		if (size <= 0)
			return -EINVAL;
		n = rt_strlen(rt_cfg.prog_path);
		if ((size_t)size < n)
			n = size; /* readlink truncates silently */
		return rt_copy_out(buf, rt_cfg.prog_path, n) ?: (long)n;
	}
	case SYS_open:
		return rt_sys(SYS_open, rt_cfg.prog_path, a1, a2);
	default:
		return rt_sys(SYS_openat, AT_FDCWD_, rt_cfg.prog_path, a2, a3);
	}
}

/* What execve would say about @path before it replaces the process. */
static long vet(int dirfd, const char *path, int flags)
{
	unsigned char hdr[4];
	long fd, n;

	fd = rt_sys(SYS_openat, dirfd, path, O_RDONLY | O_CLOEXEC |
		    (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0) |
		    (flags & AT_EMPTY_PATH ? 0 : 0), 0);
	if (fd < 0)
		return fd == -ELOOP && (flags & AT_SYMLINK_NOFOLLOW) ? -ELOOP : fd;
	n = rt_sys(SYS_faccessat, dirfd, path, 1 /* X_OK */, 0);
	if (!n)
		n = rt_sys(SYS_read, fd, hdr, sizeof(hdr));
	rt_sys(SYS_close, fd);
	if (n == -EISDIR)
		return -EACCES;
	if (n < 0)
		return n;
	if (n >= 2 && hdr[0] == '#' && hdr[1] == '!')
		return 0;
	if (n < 4 || hdr[0] != 0x7f || hdr[1] != 'E' || hdr[2] != 'L' || hdr[3] != 'F')
		return -ENOEXEC;
	return 0;
}

long rt_execve(int dirfd, const char *path, char *const argv[],
	       char *const envp[], int flags)
{
	static const char *const mode_opt[] = { "--mode=sud", "--mode=sud-trap",
						"--mode=seccomp" };
	const char **nargv;
	long argc = 0, r, size, i, k = 0;

	const char *given = path;

	if (!path)
		return -EFAULT;
	if (rt_path_class(path) == RT_PATH_SELF_EXE)
		path = rt_cfg.prog_path;
	if (dirfd != AT_FDCWD_) {
		/* Name the file through /proc so nuse-exec can find it. */
		static char buf[4096 + 64];
		char num[16], *s = num + sizeof(num);
		unsigned int v = dirfd;
		size_t n = 0;

		r = rt_copy_in(buf, path, 1);
		if (r)
			return r;
		if (buf[0] != '/') {
			*--s = '\0';
			do
				*--s = '0' + v % 10;
			while (v /= 10);
			rt_memcpy(buf, "/proc/self/fd/", 14);
			n = 14 + rt_strlen(s);
			rt_memcpy(buf + 14, s, n - 14);
			if (!(flags & AT_EMPTY_PATH) || path[0]) {
				buf[n++] = '/';
				for (size_t i = 0; path[i] && n < sizeof(buf) - 1; i++)
					buf[n++] = path[i];
			}
			buf[n] = '\0';
			path = buf;
		}
		dirfd = AT_FDCWD_;
	}
	r = vet(dirfd, path, flags);
	if (r)
		return r;
	while (argv && argv[argc])
		argc++;
	size = (argc + 11) * sizeof(char *);
	r = rt_sys(SYS_mmap, 0, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r < 0 && r > -4096)
		return r;
	nargv = (const char **)r;
	nargv[k++] = rt_cfg.self_exe;
	nargv[k++] = mode_opt[rt_cfg.mode];
	/* the new image joins this session's stack (or keeps the host's) */
	nargv[k++] = rt_cfg.linux_stack ? "--stack=linux" : "--stack=host";
	if (rt_cfg.proc && (nargv[k] = rt_cfg.proc->exec_arg()))
		k++;
	nargv[k++] = "--exec-argv0";
	nargv[k++] = argc ? argv[0] : "";
	nargv[k++] = "--exec-fn";
	nargv[k++] = given;
	nargv[k++] = "--";
	/* execve does no PATH search: keep a bare name relative. */
	if (path[0] != '/' && path[0] != '.') {
		static char rel[4096 + 2];

		rel[0] = '.';
		rel[1] = '/';
		for (i = 0; path[i] && i < 4095; i++)
			rel[i + 2] = path[i];
		rel[i + 2] = '\0';
		path = rel;
	}
	nargv[k++] = path;
	for (i = 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	r = rt_sys(SYS_execve, rt_cfg.self_exe, nargv, envp);
	if (rt_cfg.proc)
		rt_cfg.proc->exec_failed();
	rt_sys(SYS_munmap, nargv, size);
	return r;
}
