// SPDX-License-Identifier: GPL-2.0
/*
 * Host waits woken by the stack.  A host epoll instance that watches both
 * host descriptors and stack sockets gets a "bell": a host eventfd in the
 * instance (its events carry BELL_DATA and are never shown to the
 * program) and a notifier on the stack epoll beside it (the shadow).
 * When the shadow gets events, the notifier rings this process's
 * doorbell; the doorbell thread writes the eventfd of every pending bell,
 * and the host epoll_wait returns.  The waiter drains the eventfd, takes
 * the mark and asks the stack before it waits again, so no readiness is
 * lost between the two.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vfs-fd.h"

#define MAX_BELLS 256
#define EFD_NONBLOCK_ 04000
#define EFD_CLOEXEC_ 02000000
#define F_DUPFD_CLOEXEC_ 1030
#define EPOLL_CTL_ADD_ 1
#define EPOLLIN_ 0x001
#define BELL_FD_MIN 900 /* away from the numbers the program counts on */

struct bell {
	long epfd; /* host epoll (0: free slot) */
	long efd; /* host eventfd in it */
	struct nuse_notifier *n;
};

static struct bell bells[MAX_BELLS];
/* taken to make a bell: one per epoll instance, however many threads */
static int bell_lock;
static int *doorbell;
static long doorbell_pid;

/* The doorbell thread: tell every pending bell's host waiter. */
static void ring_bells(void *unused)
{
	static const unsigned long one = 1;

	(void)unused;
	for (int i = 0; i < MAX_BELLS; i++) {
		struct bell *b = &bells[i];
		struct nuse_notifier *n =
			__atomic_load_n(&b->n, __ATOMIC_ACQUIRE);

		if (n && nuse_notify_pending(n))
			host(SYS_write, b->efd, &one, sizeof(one));
	}
}

/*
 * This process's doorbell and its thread, made on first need.  A forked
 * child inherits neither the thread nor the right to the parent's bells:
 * it starts afresh (the parent's bells stay the parent's).
 */
static int *process_doorbell(void)
{
	long pid = host(SYS_getpid);

	if (doorbell && doorbell_pid == pid)
		return doorbell;
	for (int i = 0; i < MAX_BELLS; i++)
		bells[i] = (struct bell){ 0 };
	doorbell = nuse_doorbell_alloc();
	if (!doorbell)
		return NULL;
	if (nuse_doorbell_serve(doorbell, ring_bells, NULL)) {
		doorbell = NULL;
		return NULL;
	}
	doorbell_pid = pid;
	return doorbell;
}

static long bell_fd(void)
{
	long efd = host(SYS_eventfd2, 0, EFD_NONBLOCK_ | EFD_CLOEXEC_), high;

	if (efd < 0)
		return efd;
	high = host(SYS_fcntl, efd, F_DUPFD_CLOEXEC_, BELL_FD_MIN);
	if (high >= 0) {
		host(SYS_close, efd);
		efd = high;
	}
	return efd;
}

static struct bell *find(long epfd)
{
	for (int i = 0; i < MAX_BELLS; i++)
		if (bells[i].epfd == epfd &&
		    __atomic_load_n(&bells[i].n, __ATOMIC_ACQUIRE))
			return &bells[i];
	return NULL;
}

/* The bell of host epoll epfd (shadow: its stack epoll), made if needed. */
static struct bell *bell_get(long epfd, int shadow)
{
	struct {
		unsigned int events;
		unsigned long data;
	} __attribute__((packed)) ev;
	struct bell *free = NULL;
	int *bellp = process_doorbell();
	long efd;

	if (!bellp)
		return NULL;
	for (int i = 0; i < MAX_BELLS; i++) {
		if (bells[i].epfd == epfd && bells[i].n)
			return &bells[i];
		if (!bells[i].n && !bells[i].epfd && !free)
			free = &bells[i];
	}
	if (!free)
		return NULL;
	efd = bell_fd();
	if (efd < 0)
		return NULL;
	ev.events = EPOLLIN_;
	ev.data = VFS_BELL_DATA;
	if (host(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD_, efd, &ev))
		goto fail;
	free->epfd = epfd;
	free->efd = efd;
	__atomic_store_n(&free->n, nuse_notify_attach(shadow, bellp, (int)efd),
			 __ATOMIC_RELEASE);
	if (!free->n)
		goto fail;
	return free;
fail:
	host(SYS_close, efd);
	free->epfd = 0;
	return NULL;
}

