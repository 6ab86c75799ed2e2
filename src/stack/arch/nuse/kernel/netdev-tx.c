// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit without the stack's CPU (docs/stack.md).
 *
 * Writing a frame to the link (a TAP's writev) runs the host's receive
 * path for the peer: microseconds per frame, which used to be spent
 * holding the CPU, so that a program's calls and the receive thread waited
 * for the tx thread's whole batch. Where the backend gives a descriptor
 * (share_fd):
 * - a thread of the owner (the keeper's receive, tx and timer threads)
 *   keeps what it queues and writes it once it gave up the CPU (leaving,
 *   or going to sleep in __switch_to);
 * - a thread of another process hands its frames to the device's writer,
 *   a host thread of the owner (below).
 * The skbs stay ours until written (a NIC's DMA has the same guarantee:
 * TCP copies a clone still in flight before changing it); an interrupt
 * then frees them with the CPU (tx_done).
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/virtio_net.h>
#include <asm/nuse.h>
#include <nuse/host.h>
#include <nuse/stack.h>
#include "netdev.h"

#define NUSE_TX_PENDING	32

enum { TX_SENT, TX_DROP };

struct nuse_tx_pending {
	int n;
	int flushing;
	struct {
		struct sk_buff *skb;
		struct nuse_frame frame;
	} e[NUSE_TX_PENDING];
};

struct nuse_tx_cb {
	struct nuse_vnet_hdr vnet;	/* filled with the CPU, for the writer */
	int result;
};
#define TX_CB(skb) ((struct nuse_tx_cb *)(skb)->cb)
#define TX_FD(skb) (((struct nuse_netdev *)netdev_priv((skb)->dev))->share_fd)
static_assert(sizeof(struct nuse_tx_cb) <= sizeof_field(struct sk_buff, cb));

/* written frames, pushed without the CPU, freed by tx_done_irq */
static struct sk_buff *tx_done_head;
static int tx_done_irq = -1;

/* lock-free push; the CPU is not needed (the kernel's own atomics are
 * uniprocessor ones here, not safe across host threads) */
static void skb_push_list(struct sk_buff **head, struct sk_buff *skb)
{
	struct sk_buff *old = __atomic_load_n(head, __ATOMIC_RELAXED);

	do
		skb->next = old;
	while (!__atomic_compare_exchange_n(head, &old, skb, 1,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* take the whole list, in the order it was pushed */
static struct sk_buff *skb_take_list(struct sk_buff **head)
{
	struct sk_buff *skb, *next, *fifo = NULL;

	skb = __atomic_exchange_n(head, NULL, __ATOMIC_ACQUIRE);
	for (; skb; skb = next) {
		next = skb->next;
		skb->next = fifo;
		fifo = skb;
	}
	return fifo;
}

static int write_frame(int fd, const struct nuse_frame *f)
{
	struct nuse_iov iov[NUSE_FRAME_MAX_IOV + 1];

	iov[0].base = &f->vnet;
	iov[0].len = sizeof(f->vnet);
	memcpy(&iov[1], f->iov, f->niov * sizeof(f->iov[0]));
	/* EAGAIN, EIO (host side down), EINVAL: dropped, as tap_tx does */
	return nuse_host_writev(fd, iov, f->niov + 1) >= 0 ? TX_SENT : TX_DROP;
}

static void tx_finish(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	if (TX_CB(skb)->result == TX_SENT) {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += skb->len;
		dev_consume_skb_any(skb);
	} else {
		dev->stats.tx_dropped++;
		dev_kfree_skb_any(skb);
	}
}

static void tx_done(void)
{
	struct sk_buff *skb, *next;

	for (skb = skb_take_list(&tx_done_head); skb; skb = next) {
		next = skb->next;
		skb->next = NULL;
		tx_finish(skb);
	}
}

static int __init nuse_netdev_init(void)
{
	tx_done_irq = nuse_irq_request(tx_done);
	return tx_done_irq < 0 ? tx_done_irq : 0;
}
early_initcall(nuse_netdev_init);

static void wake_writer(struct nuse_netdev *nd);

void nuse_netdev_tx_flush(int may_run)
{
	struct nuse_thread_state *ts = nuse_thread_state();
	struct nuse_tx_pending *p = ts->tx_pending;

	if (ts->tx_wake) {
		wake_writer(ts->tx_wake);
		ts->tx_wake = NULL;
	}
	if (likely(!p || !p->n) || p->flushing)
		return;
	p->flushing = 1;
	while (p->n) {
		int n = p->n;

		for (int i = 0; i < n; i++) {
			struct sk_buff *skb = p->e[i].skb;

			TX_CB(skb)->result = write_frame(TX_FD(skb), &p->e[i].frame);
			skb_push_list(&tx_done_head, skb);
		}
		p->n = 0;
		/* in __switch_to, between handing the CPU over and sleeping,
		 * no kernel code may run on this thread: post only */
		if (may_run)
			nuse_irq_raise(tx_done_irq);
		else
			nuse_irq_post(tx_done_irq);
	}
	p->flushing = 0;
}

static struct nuse_tx_pending *tx_pending(void)
{
	struct nuse_thread_state *ts = nuse_thread_state();

	if (unlikely(!ts->tx_pending))
		ts->tx_pending = nuse_host_mem_alloc(
			PAGE_ALIGN(sizeof(*ts->tx_pending)), 0);
	return ts->tx_pending;
}

/* A thread of the owner: written once this thread gives up the CPU. */
int nuse_tx_owner_queue(struct sk_buff *skb, struct net_device *dev)
{
	struct nuse_tx_pending *p = tx_pending();
	int i;

	if (!p || tx_done_irq < 0)
		return -ENOMEM;
	if (unlikely(p->flushing))
		return -EBUSY;
	if (unlikely(p->n == NUSE_TX_PENDING)) {
		/* a long burst in one call: written now, with the CPU */
		for (i = 0; i < p->n; i++) {
			struct sk_buff *b = p->e[i].skb;

			TX_CB(b)->result = write_frame(TX_FD(b), &p->e[i].frame);
			tx_finish(b);
		}
		p->n = 0;
	}
	if (nuse_fill_frame(skb, &p->e[p->n].frame)) {
		dev->stats.tx_dropped++;
		dev_kfree_skb_any(skb);
		return 0;
	}
	p->e[p->n++].skb = skb;
	return 0;
}

/*
 * Other processes' frames: the device's writer, a host thread of the
 * owner, writes them without the CPU. A thread queues its frames on a list
 * in the session's memory and, once it gave up the CPU, wakes the writer
 * if it sleeps. The writer then waits for the batch: until a thread of the
 * session is about to block (nuse_netdev_tx_hurry(): nginx's worker has
 * answered what was ready) or WRITER_BATCH_NS passed, as the tx thread
 * used to run only when the program blocked — sending each reply at once
 * measured worse (docs/bench.md). One or two wake-ups per batch, against
 * five with the tx thread (the kick, the thread, the idle task's two).
 */
#define WRITER_BATCH_NS	(100 * NSEC_PER_USEC)
/* an idle writer looks anyway this often: a thread killed between queueing
 * and waking it must not leave frames (and TCP's clones) behind for good */
#define WRITER_IDLE_NS	(20 * NSEC_PER_MSEC)
#define NUSE_MAX_WRITERS 8

enum { WRITER_RUNNING, WRITER_IDLE, WRITER_BATCHING };

static struct nuse_netdev *writers[NUSE_MAX_WRITERS];

static void wake_writer(struct nuse_netdev *nd)
{
	__atomic_add_fetch(&nd->ready_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&nd->writer_state, __ATOMIC_SEQ_CST) == WRITER_IDLE)
		nuse_host_futex_wake(&nd->ready_seq);
}

void nuse_netdev_tx_hurry(void)
{
	for (int i = 0; i < NUSE_MAX_WRITERS; i++) {
		struct nuse_netdev *nd = __atomic_load_n(&writers[i],
							 __ATOMIC_ACQUIRE);

		if (!nd)
			break;
		if (!__atomic_load_n(&nd->ready_head, __ATOMIC_SEQ_CST))
			continue;
		__atomic_add_fetch(&nd->hurry_seq, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&nd->writer_state, __ATOMIC_SEQ_CST) ==
		    WRITER_BATCHING)
			nuse_host_futex_wake(&nd->hurry_seq);
	}
}

int nuse_tx_writer_queue(struct sk_buff *skb, struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);
	struct nuse_thread_state *ts = nuse_thread_state();

	if (tx_done_irq < 0)
		return -ENODEV;
	if (nuse_frame_prepare(skb, &TX_CB(skb)->vnet)) {
		dev->stats.tx_dropped++;
		dev_kfree_skb_any(skb);
		return 0;
	}
	skb_push_list(&nd->ready_head, skb);
	if (ts->tx_wake && ts->tx_wake != nd)
		wake_writer(ts->tx_wake);
	ts->tx_wake = nd;
	return 0;
}

static void writer_sleep(struct nuse_netdev *nd, int seen_ready, int seen_hurry)
{
	__atomic_store_n(&nd->writer_state, WRITER_IDLE, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&nd->ready_head, __ATOMIC_SEQ_CST))
		nuse_host_futex_wait_ns(&nd->ready_seq, seen_ready,
					WRITER_IDLE_NS);
	/* a batch begins: wait for it to end, unless it was said already */
	if (__atomic_load_n(&nd->ready_head, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&nd->writer_state, WRITER_BATCHING,
				 __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&nd->hurry_seq, __ATOMIC_SEQ_CST) ==
		    seen_hurry)
			nuse_host_futex_wait_ns(&nd->hurry_seq, seen_hurry,
						WRITER_BATCH_NS);
	}
	__atomic_store_n(&nd->writer_state, WRITER_RUNNING, __ATOMIC_SEQ_CST);
}

