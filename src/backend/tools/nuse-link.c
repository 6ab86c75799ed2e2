// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-link: drive one backend by hand, for tests and raw measurements.
 *
 *   nuse-link [-n N] [-s SIZE] [-b BATCH] [-t SEC] [--pcap FILE] [-c PEER] [--linger]
 *             [--raw] MODE IFACE
 *
 *   info     open, print what the backend reports, close
 *   respond  answer ARP and ICMP echo for ip= (a test harness, not a stack);
 *            stop after N echo replies (0: at the timeout)
 *   send     send N numbered, self-checking frames (ethertype 0x88b5),
 *            retrying while the ring is full; print the rate; with --linger
 *            stay until the peer hangs up (carrier off) or the timeout;
 *            --raw: every frame SIZE bytes, content built once and not
 *            checked by recv (order and count only), for raw rates
 *   recv     receive N such frames, check order and content; print the rate
 *   tcp      -c ADDR:PORT: a TCP exchange with a host-kernel listener that
 *            sends one 30000-byte GSO frame and expects GSO frames back
 *
 * IFACE is the --iface syntax (tap:nt0,ip=10.0.0.2/24). Exit 0 on success,
 * 1 on failure or timeout, 2 on bad usage; errors are one line on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "link.h"

#define ETH_P_TEST 0x88b5 /* IEEE local experimental */
#define TEST_MIN 60

struct link_opts opt = { .count = 1000,
			 .size = 1514,
			 .batch = 32,
			 .timeout = 20 };
struct nuse_backend *be;
const struct nuse_backend_info *info;
struct nuse_iface ifc;

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t fnv(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* Send one frame, waiting while the ring is full. */
int send_all(struct nuse_pkt *pkts, unsigned int n)
{
	unsigned int done = 0;
	double deadline = now() + opt.timeout;

	while (done < n) {
		int ret = nuse_backend_tx_batch(be, pkts + done, n - done);

		if (ret < 0) {
			fprintf(stderr, "nuse-link: send: %s\n",
				strerror(-ret));
			return -1;
		}
		done += ret;
		if (done < n) {
			if (now() > deadline) {
				fprintf(stderr,
					"nuse-link: send: ring stayed full\n");
				return -1;
			}
			usleep(20);
		}
	}
	return 0;
}

/* ---- send / recv ---- */

static uint32_t test_len(uint32_t seq)
{
	uint32_t span = opt.size - TEST_MIN + 1;

	if (opt.raw)
		return opt.size;
	return TEST_MIN + (seq * 2654435761u >> 7) % span;
}

static void test_fill(uint8_t *f, uint32_t seq)
{
	uint32_t len = test_len(seq), h;

	memset(f, 0xff, 6);
	memcpy(f + 6, info->mac, 6);
	f[12] = ETH_P_TEST >> 8;
	f[13] = ETH_P_TEST & 0xff;
	memcpy(f + 14, &seq, 4);
	memcpy(f + 18, &len, 4);
	for (uint32_t i = 22; i < len - 4; i++)
		f[i] = seq * 7 + i;
	h = fnv(f + 14, len - 18);
	memcpy(f + len - 4, &h, 4);
}

static int wait_carrier(void)
{
	double deadline = now() + opt.timeout;

	while (!nuse_backend_carrier(be)) {
		if (now() > deadline) {
			fprintf(stderr, "nuse-link: no carrier after %lus\n",
				opt.timeout);
			return -1;
		}
		usleep(10000);
	}
	return 0;
}

static int do_send(void)
{
	struct nuse_pkt pkts[256];
	uint8_t *bufs;
	unsigned long seq = 0;
	double t0, t;

	if (opt.batch > 256)
		opt.batch = 256;
	bufs = malloc(opt.batch * opt.size);
	if (!bufs || wait_carrier())
		return 1;
	t0 = now();
	while (seq < opt.count) {
		unsigned int k = 0;

		for (; k < opt.batch && seq < opt.count; k++, seq++) {
			pkts[k] =
				(struct nuse_pkt){ .data = bufs + k * opt.size,
						   .len = test_len(seq) };
			/* --raw: frames built once, only the number changes. */
			if (opt.raw && seq >= opt.batch)
				memcpy((uint8_t *)pkts[k].data + 14,
				       &(uint32_t){ seq }, 4);
			else
				test_fill(pkts[k].data, seq);
		}
		if (send_all(pkts, k))
			return 1;
	}
	t = now() - t0;
	printf("sent %lu frames in %.3f s: %.0f pps\n", seq, t, seq / t);
	fflush(stdout);
	free(bufs);
	/* Frames still in a ring die with the link (memif unmaps it on
	 * disconnect): let the receiver hang up first. */
	if (opt.linger) {
		double deadline = now() + opt.timeout;

		while (nuse_backend_carrier(be) && now() < deadline)
			usleep(10000);
	}
	return 0;
}

static struct {
	unsigned long got, bad, order;
	uint32_t next;
	double first, last;
} rs;

static void recv_rx(void *ctx, struct nuse_pkt *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *f = pkts[i].data;
		uint32_t seq, len, h;

		if (pkts[i].len < TEST_MIN || f[12] != ETH_P_TEST >> 8 ||
		    f[13] != (ETH_P_TEST & 0xff))
			continue;
		if (!rs.got++)
			rs.first = now();
		memcpy(&seq, f + 14, 4);
		memcpy(&len, f + 18, 4);
		/* Longer than announced is fine (padding); shorter or altered is not. */
		if (opt.raw) {
			/* Only count and order: measuring the link, not memcmp. */
		} else if (len != test_len(seq) || len > pkts[i].len) {
			rs.bad++;
		} else {
			memcpy(&h, f + len - 4, 4);
			if (h != fnv(f + 14, len - 18))
				rs.bad++;
		}
		if (seq != rs.next)
			rs.order++;
		rs.next = seq + 1;
	}
	rs.last = now();
}

