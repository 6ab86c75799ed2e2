// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-link tcp -c ADDR:PORT: prove that 64 KiB-class segments cross a
 * backend in both directions with their virtio-net metadata.
 *
 * A hand-made TCP client (one connection, no retransmission queue, no
 * options but MSS: a test harness) connects to a host-kernel listener,
 * sends TSO_LEN bytes as ONE frame marked GSO_TCPV4 + NEEDS_CSUM (given to
 * the backend in pieces, headers apart from the payload) and waits
 * for the peer to acknowledge all of them, then takes TSO_LEN bytes back
 * and counts how many arrived in frames larger than the MTU (a GSO segment
 * the host kernel handed over whole).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "link.h"

#define TSO_LEN 30000
#define GSO_SIZE 1448
#define SPORT 40001

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static struct {
	uint8_t mac[6];
	int have_mac, established, fin, reset;
	struct in_addr addr;
	uint16_t port, ip_id;
	uint32_t snd_nxt, snd_una, rcv_nxt;
	unsigned long got, frames, gso_frames, partial, max_len;
} tc;

static uint8_t txbuf[NUSE_BACKEND_MAX_FRAME];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum(const uint8_t *p, size_t len, uint32_t s)
{
	for (; len > 1; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static int tcp_send(uint8_t flags, const uint8_t *payload, uint32_t plen,
		    int gso)
{
	unsigned int thl = flags & TH_SYN ? 24 : 20;
	uint8_t *f = txbuf, *ip = f + HDR_LEN, *th = ip + 20;
	uint16_t tot = 20 + thl + plen;
	struct nuse_pkt p = { .data = f, .len = HDR_LEN + tot };
	uint32_t pseudo;

	memcpy(f, tc.mac, 6);
	memcpy(f + 6, info->mac, 6);
	put16(f + 12, ETH_P_IP_);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, tot);
	put16(ip + 4, tc.ip_id++);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &ifc.ip, 4);
	memcpy(ip + 16, &tc.addr, 4);
	put16(ip + 10, ~fold(sum(ip, 20, 0)));

	memset(th, 0, thl);
	put16(th, SPORT);
	put16(th + 2, tc.port);
	put32(th + 4, tc.snd_nxt);
	put32(th + 8, flags & TH_ACK ? tc.rcv_nxt : 0);
	th[12] = (thl / 4) << 4;
	th[13] = flags;
	put16(th + 14, 65535);
	if (flags & TH_SYN) {
		th[20] = 2; /* MSS */
		th[21] = 4;
		put16(th + 22, GSO_SIZE + 12);
	}
	if (plen && !gso)
		memcpy(th + thl, payload, plen);

	pseudo = sum(ip + 12, 8, 6 + thl + plen);
	if (gso) {
		/* In pieces, as a socket buffer holds it: headers, then the
		 * payload where it lies, in three fragments. */
		uint32_t third = plen / 3;
		struct iovec iov[4] = {
			{ f, HDR_LEN + 20 + thl },
			{ (void *)payload, third },
			{ (void *)(payload + third), third },
			{ (void *)(payload + 2 * third), plen - 2 * third },
		};

		p.data = NULL;
		p.iov = iov;
		p.niov = 4;
		/* As Linux hands it to a device: the checksum field holds the
		 * folded pseudo-header sum, the rest is the device's job. */
		p.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		p.vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		p.vh.gso_size = GSO_SIZE;
		p.vh.hdr_len = HDR_LEN + 20 + thl;
		p.vh.csum_start = HDR_LEN + 20;
		p.vh.csum_offset = 16;
		put16(th + 16, fold(pseudo));
		tc.snd_nxt += plen;
		return send_all(&p, 1);
	}
	put16(th + 16, ~fold(sum(th, thl + plen, pseudo)));
	tc.snd_nxt += plen + !!(flags & (TH_SYN | TH_FIN));
	return send_all(&p, 1);
}

static void tcp_in(const struct nuse_pkt *pk)
{
	const uint8_t *ip = (const uint8_t *)pk->data + HDR_LEN, *th;
	unsigned int ihl = (ip[0] & 15) * 4, thl;
	uint32_t seq, ack, plen;
	uint8_t flags;

	if (pk->len < HDR_LEN + 40 || ip[9] != 6 ||
	    memcmp(ip + 12, &tc.addr, 4) || memcmp(ip + 16, &ifc.ip, 4))
		return;
	th = ip + ihl;
	if (get16(th) != tc.port || get16(th + 2) != SPORT)
		return;
	thl = (th[12] >> 4) * 4;
	seq = get32(th + 4);
	ack = get32(th + 8);
	flags = th[13];
	plen = get16(ip + 2) - ihl - thl;

	tc.frames++;
	if (pk->len > tc.max_len)
		tc.max_len = pk->len;
	if (pk->vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		tc.gso_frames++;
	if (pk->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		tc.partial++;
	if (flags & TH_RST) {
		tc.reset = 1;
		return;
	}
	if (!tc.established) {
		if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
		    ack == tc.snd_nxt) {
			tc.rcv_nxt = seq + 1;
			tc.snd_una = ack;
			tc.established = 1;
			tcp_send(TH_ACK, NULL, 0, 0);
		}
		return;
	}
	if ((flags & TH_ACK) && (int32_t)(ack - tc.snd_una) > 0)
		tc.snd_una = ack;
	if (plen && seq == tc.rcv_nxt) {
		tc.rcv_nxt += plen;
		tc.got += plen;
	}
	if ((flags & TH_FIN) && seq + plen == tc.rcv_nxt) {
		tc.rcv_nxt++;
		tc.fin = 1;
	}
	if (plen || (flags & TH_FIN))
		tcp_send(TH_ACK, NULL, 0, 0);
}

static void tcp_rx(void *ctx, struct nuse_pkt *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *f = pkts[i].data;

		if (pkts[i].len < HDR_LEN)
			continue;
		if (get16(f + 12) == ETH_P_ARP_ && pkts[i].len >= 42) {
			respond_arp(f, pkts[i].len);
			/* A reply from the peer tells us where to send. */
			if (f[21] == 2 && !memcmp(f + 28, &tc.addr, 4)) {
				memcpy(tc.mac, f + 22, 6);
				tc.have_mac = 1;
			}
		} else if (get16(f + 12) == ETH_P_IP_) {
			tcp_in(&pkts[i]);
		}
	}
}

