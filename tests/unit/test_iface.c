// SPDX-License-Identifier: GPL-2.0
/* The --iface option and the backend core's pure parts. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nuse/backend.h>

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
	ck_assert_msg(strstr(err, needle), "'%s' -> '%s' lacks '%s'", arg, err, needle);
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

	ck_assert_int_eq(parse("tap:nt0,ip=10.1.2.3/24,ip6=fd00::2/64,gw=10.1.2.1,"
			       "gw6=fd00::1,mac=02:00:00:aa:bb:Cc,mtu=9000"), 0);
	ck_assert_str_eq(ifc.spec, "tap:nt0");
	ck_assert(ifc.has_ip && ifc.has_ip6 && ifc.has_gw && ifc.has_gw6 && ifc.has_mac);
	ck_assert_str_eq(inet_ntop(AF_INET, &ifc.ip, buf, sizeof(buf)), "10.1.2.3");
	ck_assert_int_eq(ifc.prefix, 24);
	ck_assert_str_eq(inet_ntop(AF_INET6, &ifc.ip6, buf, sizeof(buf)), "fd00::2");
	ck_assert_int_eq(ifc.prefix6, 64);
	ck_assert_str_eq(inet_ntop(AF_INET, &ifc.gw, buf, sizeof(buf)), "10.1.2.1");
	ck_assert_str_eq(inet_ntop(AF_INET6, &ifc.gw6, buf, sizeof(buf)), "fd00::1");
	ck_assert_int_eq(ifc.mac[0], 0x02);
	ck_assert_int_eq(ifc.mac[5], 0xcc);
	ck_assert_int_eq(ifc.mtu, 9000);
	ck_assert_int_eq(parse("tap:a,ip=0.0.0.0/0,ip6=::/128"), 0);
	ck_assert_int_eq(ifc.prefix6, 128);
}
END_TEST

START_TEST(dpdk_devargs_stay_in_spec)
{
	ck_assert_int_eq(parse("dpdk:net_memif0,role=server,ip=10.0.0.1/8,socket=/tmp/m.sock"),
			 0);
	ck_assert_str_eq(ifc.spec, "dpdk:net_memif0,role=server,socket=/tmp/m.sock");
	ck_assert(ifc.has_ip);
	ck_assert_int_eq(parse("dpdk:net_af_packet0,iface=veth0,mtu=1400"), 0);
	ck_assert_str_eq(ifc.spec, "dpdk:net_af_packet0,iface=veth0");
	ck_assert_int_eq(ifc.mtu, 1400);
}
END_TEST

START_TEST(errors_name_the_option)
{
	assert_err("tap:nt0,mac=zz:00:00:00:00:01", "bad MAC 'zz:00:00:00:00:01'");
	assert_err("tap:nt0,mac=02:00:00:00:00", "bad MAC");
	assert_err("tap:nt0,mac=01:00:5e:00:00:01", "bad MAC");	/* multicast */
	assert_err("tap:nt0,mac=02:00:00:00:00:+1", "bad MAC");
	assert_err("tap:nt0,ip=10.0.0.300/24", "bad ip address '10.0.0.300'");
	assert_err("tap:nt0,ip=10.0.0.1/33", "bad ip prefix length '33'");
	assert_err("tap:nt0,ip=10.0.0.1/", "bad ip prefix length");
	assert_err("tap:nt0,ip=10.0.0.1", "needs a prefix length");
	assert_err("tap:nt0,ip6=fd00::1/129", "bad ip6 prefix length '129'");
	assert_err("tap:nt0,ip6=fd00:::1/64", "bad ip6 address");
	assert_err("tap:nt0,ip=10.0.0.1/8,gw=10.0.0", "bad gw address '10.0.0'");
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

	ck_assert_int_lt(nuse_backend_open(&b, "nope:x", NULL, err, sizeof(err)), 0);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_nonnull(strstr(err, "unknown backend"));
	ck_assert_int_lt(nuse_backend_open(&b, "packet:nonexistent0", NULL, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "no such interface"));
	ck_assert_int_lt(nuse_backend_open(&b, "shm:a/b", NULL, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "bad link name"));
	ck_assert_ptr_null(b);
}
END_TEST

START_TEST(shm_loopback_keeps_offload_metadata)
{
	struct nuse_backend *a, *b;
	char name[64], path[128];
	static uint8_t frame[20000];
	struct nuse_pkt p = { .data = frame, .len = sizeof(frame) };
	struct nuse_backend_stats st;

	snprintf(name, sizeof(name), "shm:unit-%d", (int)getpid());
	snprintf(path, sizeof(path), "/dev/shm/nuse-unit-%d", (int)getpid());
	ck_assert_int_eq(nuse_backend_open(&a, name, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(nuse_backend_carrier(a), 0);
	ck_assert_int_eq(nuse_backend_open(&b, name, NULL, err, sizeof(err)), 0);
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
	ck_assert_int_eq(nuse_backend_rx_poll(b, 1000, NULL, NULL), 1);
	nuse_backend_stats(b, &st);
	ck_assert_int_eq(st.rx_pkts, 1);
	ck_assert_int_eq(st.rx_bytes, sizeof(frame));
	nuse_backend_close(a);
	ck_assert_int_eq(nuse_backend_carrier(b), 0);
	nuse_backend_close(b);
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
