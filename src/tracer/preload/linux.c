// SPDX-License-Identifier: GPL-2.0
/*
 * libnuse-preload.so with --stack=linux (NUSE_STACK=linux): forward to the
 * runtime inside nuse-exec's image.
 *
 * nuse-exec loaded this program in its own process and published its
 * runtime's entry in the auxiliary vector (abi.h); the shim's dispatcher
 * then hands every call to it, so the in-process Linux stack, vfs-fd and
 * the dispatcher are the ones the sud modes use.  A program the kernel
 * started by a plain execve (sh running curl, posix_spawn, system) has no
 * such entry: nuse-exec is not in its image.  Its constructor then
 * re-executes it through nuse-exec, as the sud runtime does at execve,
 * before any of the program's code has run.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "preload/abi.h"
#include "rt/dispatch.h"

static void __attribute__((noreturn))
reenter(int argc, char **argv, char **envp)
{
	const char *nuse = getenv(NUSE_PRELOAD_ENV_EXEC);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *session = nuse_preload_session_arg(
		getenv(NUSE_PRELOAD_ENV_SESSION), getpid(), getppid());
	char exe[PATH_MAX];
	char **nargv;
	ssize_t n;
	int k = 0;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	nargv = calloc(argc + 10, sizeof(char *));
	if (!nuse || nuse[0] != '/' || n <= 0 || !nargv) {
		fprintf(stderr,
			"nuse-exec: preload: --stack=linux: cannot re-enter nuse-exec (%s=%s)\n",
			NUSE_PRELOAD_ENV_EXEC, nuse ? nuse : "unset");
		_exit(127);
	}
	exe[n] = '\0';
	nargv[k++] = (char *)nuse;
	nargv[k++] = "--mode=preload";
	nargv[k++] = "--stack=linux";
	if (session)
		nargv[k++] = (char *)session;
	nargv[k++] = "--exec-argv0";
	nargv[k++] = argc > 0 && argv[0] ? argv[0] : "";
	if (execfn) {
		nargv[k++] = "--exec-fn";
		nargv[k++] = (char *)execfn;
	}
	nargv[k++] = "--";
	nargv[k++] = exe;
	for (int i = 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	execve(nuse, nargv, envp);
	fprintf(stderr, "nuse-exec: preload: --stack=linux: %s: %s\n", nuse,
		strerror(errno));
	_exit(127);
}

const struct nuse_preload_rt *nuse_shim_rt;

/* The child's table is made before the fork (see abi.h). */
static __thread long fork_token;

static void before_fork(void)
{
	fork_token = nuse_shim_rt->fork_prepare();
}

static void in_child(void)
{
	nuse_shim_rt->fork_child(fork_token);
}

/*
 * Before the program's constructors that depend on libc (ours depends on
 * libc only), with glibc's (argc, argv, envp) arguments.
 */
static void __attribute__((constructor(101)))
shim_linux_init(int argc, char **argv, char **envp)
{
	const char *stack = getenv(NUSE_PRELOAD_ENV_STACK);
	const struct nuse_preload_rt *rt;

	if (!stack || strcmp(stack, "linux"))
		return;
	rt = (const void *)getauxval(NUSE_AT_PRELOAD_RT);
	if (!rt)
		reenter(argc, argv, envp);
	if (rt->magic != NUSE_PRELOAD_RT_MAGIC ||
	    rt->version != NUSE_PRELOAD_RT_VERSION || rt->size < sizeof(*rt)) {
		fprintf(stderr,
			"nuse-exec: preload: this libnuse-preload.so does not match the nuse-exec that started the program\n");
		_exit(127);
	}
	if (pthread_atfork(before_fork, NULL, in_child)) {
		fprintf(stderr, "nuse-exec: preload: pthread_atfork failed\n");
		_exit(127);
	}
	nuse_shim_rt = rt;
	nuse_dispatch_stack = rt->dispatch;
}
