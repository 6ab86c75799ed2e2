// SPDX-License-Identifier: GPL-2.0
/*
 * Readiness for the supervisor modes with --stack=linux: poll, ppoll,
 * select, pselect6 and epoll over placeholders (stack sockets) and host
 * descriptors.
 *
 * No placeholder in the set: the call continues to the host.  Otherwise
 * the worker serving it waits: on the stack alone when the set holds only
 * placeholders, else on the host descriptors -- copies taken from the
 * caller with pidfd_getfd, so their readiness is the caller's own files'
 * -- and on a bell, an eventfd here that a notifier on the stack side
 * writes when the stack may have events (the stack runs in this process:
 * its wake-ups write it at once), as vfs-fd's bells do in the in-process
 * modes.  (It polled the host side in 1 ms slices: Go's 1 GiB splice
 * tests, which wait for readiness 60,000 times, took 7 times their native
 * time under ptrace.)
 *
 * epoll: the caller's instance is a host epoll; placeholders added to it
 * go to a stack epoll beside it (the shadow), with the caller's event
 * data, so level, edge and oneshot are the stack's own.  Shadows are
 * keyed by (process, descriptor number): a dup of an epoll descriptor or
 * a forked child's copy does not see the stack sockets (known limit).
 * Linux keys a registration by (file, descriptor number), and a dup of a
 * socket is one more: each caller descriptor added gets a stack
 * descriptor of its own (a stack dup), dropped with the registration, the
 * shadow, or the socket's last placeholder.
 *
 * An epoll_wait is served here even when its instance has no shadow yet:
 * left to the host, a thread blocked in it would never learn of a stack
 * socket another thread adds meanwhile (Go's netpoller blocks in
 * epoll_wait while a goroutine connects: the connection's events were
 * lost until the HTTP client's timeout woke the poller).  The wait is on
 * a copy of the caller's instance and on an eventfd that such an
 * epoll_ctl signals; it then goes on as a mixed wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <nuse/stack.h>

#include "serve-linux.h"

#define POLL_MAX 65536
#define PIDFD_THREAD_ O_EXCL

/* The doorbell of this process's notifiers (nuse_notify_*): rung only
 * for wake-ups in another process, which the stack here has none of. */
static int *doorbell;

static void doorbell_make(void)
{
	doorbell = nuse_doorbell_alloc();
}

static int *sup_doorbell(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, doorbell_make);
	return doorbell;
}

/* Drain a bell's eventfd. */
static void bell_clear(int efd)
{
	eventfd_t v;

	eventfd_read(efd, &v);
}

/* One descriptor of a poll or select call. */
struct pe {
	struct pollfd p; /* as the caller gave it (select: built) */
	struct sl_ph *ph; /* placeholder, or NULL */
	int sfd; /* its stack descriptor */
	int copy; /* host descriptor copied from the caller, or -1 */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static long left_ms(long long deadline)
{
	long long l;

	if (deadline < 0)
		return -1;
	l = deadline - now_ms();
	return l > 0 ? (long)l : 0;
}

/* A timespec in the caller's memory as a deadline (NULL: none), or -errno. */
static long long ts_deadline(struct nuse_call *c, unsigned long addr, bool usec)
{
	long t[2];

	if (!addr)
		return -1;
	if (c->read_mem(c, t, addr, sizeof(t)) != sizeof(t))
		return -EFAULT;
	if (t[0] < 0 || t[1] < 0 || t[1] >= (usec ? 1000000 : 1000000000))
		return -EINVAL;
	return now_ms() + t[0] * 1000 + (usec ? t[1] / 1000 : t[1] / 1000000);
}

/* Copies of the caller's host descriptors (pidfd_getfd). */
static int take_copies(pid_t tid, struct pe *e, unsigned long n)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD_);
	unsigned long i;

	if (pidfd < 0)
		return -ESRCH;
	for (i = 0; i < n; i++)
		if (!e[i].ph && e[i].p.fd >= 0)
			e[i].copy = (int)syscall(SYS_pidfd_getfd, pidfd,
						 e[i].p.fd, 0);
	close(pidfd);
	return 0;
}

