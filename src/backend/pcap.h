/* SPDX-License-Identifier: GPL-2.0 */
/* Classic pcap capture of what a backend sends and receives. */
#ifndef NUSE_BACKEND_PCAP_H
#define NUSE_BACKEND_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct nuse_pcap;

/* Create (truncate) path; NULL with errno set on failure. */
struct nuse_pcap *nuse_pcap_open(const char *path);
/* Append one frame, stamped now. Safe from several threads. */
void nuse_pcap_write(struct nuse_pcap *p, const void *data, uint32_t len);
/* The same for a frame in pieces (len bytes in total). */
void nuse_pcap_writev(struct nuse_pcap *p, const struct iovec *iov,
		      unsigned int niov, uint32_t len);
int nuse_pcap_close(struct nuse_pcap *p);

#endif
