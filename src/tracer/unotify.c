// SPDX-License-Identifier: GPL-2.0
/*
 * --mode=unotify: SECCOMP_RET_USER_NOTIF on the netcalls set.  The program
 * creates the listener when it loads the filter; the supervisor copies it
 * with pidfd_getfd(2) while the program waits, stopped, before execve
 * (passing it over a socket is impossible: sendmsg is itself filtered and
 * nobody would answer yet).  The program's copy is O_CLOEXEC and vanishes
 * at execve, so the program never holds its own listener.
 *
 * Signals: a notified call sleeps interruptibly until the supervisor has
 * received it, then (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, Linux 5.19)
 * killably, so a signal can only interrupt a call in the microseconds
 * before the supervisor picks it up; the kernel then returns -ERESTARTSYS
 * and the call restarts or fails with EINTR by the program's own SA_RESTART
 * choice.  A call answered with CONTINUE then runs, and blocks, natively.
 * (A future stack serving a blocking call from outside must not keep the
 * caller killable-only: it would have to watch for the caller's signals.)
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modes.h"
#include "serve-linux.h"
#include "supervise.h"

/* Linux 6.6 uapi, newer than some distributions' headers. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct un_state {
	int listener;
	int main_fd;	/* pidfd of the program, to fetch its listener */
	int chld_fd;	/* signalfd for SIGCHLD until the program is reaped */
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

static struct un_state un;

static int un_child_setup(const void *prog)
{
	int fd;

	fd = nuse_sup_load_filter(prog, SECCOMP_FILTER_FLAG_NEW_LISTENER |
					SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	if (fd == -EINVAL)
		fd = nuse_sup_load_filter(prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	return fd;
}

static int un_attach(struct nuse_sup *s, pid_t pid, int child_fd)
{
	int e;

	un.main_fd = syscall(SYS_pidfd_open, pid, 0);
	if (un.main_fd < 0)
		goto fail;
	un.listener = syscall(SYS_pidfd_getfd, un.main_fd, child_fd, 0);
	if (un.listener < 0)
		goto fail;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &un.sizes) < 0)
		goto fail;
	/* The kernel's structures may have grown: allocate its sizes. */
	un.req = calloc(1, un.sizes.seccomp_notif > sizeof(*un.req) ?
				   un.sizes.seccomp_notif : sizeof(*un.req));
	un.resp = calloc(1, un.sizes.seccomp_notif_resp > sizeof(*un.resp) ?
				    un.sizes.seccomp_notif_resp : sizeof(*un.resp));
	if (!un.req || !un.resp) {
		errno = ENOMEM;
		goto fail;
	}
	/*
	 * Linux 6.6: wake the program on the supervisor's CPU when answering,
	 * which halves the cost of a ping-pong; older kernels just refuse.
	 */
	ioctl(un.listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	      SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	s->mode_data = &un;
	nuse_sup_log(s, 1, "listening to %d", pid);
	return 0;
fail:
	e = errno;
	fprintf(stderr, "nuse-exec: --mode=unotify: cannot take the program's seccomp listener: %s\n",
		strerror(e));
	return -e;
}

/* Memory of a caller whose notification is still pending, else -ESRCH. */
static long un_read_mem(struct nuse_call *c, void *dst, unsigned long addr,
			unsigned long len)
{
	struct un_state *u = c->mode_ctx;
	struct iovec l = { dst, len }, r = { (void *)addr, len };
	long n = process_vm_readv(c->tid, &l, 1, &r, 1, 0);

	if (n < 0)
		return -errno;
	/* The pid may have been recycled since: only a live id proves it. */
	if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id))
		return -ESRCH;
	return n;
}

static long un_write_mem(struct nuse_call *c, unsigned long addr,
			 const void *src, unsigned long len)
{
	struct un_state *u = c->mode_ctx;
	struct iovec l = { (void *)src, len }, r = { (void *)addr, len };
	long n;

	if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id))
		return -ESRCH;
	n = process_vm_writev(c->tid, &l, 1, &r, 1, 0);
	return n < 0 ? -errno : n;
}

static bool un_pending(struct nuse_call *c)
{
	struct un_state *u = c->mode_ctx;

	return !ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &u->req->id);
}

/*
 * Install @fd in the caller and answer the call with its number, in one
 * step (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14).  Returns the number or
 * -errno; on success the notification is answered already.
 */
static int un_install_fd(struct nuse_call *c, int fd, unsigned int flags)
{
	struct un_state *u = c->mode_ctx;
	struct seccomp_notif_addfd a = {
		.id = u->req->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = fd,
		.newfd_flags = flags,
	};
	int r = ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);

	return r < 0 ? -errno : r;
}

/* Wait for the next notification: 1, 0 (nothing: try again) or -1. */
static int un_recv(const struct nuse_sup *s, struct un_state *u)
{
	memset(u->req, 0, u->sizes.seccomp_notif);
	if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_RECV, u->req) < 0) {
		/* ENOENT: the caller was killed or interrupted meanwhile. */
		if (errno == EINTR || errno == ENOENT)
			return 0;
		nuse_sup_log(s, 0, "SECCOMP_IOCTL_NOTIF_RECV: %s",
			     strerror(errno));
		return -1;
	}
	return 1;
}