static void release(struct pe *e, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		sl_put(e[i].ph);
		if (e[i].copy >= 0)
			close(e[i].copy);
	}
	free(e);
}

/*
 * Wait until something in e[] is ready or the deadline passes; fills
 * e[].p.revents and returns how many have events, or -errno.
 */
/* The stack side of a poll set for nuse_notify_poll (same layout). */
static const struct nuse_pollfd *stack_fds(const struct pollfd *sp,
					   unsigned long ns)
{
	_Static_assert(sizeof(struct pollfd) == sizeof(struct nuse_pollfd) &&
			       offsetof(struct pollfd, events) ==
				       offsetof(struct nuse_pollfd, events),
		       "pollfd layouts");
	(void)ns;
	return (const struct nuse_pollfd *)sp;
}

static long wait_set(struct pe *e, unsigned long n, long long deadline)
{
	struct pollfd *sp = calloc(n, sizeof(*sp)),
		      *hp = calloc(n + 1, sizeof(*hp));
	struct nuse_notifier *n_ = NULL;
	unsigned long i, ns = 0, nh = 0;
	long r = 0, got;


	if (!sp || !hp) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		e[i].p.revents = 0;
		if (e[i].ph)
			sp[ns++] =
				(struct pollfd){ e[i].sfd, e[i].p.events, 0 };
		else if (e[i].p.fd >= 0)
			hp[nh++] =
				(struct pollfd){ e[i].copy, e[i].p.events, 0 };
	}
	if (nh) {
		/* the bell, last in hp: written when a stack socket may be ready */
		hp[nh].fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		hp[nh].events = POLLIN;
		n_ = sup_doorbell() && hp[nh].fd >= 0 ?
			     nuse_notify_poll(stack_fds(sp, ns), ns, doorbell,
					      hp[nh].fd) :
			     NULL;
		if (!n_) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (;;) {
		long ms = left_ms(deadline);

		if (nh) {
			nuse_notify_take(n_); /* before asking: none lost */
			bell_clear(hp[nh].fd);
		}
		/* poll on our own array: the stack reads our memory */
		r = sl_stack(0, SYS_poll, (long)sp, ns, nh ? 0 : ms, 0, 0, 0);
		if (r < 0)
			goto out;
		got = r;
		/* only placeholders: the stack waited the whole timeout */
		if (!nh)
			break;
		r = poll(hp, nh + 1, got ? 0 : ms);
		if (r < 0) {
			r = -errno;
			goto out;
		}
		got += r - (hp[nh].revents != 0);
		if (got || !left_ms(deadline))
			break;
	}
	ns = nh = 0;
	for (i = 0; i < n; i++) {
		if (e[i].ph)
			e[i].p.revents = sp[ns++].revents;
		else if (e[i].p.fd >= 0)
			/* a descriptor the caller does not have */
			e[i].p.revents = e[i].copy < 0 ? POLLNVAL :
							 hp[nh++].revents;
	}
	r = got;
out:
	if (n_)
		nuse_notify_detach(n_);
	if (nh && hp[nh].fd >= 0)
		close(hp[nh].fd);
	free(sp);
	free(hp);
	return r;
}

/* Look the descriptors up; true if any is a placeholder. */
static bool classify(pid_t tid, struct pe *e, unsigned long n)
{
	bool any = false;

	for (unsigned long i = 0; i < n; i++) {
		e[i].copy = -1;
		e[i].sfd = e[i].p.fd >= 0 ? sl_get(tid, e[i].p.fd, &e[i].ph) :
					    -1;
		any |= e[i].ph != NULL;
	}
	return any;
}

static enum nuse_verdict do_poll(struct nuse_call *c, long long deadline)
{
	unsigned long i, n = c->args[1];
	struct pollfd *u;
	struct pe *e;
	long r;

