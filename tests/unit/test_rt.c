// SPDX-License-Identifier: GPL-2.0
/* The in-process runtime's building blocks, run in the test's own process. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../src/tracer/netcalls.h"
#include "../../src/tracer/rt/dispatch.h"
#include "../../src/tracer/rt/rt.h"

static bool slow(long nr)
{
	return rt_slow_calls[nr / 64] & (1UL << (nr % 64));
}

START_TEST(bad_pointers_give_efault)
{
	char buf[16];
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(hole, MAP_FAILED);
	ck_assert_int_eq(rt_copy_in(buf, hole, sizeof(buf)), -EFAULT);
	ck_assert_int_eq(rt_copy_out(hole, buf, sizeof(buf)), -EFAULT);
	ck_assert_int_eq(rt_copy_in(buf, "0123456789", 11), 0);
	ck_assert_str_eq(buf, "0123456789");
	munmap(hole, 4096);
}
END_TEST

START_TEST(gate_issues_real_calls)
{
	ck_assert_int_eq(nuse_gate_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0), getpid());
	ck_assert_int_eq(nuse_gate_syscall(SYS_close, -1, 0, 0, 0, 0, 0), -EBADF);
	ck_assert_int_eq(nuse_dispatch(SYS_io_uring_setup, 8, 0, 0, 0, 0, 0), -ENOSYS);
	ck_assert_int_eq(nuse_dispatch(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0) >= 0, 1);
}
END_TEST

START_TEST(classification)
{
	rt_classify_init();
	ck_assert(nuse_is_net_syscall(SYS_socket));
	ck_assert(nuse_is_net_syscall(SYS_recvmmsg));
	ck_assert(nuse_is_net_syscall(SYS_epoll_pwait2));
	ck_assert(!nuse_is_net_syscall(SYS_getppid));
	ck_assert(!nuse_is_net_syscall(SYS_mmap));
	/* The hook's fast path must never see what the runtime adjusts. */
	ck_assert(slow(SYS_rt_sigreturn) && slow(SYS_clone) && slow(SYS_execve));
	ck_assert(slow(SYS_rt_sigprocmask) && slow(SYS_vfork) && slow(SYS_sendto));
	ck_assert(!slow(SYS_getppid) && !slow(SYS_futex) && !slow(SYS_mmap));
}
END_TEST

START_TEST(sigsys_stays_virtual)
{
	struct rt_kernel_sigaction act = { (void *)SIG_IGN, 0, NULL, 0 }, old;
	uint64_t set = 1ULL << (SIGSYS - 1), cur = 0;

	ck_assert_int_eq(rt_thread_init(), 0);
	ck_assert_int_eq(rt_sigaction(SIGSYS, &act, NULL, 8), 0);
	ck_assert_int_eq(rt_sigaction(SIGSYS, NULL, &old, 8), 0);
	ck_assert_ptr_eq(old.handler, (void *)SIG_IGN);
	/* The real action is untouched. */
	ck_assert_int_eq(syscall(SYS_rt_sigaction, SIGSYS, NULL, &old, 8), 0);
	ck_assert_ptr_eq(old.handler, (void *)SIG_DFL);
	ck_assert_int_eq(rt_sigaction(SIGSYS, NULL, &old, 4), -EINVAL);

	/* Blocking SIGSYS is recorded, not done; the program still sees it. */
	ck_assert_int_eq(rt_sigprocmask(SIG_BLOCK, &set, NULL, 8), 0);
	ck_assert_int_eq(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8), 0);
	ck_assert_int_eq(cur & set, 0);
	ck_assert_int_eq(rt_sigprocmask(SIG_BLOCK, NULL, &cur, 8), 0);
	ck_assert_int_eq(cur & set, set);
	ck_assert_int_eq(rt_sigprocmask(SIG_UNBLOCK, &set, NULL, 8), 0);
	ck_assert_int_eq(rt_sigprocmask(SIG_BLOCK, NULL, &cur, 8), 0);
	ck_assert_int_eq(cur & set, 0);
	ck_assert_int_eq(rt_sigprocmask(99, &set, NULL, 8), -EINVAL);
	ck_assert_int_eq(rt_sigprocmask(SIG_BLOCK, (void *)8, NULL, 8), -EFAULT);
}
END_TEST

