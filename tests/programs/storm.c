// SPDX-License-Identifier: GPL-2.0
/*
 * storm: the kill storm (issue 14 item 5, tests/fuzz/storm.sh).
 *
 *   storm [-t SECONDS] [-p PAIRS] [-P PORT] [-s SEED] [-g GAP_MS]
 *         [-w DIR] [-n] [-c]
 *
 * The parent, one process of a nuse session, forks PAIRS servers and
 * PAIRS clients (16 processes by default); client i talks to server i on
 * 127.0.0.1:PORT+i, transfer after transfer: a header, 1 B..1 MiB of
 * seeded data up, the SHA-256 the server computed of what it got, then
 * 1 B..1 MiB of seeded data down.  Both ends compare the SHA-256 of what
 * they received with that of what the sender generated.  For SECONDS the
 * parent SIGKILLs a random child every GAP_MS/10..GAP_MS ms (seeded), at
 * whatever it is doing — in the stack's code, waiting in it, or in its
 * own — and forks a new one in its place.
 *
 * Every transfer that is cut short must be explained by a kill: each
 * child slot has an incarnation number the parent bumps before it kills,
 * and a failed transfer whose peer's incarnation did not change is an
 * error ("unexplained").  With -c (the in-process modes, where the
 * session's processes run the stack's code themselves, softirqs for
 * other processes' packets included) a kill of a process that was
 * running during the transfer, or in the second before it failed,
 * explains it too ("collateral": its thread may have died half-way
 * through the peer's packet, in the 3-way handshake say, and the peer
 * got a reset, or half-way through a change of a table the lookup of a
 * listener uses, and a connect was refused), up to one such failure per
 * 50 kills; more is an error.  A child that dies of a signal the parent
 * did not send (a crash) is an error too, or collateral under the same
 * rule.  A transfer that makes no progress for 15 s is a
 * stall (an error).  A respawned server must get its port back (the dead
 * one's listener closed by the keeper's reap) within 20 s.
 *
 * Afterwards: every child ends by itself when told; the stack's TCP
 * sockets are all gone but TIME_WAIT (sock_diag, as `ss` asks; with -n
 * also /proc/net/sockstat, which is the stack's in the in-process modes)
 * within 20 s; and two new processes of the session make three fresh
 * transfers.  With -w DIR the parent stops at "warm" (after 2 s of
 * transfers, before the first kill) and "end" (after the checks), prints
 * "storm: pause NAME" and waits up to 60 s for DIR/NAME to exist, so the
 * test can look at the session from outside.  Last line: "result: PASS"
 * or "result: FAIL".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#define MAX_PAIRS 32
#define MAX_XFER (1 << 20)
#define MAGIC 0x73746f726d21UL /* "storm!" */
#define IO_TIMEOUT_S 15
#define BIND_WAIT_S 20

struct hdr {
	uint64_t magic;
	uint32_t slot, gen, seq, up, down, pad;
};

/* Shared by the parent and every child (host memory, MAP_SHARED). */
struct shared {
	int stop;
	unsigned int gen[2 * MAX_PAIRS];   /* incarnation of each slot */
	unsigned int bound[2 * MAX_PAIRS]; /* incarnation listening */
	long verified, bytes, aborted, empty, mismatch, stalls, unexplained,
		errors, bind_waits, fresh, collateral, crashes;
	long running_kill_ns; /* the last kill of a running process */
};

static struct shared *sh;
/*
 * A child's incarnation: the slot's number when the parent forked it.
 * Not read by the child from sh->gen: the parent bumps that before it
 * kills, and a child killed just after its fork read the bumped number,
 * took it for its own, and its peer's failure then looked unexplained
 * (natively too: "UNEXPLAINED ... its peer 0 (29) was not killed").
 */
static unsigned int my_gen;
static int pairs = 8, port_base = 7100, collateral_ok;
static unsigned long seed = 1;

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static double now(void)
{
	return now_ns() / 1e9;
}