	if (n > POLL_MAX) {
		c->ret = -EINVAL;
		return NUSE_CALL_RETURN;
	}
	u = calloc(n ? n : 1, sizeof(*u));
	e = calloc(n ? n : 1, sizeof(*e));
	if (!u || !e) {
		free(u);
		free(e);
		c->ret = -ENOMEM;
		return NUSE_CALL_RETURN;
	}
	if (n && c->read_mem(c, u, c->args[0], n * sizeof(*u)) !=
			 (long)(n * sizeof(*u))) {
		free(u);
		free(e);
		c->ret = -EFAULT;
		return NUSE_CALL_RETURN;
	}
	for (i = 0; i < n; i++)
		e[i].p = u[i];
	if (!classify(c->tid, e, n)) {
		free(u);
		release(e, n);
		return NUSE_CALL_CONTINUE;
	}
	r = take_copies(c->tid, e, n);
	if (!r)
		r = wait_set(e, n, deadline);
	if (r >= 0) {
		for (i = 0; i < n; i++)
			u[i].revents = e[i].p.revents;
		r = 0;
		for (i = 0; i < n; i++)
			r += u[i].revents != 0;
		if (c->write_mem(c, c->args[0], u, n * sizeof(*u)) < 0)
			r = -EFAULT;
	}
	free(u);
	release(e, n);
	c->ret = r;
	return NUSE_CALL_RETURN;
}

#define SEL_IN (POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLERR)
#define SEL_EX POLLPRI

static enum nuse_verdict do_select(struct nuse_call *c, long long deadline)
{
	long nfds = (long)c->args[0];
	unsigned long words = (nfds + 63) / 64, i, n = 0;
	uint64_t *set[3] = { NULL, NULL, NULL };
	static const short ev[3] = { POLLIN, POLLOUT, POLLPRI };
	struct pe *e = NULL;
	long r = 0, fd;
	int k;

	if (nfds < 0 || nfds > POLL_MAX) {
		c->ret = -EINVAL;
		return NUSE_CALL_RETURN;
	}
	for (k = 0; k < 3; k++) {
		if (!c->args[k + 1] || !words)
			continue;
		set[k] = calloc(words, 8);
		if (!set[k] || c->read_mem(c, set[k], c->args[k + 1],
					   words * 8) != (long)(words * 8)) {
			r = set[k] ? -EFAULT : -ENOMEM;
			goto out;
		}
	}
	e = calloc(nfds ? nfds : 1, sizeof(*e));
	if (!e) {
		r = -ENOMEM;
		goto out;
	}
	for (fd = 0; fd < nfds; fd++) {
		short events = 0;

		for (k = 0; k < 3; k++)
			if (set[k] && (set[k][fd / 64] >> (fd % 64) & 1))
				events |= ev[k];
		if (events)
			e[n++].p = (struct pollfd){ (int)fd, events, 0 };
	}
	if (!classify(c->tid, e, n)) {
		release(e, n);
		e = NULL;
		for (k = 0; k < 3; k++)
			free(set[k]);
		return NUSE_CALL_CONTINUE;
	}
	r = take_copies(c->tid, e, n);
	if (!r)
		r = wait_set(e, n, deadline);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (e[i].p.revents & POLLNVAL) {
			r = -EBADF;
			goto out;
		}
	for (k = 0; k < 3; k++)
		if (set[k])
			memset(set[k], 0, words * 8);
	r = 0;
	for (i = 0; i < n; i++) {
		short re = e[i].p.revents;
		static const short mask[3] = { SEL_IN, SEL_OUT, SEL_EX };

		fd = e[i].p.fd;
		for (k = 0; k < 3; k++)
			if (set[k] && (e[i].p.events & ev[k]) &&
			    (re & mask[k])) {
				set[k][fd / 64] |= 1ULL << (fd % 64);
				r++;
			}
	}
	for (k = 0; k < 3; k++)
		if (set[k] &&
		    c->write_mem(c, c->args[k + 1], set[k], words * 8) < 0)
			r = -EFAULT;
out:
	if (e)
		release(e, n);
	for (k = 0; k < 3; k++)
		free(set[k]);
	c->ret = r;
	return NUSE_CALL_RETURN;
}

