// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-node: boot a stack, attach backends (--iface, repeatable) and run
 * one endpoint on the stack's sockets. For tests, benchmarks and
 * experiments: every flag of the stack is reachable through --sysctl.
 *
 * Exit status: 0 ok, 1 failure, 2 bad usage (one line naming the option).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <nuse/attach.h>

#include "node.h"

/* how long exit waits for TCP to deliver what closed sockets left */
#define DRAIN_MAX_MS 10000

#define MAX_IFACES 8
#define MAX_SYSCTLS 32

volatile sig_atomic_t node_stop;

enum mode { PING_ONLY, TCP_ECHO, TCP_SINK, TCP_SOURCE, TCP_RR, UDP_ECHO,
	    UDP_SINK, UDP_SOURCE };

enum { O_SYSCTL = 256, O_PCAP, O_TCP_ECHO, O_TCP_SINK, O_TCP_SOURCE, O_TCP_RR,
       O_UDP_ECHO, O_UDP_SINK, O_UDP_SOURCE, O_PING_ONLY, O_DURATION, O_BYTES,
       O_STREAMS, O_CONNS, O_SIZE, O_COUNT, O_NO_HASH, O_IMPAIR, O_MEM };

static const struct option longopts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "sysctl", required_argument, NULL, O_SYSCTL },
	{ "pcap", required_argument, NULL, O_PCAP },
	{ "tcp-echo", required_argument, NULL, O_TCP_ECHO },
	{ "tcp-sink", required_argument, NULL, O_TCP_SINK },
	{ "tcp-source", required_argument, NULL, O_TCP_SOURCE },
	{ "tcp-rr", required_argument, NULL, O_TCP_RR },
	{ "udp-echo", required_argument, NULL, O_UDP_ECHO },
	{ "udp-sink", required_argument, NULL, O_UDP_SINK },
	{ "udp-source", required_argument, NULL, O_UDP_SOURCE },
	{ "ping-only", no_argument, NULL, O_PING_ONLY },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "bytes", required_argument, NULL, O_BYTES },
	{ "streams", required_argument, NULL, O_STREAMS },
	{ "conns", required_argument, NULL, O_CONNS },
	{ "size", required_argument, NULL, O_SIZE },
	{ "count", required_argument, NULL, O_COUNT },
	{ "no-hash", no_argument, NULL, O_NO_HASH },
	{ "impair", required_argument, NULL, O_IMPAIR },
	{ "mem", required_argument, NULL, O_MEM },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Fits 80 columns (tests/package/cli.sh); docs/nuse-node.1 says the same. */
static const char usage[] =
	"Usage: nuse-node [OPTIONS] [ENDPOINT]\n"
	"Boot Linux's network stack in this process, attach links to it and run\n"
	"one endpoint on its sockets (tests, benchmarks, experiments).\n"
	"\n"
	"Stack and links:\n"
	"  -i, --iface=BACKEND:SPEC[,ip=A/L][,ip6=A/L][,gw=A][,gw6=A][,mac=M][,mtu=N]\n"
	"                        attach a link (tap:NAME, packet:IFACE,\n"
	"                        dpdk:DEVARGS, shm:NAME) as eth0, eth1, ...\n"
	"                        (repeatable, up to 8)\n"
	"      --sysctl=KEY=VALUE  set a sysctl of the stack before the links are\n"
	"                        attached (repeatable)\n"
	"      --pcap=FILE       capture the links' frames (FILE, FILE.1, ...)\n"
	"      --mem=MIB         the stack's memory in MiB (16-65536; default 512)\n"
	"      --impair=LOSS%,REORDER%  drop and reorder frames on every link,\n"
	"                        both ways (percentages)\n"
	"Endpoint (one of):\n"
	"      --ping-only       answer ARP, ND and ping only (the default)\n"
	"      --tcp-echo=PORT   TCP echo server\n"
	"      --tcp-sink=PORT   TCP server: bytes and SHA-256 per stream, rate\n"
	"      --tcp-source=HOST:PORT  TCP client sending --bytes N per stream\n"
	"      --tcp-rr=HOST:PORT  1-byte TCP round trips; mean time in us\n"
	"      --udp-echo=PORT   UDP echo server\n"
	"      --udp-sink=PORT   UDP server counting datagrams\n"
	"      --udp-source=HOST:PORT  UDP client; datagrams of --size bytes\n"
	"Endpoint settings:\n"
	"      --duration=S      stop after S seconds (default: when done)\n"
	"      --bytes=N         bytes per stream for --tcp-source (K, M, G)\n"
	"      --streams=K       parallel streams for --tcp-source (1-64)\n"
	"      --count=N         round trips for --tcp-rr (default 10000)\n"
	"      --size=N          datagram size for --udp-source (default 64)\n"
	"      --conns=N         servers: stop after N connections\n"
	"      --no-hash         no SHA-256 of the data (benchmarks)\n"
	"  -h, --help            show this help and exit\n"
	"\n"
	"Exit status: 0 done, 1 failure, 2 bad usage.\n";

