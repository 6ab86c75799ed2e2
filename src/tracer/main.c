// SPDX-License-Identifier: GPL-2.0
/* nuse-exec: run an unmodified program with its network calls intercepted. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "machine.h"
#include "modes.h"
#include "paths.h"
#include "preload/run.h"

/*
 * What this machine lacks (machine.h): fall back where nuse can, and say
 * so under -v; refuse (125) where it cannot.
 */
static int machine_fallbacks(struct nuse_opts *o)
{
	struct nuse_machine m;
	bool inproc = o->mode == NUSE_MODE_SUD || o->mode == NUSE_MODE_SUD_TRAP ||
		      o->mode == NUSE_MODE_SECCOMP || o->mode == NUSE_MODE_PRELOAD;

	nuse_machine_quick(&m);
	if (!m.sud && (o->mode == NUSE_MODE_SUD || o->mode == NUSE_MODE_SUD_TRAP)) {
		if (o->mode_given) {
			fprintf(stderr,
				"nuse-exec: --mode=%s: this kernel has no syscall user dispatch (Linux 5.11): use --mode=seccomp\n",
				nuse_mode_name(o->mode));
			return 125;
		}
		o->mode = NUSE_MODE_SECCOMP;
		if (o->verbose)
			fprintf(stderr,
				"nuse-exec: no syscall user dispatch (Linux 5.11): --mode=seccomp\n");
	}
	if (inproc && !m.fsgsbase_used && o->verbose)
		fprintf(stderr, "nuse-exec: GS set with arch_prctl: %s\n",
			m.fsgsbase ? "NUSE_NO_FSGSBASE is set" :
				     "no FSGSBASE in AT_HWCAP2");
	return 0;
}

/* Die the way the child died so a shell sees the same status. */
static int exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		struct rlimit no_core = { 0, 0 };
		int sig = WTERMSIG(status);
		sigset_t set;

		/* The program dumped its own core, if any: not a second one. */
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), sig);
		return 128 + sig;
	}
	return WEXITSTATUS(status);
}

static int find_preload_lib(char *out, size_t len)
{
	char self[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	return nuse_find_preload(n > 0 ? self : NULL, NUSE_BINDIR,
				 NUSE_PKGLIBDIR, out, len);
}

static int run_preload(const struct nuse_opts *o, const struct nuse_program *p,
		       char **argv)
{
	char lib[PATH_MAX + 64], *old;
	char *val;

	if (!p->is_dynamic && !p->is_script) {
		fprintf(stderr,
			"nuse-exec: %s: statically linked: --mode=preload needs a dynamic program; use --mode=sud, seccomp, ptrace or unotify\n",
			p->path);
		return 126;
	}
	if (find_preload_lib(lib, sizeof(lib))) {
		fprintf(stderr,
			"nuse-exec: --mode=preload: %s: not found (reinstall nuse, or set NUSE_PRELOAD_LIB to the library)\n",
			lib);
		return 125;
	}
	if (o->verbose)
		fprintf(stderr, "nuse-exec: preload library %s\n", lib);
	old = getenv("LD_PRELOAD");
	if (old && !strncmp(old, lib, strlen(lib)) &&
	    (old[strlen(lib)] == ':' || !old[strlen(lib)]))
		val = old; /* re-entered from the shim: it is first already */
	else if (asprintf(&val, "%s%s%s", lib, old && *old ? ":" : "",
			  old ? old : "") < 0)
		return 125;
	setenv("LD_PRELOAD", val, 1);
	setenv("NUSE_STACK", o->stack == NUSE_STACK_LINUX ? "linux" : "host", 1);
	if (o->stack == NUSE_STACK_LINUX)
		return nuse_preload_linux_run(o, p, argv, lib);
	execv(p->path, argv);
	fprintf(stderr, "nuse-exec: %s: %s\n", p->path, strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	struct nuse_opts o;
	struct nuse_program prog;
	char err[512];
	int r;

	nuse_preload_self_exec(&argc, &argv);
	switch (nuse_parse_args(argc, argv, &o, err, sizeof(err))) {
	case NUSE_PARSE_HELP:
		fputs(nuse_usage_text, stdout);
		return 0;
	case NUSE_PARSE_VERSION:
		printf("nuse-exec %s\n", PACKAGE_VERSION);
		return 0;
	case NUSE_PARSE_CHECK:
		return nuse_check("/proc/self/exe", o.verbose);
	case NUSE_PARSE_ERROR:
		fprintf(stderr, "nuse-exec: %s\n%s", err, nuse_usage_short);
		return 2;
	case NUSE_PARSE_RUN:
		break;
	}
	r = machine_fallbacks(&o);
	if (r)
		return r;
	r = nuse_program_find(argv[o.prog_index], &prog, err, sizeof(err));
	if (r) {
		fprintf(stderr, "nuse-exec: %s\n", err);
		return r;
	}
	if (o.verbose)
		fprintf(stderr, "nuse-exec: %s (%s%s) mode=%s\n", prog.path,
			prog.is_script ? "script" : prog.is_dynamic ? "dynamic" : "static",
			prog.is_pie ? ", pie" : "", nuse_mode_name(o.mode));

	switch (o.mode) {
	case NUSE_MODE_SUD:
	case NUSE_MODE_SUD_TRAP:
	case NUSE_MODE_SECCOMP:
		return nuse_inproc_run(&o, &prog, argv + o.prog_index, environ);
	case NUSE_MODE_PTRACE:
		r = nuse_ptrace_run(&o, &prog, argv + o.prog_index, environ);
		break;
	case NUSE_MODE_UNOTIFY:
		r = nuse_unotify_run(&o, &prog, argv + o.prog_index, environ);
		break;
	case NUSE_MODE_PRELOAD:
		return run_preload(&o, &prog, argv + o.prog_index);
	}
	/* r < 0: the supervisor said why */
	return r < 0 ? 125 : exit_like(r);
}