enum nuse_verdict sl_poll(const struct nuse_sup *s, struct nuse_call *c)
{
	long long deadline;

	(void)s;
	switch (c->nr) {
	case SYS_poll:
		deadline = (int)c->args[2] < 0 ? -1 :
						 now_ms() + (int)c->args[2];
		return do_poll(c, deadline);
	case SYS_ppoll:
		/* the signal mask is not applied (docs/supervisor.md) */
		deadline = ts_deadline(c, c->args[2], false);
		break;
	case SYS_select:
		deadline = ts_deadline(c, c->args[4], true);
		break;
	default: /* pselect6 */
		deadline = ts_deadline(c, c->args[4], false);
		break;
	}
	if (deadline < -1) {
		c->ret = deadline;
		return NUSE_CALL_RETURN;
	}
	return c->nr == SYS_ppoll ? do_poll(c, deadline) :
				    do_select(c, deadline);
}

/* --- epoll --------------------------------------------------------------- */

/* A caller descriptor registered in a shadow, through a stack dup. */
struct reg {
	int fd; /* the caller's number */
	int ssfd; /* the stack dup registered in the shadow */
	struct sl_ph *ph; /* held */
	struct reg *next;
};

struct shadow {
	pid_t tgid;
	int epfd; /* the caller's number */
	int copy; /* our copy of the caller's instance: tells it is the same */
	int sep; /* the stack epoll */
	int kick; /* stack eventfd in sep ending a wait there (shadow_kick), or -1 */
	int bell; /* host eventfd written when sep may have events, or -1 */
	struct nuse_notifier *n; /* ... by this notifier on sep */
	struct shadow *next;
	struct reg *regs; /* under shadow_lock */
};

/* The kick's event data: never given to the caller. */
#define KICK_DATA 0x6e7573652d6b696bULL

static struct shadow *shadows;
static int n_shadows;
static pthread_mutex_t shadow_lock = PTHREAD_MUTEX_INITIALIZER;

/* A wait served on an instance without a shadow (under shadow_lock). */
struct host_waiter {
	pid_t tgid;
	int epfd;
	int efd; /* signalled when a stack socket joins the instance */
	struct host_waiter *next;
};

static struct host_waiter *host_waiters;

static void wake_host_waiters(pid_t tgid, int epfd)
{
	struct host_waiter *w;

	pthread_mutex_lock(&shadow_lock);
	for (w = host_waiters; w; w = w->next)
		if (w->tgid == tgid && w->epfd == epfd)
			eventfd_write(w->efd, 1);
	pthread_mutex_unlock(&shadow_lock);
}

static void reg_free(struct reg *r)
{
	nuse_sys(SYS_close, r->ssfd, 0, 0, 0, 0, 0);
	sl_put(r->ph);
	free(r);
}

static void shadow_free(struct shadow *sh)
{
	struct reg *r;

	while ((r = sh->regs)) {
		sh->regs = r->next;
		reg_free(r);
	}
	if (sh->n)
		nuse_notify_detach(sh->n);
	if (sh->bell >= 0)
		close(sh->bell);
	nuse_sys(SYS_close, sh->sep, 0, 0, 0, 0, 0);
	if (sh->kick >= 0)
		nuse_sys(SYS_close, sh->kick, 0, 0, 0, 0, 0);
	if (sh->copy >= 0)
		close(sh->copy);
	free(sh);
}

/* Unlink the shadow at *p (shadow_lock held); the caller frees it. */
static struct shadow *shadow_unlink(struct shadow **p)
{
	struct shadow *sh = *p;

	*p = sh->next;
	__atomic_sub_fetch(&n_shadows, 1, __ATOMIC_RELAXED);
	return sh;
}

/*
 * Is the caller's @epfd still the instance the shadow was made for?  An
 * execve closes O_CLOEXEC descriptors without a close() seen here, and a
 * new instance may then get the same number: the old shadow's stack
 * sockets (a socket the new image inherited among them) would answer
 * its epoll_ctl with EEXIST (Go's net.FileConn in an exec'd child).
 */