static void un_serve_one(const struct nuse_sup *s, struct un_state *u)
{
	struct nuse_call c = {
		.tid = u->req->pid,
		.arch = u->req->data.arch,
		.nr = u->req->data.nr,
		.read_mem = un_read_mem,
		.write_mem = un_write_mem,
		.install_fd = un_install_fd,
		.pending = un_pending,
		.mode_ctx = u,
	};
	enum nuse_verdict v;
	int i;

	for (i = 0; i < 6; i++)
		c.args[i] = u->req->data.args[i];
	v = nuse_serve_call(s, &c);
	if (v == NUSE_CALL_ANSWERED)
		return;
	memset(u->resp, 0, u->sizes.seccomp_notif_resp);
	u->resp->id = u->req->id;
	if (v == NUSE_CALL_CONTINUE)
		u->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (c.ret < 0)
		u->resp->error = c.ret;
	else
		u->resp->val = c.ret;
	if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_SEND, u->resp) < 0 &&
	    errno != ENOENT)
		nuse_sup_log(s, 0, "[%d] SECCOMP_IOCTL_NOTIF_SEND: %s", c.tid,
			     strerror(errno));
}

static int un_notification(const struct nuse_sup *s, struct un_state *u)
{
	int r = un_recv(s, u);

	if (r > 0)
		un_serve_one(s, u);
	return r < 0 ? -1 : 0;
}

/*
 * --stack=linux: calls may block in the stack (accept, recv, poll), so
 * they are served by worker threads, each receiving notifications itself.
 * One worker is always waiting: the one that takes a call starts another
 * if it was the last idle one, so the pool grows to the number of calls
 * in flight and stays there.
 */
static const struct nuse_sup *un_sup;
static int un_idle;

static void *un_worker(void *arg);

static int un_spawn_worker(void)
{
	struct un_state *w = malloc(sizeof(*w));
	pthread_attr_t attr;
	pthread_t t;
	int r;

	if (!w)
		return -ENOMEM;
	*w = un;
	w->req = calloc(1, un.sizes.seccomp_notif > sizeof(*w->req) ?
				   un.sizes.seccomp_notif : sizeof(*w->req));
	w->resp = calloc(1, un.sizes.seccomp_notif_resp > sizeof(*w->resp) ?
				    un.sizes.seccomp_notif_resp : sizeof(*w->resp));
	if (!w->req || !w->resp)
		goto fail;
	__atomic_add_fetch(&un_idle, 1, __ATOMIC_ACQ_REL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* the stack runs syscall bodies on task stacks of its own */
	pthread_attr_setstacksize(&attr, 256 << 10);
	r = pthread_create(&t, &attr, un_worker, w);
	pthread_attr_destroy(&attr);
	if (!r)
		return 0;
	__atomic_sub_fetch(&un_idle, 1, __ATOMIC_ACQ_REL);
fail:
	free(w->req);
	free(w->resp);
	free(w);
	return -ENOMEM;
}

static void *un_worker(void *arg)
{
	struct un_state *w = arg;
	int r;

	for (;;) {
		r = un_recv(un_sup, w);
		if (r < 0)
			break;
		if (!r)
			continue;
		if (__atomic_sub_fetch(&un_idle, 1, __ATOMIC_ACQ_REL) == 0 &&
		    un_spawn_worker())
			nuse_sup_log(un_sup, 0, "cannot start a worker thread");
		un_serve_one(un_sup, w);
		__atomic_add_fetch(&un_idle, 1, __ATOMIC_ACQ_REL);
	}
	__atomic_sub_fetch(&un_idle, 1, __ATOMIC_ACQ_REL);
	return NULL;
}

/*
 * What became of the program: stopped and continued (the front follows,
 * for the shell's job control) or gone.  @flags 0 waits for its end.
 */
static void un_watch_main(struct nuse_sup *s, struct un_state *u, int flags)
{
	int st;
	pid_t r;

	for (;;) {
		r = waitpid(s->main_pid, &st, flags);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		if (WIFSTOPPED(st)) {
			nuse_sup_main_stopped(s, WSTOPSIG(st));
		} else if (WIFCONTINUED(st)) {
			nuse_sup_main_continued(s);
		} else {
			close(u->chld_fd);
			u->chld_fd = -1;
			nuse_sup_main_exited(s, st);
			return;
		}
	}
}

static int un_serve(struct nuse_sup *s)
{
	struct un_state *u = s->mode_data;
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	sigset_t chld;
	nfds_t n;

	close(u->main_fd);
	u->main_fd = -1;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	u->chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (u->chld_fd < 0) {
		nuse_sup_log(s, 0, "signalfd: %s", strerror(errno));
		return -1;
	}
	un_watch_main(s, u, WNOHANG | WUNTRACED | WCONTINUED);
	if (s->o->stack == NUSE_STACK_LINUX) {
		/* Workers take the calls; this thread watches for the end. */
		un_sup = s;
		if (nuse_serve_linux_start(s) || un_spawn_worker())
			return -1;
	}

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = u->listener,
					  .events = un_sup ? 0 : POLLIN };
		pfd[1] = (struct pollfd){ .fd = u->chld_fd, .events = POLLIN };
		n = u->chld_fd >= 0 ? 2 : 1;
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			nuse_sup_log(s, 0, "poll: %s", strerror(errno));
			return -1;
		}
		if (n == 2 && pfd[1].revents) {
			while (read(u->chld_fd, &si, sizeof(si)) == sizeof(si))
				;
			un_watch_main(s, u, WNOHANG | WUNTRACED | WCONTINUED);
		}
		if (pfd[0].revents & POLLIN) {
			if (un_notification(s, u) < 0)
				return -1;
			continue;
		}
		/* No task uses the filter any more: every process is gone. */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			if (u->chld_fd >= 0)
				un_watch_main(s, u, 0);
			return 0;
		}
	}
}

static const struct nuse_sup_mode unotify_mode = {
	.name = "unotify",
	.action = SECCOMP_RET_USER_NOTIF,
	.child_setup = un_child_setup,
	.attach = un_attach,
	.serve = un_serve,
};

int nuse_unotify_run(const struct nuse_opts *o, const struct nuse_program *p,
		     char **argv, char **envp)
{
	return nuse_supervise(&unotify_mode, o, p, argv, envp);
}
