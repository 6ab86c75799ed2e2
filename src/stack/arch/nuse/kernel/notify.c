// SPDX-License-Identifier: GPL-2.0
/*
 * Readiness of a stack epoll, told to a host waiter.
 *
 * A program waiting on host descriptors and stack sockets at once (Go's
 * netpoller has its eventfd, nginx its channel) blocks in the host's
 * epoll; the stack must wake it.  A wait entry on the stack epoll's poll
 * queue marks the notifier pending and rings its process's doorbell, a
 * futex in the session's memory: whichever process runs the wake-up (the
 * keeper's receive thread, a peer process on loopback) can ring it.  The
 * waiting process's doorbell thread turns that into an eventfd write the
 * host epoll sees (src/vfs-fd/notify.c).
 */
#include <linux/kernel.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/sched/stat.h>
#include <asm/nuse.h>
#include <nuse/host.h>
#include <nuse/stack.h>

/* one poll queue the notifier waits on */
struct notify_entry {
	struct nuse_notifier *n;
	struct file *file;
	wait_queue_head_t *head;
	wait_queue_entry_t wait;
};

struct nuse_notifier {
	int *doorbell;
	int pending;
	long pid; /* the waiter's process and its eventfd there */
	int efd;
	int nentries, max;
	poll_table pt;
	struct notify_entry e[];
};

static void ring(struct nuse_notifier *n)
{
	if (__atomic_exchange_n(&n->pending, 1, __ATOMIC_ACQ_REL))
		return; /* already told, not yet taken */
	/* in the waiter's own process: its eventfd, no thread hop */
	if (n->efd >= 0 && nuse_host_getpid() == n->pid) {
		nuse_host_eventfd_signal(n->efd);
		return;
	}
	__atomic_add_fetch(n->doorbell, 1, __ATOMIC_RELEASE);
	nuse_host_futex_wake(n->doorbell);
}

static int wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		void *key)
{
	ring(container_of(wait, struct notify_entry, wait)->n);
	return 0;
}

static void queue(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	struct nuse_notifier *n = container_of(pt, struct nuse_notifier, pt);
	struct notify_entry *e;

	if (n->nentries == n->max)
		return; /* sockets and epolls have one poll queue each */
	e = &n->e[n->nentries++];
	e->n = n;
	e->file = get_file(file);
	e->head = head;
	init_waitqueue_func_entry(&e->wait, wake);
	add_wait_queue(head, &e->wait);
}

static struct nuse_notifier *alloc_notifier(int max, int *doorbell, int efd)
{
	struct nuse_notifier *n = kzalloc(struct_size(n, e, max), GFP_KERNEL);

	if (!n)
		return NULL;
	n->doorbell = doorbell;
	n->pid = nuse_host_getpid();
	n->efd = efd;
	n->max = max;
	init_poll_funcptr(&n->pt, queue);
	return n;
}

static void free_notifier(struct nuse_notifier *n)
{
	int i;

	for (i = 0; i < n->nentries; i++) {
		remove_wait_queue(n->e[i].head, &n->e[i].wait);
		fput(n->e[i].file);
	}
	kfree(n);
}

/* Wait on fd's poll queue(s); its current readiness for events, or 0. */
static __poll_t add_file(struct nuse_notifier *n, int fd, __poll_t events)
{
	struct file *f = fget(fd);
	__poll_t mask;

	if (!f)
		return EPOLLNVAL;
	n->pt._key = events | EPOLLERR | EPOLLHUP;
	mask = vfs_poll(f, &n->pt);
	fput(f);
	return mask & (events | EPOLLERR | EPOLLHUP | EPOLLNVAL);
}

int *nuse_doorbell_alloc(void)
{
	int *d;

	if (nuse_enter())
		return NULL;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	nuse_leave();
	return d;
}

struct attach_call {
	int fd;
	int efd;
	int *doorbell;
	struct nuse_notifier *n;
};

