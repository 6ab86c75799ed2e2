/* SPDX-License-Identifier: GPL-2.0 */
/* Network devices for backends: shared by netdev.c and netdev-tx.c. */
#ifndef NUSE_KERNEL_NETDEV_H
#define NUSE_KERNEL_NETDEV_H

#include <linux/netdevice.h>
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
	 * session goes to the device's writer (netdev-tx.c) or, without
	 * share_fd, is queued for the device's tx thread, which runs there.
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

int nuse_frame_prepare(struct sk_buff *skb, struct nuse_vnet_hdr *vnet);
void nuse_frame_pieces(struct sk_buff *skb, struct nuse_frame *f);
int nuse_fill_frame(struct sk_buff *skb, struct nuse_frame *f);

/* netdev-tx.c: transmit without the CPU; 0 when the skb was taken */
int nuse_tx_owner_queue(struct sk_buff *skb, struct net_device *dev);
int nuse_tx_writer_queue(struct sk_buff *skb, struct net_device *dev);
void nuse_tx_writer_start(struct net_device *dev);

#endif