static bool shadow_same(const struct shadow *sh, pid_t tid, int epfd)
{
	/* no copy (no pidfd_getfd): trust the number, as before */
	return sh->copy < 0 ||
	       syscall(SYS_kcmp, getpid(), tid, 0 /* KCMP_FILE */, sh->copy,
		       epfd) == 0;
}

/* The shadow of the caller's instance (tgid, epfd), made if @create;
 * NULL if none. */
static struct shadow *shadow_get(pid_t tid, pid_t tgid, int epfd, bool create)
{
	struct shadow *sh, **p, *stale = NULL;
	long sep;

	pthread_mutex_lock(&shadow_lock);
	for (p = &shadows; (sh = *p); p = &sh->next)
		if (sh->tgid == tgid && sh->epfd == epfd)
			break;
	if (sh && !shadow_same(sh, tid, epfd)) {
		stale = shadow_unlink(p);
		sh = NULL;
	}
	if (!sh && create && (sh = calloc(1, sizeof(*sh)))) {
		sep = sl_stack(0, SYS_epoll_create1, 0, 0, 0, 0, 0, 0);
		if (sep < 0) {
			free(sh);
			sh = NULL;
		} else {
			*sh = (struct shadow){ tgid, epfd,
					       sl_caller_fd(tid, epfd),
					       (int)sep, -1, -1, NULL, shadows,
					       NULL };
			shadows = sh;
			__atomic_add_fetch(&n_shadows, 1, __ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&shadow_lock);
	if (stale)
		shadow_free(stale);
	return sh;
}

void sl_epoll_closed(pid_t tid, long fd)
{
	struct shadow **p, *sh = NULL;
	pid_t tgid;

	if (!__atomic_load_n(&n_shadows, __ATOMIC_RELAXED))
		return;
	tgid = sl_tgid(tid);
	pthread_mutex_lock(&shadow_lock);
	for (p = &shadows; *p; p = &(*p)->next)
		if ((*p)->tgid == tgid && (*p)->epfd == fd) {
			sh = shadow_unlink(p);
			break;
		}
	pthread_mutex_unlock(&shadow_lock);
	if (sh)
		shadow_free(sh);
}

/*
 * A host descriptor is being added to the caller's instance: a worker
 * waiting on the shadow alone (host_watches said no) must look again.
 * The kick, an eventfd of the stack in the shadow, ends that wait; the
 * worker drops its event and goes on as a mixed wait (the add lands in
 * the host instance right after this call continues).
 */
static void shadow_kick(struct shadow *sh)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET,
				  .data.u64 = KICK_DATA };
	uint64_t one = 1;
	long k;

	pthread_mutex_lock(&shadow_lock);
	if (sh->kick < 0) {
		/* tid 0: the arguments are in our own memory */
		k = sl_stack(0, SYS_eventfd2, 0, EFD_NONBLOCK, 0, 0, 0, 0);
		if (k >= 0 && sl_stack(0, SYS_epoll_ctl, sh->sep, EPOLL_CTL_ADD,
				       k, (long)&ev, 0, 0)) {
			nuse_sys(SYS_close, k, 0, 0, 0, 0, 0);
			k = -1;
		}
		sh->kick = (int)k;
	}
	k = sh->kick;
	pthread_mutex_unlock(&shadow_lock);
	if (k >= 0)
		sl_stack(0, SYS_write, k, (long)&one, sizeof(one), 0, 0, 0);
}

/*
 * Drop the kick's events from the @n the stack wrote at the caller's
 * @addr: how many are left, with *kicked set if there was one.
 */