static void sleep_ms(double ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
			       (long)((ms - 1000.0 * (long)(ms / 1000)) * 1e6) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The bytes of a transfer: a function of the seed and nothing else. */
struct gen {
	uint64_t s;
};

static void gen_fill(struct gen *g, unsigned char *p, size_t n)
{
	while (n) {
		uint64_t v = mix(g->s++);
		size_t k = n < 8 ? n : 8;

		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

#define add(field, n) __atomic_add_fetch(&sh->field, (n), __ATOMIC_RELAXED)

static void set_timeouts(int s, int secs)
{
	struct timeval tv = { secs, 0 };

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* 0: all sent; else -errno (-ETIMEDOUT for a timeout) */
static int send_all(int s, const void *p, size_t n)
{
	while (n) {
		ssize_t r = send(s, p, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		p = (const char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* 0: all received; -EPIPE: end of stream first; else -errno */
static int recv_all(int s, void *p, size_t n)
{
	while (n) {
		ssize_t r = recv(s, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (r == 0)
			return -EPIPE;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* Send n seeded bytes; *sum gets their SHA-256. */
static int send_stream(int s, uint64_t gseed, size_t n, unsigned char sum[32])
{
	static unsigned char buf[65536];
	struct gen g = { gseed };
	struct sha256 h;
	int r = 0;

	sha256_init(&h);
	while (n && !r) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		gen_fill(&g, buf, k);
		sha256_update(&h, buf, k);
		r = send_all(s, buf, k);
		n -= k;
	}
	sha256_final(&h, sum);
	return r;
}

/* Receive n bytes; 1 if their SHA-256 is that of the seeded stream. */
static int recv_stream(int s, uint64_t gseed, size_t n, unsigned char got[32],
		       int *ok)
{
	static unsigned char buf[65536], want_buf[65536];
	unsigned char want[32];
	struct gen g = { gseed };
	struct sha256 hg, hw;
	int r = 0;

	sha256_init(&hg);
	sha256_init(&hw);
	while (n && !r) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		r = recv_all(s, buf, k);
		if (r)
			break;
		gen_fill(&g, want_buf, k);
		sha256_update(&hg, buf, k);
		sha256_update(&hw, want_buf, k);
		n -= k;
	}
	sha256_final(&hg, got);
	sha256_final(&hw, want);
	*ok = !r && !memcmp(got, want, 32);
	return r;
}

static uint64_t xfer_seed(const struct hdr *h, int down)
{
	return mix(seed ^ mix(((uint64_t)h->slot << 40) ^
			      ((uint64_t)h->gen << 20) ^ h->seq) ^
		   (uint64_t)down);
}

static int listen_on(int port, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (void *)&a, sizeof(a)) || listen(s, backlog)) {
		int e = errno;

		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/*
 * A failed transfer, begun at since_ns: a kill of the peer explains it,
 * and with -c a kill of a running process since it began or in the
 * second before the failure (what a dead thread left half done lasts
 * until the stack's next change of it).
 */
#define COLLATERAL_NS 1000000000L

/* With -c: a running process killed since @since_ns or in the second
 * before now; *ago_ms, how long ago the last such kill was. */
static int collateral_kill(long since_ns, double *ago_ms)
{
	long rk = __atomic_load_n(&sh->running_kill_ns, __ATOMIC_ACQUIRE);
	long t = now_ns();

	*ago_ms = (t - rk) / 1e6;
	return collateral_ok && (rk >= since_ns || rk >= t - COLLATERAL_NS);
}

static void failed(const char *who, int slot, int peer, unsigned int peer_gen,
		   int err, const char *step, long since_ns)
{
	double ago_ms;

	if (err == -ETIMEDOUT) {
		add(stalls, 1);
		printf("STALL: %s %d: no progress for %d s\n", who, slot,
		       IO_TIMEOUT_S);
	} else if (__atomic_load_n(&sh->gen[peer], __ATOMIC_ACQUIRE) !=
		   peer_gen) {
		add(aborted, 1);
	} else if (collateral_kill(since_ns, &ago_ms)) {
		add(collateral, 1);
		printf("COLLATERAL: %s %d: %s failed (%s), its peer %d (%u) was not killed, a running process was %.1f ms ago\n",
		       who, slot, step, strerror(-err), peer, peer_gen, ago_ms);
	} else {
		add(unexplained, 1);
		printf("UNEXPLAINED: %s %d: %s failed (%s), its peer %d (%u) was not killed\n",
		       who, slot, step, strerror(-err), peer, peer_gen);
	}
}

static void serve_one(int c, int slot)
{
	long t0 = now_ns();
	unsigned char got[32], sent[32];
	struct hdr h;
	int r, ok;

	set_timeouts(c, IO_TIMEOUT_S);
	r = recv_all(c, &h, sizeof(h));
	if (r == -ETIMEDOUT) {
		failed("server", slot, slot + pairs, 0, r, "header", t0);
		return;
	}
	if (r) {
		/* a connection of a client killed before its header: no
		 * data to check, and no incarnation to tell by */
		add(empty, 1);
		return;
	}
	if (h.magic != MAGIC || h.slot != (uint32_t)(slot + pairs) ||
	    h.up > MAX_XFER || h.down > MAX_XFER) {
		add(mismatch, 1);
		printf("MISMATCH: server %d: bad header\n", slot);
		return;
	}
	r = recv_stream(c, xfer_seed(&h, 0), h.up, got, &ok);
	if (r) {
		failed("server", slot, (int)h.slot, h.gen, r, "receive", t0);
		return;
	}
	if (!ok) {
		add(mismatch, 1);
		printf("MISMATCH: server %d: %u bytes up from client %u/%u seq %u differ\n",
		       slot, h.up, h.slot, h.gen, h.seq);
		return;
	}
	r = send_all(c, got, sizeof(got));
	if (!r)
		r = send_stream(c, xfer_seed(&h, 1), h.down, sent);
	if (r)
		failed("server", slot, (int)h.slot, h.gen, r, "send", t0);
}

static void __attribute__((noreturn)) server(int slot)
{
	unsigned int inc = my_gen;
	double t0 = now();
	int l;

	/* the port is free once the keeper reaped the server before */
	while ((l = listen_on(port_base + slot, 16)) < 0) {
		if (errno != EADDRINUSE || now() - t0 > BIND_WAIT_S) {
			add(errors, 1);
			printf("ERROR: server %d: port %d: %s after %.1f s\n",
			       slot, port_base + slot, strerror(errno),
			       now() - t0);
			_exit(1);
		}
		sleep_ms(5);
	}
	if (now() - t0 > 0.005)
		add(bind_waits, 1);
	set_timeouts(l, 0);
	{
		struct timeval tv = { 0, 200000 };

		setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	__atomic_store_n(&sh->bound[slot], inc, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				continue;
			add(errors, 1);
			printf("ERROR: server %d: accept: %s\n", slot,
			       strerror(errno));
			_exit(1);
		}
		serve_one(c, slot);
		close(c);
	}
	close(l);
	_exit(0);
}

/* One transfer to server `srv`; 1 if verified. */
static int transfer(int slot, int srv, unsigned int seq, uint64_t *rng)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)(port_base + srv)),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned char sent[32], echo[32], got[32];
	unsigned int g0 = __atomic_load_n(&sh->gen[srv], __ATOMIC_ACQUIRE);
	struct hdr h = { MAGIC, (uint32_t)slot, my_gen, seq, 0, 0, 0 };
	const char *step = "connect";
	long t0 = now_ns();
	int s, r, ok;

	/* the server of this incarnation is not listening yet */
	if (__atomic_load_n(&sh->bound[srv], __ATOMIC_ACQUIRE) != g0)
		return -EAGAIN;
	h.up = 1 + (uint32_t)(mix((*rng)++) % MAX_XFER);
	h.down = 1 + (uint32_t)(mix((*rng)++) % MAX_XFER);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		add(errors, 1);
		printf("ERROR: client %d: socket: %s\n", slot, strerror(errno));
		return -1;
	}
	set_timeouts(s, IO_TIMEOUT_S);
	if (connect(s, (void *)&a, sizeof(a))) {
		r = errno == EINPROGRESS || errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto fail;
	}
	step = "send";
	r = send_all(s, &h, sizeof(h));
	if (!r)
		r = send_stream(s, xfer_seed(&h, 0), h.up, sent);
	step = "receive";
	if (!r)
		r = recv_all(s, echo, sizeof(echo));
	if (!r && memcmp(echo, sent, sizeof(sent))) {
		add(mismatch, 1);
		printf("MISMATCH: client %d seq %u: the server's SHA-256 of %u bytes up differs\n",
		       slot, seq, h.up);
		close(s);
		return -1;
	}
	if (!r)
		r = recv_stream(s, xfer_seed(&h, 1), h.down, got, &ok);
	if (r)
		goto fail;
	close(s);
	if (!ok) {
		add(mismatch, 1);
		printf("MISMATCH: client %d seq %u: %u bytes down differ\n",
		       slot, seq, h.down);
		return -1;
	}
	add(verified, 1);
	add(bytes, (long)h.up + h.down);
	return 1;
fail:
	close(s);
	failed("client", slot, srv, g0, r, step, t0);
	return 0;
}

/* count > 0: that many transfers, then exit (the fresh processes) */
static void __attribute__((noreturn)) client(int slot, int count)
{
	uint64_t rng = mix(seed ^ ((uint64_t)slot << 32) ^ my_gen);
	int srv = slot - pairs, done = 0;
	double since = now();
	unsigned int seq = 0;

	while (count ? done < count : !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		int r = transfer(slot, srv, seq++, &rng);

		if (r > 0) {
			done++;
			since = now();
			continue;
		}
		if (r < 0 && r != -EAGAIN)
			_exit(1);
		if (now() - since > BIND_WAIT_S + IO_TIMEOUT_S) {
			add(stalls, 1);
			printf("STALL: client %d: no transfer for %.0f s\n",
			       slot, now() - since);
			_exit(1);
		}
		sleep_ms(2);
	}
	if (count)
		add(fresh, done);
	_exit(0);
}

static pid_t pids[2 * MAX_PAIRS];

static pid_t spawn(int slot, int count)
{
	unsigned int inc = __atomic_load_n(&sh->gen[slot], __ATOMIC_ACQUIRE);
	pid_t p;

	fflush(stdout);
	p = fork();
	if (p == 0) {
		my_gen = inc;
		if (slot < pairs)
			server(slot);
		client(slot, count);
	}
	if (p < 0)
		printf("ERROR: fork: %s\n", strerror(errno));
	return p;
}

/* What the victim was doing: its main thread's /proc/PID/syscall. */
enum { AT_RUNNING, AT_FUTEX, AT_CALL, AT_UNKNOWN, AT_MAX };
static const char *const at_name[AT_MAX] = { "running", "in futex wait",
					     "in another call", "unknown" };

static int victim_state(pid_t p)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)p);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return AT_UNKNOWN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return AT_UNKNOWN;
	buf[n] = '\0';
	if (!strncmp(buf, "running", 7))
		return AT_RUNNING;
	if (!strncmp(buf, "202 ", 4))
		return AT_FUTEX;
	return AT_CALL;
}

static void pause_at(const char *dir, const char *name)
{
	char path[4096];
	double t0 = now();
	struct stat st;

	if (!dir)
		return;
	printf("storm: pause %s\n", name);
	fflush(stdout);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	while (stat(path, &st) && now() - t0 < 60)
		sleep_ms(20);
}

/*
 * Reap ended children; a child that ended by itself before the stop is
 * an error (it printed why), and so is one that died of a signal other
 * than the parent's SIGKILL (a crash, which its own output cannot tell)
 * unless, with -c, a running process was killed in the second before:
 * a thread that died half-way through this child's socket in the
 * stack's code (docs/stack.md) counts as collateral.
 */
static void reap(int respawn)
{
	int status;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < 2 * pairs; i++) {
			if (pids[i] != p)
				continue;
			pids[i] = 0;
			if (WIFEXITED(status) && WEXITSTATUS(status)) {
				printf("ERROR: child %d (slot %d) exited with %d\n",
				       (int)p, i, WEXITSTATUS(status));
				add(errors, 1);
			}
			if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
				int sig = WTERMSIG(status);
				double ago_ms;

				add(crashes, 1);
				/* (no start: the second before counts) */
				if (collateral_kill(LONG_MAX, &ago_ms)) {
					add(collateral, 1);
					printf("COLLATERAL: child %d (slot %d) died of signal %d (%s), a running process was killed %.1f ms before\n",
					       (int)p, i, sig, strsignal(sig), ago_ms);
				} else {
					add(errors, 1);
					printf("ERROR: child %d (slot %d) died of signal %d (%s)\n",
					       (int)p, i, sig, strsignal(sig));
				}
			}
			if (respawn) {
				__atomic_add_fetch(&sh->gen[i], 1,
						   __ATOMIC_RELEASE);
				pids[i] = spawn(i, 0);
			}
		}
	}
}

