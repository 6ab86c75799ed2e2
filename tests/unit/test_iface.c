// SPDX-License-Identifier: GPL-2.0
/* The --iface option and the backend core's pure parts. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuse/backend.h>

#include "../../src/backend/io.h"

static struct nuse_iface ifc;
static char err[256];

static int parse(const char *arg)
{
	err[0] = '\0';
	return nuse_iface_parse(arg, &ifc, err, sizeof(err));
}

/* An error is one line, starts with the option and quotes what was wrong. */
static void assert_err(const char *arg, const char *needle)
{
	ck_assert_int_eq(parse(arg), -1);
	ck_assert_msg(!strncmp(err, "--iface: ", 9), "'%s' -> '%s'", arg, err);
	ck_assert_msg(!strchr(err, '\n'), "'%s' -> multi-line '%s'", arg, err);
	ck_assert_msg(strstr(err, needle), "'%s' -> '%s' lacks '%s'", arg, err,
		      needle);
}

START_TEST(plain_specs)
{
	ck_assert_int_eq(parse("tap:nt0"), 0);
	ck_assert_str_eq(ifc.spec, "tap:nt0");
	ck_assert(!ifc.has_ip && !ifc.has_ip6 && !ifc.has_mac && !ifc.mtu);
	ck_assert_int_eq(parse("packet:eth1"), 0);
	ck_assert_str_eq(ifc.spec, "packet:eth1");
	ck_assert_int_eq(parse("shm:link0"), 0);
	ck_assert_str_eq(ifc.spec, "shm:link0");
}
END_TEST

START_TEST(all_options)
{
	char buf[INET6_ADDRSTRLEN];

	ck_assert_int_eq(
		parse("tap:nt0,ip=10.1.2.3/24,ip6=fd00::2/64,gw=10.1.2.1,"
		      "gw6=fd00::1,mac=02:00:00:aa:bb:Cc,mtu=9000"),
		0);
	ck_assert_str_eq(ifc.spec, "tap:nt0");
	ck_assert(ifc.has_ip && ifc.has_ip6 && ifc.has_gw && ifc.has_gw6 &&
		  ifc.has_mac);
	ck_assert_str_eq(inet_ntop(AF_INET, &ifc.ip, buf, sizeof(buf)),
			 "10.1.2.3");
	ck_assert_int_eq(ifc.prefix, 24);
	ck_assert_str_eq(inet_ntop(AF_INET6, &ifc.ip6, buf, sizeof(buf)),
			 "fd00::2");
	ck_assert_int_eq(ifc.prefix6, 64);
	ck_assert_str_eq(inet_ntop(AF_INET, &ifc.gw, buf, sizeof(buf)),
			 "10.1.2.1");
	ck_assert_str_eq(inet_ntop(AF_INET6, &ifc.gw6, buf, sizeof(buf)),
			 "fd00::1");
	ck_assert_int_eq(ifc.mac[0], 0x02);
	ck_assert_int_eq(ifc.mac[5], 0xcc);
	ck_assert_int_eq(ifc.mtu, 9000);
	ck_assert_int_eq(parse("tap:a,ip=0.0.0.0/0,ip6=::/128"), 0);
	ck_assert_int_eq(ifc.prefix6, 128);
}
END_TEST

START_TEST(dpdk_devargs_stay_in_spec)
{
	ck_assert_int_eq(
		parse("dpdk:net_memif0,role=server,ip=10.0.0.1/8,socket=/tmp/m.sock"),
		0);
	ck_assert_str_eq(ifc.spec,
			 "dpdk:net_memif0,role=server,socket=/tmp/m.sock");
	ck_assert(ifc.has_ip);
	ck_assert_int_eq(parse("dpdk:net_af_packet0,iface=veth0,mtu=1400"), 0);
	ck_assert_str_eq(ifc.spec, "dpdk:net_af_packet0,iface=veth0");
	ck_assert_int_eq(ifc.mtu, 1400);
}
END_TEST

