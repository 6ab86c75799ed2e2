// SPDX-License-Identifier: GPL-2.0
/*
 * --mode=preload --stack=linux: the program's signal handlers run through
 * a wrapper, which asks the runtime first (signal_enter, preload/abi.h):
 * a signal that arrives while its thread is in a stack call ends that
 * call as Linux would (restarted under SA_RESTART for recv or accept,
 * EINTR for poll, select, epoll waits and sockets with a timeout) and is
 * sent again when the call returns, so the handler runs then and never
 * inside the stack's code (the runtime's sigwrap.c does the same in the
 * other in-process modes; here nothing is intercepted but libc's
 * functions).
 *
 * sigaction() and signal() install the wrapper and keep the program's
 * action, which they report back as its own.  A program that sets its
 * actions with a raw rt_sigaction gets no wrapper: its handlers' SA_RESTART
 * then restarts every call (docs/preload.md).
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>

#include "preload/abi.h"

#define SHIM __attribute__((visibility("default")))

extern const struct nuse_preload_rt *nuse_shim_rt;

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
/* the program's actions, as it set them through us */
static struct sigaction app[NSIG];

static void wrapper(int sig, siginfo_t *si, void *uc)
{
	struct sigaction a = app[sig];

	/* in a stack call: after it (sent again then), as Linux would */
	if (nuse_shim_rt->signal_enter(sig, si, uc))
		return;
	if (a.sa_flags & SA_RESETHAND) {
		/* as Linux: the default again on entry to the handler */
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		app[sig] = dfl;
		real_sigaction(sig, &dfl, NULL);
	}
	if (a.sa_flags & SA_SIGINFO)
		a.sa_sigaction(sig, si, uc);
	else if (a.sa_handler != SIG_DFL && a.sa_handler != SIG_IGN)
		a.sa_handler(sig);
}

static int handled(const struct sigaction *act)
{
	return act && (act->sa_flags & SA_SIGINFO ?
			       act->sa_sigaction != NULL :
			       act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN);
}

SHIM int sigaction(int sig, const struct sigaction *act, struct sigaction *oact)
{
	struct sigaction k, old, prev;
	int r;

	if (!real_sigaction)
		real_sigaction = (int (*)(int, const struct sigaction *,
					  struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
	if (!real_sigaction) {
		errno = ENOSYS;
		return -1;
	}
	if (!nuse_shim_rt || sig <= 0 || sig >= NSIG)
		return real_sigaction(sig, act, oact);
	prev = app[sig];
	if (act)
		app[sig] = *act; /* before the wrapper can run with it */
	if (handled(act)) {
		k = *act;
		k.sa_flags |= SA_SIGINFO;
		k.sa_flags &= ~SA_RESETHAND; /* the wrapper does it, in time */
		k.sa_sigaction = wrapper;
		r = real_sigaction(sig, &k, &old);
	} else {
		r = real_sigaction(sig, act, &old);
	}
	if (r) {
		app[sig] = prev;
		return r;
	}
	if (oact)
		*oact = old.sa_flags & SA_SIGINFO && old.sa_sigaction == wrapper ?
				prev : old;
	return 0;
}

/* BSD semantics, as glibc's signal(): SA_RESTART. */
static sighandler_t set_handler(int sig, sighandler_t h, int flags)
{
	struct sigaction act = { .sa_handler = h, .sa_flags = flags }, old;

	sigemptyset(&act.sa_mask);
	if (!(flags & SA_NODEFER))
		sigaddset(&act.sa_mask, sig);
	if (sigaction(sig, &act, &old))
		return SIG_ERR;
	return old.sa_handler;
}

SHIM sighandler_t signal(int sig, sighandler_t h)
{
	return set_handler(sig, h, SA_RESTART);
}

SHIM sighandler_t bsd_signal(int sig, sighandler_t h)
{
	return set_handler(sig, h, SA_RESTART);
}

SHIM sighandler_t sysv_signal(int sig, sighandler_t h)
{
	return set_handler(sig, h, SA_RESETHAND | SA_NODEFER);
}