/* A port of the storm's servers. */
static int ours(int port)
{
	return port >= port_base && port < port_base + pairs;
}

/* The stack's TCP sockets to or from the storm's servers, by state,
 * through sock_diag (as `ss`). */
static int diag_count(long by_state[16])
{
	static char buf[32768];
	int families[] = { AF_INET, AF_INET6 }, total = 0;

	memset(by_state, 0, 16 * sizeof(long));
	for (int f = 0; f < 2; f++) {
		struct {
			struct nlmsghdr nlh;
			struct inet_diag_req_v2 r;
		} req = {
			.nlh = { .nlmsg_len = sizeof(req),
				 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
			.r = { .sdiag_family = (uint8_t)families[f],
			       .sdiag_protocol = IPPROTO_TCP,
			       .idiag_states = ~0U },
		};
		int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			       NETLINK_SOCK_DIAG), done = 0;

		if (s < 0)
			return -1;
		set_timeouts(s, 5);
		if (send(s, &req, sizeof(req), 0) != sizeof(req)) {
			close(s);
			return -1;
		}
		while (!done) {
			ssize_t n = recv(s, buf, sizeof(buf), 0);
			struct nlmsghdr *m = (void *)buf;

			if (n <= 0) {
				close(s);
				return -1;
			}
			for (; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
				struct inet_diag_msg *d = NLMSG_DATA(m);

				if (m->nlmsg_type == NLMSG_DONE) {
					done = 1;
					break;
				}
				if (m->nlmsg_type == NLMSG_ERROR) {
					close(s);
					return -1;
				}
				/* ours only: natively the host has others */
				if (!ours(ntohs(d->id.idiag_sport)) &&
				    !ours(ntohs(d->id.idiag_dport)))
					continue;
				by_state[d->idiag_state & 15]++;
				total++;
			}
		}
		close(s);
	}
	return total;
}

