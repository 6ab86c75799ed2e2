// SPDX-License-Identifier: GPL-2.0
/*
 * The glue between a packet backend and a stack network device.
 *
 * It lives in the stack layer, outside the kernel object, because it calls
 * both APIs and the arrows must point stack -> backend: the backend library
 * knows nothing of the stack, and the kernel object knows nothing of the
 * backends (it only sees an xmit callback).
 *
 * Transmit runs on whichever thread holds the stack's virtual CPU, possibly
 * a kernel thread made by a raw clone() that shares the %fs (libc TLS) of
 * the thread that created it. The path below therefore allocates nothing
 * and takes no lock of its own; the backend's tx path is a few system
 * calls or ring writes (plus the capture mutex). Transmits never run
 * concurrently: all of them hold the one virtual CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <nuse/attach.h>
#include <nuse/stack.h>

/* How long transmit waits for a full ring to drain before the stack drops
 * the rest of the batch (TCP retransmits; a short wait keeps the CPU). */
#define TX_WAIT_NS (2 * 1000 * 1000)
#define RX_CHUNK 64
/* Linux's DAD: 1 probe after up to 1 s of delay, then 1 s of waiting */
#define DAD_WAIT_NS (5 * 1000000000L)

struct nuse_attach {
	struct nuse_backend *b;
	int ifindex;
	char name[16];
	atomic_int closing;
	atomic_int in_xmit;
	/* test impairment (nuse_attach_impair), parts per million */
	unsigned int loss_ppm, reorder_ppm;
	uint64_t tx_rand, rx_rand;
};

_Static_assert(sizeof(struct nuse_iov) == sizeof(struct iovec),
	       "struct nuse_iov is laid out as struct iovec");
_Static_assert(sizeof(struct nuse_vnet_hdr) == sizeof(struct virtio_net_hdr),
	       "struct nuse_vnet_hdr is laid out as struct virtio_net_hdr");

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* xorshift64: a fixed seed makes an impaired run repeatable */
static unsigned int rand_ppm(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x % 1000000;
}

static void to_pkt(struct nuse_pkt *p, const struct nuse_frame *f)
{
	uint32_t len = 0;
	unsigned int i;

	memcpy(&p->vh, &f->vnet, sizeof(p->vh));
	for (i = 0; i < f->niov; i++)
		len += f->iov[i].len;
	p->len = len;
	p->data = NULL;
	p->iov = (const struct iovec *)f->iov;
	p->niov = f->niov;
}

/*
 * Loss and reordering for tests where tc netem is missing: a frame is
 * dropped with probability loss, and swapped with the one after it in the
 * batch with probability reorder. Everything counts as taken.
 */
static int xmit_impaired(struct nuse_attach *a, const struct nuse_frame *frames,
			 int n)
{
	struct nuse_pkt pkts[64], tmp;
	int done = 0, k, m, sent, tries;

	while (done < n) {
		int chunk = n - done < 64 ? n - done : 64;

		for (k = 0, m = 0; k < chunk; k++)
			if (rand_ppm(&a->tx_rand) >= a->loss_ppm)
				to_pkt(&pkts[m++], &frames[done + k]);
		for (k = 0; k + 1 < m; k++) {
			if (rand_ppm(&a->tx_rand) >= a->reorder_ppm)
				continue;
			tmp = pkts[k];
			pkts[k] = pkts[k + 1];
			pkts[k + 1] = tmp;
			k++;
		}
		for (k = 0, tries = 0; k < m && tries < 1000; tries++) {
			sent = nuse_backend_tx_batch(a->b, pkts + k, m - k);
			if (sent < 0)
				break;
			k += sent;
			if (k < m)
				syscall(SYS_sched_yield);
		}
		done += chunk;
	}
	return n;
}

/* The frames go to the backend as the skb holds them: iov pieces, no copy. */
static int xmit(void *priv, const struct nuse_frame *frames, int n)
{
	struct nuse_attach *a = priv;
	struct nuse_pkt pkts[64];
	int done = 0, k;
	long deadline = 0;

	atomic_fetch_add(&a->in_xmit, 1);
	if (atomic_load(&a->closing))
		goto out;
	if (a->loss_ppm || a->reorder_ppm) {
		done = xmit_impaired(a, frames, n);
		goto out;
	}
	while (done < n) {
		int chunk = n - done < 64 ? n - done : 64;
		int sent;

		for (k = 0; k < chunk; k++)
			to_pkt(&pkts[k], &frames[done + k]);
		sent = nuse_backend_tx_batch(a->b, pkts, chunk);
		if (sent < 0)
			break;
		done += sent;
		if (sent == chunk)
			continue;
		/* ring full: give the consumer a moment, then drop the rest */
		if (!deadline)
			deadline = now_ns() + TX_WAIT_NS;
		else if (now_ns() > deadline)
			break;
		syscall(SYS_sched_yield);
	}
out:
	atomic_fetch_sub(&a->in_xmit, 1);
	return done;
}

