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
#include "netdev.h"

static_assert(sizeof(struct nuse_vnet_hdr) == sizeof(struct virtio_net_hdr));

/* The frame's virtio-net header; pieces beyond what a frame holds are
 * made linear first. */
int nuse_frame_prepare(struct sk_buff *skb, struct nuse_vnet_hdr *vnet)
{
	struct virtio_net_hdr hdr;

	if (skb_shinfo(skb)->nr_frags + 1 > NUSE_FRAME_MAX_IOV &&
	    skb_linearize(skb))
		return -ENOMEM;
	if (virtio_net_hdr_from_skb(skb, &hdr, true, false, 0))
		return -EINVAL;
	memcpy(vnet, &hdr, sizeof(hdr));
	return 0;
}

/* The skb's pieces as iovecs; reads only, so also without the CPU. */
void nuse_frame_pieces(struct sk_buff *skb, struct nuse_frame *f)
{
	int i;

	f->iov[0].base = skb->data;
	f->iov[0].len = skb_headlen(skb);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		f->iov[i + 1].base = skb_frag_address(frag);
		f->iov[i + 1].len = skb_frag_size(frag);
	}
	f->niov = i + 1;
}

int nuse_fill_frame(struct sk_buff *skb, struct nuse_frame *f)
{
	int ret = nuse_frame_prepare(skb, &f->vnet);

	if (!ret)
		nuse_frame_pieces(skb, f);
	return ret;
}

static void flush(struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);
	int i, n = 0, sent;

	for (i = 0; i < nd->nbatch; i++) {
		if (nuse_fill_frame(nd->batch[i], &nd->frames[n])) {
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
			if (nd->share_fd >= 0 && !nuse_tx_owner_queue(skb, dev))
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

static netdev_tx_t nuse_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nuse_netdev *nd = netdev_priv(dev);
	int owner = nuse_host_getpid() == nd->owner_pid;

	if (nd->share_fd >= 0) {
		if (owner && !nuse_tx_owner_queue(skb, dev))
			return NETDEV_TX_OK;
		if (!owner && nd->writer && !nuse_tx_writer_queue(skb, dev))
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
		nuse_tx_writer_start(dev);
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
