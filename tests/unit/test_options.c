// SPDX-License-Identifier: GPL-2.0
/* nuse-exec's command-line contract. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tracer/options.h"

static enum nuse_parse_result parse(struct nuse_opts *o, char *err, int argc, ...)
{
	char *argv[24];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return nuse_parse_args(argc, argv, o, err, 256);
}

START_TEST(defaults)
{
	struct nuse_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, 2, "nuse-exec", "prog"), NUSE_PARSE_RUN);
	ck_assert_int_eq(o.mode, NUSE_MODE_SUD);
	ck_assert_int_eq(o.stack, NUSE_STACK_LINUX);
	ck_assert_int_eq(o.prog_index, 1);
}
END_TEST

START_TEST(modes_and_program_options)
{
	struct nuse_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, 6, "nuse-exec", "--mode=seccomp", "-v",
			       "--", "ls", "-l"), NUSE_PARSE_RUN);
	ck_assert_int_eq(o.mode, NUSE_MODE_SECCOMP);
	ck_assert_int_eq(o.verbose, 1);
	ck_assert_int_eq(o.prog_index, 4);
	/* Options after PROGRAM belong to PROGRAM. */
	ck_assert_int_eq(parse(&o, err, 5, "nuse-exec", "-m", "ptrace", "ls", "-v"),
			 NUSE_PARSE_RUN);
	ck_assert_int_eq(o.mode, NUSE_MODE_PTRACE);
	ck_assert_int_eq(o.verbose, 0);
	ck_assert_int_eq(o.prog_index, 3);
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--stack=linux", "x"),
			 NUSE_PARSE_RUN);
	ck_assert_int_eq(o.stack, NUSE_STACK_LINUX);
}
END_TEST

START_TEST(errors_name_the_option)
{
	struct nuse_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--mode=bogus", "ls"),
			 NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--mode"));
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--stack=bsd", "ls"),
			 NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--stack"));
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--frobnicate", "ls"),
			 NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--frobnicate"));
	ck_assert_int_eq(parse(&o, err, 2, "nuse-exec", "-m"), NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "-m"));
	ck_assert_int_eq(parse(&o, err, 1, "nuse-exec"), NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "PROGRAM"));
}
END_TEST

START_TEST(help_and_version)
{
	struct nuse_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, 2, "nuse-exec", "--help"), NUSE_PARSE_HELP);
	ck_assert_int_eq(parse(&o, err, 2, "nuse-exec", "-V"), NUSE_PARSE_VERSION);
}
END_TEST

/* Every line of --help and of the short usage fits 80 columns. */
static void check_width(const char *text)
{
	const char *line = text, *nl;

	while ((nl = strchr(line, '\n'))) {
		ck_assert_msg(nl - line <= 80, "%d columns: %.*s", (int)(nl - line),
			      (int)(nl - line), line);
		line = nl + 1;
	}
	ck_assert_msg(!*line, "--help does not end with a newline");
}

START_TEST(help_fits_80_columns)
{
	static const char *const opts[] = { "--mode=", "--stack=", "--iface=",
					    "--sysctl=", "--pcap=", "--dpdk-args=",
					    "--mem=", "--verbose", "--help",
					    "--version" };

	check_width(nuse_usage_text);
	check_width(nuse_usage_short);
	for (unsigned int i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		ck_assert_msg(strstr(nuse_usage_text, opts[i]), "--help lacks %s",
			      opts[i]);
}
END_TEST

START_TEST(mode_names_round_trip)
{
	static const char *names[] = { "sud", "sud-trap", "seccomp", "ptrace",
				       "unotify", "preload" };
	enum nuse_mode m;

	for (unsigned int i = 0; i < 6; i++) {
		ck_assert_int_eq(nuse_mode_from_name(names[i], &m), 0);
		ck_assert_str_eq(nuse_mode_name(m), names[i]);
	}
	ck_assert_int_eq(nuse_mode_from_name("SUD", &m), -1);
}
END_TEST

START_TEST(mem_option)
{
	struct nuse_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "prog", "x"), NUSE_PARSE_RUN);
	ck_assert_int_eq(o.mem_mib, 0); /* session.c's default */
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--mem=1024", "prog"),
			 NUSE_PARSE_RUN);
	ck_assert_int_eq(o.mem_mib, 1024);
	ck_assert_int_eq(parse(&o, err, 4, "nuse-exec", "--mem", "16", "prog"),
			 NUSE_PARSE_RUN);
	ck_assert_int_eq(o.mem_mib, 16);
	/* nuse-node's limits, one line naming the option */
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--mem=15", "prog"),
			 NUSE_PARSE_ERROR);
	ck_assert_str_eq(err, "--mem: bad size in MiB '15' (16-65536)");
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--mem=65537", "prog"),
			 NUSE_PARSE_ERROR);
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--mem=1G", "prog"),
			 NUSE_PARSE_ERROR);
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--mem=-1", "prog"),
			 NUSE_PARSE_ERROR);
	ck_assert_int_eq(parse(&o, err, 4, "nuse-exec", "--stack=host",
			       "--mem=64", "prog"), NUSE_PARSE_ERROR);
	ck_assert_str_eq(err, "--mem: needs --stack=linux");
}
END_TEST