static int bad(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "nuse-node: %s: %s '%s'\n", opt, why, arg);
	return 2;
}

double node_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int node_done(const struct node_opts *o, double start)
{
	return node_stop || (o->duration > 0 && node_now() - start >= o->duration);
}

long node_listen(int type, int port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int one = 1;
	long fd, r;

	/* one dual-stack socket when IPv6 is there, else IPv4 only */
	fd = S(socket, AF_INET6, type, 0, 0, 0, 0);
	if (fd >= 0) {
		S(setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, A(&one), sizeof(one), 0);
		r = S(bind, fd, A(&sin6), sizeof(sin6), 0, 0, 0);
	} else {
		fd = S(socket, AF_INET, type, 0, 0, 0, 0);
		if (fd < 0) {
			fprintf(stderr, "nuse-node: socket: %s\n", strerror(-fd));
			return fd;
		}
		S(setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, A(&one), sizeof(one), 0);
		r = S(bind, fd, A(&sin), sizeof(sin), 0, 0, 0);
	}
	if (!r && type == SOCK_STREAM)
		r = S(listen, fd, 128, 0, 0, 0, 0);
	if (r < 0) {
		fprintf(stderr, "nuse-node: port %d: %s\n", port, strerror(-r));
		S(close, fd, 0, 0, 0, 0, 0);
		return r;
	}
	return fd;
}

/* splitmix64 of the word index: any slip, loss or reorder changes the hash */
void node_pattern(uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		uint64_t z = (off >> 3) + 0x9e3779b97f4a7c15ULL * ((off >> 3) + 1);
		unsigned int b = off & 7;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (; b < 8 && len; b++, len--, off++)
			*buf++ = z >> (8 * b);
	}
}

static int parse_num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K': *v <<= 10; end++; break;
	case 'M': *v <<= 20; end++; break;
	case 'G': *v <<= 30; end++; break;
	}
	return *end || *v > max ? -1 : 0;
}

