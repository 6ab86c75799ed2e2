// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk:DEVARGS — a DPDK 22.11 port, probed from its devargs at open:
 *   dpdk:net_af_packet0,iface=veth0
 *   dpdk:net_tap0,iface=dtap0
 *   dpdk:net_memif0,role=server,socket=/run/m.sock   (and role=client)
 *   dpdk:0000:00:04.0                                 (a bound NIC)
 *
 * The EAL is started once per process, at the first open, with arguments
 * that need no hugepages and leave no shared state behind:
 *   --no-huge -m 256 --no-shconf --no-telemetry --no-pci -l CPU --file-prefix=nuse-PID
 * NUSE_DPDK_EAL_ARGS (space separated) replaces all but --file-prefix; a
 * PCI NIC needs it (without --no-pci, with hugepages as its driver wants).
 * The EAL pins the calling thread to its lcore; we put back the affinity
 * the thread had, since that thread belongs to our caller. SIGPIPE is set
 * to ignored if it was at its default (see eal_start).
 *
 * The EAL then stays up until the process exits, with its 256 MiB: DPDK
 * 22.11's rte_eal_cleanup() unmaps memory while its interrupt thread still
 * walks interrupt handles (seen here: SIGSEGV in rte_intr_fd_get after a
 * memif peer hung up), so it is never called. Ports are closed and removed
 * at close, and a later open reuses the running EAL.
 *
 * One rx and one tx queue, no offloads negotiated: features are 0, so
 * partial checksums are completed by the core and the stack must segment.
 * Receive polls: a burst, and when it is empty a short sleep, so an idle
 * port does not burn a core on a shared machine.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "io.h"

#define DPDK_BURST 32
#define DPDK_NB_MBUF 4095
#define DPDK_DESC 512
#define DPDK_MAX_ARGS 32
#define DPDK_IDLE_NS 50000

struct dpdk {
	uint16_t port;
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_mempool *pool;
	struct rte_mbuf *rx_mbufs[DPDK_BURST];
	struct nuse_pkt pkts[DPDK_BURST];
	uint8_t *bounce; /* rx of chained mbufs */
};

static pthread_mutex_t eal_lock = PTHREAD_MUTEX_INITIALIZER;
static int eal_state; /* 0 never, 1 up, -1 failed or cleaned up */
static char eal_prefix[64];

/*
 * DPDK logs many lines to stderr, most of them noise here (no hugepages, no
 * multi-process). Keep the first error line since the last look, which
 * names the cause of a failure, for our own one-line message; NUSE_DPDK_LOG=1 passes
 * everything through to stderr.
 */
static char eal_last_log[160];