START_TEST(errors_name_the_option)
{
	assert_err("tap:nt0,mac=zz:00:00:00:00:01",
		   "bad MAC 'zz:00:00:00:00:01'");
	assert_err("tap:nt0,mac=02:00:00:00:00", "bad MAC");
	assert_err("tap:nt0,mac=01:00:5e:00:00:01", "bad MAC"); /* multicast */
	assert_err("tap:nt0,mac=02:00:00:00:00:+1", "bad MAC");
	assert_err("tap:nt0,ip=10.0.0.300/24", "bad ip address '10.0.0.300'");
	assert_err("tap:nt0,ip=10.0.0.1/33", "bad ip prefix length '33'");
	assert_err("tap:nt0,ip=10.0.0.1/", "bad ip prefix length");
	assert_err("tap:nt0,ip=10.0.0.1", "needs a prefix length");
	assert_err("tap:nt0,ip6=fd00::1/129", "bad ip6 prefix length '129'");
	assert_err("tap:nt0,ip6=fd00:::1/64", "bad ip6 address");
	assert_err("tap:nt0,ip=10.0.0.1/8,gw=10.0.0",
		   "bad gw address '10.0.0'");
	assert_err("tap:nt0,gw6=10.0.0.1", "bad gw6 address");
	assert_err("tap:nt0,mtu=67", "bad MTU '67'");
	assert_err("tap:nt0,mtu=70000", "bad MTU");
	assert_err("tap:nt0,mtu=1500x", "bad MTU");
	assert_err("tap:nt0,mtu=-1", "bad MTU");
	assert_err("tap:nt0,mtu=1500,mtu=1400", "mtu given twice");
	assert_err("tap:nt0,ip=1.2.3.4/8,ip=1.2.3.5/8", "ip given twice");
	assert_err("tap:nt0,gw=10.0.0.1", "gw needs ip");
	assert_err("tap:nt0,color=blue", "unknown option 'color=blue'");
	assert_err("tap:nt0,junk", "unknown option 'junk'");
	assert_err("vde:sw0", "unknown backend 'vde'");
	assert_err("nt0", "not BACKEND:SPEC");
	assert_err("tap:", "tap needs an argument");
	assert_err("tap:,ip=1.2.3.4/8", "tap needs an argument");
}
END_TEST

START_TEST(spec_too_long)
{
	char big[600] = "dpdk:net_null0";

	while (strlen(big) < 500)
		strcat(big, ",x=yyyyyyyyyy");
	assert_err(big, "too long");
}
END_TEST

