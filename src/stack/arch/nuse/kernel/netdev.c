// SPDX-License-Identifier: GPL-2.0
/*
 * Network devices for backends. Transmit hands batches of frames, with
 * virtio-net headers for checksum/segmentation offload, to the backend's
 * callback; receive takes batches from a backend thread and feeds them to
 * the stack like a NAPI poll would.
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <linux/virtio_net.h>
#include <linux/rtnetlink.h>
#include <linux/kthread.h>
#include <linux/task_work.h>
#include <net/net_namespace.h>
#include <asm/nuse.h>
#include <nuse/host.h>
#include <nuse/stack.h>

#define NUSE_TX_BATCH	32

/* frames queued for the backend's process before the queue stops */
#define NUSE_TX_DEFER_MAX	512

struct nuse_netdev {
	nuse_xmit_fn xmit;
	void *priv;
	/*
	 * The backend (its fds, rings, priv) is the process's that added the
	 * device, the session's keeper; a transmit in another process of the
	 * session is queued for the device's tx thread, which runs there.
	 */
	long owner_pid;
	/* the owner's descriptor its threads write frames to without the
	 * CPU, or -1; the writer writes other processes' frames to it */
	int share_fd;
	struct nuse_host_thread *writer;
	struct sk_buff *ready_head;
	int ready_seq, hurry_seq, writer_state;
	struct sk_buff_head deferred;
	struct task_struct *tx_thread;
	int nbatch;
	struct sk_buff *batch[NUSE_TX_BATCH];
	struct nuse_frame frames[NUSE_TX_BATCH];
};

static_assert(sizeof(struct nuse_vnet_hdr) == sizeof(struct virtio_net_hdr));

static int fill_frame(struct sk_buff *skb, struct nuse_frame *f)
{
	struct virtio_net_hdr hdr;
	int i;

	if (skb_shinfo(skb)->nr_frags + 1 > NUSE_FRAME_MAX_IOV &&
	    skb_linearize(skb))
		return -ENOMEM;
	if (virtio_net_hdr_from_skb(skb, &hdr, true, false, 0))
		return -EINVAL;
	memcpy(&f->vnet, &hdr, sizeof(hdr));
	f->iov[0].base = skb->data;
	f->iov[0].len = skb_headlen(skb);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		f->iov[i + 1].base = skb_frag_address(frag);
		f->iov[i + 1].len = skb_frag_size(frag);
	}
	f->niov = i + 1;
	return 0;
}

static void flush(struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);
	int i, n = 0, sent;

	for (i = 0; i < nd->nbatch; i++) {
		if (fill_frame(nd->batch[i], &nd->frames[n])) {
			dev->stats.tx_dropped++;
			dev_kfree_skb_any(nd->batch[i]);
			continue;
		}
		nd->batch[n++] = nd->batch[i];
	}
	sent = n ? nd->xmit(nd->priv, nd->frames, n) : 0;
	if (sent < 0)
		sent = 0;
	for (i = 0; i < n; i++) {
		if (i < sent) {
			dev->stats.tx_packets++;
			dev->stats.tx_bytes += nd->batch[i]->len;
			dev_consume_skb_any(nd->batch[i]);
		} else {
			dev->stats.tx_dropped++;
			dev_kfree_skb_any(nd->batch[i]);
		}
	}
	nd->nbatch = 0;
}

static netdev_tx_t defer_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);

	skb_queue_tail(&nd->deferred, skb);
	if (skb_queue_len(&nd->deferred) >= NUSE_TX_DEFER_MAX)
		netif_stop_queue(dev);
	wake_up_process(nd->tx_thread);
	return NETDEV_TX_OK;
}

static int owner_queue(struct sk_buff *skb, struct net_device *dev);

