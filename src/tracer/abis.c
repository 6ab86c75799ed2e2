// SPDX-License-Identifier: GPL-2.0
#include "abis.h"

/* One list, expanded into the table the filters use and a switch. */
#define NUSE_I386_REFUSED(X)                                                  \
	/* socketcall(2) multiplexes every socket call: one number */         \
	X(102)                                                                \
	/* socket ... shutdown (Linux 4.3), recvmmsg, sendmmsg, time64 */     \
	X(359) X(360) X(361) X(362) X(363) X(364) X(365) X(366) X(367)        \
	X(368) X(369) X(370) X(371) X(372) X(373) X(337) X(345) X(417)        \
	/* io_uring_setup, _enter, _register: I/O no filter sees */           \
	X(425) X(426) X(427)                                                  \
	/* fork, execve, clone, vfork, execveat, clone3: a task or an image */\
	/* the runtime would not follow */                                    \
	X(2) X(11) X(120) X(190) X(358) X(435)                                \
	/* prctl (SUD off), seccomp, signal, sigaction, rt_sigaction */      \
	X(172) X(354) X(48) X(67) X(174)                                      \
	/* ptrace, process_vm_readv/writev, pidfd_getfd, setns */            \
	X(26) X(347) X(348) X(438) X(346)

#define AS_ENTRY(nr) nr,
#define AS_CASE(nr) case nr:

const int nuse_i386_refused_calls[] = { NUSE_I386_REFUSED(AS_ENTRY) };

const unsigned int nuse_i386_refused_count =
	sizeof(nuse_i386_refused_calls) / sizeof(nuse_i386_refused_calls[0]);

bool nuse_i386_refused(long nr)
{
	switch (nr) {
	NUSE_I386_REFUSED(AS_CASE)
		return true;
	default:
		return false;
	}
}
