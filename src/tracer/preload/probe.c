// SPDX-License-Identifier: GPL-2.0
/*
 * Fail closed under --mode=preload (src/tracer/probe.h): once the shim is
 * set up, socket() and close() as the program resolves them (the first
 * definition in its global scope, which must be the shim's) and the
 * probe through the dispatcher must reach nuse, and with --stack=linux
 * the socket must be one the host kernel does not know.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload/abi.h"
#include "probe.h"
#include "rt/dispatch.h"
#include "rt/gate.h"

static int (*app_socket)(int, int, int);
static int (*app_close)(int);

static long probe_call(long nr, long a0, long a1, long a2)
{
	long r;

	switch (nr) {
	case SYS_socket:
		r = app_socket((int)a0, (int)a1, (int)a2);
		break;
	case SYS_close:
		r = app_close((int)a0);
		break;
	default:
		return nuse_dispatch(nr, a0, a1, a2, 0, 0, 0);
	}
	return r < 0 ? -errno : r;
}

static long probe_host_domain(long fd)
{
	int domain = 0;
	socklen_t len = sizeof(domain);
	long r = nuse_gate_syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN,
				   (long)&domain, (long)&len, 0);

	return r < 0 ? r : domain;
}

/* After shim_linux_init (101), before the program's own constructors. */
static void __attribute__((constructor(102))) shim_probe(void)
{
	static const struct nuse_probe_ops ops = {
		.call = probe_call,
		.host_domain = probe_host_domain,
	};
	const char *stack = getenv(NUSE_PRELOAD_ENV_STACK);
	const char *why = NULL;
	int saved = errno;

	if (!stack)
		return; /* not started by nuse-exec */
	app_socket = (int (*)(int, int, int))dlsym(RTLD_DEFAULT, "socket");
	app_close = (int (*)(int))dlsym(RTLD_DEFAULT, "close");
	if (app_socket != socket || app_close != close)
		why = "the program's socket() or close() is not the shim's";
	else
		why = nuse_probe_run(&ops, !strcmp(stack, "linux"));
	if (why) {
		fprintf(stderr,
			"nuse-exec: --mode=preload: %s: not running the program (nuse-exec --check tells what this machine allows)\n",
			why);
		_exit(125);
	}
	errno = saved;
}
