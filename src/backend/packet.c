// SPDX-License-Identifier: GPL-2.0
/*
 * packet:IFNAME — an AF_PACKET socket on an existing interface: a
 * memory-mapped TPACKET_V3 transmit ring, and receive from the socket's
 * queue with recvmmsg().
 *
 * Receive is adaptive: the thread sleeps in poll() and wakes per frame when
 * the link is quiet (one round trip costs no timer), and takes up to
 * RX_BATCH queued frames per recvmmsg() when it is busy. V3's block ring,
 * used before, hands a block over only when it is full or its retire timer
 * (1 ms at least) fires: a lone frame waited up to 1 ms, and a TCP round
 * trip took 13x the host kernel's (docs/link.md). The queue's depth is
 * SO_RCVBUF in bytes, so small frames do not each pin a 64 KiB slot as a
 * V2 ring's fixed slots would. NUSE_PACKET_RX=v3 brings back the block ring
 * (for comparison; see docs/backends.md).
 *
 * Transmit uses V3's frame ring, which is V2-like (fixed-size
 * slots, tp_next_offset 0; the kernel has no block transmit): frames are
 * copied into slots and one sendto() pushes them all — small frames; large
 * (GSO) ones go out from their pieces on a second, ring-less socket
 * (packet_tx says why).
 *
 * PACKET_VNET_HDR puts a virtio_net_hdr in front of each frame in both
 * rings, so GSO segments and partial checksums pass as on a TAP; the kernel
 * segments in software if the interface cannot. PACKET_QDISC_BYPASS hands
 * frames straight to the driver: lower cost, but no qdisc and no host
 * taps see what we send (our own --pcap does).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"

/* A block holds one 64 KiB GSO frame, or ~170 full-size ones. */
#define RX_BLOCK_SIZE (1u << 18)
#define RX_BLOCK_NR 16
#define RX_FRAME_SIZE 2048 /* only checked by the kernel for V3 rx */
#define RX_RETIRE_MS 1 /* how long a partly filled block may wait */
#define TX_FRAME_SIZE (17u << 12) /* 64 KiB + headers, page multiple */
#define TX_FRAME_NR 64
/* frames longer than this skip the ring (packet_tx) */
#define TX_DIRECT_MIN 4096
#define TX_DIRECT_BATCH 64
#define RX_BATCH 64
/* One received frame: the largest GSO frame the host may hand over. */
#define RX_BUF NUSE_BACKEND_MAX_FRAME
/* The socket's receive queue: ~1.6 k full-size or ~100 GSO frames, about
 * what the 4 MiB block ring held (the kernel doubles it for overhead). */
#define RX_QUEUE_BYTES (8 << 20)

#define VNET_LEN sizeof(struct virtio_net_hdr)
/* Where frame data starts in a tx slot (no PACKET_TX_HAS_OFF). */
#define TX_DATA_OFF TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

struct packet {
	int fd;
	int txfd; /* ring-less, for large frames (see packet_tx) */
	/* direct_send's (transmits never run concurrently) */
	struct mmsghdr mm[TX_DIRECT_BATCH];
	struct iovec iov[TX_DIRECT_BATCH][NUSE_BACKEND_MAX_IOV + 1];
	int ifindex;
	uint8_t *map;
	size_t map_len;
	uint8_t *rx_ring, *tx_ring;
	unsigned int rx_block, tx_head;
	struct nuse_pkt pkts[RX_BATCH];
	/* recvmmsg() receive (rx_ring NULL): frames, headers, addresses */
	uint8_t *rx_bufs;
	struct mmsghdr rx_mm[RX_BATCH];
	struct iovec rx_iov[RX_BATCH][2];
	struct sockaddr_ll rx_sll[RX_BATCH];
};

static int if_info(const char *name, struct nuse_backend_info *info,
		   uint8_t hwaddr[6], short *flags)
{
	struct ifreq ifr = { 0 };
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	strcpy(ifr.ifr_name, name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto err;
	*flags = ifr.ifr_flags;
	if (ioctl(s, SIOCGIFMTU, &ifr) < 0)
		goto err;
	if (!info->mtu || info->mtu > (uint32_t)ifr.ifr_mtu)
		info->mtu = ifr.ifr_mtu;
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		goto err;
	if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
		ret = -EPROTOTYPE;
		goto out;
	}
	memcpy(hwaddr, ifr.ifr_hwaddr.sa_data, 6);
	goto out;
err:
	ret = -errno;
out:
	close(s);
	return ret;
}