/* "TCP: inuse N orphan N tw N alloc N mem N" of /proc/net/sockstat */
static int sockstat(long *inuse, long *alloc, long *mem, char *line, size_t len)
{
	FILE *f = fopen("/proc/net/sockstat", "re");
	char l[256];
	int found = 0;

	if (!f)
		return -1;
	while (fgets(l, sizeof(l), f)) {
		long orphan, tw;

		if (sscanf(l, "TCP: inuse %ld orphan %ld tw %ld alloc %ld mem %ld",
			   inuse, &orphan, &tw, alloc, mem) == 5) {
			found = 1;
			l[strcspn(l, "\n")] = '\0';
			snprintf(line, len, "%s", l);
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

static const char *const tcp_state[16] = {
	"?",	    "ESTABLISHED", "SYN_SENT", "SYN_RECV",  "FIN_WAIT1",
	"FIN_WAIT2", "TIME_WAIT",  "CLOSE",    "CLOSE_WAIT", "LAST_ACK",
	"LISTEN",   "CLOSING",	   "NEW_SYN_RECV", "?", "?", "?"
};

/* Only TIME_WAIT left (and, with the stack's procfs, no TCP socket
 * allocated), within 20 s.  1 if so. */
static int sockets_gone(int procnet)
{
	long by[16], inuse = 0, alloc = 0, mem = 0;
	char line[256] = "";
	double t0 = now();
	int n, live = 0;

	for (;;) {
		n = diag_count(by);
		live = n < 0 ? -1 : n - (int)by[6];
		if (procnet && sockstat(&inuse, &alloc, &mem, line, sizeof(line)))
			alloc = -1;
		if (live == 0 && (!procnet || alloc == 0))
			break;
		if (now() - t0 > 20)
			break;
		sleep_ms(100);
	}
	printf("storm: after %.1f s: %d TCP sockets in the stack (sock_diag)",
	       now() - t0, n);
	for (int s = 0; s < 16 && n > 0; s++)
		if (by[s])
			printf(", %s %ld", tcp_state[s], by[s]);
	printf("\n");
	if (procnet)
		printf("storm: /proc/net/sockstat: %s\n", line);
	return live == 0 && (!procnet || alloc == 0);
}

int main(int argc, char **argv)
{
	double seconds = 20, gap = 60, t_end;
	long kills = 0, at[AT_MAX] = { 0 }, by[16];
	const char *dir = NULL;
	int procnet = 0, opt, ok = 1, hung = 0;
	uint64_t rng;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:p:P:s:g:w:nc")) != -1) {
		switch (opt) {
		case 't': seconds = strtod(optarg, NULL); break;
		case 'p': pairs = atoi(optarg); break;
		case 'P': port_base = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'g': gap = strtod(optarg, NULL); break;
		case 'w': dir = optarg; break;
		case 'n': procnet = 1; break;
		case 'c': collateral_ok = 1; break;
		default:
			fprintf(stderr, "usage: storm [-t SECONDS] [-p PAIRS] [-P PORT] [-s SEED] [-g GAP_MS] [-w DIR] [-n] [-c]\n");
			return 2;
		}
	}
	if (pairs < 1 || pairs > MAX_PAIRS || gap < 1)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset(sh, 0, sizeof(*sh));
	/* no incarnation listens yet */
	memset(sh->bound, 0xff, sizeof(sh->bound));
	rng = mix(seed);
	printf("storm: %d processes (%d pairs), %.0f s of kills every %.0f-%.0f ms, seed %lu\n",
	       2 * pairs, pairs, seconds, gap / 10, gap, seed);
	for (int i = 0; i < 2 * pairs; i++)
		pids[i] = spawn(i, 0);

	/* warm-up: transfers, no kills */
	sleep_ms(2000);
	reap(1);
	printf("storm: warm: %ld transfers verified\n", sh->verified);
	pause_at(dir, "warm");

	t_end = now() + seconds;
	while (now() < t_end) {
		int slot, st;

		sleep_ms(gap / 10 + (double)(mix(rng++) % 1000) * (gap - gap / 10) / 1000);
		reap(1);
		slot = (int)(mix(rng++) % (uint64_t)(2 * pairs));
		if (pids[slot] <= 0)
			continue;
		st = victim_state(pids[slot]);
		at[st]++;
		/* before the kill: a failure it causes is explained */
		__atomic_add_fetch(&sh->gen[slot], 1, __ATOMIC_RELEASE);
		if (st == AT_RUNNING)
			__atomic_store_n(&sh->running_kill_ns, now_ns(),
					 __ATOMIC_RELEASE);
		kill(pids[slot], SIGKILL);
		kills++;
	}
	/* the slot's incarnation moved at the kill: the reap must not
	 * count it twice */
	reap(1);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	{
		double t0 = now();

		for (;;) {
			int left = 0;

			reap(0);
			for (int i = 0; i < 2 * pairs; i++)
				left += pids[i] > 0;
			if (!left)
				break;
			if (now() - t0 > 2 * IO_TIMEOUT_S + 5) {
				printf("HUNG: %d children did not end %.0f s after the stop:",
				       left, now() - t0);
				for (int i = 0; i < 2 * pairs; i++)
					if (pids[i] > 0) {
						printf(" %d", (int)pids[i]);
						kill(pids[i], SIGKILL);
					}
				printf("\n");
				hung = left;
				break;
			}
			sleep_ms(20);
		}
	}
	printf("storm: kills %ld (at the kill: %ld %s, %ld %s, %ld %s, %ld %s)\n",
	       kills, at[0], at_name[0], at[1], at_name[1], at[2], at_name[2],
	       at[3], at_name[3]);
	printf("storm: transfers verified %ld, bytes verified %ld, aborted by a kill %ld, empty %ld, servers that waited for their port %ld\n",
	       sh->verified, sh->bytes, sh->aborted, sh->empty, sh->bind_waits);
	printf("storm: mismatches %ld, unexplained failures %ld, stalls %ld, errors %ld, collateral %ld, crashes %ld\n",
	       sh->mismatch, sh->unexplained, sh->stalls, sh->errors,
	       sh->collateral, sh->crashes);
	if (sh->mismatch || sh->unexplained || sh->stalls || sh->errors || hung)
		ok = 0;
	if (sh->collateral > kills / 50) {
		printf("FAIL: %ld collateral failures, more than one per 50 kills\n",
		       sh->collateral);
		ok = 0;
	}
	if (!sockets_gone(procnet)) {
		printf("FAIL: sockets of dead processes are left in the stack\n");
		ok = 0;
	}

	/* two new processes of the session: a server and a client */
	sh->stop = 0;
	__atomic_add_fetch(&sh->gen[0], 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&sh->gen[pairs], 1, __ATOMIC_RELEASE);
	pids[0] = spawn(0, 0);
	pids[pairs] = spawn(pairs, 3);
	{
		double t0 = now();
		int status;

		while (waitpid(pids[pairs], &status, WNOHANG) == 0 &&
		       now() - t0 < BIND_WAIT_S + 10)
			sleep_ms(10);
		__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
		if (sh->fresh == 3) {
			printf("storm: fresh processes: 3 transfers verified in %.2f s\n",
			       now() - t0);
		} else {
			printf("FAIL: fresh processes: %ld of 3 transfers in %.1f s\n",
			       sh->fresh, now() - t0);
			kill(pids[pairs], SIGKILL);
			ok = 0;
		}
		waitpid(pids[pairs], &status, 0);
		t0 = now();
		while (waitpid(pids[0], &status, WNOHANG) == 0 && now() - t0 < 5)
			sleep_ms(10);
		if (now() - t0 >= 5) {
			kill(pids[0], SIGKILL);
			waitpid(pids[0], &status, 0);
		}
	}
	if (diag_count(by) < 0) {
		printf("FAIL: sock_diag dump failed\n");
		ok = 0;
	}
	pause_at(dir, "end");
	printf("result: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
