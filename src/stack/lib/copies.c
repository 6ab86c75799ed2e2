// SPDX-License-Identifier: GPL-2.0
/*
 * Direct copies for a program that embeds the stack: the stack copies the
 * caller's buffers with `rep movsb` instead of a process_vm_readv/writev
 * system call per copy (two to four per TCP round trip), once a fault in
 * that copy can be resumed at its fixup, which turns a bad pointer into a
 * short copy (EFAULT) as the host kernel's copies do.
 */
#include <nuse/stack.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

static struct sigaction prev_segv, prev_bus;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned long fixup =
		nuse_host_fault_fixup(uc->uc_mcontext.gregs[REG_RIP]);
	struct sigaction *prev = sig == SIGSEGV ? &prev_segv : &prev_bus;

	if (fixup) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fixup;
		return;
	}
	/* not the stack's copy: the program's own action, as before us */
	if (prev->sa_flags & SA_SIGINFO) {
		prev->sa_sigaction(sig, si, ucv);
		return;
	}
	if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL); /* the fault runs again: the default action */
}

int nuse_direct_copies(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &prev_segv))
		return -1;
	if (sigaction(SIGBUS, &sa, &prev_bus)) {
		sigaction(SIGSEGV, &prev_segv, NULL);
		return -1;
	}
	nuse_host_copy_direct(1);
	return 0;
}