static int setopt(int fd, int opt, const void *val, socklen_t len,
		  const char *what, const char *name, char *err, size_t errlen)
{
	if (setsockopt(fd, SOL_PACKET, opt, val, len) == 0)
		return 0;
	return io_err(err, errlen, errno, "packet:%s: %s: %s", name, what,
		      strerror(errno));
}

/*
 * Receive without a ring: a deep queue (SO_RCVBUFFORCE needs CAP_NET_ADMIN;
 * without it SO_RCVBUF, capped by net.core.rmem_max), and the buffers and
 * headers recvmmsg() fills. A buffer's pages are touched only as deep as
 * its frames reach: small frames use the first page of each.
 */
static void rx_queue(struct packet *p)
{
	int bytes = RX_QUEUE_BYTES;

	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
		       sizeof(bytes)))
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	for (int i = 0; i < RX_BATCH; i++) {
		p->rx_iov[i][0] = (struct iovec){ &p->pkts[i].vh, VNET_LEN };
		p->rx_iov[i][1] = (struct iovec){ p->rx_bufs + (size_t)i * RX_BUF,
						  RX_BUF };
		p->rx_mm[i].msg_hdr = (struct msghdr){
			.msg_name = &p->rx_sll[i],
			.msg_iov = p->rx_iov[i],
			.msg_iovlen = 2,
		};
	}
}

static int packet_setup(struct packet *p, const char *name, int promisc,
			bool rx_ring, char *err, size_t errlen)
{
	struct tpacket_req3 rx = {
		.tp_block_size = RX_BLOCK_SIZE,
		.tp_block_nr = RX_BLOCK_NR,
		.tp_frame_size = RX_FRAME_SIZE,
		.tp_frame_nr = RX_BLOCK_SIZE / RX_FRAME_SIZE * RX_BLOCK_NR,
		.tp_retire_blk_tov = RX_RETIRE_MS,
	};
	struct tpacket_req3 tx = {
		.tp_block_size = TX_FRAME_SIZE,
		.tp_block_nr = TX_FRAME_NR,
		.tp_frame_size = TX_FRAME_SIZE,
		.tp_frame_nr = TX_FRAME_NR,
	};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = p->ifindex,
	};
	struct packet_mreq mr = { .mr_ifindex = p->ifindex,
				  .mr_type = PACKET_MR_PROMISC };
	int v3 = TPACKET_V3, one = 1, ret;

	/* Order matters: the version and the vnet header are fixed once a
	 * ring exists. */
	ret = setopt(p->fd, PACKET_VERSION, &v3, sizeof(v3), "TPACKET_V3", name,
		     err, errlen);
	if (!ret)
		ret = setopt(p->fd, PACKET_VNET_HDR, &one, sizeof(one),
			     "PACKET_VNET_HDR", name, err, errlen);
	if (!ret)
		ret = setopt(p->fd, PACKET_QDISC_BYPASS, &one, sizeof(one),
			     "PACKET_QDISC_BYPASS", name, err, errlen);
	/* A malformed tx slot is skipped instead of stalling the ring. */
	if (!ret)
		ret = setopt(p->fd, PACKET_LOSS, &one, sizeof(one),
			     "PACKET_LOSS", name, err, errlen);
	if (!ret && rx_ring)
		ret = setopt(p->fd, PACKET_RX_RING, &rx, sizeof(rx),
			     "PACKET_RX_RING", name, err, errlen);
	if (!ret)
		ret = setopt(p->fd, PACKET_TX_RING, &tx, sizeof(tx),
			     "PACKET_TX_RING", name, err, errlen);
	if (ret)
		return ret;
	if (!rx_ring)
		rx_queue(p);

	/* Both rings in one mapping, rx first. */
	p->map_len = (rx_ring ? (size_t)RX_BLOCK_SIZE * RX_BLOCK_NR : 0) +
		     (size_t)TX_FRAME_SIZE * TX_FRAME_NR;
	p->map = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, p->fd, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		return io_err(err, errlen, errno, "packet:%s: mmap rings: %s",
			      name, strerror(errno));
	}
	p->rx_ring = rx_ring ? p->map : NULL;
	p->tx_ring = p->map + (rx_ring ? (size_t)RX_BLOCK_SIZE * RX_BLOCK_NR : 0);

	/* Membership ends with the socket: nothing to undo by hand. */
	if (promisc)
		ret = setopt(p->fd, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr),
			     "promiscuous mode", name, err, errlen);
	if (!ret && bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		ret = io_err(err, errlen, errno, "packet:%s: bind: %s", name,
			     strerror(errno));
	return ret;
}

