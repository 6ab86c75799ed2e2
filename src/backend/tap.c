// SPDX-License-Identifier: GPL-2.0
/*
 * tap:NAME — a TAP device of the host kernel, created or attached.
 *
 * IFF_VNET_HDR puts a struct virtio_net_hdr in front of every frame in
 * both directions and TUNSETOFFLOAD tells the host kernel we take partial
 * checksums and TSO segments, so 64 KiB segments cross the device in one
 * read or write instead of 45 MTU-sized ones.
 *
 * A device we create is not made persistent: it disappears with our file
 * descriptor, so a crash leaves nothing behind. A device that existed
 * (ip tuntap add ... mode tap) is only attached to and outlives us.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io.h"

#define TAP_BATCH 32
#define TAP_BUF (NUSE_BACKEND_MAX_FRAME + 64)

struct tap {
	int fd;
	char name[IFNAMSIZ];
	struct nuse_pkt pkts[TAP_BATCH];
	uint8_t *bufs;
};

static int tap_open_err(const char *name, int e, char *err, size_t errlen)
{
	switch (e) {
	case EBUSY:
		return io_err(
			err, errlen, e,
			"tap:%s: device busy (attached by another process)",
			name);
	case EPERM:
	case EACCES:
		return io_err(err, errlen, e,
			      "tap:%s: permission denied (needs CAP_NET_ADMIN)",
			      name);
	case EINVAL:
		return io_err(err, errlen, e,
			      "tap:%s: exists and is not a TAP device", name);
	default:
		return io_err(err, errlen, e, "tap:%s: %s", name, strerror(e));
	}
}

static int tap_query(struct tap *t, struct nuse_backend_info *info)
{
	struct ifreq ifr = { 0 };
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	strcpy(ifr.ifr_name, t->name);
	if (ioctl(s, SIOCGIFMTU, &ifr) < 0)
		ret = -errno;
	else if (!info->mtu)
		info->mtu = ifr.ifr_mtu;
	close(s);
	return ret;
}

static int tap_open(struct nuse_backend *b, const char *arg,
		    const struct nuse_backend_conf *conf, char *err,
		    size_t errlen)
{
	unsigned int offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	int hdrsz = sizeof(struct virtio_net_hdr);
	struct ifreq ifr = { 0 };
	struct tap *t;
	int ret;

	/* No "%d" templates: the kernel would pick a name we do not know. */
	if (strlen(arg) >= IFNAMSIZ || strpbrk(arg, "/ %:"))
		return io_err(err, errlen, EINVAL, "tap:%s: bad interface name",
			      arg);
	t = calloc(1, sizeof(*t));
	if (!t)
		return io_err(err, errlen, ENOMEM, "tap:%s: out of memory",
			      arg);
	strcpy(t->name, arg);
	t->bufs = malloc((size_t)TAP_BATCH * TAP_BUF);
	if (!t->bufs) {
		ret = io_err(err, errlen, ENOMEM, "tap:%s: out of memory", arg);
		goto err_free;
	}

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		if (errno == EACCES || errno == EPERM)
			ret = tap_open_err(arg, errno, err, errlen);
		else
			ret = io_err(err, errlen, errno,
				     "tap:%s: /dev/net/tun: %s", arg,
				     strerror(errno));
		goto err_bufs;
	}
	strcpy(ifr.ifr_name, arg);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		ret = tap_open_err(arg, errno, err, errlen);
		goto err_close;
	}
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdrsz) < 0) {
		ret = io_err(err, errlen, errno, "tap:%s: TUNSETVNETHDRSZ: %s",
			     arg, strerror(errno));
		goto err_close;
	}
	/* Without offloads the link still works, frame by frame. */
	if (ioctl(t->fd, TUNSETOFFLOAD, offload) == 0)
		b->info.features = NUSE_BACKEND_F_CSUM | NUSE_BACKEND_F_TSO4 |
				   NUSE_BACKEND_F_TSO6;

	b->info.mtu = conf->mtu;
	ret = tap_query(t, &b->info);
	if (ret < 0) {
		ret = io_err(err, errlen, -ret, "tap:%s: %s", arg,
			     strerror(-ret));
		goto err_close;
	}
	b->info.max_frame = b->info.features ? NUSE_BACKEND_MAX_FRAME :
					       b->info.mtu + 14 + 4;
	/* The host side has its own MAC; ours is the other end of the wire. */
	if (conf->has_mac)
		memcpy(b->info.mac, conf->mac, 6);
	else
		io_random_mac(b->info.mac);
	b->priv = t;
	return 0;

err_close:
	close(t->fd);
err_bufs:
	free(t->bufs);
err_free:
	free(t);
	return ret;
}

static void tap_close(struct nuse_backend *b)
{
	struct tap *t = b->priv;

	close(t->fd);
	free(t->bufs);
	free(t);
}

static int tap_tx(struct nuse_backend *b, const struct nuse_pkt *pkts,
		  unsigned int n)
{
	struct tap *t = b->priv;
	struct iovec iov[NUSE_BACKEND_MAX_IOV + 1];
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* tun reads the pieces itself */
		int niov = io_pkt_iov(&pkts[i], iov);
		ssize_t ret;

		do
			ret = writev(t->fd, iov, niov);
		while (ret < 0 && errno == EINTR);
		if (ret >= 0)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS)
			break;
		/* EIO: host side down; EINVAL: bad metadata. Like a NIC,
		 * drop the frame and go on. */
		b->st.tx_drops++;
	}
	return i;
}

static int tap_rx(struct nuse_backend *b, int timeout_ms)
{
	struct tap *t = b->priv;
	struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
	unsigned int n = 0;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	/* tun says POLLERR, forever, once the device is deleted under us. */
	if ((pfd.revents & POLLERR) && !(pfd.revents & POLLIN))
		return -ENODEV;
	while (n < TAP_BATCH) {
		struct nuse_pkt *p = &t->pkts[n];
		struct iovec iov[2];
		ssize_t len;

		p->data = t->bufs + (size_t)n * TAP_BUF;
		iov[0] = (struct iovec){ &p->vh, sizeof(p->vh) };
		iov[1] = (struct iovec){ p->data, TAP_BUF };
		len = readv(t->fd, iov, 2);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				b->st.rx_drops++;
			break;
		}
		if (len < (ssize_t)sizeof(p->vh) + 14)
			continue;
		p->len = len - sizeof(p->vh);
		n++;
	}
	if (n)
		io_deliver(b, t->pkts, n);
	return n;
}

/* tun takes one frame per write, vnet header first (IFF_VNET_HDR) */
static int tap_tx_fd(struct nuse_backend *b)
{
	return ((struct tap *)b->priv)->fd;
}

const struct nuse_backend_ops nuse_backend_tap_ops = {
	.kind = "tap",
	.open = tap_open,
	.close = tap_close,
	.tx = tap_tx,
	.rx = tap_rx,
	.tx_fd = tap_tx_fd,
};
