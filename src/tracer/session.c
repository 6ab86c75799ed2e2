// SPDX-License-Identifier: GPL-2.0
/*
 * One Linux stack per nuse-exec session (--stack=linux, in-process modes).
 *
 * The first nuse-exec puts the kernel's memory in memfds and forks the
 * keeper, detached (double fork, own session): it boots the stack,
 * attaches the interfaces, so the kernel's threads, timer and backends
 * live in a process that outlives any exec or exit of the program's, and
 * watches the processes using the stack (pidfd) to close a dead one's
 * sockets.  The program's processes map the same memory at the same
 * addresses: forked children inherit it, an exec'd image joins with the
 * hidden --session option the runtime adds (stack-linux.c).
 *
 * nuse-exec's own context (libc), before the program gets control.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nuse/stack.h>

#include "options.h"
#include "stack-linux.h"

/*
 * 512 MiB, not the stack's default 64: Linux sizes tcp_mem and the
 * buffers' caps from it; at 64 MiB one stream's send buffer stops at
 * 0.5 MiB and a TAP stream is window-bound (docs/link.md).  Untouched
 * pages cost nothing.  (The stalls once seen at 64 MiB under memory
 * pressure were the timer-wheel bug, docs/stack.md.)  --mem changes it:
 * 100,000 idle TCP connections on the stack's loopback (both ends, 200,000
 * sockets) take ~700 MiB (6.9 KiB each, bench-conns), and the page array
 * costs ~7 MiB of RSS per 512 MiB, so the default stays as it is.
 */
#define SESSION_MEM (512UL << 20)

static unsigned long session_mem(const struct nuse_opts *o)
{
	return o->mem_mib ? o->mem_mib << 20 : SESSION_MEM;
}

struct nuse_session nuse_session;

struct keeper_report {
	int error; /* 0, or -errno (err[] set for an option's error) */
	int keeper;
	long token; /* the program's process */
	char err[256];
};

/* Nothing of the program's descriptors stays open in the keeper. */
static void keeper_detach(const char *name, int keep1, int keep2, int keep3)
{
	static const int ignored[] = { SIGHUP,	SIGINT,	 SIGQUIT,
				       SIGPIPE, SIGTSTP, SIGTTIN,
				       SIGTTOU, SIGUSR1, SIGUSR2 };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int keep[] = { keep1, keep2, keep3, devnull }, from = 3;

	setsid();
	prctl(PR_SET_NAME, name);
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
	}
	/* stderr stays: the kernel's warnings are the user's to see */
	/* close everything from 3 up but keep[], which is tiny: sort it */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (int i = 0; i < 4; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
	if (devnull > 2)
		close(devnull);
}

#define MAX_WATCHED 4096

/*
 * Until the last process using the stack is gone: reap each one that
 * ends (its pidfd becomes readable), or that is gone before we looked.
 */
static void keeper_watch(void)
{
	static struct nuse_proc_entry procs[MAX_WATCHED];
	static struct pollfd pfd[MAX_WATCHED];
	static long token[MAX_WATCHED];
	int nw = 0;

	for (;;) {
		int n = nuse_proc_list(procs, MAX_WATCHED);

		/* newly registered processes */
		for (int i = 0; i < n; i++) {
			int j, fd;

			for (j = 0; j < nw && token[j] != procs[i].token; j++)
				;
			if (j < nw || nw == MAX_WATCHED)
				continue;
			fd = (int)syscall(SYS_pidfd_open, (pid_t)procs[i].pid,
					  0);
			if (fd < 0) {
				nuse_proc_reap(procs[i].token);
				continue;
			}
			pfd[nw] = (struct pollfd){ .fd = fd, .events = POLLIN };
			token[nw++] = procs[i].token;
		}
		if (!nw && !nuse_proc_list(procs, 1))
			return;
		/* the period only bounds how late a new process is watched */
		if (poll(pfd, nw, 100) <= 0)
			continue;
		for (int j = 0; j < nw; j++) {
			if (!pfd[j].revents)
				continue;
			nuse_proc_reap(token[j]);
			close(pfd[j].fd);
			pfd[j] = pfd[nw - 1];
			token[j] = token[nw - 1];
			nw--;
			j--;
		}
	}
}

/*
 * The session's last process is gone, but what its sockets were sending
 * is not necessarily delivered: Linux finishes that after a process exits
 * (data, then FIN), and so must the stack before it goes away with us.
 * Bounded: a peer that stopped answering does not keep the keeper.
 */
#define DRAIN_MAX_MS 20000

void nuse_session_drain(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int ms = 0; ms < DRAIN_MAX_MS && nuse_tcp_pending() > 0; ms += 10)
		nanosleep(&tick, NULL);
	/* frames queued for the links by then (the tx threads) */
	nanosleep(&tick, NULL);
}