/*
 * The ring-less socket for large frames: protocol 0, so it receives
 * nothing. Without it (-1) they go through the ring, as before.
 */
static int direct_socket(int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = ifindex };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int packet_open(struct nuse_backend *b, const char *arg,
		       const struct nuse_backend_conf *conf, char *err,
		       size_t errlen)
{
	struct packet *p;
	uint8_t hwaddr[6] = { 0 };
	short flags = 0;
	bool rx_ring;
	int ret;

	if (strlen(arg) >= IFNAMSIZ)
		return io_err(err, errlen, EINVAL,
			      "packet:%s: bad interface name", arg);
	p = calloc(1, sizeof(*p));
	if (!p)
		return io_err(err, errlen, ENOMEM, "packet:%s: out of memory",
			      arg);
	p->ifindex = if_nametoindex(arg);
	if (!p->ifindex) {
		ret = io_err(err, errlen, ENODEV,
			     "packet:%s: no such interface", arg);
		goto err_free;
	}
	b->info.mtu = conf->mtu;
	ret = if_info(arg, &b->info, hwaddr, &flags);
	if (ret == -EPROTOTYPE) {
		ret = io_err(err, errlen, EPROTOTYPE,
			     "packet:%s: not an Ethernet interface", arg);
		goto err_free;
	}
	if (ret < 0) {
		ret = io_err(err, errlen, -ret, "packet:%s: %s", arg,
			     strerror(-ret));
		goto err_free;
	}
	if (!(flags & IFF_UP)) {
		ret = io_err(err, errlen, ENETDOWN,
			     "packet:%s: interface is down", arg);
		goto err_free;
	}

	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		ret = io_err(err, errlen, errno, "packet:%s: socket: %s%s", arg,
			     strerror(errno),
			     errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		goto err_free;
	}
	/*
	 * The stack is another host on the wire: it gets its own MAC and the
	 * interface listens promiscuously for it. Reusing the interface's
	 * MAC (mac= set to it) needs no promiscuous mode, but then the host
	 * kernel answers on that address too.
	 */
	if (conf->has_mac)
		memcpy(b->info.mac, conf->mac, 6);
	else
		io_random_mac(b->info.mac);
	rx_ring = (getenv("NUSE_PACKET_RX") &&
		   !strcmp(getenv("NUSE_PACKET_RX"), "v3"));
	if (!rx_ring) {
		p->rx_bufs = malloc((size_t)RX_BATCH * RX_BUF);
		if (!p->rx_bufs) {
			ret = io_err(err, errlen, ENOMEM,
				     "packet:%s: out of memory", arg);
			goto err_close;
		}
	}
	ret = packet_setup(p, arg, memcmp(b->info.mac, hwaddr, 6) != 0,
			   rx_ring, err, errlen);
	if (ret)
		goto err_close;

	p->txfd = direct_socket(p->ifindex);
	b->info.features = NUSE_BACKEND_F_CSUM | NUSE_BACKEND_F_TSO4 |
			   NUSE_BACKEND_F_TSO6;
	b->info.max_frame = NUSE_BACKEND_MAX_FRAME;
	b->priv = p;
	return 0;

err_close:
	if (p->map)
		munmap(p->map, p->map_len);
	free(p->rx_bufs);
	close(p->fd);
err_free:
	free(p);
	return ret;
}

