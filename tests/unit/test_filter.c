// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp programs nuse loads (src/tracer/filter.c), run on synthetic
 * seccomp_data records by a classic-BPF interpreter of our own, so what
 * the filters do with the i386 and x32 ABIs is checked on every machine,
 * with or without IA32 emulation; and the runtime's own classification
 * (abis.h, used by the SUD handler and the supervisors) agrees with them.
 */
#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <nuse/vfs.h>

#include "../../src/tracer/abis.h"
#include "../../src/tracer/filter.h"
#include "../../src/tracer/netcalls.h"

#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)
#define TRAP_RET (SECCOMP_RET_TRAP | NUSE_FILTER_TRAP_DATA)
#define EXEMPT_LO 0x20000000ULL
#define EXEMPT_HI 0x20400000ULL
#define PROG_IP 0x401000ULL

/*
 * The subset of classic BPF that seccomp accepts and our programs use,
 * checked as the kernel's seccomp_check_filter would: loads of aligned
 * words of seccomp_data, ALU on A with constants, conditional and
 * unconditional jumps forward and in range, RET of a constant or A.
 */
static uint32_t run(const struct sock_filter *f, unsigned int len,
		    const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0;
	unsigned int pc = 0;

	(void)x;
	while (pc < len) {
		const struct sock_filter *i = &f[pc++];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_uint_eq(i->k % 4, 0);
			ck_assert_uint_lt(i->k, sizeof(*d));
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= i->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			ck_abort_msg("instruction %u: code %#x not allowed",
				     pc - 1, i->code);
		}
	}
	ck_abort_msg("ran off the end of the program");
	return 0;
}

static struct sock_filter *inproc;
static unsigned short inproc_len;
static struct sock_filter *sup, *sup_noclose;
static unsigned short sup_len, sup_noclose_len;

static void setup(void)
{
	inproc = nuse_filter_inproc(EXEMPT_LO, EXEMPT_HI, &inproc_len);
	sup = nuse_filter_supervisor(SECCOMP_RET_TRACE, false, &sup_len);
	sup_noclose = nuse_filter_supervisor(SECCOMP_RET_USER_NOTIF, true,
					     &sup_noclose_len);
	ck_assert_ptr_nonnull(inproc);
	ck_assert_ptr_nonnull(sup);
	ck_assert_ptr_nonnull(sup_noclose);
}

static void teardown(void)
{
	free(inproc);
	free(sup);
	free(sup_noclose);
}

static uint32_t in(uint32_t arch, int nr, uint64_t ip)
{
	struct seccomp_data d = { .nr = nr,
				  .arch = arch,
				  .instruction_pointer = ip };

	return run(inproc, inproc_len, &d);
}

static uint32_t sv(const struct sock_filter *f, unsigned short len,
		   uint32_t arch, int nr)
{
	struct seccomp_data d = { .nr = nr,
				  .arch = arch,
				  .instruction_pointer = PROG_IP };

	return run(f, len, &d);
}

START_TEST(inproc_i386)
{
	/* socketcall, socket, connect, sendmsg: what a program would use */
	static const int net[] = { 102, 359, 362, 370, 345, 337 };

	for (unsigned int i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
		ck_assert_uint_eq(in(AUDIT_ARCH_I386, net[i], PROG_IP),
				  ENOSYS_RET);
		/* from nuse-exec's text too: the ABI is checked first */
		ck_assert_uint_eq(in(AUDIT_ARCH_I386, net[i], EXEMPT_LO),
				  ENOSYS_RET);
	}
	/* leaving interception: execve, fork, clone, prctl, rt_sigaction */
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 11, PROG_IP), ENOSYS_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 2, PROG_IP), ENOSYS_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 120, PROG_IP), ENOSYS_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 172, PROG_IP), ENOSYS_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 174, PROG_IP), ENOSYS_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 425, PROG_IP), ENOSYS_RET);
	/* getpid (20), write (4), exit (1): to the host as they are */
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 20, PROG_IP), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 4, PROG_IP), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, 1, PROG_IP), SECCOMP_RET_ALLOW);
	/* i386 41 is dup, not socket: no x86-64 number applies */
	ck_assert_uint_eq(in(AUDIT_ARCH_I386, SYS_socket, PROG_IP),
			  SECCOMP_RET_ALLOW);
}
END_TEST

START_TEST(inproc_x32)
{
	static const int nrs[] = { SYS_socket,	      SYS_connect,
				   SYS_read,	      SYS_getpid,
				   519 /* recvmsg */, 520 /* execve */,
				   SYS_io_uring_setup };

	for (unsigned int i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, NUSE_X32_BIT | nrs[i],
				     PROG_IP),
				  ENOSYS_RET);
		ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, NUSE_X32_BIT | nrs[i],
				     EXEMPT_HI),
				  ENOSYS_RET);
	}
}
END_TEST