/* The device's tx thread: in the owner's process, sends what others queued. */
static int tx_thread(void *data)
{
	struct net_device *dev = data;
	struct nuse_netdev *nd = netdev_priv(dev);
	struct sk_buff *skb;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (skb_queue_empty(&nd->deferred)) {
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		netif_tx_lock_bh(dev);
		while ((skb = skb_dequeue(&nd->deferred))) {
			/* written when this thread sleeps, without the CPU */
			if (nd->share_fd >= 0 && !owner_queue(skb, dev))
				continue;
			nd->batch[nd->nbatch++] = skb;
			if (nd->nbatch == NUSE_TX_BATCH)
				flush(dev);
		}
		if (nd->nbatch)
			flush(dev);
		netif_tx_unlock_bh(dev);
		if (netif_queue_stopped(dev))
			netif_wake_queue(dev);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Writing a frame to the link (a TAP's writev) runs the host's receive
 * path for the peer: microseconds per frame, which used to be spent
 * holding the CPU, so that a program's calls and the receive thread waited
 * for the tx thread's whole batch. Where the backend gives a descriptor
 * (share_fd), a thread of the owner (the keeper's receive, tx and timer
 * threads) keeps what it queues and writes it once it gave up the CPU
 * (leaving, or going to sleep in __switch_to). The skbs stay ours until
 * written (a NIC's DMA has the same guarantee: TCP copies a clone still in
 * flight before changing it); an interrupt then frees them with the CPU
 * (tx_done). Other processes still queue for the tx thread: writing in
 * the program's own thread, or waking a writer thread per reply, sent
 * each reply at once and measured worse (docs/bench.md).
 */
#define NUSE_TX_PENDING	32

enum { TX_SENT, TX_DROP };

struct nuse_tx_pending {
	int n;
	int flushing;
	/* a writer to wake once the CPU is given up */
	struct nuse_netdev *wake;
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
	struct nuse_tx_pending *p = nuse_thread_state()->tx_pending;

	if (likely(!p) || p->flushing)
		return;
	if (p->wake) {
		wake_writer(p->wake);
		p->wake = NULL;
	}
	if (likely(!p->n))
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
static int owner_queue(struct sk_buff *skb, struct net_device *dev)
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
	if (fill_frame(skb, &p->e[p->n].frame)) {
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

static int writer_queue(struct sk_buff *skb, struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);
	struct nuse_tx_pending *p = tx_pending();
	struct virtio_net_hdr hdr;

	if (!p || tx_done_irq < 0)
		return -ENOMEM;
	if ((skb_shinfo(skb)->nr_frags + 1 > NUSE_FRAME_MAX_IOV &&
	     skb_linearize(skb)) ||
	    virtio_net_hdr_from_skb(skb, &hdr, true, false, 0)) {
		dev->stats.tx_dropped++;
		dev_kfree_skb_any(skb);
		return 0;
	}
	memcpy(&TX_CB(skb)->vnet, &hdr, sizeof(hdr));
	skb_push_list(&nd->ready_head, skb);
	if (p->wake && p->wake != nd)
		wake_writer(p->wake);
	p->wake = nd;
	return 0;
}

/* the frame of an skb prepared by writer_queue; reads only */
static void writer_frame(struct sk_buff *skb, struct nuse_frame *f)
{
	int i;

	memcpy(&f->vnet, &TX_CB(skb)->vnet, sizeof(f->vnet));
	f->iov[0].base = skb->data;
	f->iov[0].len = skb_headlen(skb);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		f->iov[i + 1].base = skb_frag_address(frag);
		f->iov[i + 1].len = skb_frag_size(frag);
	}
	f->niov = i + 1;
}

static void writer_sleep(struct nuse_netdev *nd, int seen_ready, int seen_hurry)
{
	__atomic_store_n(&nd->writer_state, WRITER_IDLE, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&nd->ready_head, __ATOMIC_SEQ_CST))
		nuse_host_futex_wait(&nd->ready_seq, seen_ready);
	/* a batch begins: wait for it to end, unless it was said already */
	__atomic_store_n(&nd->writer_state, WRITER_BATCHING, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&nd->hurry_seq, __ATOMIC_SEQ_CST) == seen_hurry)
		nuse_host_futex_wait_ns(&nd->hurry_seq, seen_hurry,
					WRITER_BATCH_NS);
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
			writer_frame(skb, &f);
			TX_CB(skb)->result = write_frame(nd->share_fd, &f);
			skb_push_list(&tx_done_head, skb);
		}
		/* a plain host thread: it may run the interrupt itself */
		nuse_irq_raise(tx_done_irq);
	}
}

static void writer_start(struct net_device *dev)
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

static netdev_tx_t nuse_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);
	int owner = nuse_host_getpid() == nd->owner_pid;

	if (nd->share_fd >= 0) {
		if (owner && !owner_queue(skb, dev))
			return NETDEV_TX_OK;
		if (!owner && nd->writer && !writer_queue(skb, dev))
			return NETDEV_TX_OK;
	}
	if (unlikely(!owner))
		return defer_xmit(skb, dev);
	nd->batch[nd->nbatch++] = skb;
	if (!netdev_xmit_more() || nd->nbatch == NUSE_TX_BATCH)
		flush(dev);
	return NETDEV_TX_OK;
}

