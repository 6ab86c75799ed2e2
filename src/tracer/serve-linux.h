/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --stack=linux for the supervisor modes (serve-linux*.c): the supervisor
 * boots the Linux stack and serves its tracees' network calls with it.
 */
#ifndef NUSE_TRACER_SERVE_LINUX_H
#define NUSE_TRACER_SERVE_LINUX_H

#include <stdbool.h>
#include <signal.h>
#include <sys/types.h>

#include "supervise.h"

/*
 * Boot the stack in the supervisor, apply the stack options and start the
 * thread that closes stack sockets whose last placeholder is gone.  0, or
 * -1 after printing why.
 */
int nuse_serve_linux_start(struct nuse_sup *s);

/* When the supervisor is done: remove what it left in the file system. */
void nuse_serve_linux_cleanup(void);
/* No tracee left: close the remaining stack sockets, let TCP deliver. */
void nuse_serve_linux_drain(void);

/* One call (nuse_serve_call's --stack=linux branch); may block. */
enum nuse_verdict nuse_serve_linux(const struct nuse_sup *s,
				   struct nuse_call *c);

/*
 * Could serving @c block?  False for the calls that never wait and for
 * calls on host descriptors (they continue to the host): a mode may then
 * serve it on the thread that took it, without a hand-off to a worker.
 */
bool nuse_serve_linux_may_block(const struct nuse_call *c);

/* --- internals shared by serve-linux.c and serve-linux-poll.c --- */

/* A stack socket behind a placeholder descriptor of the tracees. */
struct sl_ph;

/* The stack descriptor behind the tracee's @fd, holding a reference
 * (sl_put), or -1 with *ph NULL when @fd is not a placeholder. */
int sl_get(pid_t tid, long fd, struct sl_ph **ph);
void sl_put(struct sl_ph *ph);

/* A stack call whose pointers are the caller's (tracee @tid) memory or,
 * with tid 0, the supervisor's own. */
long sl_stack(pid_t tid, long nr, long a0, long a1, long a2, long a3, long a4,
	      long a5);

/* The number after @key ("Tgid:") in /proc/TID/status, or -errno. */
long sl_status_field(pid_t tid, const char *key);
/* The tracee's thread group id (from /proc), or -errno. */
pid_t sl_tgid(pid_t tid);

/* The tracee's descriptor @fd, duplicated here (pidfd_getfd), or -1. */
int sl_caller_fd(pid_t tid, long fd);

/* splice between the tracee's pipe and stack socket sin (in) or sout
 * (out; the other is -1), and sendfile from its file to stack socket
 * sfd: the call's result (serve-linux-io.c: vfs-fd's implementation). */
long sl_splice(struct nuse_call *c, int sin, int sout);
long sl_sendfile(struct nuse_call *c, int sfd);

/* poll, ppoll, select, pselect6; epoll_ctl and the epoll waits; a
 * close that may drop an epoll shadow. */
enum nuse_verdict sl_poll(const struct nuse_sup *s, struct nuse_call *c);
enum nuse_verdict sl_epoll(const struct nuse_sup *s, struct nuse_call *c);
void sl_epoll_closed(pid_t tid, long fd);
/* the last placeholder of @ph is gone: drop its epoll registrations */
void sl_epoll_forget(struct sl_ph *ph);

/* serve-linux-signals.c: calls in flight, ended by the caller's signals. */
#define SL_SIG_INTR (SIGRTMIN + 4)

struct sl_flight {
	struct nuse_call *c;
	pid_t worker; /* host thread serving it */
	long long next_check; /* CLOCK_MONOTONIC ms */
	int interval;
	bool interrupted;
	struct sl_flight *next, *prev;
};

int sl_signals_start(void);
void sl_flight_begin(struct sl_flight *f, struct nuse_call *c);
/* true if the monitor interrupted the call */
bool sl_flight_end(struct sl_flight *f);
long sl_interrupted_ret(long nr);

#endif
