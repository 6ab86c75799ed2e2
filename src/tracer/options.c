// SPDX-License-Identifier: GPL-2.0
/* Parsing of nuse-exec's command line (no global state: unit-tested). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const struct {
	const char *name;
	enum nuse_mode mode;
} mode_names[] = {
	{ "sud", NUSE_MODE_SUD },	  { "sud-trap", NUSE_MODE_SUD_TRAP },
	{ "seccomp", NUSE_MODE_SECCOMP }, { "ptrace", NUSE_MODE_PTRACE },
	{ "unotify", NUSE_MODE_UNOTIFY }, { "preload", NUSE_MODE_PRELOAD },
};

const char *nuse_mode_name(enum nuse_mode m)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (mode_names[i].mode == m)
			return mode_names[i].name;
	return "?";
}

int nuse_mode_from_name(const char *name, enum nuse_mode *m)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(mode_names[i].name, name)) {
			*m = mode_names[i].mode;
			return 0;
		}
	}
	return -1;
}

/*
 * --help: one option a line, its text from column 25, every line within
 * 80 columns (tests/unit/test_options.c checks it). docs/nuse-exec.1 and
 * contrib/bash-completion/nuse-exec list the same options.
 */
const char nuse_usage_text[] =
	"Usage: nuse-exec [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"Run PROGRAM with its network system calls served by nuse.\n"
	"\n"
	"Interception and stack:\n"
	"  -m, --mode=MODE       interception mode (default: sud):\n"
	"                          sud       syscall user dispatch, sites\n"
	"                                    rewritten on first use\n"
	"                          sud-trap  syscall user dispatch, every call\n"
	"                                    traps (reference)\n"
	"                          seccomp   seccomp RET_TRAP on network and\n"
	"                                    descriptor calls\n"
	"                          ptrace    supervisor process, ptrace\n"
	"                          unotify   supervisor process, seccomp user\n"
	"                                    notification\n"
	"                          preload   LD_PRELOAD shim (dynamic programs)\n"
	"  -s, --stack=STACK     stack serving the calls (default: linux):\n"
	"                          linux     Linux 6.12, one stack per session,\n"
	"                                    loopback only unless -i is given\n"
	"                          host      the host kernel's (interception\n"
	"                                    only)\n"
	"      --no-isolate      with --stack=linux, keep the program in the\n"
	"                        host's network namespace (default: one of its\n"
	"                        own, so a call that escapes interception finds\n"
	"                        no network)\n"
	"With --stack=linux only (the syntax of nuse-node):\n"
	"  -i, --iface=BACKEND:SPEC[,ip=A/L][,ip6=A/L][,gw=A][,gw6=A][,mac=M][,mtu=N]\n"
	"                        attach a link (tap:NAME, packet:IFACE,\n"
	"                        dpdk:DEVARGS, shm:NAME) as eth0, eth1, ...\n"
	"                        (repeatable)\n"
	"      --sysctl=KEY=VALUE  set a sysctl of the stack before the links\n"
	"                        are attached, e.g.\n"
	"                        net.ipv4.tcp_congestion_control=bbr\n"
	"      --pcap=FILE       capture the links' frames (FILE, FILE.1, ...)\n"
	"      --dpdk-args=ARGS  EAL arguments for dpdk: links (space separated)\n"
	"      --mem=MIB         the stack's memory in MiB (16-65536; default\n"
	"                        512; 100k TCP connections need ~700 more)\n"
	"General:\n"
	"  -v, --verbose         say what nuse does (repeat for more)\n"
	"      --check           tell what this machine allows, mode by mode,\n"
	"                        and exit\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"PROGRAM is found through PATH as execvp does. The exit status is\n"
	"PROGRAM's; 127 if it is not found, 126 if it cannot be executed, 2 for\n"
	"bad options, 125 if nuse itself fails (it never runs a program whose\n"
	"network calls would reach the host). More: man nuse-exec.\n";

/* After an error: the synopsis and where the options are. */
const char nuse_usage_short[] =
	"Usage: nuse-exec [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"Try 'nuse-exec --help' for the options.\n";

enum { O_SYSCTL = 256, O_PCAP, O_DPDK_ARGS, O_CHECK, O_NO_ISOLATE, O_MEM };

/*
 * The options of the in-process Linux stack, with nuse-node's syntax and
 * limits (src/stack/tools/nuse-node.c): the --iface value goes through
 * the backend layer's own parser, so both tools accept the same strings
 * and say the same things about bad ones.  Only the syntax is checked
 * here; stack-config.c applies them once the stack is up.
 */
