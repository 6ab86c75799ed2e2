/* SPDX-License-Identifier: GPL-2.0 */
/* nuse-node: a stack on backends and one endpoint, for tests and benches. */
#ifndef NUSE_NODE_H
#define NUSE_NODE_H

#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <nuse/stack.h>

#define S(n, ...) nuse_sys(SYS_##n, __VA_ARGS__)
#define A(p) ((long)(p))

struct node_opts {
	int port;			/* listening endpoints */
	struct sockaddr_storage peer;	/* sources and clients */
	socklen_t peerlen;
	uint64_t bytes;			/* --bytes */
	int streams;			/* --streams */
	int conns;			/* --conns: stop after this many */
	int size;			/* --size: datagram payload */
	long count;			/* --count: round trips */
	double duration;		/* --duration, 0: until a signal */
	int hash;			/* SHA-256 of the streams */
};

extern volatile sig_atomic_t node_stop;

double node_now(void);
/* 1 when --duration has passed or a signal came */
int node_done(const struct node_opts *o, double start);
/* a listening or bound stack socket on the wildcard address (IPv6, dual) */
long node_listen(int type, int port);

int node_tcp_echo(const struct node_opts *o);
int node_tcp_sink(const struct node_opts *o);
int node_tcp_source(const struct node_opts *o);
int node_tcp_rr(const struct node_opts *o);
int node_udp_echo(const struct node_opts *o);
int node_udp_sink(const struct node_opts *o);
int node_udp_source(const struct node_opts *o);

/* the byte stream sources send: 0, 1, ..., 255, 0, ... from byte 0 */
void node_pattern(uint8_t *buf, size_t len, uint64_t off);

#endif