START_TEST(open_errors_are_one_line)
{
	struct nuse_backend *b = NULL;

	ck_assert_int_lt(
		nuse_backend_open(&b, "nope:x", NULL, err, sizeof(err)), 0);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_nonnull(strstr(err, "unknown backend"));
	ck_assert_int_lt(nuse_backend_open(&b, "packet:nonexistent0", NULL, err,
					   sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(strstr(err, "no such interface"));
	ck_assert_int_lt(
		nuse_backend_open(&b, "shm:a/b", NULL, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "bad link name"));
	ck_assert_ptr_null(b);
}
END_TEST

struct seen {
	unsigned int n;
	struct nuse_pkt last;
	uint8_t first_byte;
	uint8_t copy[256];
};

static void record(void *ctx, struct nuse_pkt *pkts, unsigned int n)
{
	struct seen *s = ctx;

	__atomic_add_fetch(&s->n, n, __ATOMIC_RELEASE);
	s->last = pkts[n - 1];
	s->first_byte = *(uint8_t *)pkts[n - 1].data;
}

static void record_copy(void *ctx, struct nuse_pkt *pkts, unsigned int n)
{
	struct seen *s = ctx;

	record(ctx, pkts, n);
	memcpy(s->copy, pkts[n - 1].data,
	       pkts[n - 1].len < sizeof(s->copy) ? pkts[n - 1].len :
						   sizeof(s->copy));
}

START_TEST(shm_loopback_keeps_offload_metadata)
{
	struct nuse_backend *a, *b;
	char name[64], path[128];
	static uint8_t frame[20000];
	struct nuse_pkt p = { .data = frame, .len = sizeof(frame) };
	struct nuse_backend_stats st;
	struct seen seen = { 0 };

	snprintf(name, sizeof(name), "shm:unit-%d", (int)getpid());
	snprintf(path, sizeof(path), "/dev/shm/nuse-unit-%d", (int)getpid());
	ck_assert_int_eq(nuse_backend_open(&a, name, NULL, err, sizeof(err)),
			 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(nuse_backend_carrier(a), 0);
	ck_assert_int_eq(nuse_backend_open(&b, name, NULL, err, sizeof(err)),
			 0);
	/* Both ends attached: the name is gone. */
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(nuse_backend_carrier(a), 1);

	memset(frame, 0xab, sizeof(frame));
	p.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p.vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	p.vh.gso_size = 1448;
	p.vh.hdr_len = 66;
	p.vh.csum_start = 34;
	p.vh.csum_offset = 16;
	ck_assert_int_eq(nuse_backend_tx_batch(a, &p, 1), 1);
	ck_assert_int_eq(nuse_backend_rx_poll(b, 1000, record, &seen), 1);
	ck_assert_int_eq(seen.last.len, sizeof(frame));
	ck_assert_int_eq(seen.last.vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(seen.last.vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_int_eq(seen.last.vh.gso_size, 1448);
	ck_assert_int_eq(seen.last.vh.hdr_len, 66);
	ck_assert_int_eq(seen.last.vh.csum_start, 34);
	ck_assert_int_eq(seen.last.vh.csum_offset, 16);
	ck_assert_int_eq(seen.first_byte, 0xab);
	nuse_backend_stats(b, &st);
	ck_assert_int_eq(st.rx_pkts, 1);
	ck_assert_int_eq(st.rx_bytes, sizeof(frame));
	nuse_backend_close(a);
	ck_assert_int_eq(nuse_backend_carrier(b), 0);
	nuse_backend_close(b);
}
END_TEST

/* The receive thread delivers; a frame too large for the link is dropped
 * and counted, never sent. */
START_TEST(shm_rx_thread)
{
	struct nuse_backend *a, *b;
	struct nuse_backend_conf conf = { .mtu = 1500 };
	static uint8_t frame[NUSE_BACKEND_MAX_FRAME + 1];
	struct nuse_pkt p[3] = {
		{ .data = frame, .len = 100 },
		{ .data = frame, .len = sizeof(frame) }, /* too large */
		{ .data = frame, .len = 60 },
	};
	struct nuse_backend_stats st;
	struct seen seen = { 0 };
	char name[64];

	snprintf(name, sizeof(name), "shm:unit-thread-%d", (int)getpid());
	ck_assert_int_eq(nuse_backend_open(&a, name, &conf, err, sizeof(err)),
			 0);
	ck_assert_int_eq(nuse_backend_open(&b, name, &conf, err, sizeof(err)),
			 0);
	ck_assert_int_eq(nuse_backend_info(b)->mtu, 1500);
	ck_assert_int_eq(nuse_backend_rx_start(b, record, &seen), 0);
	ck_assert_int_eq(nuse_backend_rx_start(b, record, &seen), -EBUSY);
	ck_assert_int_eq(nuse_backend_tx_batch(a, p, 3), 3);
	for (int i = 0;
	     i < 2000 && __atomic_load_n(&seen.n, __ATOMIC_ACQUIRE) < 2; i++)
		usleep(1000);
	nuse_backend_rx_stop(b);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_int_eq(seen.last.len, 60);
	nuse_backend_stats(a, &st);
	ck_assert_int_eq(st.tx_pkts, 2);
	ck_assert_int_eq(st.tx_drops, 1);
	nuse_backend_close(b);
	nuse_backend_close(a);
}
END_TEST

/* A peer that dies without closing drops the carrier. */
START_TEST(shm_peer_crash)
{
	struct nuse_backend *a, *b;
	int pipefd[2], status;
	char name[64], c;
	pid_t pid;

	snprintf(name, sizeof(name), "shm:unit-crash-%d", (int)getpid());
	ck_assert_int_eq(nuse_backend_open(&a, name, NULL, err, sizeof(err)),
			 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		if (nuse_backend_open(&b, name, NULL, err, sizeof(err)))
			_exit(1);
		c = 'x';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	ck_assert_int_eq(nuse_backend_carrier(a), 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert_int_eq(nuse_backend_carrier(a), 0);
	nuse_backend_close(a);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

/* Ones' complement sum, folded, of big-endian 16-bit words. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (; len > 1; p += 2, len -= 2)
		s += p[0] << 8 | p[1];
	if (len)
		s += p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* A partial checksum (NEEDS_CSUM) completed in software equals the full
 * UDP checksum computed the slow way. */
START_TEST(csum_fixup)
{
	uint8_t f[14 + 20 + 8 + 37] = { 0 }, g[sizeof(f)];
	uint8_t *ip = f + 14, *udp = ip + 20;
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = 34,
				     .csum_offset = 6 };
	uint16_t ulen = 8 + 37, full, pseudo;

	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x00, udp[3] = 0x35;
	udp[4] = ulen >> 8, udp[5] = ulen & 0xff;
	for (int i = 0; i < 37; i++)
		udp[8 + i] = i * 31 + 1;
	pseudo = sum16(ip + 12, 8, 17 + ulen);
	memcpy(g, f, sizeof(f));
	full = ~sum16(udp, ulen, pseudo);
	/* As a stack hands it over: the pseudo-header sum in place. */
	udp[6] = pseudo >> 8, udp[7] = pseudo & 0xff;
	ck_assert_int_eq(io_csum_fixup(f, sizeof(f), &vh), 0);
	ck_assert_int_eq(udp[6] << 8 | udp[7], full);
	/* Out of the frame: refused, nothing written. */
	vh.csum_start = sizeof(f) - 1;
	ck_assert_int_eq(io_csum_fixup(g, sizeof(g), &vh), -1);
}
END_TEST

/* A UDP/IPv4 frame as a stack hands it over for checksum offload: the
 * pseudo-header sum in the checksum field. Returns the full checksum. */
static uint16_t udp_frame(uint8_t *f, size_t len, uint8_t seed)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t ulen = len - 34, pseudo;

	memset(f, 0, len);
	f[12] = 8;
	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x00, udp[3] = 0x35;
	udp[4] = ulen >> 8, udp[5] = ulen & 0xff;
	for (int i = 8; i < ulen; i++)
		udp[i] = i * 31 + seed;
	pseudo = sum16(ip + 12, 8, 17 + ulen);
	udp[6] = pseudo >> 8, udp[7] = pseudo & 0xff;
	return ~sum16(udp + 8, ulen - 8, sum16(udp, 6, pseudo));
}

/* A backend that keeps what it is given, to watch the core at work. */
static uint8_t fake_buf[8][2048];
static struct nuse_pkt fake_got[8];
static unsigned int fake_n, fake_calls;

static int fake_tx(struct nuse_backend *b, const struct nuse_pkt *p,
		   unsigned int n)
{
	fake_calls++;
	for (unsigned int i = 0; i < n && fake_n < 8; i++, fake_n++) {
		io_pkt_copy(fake_buf[fake_n], &p[i]);
		fake_got[fake_n] = p[i];
	}
	return n;
}

static const struct nuse_backend_ops fake_ops = { .kind = "fake",
						  .tx = fake_tx };

/*
 * Frames in pieces: gathered whole; on a backend without checksum offload
 * each one needing a checksum is completed through the bounce buffer (one
 * per call to the backend); GSO without TSO and short gather lists are
 * dropped and counted.
 */
START_TEST(gather_tx)
{
	struct nuse_backend b = { .ops = &fake_ops,
				  .info = { .mtu = 1500, .max_frame = 1518 } };
	uint8_t f1[100], f2[333], f3[60];
	uint16_t c1 = udp_frame(f1, sizeof(f1), 1);
	uint16_t c2 = udp_frame(f2, sizeof(f2), 2);
	struct iovec v1[3] = { { f1, 14 }, { f1 + 14, 50 }, { f1 + 64, 36 } };
	struct iovec v2[2] = { { f2, 40 }, { f2 + 40, 400 } }; /* longer */
	struct iovec v3[1] = { { f3, 30 } }; /* too short */
	struct virtio_net_hdr csum = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       .csum_start = 34,
				       .csum_offset = 6 };
	struct nuse_pkt p[5] = {
		{ .vh = csum, .len = sizeof(f1), .iov = v1, .niov = 3 },
		{ .vh = csum, .len = sizeof(f2), .iov = v2, .niov = 2 },
		{ .len = sizeof(f3), .iov = v3, .niov = 1 },
		{ .vh = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 },
		  .len = 60,
		  .data = f3 },
		{ .len = sizeof(f3), .data = f3 },
	};

	memset(f3, 0x5a, sizeof(f3));
	fake_n = fake_calls = 0;
	ck_assert_int_eq(nuse_backend_tx_batch(&b, p, 5), 5);
	ck_assert_int_eq(fake_n, 3);
	ck_assert_int_eq(fake_calls, 2); /* one bounce buffer per call */
	ck_assert_int_eq(fake_buf[0][40] << 8 | fake_buf[0][41], c1);
	ck_assert_int_eq(fake_buf[1][40] << 8 | fake_buf[1][41], c2);
	ck_assert_int_eq(fake_got[0].vh.flags, 0);
	ck_assert_int_eq(memcmp(fake_buf[0] + 42, f1 + 42, sizeof(f1) - 42), 0);
	ck_assert_int_eq(memcmp(fake_buf[2], f3, sizeof(f3)), 0);
	ck_assert_int_eq(b.st.tx_pkts, 3);
	ck_assert_int_eq(b.st.tx_drops, 2);
	free(b.bounce);
}
END_TEST

/* Gather on a real backend with checksum offload: the pieces cross as one
 * frame, metadata untouched. */
START_TEST(gather_shm)
{
	struct nuse_backend *a, *b;
	struct seen seen = { 0 };
	uint8_t f[200];
	struct iovec v[4] = {
		{ f, 1 }, { f + 1, 13 }, { f + 14, 100 }, { f + 114, 86 }
	};
	struct nuse_pkt p = { .vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .csum_start = 34,
				      .csum_offset = 6 },
			      .len = sizeof(f),
			      .iov = v,
			      .niov = 4 };
	char name[64];

	for (unsigned int i = 0; i < sizeof(f); i++)
		f[i] = i;
	snprintf(name, sizeof(name), "shm:unit-gather-%d", (int)getpid());
	ck_assert_int_eq(nuse_backend_open(&a, name, NULL, err, sizeof(err)),
			 0);
	ck_assert_int_eq(nuse_backend_open(&b, name, NULL, err, sizeof(err)),
			 0);
	ck_assert_int_eq(nuse_backend_tx_batch(a, &p, 1), 1);
	ck_assert_int_eq(nuse_backend_rx_poll(b, 1000, record_copy, &seen), 1);
	ck_assert_int_eq(seen.last.len, sizeof(f));
	ck_assert_int_eq(seen.last.vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(memcmp(seen.copy, f, sizeof(f)), 0);
	nuse_backend_close(b);
	nuse_backend_close(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("iface");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, plain_specs);
	tcase_add_test(tc, all_options);
	tcase_add_test(tc, dpdk_devargs_stay_in_spec);
	tcase_add_test(tc, errors_name_the_option);
	tcase_add_test(tc, spec_too_long);
	tcase_add_test(tc, open_errors_are_one_line);
	tcase_add_test(tc, shm_loopback_keeps_offload_metadata);
	tcase_add_test(tc, shm_rx_thread);
	tcase_add_test(tc, shm_peer_crash);
	tcase_add_test(tc, csum_fixup);
	tcase_add_test(tc, gather_tx);
	tcase_add_test(tc, gather_shm);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