/* Backend rx thread: hand the batch to the stack, which copies it. */
static void rx(void *ctx, struct nuse_pkt *pkts, unsigned int n)
{
	struct nuse_attach *a = ctx;
	struct nuse_rx_frame fr[RX_CHUNK], tmp;
	unsigned int done = 0, k, m;

	while (done < n) {
		unsigned int chunk = n - done < RX_CHUNK ? n - done : RX_CHUNK;

		for (k = 0, m = 0; k < chunk; k++) {
			if (a->loss_ppm && rand_ppm(&a->rx_rand) < a->loss_ppm)
				continue;
			memcpy(&fr[m].vnet, &pkts[done + k].vh, sizeof(fr[m].vnet));
			fr[m].data = pkts[done + k].data;
			fr[m].len = pkts[done + k].len;
			m++;
		}
		for (k = 0; a->reorder_ppm && k + 1 < m; k++) {
			if (rand_ppm(&a->rx_rand) >= a->reorder_ppm)
				continue;
			tmp = fr[k];
			fr[k] = fr[k + 1];
			fr[k + 1] = tmp;
			k++;
		}
		if (m)
			nuse_netdev_rx(a->ifindex, fr, (int)m);
		done += chunk;
	}
}

static unsigned int offloads(const struct nuse_backend_info *info)
{
	unsigned int o = 0;

	if (info->features & NUSE_BACKEND_F_CSUM)
		o |= NUSE_OFFLOAD_CSUM;
	/* the stack turns on TSO and TSO6 together */
	if ((info->features & NUSE_BACKEND_F_TSO4) &&
	    (info->features & NUSE_BACKEND_F_TSO6))
		o |= NUSE_OFFLOAD_TSO;
	return o;
}

/* 1 while the address is still tentative (DAD), 0 when it is usable or
 * absent, -EADDRINUSE when DAD failed. From the stack's own procfs. */
static int tentative(const struct in6_addr *addr)
{
	char buf[4096], hex[33], want[33];
	unsigned int idx, plen, scope, flags;
	char *line, *save;
	long fd, n;
	int ret = 0;

	fd = nuse_sys(SYS_openat, AT_FDCWD, (long)"/proc/net/if_inet6",
		      O_RDONLY, 0, 0, 0);
	if (fd < 0)
		return 0;	/* no IPv6 in the stack */
	n = nuse_sys(SYS_read, fd, (long)buf, sizeof(buf) - 1, 0, 0, 0);
	nuse_sys(SYS_close, fd, 0, 0, 0, 0, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (n = 0; n < 16; n++)
		snprintf(want + 2 * n, 3, "%02x", addr->s6_addr[n]);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%32s %x %x %x %x", hex, &idx, &plen, &scope,
			   &flags) != 5 || strcmp(hex, want))
			continue;
		if (flags & 0x08)	/* IFA_F_DADFAILED */
			return -EADDRINUSE;
		if (flags & 0x40)	/* IFA_F_TENTATIVE */
			ret = 1;
	}
	return ret;
}

