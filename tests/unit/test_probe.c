// SPDX-License-Identifier: GPL-2.0
/*
 * Fail closed (src/tracer/probe.h): nuse_probe_run refuses every way a
 * call can miss nuse, on fake calls, and the probe's number is free on
 * this kernel (ENOSYS natively).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nuse/vfs.h>

#include "../../src/tracer/probe.h"

/* What the fake program side answers. */
static struct {
	long probe_none, probe_fd, sock, domain;
	int closed;
} f;

static long fake_call(long nr, long a0, long a1, long a2)
{
	switch (nr) {
	case NUSE_PROBE_NR:
		return a0 < 0 ? f.probe_none : f.probe_fd;
	case SYS_socket:
		return f.sock;
	case SYS_close:
		f.closed += a0 == f.sock;
		return 0;
	}
	return -ENOSYS;
}

static long fake_domain(long fd)
{
	return f.domain;
}

static const struct nuse_probe_ops ops = { fake_call, fake_domain };

/* Everything as a working --stack=linux answers. */
static void reset(void)
{
	f.probe_none = NUSE_PROBE_REPLY;
	f.probe_fd = NUSE_PROBE_REPLY | 1;
	f.sock = 7;
	f.domain = -ENOTSOCK;
	f.closed = 0;
}

START_TEST(passes_when_calls_reach_the_stack)
{
	reset();
	ck_assert_ptr_null(nuse_probe_run(&ops, true));
	ck_assert_int_eq(f.closed, 1);
	/* the host stack: the socket is the host's, and that is right */
	reset();
	f.probe_fd = NUSE_PROBE_REPLY;
	f.domain = AF_INET;
	ck_assert_ptr_null(nuse_probe_run(&ops, false));
}
END_TEST

START_TEST(refuses_calls_that_reach_the_host)
{
	reset();
	f.probe_none = -ENOSYS;
	ck_assert_ptr_nonnull(nuse_probe_run(&ops, true));
	ck_assert_ptr_nonnull(nuse_probe_run(&ops, false));
	reset();
	f.probe_none = 0;
	ck_assert_ptr_nonnull(nuse_probe_run(&ops, false));
}
END_TEST

START_TEST(refuses_a_socket_that_is_not_the_stacks)
{
	reset();
	f.probe_fd = NUSE_PROBE_REPLY; /* vfs does not know it */
	ck_assert_ptr_nonnull(nuse_probe_run(&ops, true));
	ck_assert_int_eq(f.closed, 1);
	reset();
	f.domain = AF_INET; /* the host kernel knows it */
	ck_assert_ptr_nonnull(nuse_probe_run(&ops, true));
	reset();
	f.sock = -EAFNOSUPPORT;
	ck_assert_ptr_nonnull(nuse_probe_run(&ops, true));
}
END_TEST

START_TEST(probe_number_is_free_natively)
{
	errno = 0;
	ck_assert_int_eq(syscall(NUSE_PROBE_NR, -1L, 0L, 0L), -1);
	ck_assert_int_eq(errno, ENOSYS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, passes_when_calls_reach_the_stack);
	tcase_add_test(tc, refuses_calls_that_reach_the_host);
	tcase_add_test(tc, refuses_a_socket_that_is_not_the_stacks);
	tcase_add_test(tc, probe_number_is_free_natively);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