static void __attribute__((noreturn))
keeper_main(const struct nuse_opts *o, int report_fd, pid_t prog)
{
	const struct nuse_boot_params params = { .mem_size = session_mem(o) };
	struct keeper_report rep = { 0 };
	int r;

	/*
	 * Outside the program's network namespace with the links: no
	 * process of the program may ptrace it, write its memory
	 * (process_vm_writev), take its descriptors (pidfd_getfd) or open
	 * them in /proc, which a process of the same user could while it
	 * is dumpable.  The session's processes reach its memfds through
	 * the holder instead (nuse_session_hold).
	 */
	prctl(PR_SET_DUMPABLE, 0);
	keeper_detach("nuse-keeper", report_fd, nuse_session.data_fd,
		      nuse_session.mem_fd);
	rep.keeper = getpid();
	r = nuse_boot(&params);
	if (!r)
		r = nuse_stack_linux_configure(o, rep.err, sizeof(rep.err));
	if (!r) {
		rep.token = nuse_proc_fork_prepare();
		if (rep.token < 0)
			r = (int)rep.token;
	}
	if (!r)
		r = nuse_proc_register(rep.token, prog);
	rep.error = r;
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep) || r)
		_exit(1);
	close(report_fd);
	keeper_watch();
	nuse_session_drain();
	nuse_stack_linux_deconfigure(); /* flushes --pcap captures */
	_exit(0);
}

/* The memfds are open in this process too, for nuse_session_hold. */
static bool fds_here;

/* Boot the session's stack in a keeper; this process becomes its first. */
static int session_boot(const struct nuse_opts *o, char *err, size_t errlen)
{
	struct keeper_report rep;
	pid_t prog = getpid(), mid;
	int p[2], r, status;
	ssize_t n;

	r = nuse_session_create(session_mem(o), &nuse_session);
	if (r)
		return r;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	mid = fork();
	if (mid < 0) {
		r = -errno;
		goto out;
	}
	if (mid == 0) {
		/* not the program's child: its wait() must never see us */
		pid_t k = fork();

		if (k == 0) {
			close(p[0]);
			keeper_main(o, p[1], prog);
		}
		_exit(k < 0);
	}
	close(p[1]);
	p[1] = -1;
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	do
		n = read(p[0], &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(rep)) {
		r = -ECHILD;
		goto out;
	}
	if (rep.error) {
		snprintf(err, errlen, "%s", rep.err);
		r = rep.error;
		goto out;
	}
	nuse_session.keeper = rep.keeper;
	nuse_session_watch_keeper(rep.keeper);
	r = nuse_proc_attach(rep.token, prog);
out:
	close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	/* the keeper holds them, under the same numbers; so will the holder */
	if (r) {
		close(nuse_session.data_fd);
		close(nuse_session.mem_fd);
	}
	fds_here = !r;
	return r;
}

/* The holder: until the keeper is gone. */
static void __attribute__((noreturn)) holder_main(pid_t keeper)
{
	int pfd = (int)syscall(SYS_pidfd_open, keeper, 0);
	struct pollfd p = { .fd = pfd, .events = POLLIN };

	keeper_detach("nuse-fds", nuse_session.data_fd, nuse_session.mem_fd,
		      pfd);
	while (pfd >= 0 && poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * An exec'd image of the session maps the session's memfds by opening
 * them in /proc/PID/fd of a process that holds them: not the keeper,
 * which is not dumpable, but this holder, forked by the program's first
 * process once it is in its network namespace (isolate.c), so it holds
 * nothing a program could use to reach the host.  Detached like the
 * keeper (the program's wait() never sees it); it ends with the keeper.
 */
int nuse_session_hold(void)
{
	pid_t keeper = nuse_session.keeper, mid, holder = -1;
	int p[2], r = 0, status;

	if (!fds_here)
		return 0;
	fds_here = false;
	if (pipe2(p, O_CLOEXEC)) {
		r = -errno;
		goto out;
	}
	mid = fork();
	if (mid == 0) {
		pid_t k = fork();

		if (k == 0) {
			close(p[0]);
			close(p[1]);
			holder_main(keeper);
		}
		if (write(p[1], &k, sizeof(k)) != sizeof(k))
			_exit(1);
		_exit(k < 0);
	}
	close(p[1]);
	if (mid < 0) {
		r = -errno;
	} else {
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
		if (read(p[0], &holder, sizeof(holder)) != sizeof(holder) ||
		    holder <= 0)
			r = -ECHILD;
	}
	close(p[0]);
	if (!r)
		nuse_session.keeper = holder;
out:
	/* the keeper's numbers and the holder's are the same */
	close(nuse_session.data_fd);
	close(nuse_session.mem_fd);
	return r;
}

/* --session=KEEPER,DATA_FD,MEM_FD,MEM_SIZE,TOKEN,VFS_FD from the runtime */
static int session_join(const char *arg, long *vfs_fd)
{
	struct nuse_session *s = &nuse_session;
	long token;
	int r;

	if (sscanf(arg, "%d,%d,%d,%lu,%ld,%ld", &s->keeper, &s->data_fd,
		   &s->mem_fd, &s->mem_size, &token, vfs_fd) != 6)
		return -EINVAL;
	r = nuse_session_join(s);
	if (r)
		return r;
	nuse_session_watch_keeper(s->keeper);
	return nuse_proc_attach(token, getpid());
}

int nuse_session_start(const struct nuse_opts *o, long *vfs_fd, char *err,
		       unsigned long errlen)
{
	*vfs_fd = -1;
	err[0] = '\0';
	if (o->session)
		return session_join(o->session, vfs_fd);
	return session_boot(o, err, errlen);
}