static long unkick(struct nuse_call *c, unsigned long addr, long n,
		   bool *kicked)
{
	struct epoll_event e[64];
	long i, k, kept = 0;

	for (i = 0; i < n; i += 64) {
		long chunk = n - i < 64 ? n - i : 64, m = 0;

		if (c->read_mem(c, e, addr + i * sizeof(e[0]),
				chunk * sizeof(e[0])) != (long)(chunk * sizeof(e[0])))
			return -EFAULT;
		for (k = 0; k < chunk; k++) {
			if (e[k].data.u64 == KICK_DATA) {
				*kicked = true;
				continue;
			}
			e[m++] = e[k];
		}
		if (m && c->write_mem(c, addr + kept * sizeof(e[0]), e,
				      m * sizeof(e[0])) < 0)
			return -EFAULT;
		kept += m;
	}
	return kept;
}

/* The shadow's events, written at the caller's buffer, without kicks. */
static long shadow_events(struct nuse_call *c, struct shadow *sh, long max,
			  long ms, bool *kicked)
{
	long r = sl_stack(c->tid, SYS_epoll_wait, sh->sep, c->args[1], max, ms,
			  0, 0);

	if (r <= 0 || __atomic_load_n(&sh->kick, __ATOMIC_RELAXED) < 0)
		return r;
	return unkick(c, c->args[1], r, kicked);
}

/* Is the caller's @fd an epoll instance?  0, -EBADF or -EINVAL. */
static long is_epoll(pid_t tid, long fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%ld", tid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -EBADF;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventpoll]") ? -EINVAL : 0;
}

/*
 * The socket's last placeholder is gone: as Linux drops a file's epoll
 * registrations when the file is released, drop ours (their stack dups
 * would keep the socket open).
 */
void sl_epoll_forget(struct sl_ph *ph)
{
	struct shadow *sh;
	struct reg **p, *r, *gone = NULL;

	if (!__atomic_load_n(&n_shadows, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&shadow_lock);
	for (sh = shadows; sh; sh = sh->next)
		for (p = &sh->regs; (r = *p);) {
			if (r->ph != ph) {
				p = &r->next;
				continue;
			}
			*p = r->next;
			r->next = gone;
			gone = r;
		}
	pthread_mutex_unlock(&shadow_lock);
	while ((r = gone)) {
		gone = r->next;
		reg_free(r);
	}
}

/*
 * epoll_ctl on a shadow for the caller's @fd (stack socket @sfd behind
 * placeholder @ph, whose reference this takes over): through the stack
 * dup registered for @fd, made by an ADD.
 */
static long reg_ctl(struct nuse_call *c, struct shadow *sh, long op, long fd,
		    int sfd, struct sl_ph *ph)
{
	struct reg **p, *r, *fresh = NULL;
	long ssfd, ret;

	pthread_mutex_lock(&shadow_lock);
	for (p = &sh->regs; (r = *p); p = &r->next)
		if (r->fd == fd)
			break;
	if (r && r->ph != ph) {
		/* the number was closed and taken again: a new file */
		*p = r->next;
		pthread_mutex_unlock(&shadow_lock);
		reg_free(r);
		return reg_ctl(c, sh, op, fd, sfd, ph);
	}
	ssfd = r ? r->ssfd : -1;
	pthread_mutex_unlock(&shadow_lock);
	if (ssfd < 0) {
		if (op != EPOLL_CTL_ADD) {
			sl_put(ph);
			return -ENOENT;
		}
		ssfd = nuse_sys(SYS_dup, sfd, 0, 0, 0, 0, 0);
		fresh = ssfd >= 0 ? calloc(1, sizeof(*fresh)) : NULL;
		if (!fresh) {
			if (ssfd >= 0)
				nuse_sys(SYS_close, ssfd, 0, 0, 0, 0, 0);
			sl_put(ph);
			return ssfd < 0 ? ssfd : -ENOMEM;
		}
		*fresh = (struct reg){ (int)fd, (int)ssfd, ph, NULL };
	} else {
		sl_put(ph); /* the registration holds its own */
	}
	ret = sl_stack(c->tid, SYS_epoll_ctl, sh->sep, op, ssfd, c->args[3], 0, 0);
	if (fresh) {
		if (ret) {
			reg_free(fresh);
		} else {
			pthread_mutex_lock(&shadow_lock);
			fresh->next = sh->regs;
			sh->regs = fresh;
			pthread_mutex_unlock(&shadow_lock);
		}
	} else if (!ret && op == EPOLL_CTL_DEL) {
		pthread_mutex_lock(&shadow_lock);
		for (p = &sh->regs; (r = *p); p = &r->next)
			if (r->fd == fd) {
				*p = r->next;
				break;
			}
		pthread_mutex_unlock(&shadow_lock);
		if (r)
			reg_free(r);
	}
	return ret;
}

static enum nuse_verdict epoll_ctl_(struct nuse_call *c)
{
	long epfd = (long)c->args[0], op = (long)c->args[1];
	struct shadow *sh;
	struct sl_ph *ph;
	pid_t tgid;
	int sfd = sl_get(c->tid, (long)c->args[2], &ph);
	long r;

	if (sfd < 0) {
		/* a host descriptor: the host's, but a wait on the shadow
		 * alone must learn of it */
		if (op == EPOLL_CTL_ADD &&
		    __atomic_load_n(&n_shadows, __ATOMIC_RELAXED) &&
		    (tgid = sl_tgid(c->tid)) > 0 &&
		    (sh = shadow_get(c->tid, tgid, (int)epfd, false)))
			shadow_kick(sh);
		return NUSE_CALL_CONTINUE;
	}
	r = is_epoll(c->tid, epfd);
	tgid = sl_tgid(c->tid);
	if (!r && tgid < 0)
		r = tgid;
	if (!r) {
		sh = shadow_get(c->tid, tgid, (int)epfd, op == EPOLL_CTL_ADD);
		if (sh) {
			r = reg_ctl(c, sh, op, (long)c->args[2], sfd, ph);
			ph = NULL; /* reg_ctl took the reference */
		} else {
			r = -ENOENT;
		}
		if (!r && op == EPOLL_CTL_ADD)
			wake_host_waiters(tgid, (int)epfd);
	}
	sl_put(ph);
	c->ret = r;
	return NUSE_CALL_RETURN;
}

/*
 * Does the caller's host epoll watch anything?  Its fdinfo lists one "tfd:"
 * line per watched descriptor: exact, whatever was added or closed since.
 */
static bool host_watches(pid_t tid, long epfd)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%ld", tid, epfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* cannot tell: the mixed wait is right anyway */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	return strstr(buf, "tfd:") != NULL;
}