static ssize_t log_write(void *cookie, const char *buf, size_t len)
{
	size_t n = len;

	if (cookie)
		fwrite(buf, 1, len, stderr);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	/* Errors only: warnings (memif's about multi-process) explain nothing. */
	if (n && !eal_last_log[0] &&
	    rte_log_cur_msg_loglevel() <= (int)RTE_LOG_ERR) {
		if (n >= sizeof(eal_last_log))
			n = sizeof(eal_last_log) - 1;
		memcpy(eal_last_log, buf, n);
		eal_last_log[n] = '\0';
		for (char *c = eal_last_log; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
	return len;
}

static void eal_log_setup(void)
{
	cookie_io_functions_t io = { .write = log_write };
	const char *env = getenv("NUSE_DPDK_LOG");
	FILE *f = fopencookie(env && *env == '1' ? (void *)1 : NULL, "w", io);

	if (f) {
		setvbuf(f, NULL, _IOLBF, 0);
		rte_openlog_stream(f);
	}
}

/* " (last DPDK log line)" for an error message, or "". */
static const char *eal_why(void)
{
	static char why[sizeof(eal_last_log) + 4];

	if (!eal_last_log[0])
		return "";
	snprintf(why, sizeof(why), " (%s)", eal_last_log);
	eal_last_log[0] = '\0';
	return why;
}

/*
 * The EAL makes a runtime directory even with --no-shconf, and leaves it
 * empty: nothing (no config, no mp socket, no telemetry) is put in it, so it
 * goes right after init and is never left behind, crash or not.
 */
static void eal_remove_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char base[128], dir[200], file[240];

	/* Where eal_get_runtime_dir() puts it (root: /var/run). */
	snprintf(base, sizeof(base), "%s/dpdk",
		 getuid() ? (xdg ? xdg : "/tmp") : "/var/run");
	snprintf(dir, sizeof(dir), "%s/%s", base, eal_prefix);
	/* Only what the EAL may put in its own per-process directory. */
	snprintf(file, sizeof(file), "%s/config", dir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/mp_socket", dir);
	unlink(file);
	rmdir(dir);
	/* Not the shared parent: another process's EAL may be creating its
	 * own directory in it right now. */
}

static int eal_start(char *err, size_t errlen)
{
	char *argv[DPDK_MAX_ARGS + 1], *args = NULL, *tok, *save;
	char lcore[16], prefix[80];
	const char *env = getenv("NUSE_DPDK_EAL_ARGS");
	int argc = 0, ret, has_prefix = 0, prefix_next = 0;
	cpu_set_t cpus;

	if (eal_state > 0)
		return 0;
	if (eal_state < 0)
		return io_err(err, errlen, ENOTSUP,
			      "dpdk: EAL failed to start in this process");

	snprintf(lcore, sizeof(lcore), "%d",
		 sched_getcpu() < 0 ? 0 : sched_getcpu());
	snprintf(eal_prefix, sizeof(eal_prefix), "nuse-%d", (int)getpid());
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", eal_prefix);
	argv[argc++] = "nuse";
	if (env) {
		args = strdup(env);
		if (!args)
			return io_err(err, errlen, ENOMEM,
				      "dpdk: out of memory");
		for (tok = strtok_r(args, " \t", &save);
		     tok && argc < DPDK_MAX_ARGS - 1;
		     tok = strtok_r(NULL, " \t", &save)) {
			/* The caller's prefix names the runtime directory
			 * that eal_remove_dir() must find. */
			const char *fp = NULL;

			if (!strncmp(tok, "--file-prefix=", 14))
				fp = tok + 14;
			else if (prefix_next)
				fp = tok;
			prefix_next = !strcmp(tok, "--file-prefix");
			if (fp) {
				snprintf(eal_prefix, sizeof(eal_prefix), "%s",
					 fp);
				has_prefix = 1;
			}
			argv[argc++] = tok;
		}
	} else {
		static char *defaults[] = { "--no-huge",
					    "-m",
					    "256",
					    "--no-shconf",
					    "--no-telemetry",
					    "--no-pci",
					    "--log-level=lib.eal:error",
					    "-l" };

		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]);
		     i++)
			argv[argc++] = defaults[i];
		argv[argc++] = lcore;
	}
	if (!has_prefix)
		argv[argc++] = prefix;
	/*
	 * memif talks over a Unix socket without MSG_NOSIGNAL: a peer that
	 * hangs up while we say goodbye would kill the whole process with
	 * SIGPIPE. Ignore it unless the program chose a handler of its own.
	 */
	struct sigaction sa;

	if (!sigaction(SIGPIPE, NULL, &sa) && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	argv[argc] = NULL;

	eal_log_setup();
	sched_getaffinity(0, sizeof(cpus), &cpus);
	ret = rte_eal_init(argc, argv);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	free(args);
	if (ret < 0) {
		/* A failed init may already have made its directory. */
		eal_state = -1;
		eal_remove_dir();
		return io_err(err, errlen, rte_errno ? rte_errno : EINVAL,
			      "dpdk: EAL init failed: %s%s",
			      rte_strerror(rte_errno), eal_why());
	}
	eal_state = 1;
	eal_remove_dir();
	return 0;
}

static int port_setup(struct dpdk *d, const struct nuse_backend_conf *conf,
		      struct nuse_backend_info *info, char *err, size_t errlen)
{
	struct rte_eth_conf pconf = { 0 };
	struct rte_eth_dev_info dinfo;
	uint16_t nb_rx = DPDK_DESC, nb_tx = DPDK_DESC, mtu;
	struct rte_ether_addr ea;
	char pool[32];
	int ret, soft_mac = 0;