static int parse_peer(const char *s, struct node_opts *o)
{
	struct sockaddr_in6 *s6 = (void *)&o->peer;
	struct sockaddr_in *s4 = (void *)&o->peer;
	const char *colon = strrchr(s, ':');
	unsigned long long port;
	char host[64];
	size_t len;

	if (!colon || parse_num(colon + 1, 65535, &port) || !port)
		return -1;
	len = colon - s;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = 0;
	memset(&o->peer, 0, sizeof(o->peer));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		o->peerlen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		o->peerlen = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* The first signal ends the endpoint's loop; a call blocked in the stack
 * does not see it, so a second one, or 3 s later, ends the process. */
static void on_signal(int sig)
{
	if (sig == SIGALRM || node_stop)
		_exit(1);
	node_stop = 1;
	alarm(3);
}

static int run(enum mode mode, const struct node_opts *o)
{
	double start = node_now();

	switch (mode) {
	case TCP_ECHO:
		return node_tcp_echo(o);
	case TCP_SINK:
		return node_tcp_sink(o);
	case TCP_SOURCE:
		return node_tcp_source(o);
	case TCP_RR:
		return node_tcp_rr(o);
	case UDP_ECHO:
		return node_udp_echo(o);
	case UDP_SINK:
		return node_udp_sink(o);
	case UDP_SOURCE:
		return node_udp_source(o);
	case PING_ONLY:
		printf("ping-only: up\n");
		fflush(stdout);
		while (!node_done(o, start))
			usleep(50000);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	static struct nuse_iface ifc[MAX_IFACES];
	struct nuse_attach *att[MAX_IFACES] = { 0 };
	const char *sysctls[MAX_SYSCTLS + 1] = { 0 };
	struct node_opts o = { .streams = 1, .size = 64, .count = 10000,
			       .hash = 1 };
	/*
	 * 512 MiB, as a nuse-exec session boots (src/tracer/session.c): Linux
	 * sizes tcp_mem and the tcp_wmem/tcp_rmem maxima from its memory, and
	 * at the stack's default 64 MiB a stream's send buffer stops at
	 * 0.5 MiB (3 Gbit/s over packet instead of 7). Untouched pages cost
	 * nothing; the page array adds ~7 MiB of RSS and ~10 ms of boot.
	 */
	struct nuse_boot_params bp = { .mem_size = 512UL << 20 };
	unsigned long long v;
	const char *pcap = NULL;
	int nifc = 0, nsys = 0, nmode = 0, c, i, ret, li = -1;
	enum mode mode = PING_ONLY;
	char err[256], *end;
	double loss = 0, reorder = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:h", longopts, &li)) != -1) {
		char opt[32];

		/* the option's name, also when its value came as the next word */
		if (li >= 0 && c != '?' && c != ':')
			snprintf(opt, sizeof(opt), "--%s", longopts[li].name);
		else
			snprintf(opt, sizeof(opt), "%s", argv[optind - 1]);
		li = -1;

		switch (c) {
		case 'i':
			if (nifc == MAX_IFACES)
				return bad("--iface", optarg, "too many interfaces at");
			if (nuse_iface_parse(optarg, &ifc[nifc++], err, sizeof(err))) {
				fprintf(stderr, "nuse-node: %s\n", err);
				return 2;
			}
			break;
		case O_SYSCTL:
			if (!strchr(optarg, '=') || *optarg == '=')
				return bad("--sysctl", optarg, "expected KEY=VALUE, got");
			if (nsys == MAX_SYSCTLS)
				return bad("--sysctl", optarg, "too many sysctls at");
			sysctls[nsys++] = optarg;
			break;
		case O_PCAP:
			pcap = optarg;
			break;
		case O_TCP_ECHO: case O_TCP_SINK: case O_UDP_ECHO: case O_UDP_SINK:
			if (parse_num(optarg, 65535, &v) || !v)
				return bad(opt, optarg, "bad port");
			o.port = v;
			mode = c == O_TCP_ECHO ? TCP_ECHO : c == O_TCP_SINK ? TCP_SINK :
			       c == O_UDP_ECHO ? UDP_ECHO : UDP_SINK;
			nmode++;
			break;
		case O_TCP_SOURCE: case O_TCP_RR: case O_UDP_SOURCE:
			if (parse_peer(optarg, &o))
				return bad(opt, optarg, "expected HOST:PORT, got");
			mode = c == O_TCP_SOURCE ? TCP_SOURCE :
			       c == O_TCP_RR ? TCP_RR : UDP_SOURCE;
			nmode++;
			break;
		case O_PING_ONLY:
			mode = PING_ONLY;
			nmode++;
			break;
		case O_DURATION:
			o.duration = strtod(optarg, &end);
			if (*end || end == optarg || o.duration < 0)
				return bad("--duration", optarg, "bad seconds");
			break;
		case O_MEM:
			if (parse_num(optarg, 1 << 16, &v) || v < 16)
				return bad("--mem", optarg, "bad size in MiB (16-65536)");
			bp.mem_size = v << 20;
			break;
		case O_BYTES:
			if (parse_num(optarg, 1ULL << 50, &v))
				return bad("--bytes", optarg, "bad size");
			o.bytes = v;
			break;
		case O_STREAMS:
			if (parse_num(optarg, 64, &v) || !v)
				return bad("--streams", optarg, "bad count (1-64)");
			o.streams = v;
			break;
		case O_CONNS:
			if (parse_num(optarg, 1 << 30, &v))
				return bad("--conns", optarg, "bad count");
			o.conns = v;
			break;
		case O_SIZE:
			if (parse_num(optarg, 65507, &v))
				return bad("--size", optarg, "bad size (0-65507)");
			o.size = v;
			break;
		case O_COUNT:
			if (parse_num(optarg, 1 << 30, &v) || !v)
				return bad("--count", optarg, "bad count");
			o.count = v;
			break;
		case O_IMPAIR:
			if (sscanf(optarg, "%lf,%lf%n", &loss, &reorder, &c) != 2 ||
			    optarg[c] || loss < 0 || loss > 100 || reorder < 0 ||
			    reorder > 100)
				return bad("--impair", optarg, "expected LOSS%,REORDER%, got");
			break;
		case O_NO_HASH:
			o.hash = 0;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			fprintf(stderr, "nuse-node: %s: needs a value (see nuse-node --help)\n",
				opt);
			return 2;
		default:
			fprintf(stderr, "nuse-node: %s: unknown option (see nuse-node --help)\n",
				opt);
			return 2;
		}
	}
	if (optind < argc)
		return bad("argument", argv[optind], "unexpected");
	if (nmode > 1) {
		fprintf(stderr, "nuse-node: endpoint: give only one of --ping-only, --tcp-*, --udp-*\n");
		return 2;
	}
	if (mode == TCP_SOURCE && !o.bytes) {
		fprintf(stderr, "nuse-node: --tcp-source: needs --bytes N\n");
		return 2;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	bp.sysctls = sysctls;
	/* no process_vm_* system call per copy of our buffers */
	nuse_direct_copies();
	ret = nuse_boot(&bp);
	if (ret < 0) {
		fprintf(stderr, "nuse-node: boot: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < nifc; i++) {
		char name[4096];
		const char *p = pcap;

		/* one capture per interface: FILE, FILE.1, FILE.2, ... */
		if (pcap && i) {
			snprintf(name, sizeof(name), "%s.%d", pcap, i);
			p = name;
		}
		ret = nuse_attach(&att[i], &ifc[i], p, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "nuse-node: %s\n", err);
			ret = 1;
			goto out;
		}
		if (loss > 0 || reorder > 0)
			nuse_attach_impair(att[i], loss * 1e4, reorder * 1e4);
	}
	ret = run(mode, &o);
	fflush(stdout);
	/*
	 * What the closed sockets left (the last data, our FIN) must reach the
	 * peer before the stack goes away with us: on a lossy link (--impair,
	 * netem) a lost FIN was never sent again, and a peer waiting for EOF
	 * waited out its timeout. As the session keeper does, bounded.
	 */
	for (int ms = 0; ms < DRAIN_MAX_MS && nuse_tcp_pending() > 0; ms += 10)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
out:
	/* No nuse_halt(): exiting ends the stack's threads anyway, and a halt
	 * waits for every kernel thread, which is not what a test tool wants
	 * to depend on at exit. Detaching first makes transmit a no-op. */
	for (i = 0; i < nifc; i++)
		nuse_detach(att[i]);
	return ret;
}