static int linux_opt(struct nuse_opts *o, int c, const char *name,
		     const char *arg, char *err, unsigned long errlen)
{
	if (!o->linux_only_opt)
		o->linux_only_opt = name;
	switch (c) {
	case 'i':
		if (o->n_ifaces == NUSE_OPT_MAX_IFACES) {
			snprintf(err, errlen, "--iface: more than %d interfaces at '%s'",
				 NUSE_OPT_MAX_IFACES, arg);
			return -1;
		}
		/* its message already starts with "--iface:" */
		return nuse_iface_parse(arg, &o->ifaces[o->n_ifaces++], err, errlen);
	case O_SYSCTL:
		if (!strchr(arg, '=') || *arg == '=') {
			snprintf(err, errlen, "--sysctl: expected KEY=VALUE, got '%s'", arg);
			return -1;
		}
		if (o->n_sysctls == NUSE_OPT_MAX_SYSCTLS) {
			snprintf(err, errlen, "--sysctl: more than %d at '%s'",
				 NUSE_OPT_MAX_SYSCTLS, arg);
			return -1;
		}
		o->sysctls[o->n_sysctls++] = arg;
		return 0;
	case O_PCAP:
		if (!*arg) {
			snprintf(err, errlen, "--pcap: empty file name");
			return -1;
		}
		o->pcap = arg;
		return 0;
	case O_DPDK_ARGS:
		o->dpdk_args = arg;
		return 0;
	case O_MEM: {
		char *end;
		unsigned long v = strtoul(arg, &end, 10);

		/* nuse-node's limits */
		if (!*arg || *end || *arg == '-' || v < 16 || v > 65536) {
			snprintf(err, errlen,
				 "--mem: bad size in MiB '%s' (16-65536)", arg);
			return -1;
		}
		o->mem_mib = v;
		return 0;
	}
	}
	return -1;
}

enum nuse_parse_result nuse_parse_args(int argc, char **argv,
				       struct nuse_opts *o, char *err,
				       unsigned long errlen)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "stack", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "exec-argv0", required_argument, NULL, 'A' },
		{ "exec-fn", required_argument, NULL, 'F' },
		{ "session", required_argument, NULL, 'S' },
		{ "iface", required_argument, NULL, 'i' },
		{ "sysctl", required_argument, NULL, O_SYSCTL },
		{ "pcap", required_argument, NULL, O_PCAP },
		{ "dpdk-args", required_argument, NULL, O_DPDK_ARGS },
		{ "mem", required_argument, NULL, O_MEM },
		{ "check", no_argument, NULL, O_CHECK },
		{ "no-isolate", no_argument, NULL, O_NO_ISOLATE },
		{ NULL, 0, NULL, 0 },
	};
	int c, li;

	memset(o, 0, sizeof(*o));
	o->mode = NUSE_MODE_SUD;
	o->stack = NUSE_STACK_LINUX;
	err[0] = '\0';

	/* '+': stop at the first non-option so PROGRAM's own options stay its own. */
	optind = 1;
	opterr = 0;
	while ((li = -1, c = getopt_long(argc, argv, "+:m:s:vhVi:", longopts,
					     &li)) != -1) {
		switch (c) {
		case 'm':
			if (nuse_mode_from_name(optarg, &o->mode)) {
				snprintf(err, errlen,
					 "--mode: unknown mode '%s' (sud, sud-trap, seccomp, ptrace, unotify, preload)",
					 optarg);
				return NUSE_PARSE_ERROR;
			}
			o->mode_given = true;
			break;
		case 's':
			if (!strcmp(optarg, "host")) {
				o->stack = NUSE_STACK_HOST;
			} else if (!strcmp(optarg, "linux")) {
				o->stack = NUSE_STACK_LINUX;
			} else {
				snprintf(err, errlen,
					 "--stack: unknown stack '%s' (host, linux)",
					 optarg);
				return NUSE_PARSE_ERROR;
			}
			break;
		case 'A':
			o->exec_argv0 = optarg;
			break;
		case 'F':
			o->exec_fn = optarg;
			break;
		case 'S':
			o->session = optarg;
			break;
		case 'i':
		case O_SYSCTL:
		case O_PCAP:
		case O_DPDK_ARGS:
		case O_MEM:
			if (linux_opt(o, c, li >= 0 ? longopts[li].name : "iface",
				      optarg, err, errlen))
				return NUSE_PARSE_ERROR;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			return NUSE_PARSE_HELP;
		case 'V':
			return NUSE_PARSE_VERSION;
		case O_CHECK:
			return NUSE_PARSE_CHECK;
		case O_NO_ISOLATE:
			o->no_isolate = true;
			break;
		case ':':
			snprintf(err, errlen, "%s: needs a value",
				 argv[optind - 1]);
			return NUSE_PARSE_ERROR;
		default:
			if (optopt)
				snprintf(err, errlen, "-%c: unknown option", optopt);
			else
				snprintf(err, errlen, "%s: unknown option",
					 argv[optind - 1]);
			return NUSE_PARSE_ERROR;
		}
	}
	if (optind >= argc) {
		snprintf(err, errlen,
			 "no PROGRAM given: name it after the options, e.g. nuse-exec -- ip addr");
		return NUSE_PARSE_ERROR;
	}
	if (o->linux_only_opt && o->stack != NUSE_STACK_LINUX) {
		snprintf(err, errlen, "--%s: needs --stack=linux",
			 o->linux_only_opt);
		return NUSE_PARSE_ERROR;
	}
	o->prog_index = optind;
	return NUSE_PARSE_RUN;
}
