/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line contract of nuse-exec, shared by every interception mode. */
#ifndef NUSE_TRACER_OPTIONS_H
#define NUSE_TRACER_OPTIONS_H

#include <stdbool.h>

#include <nuse/backend.h>

enum nuse_mode {
	NUSE_MODE_SUD,
	NUSE_MODE_SUD_TRAP, /* SUD without site rewriting: benchmark reference */
	NUSE_MODE_SECCOMP,
	NUSE_MODE_PTRACE,
	NUSE_MODE_UNOTIFY,
	NUSE_MODE_PRELOAD,
};

enum nuse_stack_kind {
	NUSE_STACK_HOST,
	NUSE_STACK_LINUX,
};

/* Limits of the --stack=linux options (those of nuse-node). */
#define NUSE_OPT_MAX_IFACES 8
#define NUSE_OPT_MAX_SYSCTLS 32

struct nuse_opts {
	enum nuse_mode mode;
	bool mode_given;	/* -m given: no automatic fallback */
	enum nuse_stack_kind stack;
	/* --no-isolate: the program stays in nuse-exec's network namespace */
	bool no_isolate;
	int verbose;
	/*
	 * Internal: argv[0] to give PROGRAM when the runtime re-enters
	 * nuse-exec at the program's execve (NULL: PROGRAM as given).
	 */
	const char *exec_argv0;
	/* Internal: the path the program gave execve (AT_EXECFN, comm). */
	const char *exec_fn;
	/*
	 * Internal: the --stack=linux session an exec'd program joins
	 * instead of booting its own (src/tracer/session.c).
	 */
	const char *session;
	/* Index in argv of PROGRAM; argv[prog_index..] is passed to it. */
	int prog_index;
	/*
	 * --stack=linux only (src/tracer/stack-config.c applies them after
	 * boot; session.c sizes the stack by --mem): -i/--iface, --sysctl
	 * KEY=VALUE, --pcap FILE, --dpdk-args, --mem MIB.
	 * The strings point into argv.
	 */
	struct nuse_iface ifaces[NUSE_OPT_MAX_IFACES];
	int n_ifaces;
	const char *sysctls[NUSE_OPT_MAX_SYSCTLS + 1]; /* NULL-ended */
	int n_sysctls;
	const char *pcap;
	const char *dpdk_args;
	unsigned long mem_mib; /* --mem; 0: the default (session.c) */
	/* the first of those given, for the "needs --stack=linux" message */
	const char *linux_only_opt;
};

enum nuse_parse_result {
	NUSE_PARSE_RUN,
	NUSE_PARSE_HELP,
	NUSE_PARSE_VERSION,
	NUSE_PARSE_CHECK,	/* --check: report what this machine allows */
	NUSE_PARSE_ERROR,
};

/*
 * Parse nuse-exec's argv.  On NUSE_PARSE_ERROR a one-line message naming
 * the offending option has been written to @err (size @errlen).
 */
/* nuse-exec --help, and the two lines printed after a usage error. */
extern const char nuse_usage_text[];
extern const char nuse_usage_short[];

enum nuse_parse_result nuse_parse_args(int argc, char **argv,
				       struct nuse_opts *o, char *err,
				       unsigned long errlen);
const char *nuse_mode_name(enum nuse_mode m);
int nuse_mode_from_name(const char *name, enum nuse_mode *m);

#endif
