// SPDX-License-Identifier: GPL-2.0
/*
 * shm:NAME — two processes back to back through shared memory, no root,
 * no host kernel in the data path.
 *
 * The first process to open NAME creates /dev/shm/nuse-NAME and becomes end
 * A; the second maps it, becomes end B and unlinks the name at once, so
 * once both ends are attached nothing is left in /dev/shm whatever happens
 * to them (A unlinks it itself if it closes alone). A third opener finds no
 * name and starts a new link.
 *
 * Each direction is a single-producer single-consumer ring of fixed slots
 * large enough for a 64 KiB GSO frame; tmpfs only backs the pages that are
 * touched, so small frames cost little memory. Head and tail are free
 * running 32-bit counters. A receiver with nothing to do sleeps on a futex
 * on the head (shared, not FUTEX_PRIVATE: two processes) after announcing
 * itself in `waiting`, so a busy sender never pays for a wakeup syscall.
 *
 * The virtio-net header crosses as it is: both ends are nuse stacks, which
 * handle partial checksums and GSO segments like two VMs on one vhost.
 * Carrier is on while both ends are attached and alive (see end_lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define SHM_MAGIC 0x6e757365u /* "nuse" */
#define SHM_VERSION 1
#define SHM_SLOTS 256
#define SHM_SLOT_SIZE \
	(17u << 12) /* slot header + 64 KiB frame, page multiple */
#define SHM_HDR_SIZE 4096
#define SHM_BATCH 64
#define SHM_ATTACH_WAIT_MS 2000

struct shm_ring {
	_Alignas(64) uint32_t head; /* written by the producer */
	_Alignas(64) uint32_t tail; /* written by the consumer */
	_Alignas(64) uint32_t waiting; /* consumer is (about to be) asleep */
};

struct shm_hdr {
	uint32_t magic, version, nslots, slot_size;
	uint32_t attached; /* end B present */
	uint32_t closed[2]; /* end A / B has gone */
	uint32_t mtu;
	struct shm_ring ring[2]; /* ring[0]: A to B, ring[1]: B to A */
};

struct shm_slot {
	uint32_t len;
	struct virtio_net_hdr vh;
	uint8_t pad[2];
	uint8_t data[];
};

_Static_assert(sizeof(struct shm_hdr) <= SHM_HDR_SIZE, "shm header too large");

struct shm {
	struct shm_hdr *hdr;
	int fd; /* kept for the liveness lock */
	size_t len;
	int end; /* 0: A, 1: B */
	char path[128];
	struct nuse_pkt pkts[SHM_BATCH];
};

static size_t shm_size(void)
{
	return SHM_HDR_SIZE + 2 * (size_t)SHM_SLOTS * SHM_SLOT_SIZE;
}

static struct shm_slot *slot(struct shm *s, int ring, uint32_t idx)
{
	uint8_t *base = (uint8_t *)s->hdr + SHM_HDR_SIZE +
			(size_t)ring * SHM_SLOTS * SHM_SLOT_SIZE;

	return (struct shm_slot *)(base +
				   (size_t)(idx % SHM_SLOTS) * SHM_SLOT_SIZE);
}

static long futex(uint32_t *addr, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

/*
 * Each end holds an open-file-description lock on one byte of the file
 * (0: A, 1: B) for as long as it lives. The kernel drops it when the process
 * dies, however it dies, so the peer can tell a crash from a slow peer
 * without pids, which would mean nothing across pid namespaces.
 */
static int end_lock(int fd, int end, int cmd, struct flock *fl)
{
	*fl = (struct flock){ .l_type = F_WRLCK,
			      .l_whence = SEEK_SET,
			      .l_start = end,
			      .l_len = 1 };
	return fcntl(fd, cmd, fl);
}

static int peer_alive(struct shm *s)
{
	struct flock fl;

	if (end_lock(s->fd, !s->end, F_OFD_GETLK, &fl) < 0)
		return 1;
	return fl.l_type != F_UNLCK;
}

static int shm_create(struct shm *s, const struct nuse_backend_conf *conf)
{
	int fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600),
	    ret;

	struct flock fl;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, shm_size()) < 0 ||
	    end_lock(fd, 0, F_OFD_SETLK, &fl) < 0)
		goto err;
	s->hdr = mmap(NULL, shm_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	if (s->hdr == MAP_FAILED)
		goto err;
	s->fd = fd;
	s->hdr->version = SHM_VERSION;
	s->hdr->nslots = SHM_SLOTS;
	s->hdr->slot_size = SHM_SLOT_SIZE;
	s->hdr->mtu = conf->mtu ? conf->mtu : 1500;
	/* The magic last: B waits for it before reading anything else. */
	__atomic_store_n(&s->hdr->magic, SHM_MAGIC, __ATOMIC_RELEASE);
	s->end = 0;
	return 0;
err:
	ret = -errno;
	close(fd);
	unlink(s->path);
	s->hdr = NULL;
	return ret;
}