static void packet_close(struct nuse_backend *b)
{
	struct packet *p = b->priv;

	munmap(p->map, p->map_len);
	if (p->txfd >= 0)
		close(p->txfd);
	close(p->fd);
	free(p->rx_bufs);
	free(p);
}

/* Frames into the ring until a slot the kernel still owns (or, @small, a
 * large frame), then one kick: how many were sent, or -errno. */
static int ring_send(struct packet *p, const struct nuse_pkt *pkts,
		     unsigned int n, bool small)
{
	unsigned int i;

	for (i = 0; i < n && !(small && pkts[i].len > TX_DIRECT_MIN); i++) {
		uint8_t *slot = p->tx_ring + (size_t)p->tx_head * TX_FRAME_SIZE;
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)slot;
		uint32_t status =
			__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		/* Still owned by the kernel: the ring is full. */
		if (status & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING))
			break;
		memcpy(slot + TX_DATA_OFF, &pkts[i].vh, VNET_LEN);
		io_pkt_copy(slot + TX_DATA_OFF + VNET_LEN, &pkts[i]);
		h->tp_len = VNET_LEN + pkts[i].len;
		h->tp_next_offset = 0;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
				 __ATOMIC_RELEASE);
		p->tx_head = (p->tx_head + 1) % TX_FRAME_NR;
	}
	/* With qdisc bypass the kernel sends every requested slot here. */
	if (i && sendto(p->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
		return -errno;
	return i;
}

/* Large frames from pkts onwards, straight from their pieces (one copy, by
 * the kernel): how many were sent, or -errno. */
static int direct_send(struct packet *p, const struct nuse_pkt *pkts,
		       unsigned int n)
{
	unsigned int k;
	int r;

	for (k = 0; k < n && k < TX_DIRECT_BATCH && pkts[k].len > TX_DIRECT_MIN;
	     k++)
		p->mm[k].msg_hdr = (struct msghdr){
			.msg_iov = p->iov[k],
			.msg_iovlen = io_pkt_iov(&pkts[k], p->iov[k]),
		};
	r = sendmmsg(p->txfd, p->mm, k, MSG_DONTWAIT);
	if (r < 0)
		return errno == EAGAIN || errno == ENOBUFS || errno == EINTR ?
			       0 : -errno;
	return r;
}

/*
 * Small frames go through the TX ring (no system call per frame, one kick
 * per batch). Large ones (GSO) are sent from their pieces on a second,
 * ring-less socket: through the ring they were copied twice — into the
 * slot, then by the host once the frame crossed into the peer's namespace
 * (skb_copy_ubufs: ring pages are user pages) — and one stream ran at
 * 0.63-0.73x the host kernel's; sent so, the kernel copies them once.
 * In order: the ring is kicked before a large frame goes out.
 */
static int packet_tx(struct nuse_backend *b, const struct nuse_pkt *pkts,
		     unsigned int n)
{
	struct packet *p = b->priv;
	unsigned int done = 0;
	int r;

	while (done < n) {
		if (p->txfd >= 0 && pkts[done].len > TX_DIRECT_MIN)
			r = direct_send(p, pkts + done, n - done);
		else
			r = ring_send(p, pkts + done, n - done, p->txfd >= 0);
		if (r < 0)
			return done ? (int)done : r;
		if (!r)
			break; /* full: the caller retries the rest */
		done += r;
	}
	return done;
}

/* Hand one retired block to the receiver, RX_BATCH frames at a time. */
static unsigned int rx_block(struct nuse_backend *b,
			     struct tpacket_block_desc *bd)
{
	struct packet *p = b->priv;
	uint32_t num = bd->hdr.bh1.num_pkts, k = 0, total = 0;
	uint8_t *ptr = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;

	for (uint32_t i = 0; i < num; i++) {
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)ptr;
		struct sockaddr_ll *sll =
			(struct sockaddr_ll *)((uint8_t *)h +
					       TPACKET_ALIGN(sizeof(*h)));
		uint8_t *data = (uint8_t *)h + h->tp_mac;

		ptr += h->tp_next_offset;
		/* What the host itself sends on the interface is not for us;
		 * a frame cut short by the ring cannot be used. */
		if (sll->sll_pkttype == PACKET_OUTGOING)
			continue;
		if (h->tp_snaplen != h->tp_len || h->tp_len < 14) {
			b->st.rx_drops++;
			continue;
		}
		memcpy(&p->pkts[k].vh, data - VNET_LEN, VNET_LEN);
		p->pkts[k].data = data;
		p->pkts[k].len = h->tp_len;
		if (++k == RX_BATCH) {
			io_deliver(b, p->pkts, k);
			total += k;
			k = 0;
		}
	}
	if (k)
		io_deliver(b, p->pkts, k);
	return total + k;
}

