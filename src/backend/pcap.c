// SPDX-License-Identifier: GPL-2.0
/*
 * Classic pcap (not pcapng) with the nanosecond magic: every tool reads it
 * (tcpdump -r, wireshark, scapy) and a 24-byte header plus 16 bytes per
 * frame is all there is. GSO segments larger than the MTU are written as
 * they cross the backend, with their real length: the capture shows what
 * the stack handed over, not what a wire would carry.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pcap.h"

#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_SNAPLEN 262144u
#define LINKTYPE_ETHERNET 1u

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_nsec, caplen, len;
};

struct nuse_pcap {
	FILE *f;
	pthread_mutex_t lock; /* tx and rx threads both write */
};

struct nuse_pcap *nuse_pcap_open(const char *path)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_NSEC,
		.version_major = 2,
		.version_minor = 4,
		.snaplen = PCAP_SNAPLEN,
		.linktype = LINKTYPE_ETHERNET,
	};
	struct nuse_pcap *p;
	int e;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->f = fopen(path, "we");
	if (!p->f)
		goto err_free;
	if (fwrite(&h, sizeof(h), 1, p->f) != 1)
		goto err_close;
	pthread_mutex_init(&p->lock, NULL);
	return p;

err_close:
	e = errno;
	fclose(p->f);
	remove(path);
	errno = e;
err_free:
	e = errno;
	free(p);
	errno = e;
	return NULL;
}

void nuse_pcap_writev(struct nuse_pcap *p, const struct iovec *iov,
		      unsigned int niov, uint32_t len)
{
	struct pcap_rec_hdr r;
	struct timespec ts;
	uint32_t left;

	clock_gettime(CLOCK_REALTIME, &ts);
	r.ts_sec = (uint32_t)ts.tv_sec;
	r.ts_nsec = (uint32_t)ts.tv_nsec;
	r.len = len;
	r.caplen = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
	left = r.caplen;
	pthread_mutex_lock(&p->lock);
	/* A short write leaves a truncated record tcpdump reports at the end;
	 * capture must never stop the link, so it is not an error here. */
	if (fwrite(&r, sizeof(r), 1, p->f) == 1) {
		for (unsigned int i = 0; i < niov && left; i++) {
			size_t n = iov[i].iov_len < left ? iov[i].iov_len :
							   left;

			fwrite(iov[i].iov_base, 1, n, p->f);
			left -= n;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

void nuse_pcap_write(struct nuse_pcap *p, const void *data, uint32_t len)
{
	struct iovec iov = { (void *)data, len };

	nuse_pcap_writev(p, &iov, 1, len);
}

int nuse_pcap_close(struct nuse_pcap *p)
{
	int ret;

	if (!p)
		return 0;
	ret = fclose(p->f) ? -errno : 0;
	pthread_mutex_destroy(&p->lock);
	free(p);
	return ret;
}