/*
 * Made once per instance: threads of the program often wait on the same
 * epoll at once (Go's netpoller), and a second bell nobody drains would
 * keep the host wait returning.
 */

struct bell *vfs_bell(long epfd, int shadow)
{
	struct bell *b = find(epfd);

	if (b && doorbell_pid == host(SYS_getpid))
		return b;
	while (__atomic_exchange_n(&bell_lock, 1, __ATOMIC_ACQUIRE))
		host(SYS_sched_yield);
	b = bell_get(epfd, shadow);
	__atomic_store_n(&bell_lock, 0, __ATOMIC_RELEASE);
	return b;
}

/*
 * Before asking the stack: forget the last ring.  The eventfd is drained
 * before the mark is taken: the other way round, a ring between the two
 * (from this process, or the doorbell thread's write) was drained away
 * with the mark left set, every later ring then returned early ("already
 * told"), and the waiter slept in the host epoll until another thread's
 * wait took the mark: Go's netpoller, every other thread idle, until the
 * forced collection 2 minutes later (tests/soak, docs/soak.md).
 */
void vfs_bell_reset(struct bell *b)
{
	unsigned long v;

	host(SYS_read, b->efd, &v, sizeof(v));
	nuse_notify_take(b->n);
}

/*
 * A bell for one mixed poll/select call: a notifier on the poll queues of
 * its stack sockets and an eventfd the host poll waits on beside the
 * program's descriptors.  Returns the eventfd, or -1 (then: slices).
 */
long vfs_bell_poll_begin(struct bell **out, const struct vfs_pollfd *sfds,
			 unsigned int n)
{
	int *bellp = process_doorbell();
	struct bell *b = NULL;
	long efd;

	*out = NULL;
	if (!bellp)
		return -1;
	efd = host(SYS_eventfd2, 0, EFD_NONBLOCK_ | EFD_CLOEXEC_);
	if (efd < 0)
		return -1;
	while (__atomic_exchange_n(&bell_lock, 1, __ATOMIC_ACQUIRE))
		host(SYS_sched_yield);
	for (int i = 0; i < MAX_BELLS && !b; i++)
		if (!bells[i].n && !bells[i].epfd)
			b = &bells[i];
	if (b)
		b->epfd = -1; /* taken: not an epoll's */
	__atomic_store_n(&bell_lock, 0, __ATOMIC_RELEASE);
	if (!b)
		goto fail;
	b->efd = efd;
	__atomic_store_n(&b->n,
			 nuse_notify_poll((const struct nuse_pollfd *)sfds,
					  (int)n, bellp, (int)efd),
			 __ATOMIC_RELEASE);
	if (!b->n) {
		b->epfd = 0;
		goto fail;
	}
	*out = b;
	return efd;
fail:
	host(SYS_close, efd);
	return -1;
}

void vfs_bell_poll_end(struct bell *b)
{
	if (!b)
		return;
	nuse_notify_detach(__atomic_exchange_n(&b->n, NULL, __ATOMIC_ACQ_REL));
	host(SYS_close, b->efd);
	__atomic_store_n(&b->epfd, 0, __ATOMIC_RELEASE);
}

/* epfd was closed: its bell goes too. */
void vfs_bell_forget(long epfd)
{
	for (int i = 0; i < MAX_BELLS; i++) {
		struct bell *b = &bells[i];

		if (b->epfd != epfd || !b->n ||
		    doorbell_pid != host(SYS_getpid))
			continue;
		nuse_notify_detach(
			__atomic_exchange_n(&b->n, NULL, __ATOMIC_ACQ_REL));
		host(SYS_close, b->efd);
		b->epfd = 0;
	}
}