/* The interface went down (ENETDOWN): reading the error clears it, and
 * frames flow again once it is back up; until then poll must not return at
 * once. */
static void clear_error(int fd)
{
	int e;
	socklen_t l = sizeof(e);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
}

/*
 * Sleep in poll() until a frame is queued, then take what is there, up to
 * RX_BATCH frames in one recvmmsg(): one frame per wakeup on a quiet link,
 * full batches on a busy one.
 */
static int queue_rx(struct nuse_backend *b, int timeout_ms)
{
	struct packet *p = b->priv;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	unsigned int k = 0;
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (!n)
		return 0;
	if (pfd.revents & POLLERR)
		clear_error(p->fd);
	if (!(pfd.revents & POLLIN))
		return 0;
	for (int i = 0; i < RX_BATCH; i++) {
		p->rx_mm[i].msg_hdr.msg_namelen = sizeof(p->rx_sll[i]);
		p->rx_mm[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(p->fd, p->rx_mm, RX_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == ENETDOWN)
			clear_error(p->fd);
		return errno == EAGAIN || errno == EINTR || errno == ENETDOWN ?
			       0 :
			       -errno;
	}
	for (int i = 0; i < n; i++) {
		const struct msghdr *m = &p->rx_mm[i].msg_hdr;
		uint32_t len = p->rx_mm[i].msg_len;

		/* What the host itself sends on the interface is not for us;
		 * a frame cut short cannot be used. */
		if (p->rx_sll[i].sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((m->msg_flags & MSG_TRUNC) || len < VNET_LEN + 14) {
			b->st.rx_drops++;
			continue;
		}
		/* the batch is compacted: pkts[k] takes frame i's buffer */
		if (k != (uint32_t)i)
			p->pkts[k].vh = p->pkts[i].vh;
		p->pkts[k].data = p->rx_iov[i][1].iov_base;
		p->pkts[k].len = len - VNET_LEN;
		k++;
	}
	if (k)
		io_deliver(b, p->pkts, k);
	return k;
}

static int packet_rx(struct nuse_backend *b, int timeout_ms)
{
	struct packet *p = b->priv;
	unsigned int total = 0;

	if (!p->rx_ring)
		return queue_rx(b, timeout_ms);

	for (int spins = 0; spins < RX_BLOCK_NR; spins++) {
		struct tpacket_block_desc *bd =
			(void *)(p->rx_ring +
				 (size_t)p->rx_block * RX_BLOCK_SIZE);

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER)) {
			struct pollfd pfd = { .fd = p->fd,
					      .events = POLLIN | POLLERR };
			int ret;

			if (total)
				break;
			ret = poll(&pfd, 1, timeout_ms);
			if (ret < 0)
				return -errno;
			if (!ret)
				break;
			if (pfd.revents & POLLERR)
				clear_error(p->fd);
			/* One wait per call: after it, only ready blocks. */
			timeout_ms = 0;
			spins--;
			if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
					      __ATOMIC_ACQUIRE) &
			      TP_STATUS_USER))
				break;
		}
		total += rx_block(b, bd);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		p->rx_block = (p->rx_block + 1) % RX_BLOCK_NR;
	}
	return total;
}

const struct nuse_backend_ops nuse_backend_packet_ops = {
	.kind = "packet",
	.open = packet_open,
	.close = packet_close,
	.tx = packet_tx,
	.rx = packet_rx,
};
