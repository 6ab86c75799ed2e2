// SPDX-License-Identifier: GPL-2.0
/*
 * --mode=preload --stack=linux, started by nuse-exec's main: the program
 * is loaded in-process exactly as in the sud modes (inproc.c), but no
 * interception is armed: libnuse-preload.so, already in LD_PRELOAD,
 * catches the calls and hands them to this image's runtime (abi.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "../modes.h"
#include "abi.h"
#include "run.h"

int nuse_preload_linux_run(const struct nuse_opts *o,
			   const struct nuse_program *p, char **argv,
			   const char *lib)
{
	char self[PATH_MAX], prog[PATH_MAX], err[512];
	const char *path = p->path;
	struct nuse_program interp;
	ssize_t n;
	int r;

	(void)lib;
	/* A plain execve by the program comes back through here (linux.c). */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "nuse-exec: /proc/self/exe: %s\n",
			strerror(errno));
		return 126;
	}
	self[n] = '\0';
	setenv(NUSE_PRELOAD_ENV_EXEC, self, 1);
	/* consumed (--session): the program's children must not reuse it */
	unsetenv(NUSE_PRELOAD_ENV_SESSION);
	/* a script's /proc/self/exe is its interpreter, as inproc.c loads it */
	if (p->is_script &&
	    !nuse_program_find(p->interp, &interp, err, sizeof(err)))
		path = interp.path;
	if (!realpath(path, prog)) {
		fprintf(stderr, "nuse-exec: %s: %s\n", path, strerror(errno));
		return 126;
	}
	setenv(NUSE_PRELOAD_ENV_PROG, prog, 1);
	r = nuse_preload_rt_init();
	if (r) {
		fprintf(stderr, "nuse-exec: --mode=preload: runtime: %s\n",
			strerror(-r));
		return 125;
	}
	return nuse_inproc_run(o, p, argv, environ);
}

/* "/proc/self/exe" or "/proc/PID/exe" with our own PID (kept by execve). */
static bool names_self_exe(const char *path)
{
	char own[64];

	if (!path)
		return false;
	snprintf(own, sizeof(own), "/proc/%d/exe", (int)getpid());
	return !strcmp(path, "/proc/self/exe") || !strcmp(path, own);
}

void nuse_preload_self_exec(int *argc, char ***argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *prog = getenv(NUSE_PRELOAD_ENV_PROG);
	const char *stack = getenv(NUSE_PRELOAD_ENV_STACK);
	const char *session = nuse_preload_session_arg(
		getenv(NUSE_PRELOAD_ENV_SESSION), getpid(), getppid());
	char **nargv;
	int k = 0;

	if (!names_self_exe(execfn) || !prog || !stack ||
	    strcmp(stack, "linux"))
		return;
	nargv = calloc(*argc + 10, sizeof(char *));
	if (!nargv)
		return;
	nargv[k++] = (*argv)[0] ? (*argv)[0] : "nuse-exec";
	nargv[k++] = "--mode=preload";
	nargv[k++] = "--stack=linux";
	if (session)
		nargv[k++] = (char *)session;
	nargv[k++] = "--exec-argv0";
	nargv[k++] = *argc > 0 && (*argv)[0] ? (*argv)[0] : "";
	nargv[k++] = "--exec-fn";
	nargv[k++] = (char *)execfn;
	nargv[k++] = "--";
	nargv[k++] = (char *)prog;
	for (int i = 1; i < *argc; i++)
		nargv[k++] = (*argv)[i];
	nargv[k] = NULL;
	*argc = k;
	*argv = nargv;
}