START_TEST(linux_stack_options)
{
	struct nuse_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, 11, "nuse-exec", "--stack=linux",
			       "-i", "tap:nt0,ip=10.0.0.2/24,gw=10.0.0.1",
			       "--iface=packet:veth0,ip6=fd00::2/64",
			       "--sysctl", "net.ipv4.ping_group_range=0 0",
			       "--pcap=/tmp/x.pcap", "--dpdk-args", "--no-huge -m 64",
			       "prog"),
			 NUSE_PARSE_RUN);
	ck_assert_int_eq(o.n_ifaces, 2);
	ck_assert_str_eq(o.ifaces[0].spec, "tap:nt0");
	ck_assert(o.ifaces[0].has_ip && o.ifaces[0].has_gw);
	ck_assert_int_eq(o.ifaces[0].prefix, 24);
	ck_assert_str_eq(o.ifaces[1].spec, "packet:veth0");
	ck_assert(o.ifaces[1].has_ip6);
	ck_assert_int_eq(o.n_sysctls, 1);
	ck_assert_str_eq(o.sysctls[0], "net.ipv4.ping_group_range=0 0");
	ck_assert_ptr_null(o.sysctls[1]);
	ck_assert_str_eq(o.pcap, "/tmp/x.pcap");
	ck_assert_str_eq(o.dpdk_args, "--no-huge -m 64");
	ck_assert_int_eq(o.prog_index, 10);
	/* the stack's options with --stack=host: refused */
	ck_assert_int_eq(parse(&o, err, 4, "nuse-exec", "--pcap=x", "--stack=host",
			       "prog"), NUSE_PARSE_ERROR);
	ck_assert_str_eq(err, "--pcap: needs --stack=linux");
	ck_assert_int_eq(parse(&o, err, 5, "nuse-exec", "-i", "tap:a",
			       "--stack=host", "prog"), NUSE_PARSE_ERROR);
	ck_assert_str_eq(err, "--iface: needs --stack=linux");
	/* ... and without --stack: the default is linux */
	ck_assert_int_eq(parse(&o, err, 4, "nuse-exec", "-i", "tap:a", "prog"),
			 NUSE_PARSE_RUN);
	/* bad values name the option */
	ck_assert_int_eq(parse(&o, err, 5, "nuse-exec", "--stack=linux", "-i",
			       "tap:a,ip=1.2.3.4", "prog"), NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--iface: ip '1.2.3.4'"));
	ck_assert_int_eq(parse(&o, err, 5, "nuse-exec", "--stack=linux", "-i",
			       "wire:a", "prog"), NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--iface: unknown backend 'wire'"));
	ck_assert_int_eq(parse(&o, err, 5, "nuse-exec", "--stack=linux",
			       "--sysctl", "=1", "prog"), NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--sysctl: expected KEY=VALUE"));
	ck_assert_int_eq(parse(&o, err, 3, "nuse-exec", "--stack=linux", "--iface"),
			 NUSE_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--iface"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, modes_and_program_options);
	tcase_add_test(tc, errors_name_the_option);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, help_fits_80_columns);
	tcase_add_test(tc, mode_names_round_trip);
	tcase_add_test(tc, linux_stack_options);
	tcase_add_test(tc, mem_option);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
