/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nuse packet I/O backends: how a stack's network device reaches the world.
 *
 * A backend is opened from a spec string ("tap:nt0", "packet:eth1",
 * "dpdk:net_memif0,role=client,socket=/tmp/m.sock", "shm:link0"). It moves
 * Ethernet frames, each with a virtio-net header that carries the offload
 * metadata (GSO type/size, partial checksum start/offset) exactly as Linux's
 * own virtio_net, tun and af_packet drivers carry it, so a Linux stack on
 * top can hand 64 KiB TSO segments and partial checksums straight through
 * when the backend supports it (see nuse_backend_info.features).
 *
 * Threads: one thread may transmit while another receives. Receive is
 * either polled by the caller (nuse_backend_rx_poll) or run by a thread of
 * the backend (nuse_backend_rx_start); not both at once. Frames given to the
 * rx callback live in the backend's buffers (ring slots, mbufs) and are
 * valid only until the callback returns: the callback copies.
 *
 * This layer depends on nothing of the stack: plain C, libc, pthreads (and
 * DPDK inside the dpdk backend).
 */
#ifndef NUSE_BACKEND_H
#define NUSE_BACKEND_H

#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * One Ethernet frame (no FCS) and its offload metadata, host byte order.
 * On transmit the frame may also come in pieces, as a stack's socket
 * buffer holds it (headers, then page fragments): data NULL and iov/niov
 * set, len the total. Backends then gather it straight into their ring
 * slot, mbuf or writev, with no copy in between. Receive always gives data.
 */
struct nuse_pkt {
	struct virtio_net_hdr vh;
	uint32_t len;
	void *data;
	const struct iovec *iov; /* tx only, when data is NULL */
	unsigned int niov; /* at most NUSE_BACKEND_MAX_IOV */
};

#define NUSE_BACKEND_MAX_IOV 64

/* Offloads a backend accepts on transmit and may deliver on receive. A
 * frame using an offload the backend lacks is fixed in software when that
 * is cheap (partial checksum) and dropped otherwise (GSO). */
#define NUSE_BACKEND_F_CSUM (1u << 0) /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
#define NUSE_BACKEND_F_TSO4 (1u << 1) /* VIRTIO_NET_HDR_GSO_TCPV4 */
#define NUSE_BACKEND_F_TSO6 (1u << 2) /* VIRTIO_NET_HDR_GSO_TCPV6 */

/* Largest frame any backend moves: a 64 KiB GSO segment plus headers. */
#define NUSE_BACKEND_MAX_FRAME (65536 + 14 + 4)

struct nuse_backend_info {
	const char *kind; /* "tap", "packet", "dpdk", "shm" */
	uint32_t features; /* NUSE_BACKEND_F_* */
	uint32_t mtu; /* L3 MTU of the link */
	uint32_t max_frame; /* largest frame tx accepts / rx delivers */
	uint8_t mac[6]; /* the address the stack should use */
};

struct nuse_backend_stats {
	uint64_t tx_pkts, tx_bytes, tx_drops;
	uint64_t rx_pkts, rx_bytes, rx_drops;
};

/* Settings applied at open; zero fields mean "backend default". */
struct nuse_backend_conf {
	uint32_t mtu;
	int has_mac;
	uint8_t mac[6];
	const char *pcap; /* capture file path, or NULL */
};

typedef void (*nuse_backend_rx_fn)(void *ctx, struct nuse_pkt *pkts,
				   unsigned int n);

struct nuse_backend;

/*
 * Open "KIND:ARG". 0 and *out set, or -errno with a one-line message in err
 * ("tap:nt0: device busy"). A failed open leaves nothing behind: no device
 * it created, no file, no thread.
 */
int nuse_backend_open(struct nuse_backend **out, const char *spec,
		      const struct nuse_backend_conf *conf, char *err,
		      size_t errlen);
void nuse_backend_close(struct nuse_backend *b);

const struct nuse_backend_info *nuse_backend_info(const struct nuse_backend *b);
void nuse_backend_stats(const struct nuse_backend *b,
			struct nuse_backend_stats *st);
/* 1 when the link can carry frames (shm peer attached, DPDK link up). */
int nuse_backend_carrier(struct nuse_backend *b);

/*
 * A descriptor to which writev(struct virtio_net_hdr, frame pieces) sends
 * one frame that passes the link's features, from this process or any
 * holding a copy of it; -1 if the backend has none or every frame must go
 * through nuse_backend_tx_batch() (capture on).
 */
int nuse_backend_tx_fd(struct nuse_backend *b);

/* Send a batch; returns how many were taken (the rest were not sent:
 * ring full, try again) or -errno when the link is unusable. */
int nuse_backend_tx_batch(struct nuse_backend *b, const struct nuse_pkt *pkts,
			  unsigned int n);

/* Wait up to timeout_ms (0: don't wait, -1: forever) for frames and hand one
 * or more batches to rx. Returns the number of frames delivered or -errno. */
int nuse_backend_rx_poll(struct nuse_backend *b, int timeout_ms,
			 nuse_backend_rx_fn rx, void *ctx);

/* Run receive on a thread of the backend until rx_stop or close. */
int nuse_backend_rx_start(struct nuse_backend *b, nuse_backend_rx_fn rx,
			  void *ctx);
void nuse_backend_rx_stop(struct nuse_backend *b);

/*
 * The interface option shared with nuse-exec:
 *   BACKEND:SPEC[,ip=ADDR/LEN][,ip6=ADDR/LEN][,gw=ADDR][,gw6=ADDR][,mac=MAC][,mtu=N]
 * Comma-separated key=value items whose key is not one of those six belong
 * to SPEC (DPDK devargs such as "iface=veth0" or "role=server").
 */
#define NUSE_IFACE_SPEC_MAX 256

struct nuse_iface {
	char spec[NUSE_IFACE_SPEC_MAX]; /* "KIND:ARG" as nuse_backend_open wants it */
	unsigned int has_ip : 1, has_ip6 : 1, has_gw : 1, has_gw6 : 1,
		has_mac : 1;
	struct in_addr ip, gw;
	struct in6_addr ip6, gw6;
	uint8_t prefix, prefix6;
	uint8_t mac[6];
	uint32_t mtu; /* 0: not given */
};

/* 0, or -1 with "--iface: bad MAC 'zz'" style message in err. */
int nuse_iface_parse(const char *arg, struct nuse_iface *ifc, char *err,
		     size_t errlen);
/* The backend settings an interface option implies. */
void nuse_iface_conf(const struct nuse_iface *ifc,
		     struct nuse_backend_conf *conf);

#endif
