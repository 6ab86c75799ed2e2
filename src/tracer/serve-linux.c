// SPDX-License-Identifier: GPL-2.0
/*
 * --stack=linux for the supervisor modes: the supervisor boots the Linux
 * stack and serves the network calls of every process under its filter.
 *
 * Placeholders.  A stack socket is represented in the tracee by one end of
 * a host AF_UNIX socketpair, installed there as the call's result (unotify:
 * SECCOMP_IOCTL_NOTIF_ADDFD); the supervisor keeps the other end.  The
 * placeholder's inode names the stack socket: a call on descriptor N is
 * routed by reading /proc/TID/fd/N ("socket:[INODE]").  Because the
 * identity is the open file, not the number, everything the host kernel
 * does to descriptors stays exact with no bookkeeping here: dup, dup2,
 * F_DUPFD, close, close_range, CLOEXEC at execve, inheritance at fork,
 * passing over AF_UNIX -- those calls simply continue to the host.  When
 * the last reference to a placeholder is gone anywhere, the supervisor's
 * end sees a hang-up and the stack socket is closed (sl_reaper): the
 * lifetime of a Linux file.  fstat on a placeholder is the host's: a socket.
 *
 * User memory: the serving thread names the caller before each stack call
 * (nuse_uaccess_pid), so the stack copies to and from the tracee with
 * process_vm_readv/writev.  Calls may block in the stack (accept, recv,
 * poll): the modes serve every notification on a worker thread of its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nuse/stack.h>
#include <nuse/vfs.h>

#include "serve-linux.h"
#include "stack-linux.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

#define PH_BUCKETS 1024

struct sl_ph {
	unsigned long ino; /* of the tracee-side end */
	int sfd; /* stack descriptor */
	int keep; /* the supervisor's end */
	int refs; /* the table's, plus one per call in flight */
	struct sl_ph *next;
};

