// SPDX-License-Identifier: GPL-2.0
/* Small helpers every backend shares: MAC addresses and checksums. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "io.h"

int io_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int v[6];
	int n = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &n) != 6 ||
	    n != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		/* sscanf's %x takes "+f" and " f": only hex digits are MACs. */
		if (!strchr("0123456789abcdefABCDEF", s[i * 3]) ||
		    !strchr("0123456789abcdefABCDEF", s[i * 3 + 1]) ||
		    !s[i * 3] || !s[i * 3 + 1])
			return -1;
		mac[i] = v[i];
	}
	/* A multicast source address would poison every peer's neighbour table. */
	if (mac[0] & 1)
		return -1;
	return 0;
}

void io_random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6) {
		pid_t pid = getpid();

		memcpy(mac + 2, &pid, 4);
	}
	mac[0] = (mac[0] & 0xfc) | 0x02; /* locally administered, unicast */
}

void io_pkt_copy(void *dst, const struct nuse_pkt *p)
{
	uint8_t *d = dst;
	uint32_t left = p->len;

	if (p->data) {
		memcpy(d, p->data, p->len);
		return;
	}
	/* len is the contract; pieces beyond it are not read. */
	for (unsigned int i = 0; i < p->niov && left; i++) {
		size_t n = p->iov[i].iov_len < left ? p->iov[i].iov_len : left;

		memcpy(d, p->iov[i].iov_base, n);
		d += n;
		left -= n;
	}
}

int io_pkt_iov(const struct nuse_pkt *p, struct iovec *iov)
{
	uint32_t left = p->len;
	int n = 1;

	iov[0] = (struct iovec){ (void *)&p->vh, sizeof(p->vh) };
	if (p->data) {
		iov[1] = (struct iovec){ p->data, p->len };
		return 2;
	}
	for (unsigned int i = 0; i < p->niov && left; i++) {
		size_t len = p->iov[i].iov_len < left ? p->iov[i].iov_len :
							left;

		iov[n++] = (struct iovec){ p->iov[i].iov_base, len };
		left -= len;
	}
	return n;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/*
 * NEEDS_CSUM means: the ones' complement sum from csum_start to the end,
 * seeded with what is already at csum_start + csum_offset (the stack put the
 * pseudo-header sum there), goes to csum_start + csum_offset.
 */
int io_csum_fixup(void *frame, uint32_t len, const struct virtio_net_hdr *vh)
{
	uint8_t *p = frame;
	uint32_t start = vh->csum_start, off = start + vh->csum_offset, sum;

	if (start >= len || off + 2 > len)
		return -1;
	sum = csum_add(0, p + start, len - start);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	/* UDP says 0 means "no checksum": send all ones instead. */
	if (!sum && vh->csum_offset == 6)
		sum = 0xffff;
	p[off] = sum >> 8;
	p[off + 1] = sum & 0xff;
	return 0;
}
