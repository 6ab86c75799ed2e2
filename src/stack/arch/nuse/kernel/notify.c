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

struct nuse_notifier {
	int *doorbell;
	int pending;
	long pid;	/* the waiter's process and its eventfd there */
	int efd;
	struct file *file;
	wait_queue_head_t *head;
	wait_queue_entry_t wait;
	poll_table pt;
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

static int wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	ring(container_of(wait, struct nuse_notifier, wait));
	return 0;
}

static void queue(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	struct nuse_notifier *n = container_of(pt, struct nuse_notifier, pt);

	if (n->head)
		return; /* an epoll has one poll queue */
	n->head = head;
	init_waitqueue_func_entry(&n->wait, wake);
	add_wait_queue(head, &n->wait);
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
	struct nuse_notifier *n;
	__poll_t mask;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->file = fget(c->fd);
	if (!n->file) {
		kfree(n);
		return -EBADF;
	}
	n->doorbell = c->doorbell;
	n->pid = nuse_host_getpid();
	n->efd = c->efd;
	init_poll_funcptr(&n->pt, queue);
	mask = vfs_poll(n->file, &n->pt);
	if (!n->head) {
		fput(n->file);
		kfree(n);
		return -EINVAL; /* not pollable */
	}
	if (mask)
		ring(n);
	c->n = n;
	return 0;
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
	struct nuse_notifier *n = data;

	remove_wait_queue(n->head, &n->wait);
	fput(n->file);
	kfree(n);
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
	if (nuse_enter())
		return;
	if (!single_task_running() && nuse_sched_jb())
		return; /* the CPU went on with them */
	nuse_leave();
}
