// SPDX-License-Identifier: GPL-2.0
/*
 * The program's SIGSEGV and SIGBUS stay its own, as on the host (it
 * passes natively too): its handler sees its faults and kill()s, reads
 * back through sigaction, SIG_IGN ignores a kill(), and bad pointers
 * handed to socket calls still give EFAULT, with and without a handler.
 * Under nuse-exec --stack=linux the runtime owns both signals to recover
 * the stack's direct copies (src/tracer/rt/fault.c).
 *
 *   faulttest            the checks, "result: PASS" at the end
 *   faulttest default    a fault with SIGSEGV at its default: dies of it
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "check.h"

static sigjmp_buf jb;
static volatile sig_atomic_t got_sig, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	if (si->si_code > 0)
		siglongjmp(jb, 1); /* a real fault: do not run it again */
}

static void efault_checks(const char *when)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char *none =
		mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	socklen_t len = sizeof(a);
	void *kmem = (void *)0x100000000UL;

	CHECK(s >= 0 && !bind(s, (void *)&a, sizeof(a)) &&
		      !getsockname(s, (void *)&a, &len),
	      "%s: socket", when);
	CHECK(bind(s, (void *)none, sizeof(a)) < 0 && errno == EFAULT,
	      "%s: bind(PROT_NONE) EFAULT", when);
	CHECK(sendto(s, none, 8, 0, (void *)&a, sizeof(a)) < 0 &&
		      errno == EFAULT,
	      "%s: sendto(PROT_NONE) EFAULT", when);
	CHECK(recv(s, none, 8, MSG_DONTWAIT) < 0 &&
		      (errno == EFAULT || errno == EAGAIN),
	      "%s: recv(PROT_NONE)", when);
	/*
	 * The stack's own memory (nuse's kernel region at 4 GiB; unmapped
	 * natively): refused as Linux refuses kernel addresses, not written.
	 * netfuzz's msghdr and ifconf read from a buffer of random bytes
	 * reached it, and a SIOCGIFCONF written there broke the slab.
	 */
	len = sizeof(a);
	CHECK(getsockname(s, kmem, &len) < 0 && errno == EFAULT,
	      "%s: getsockname(4 GiB) EFAULT", when);
	CHECK(sendto(s, kmem, 8, 0, (void *)&a, sizeof(a)) < 0 &&
		      errno == EFAULT,
	      "%s: sendto(4 GiB) EFAULT", when);
	CHECK(sendto(s, "x", 1, 0, (void *)&a, sizeof(a)) == 1 &&
		      recv(s, (char *)kmem + 0xa00, 8, MSG_DONTWAIT) < 0 &&
		      errno == EFAULT,
	      "%s: recv(4 GiB) EFAULT", when);
	munmap(none, 4096);
	close(s);
	printf("%s: efault: ok\n", when);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 }, old;
	char *none;

	setvbuf(stdout, NULL, _IOLBF, 0);
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (argc > 1 && !strcmp(argv[1], "default")) {
		none[0] = 1; /* SIG_DFL: the process dies of SIGSEGV */
		return 3;
	}
	efault_checks("no handler");

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(!sigaction(SIGSEGV, &sa, NULL), "sigaction");
	CHECK(!sigaction(SIGSEGV, NULL, &old) && old.sa_sigaction == on_fault &&
		      (old.sa_flags & SA_SIGINFO),
	      "sigaction reads back the program's handler");
	if (!sigsetjmp(jb, 1)) {
		none[0] = 1;
		CHECK(0, "write to PROT_NONE went through");
	}
	CHECK(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == none,
	      "handler saw the fault (sig %d code %d)", got_sig, got_code);
	printf("own handler, fault: ok\n");

	got_sig = 0;
	kill(getpid(), SIGSEGV);
	CHECK(got_sig == SIGSEGV && got_code == SI_USER, "handler saw kill()");
	printf("own handler, kill: ok\n");

	efault_checks("own handler");

	signal(SIGSEGV, SIG_IGN);
	kill(getpid(), SIGSEGV);
	printf("SIG_IGN, kill: survived\n");

	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	CHECK(!sigaction(SIGBUS, &sa, NULL), "sigaction SIGBUS");
	got_sig = 0;
	kill(getpid(), SIGBUS);
	CHECK(got_sig == SIGBUS, "SIGBUS handler");
	CHECK(!sigaction(SIGBUS, NULL, &old) && old.sa_handler == SIG_DFL,
	      "SA_RESETHAND reset SIGBUS");
	printf("SIGBUS: ok\n");

	printf("result: %s (%d failures)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