static void writer_loop(void *data)
{
	struct nuse_netdev *nd = netdev_priv((struct net_device *)data);
	struct nuse_frame f;

	for (;;) {
		int seen_ready = __atomic_load_n(&nd->ready_seq, __ATOMIC_SEQ_CST);
		int seen_hurry = __atomic_load_n(&nd->hurry_seq, __ATOMIC_SEQ_CST);
		struct sk_buff *skb, *next;

		skb = skb_take_list(&nd->ready_head);
		if (!skb) {
			writer_sleep(nd, seen_ready, seen_hurry);
			continue;
		}
		for (; skb; skb = next) {
			next = skb->next;
			memcpy(&f.vnet, &TX_CB(skb)->vnet, sizeof(f.vnet));
			nuse_frame_pieces(skb, &f);
			TX_CB(skb)->result = write_frame(nd->share_fd, &f);
			skb_push_list(&tx_done_head, skb);
		}
		/* a plain host thread: it may run the interrupt itself */
		nuse_irq_raise(tx_done_irq);
	}
}

void nuse_tx_writer_start(struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);

	for (int i = 0; i < NUSE_MAX_WRITERS; i++) {
		if (writers[i])
			continue;
		nd->writer = nuse_host_thread_create(writer_loop, dev);
		if (nd->writer)
			__atomic_store_n(&writers[i], nd, __ATOMIC_RELEASE);
		return;
	}
}