static int add_addrs(struct nuse_attach *a, const struct nuse_iface *ifc,
		     char *err, size_t errlen)
{
	int ret;

	if (ifc->has_ip) {
		ret = nuse_if_add_addr(a->ifindex, AF_INET, &ifc->ip, ifc->prefix);
		if (ret < 0) {
			snprintf(err, errlen, "%s: ip: %s", ifc->spec, strerror(-ret));
			return ret;
		}
	}
	if (ifc->has_ip6) {
		ret = nuse_if_add_addr(a->ifindex, AF_INET6, &ifc->ip6,
				       ifc->prefix6);
		if (ret < 0) {
			snprintf(err, errlen, "%s: ip6: %s", ifc->spec, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * Link up first, then addresses, then routes: an IPv6 address added to a
 * down link waits for the link with its prefix route unusable, and a
 * connect() made in that window was seen to stall for good. Then wait for
 * duplicate address detection of ip6=, so that the caller can use it as
 * soon as we return (the link-local address may still be tentative).
 */
static int configure(struct nuse_attach *a, const struct nuse_iface *ifc,
		     char *err, size_t errlen)
{
	long deadline;
	int ret;

	ret = nuse_if_set_up(a->ifindex, 1);
	if (ret < 0) {
		snprintf(err, errlen, "%s: link up: %s", ifc->spec, strerror(-ret));
		return ret;
	}
	ret = add_addrs(a, ifc, err, errlen);
	if (ret < 0)
		return ret;
	if (ifc->has_gw) {
		ret = nuse_route_add(AF_INET, NULL, 0, &ifc->gw, a->ifindex);
		if (ret < 0) {
			snprintf(err, errlen, "%s: gw: %s", ifc->spec, strerror(-ret));
			return ret;
		}
	}
	if (ifc->has_gw6) {
		ret = nuse_route_add(AF_INET6, NULL, 0, &ifc->gw6, a->ifindex);
		if (ret < 0) {
			snprintf(err, errlen, "%s: gw6: %s", ifc->spec, strerror(-ret));
			return ret;
		}
	}
	if (!ifc->has_ip6)
		return 0;
	deadline = now_ns() + DAD_WAIT_NS;
	while ((ret = tentative(&ifc->ip6)) > 0 && now_ns() < deadline)
		usleep(20000);
	if (ret < 0) {
		snprintf(err, errlen, "%s: ip6: duplicate address", ifc->spec);
		return ret;
	}
	return 0;
}

static int attached;

int nuse_attach(struct nuse_attach **out, const struct nuse_iface *ifc,
		const char *pcap, char *err, size_t errlen)
{
	struct nuse_netdev_params np = { 0 };
	const struct nuse_backend_info *info;
	struct nuse_backend_conf conf;
	struct nuse_attach *a;
	int ret;

	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "%s: out of memory", ifc->spec);
		return -ENOMEM;
	}
	nuse_iface_conf(ifc, &conf);
	conf.pcap = pcap;
	ret = nuse_backend_open(&a->b, ifc->spec, &conf, err, errlen);
	if (ret < 0)
		goto err_free;
	info = nuse_backend_info(a->b);

	/* our own names, eth0, eth1, ... in attach order (main thread only) */
	snprintf(a->name, sizeof(a->name), "eth%d", attached++);
	np.name = a->name;
	memcpy(np.mac, info->mac, 6);
	np.mtu = info->mtu;
	np.offloads = offloads(info);
	np.xmit = xmit;
	np.priv = a;
	np.share_fd = nuse_backend_tx_fd(a->b);
	np.has_share_fd = np.share_fd >= 0 && !getenv("NUSE_NO_SHARE");
	ret = nuse_netdev_add(&np);
	if (ret < 0) {
		snprintf(err, errlen, "%s: adding the stack device: %s",
			 ifc->spec, strerror(-ret));
		goto err_close;
	}
	a->ifindex = ret;

	ret = nuse_backend_rx_start(a->b, rx, a);
	if (ret < 0) {
		snprintf(err, errlen, "%s: rx thread: %s", ifc->spec,
			 strerror(-ret));
		goto err_quiet;
	}
	ret = configure(a, ifc, err, errlen);
	if (ret < 0)
		goto err_rx;
	*out = a;
	return 0;

err_rx:
	nuse_backend_rx_stop(a->b);
err_quiet:
	/* the stack device stays (no removal API): make it a dead end */
	atomic_store(&a->closing, 1);
	while (atomic_load(&a->in_xmit))
		syscall(SYS_sched_yield);
	nuse_if_set_up(a->ifindex, 0);
	/* a is still the device's priv and is deliberately not freed */
	nuse_backend_close(a->b);
	return ret;
err_close:
	nuse_backend_close(a->b);
err_free:
	free(a);
	return ret;
}

int nuse_attach_ifindex(const struct nuse_attach *a)
{
	return a->ifindex;
}

const char *nuse_attach_name(const struct nuse_attach *a)
{
	return a->name;
}

struct nuse_backend *nuse_attach_backend(struct nuse_attach *a)
{
	return a->b;
}

void nuse_attach_impair(struct nuse_attach *a, unsigned int loss_ppm,
			unsigned int reorder_ppm)
{
	/* frames written straight to the backend's descriptor would escape */
	nuse_netdev_unshare(a->ifindex);
	a->tx_rand = 0x9e3779b97f4a7c15ULL;
	a->rx_rand = 0xbf58476d1ce4e5b9ULL;
	a->reorder_ppm = reorder_ppm;
	a->loss_ppm = loss_ppm;
}

void nuse_detach(struct nuse_attach *a)
{
	if (!a)
		return;
	atomic_store(&a->closing, 1);
	while (atomic_load(&a->in_xmit))
		syscall(SYS_sched_yield);
	nuse_backend_rx_stop(a->b);
	nuse_backend_close(a->b);
	/* the stack keeps a as the device's priv until it halts; after
	 * closing is set it is only read, so it is left allocated */
}
