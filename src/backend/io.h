/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the backend layer: what each backend file (tap.c, packet.c, dpdk.c,
 * shm.c) implements and what the common core (core.c) does around it —
 * spec dispatch, capture, software checksum fallback, the rx thread, stats.
 */
#ifndef NUSE_BACKEND_IO_H
#define NUSE_BACKEND_IO_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#include <nuse/backend.h>

struct nuse_pcap;

struct nuse_backend_ops {
	const char *kind;
	/* Fill b->info and b->priv; on failure undo everything and say why
	 * with io_err(). */
	int (*open)(struct nuse_backend *b, const char *arg,
		    const struct nuse_backend_conf *conf, char *err,
		    size_t errlen);
	void (*close)(struct nuse_backend *b);
	/* Frames already checked against info.features and max_frame. */
	int (*tx)(struct nuse_backend *b, const struct nuse_pkt *pkts,
		  unsigned int n);
	/* Wait up to timeout_ms, deliver batches to io_deliver(); count or -errno. */
	int (*rx)(struct nuse_backend *b, int timeout_ms);
	int (*carrier)(struct nuse_backend *b); /* NULL: always up */
	/* A descriptor that sends one frame per writev(vnet header, frame),
	 * from any process holding a copy; NULL: none. */
	int (*tx_fd)(struct nuse_backend *b);
};

struct nuse_backend {
	const struct nuse_backend_ops *ops;
	void *priv;
	struct nuse_backend_info info;
	struct nuse_pcap *pcap;

	/* Current receiver, set for the duration of one rx_poll. */
	nuse_backend_rx_fn rx_fn;
	void *rx_ctx;

	pthread_t rx_thread;
	int rx_running;
	atomic_int rx_stop;

	/* Linear copy of a frame in pieces that needs a software checksum. */
	uint8_t *bounce;

	/* Counters written by one tx and one rx thread each. */
	struct nuse_backend_stats st;
};

extern const struct nuse_backend_ops nuse_backend_tap_ops;
extern const struct nuse_backend_ops nuse_backend_packet_ops;
extern const struct nuse_backend_ops nuse_backend_shm_ops;
#ifdef HAVE_DPDK
extern const struct nuse_backend_ops nuse_backend_dpdk_ops;
#endif

/* Backends call this with each received batch. */
void io_deliver(struct nuse_backend *b, struct nuse_pkt *pkts, unsigned int n);

/* Format a one-line error; returns -errnum for "return io_err(...)". */
int io_err(char *err, size_t errlen, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Parse "aa:bb:cc:dd:ee:ff"; 0 or -1. */
int io_parse_mac(const char *s, uint8_t mac[6]);
/* A locally administered unicast address, different per call and process. */
void io_random_mac(uint8_t mac[6]);

/* Copy a frame given either way (data, or iov pieces) to dst. */
void io_pkt_copy(void *dst, const struct nuse_pkt *p);
/* The frame's virtio-net header, then its data as it is (len bytes of its
 * pieces), into iov (NUSE_BACKEND_MAX_IOV + 1 entries): how many. */
int io_pkt_iov(const struct nuse_pkt *p, struct iovec *iov);

/* Complete a partial checksum in place (VIRTIO_NET_HDR_F_NEEDS_CSUM). */
int io_csum_fixup(void *frame, uint32_t len, const struct virtio_net_hdr *vh);

#endif