	eal_last_log[0] = '\0';
	ret = rte_eth_dev_info_get(d->port, &dinfo);
	if (ret)
		return io_err(err, errlen, -ret, "dpdk:%s: device info: %s",
			      d->name, rte_strerror(-ret));
	snprintf(pool, sizeof(pool), "nuse-%u", d->port);
	d->pool = rte_pktmbuf_pool_create(pool, DPDK_NB_MBUF, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (!d->pool)
		return io_err(err, errlen, rte_errno, "dpdk:%s: mbuf pool: %s",
			      d->name, rte_strerror(rte_errno));
	ret = rte_eth_dev_configure(d->port, 1, 1, &pconf);
	if (!ret)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(d->port, &nb_rx, &nb_tx);
	if (!ret && conf->mtu)
		ret = rte_eth_dev_set_mtu(d->port, conf->mtu);
	if (!ret)
		ret = rte_eth_rx_queue_setup(d->port, 0, nb_rx,
					     rte_eth_dev_socket_id(d->port),
					     NULL, d->pool);
	if (!ret)
		ret = rte_eth_tx_queue_setup(d->port, 0, nb_tx,
					     rte_eth_dev_socket_id(d->port),
					     NULL);
	if (!ret && conf->has_mac) {
		memcpy(ea.addr_bytes, conf->mac, 6);
		ret = rte_eth_dev_default_mac_addr_set(d->port, &ea);
		/* memif has no MAC to set and filters nothing: the stack
		 * just uses the address it was given (and the port is
		 * made promiscuous below). */
		if (ret == -ENOTSUP) {
			ret = 0;
			soft_mac = 1;
		}
	}
	if (!ret)
		ret = rte_eth_dev_start(d->port);
	if (ret)
		return io_err(err, errlen, -ret, "dpdk:%s: port setup: %s%s",
			      d->name, rte_strerror(-ret), eal_why());
	/* Not every PMD has it (memif does not need it); a failure is fine. */
	rte_eth_promiscuous_enable(d->port);

	if (rte_eth_dev_get_mtu(d->port, &mtu))
		mtu = 1500;
	info->mtu = conf->mtu ? conf->mtu : mtu;
	/* What one mbuf holds; longer frames would need chains on tx. */
	info->max_frame = RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM;
	if (info->mtu + 14 + 4 > info->max_frame)
		info->mtu = info->max_frame - 18;
	rte_eth_macaddr_get(d->port, &ea);
	memcpy(info->mac, soft_mac ? conf->mac : ea.addr_bytes, 6);
	return 0;
}

static void port_remove(struct dpdk *d)
{
	struct rte_eth_dev_info dinfo;
	struct rte_device *dev = NULL;

	if (!rte_eth_dev_info_get(d->port, &dinfo))
		dev = dinfo.device;
	rte_eth_dev_stop(d->port);
	rte_eth_dev_close(d->port);
	/* Removing the device undoes the probe: a net_tap device goes away,
	 * a memif server socket is unlinked. */
	if (dev)
		rte_dev_remove(dev);
}

static int dpdk_open(struct nuse_backend *b, const char *arg,
		     const struct nuse_backend_conf *conf, char *err,
		     size_t errlen)
{
	size_t namelen = strcspn(arg, ",");
	struct dpdk *d;
	int ret;

	if (!namelen || namelen >= RTE_ETH_NAME_MAX_LEN)
		return io_err(err, errlen, EINVAL, "dpdk:%s: bad device name",
			      arg);
	d = calloc(1, sizeof(*d));
	if (!d)
		return io_err(err, errlen, ENOMEM, "dpdk:%s: out of memory",
			      arg);
	memcpy(d->name, arg, namelen);
	d->bounce = malloc(NUSE_BACKEND_MAX_FRAME);
	if (!d->bounce) {
		ret = io_err(err, errlen, ENOMEM, "dpdk:%s: out of memory",
			     arg);
		goto err_free;
	}

	pthread_mutex_lock(&eal_lock);
	ret = eal_start(err, errlen);
	if (ret)
		goto err_unlock;
	if (rte_eth_dev_get_port_by_name(d->name, &d->port) == 0) {
		ret = io_err(err, errlen, EBUSY,
			     "dpdk:%s: device busy (already open)", d->name);
		goto err_unlock;
	}
	eal_last_log[0] = '\0';
	ret = rte_dev_probe(arg);
	if (ret < 0) {
		ret = io_err(err, errlen, -ret, "dpdk:%s: probe failed: %s%s",
			     arg, rte_strerror(-ret), eal_why());
		goto err_unlock;
	}
	if (rte_eth_dev_get_port_by_name(d->name, &d->port)) {
		ret = io_err(err, errlen, ENODEV,
			     "dpdk:%s: probed, but no port named %s", arg,
			     d->name);
		goto err_unlock;
	}
	ret = port_setup(d, conf, &b->info, err, errlen);
	if (ret)
		goto err_port;
	pthread_mutex_unlock(&eal_lock);
	b->priv = d;
	return 0;

err_port:
	port_remove(d);
	rte_mempool_free(d->pool);
err_unlock:
	pthread_mutex_unlock(&eal_lock);
	free(d->bounce);
err_free:
	free(d);
	return ret;
}

static void dpdk_close(struct nuse_backend *b)
{
	struct dpdk *d = b->priv;

	pthread_mutex_lock(&eal_lock);
	port_remove(d);
	rte_mempool_free(d->pool);
	pthread_mutex_unlock(&eal_lock);
	free(d->bounce);
	free(d);
}

static int dpdk_carrier(struct nuse_backend *b)
{
	struct dpdk *d = b->priv;
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(d->port, &link))
		return 0;
	return link.link_status == RTE_ETH_LINK_UP;
}