/*
 * Wait on @copy, the caller's instance that has no shadow, until it has
 * events (copied to the caller: the count), the deadline, or a stack
 * socket joins it (0 with *shp set: the caller goes on with a mixed wait).
 */
static long wait_host_only(struct nuse_call *c, pid_t tgid, long epfd,
			   int copy, struct epoll_event *buf, long max,
			   long long deadline, struct shadow **shp)
{
	struct host_waiter w = { tgid, (int)epfd, -1, NULL }, **p;
	struct pollfd pf[2];
	long r;

	w.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w.efd < 0)
		return -errno;
	pthread_mutex_lock(&shadow_lock);
	w.next = host_waiters;
	host_waiters = &w;
	pthread_mutex_unlock(&shadow_lock);
	for (;;) {
		/* after registering: a shadow made before is seen here */
		*shp = shadow_get(c->tid, tgid, (int)epfd, false);
		if (*shp) {
			r = 0;
			break;
		}
		/* first without waiting: also EINVAL at once for a
		 * descriptor that is not an epoll instance */
		r = epoll_wait(copy, buf, (int)max, 0);
		if (r < 0) {
			r = -errno;
			break;
		}
		if (r > 0) {
			if (c->write_mem(c, c->args[1], buf, r * sizeof(*buf)) < 0)
				r = -EFAULT;
			break;
		}
		if (!left_ms(deadline))
			break;
		pf[0] = (struct pollfd){ .fd = copy, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = w.efd, .events = POLLIN };
		r = poll(pf, 2, (int)left_ms(deadline));
		if (r < 0) {
			r = -errno; /* EINTR: the monitor ends the wait */
			break;
		}
		if (pf[1].revents)
			eventfd_read(w.efd, &(eventfd_t){ 0 });
		/* else events (or another thread took them first, edge-
		 * triggered) or the deadline: the next turn tells */
	}
	pthread_mutex_lock(&shadow_lock);
	for (p = &host_waiters; *p != &w; p = &(*p)->next)
		;
	*p = w.next;
	pthread_mutex_unlock(&shadow_lock);
	close(w.efd);
	return r;
}