static int shm_attach(struct shm *s)
{
	struct flock fl;
	struct stat st;
	int fd, waited = 0, ret;

	fd = open(s->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A is between O_EXCL and writing the magic: give it a moment. */
	for (;;) {
		if (fstat(fd, &st) < 0) {
			ret = -errno;
			goto out;
		}
		if ((size_t)st.st_size == shm_size())
			break;
		if (waited++ > SHM_ATTACH_WAIT_MS) {
			ret = -EPROTO;
			goto out;
		}
		usleep(1000);
	}
	s->hdr = mmap(NULL, shm_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	if (s->hdr == MAP_FAILED) {
		s->hdr = NULL;
		ret = -errno;
		goto out;
	}
	while (__atomic_load_n(&s->hdr->magic, __ATOMIC_ACQUIRE) != SHM_MAGIC) {
		if (waited++ > SHM_ATTACH_WAIT_MS) {
			ret = -EPROTO;
			goto err_unmap;
		}
		usleep(1000);
	}
	if (s->hdr->version != SHM_VERSION || s->hdr->nslots != SHM_SLOTS ||
	    s->hdr->slot_size != SHM_SLOT_SIZE) {
		ret = -EPROTO;
		goto err_unmap;
	}
	uint32_t zero = 0;

	if (!__atomic_compare_exchange_n(&s->hdr->attached, &zero, 1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		ret = -EBUSY;
		goto err_unmap;
	}
	if (end_lock(fd, 1, F_OFD_SETLK, &fl) < 0) {
		ret = -errno;
		goto err_unmap;
	}
	s->end = 1;
	s->fd = fd;
	unlink(s->path);
	return 0;

err_unmap:
	munmap(s->hdr, shm_size());
	s->hdr = NULL;
out:
	close(fd);
	return ret;
}

static int shm_open_(struct nuse_backend *b, const char *arg,
		     const struct nuse_backend_conf *conf, char *err,
		     size_t errlen)
{
	struct shm *s;
	int ret;

	if (!*arg || strlen(arg) > 64 || strchr(arg, '/'))
		return io_err(err, errlen, EINVAL, "shm:%s: bad link name",
			      arg);
	s = calloc(1, sizeof(*s));
	if (!s)
		return io_err(err, errlen, ENOMEM, "shm:%s: out of memory",
			      arg);
	snprintf(s->path, sizeof(s->path), "/dev/shm/nuse-%s", arg);

	/* Create, or join the one that exists; retry once if it vanished
	 * between the two opens (its creator closed alone). */
	for (int tries = 0; tries < 3; tries++) {
		ret = shm_create(s, conf);
		if (ret != -EEXIST)
			break;
		ret = shm_attach(s);
		if (ret != -ENOENT)
			break;
	}
	if (ret == -EBUSY) {
		ret = io_err(err, errlen, EBUSY,
			     "shm:%s: busy (both ends attached)", arg);
		goto err_free;
	}
	if (ret == -EPROTO) {
		ret = io_err(err, errlen, EPROTO,
			     "shm:%s: %s is not a nuse link", arg, s->path);
		goto err_free;
	}
	if (ret < 0) {
		ret = io_err(err, errlen, -ret, "shm:%s: %s: %s", arg, s->path,
			     strerror(-ret));
		goto err_free;
	}
	s->len = shm_size();
	b->info.mtu = s->hdr->mtu;
	b->info.max_frame = NUSE_BACKEND_MAX_FRAME;
	b->info.features = NUSE_BACKEND_F_CSUM | NUSE_BACKEND_F_TSO4 |
			   NUSE_BACKEND_F_TSO6;
	if (conf->has_mac)
		memcpy(b->info.mac, conf->mac, 6);
	else
		io_random_mac(b->info.mac);
	b->priv = s;
	return 0;

err_free:
	free(s);
	return ret;
}

static void shm_close(struct nuse_backend *b)
{
	struct shm *s = b->priv;

	__atomic_store_n(&s->hdr->closed[s->end], 1, __ATOMIC_RELEASE);
	/* Wake a peer asleep on our ring so it sees the carrier go. */
	futex(&s->hdr->ring[s->end].head, FUTEX_WAKE, 1, NULL);
	if (s->end == 0 &&
	    !__atomic_load_n(&s->hdr->attached, __ATOMIC_ACQUIRE))
		unlink(s->path);
	munmap(s->hdr, s->len);
	close(s->fd);
	free(s);
}

static int shm_carrier(struct nuse_backend *b)
{
	struct shm *s = b->priv;

	return __atomic_load_n(&s->hdr->attached, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&s->hdr->closed[!s->end], __ATOMIC_ACQUIRE) &&
	       peer_alive(s);
}

static int shm_tx(struct nuse_backend *b, const struct nuse_pkt *pkts,
		  unsigned int n)
{
	struct shm *s = b->priv;
	struct shm_ring *r = &s->hdr->ring[s->end];
	uint32_t head = r->head,
		 tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	unsigned int i;

	/* Nobody will ever read: drop like a cable with no one at the end. */
	if (__atomic_load_n(&s->hdr->closed[!s->end], __ATOMIC_ACQUIRE)) {
		b->st.tx_drops += n;
		return n;
	}
	for (i = 0; i < n; i++, head++) {
		struct shm_slot *sl;

		if (head - tail >= SHM_SLOTS) {
			tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
			if (head - tail >= SHM_SLOTS)
				break;
		}
		sl = slot(s, s->end, head);
		sl->len = pkts[i].len;
		sl->vh = pkts[i].vh;
		io_pkt_copy(sl->data, &pkts[i]);
	}
	if (!i)
		return 0;
	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	/* Pairs with the consumer's fence between setting `waiting` and
	 * re-reading head: one of us sees the other's store. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->waiting, __ATOMIC_RELAXED))
		futex(&r->head, FUTEX_WAKE, 1, NULL);
	return i;
}

static int shm_wait(struct shm *s, struct shm_ring *r, uint32_t tail,
		    int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000,
			       (timeout_ms % 1000) * 1000000L };
	uint32_t head;

	__atomic_store_n(&r->waiting, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	/* Also when the peer has gone: waiting out the timeout keeps an rx
	 * thread from spinning on a dead link. */
	if (head == tail)
		futex(&r->head, FUTEX_WAIT, head, timeout_ms < 0 ? NULL : &ts);
	__atomic_store_n(&r->waiting, 0, __ATOMIC_RELAXED);
	return 0;
}

static int shm_rx(struct nuse_backend *b, int timeout_ms)
{
	struct shm *s = b->priv;
	struct shm_ring *r = &s->hdr->ring[!s->end];
	uint32_t tail = r->tail,
		 head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	unsigned int total = 0;

	if (head == tail) {
		if (!timeout_ms)
			return 0;
		shm_wait(s, r, tail, timeout_ms);
		head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	}
	while (head != tail) {
		unsigned int k = 0, scanned = 0;

		for (; k < SHM_BATCH && tail + scanned != head; scanned++) {
			struct shm_slot *sl = slot(s, !s->end, tail + scanned);
			uint32_t len = sl->len;

			/* The peer is another process: never trust a length. */
			if (len < 14 || len > NUSE_BACKEND_MAX_FRAME) {
				b->st.rx_drops++;
				continue;
			}
			s->pkts[k].vh = sl->vh;
			s->pkts[k].len = len;
			s->pkts[k].data = sl->data;
			k++;
		}
		if (k)
			io_deliver(b, s->pkts, k);
		tail += scanned;
		total += k;
		/* Slots go back only after the receiver has copied them. */
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	}
	return total;
}

const struct nuse_backend_ops nuse_backend_shm_ops = {
	.kind = "shm",
	.open = shm_open_,
	.close = shm_close,
	.tx = shm_tx,
	.rx = shm_rx,
	.carrier = shm_carrier,
};