static long attach(void *data)
{
	struct attach_call *c = data;
	struct nuse_notifier *n = alloc_notifier(1, c->doorbell, c->efd);
	__poll_t mask;

	if (!n)
		return -ENOMEM;
	mask = add_file(n, c->fd, EPOLLIN | EPOLLOUT | EPOLLPRI);
	if (!n->nentries) {
		free_notifier(n);
		return mask & EPOLLNVAL ? -EBADF : -EINVAL; /* not pollable */
	}
	if (mask)
		ring(n);
	c->n = n;
	return 0;
}

struct poll_call {
	const struct nuse_pollfd *fds;
	int nfds;
	int *doorbell;
	int efd;
	struct nuse_notifier *n;
};

static long attach_poll(void *data)
{
	struct poll_call *c = data;
	struct nuse_notifier *n = alloc_notifier(c->nfds, c->doorbell, c->efd);
	int i, ready = 0;

	if (!n)
		return -ENOMEM;
	for (i = 0; i < c->nfds; i++)
		if (c->fds[i].fd >= 0 &&
		    add_file(n, c->fds[i].fd, (__poll_t)c->fds[i].events))
			ready = 1;
	if (ready)
		ring(n);
	c->n = n;
	return 0;
}

struct nuse_notifier *nuse_notify_poll(const struct nuse_pollfd *fds, int nfds,
				       int *doorbell, int efd)
{
	struct poll_call c = { fds, nfds, doorbell, efd, NULL };
	long r;

	if (nfds <= 0)
		return NULL;
	r = nuse_enter();
	if (!r) {
		r = nuse_on_task_stack(attach_poll, &c);
		nuse_leave();
	}
	return r ? NULL : c.n;
}

struct nuse_notifier *nuse_notify_attach(int fd, int *doorbell, int efd)
{
	struct attach_call c = { fd, efd, doorbell, NULL };
	long r;

	r = nuse_enter();
	if (!r) {
		r = nuse_on_task_stack(attach, &c);
		nuse_leave();
	}
	return r ? NULL : c.n;
}

int nuse_notify_take(struct nuse_notifier *n)
{
	return __atomic_exchange_n(&n->pending, 0, __ATOMIC_ACQ_REL);
}

int nuse_notify_pending(struct nuse_notifier *n)
{
	return __atomic_load_n(&n->pending, __ATOMIC_ACQUIRE);
}

static long detach(void *data)
{
	free_notifier(data);
	return 0;
}

void nuse_notify_detach(struct nuse_notifier *n)
{
	if (!n || nuse_enter())
		return;
	nuse_on_task_stack(detach, n);
	nuse_leave();
}

/*
 * The doorbell's thread, in the calling process: fn(arg) after every
 * ring.  A host thread of ours, all signals blocked; fn must use raw
 * system calls only and not enter the stack.
 */
struct bell_thread {
	int *doorbell;
	void (*fn)(void *);
	void *arg;
};

static void bell_loop(void *data)
{
	struct bell_thread b = *(struct bell_thread *)data;

	nuse_host_mem_free(data, PAGE_SIZE);
	for (;;) {
		int seen = __atomic_load_n(b.doorbell, __ATOMIC_ACQUIRE);

		b.fn(b.arg);
		nuse_host_futex_wait(b.doorbell, seen);
	}
}

int nuse_doorbell_serve(int *doorbell, void (*fn)(void *), void *arg)
{
	struct bell_thread *b = nuse_host_mem_alloc(PAGE_SIZE, 0);

	if (!b)
		return -ENOMEM;
	b->doorbell = doorbell;
	b->fn = fn;
	b->arg = arg;
	if (!nuse_host_thread_create(bell_loop, b)) {
		nuse_host_mem_free(b, PAGE_SIZE);
		return -ENOMEM;
	}
	return 0;
}

/*
 * The caller is about to block outside the stack (in a host wait): tasks
 * its calls made runnable — the peer of a loopback connection — run now
 * instead of at the exit kick (cpu.c), which would add its delay to every
 * round trip of a mixed wait.
 */
void nuse_yield(void)
{
	nuse_netdev_tx_hurry();
	if (nuse_enter())
		return;
	if (nuse_others_runnable() && nuse_sched_jb())
		return; /* the CPU went on with them */
	nuse_leave();
}