static void arp_request(void)
{
	uint8_t f[42] = { 0 };
	struct nuse_pkt p = { .data = f, .len = sizeof(f) };

	memset(f, 0xff, 6);
	memcpy(f + 6, info->mac, 6);
	put16(f + 12, ETH_P_ARP_);
	put16(f + 14, 1);
	put16(f + 16, ETH_P_IP_);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	memcpy(f + 22, info->mac, 6);
	memcpy(f + 28, &ifc.ip, 4);
	memcpy(f + 38, &tc.addr, 4);
	send_all(&p, 1);
}

/* Call again() (if any) now and every second after; poll until done() or
 * the deadline. */
static int run_until(int (*done)(void), void (*again)(void), double deadline)
{
	double next = 0;

	if (again) {
		again();
		next = now() + 1;
	}

	while (!done() && !tc.reset) {
		if (now() > deadline)
			return -1;
		if (again && now() >= next) {
			again();
			next = now() + 1;
		}
		if (nuse_backend_rx_poll(be, 20, tcp_rx, NULL) < 0)
			return -1;
	}
	return tc.reset ? -1 : 0;
}

static int have_mac(void)
{
	return tc.have_mac;
}

static int established(void)
{
	return tc.established;
}

static int all_acked(void)
{
	return tc.snd_una == tc.snd_nxt;
}

static int all_back(void)
{
	return tc.got >= TSO_LEN && tc.fin;
}

static void send_syn(void)
{
	tc.snd_nxt = tc.snd_una;
	tcp_send(TH_SYN, NULL, 0, 0);
}

static uint8_t *data;

static void send_data(void)
{
	tc.snd_nxt = tc.snd_una;
	tcp_send(TH_ACK | TH_PSH, data, TSO_LEN, 1);
}

int do_tcp(void)
{
	double deadline = now() + opt.timeout;
	char addr[64], *colon;
	int ok;

	if (!ifc.has_ip || !opt.peer || strlen(opt.peer) >= sizeof(addr)) {
		fprintf(stderr,
			"nuse-link: tcp needs ip= in IFACE and -c ADDR:PORT\n");
		return 2;
	}
	strcpy(addr, opt.peer);
	colon = strrchr(addr, ':');
	if (!colon ||
	    (*colon = '\0', inet_pton(AF_INET, addr, &tc.addr) != 1) ||
	    !(tc.port = atoi(colon + 1))) {
		fprintf(stderr, "nuse-link: bad peer '%s'\n", opt.peer);
		return 2;
	}
	data = malloc(TSO_LEN);
	if (!data)
		return 1;
	for (int i = 0; i < TSO_LEN; i++)
		data[i] = i * 13 + 7;
	if (getrandom(&tc.snd_una, sizeof(tc.snd_una), 0) != sizeof(tc.snd_una))
		tc.snd_una = 12345;

	if (run_until(have_mac, arp_request, deadline)) {
		fprintf(stderr, "nuse-link: tcp: no ARP reply from %s\n", addr);
		return 1;
	}
	if (run_until(established, send_syn, deadline)) {
		fprintf(stderr, "nuse-link: tcp: no connection to %s%s\n",
			opt.peer, tc.reset ? " (reset)" : "");
		return 1;
	}
	ok = !run_until(all_acked, send_data, deadline);
	printf("tcp: sent %d bytes as one GSO frame of %d bytes: %s\n", TSO_LEN,
	       HDR_LEN + 40 + TSO_LEN,
	       ok ? "acknowledged" : "NOT acknowledged");
	if (ok && run_until(all_back, NULL, deadline))
		ok = 0;
	printf("tcp: received %lu bytes in %lu frames, %lu GSO, %lu partial-csum, largest %lu\n",
	       tc.got, tc.frames, tc.gso_frames, tc.partial, tc.max_len);
	tcp_send(TH_RST | TH_ACK, NULL, 0, 0);
	free(data);
	return !(ok && tc.got == TSO_LEN && tc.max_len > info->mtu + HDR_LEN);
}
