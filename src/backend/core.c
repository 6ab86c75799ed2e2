// SPDX-License-Identifier: GPL-2.0
/*
 * The backend core: picks the backend a spec names, wraps every backend
 * with the same tx checks, capture and counters, and runs the optional
 * receive thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "io.h"
#include "pcap.h"

static const struct nuse_backend_ops *const backends[] = {
	&nuse_backend_tap_ops,
	&nuse_backend_packet_ops,
	&nuse_backend_shm_ops,
#ifdef HAVE_DPDK
	&nuse_backend_dpdk_ops,
#endif
};

int io_err(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

static const struct nuse_backend_ops *find_ops(const char *kind, size_t len)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strlen(backends[i]->kind) == len &&
		    !memcmp(backends[i]->kind, kind, len))
			return backends[i];
	return NULL;
}

int nuse_backend_open(struct nuse_backend **out, const char *spec,
		      const struct nuse_backend_conf *conf, char *err,
		      size_t errlen)
{
	static const struct nuse_backend_conf no_conf;
	const struct nuse_backend_ops *ops;
	const char *colon = strchr(spec, ':');
	struct nuse_backend *b;
	int ret;

	if (!conf)
		conf = &no_conf;
	if (!colon || colon == spec || !colon[1])
		return io_err(err, errlen, EINVAL, "%s: expected BACKEND:SPEC",
			      spec);
	ops = find_ops(spec, colon - spec);
	if (!ops) {
#ifndef HAVE_DPDK
		if (colon - spec == 4 && !memcmp(spec, "dpdk", 4))
			return io_err(err, errlen, ENOTSUP,
				      "%s: built without DPDK", spec);
#endif
		return io_err(err, errlen, EINVAL, "%.*s: unknown backend",
			      (int)(colon - spec), spec);
	}

	b = calloc(1, sizeof(*b));
	if (!b)
		return io_err(err, errlen, ENOMEM, "%s: out of memory", spec);
	b->ops = ops;
	b->info.kind = ops->kind;
	if (conf->pcap) {
		b->pcap = nuse_pcap_open(conf->pcap);
		if (!b->pcap) {
			ret = io_err(err, errlen, errno, "%s: pcap %s: %s",
				     spec, conf->pcap, strerror(errno));
			goto err_free;
		}
	}
	ret = ops->open(b, colon + 1, conf, err, errlen);
	if (ret < 0)
		goto err_pcap;
	*out = b;
	return 0;

err_pcap:
	if (b->pcap) {
		nuse_pcap_close(b->pcap);
		remove(conf->pcap);
	}
err_free:
	free(b);
	return ret;
}

void nuse_backend_close(struct nuse_backend *b)
{
	if (!b)
		return;
	nuse_backend_rx_stop(b);
	b->ops->close(b);
	nuse_pcap_close(b->pcap);
	free(b->bounce);
	free(b);
}

const struct nuse_backend_info *nuse_backend_info(const struct nuse_backend *b)
{
	return &b->info;
}

void nuse_backend_stats(const struct nuse_backend *b,
			struct nuse_backend_stats *st)
{
	*st = b->st;
}

int nuse_backend_carrier(struct nuse_backend *b)
{
	return b->ops->carrier ? b->ops->carrier(b) : 1;
}

int nuse_backend_tx_fd(struct nuse_backend *b)
{
	/* capture sees every frame; counters then miss these ones */
	if (b->pcap || !b->ops->tx_fd)
		return -1;
	return b->ops->tx_fd(b);
}

/* May the backend carry this frame as it is? 1 yes, 0 after a software
 * fixup, -1 drop. */
static int tx_check(struct nuse_backend *b, const struct nuse_pkt *p)
{
	uint32_t f = b->info.features;
	uint8_t gso = p->vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (p->len < 14 || p->len > b->info.max_frame)
		return -1;
	if (!p->data) {
		size_t have = 0;

		if (!p->iov || !p->niov || p->niov > NUSE_BACKEND_MAX_IOV)
			return -1;
		for (unsigned int i = 0; i < p->niov; i++)
			have += p->iov[i].iov_len;
		if (have < p->len)
			return -1;
	}
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 && !(f & NUSE_BACKEND_F_TSO4))
		return -1;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV6 && !(f & NUSE_BACKEND_F_TSO6))
		return -1;
	if (gso != VIRTIO_NET_HDR_GSO_NONE && gso != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    gso != VIRTIO_NET_HDR_GSO_TCPV6)
		return -1;
	if ((p->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !(f & NUSE_BACKEND_F_CSUM))
		return 0;
	return 1;
}