static struct sl_ph *table[PH_BUCKETS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int reaper_ep = -1;

long sl_stack(pid_t tid, long nr, long a0, long a1, long a2, long a3, long a4,
	      long a5)
{
	if (nuse_uaccess_pid(tid))
		return -ENOMEM;
	return nuse_sys(nr, a0, a1, a2, a3, a4, a5);
}

static void ph_release(struct sl_ph *ph)
{
	bool last;

	pthread_mutex_lock(&table_lock);
	last = --ph->refs == 0;
	pthread_mutex_unlock(&table_lock);
	if (!last)
		return;
	nuse_sys(SYS_close, ph->sfd, 0, 0, 0, 0, 0);
	free(ph);
}

void sl_put(struct sl_ph *ph)
{
	if (ph)
		ph_release(ph);
}

/*
 * ptrace placeholders are named FIFOs in a directory of the supervisor's
 * (FIFO_DIR/<random id>): the tracee opens one by path, which, unlike
 * /proc/SUPERVISOR/fd/N, needs no ptrace access to the supervisor (a
 * program that dropped capabilities, like ping, has none).  Their key in
 * the table is the id with the top bit set (socket inodes never have it).
 */
#define FIFO_KEY (1UL << 63)
static char fifo_dir[64];
static size_t fifo_dir_len;

/* The key of the placeholder behind the tracee's descriptor, or 0. */
static unsigned long fd_socket_ino(pid_t tid, long fd)
{
	char path[64], link[160];
	ssize_t n;

	if (fd < 0 || fd > 0x7fffffff)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%ld", tid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 8)
		return 0;
	link[n] = '\0';
	if (!memcmp(link, "socket:[", 8))
		return strtoul(link + 8, NULL, 10);
	/* "FIFO_DIR/<hex id>", " (deleted)" once unlinked */
	if (fifo_dir_len && !strncmp(link, fifo_dir, fifo_dir_len) &&
	    link[fifo_dir_len] == '/')
		return strtoul(link + fifo_dir_len + 1, NULL, 16) | FIFO_KEY;
	return 0;
}

/* The FIFO directory, made on first use; 0 or -errno. */
static int fifo_dir_make(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int r = 0;

	pthread_mutex_lock(&lock);
	if (!fifo_dir_len) {
		snprintf(fifo_dir, sizeof(fifo_dir), "%s/nuse-%d-XXXXXX",
			 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm",
			 (int)getpid());
		if (!mkdtemp(fifo_dir) || chmod(fifo_dir, 0711))
			r = -errno;
		else
			fifo_dir_len = strlen(fifo_dir);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

void nuse_serve_linux_cleanup(void)
{
	if (fifo_dir_len)
		rmdir(fifo_dir);
}

/*
 * A FIFO with both ends open here: sv[0] the read end (its hang-up tells
 * when no writer is left), sv[1] a write end held until the caller has
 * opened its own; *key its table key, @path its name.  0 or -errno.
 */
static int fifo_make(int sv[2], unsigned long *key, char *path, size_t len)
{
	unsigned long id;
	int r = fifo_dir_make();

	if (r)
		return r;
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		return -EIO;
	id &= ~FIFO_KEY;
	snprintf(path, len, "%s/%lx", fifo_dir, id);
	if (mkfifo(path, 0600) || chmod(path, 0666))
		return -errno;
	sv[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	sv[1] = sv[0] < 0 ? -1 : open(path, O_WRONLY | O_CLOEXEC);
	if (sv[1] < 0) {
		r = -errno;
		if (sv[0] >= 0)
			close(sv[0]);
		unlink(path);
		return r;
	}
	*key = id | FIFO_KEY;
	return 0;
}

int sl_get(pid_t tid, long fd, struct sl_ph **out)
{
	unsigned long ino = fd_socket_ino(tid, fd);
	struct sl_ph *ph;

	*out = NULL;
	if (!ino)
		return -1;
	pthread_mutex_lock(&table_lock);
	for (ph = table[ino % PH_BUCKETS]; ph; ph = ph->next)
		if (ph->ino == ino) {
			ph->refs++;
			break;
		}
	pthread_mutex_unlock(&table_lock);
	*out = ph;
	return ph ? ph->sfd : -1;
}

static void ph_insert(struct sl_ph *ph)
{
	pthread_mutex_lock(&table_lock);
	ph->next = table[ph->ino % PH_BUCKETS];
	table[ph->ino % PH_BUCKETS] = ph;
	pthread_mutex_unlock(&table_lock);
}

static void ph_unlink(struct sl_ph *ph)
{
	struct sl_ph **p;

	pthread_mutex_lock(&table_lock);
	for (p = &table[ph->ino % PH_BUCKETS]; *p; p = &(*p)->next)
		if (*p == ph) {
			*p = ph->next;
			break;
		}
	pthread_mutex_unlock(&table_lock);
}

/* The last placeholder of a stack socket is gone: close it in the stack. */
/* held while placeholders found gone are released (reaper, reap_now) */
static pthread_mutex_t reap_lock = PTHREAD_MUTEX_INITIALIZER;

static void reap(const struct epoll_event *ev, int n)
{
	pthread_mutex_lock(&reap_lock);
	for (int i = 0; i < n; i++) {
		struct sl_ph *ph = ev[i].data.ptr;

		ph_unlink(ph);
		sl_epoll_forget(ph);
		epoll_ctl(reaper_ep, EPOLL_CTL_DEL, ph->keep, NULL);
		close(ph->keep);
		ph_release(ph);
	}
	pthread_mutex_unlock(&reap_lock);
}

static void *sl_reaper(void *arg)
{
	struct epoll_event ev[64];

	(void)arg;
	for (;;)
		reap(ev, epoll_wait(reaper_ep, ev, 64, -1));
	return NULL;
}

/*
 * The same at once, for what the tracees closed before this call: a
 * listener closed and bound again at once must find its port free, as
 * after Linux's close (Go's TestClosingListener and TestListenCloseListen
 * got EADDRINUSE when the reaper thread had not run yet).  Each event is
 * one-shot: the reaper thread or this takes it, never both.
 */
static void reap_now(void)
{
	struct epoll_event ev[64];

	/* the reaper thread may be releasing one right now: after it */
	pthread_mutex_lock(&reap_lock);
	pthread_mutex_unlock(&reap_lock);
	reap(ev, epoll_wait(reaper_ep, ev, 64, 0));
}

/*
 * No tracee is left: close the stack sockets the reaper has not yet
 * (their hang-ups may still be queued), so their data and FIN go out
 * before the stack goes away with us (nuse_session_drain).
 */
void nuse_serve_linux_drain(void)
{
	struct sl_ph *ph;

	if (reaper_ep < 0)
		return; /* --stack=host: no stack */
	/*
	 * The reaper thread may be between taking a placeholder out of the
	 * table and closing its socket: then neither it (we exit) nor the
	 * sweep below closed it, no FIN went out, and a peer waiting for
	 * EOF got nothing (stack-exit under ptrace, once).  Take the
	 * hang-ups already queued, and keep the reaper out meanwhile.
	 */
	reap_now();
	pthread_mutex_lock(&reap_lock);
	pthread_mutex_lock(&table_lock);
	for (int i = 0; i < PH_BUCKETS; i++) {
		while ((ph = table[i])) {
			table[i] = ph->next;
			nuse_sys(SYS_close, ph->sfd, 0, 0, 0, 0, 0);
			ph->sfd = -1;
		}
	}
	pthread_mutex_unlock(&table_lock);
	pthread_mutex_unlock(&reap_lock);
	nuse_session_drain();
}

/*
 * Give stack socket @sfd a placeholder in the caller, as the call's
 * result.  On any failure the stack socket is closed (by the reaper once
 * our end sees that no tracee holds the other).
 */
static enum nuse_verdict ph_install(const struct nuse_sup *s,
				    struct nuse_call *c, int sfd, bool cloexec)
{
	struct sl_ph *ph = calloc(1, sizeof(*ph));
	struct epoll_event ev = { .events = EPOLLRDHUP | EPOLLONESHOT };
	unsigned long key = 0;
	sigset_t intr, old;
	struct stat st;
	int sv[2], r;

	/*
	 * The caller gets sv[1] (or opens the FIFO by name); the hang-up on
	 * sv[0] tells when its last copy is gone.
	 */
	if (c->install_by_path) {
		if (fifo_make(sv, &key, c->install_path,
			      sizeof(c->install_path)))
			sv[0] = -1;
	} else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		sv[0] = -1;
	} else {
		fstat(sv[1], &st);
		key = st.st_ino;
	}
	if (!ph || sv[0] < 0) {
		if (sv[0] >= 0) {
			close(sv[0]);
			close(sv[1]);
		}
		free(ph);
		nuse_sys(SYS_close, sfd, 0, 0, 0, 0, 0);
		c->ret = -ENOMEM;
		return NUSE_CALL_RETURN;
	}
	ph->ino = key;
	ph->sfd = sfd;
	ph->keep = sv[0];
	ph->refs = 1;
	ev.data.ptr = ph;
	/* In the table before the caller can use the number. */
	ph_insert(ph);
	epoll_ctl(reaper_ep, EPOLL_CTL_ADD, sv[0], &ev);
	/*
	 * ADDFD waits for the caller to install the descriptor: the monitor
	 * must not interrupt that wait (with SEND, the notification would be
	 * marked answered with nothing delivered).
	 */
	sigemptyset(&intr);
	sigaddset(&intr, SL_SIG_INTR);
	pthread_sigmask(SIG_BLOCK, &intr, &old);
	r = c->install_fd(c, sv[1], cloexec ? O_CLOEXEC : 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (r >= 0 || r == -ENOENT) {
		c->ret = r;
		return NUSE_CALL_ANSWERED;
	}
	nuse_sup_log(s, 2, "[%d] placeholder: %s", c->tid, strerror(-r));
	c->ret = r;
	return NUSE_CALL_RETURN;
}

/*
 * The families of the program's network, as vfs-fd has them: IPv4, IPv6,
 * packet sockets, and the netlink families that configure or inspect
 * networking (iproute2's rtnetlink and sock_diag, getaddrinfo); AF_UNIX
 * and the other netlink families (audit, uevents...) are the host's.
 */
static bool stack_domain(int domain, int proto)
{
	switch (domain) {
	case AF_INET:
	case AF_INET6:
	case AF_PACKET:
		return true;
	case AF_NETLINK:
		return proto == NETLINK_ROUTE || proto == NETLINK_SOCK_DIAG ||
		       proto == NETLINK_XFRM || proto == NETLINK_FIB_LOOKUP ||
		       proto == NETLINK_NETFILTER || proto == NETLINK_GENERIC;
	}
	return false;
}

static enum nuse_verdict serve_socket(const struct nuse_sup *s,
				      struct nuse_call *c)
{
	int domain = (int)c->args[0], type = (int)c->args[1];
	long sfd;

	if (!stack_domain(domain, (int)c->args[2]))
		return NUSE_CALL_CONTINUE;
	sfd = nuse_sys(SYS_socket, domain, type & ~SOCK_CLOEXEC, c->args[2], 0,
		       0, 0);
	if (sfd < 0) {
		c->ret = sfd;
		return NUSE_CALL_RETURN;
	}
	return ph_install(s, c, (int)sfd, type & SOCK_CLOEXEC);
}

/*
 * Can the caller take one more descriptor?  Linux takes the number before
 * it accepts, so accept at RLIMIT_NOFILE fails with EMFILE and leaves the
 * connection queued; a placeholder that could not be installed after the
 * accept would lose it.  A descriptor table smaller than the limit has a
 * free number below it (cheap: one /proc read); else the numbers in use
 * below the limit are counted.  (Another thread of the caller may still
 * take the last number in between: then the connection is lost.)
 */
static bool caller_has_free_fd(pid_t tid)
{
	struct rlimit rl;
	char path[64];
	struct dirent *d;
	long size, used = 0;
	DIR *dir;

	if (prlimit(tid, RLIMIT_NOFILE, NULL, &rl) ||
	    rl.rlim_cur == RLIM_INFINITY)
		return true; /* cannot tell: go on as before */
	size = sl_status_field(tid, "FDSize:"); /* the descriptor table's size */
	if (size >= 0 && (rlim_t)size < rl.rlim_cur)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/fd", tid);
	dir = opendir(path);
	if (!dir)
		return true;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' &&
		    (rlim_t)strtoul(d->d_name, NULL, 10) < rl.rlim_cur)
			used++;
	closedir(dir);
	return (rlim_t)used < rl.rlim_cur;
}

static enum nuse_verdict serve_accept(const struct nuse_sup *s,
				      struct nuse_call *c, int sfd)
{
	long flags = c->nr == SYS_accept4 ? (long)c->args[3] : 0;
	long r;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) {
		c->ret = -EINVAL;
		return NUSE_CALL_RETURN;
	}
	if (!caller_has_free_fd(c->tid)) {
		c->ret = -EMFILE;
		return NUSE_CALL_RETURN;
	}
	r = sl_stack(c->tid, SYS_accept4, sfd, c->args[1], c->args[2],
		     flags & ~SOCK_CLOEXEC, 0, 0);
	if (r < 0) {
		c->ret = r;
		return NUSE_CALL_RETURN;
	}
	return ph_install(s, c, (int)r, flags & SOCK_CLOEXEC);
}

/* Flags argument of the send-type calls, for SIGPIPE. */
static bool raises_sigpipe(const struct nuse_call *c)
{
	switch (c->nr) {
	case SYS_write:
	case SYS_writev:
		return true;
	case SYS_sendto:
	case SYS_sendmsg:
		return !(c->args[c->nr == SYS_sendto ? 3 : 2] & MSG_NOSIGNAL);
	case SYS_sendmmsg:
		return !(c->args[3] & MSG_NOSIGNAL);
	default:
		return false;
	}
}

/* The tracee's descriptor @fd, duplicated here: the same open file. */
int sl_caller_fd(pid_t tid, long fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, O_EXCL /* PIDFD_THREAD */);
	int copy;

	if (pidfd < 0)
		return -1;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return copy;
}

/* A call whose first argument is a descriptor that may be a placeholder. */
static enum nuse_verdict serve_fd_call(const struct nuse_sup *s,
				       struct nuse_call *c)
{
	struct sl_ph *ph;
	int sfd = sl_get(c->tid, (long)c->args[0], &ph);
	enum nuse_verdict v = NUSE_CALL_RETURN;

	if (sfd < 0)
		return NUSE_CALL_CONTINUE;
	switch (c->nr) {
	case SYS_accept:
	case SYS_accept4:
		v = serve_accept(s, c, sfd);
		break;
	case SYS_sendfile:
		c->ret = sl_sendfile(c, sfd);
		if (c->ret == -EPIPE)
			syscall(SYS_tgkill, sl_tgid(c->tid), c->tid, SIGPIPE);
		break;
	case SYS_splice:
		/* the socket is the source (the destination's case: serve) */
		c->ret = sl_splice(c, sfd, -1);
		break;
	default:
		c->ret = sl_stack(c->tid, c->nr, sfd, c->args[1], c->args[2],
				  c->args[3], c->args[4], c->args[5]);
		/* a socket the tracees closed may still hold the address */
		for (int i = 0; i < 5 && c->ret == -EADDRINUSE &&
				(c->nr == SYS_bind || c->nr == SYS_listen);
		     i++) {
			/* (the reaper thread may hold the event taken) */
			if (i)
				usleep(1000);
			reap_now();
			c->ret = sl_stack(c->tid, c->nr, sfd, c->args[1],
					  c->args[2], c->args[3], c->args[4],
					  c->args[5]);
		}
		/* The stack raised SIGPIPE on our thread: the caller's. */
		if (c->ret == -EPIPE && raises_sigpipe(c))
			syscall(SYS_tgkill, sl_tgid(c->tid), c->tid, SIGPIPE);
		break;
	}
	sl_put(ph);
	return v;
}

/*
 * A pipe placeholder (ptrace): its stat with a socket's mode, as a socket
 * shows on Linux (S_IFSOCK, 0777), so S_ISSOCK() holds.
 */
static enum nuse_verdict serve_fstat(struct nuse_call *c)
{
	long fd = (long)c->args[0], buf = (long)c->args[1];
	struct sl_ph *ph;
	struct stat st;
	char path;

	if (c->nr == SYS_newfstatat) {
		/* only fstatat(fd, "", buf, AT_EMPTY_PATH) is an fstat */
		buf = (long)c->args[2];
		if (!(c->args[3] & AT_EMPTY_PATH) || !c->args[1] ||
		    c->read_mem(c, &path, c->args[1], 1) != 1 || path)
			return NUSE_CALL_CONTINUE;
	}
	if (sl_get(c->tid, fd, &ph) < 0)
		return NUSE_CALL_CONTINUE;
	if (fstat(ph->keep, &st))
		c->ret = -errno;
	else {
		st.st_mode = S_IFSOCK | 0777;
		c->ret = c->write_mem(c, buf, &st, sizeof(st)) == sizeof(st) ?
				 0 :
				 -EFAULT;
	}
	sl_put(ph);
	return NUSE_CALL_RETURN;
}

long sl_status_field(pid_t tid, const char *key)
{
	char path[64], buf[1024], *t;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	t = strstr(buf, key);
	/* at the start of a line, and the line's own key */
	while (t && t != buf && t[-1] != '\n')
		t = strstr(t + 1, key);
	return t ? strtol(t + strlen(key), NULL, 10) : -ESRCH;
}

/*
 * The thread group of @tid.  /proc/TID/status is dear (the kernel formats
 * all of it, memory counts included) and most calls ask it (every epoll
 * wait): the last answer for each tid is kept, and used only while
 * tgkill(tgid, tid, 0) says tid still is a thread of that group, which is
 * exact whatever became of the tid meanwhile.
 */
#define TGID_SLOTS 256

static unsigned long long tgid_cache[TGID_SLOTS]; /* tid << 32 | tgid */

pid_t sl_tgid(pid_t tid)
{
	unsigned long long *slot = &tgid_cache[(unsigned int)tid % TGID_SLOTS];
	unsigned long long e = __atomic_load_n(slot, __ATOMIC_RELAXED);
	pid_t tgid = (pid_t)(e & 0xffffffff);

	if (tid > 0 && (pid_t)(e >> 32) == tid && tgid > 0 &&
	    syscall(SYS_tgkill, tgid, tid, 0) == 0)
		return tgid;
	tgid = (pid_t)sl_status_field(tid, "Tgid:");
	if (tid > 0 && tgid > 0)
		__atomic_store_n(slot,
				 (unsigned long long)tid << 32 | (unsigned int)tgid,
				 __ATOMIC_RELAXED);
	return tgid;
}

static enum nuse_verdict serve(const struct nuse_sup *s, struct nuse_call *c)
{
	struct sl_ph *ph;
	int sfd;

	switch (c->nr) {
	case NUSE_PROBE_NR: /* probe.h: is args[0] one of ours? */
		sfd = sl_get(c->tid, (long)c->args[0], &ph);
		sl_put(ph);
		c->ret = NUSE_PROBE_REPLY | (sfd >= 0);
		return NUSE_CALL_RETURN;
	case SYS_socket:
		return serve_socket(s, c);
	case SYS_close:
		sl_epoll_closed(c->tid, (long)c->args[0]);
		return NUSE_CALL_CONTINUE;
	case SYS_fstat:
	case SYS_newfstatat:
		if (c->install_by_path)
			return serve_fstat(c); /* a pipe: show a socket */
		return NUSE_CALL_CONTINUE; /* a socket's stat, the host's */
	case SYS_socketpair: /* AF_UNIX: the host's */
	case SYS_close_range:
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
	case SYS_epoll_create:
	case SYS_epoll_create1:
		/* Placeholders are host files: these are exact on the host. */
		return NUSE_CALL_CONTINUE;
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
		return sl_poll(s, c);
	case SYS_epoll_ctl:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		return sl_epoll(s, c);
	case SYS_fcntl:
		/* descriptor flags and numbers are the placeholder's */
		switch (c->args[1]) {
		case F_DUPFD:
		case F_DUPFD_CLOEXEC:
		case F_GETFD:
		case F_SETFD:
			return NUSE_CALL_CONTINUE;
		}
		break;
	case SYS_ioctl:
		if (c->args[1] == FIOCLEX || c->args[1] == FIONCLEX)
			return NUSE_CALL_CONTINUE;
		break;
	case SYS_sendfile:
		/* the socket as the source: not done (sendfile's out is below) */
		sfd = sl_get(c->tid, (long)c->args[1], &ph);
		sl_put(ph);
		if (sfd >= 0) {
			c->ret = -EINVAL;
			return NUSE_CALL_RETURN;
		}
		break;
	case SYS_splice: {
		struct sl_ph *ph_in;
		int sin;

		/* the socket as the destination; as the source: serve_fd_call */
		sfd = sl_get(c->tid, (long)c->args[2], &ph);
		if (sfd >= 0) {
			sin = sl_get(c->tid, (long)c->args[0], &ph_in);
			c->ret = sl_splice(c, sin, sfd);
			sl_put(ph_in);
			sl_put(ph);
			return NUSE_CALL_RETURN;
		}
		sl_put(ph);
		break;
	}
	default:
		break;
	}
	return serve_fd_call(s, c);
}

enum nuse_verdict nuse_serve_linux(const struct nuse_sup *s,
				   struct nuse_call *c)
{
	struct sl_flight f;
	enum nuse_verdict v;

	/* i386 calls not refused (serve.c) go to the host as they are. */
	if (c->arch != AUDIT_ARCH_X86_64 || (c->nr & __X32_SYSCALL_BIT))
		return NUSE_CALL_CONTINUE;
	sl_flight_begin(&f, c);
	v = serve(s, c);
	if (sl_flight_end(&f) && v == NUSE_CALL_RETURN && c->ret == -EINTR)
		c->ret = sl_interrupted_ret(c->nr);
	return v;
}

/* Is stack descriptor @sfd O_NONBLOCK (the caller's F_SETFL goes there)? */
static bool stack_nonblock(int sfd)
{
	long fl = nuse_sys(SYS_fcntl, sfd, F_GETFL, 0, 0, 0, 0);

	return fl >= 0 && (fl & O_NONBLOCK);
}

/* Can @c on stack socket @sfd not wait: O_NONBLOCK or MSG_DONTWAIT? */
static bool nonblocking(const struct nuse_call *c, int sfd)
{
	switch (c->nr) {
	case SYS_recvfrom:
	case SYS_sendto:
		if (c->args[3] & MSG_DONTWAIT)
			return true;
		break;
	case SYS_recvmsg:
	case SYS_sendmsg:
	case SYS_sendmmsg:
		if (c->args[2] & MSG_DONTWAIT)
			return true;
		break;
	case SYS_recvmmsg:
		if (c->args[3] & MSG_DONTWAIT)
			return true;
		break;
	}
	return stack_nonblock(sfd);
}

bool nuse_serve_linux_may_block(const struct nuse_call *c)
{
	struct sl_ph *ph;
	int sfd;

	if (c->arch != AUDIT_ARCH_X86_64 || (c->nr & __X32_SYSCALL_BIT))
		return false;
	switch (c->nr) {
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		return true;
	case SYS_accept:
	case SYS_accept4:
	case SYS_connect:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_recvmmsg:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_sendmmsg:
	case SYS_read:
	case SYS_readv:
	case SYS_write:
	case SYS_writev:
	case SYS_sendfile:
		/* on a stack socket only; a host descriptor continues; a
		 * non-blocking socket (Go's are all) never waits: served at
		 * once, without a hand-off to a worker */
		sfd = sl_get(c->tid, (long)c->args[0], &ph);
		sl_put(ph);
		return sfd >= 0 && !nonblocking(c, sfd);
	case SYS_splice:
		/* either side may be the socket; the pipe side may block too,
		 * and a splice into a socket waits for room for all it took */
		sfd = sl_get(c->tid, (long)c->args[0], &ph);
		sl_put(ph);
		if (sfd >= 0)
			return !(c->args[5] & SPLICE_F_NONBLOCK &&
				 stack_nonblock(sfd));
		sfd = sl_get(c->tid, (long)c->args[2], &ph);
		sl_put(ph);
		return sfd >= 0;
	default:
		return false;
	}
}

int nuse_serve_linux_start(struct nuse_sup *s)
{
	/* As in the in-process modes (stack-linux.c): tcp_mem follows it. */
	static const struct nuse_boot_params params = { .mem_size = 512UL
								    << 20 };
	char err[256] = "";
	pthread_t t;
	int r;

	r = nuse_boot(&params);
	if (!r)
		r = nuse_stack_linux_configure(s->o, err, sizeof(err));
	if (r) {
		if (err[0])
			fprintf(stderr, "nuse-exec: %s\n", err);
		else
			fprintf(stderr,
				"nuse-exec: --stack=linux: boot failed: %s\n",
				strerror(-r));
		return -1;
	}
	reaper_ep = epoll_create1(EPOLL_CLOEXEC);
	if (reaper_ep < 0 || pthread_create(&t, NULL, sl_reaper, NULL) ||
	    sl_signals_start()) {
		fprintf(stderr,
			"nuse-exec: --stack=linux: cannot start the reaper\n");
		return -1;
	}
	pthread_detach(t);
	nuse_sup_log(s, 1, "Linux stack booted in the supervisor");
	return 0;
}