/* The shadow's bell, made on its first mixed wait: false if it cannot. */
static bool shadow_bell(struct shadow *sh)
{
	bool ok;

	pthread_mutex_lock(&shadow_lock);
	if (!sh->n && sup_doorbell()) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		sh->n = efd >= 0 ? nuse_notify_attach(sh->sep, doorbell, efd) :
				   NULL;
		if (sh->n)
			sh->bell = efd;
		else if (efd >= 0)
			close(efd);
	}
	ok = sh->n != NULL;
	pthread_mutex_unlock(&shadow_lock);
	return ok;
}

static enum nuse_verdict epoll_wait_(struct nuse_call *c)
{
	long max = (long)c->args[2], r, ms;
	long long deadline;
	struct shadow *sh;
	struct epoll_event *buf;
	pid_t tgid = sl_tgid(c->tid);
	int copy;

	if (tgid < 0)
		return NUSE_CALL_CONTINUE; /* the caller is gone */
	sh = shadow_get(c->tid, tgid, (int)c->args[0], false);
	/* the signal mask of epoll_pwait* is not applied (docs) */
	if (c->nr == SYS_epoll_pwait2)
		deadline = ts_deadline(c, c->args[3], false);
	else
		deadline = (int)c->args[3] < 0 ? -1 :
						 now_ms() + (int)c->args[3];
	if (deadline < -1 || max <= 0 || max > POLL_MAX) {
		c->ret = deadline < -1 ? deadline : -EINVAL;
		return NUSE_CALL_RETURN;
	}
	while (sh && !host_watches(c->tid, (long)c->args[0])) {
		bool kicked = false;

		r = shadow_events(c, sh, max, left_ms(deadline), &kicked);
		if (r || !kicked) {
			c->ret = r;
			return NUSE_CALL_RETURN;
		}
		/* a host descriptor is joining: the mixed wait below */
		break;
	}
	copy = sl_caller_fd(c->tid, (long)c->args[0]);
	buf = calloc(max, sizeof(*buf));
	r = copy < 0 ? -EBADF : buf ? 0 : -ENOMEM;
	if (!r && !sh)
		r = wait_host_only(c, tgid, (long)c->args[0], copy, buf, max,
				   deadline, &sh);
	if (!r && sh && !shadow_bell(sh))
		r = -ENOMEM;
	while (!r && sh) {
		bool kicked = false;
		struct pollfd pf[2] = { { copy, POLLIN, 0 }, { sh->bell, POLLIN, 0 } };

		nuse_notify_take(sh->n); /* before asking: none lost */
		bell_clear(sh->bell);
		r = shadow_events(c, sh, max, 0, &kicked);
		if (r)
			break;
		r = epoll_wait(copy, buf, (int)max, 0);
		if (r < 0)
			r = -errno;
		else if (r > 0 &&
			 c->write_mem(c, c->args[1], buf, r * sizeof(*buf)) < 0)
			r = -EFAULT;
		ms = left_ms(deadline);
		if (r || !ms)
			break;
		/* the caller's instance or the stack's: whichever first */
		if (poll(pf, 2, (int)ms) < 0) {
			r = -errno; /* EINTR: the monitor ends the wait */
			break;
		}
	}
	free(buf);
	if (copy >= 0)
		close(copy);
	c->ret = r;
	return NUSE_CALL_RETURN;
}

enum nuse_verdict sl_epoll(const struct nuse_sup *s, struct nuse_call *c)
{
	(void)s;
	if (c->nr == SYS_epoll_ctl)
		return epoll_ctl_(c);
	return epoll_wait_(c);
}