static int do_recv(void)
{
	double deadline = now() + opt.timeout, t;

	printf("receiving %lu\n", opt.count);
	fflush(stdout);
	while (rs.got < opt.count && now() < deadline) {
		int ret = nuse_backend_rx_poll(be, 100, recv_rx, NULL);

		if (ret < 0) {
			fprintf(stderr, "nuse-link: receive: %s\n",
				strerror(-ret));
			return 1;
		}
	}
	/* First to last frame: a run that timed out is not diluted by the wait. */
	t = rs.last - rs.first;
	printf("received %lu bad %lu out-of-order %lu in %.3f s: %.0f pps\n",
	       rs.got, rs.bad, rs.order, t, rs.got > 1 ? rs.got / t : 0.0);
	return rs.got < opt.count || rs.bad || rs.order;
}

static int do_info(void)
{
	const uint8_t *m = info->mac;

	printf("%s mtu %u max_frame %u mac %02x:%02x:%02x:%02x:%02x:%02x features%s%s%s carrier %d\n",
	       info->kind, info->mtu, info->max_frame, m[0], m[1], m[2], m[3],
	       m[4], m[5], info->features & NUSE_BACKEND_F_CSUM ? " csum" : "",
	       info->features & NUSE_BACKEND_F_TSO4 ? " tso4" : "",
	       info->features & NUSE_BACKEND_F_TSO6 ? " tso6" : "",
	       nuse_backend_carrier(be));
	return 0;
}

static int number(const char *name, const char *s, unsigned long min,
		  unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || !*s || *out < min || *out > max) {
		fprintf(stderr, "nuse-link: bad %s '%s' (%lu-%lu)\n", name, s,
			min, max);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pcap", required_argument, NULL, 'p' },
		{ "connect", required_argument, NULL, 'c' },
		{ "linger", no_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nuse_backend_conf conf;
	struct nuse_backend_stats st;
	const char *mode;
	char err[256];
	int c, ret;

	while ((c = getopt_long(argc, argv, "+n:s:b:t:c:lrh", lopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'n':
			if (number("count", optarg, 0, ~0UL >> 1, &opt.count))
				return 2;
			break;
		case 's':
			if (number("size", optarg, TEST_MIN,
				   NUSE_BACKEND_MAX_FRAME, &opt.size))
				return 2;
			break;
		case 'b':
			if (number("batch", optarg, 1, 256, &opt.batch))
				return 2;
			break;
		case 't':
			if (number("timeout", optarg, 1, 3600, &opt.timeout))
				return 2;
			break;
		case 'p':
			opt.pcap = optarg;
			break;
		case 'c':
			opt.peer = optarg;
			break;
		case 'l':
			opt.linger = 1;
			break;
		case 'r':
			opt.raw = 1;
			break;
		default:
			fprintf(stderr,
				"usage: nuse-link [-n N] [-s SIZE] [-b BATCH] [-t SEC] "
				"[--pcap FILE] [-c ADDR:PORT] [--linger] [--raw] info|respond|send|recv|tcp IFACE\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "nuse-link: expected MODE IFACE\n");
		return 2;
	}
	mode = argv[optind];
	if (strcmp(mode, "info") && strcmp(mode, "respond") &&
	    strcmp(mode, "send") && strcmp(mode, "recv") &&
	    strcmp(mode, "tcp")) {
		fprintf(stderr, "nuse-link: unknown mode '%s'\n", mode);
		return 2;
	}
	if (nuse_iface_parse(argv[optind + 1], &ifc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	nuse_iface_conf(&ifc, &conf);
	conf.pcap = opt.pcap;
	ret = nuse_backend_open(&be, ifc.spec, &conf, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "nuse-link: %s\n", err);
		return 1;
	}
	info = nuse_backend_info(be);
	if (info->max_frame < opt.size)
		opt.size = info->max_frame;

	if (!strcmp(mode, "info"))
		ret = do_info();
	else if (!strcmp(mode, "respond"))
		ret = do_respond();
	else if (!strcmp(mode, "tcp"))
		ret = do_tcp();
	else if (!strcmp(mode, "send"))
		ret = do_send();
	else
		ret = do_recv();

	fflush(stdout);
	nuse_backend_stats(be, &st);
	fprintf(stderr, "stats: tx %llu rx %llu tx_drops %llu rx_drops %llu\n",
		(unsigned long long)st.tx_pkts, (unsigned long long)st.rx_pkts,
		(unsigned long long)st.tx_drops,
		(unsigned long long)st.rx_drops);
	nuse_backend_close(be);
	return ret;
}