static int dpdk_tx(struct nuse_backend *b, const struct nuse_pkt *pkts,
		   unsigned int n)
{
	struct dpdk *d = b->priv;
	struct rte_mbuf *m[DPDK_BURST];
	unsigned int k, sent;

	if (n > DPDK_BURST)
		n = DPDK_BURST;
	if (rte_pktmbuf_alloc_bulk(d->pool, m, n))
		return 0;
	for (k = 0; k < n; k++) {
		char *p = rte_pktmbuf_append(m[k], pkts[k].len);

		io_pkt_copy(p, &pkts[k]);
	}
	sent = rte_eth_tx_burst(d->port, 0, m, n);
	for (k = sent; k < n; k++)
		rte_pktmbuf_free(m[k]);
	return sent;
}

static int dpdk_rx(struct nuse_backend *b, int timeout_ms)
{
	struct dpdk *d = b->priv;
	struct timespec now, end, idle = { 0, DPDK_IDLE_NS };
	uint16_t n;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		n = rte_eth_rx_burst(d->port, 0, d->rx_mbufs, DPDK_BURST);
		if (n)
			break;
		if (!timeout_ms)
			return 0;
		nanosleep(&idle, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_ms > 0 &&
		    (now.tv_sec > end.tv_sec ||
		     (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)))
			return 0;
	}
	/* Only the last chained frame of a burst may use the bounce buffer;
	 * earlier chained ones are dropped rather than copied twice. */
	unsigned int k = 0, bounced = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = d->rx_mbufs[i];

		memset(&d->pkts[k].vh, 0, sizeof(d->pkts[k].vh));
		d->pkts[k].len = rte_pktmbuf_pkt_len(m);
		if (m->nb_segs == 1) {
			d->pkts[k++].data = rte_pktmbuf_mtod(m, void *);
		} else if (!bounced &&
			   d->pkts[k].len <= NUSE_BACKEND_MAX_FRAME) {
			d->pkts[k].data = (void *)rte_pktmbuf_read(
				m, 0, d->pkts[k].len, d->bounce);
			k++;
			bounced = 1;
		} else {
			b->st.rx_drops++;
		}
	}
	if (k)
		io_deliver(b, d->pkts, k);
	rte_pktmbuf_free_bulk(d->rx_mbufs, n);
	return k;
}

const struct nuse_backend_ops nuse_backend_dpdk_ops = {
	.kind = "dpdk",
	.open = dpdk_open,
	.close = dpdk_close,
	.tx = dpdk_tx,
	.rx = dpdk_rx,
	.carrier = dpdk_carrier,
};