/* One GS block for the runtime and the stack's host services. */
START_TEST(one_gs_block)
{
	uintptr_t fs = (uintptr_t)__builtin_thread_pointer();
	struct rt_thread *t;

	ck_assert_int_eq(rt_thread_init(), 0);
	t = rt_self();
	ck_assert_ptr_eq(t->host.self, &t->host);
	ck_assert_uint_eq(t->host.fs, fs);
	ck_assert_int_eq(t->host.pid, getpid());
	ck_assert_int_eq(t->host.tid, syscall(SYS_gettid));
	ck_assert_ptr_null(t->host.slot[0]);
	/* ARCH_SET_FS keeps host.fs current (here: to the same value) */
	rt_classify_init();
	ck_assert(slow(SYS_arch_prctl));
	t->host.fs = 0;
	ck_assert_int_eq(rt_syscall(SYS_arch_prctl, 0x1002, fs, 0, 0, 0, 0, 0), 0);
	ck_assert_uint_eq(t->host.fs, fs);
}
END_TEST

static long fake_stack(long nr, long a0, long a1, long a2, long a3, long a4,
		       long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return nr == SYS_socket ? 1000 + a0 : -ENOSYS;
}

START_TEST(dispatch_to_stack)
{
	nuse_dispatch_stack = fake_stack;
	ck_assert_int_eq(nuse_dispatch(SYS_socket, AF_INET, 0, 0, 0, 0, 0),
			 1000 + AF_INET);
	ck_assert_int_eq(nuse_dispatch(SYS_io_uring_setup, 8, 0, 0, 0, 0, 0), -ENOSYS);
	nuse_dispatch_stack = NULL;
	ck_assert_int_eq(nuse_dispatch(SYS_close, -1, 0, 0, 0, 0, 0), -EBADF);
}
END_TEST

START_TEST(strings)
{
	ck_assert_int_eq(rt_strlen("nuse"), 4);
	ck_assert_int_eq(rt_strcmp("/proc/self/exe", "/proc/self/exe"), 0);
	ck_assert_int_ne(rt_strcmp("/proc/self/ex", "/proc/self/exe"), 0);
	ck_assert_int_eq(rt_strncmp("abcd", "abce", 3), 0);
}
END_TEST

START_TEST(stack_procfs_paths)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert(rt_is_stack_proc_path("/proc/net/dev"));
	ck_assert(rt_is_stack_proc_path("/proc/net"));
	ck_assert(rt_is_stack_proc_path("/proc/self/net/tcp6"));
	ck_assert(rt_is_stack_proc_path("/proc/thread-self/net/route"));
	ck_assert(rt_is_stack_proc_path("/proc/sys/net/ipv4/tcp_fin_timeout"));
	ck_assert(!rt_is_stack_proc_path("/proc/network"));
	ck_assert(!rt_is_stack_proc_path("/proc/sys/netx"));
	ck_assert(!rt_is_stack_proc_path("/proc/self/status"));
	ck_assert(!rt_is_stack_proc_path("/proc/1/net/dev")); /* not ours */
	ck_assert(!rt_is_stack_proc_path("proc/net/dev"));    /* relative */
	ck_assert(!rt_is_stack_proc_path("/etc/hosts"));
	ck_assert(!rt_is_stack_proc_path(NULL));
	/* a path ending right before an unmapped page: no fault */
	ck_assert_ptr_ne(page, MAP_FAILED);
	munmap(page + 4096, 4096);
	memcpy(page + 4096 - 10, "/proc/net", 10);
	ck_assert(rt_is_stack_proc_path(page + 4096 - 10));
	memcpy(page + 4096 - 4, "/pro", 4); /* unterminated at the hole */
	ck_assert(!rt_is_stack_proc_path(page + 4096 - 4));
	munmap(page, 4096);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt");
	TCase *tc = tcase_create("runtime");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, bad_pointers_give_efault);
	tcase_add_test(tc, gate_issues_real_calls);
	tcase_add_test(tc, classification);
	tcase_add_test(tc, sigsys_stays_virtual);
	tcase_add_test(tc, one_gs_block);
	tcase_add_test(tc, dispatch_to_stack);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, stack_procfs_paths);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