static const struct net_device_ops nuse_netdev_ops = {
	.ndo_start_xmit		= nuse_start_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static long netdev_add(void *data)
{
	const struct nuse_netdev_params *params = data;
	struct net_device *dev;
	struct nuse_netdev *nd;
	netdev_features_t features = 0;
	int ret;

	dev = alloc_netdev(sizeof(*nd), params->name ? params->name : "eth%d",
			   NET_NAME_USER, ether_setup);
	if (!dev)
		return -ENOMEM;
	nd = netdev_priv(dev);
	nd->xmit = params->xmit;
	nd->priv = params->priv;
	nd->owner_pid = nuse_host_getpid();
	nd->share_fd = params->has_share_fd ? params->share_fd : -1;
	skb_queue_head_init(&nd->deferred);
	dev->netdev_ops = &nuse_netdev_ops;
	eth_hw_addr_set(dev, params->mac);
	if (params->offloads & NUSE_OFFLOAD_CSUM)
		features |= NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST;
	if ((params->offloads & NUSE_OFFLOAD_TSO) && (params->offloads & NUSE_OFFLOAD_CSUM))
		features |= NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_TSO_ECN;
	dev->features = dev->hw_features = features;
	dev->max_mtu = 65535 - ETH_HLEN;
	if (params->mtu)
		dev->mtu = params->mtu;
	/* made by kthreadd, so its host thread is in kthreadd's process:
	 * the one that booted, which is the one adding devices */
	nd->tx_thread = kthread_create(tx_thread, dev, "nuse-tx/%s",
				       params->name ? params->name : "eth");
	if (IS_ERR(nd->tx_thread)) {
		ret = PTR_ERR(nd->tx_thread);
		free_netdev(dev);
		return ret;
	}
	ret = register_netdev(dev);
	if (ret) {
		kthread_stop(nd->tx_thread);
		free_netdev(dev);
		return ret;
	}
	/* without it, other processes' frames go through the tx thread */
	if (nd->share_fd >= 0)
		writer_start(dev);
	return dev->ifindex;
}

int nuse_netdev_add(const struct nuse_netdev_params *params)
{
	int ret;

	if (!params || !params->xmit)
		return -EINVAL;
	ret = nuse_enter();
	if (ret)
		return ret;
	ret = nuse_on_task_stack(netdev_add, (void *)params);
	nuse_leave();
	return ret;
}

static long netdev_unshare(void *data)
{
	struct net_device *dev = dev_get_by_index(&init_net, (long)data);

	if (!dev)
		return -ENODEV;
	((struct nuse_netdev *)netdev_priv(dev))->share_fd = -1;
	dev_put(dev);
	return 0;
}

int nuse_netdev_unshare(int ifindex)
{
	int ret = nuse_enter();

	if (ret)
		return ret;
	ret = nuse_on_task_stack(netdev_unshare, (void *)(long)ifindex);
	nuse_leave();
	return ret;
}

static void receive_one(struct net_device *dev, const struct nuse_rx_frame *f)
{
	struct virtio_net_hdr hdr;
	struct sk_buff *skb;

	if (f->len < ETH_HLEN) {
		dev->stats.rx_length_errors++;
		return;
	}
	skb = netdev_alloc_skb_ip_align(dev, f->len);
	if (!skb) {
		dev->stats.rx_dropped++;
		return;
	}
	skb_put_data(skb, f->data, f->len);
	memcpy(&hdr, &f->vnet, sizeof(hdr));
	/* csum_start counts from the Ethernet header: apply the virtio-net
	 * header before eth_type_trans pulls it (as tun and virtio_net do) */
	if (virtio_net_hdr_to_skb(skb, &hdr, true)) {
		dev->stats.rx_frame_errors++;
		kfree_skb(skb);
		return;
	}
	/* the host validated the checksum already (as virtio_net honours it):
	 * no second pass over every byte */
	if (hdr.flags & VIRTIO_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = eth_type_trans(skb, dev);
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += f->len;
	netif_receive_skb(skb);
}

struct rx_call {
	int ifindex;
	const struct nuse_rx_frame *frames;
	int n;
};

static long netdev_rx(void *data)
{
	struct rx_call *c = data;
	struct net_device *dev;
	int i;

	dev = dev_get_by_index(&init_net, c->ifindex);
	if (!dev)
		return -ENODEV;
	/* as from a NAPI poll: softirq context for the receive path */
	local_bh_disable();
	for (i = 0; i < c->n; i++)
		receive_one(dev, &c->frames[i]);
	local_bh_enable();
	dev_put(dev);
	return c->n;
}

int nuse_netdev_rx(int ifindex, const struct nuse_rx_frame *frames, int n)
{
	struct rx_call call = { ifindex, frames, n };
	int ret;

	ret = nuse_enter();
	if (ret)
		return ret;
	ret = nuse_on_task_stack(netdev_rx, &call);
	if (current->task_works)
		task_work_run();
	/* what the frames woke is scheduled at once, not 100 us later (cpu.c) */
	nuse_cpu_put_now();
	return ret;
}
