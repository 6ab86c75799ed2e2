/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seccomp programs nuse loads, built in one place so that a unit test
 * can run them on synthetic seccomp_data records (tests/unit/test_filter.c)
 * on any machine, IA32 emulation or not.  Raw classic BPF rather than
 * libseccomp: built once, loaded with nothing but the seccomp call.
 */
#ifndef NUSE_TRACER_FILTER_H
#define NUSE_TRACER_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

/* SECCOMP_RET_TRAP data of the in-process filter: "NU" */
#define NUSE_FILTER_TRAP_DATA 0x4e55

/*
 * --mode=seccomp: RET_TRAP | NUSE_FILTER_TRAP_DATA for the network calls
 * and the ones the runtime must see, except from [exempt_lo, exempt_hi]
 * (nuse-exec's text, same upper 32 bits); ERRNO(ENOSYS) for io_uring_setup
 * and the refused calls of the other ABIs (abis.h); ALLOW otherwise.
 * NULL with errno set on failure; free() the result.
 */
struct sock_filter *nuse_filter_inproc(uint64_t exempt_lo, uint64_t exempt_hi,
				       unsigned short *len);

/*
 * --mode=ptrace/unotify: @action for the network calls (but close when
 * @skip_close) and the probe; @action | 1 for the i386 calls not refused,
 * which the supervisor lets run; ERRNO(ENOSYS) for the refused ones of
 * i386 and x32; ALLOW otherwise.  io_uring_setup goes to the supervisor,
 * which refuses it.
 */
struct sock_filter *nuse_filter_supervisor(uint32_t action, bool skip_close,
					   unsigned short *len);

#endif
