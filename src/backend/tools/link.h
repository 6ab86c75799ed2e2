/* SPDX-License-Identifier: GPL-2.0 */
/* nuse-link: what its modes (nuse-link.c, respond.c, tcp.c) share. */
#ifndef NUSE_LINK_H
#define NUSE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include <nuse/backend.h>

#define ETH_P_ARP_ 0x0806
#define ETH_P_IP_ 0x0800
#define HDR_LEN 14

struct link_opts {
	unsigned long count, size, batch, timeout;
	const char *pcap;
	const char *peer; /* tcp: ADDR:PORT */
	int linger; /* send: wait for the peer to hang up */
	int raw; /* fixed size, no per-byte work */
};

extern struct link_opts opt;
extern struct nuse_backend *be;
extern const struct nuse_backend_info *info;
extern struct nuse_iface ifc;

double now(void);
/* Internet checksum of data, network byte order, ready to store. */
uint16_t csum(const void *data, size_t len);
/* Send all n, waiting while the ring is full; 0 or -1 (message printed). */
int send_all(struct nuse_pkt *pkts, unsigned int n);

/* Swap Ethernet addresses (we become the source) and send. */
void reply(uint8_t *f, uint32_t len);
void respond_arp(const uint8_t *in, uint32_t len);

int do_respond(void);
int do_tcp(void);

#endif