/*
 * Frames the backend cannot carry as they are: a partial checksum is
 * completed in place (the stack gave up the buffer for the call) — a frame
 * in pieces first goes whole into the bounce buffer, one per call to the
 * backend; GSO without TSO is dropped, since segmenting is the stack's job
 * and it was told the features.
 */
int nuse_backend_tx_batch(struct nuse_backend *b, const struct nuse_pkt *pkts,
			  unsigned int n)
{
	struct nuse_pkt fixed[64];
	unsigned int idx[64];
	unsigned int i = 0;
	int ret;

	while (i < n) {
		unsigned int k = 0;
		int bounced = 0;

		for (; i < n && k < 64; i++) {
			int ok = tx_check(b, &pkts[i]);

			if (ok < 0) {
				/* Dropped frames count as taken. */
				b->st.tx_drops++;
				continue;
			}
			fixed[k] = pkts[i];
			if (!ok && !fixed[k].data) {
				if (bounced)
					break;
				if (!b->bounce)
					b->bounce =
						malloc(NUSE_BACKEND_MAX_FRAME);
				if (!b->bounce)
					break;
				io_pkt_copy(b->bounce, &fixed[k]);
				fixed[k].data = b->bounce;
				bounced = 1;
			}
			if (!ok) {
				io_csum_fixup(fixed[k].data, fixed[k].len,
					      &fixed[k].vh);
				fixed[k].vh.flags &=
					~VIRTIO_NET_HDR_F_NEEDS_CSUM;
			}
			idx[k++] = i;
		}
		if (!k)
			return i;
		ret = b->ops->tx(b, fixed, k);
		if (ret < 0)
			return idx[0] ? (int)idx[0] : ret;
		for (int j = 0; j < ret; j++) {
			b->st.tx_bytes += fixed[j].len;
			if (!b->pcap)
				continue;
			if (fixed[j].data)
				nuse_pcap_write(b->pcap, fixed[j].data,
						fixed[j].len);
			else
				nuse_pcap_writev(b->pcap, fixed[j].iov,
						 fixed[j].niov, fixed[j].len);
		}
		b->st.tx_pkts += ret;
		/* A full ring stops the batch at the first frame not taken. */
		if ((unsigned int)ret < k)
			return idx[ret];
	}
	return n;
}

void io_deliver(struct nuse_backend *b, struct nuse_pkt *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		b->st.rx_bytes += pkts[i].len;
		if (b->pcap)
			nuse_pcap_write(b->pcap, pkts[i].data, pkts[i].len);
	}
	b->st.rx_pkts += n;
	if (b->rx_fn)
		b->rx_fn(b->rx_ctx, pkts, n);
}

int nuse_backend_rx_poll(struct nuse_backend *b, int timeout_ms,
			 nuse_backend_rx_fn rx, void *ctx)
{
	b->rx_fn = rx;
	b->rx_ctx = ctx;
	return b->ops->rx(b, timeout_ms);
}

/* Short waits so that rx_stop is seen within this many ms without a wakeup
 * file descriptor in every backend. */
#define RX_THREAD_TICK_MS 50

static void *rx_thread(void *arg)
{
	struct nuse_backend *b = arg;

	while (!atomic_load(&b->rx_stop)) {
		int ret = b->ops->rx(b, RX_THREAD_TICK_MS);

		if (ret < 0 && ret != -EINTR && ret != -EAGAIN)
			break;
	}
	return NULL;
}

int nuse_backend_rx_start(struct nuse_backend *b, nuse_backend_rx_fn rx,
			  void *ctx)
{
	int ret;

	if (b->rx_running)
		return -EBUSY;
	b->rx_fn = rx;
	b->rx_ctx = ctx;
	atomic_store(&b->rx_stop, 0);
	ret = pthread_create(&b->rx_thread, NULL, rx_thread, b);
	if (ret)
		return -ret;
	b->rx_running = 1;
	return 0;
}

void nuse_backend_rx_stop(struct nuse_backend *b)
{
	if (!b->rx_running)
		return;
	atomic_store(&b->rx_stop, 1);
	pthread_join(b->rx_thread, NULL);
	b->rx_running = 0;
}