START_TEST(inproc_x86_64)
{
	for (unsigned int i = 0; i < nuse_net_syscalls_count; i++) {
		int nr = nuse_net_syscalls[i];
		uint32_t want = nr == SYS_io_uring_setup ? ENOSYS_RET :
							   TRAP_RET;

		ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, nr, PROG_IP), want);
		/* nuse-exec's text is exempt (filter.h), io_uring_setup not */
		ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, nr, EXEMPT_LO),
				  nr == SYS_io_uring_setup ? ENOSYS_RET :
							     SECCOMP_RET_ALLOW);
	}
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, SYS_execve, PROG_IP), TRAP_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, SYS_prctl, PROG_IP), TRAP_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, NUSE_PROBE_NR, PROG_IP),
			  TRAP_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, SYS_getpid, PROG_IP),
			  SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, SYS_socket, EXEMPT_HI + 1),
			  TRAP_RET);
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, SYS_socket, EXEMPT_LO - 1),
			  TRAP_RET);
	/* same low 32 bits as the exempt text, another upper half */
	ck_assert_uint_eq(in(AUDIT_ARCH_X86_64, SYS_socket,
			     (1ULL << 32) | EXEMPT_LO),
			  TRAP_RET);
	/* no other ABI exists on x86-64 */
	ck_assert_uint_eq(in(AUDIT_ARCH_AARCH64, SYS_getpid, PROG_IP),
			  SECCOMP_RET_KILL_PROCESS);
}
END_TEST

START_TEST(supervisor_abis)
{
	const struct {
		struct sock_filter *f;
		unsigned short len;
		uint32_t action;
	} fs[] = { { sup, sup_len, SECCOMP_RET_TRACE },
		   { sup_noclose, sup_noclose_len, SECCOMP_RET_USER_NOTIF } };

	for (unsigned int k = 0; k < 2; k++) {
		const struct sock_filter *f = fs[k].f;
		unsigned short len = fs[k].len;
		uint32_t act = fs[k].action;

		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_I386, 102), ENOSYS_RET);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_I386, 359), ENOSYS_RET);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_I386, 20), act | 1);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_X86_64,
				     NUSE_X32_BIT | SYS_socket),
				  ENOSYS_RET);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_X86_64, SYS_socket),
				  act);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_X86_64, NUSE_PROBE_NR),
				  act);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_X86_64, SYS_getpid),
				  SECCOMP_RET_ALLOW);
		/* the supervisor refuses it (serve.c) and logs it */
		ck_assert_uint_eq(
			sv(f, len, AUDIT_ARCH_X86_64, SYS_io_uring_setup), act);
		ck_assert_uint_eq(sv(f, len, AUDIT_ARCH_X86_64, SYS_close),
				  k ? SECCOMP_RET_ALLOW : act);
	}
}
END_TEST

static uint32_t sv_args(const struct sock_filter *f, unsigned short len,
			int nr, uint64_t a0, uint64_t a1)
{
	struct seccomp_data d = { .nr = nr,
				  .arch = AUDIT_ARCH_X86_64,
				  .instruction_pointer = PROG_IP,
				  .args = { a0, a1 } };

	return run(f, len, &d);
}

/* prctl(PR_SET_DUMPABLE, 0) returns 0 unrun; every other prctl runs. */
START_TEST(supervisor_keeps_dumpable)
{
	const struct sock_filter *fs[] = { sup, sup_noclose };
	const unsigned short lens[] = { sup_len, sup_noclose_len };

	for (unsigned int k = 0; k < 2; k++) {
		const struct sock_filter *f = fs[k];
		unsigned short len = lens[k];

		ck_assert_uint_eq(sv_args(f, len, SYS_prctl, PR_SET_DUMPABLE, 0),
				  SECCOMP_RET_ERRNO | 0);
		ck_assert_uint_eq(sv_args(f, len, SYS_prctl, PR_SET_DUMPABLE, 1),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(sv_args(f, len, SYS_prctl, PR_SET_DUMPABLE,
					  1ULL << 32),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(sv_args(f, len, SYS_prctl, PR_GET_DUMPABLE, 0),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(sv_args(f, len, SYS_prctl, PR_SET_NAME, 0),
				  SECCOMP_RET_ALLOW);
		/* the same numbers on another call: no effect */
		ck_assert_uint_eq(sv_args(f, len, SYS_getpid, PR_SET_DUMPABLE, 0),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(sv_args(f, len, SYS_socket, PR_SET_DUMPABLE, 0),
				  k ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_TRACE);
	}
}
END_TEST

/* The SUD handler and the supervisors decide with abis.h: the same. */
START_TEST(runtime_agrees_with_filters)
{
	for (int nr = 0; nr < 512; nr++) {
		bool refused = nuse_i386_refused(nr);

		ck_assert_uint_eq(in(AUDIT_ARCH_I386, nr, PROG_IP) ==
					  ENOSYS_RET,
				  refused);
		ck_assert_uint_eq(sv(sup, sup_len, AUDIT_ARCH_I386, nr) ==
					  ENOSYS_RET,
				  refused);
		ck_assert(nuse_x32_refused(NUSE_X32_BIT | nr));
		ck_assert(!nuse_x32_refused(nr));
	}
	/* every socket call of the i386 table (Linux 4.3+) */
	for (int nr = 359; nr <= 373; nr++)
		ck_assert(nuse_i386_refused(nr));
	ck_assert(nuse_i386_refused(102));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("filter");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, inproc_i386);
	tcase_add_test(tc, inproc_x32);
	tcase_add_test(tc, inproc_x86_64);
	tcase_add_test(tc, supervisor_abis);
	tcase_add_test(tc, supervisor_keeps_dumpable);
	tcase_add_test(tc, runtime_agrees_with_filters);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
