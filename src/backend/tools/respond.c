// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-link respond: answer ARP and ICMP echo for ip= by hand-crafting the
 * replies, so a host kernel peer can ping through a backend. A test
 * harness, not a stack: no fragments, no options, IPv4 only.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static unsigned long replied;

void reply(uint8_t *f, uint32_t len)
{
	struct nuse_pkt p = { .len = len, .data = f };

	memcpy(f, f + 6, 6);
	memcpy(f + 6, info->mac, 6);
	send_all(&p, 1);
}

void respond_arp(const uint8_t *in, uint32_t len)
{
	uint8_t f[42];

	/* Ethernet/IPv4 request for our address only. */
	if (len < 42 || in[14 + 7] != 1 || memcmp(in + 38, &ifc.ip, 4))
		return;
	memcpy(f, in, 42);
	f[21] = 2; /* reply */
	memcpy(f + 32, in + 22, 10); /* target := sender */
	memcpy(f + 22, info->mac, 6); /* sender := us */
	memcpy(f + 28, &ifc.ip, 4);
	reply(f, 42);
}

static void respond_icmp(const uint8_t *in, uint32_t len)
{
	static uint8_t f[NUSE_BACKEND_MAX_FRAME];
	unsigned int ihl = (in[14] & 15) * 4;
	uint8_t *ip = f + 14, *icmp;

	if (len < 14 + 20 || (in[14] >> 4) != 4 || in[14 + 9] != 1 ||
	    ihl < 20 || len < 14 + ihl + 8 ||
	    memcmp(in + 14 + 16, &ifc.ip, 4) || in[14 + ihl] != 8)
		return;
	memcpy(f, in, len);
	icmp = ip + ihl;
	memcpy(ip + 16, in + 14 + 12, 4); /* dst := src */
	memcpy(ip + 12, &ifc.ip, 4);
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	memcpy(ip + 10, &(uint16_t){ csum(ip, ihl) }, 2);
	icmp[0] = 0; /* echo reply */
	icmp[2] = icmp[3] = 0;
	memcpy(icmp + 2,
	       &(uint16_t){ csum(icmp, ntohs(*(uint16_t *)(ip + 2)) - ihl) },
	       2);
	reply(f, 14 + ntohs(*(uint16_t *)(ip + 2)));
	replied++;
}

static void respond_rx(void *ctx, struct nuse_pkt *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *f = pkts[i].data;
		uint16_t type;

		if (pkts[i].len < HDR_LEN)
			continue;
		type = f[12] << 8 | f[13];
		if (type == ETH_P_ARP_)
			respond_arp(f, pkts[i].len);
		else if (type == ETH_P_IP_)
			respond_icmp(f, pkts[i].len);
	}
}

int do_respond(void)
{
	double deadline = now() + opt.timeout;

	if (!ifc.has_ip) {
		fprintf(stderr, "nuse-link: respond needs ip= in IFACE\n");
		return 2;
	}
	printf("responding for %s\n", inet_ntoa(ifc.ip));
	fflush(stdout);
	while (now() < deadline && (!opt.count || replied < opt.count)) {
		int ret = nuse_backend_rx_poll(be, 100, respond_rx, NULL);

		if (ret < 0) {
			fprintf(stderr, "nuse-link: receive: %s\n",
				strerror(-ret));
			return 1;
		}
	}
	printf("replied %lu\n", replied);
	return opt.count && replied < opt.count;
}
