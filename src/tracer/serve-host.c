// SPDX-License-Identifier: GPL-2.0
/*
 * --stack=host for the supervisor modes: the host kernel runs each call in
 * the caller's own context (credentials, namespaces, fd table, signal
 * state), which no emulation from outside could match exactly.
 *
 * One exception shows the path the Linux stack will take: under unotify,
 * socket(AF_INET/AF_INET6) is served from outside.  The supervisor creates
 * the socket and installs it in the caller with SECCOMP_IOCTL_NOTIF_ADDFD,
 * which also answers the call with the descriptor's number, allocated by
 * the caller itself (lowest free number, its RLIMIT_NOFILE).  A socket
 * records its creator's network namespace, credentials, cgroup and LSM
 * label, so this is done only when the caller's equal the supervisor's;
 * otherwise the call continues to the kernel as every other one.
 *
 * Data calls (read, write, send*, recv*) are not served from outside: a
 * blocking one would leave the caller unable to take a signal (it waits
 * killably once the supervisor has the notification) or, without
 * WAIT_KILLABLE_RECV, lose data when a signal ends the wait after the
 * supervisor has consumed it.  They continue to the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>

#include "supervise.h"

/* Read a small /proc file; -1 if it cannot be read. */
static long slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The lines of /proc/PID/status that a socket's creation depends on. */
static void creds_of(char *status, char *out, size_t len)
{
	static const char *const keys[] = { "Uid:", "Gid:", "Groups:",
					    "CapEff:" };
	size_t n = 0, i;
	char *l;

	out[0] = '\0';
	for (l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(l, keys[i], strlen(keys[i])) && n < len)
				n += snprintf(out + n, len - n, "%.*s;",
					      (int)strcspn(l, "\n"), l);
}

static bool same_file(const char *what, pid_t tid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/%s", tid, what);
	if (stat(path, &a))
		return false;
	snprintf(path, sizeof(path), "/proc/self/%s", what);
	return !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool same_text(const char *what, pid_t tid, bool creds)
{
	char path[64], a[4096], b[4096], ca[512], cb[512];
	long na, nb;

	snprintf(path, sizeof(path), "/proc/%d/%s", tid, what);
	na = slurp(path, a, sizeof(a));
	snprintf(path, sizeof(path), "/proc/self/%s", what);
	nb = slurp(path, b, sizeof(b));
	if (na < 0 || nb < 0)
		return na == nb; /* e.g. no LSM: absent for both */
	if (!creds)
		return na == nb && !memcmp(a, b, na);
	creds_of(a, ca, sizeof(ca));
	creds_of(b, cb, sizeof(cb));
	return !strcmp(ca, cb);
}

/* Would a socket made here be the one the caller would make itself? */
static bool same_context(pid_t tid)
{
	return same_file("ns/net", tid) && same_text("status", tid, true) &&
	       same_text("cgroup", tid, false) &&
	       same_text("attr/current", tid, false);
}

static enum nuse_verdict serve_socket(const struct nuse_sup *s,
				      struct nuse_call *c)
{
	int domain = (int)c->args[0], type = (int)c->args[1];
	int fd, r;

	if ((domain != AF_INET && domain != AF_INET6) || !same_context(c->tid))
		return NUSE_CALL_CONTINUE;
	fd = socket(domain, type | SOCK_CLOEXEC, (int)c->args[2]);
	if (fd < 0)
		/* Let the kernel say why, in the caller's own terms. */
		return NUSE_CALL_CONTINUE;
	r = c->install_fd(c, fd, type & SOCK_CLOEXEC ? O_CLOEXEC : 0);
	close(fd);
	if (r >= 0 || r == -ENOENT) {
		/* Answered, or the caller is gone: nothing left to send. */
		c->ret = r;
		return NUSE_CALL_ANSWERED;
	}
	/* Not installed (EMFILE in the caller...): the call fails so. */
	nuse_sup_log(s, 2, "[%d] socket: install: %s", c->tid, strerror(-r));
	c->ret = r;
	return NUSE_CALL_RETURN;
}

enum nuse_verdict nuse_serve_host(const struct nuse_sup *s, struct nuse_call *c)
{
	if (c->install_fd && c->arch == AUDIT_ARCH_X86_64 && c->nr == SYS_socket)
		return serve_socket(s, c);
	return NUSE_CALL_CONTINUE;
}
