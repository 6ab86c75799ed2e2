// SPDX-License-Identifier: GPL-2.0
/*
 * nuse-exec --check: what this machine gives nuse (machine.c) and, per
 * mode, whether a program runs under it: each mode is tried for real on
 * /bin/true, so the verdict is the one a user would get.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isolate.h"
#include "machine.h"
#include "options.h"

static const char *yesno(int v)
{
	return v < 0 ? "?" : v ? "yes" : "no";
}

static void row(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void row(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("  %-32s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_machine(const struct nuse_machine *m)
{
	printf("This machine (Linux %s, uid %d):\n", m->kernel, (int)getuid());
	row("FSGSBASE (AT_HWCAP2)", "%s: GS set with %s", yesno(m->fsgsbase),
	    m->fsgsbase_used ? "wrgsbase" :
	    m->fsgsbase ? "arch_prctl (NUSE_NO_FSGSBASE)" : "arch_prctl");
	row("syscall user dispatch (5.11)", "%s", yesno(m->sud));
	row("page 0 (vm.mmap_min_addr)", "%s%s", yesno(m->page0),
	    m->page0 ? "" : ": sud traps every call");
	row("seccomp RET_TRAP, RET_TRACE", "%s, %s", yesno(m->seccomp_trap),
	    yesno(m->seccomp_trace));
	row("seccomp user notification (5.0)", "%s; killable wait (5.19): %s",
	    yesno(m->seccomp_notif), yesno(m->notif_killable));
	row("pidfd_getfd (5.6)", "%s", yesno(m->pidfd_getfd));
	row("close_range (5.9), memfd", "%s, %s", yesno(m->close_range),
	    yesno(m->memfd));
	if (m->yama < 0)
		row("ptrace restrictions (Yama)", "none");
	else
		row("ptrace restrictions (Yama)", "ptrace_scope=%d%s", m->yama,
		    m->yama == 3 ? ": no ptrace at all" :
		    m->yama == 2 && !m->cap_sys_ptrace ? ": needs CAP_SYS_PTRACE" :
		    "");
	row("/dev/net/tun, CAP_NET_ADMIN", "%s, %s%s", yesno(m->tun),
	    yesno(m->cap_net_admin),
	    m->tun && m->cap_net_admin ? "" : ": no -i tap: or packet:");
	row("IA32 emulation (int $0x80)", "%s", yesno(m->ia32));
	row("user namespaces (this user)", "%s", yesno(m->userns));
	if (m->isolation == NUSE_ISOLATION_UNAVAILABLE)
		row("network namespace (isolation)",
		    "no (%s): programs run unisolated",
		    m->isolation_why);
	else
		row("network namespace (isolation)", "yes: %s",
		    m->isolation == NUSE_ISOLATION_NETNS ?
			    "unshare(CLONE_NEWNET), root's namespace powers dropped" :
			    "user namespace (own uid/gid) + network namespace");
	row("hugepages", "%d (DPDK runs without: --no-huge)", m->hugepages);
	row("Meltdown mitigation", "%s", m->pti[0] ? m->pti : "?");
}

/* Why a mode works differently here, or NULL. */
static const char *fallback(const struct nuse_machine *m, enum nuse_mode mode)
{
	switch (mode) {
	case NUSE_MODE_SUD:
		if (!m->page0)
			return "every call traps (no page 0: vm.mmap_min_addr)";
		break;
	case NUSE_MODE_UNOTIFY:
		if (!m->notif_killable)
			return "a signal may end a trapped call with EINTR (Linux < 5.19)";
		break;
	default:
		break;
	}
	if (!m->fsgsbase_used && mode != NUSE_MODE_PTRACE && mode != NUSE_MODE_UNOTIFY)
		return "GS set through arch_prctl";
	return NULL;
}

/* Run `self --mode=MODE -- TRUE`: 0 and an empty @why if it ran. */
static int try_mode(const char *self, const char *truebin, const char *mode,
		    char *why, size_t len)
{
	char modeopt[32];
	struct timespec t0, t;
	int pfd[2], st = 0;
	ssize_t n = 0, r;
	pid_t pid;

	why[0] = '\0';
	snprintf(modeopt, sizeof(modeopt), "--mode=%s", mode);
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(pfd[1], 2);
		execl(self, self, modeopt, "--", truebin, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20) {
			kill(pid, SIGKILL);
			snprintf(why, len, "no answer in 20 s");
			break;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(pfd[0], why + n, len - 1 - n);
		if (r <= 0)
			break;
		n += r;
		if ((size_t)n == len - 1)
			break;
	}
	why[n] = '\0';
	why[strcspn(why, "\n")] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int nuse_check(const char *self, int verbose)
{
	static const enum nuse_mode modes[] = {
		NUSE_MODE_SUD,	   NUSE_MODE_SUD_TRAP, NUSE_MODE_SECCOMP,
		NUSE_MODE_PTRACE, NUSE_MODE_UNOTIFY,  NUSE_MODE_PRELOAD,
	};
	const char *truebin = access("/bin/true", X_OK) ? "/usr/bin/true" : "/bin/true";
	struct nuse_machine m;
	int default_ok = 0;

	(void)verbose;
	nuse_machine_full(&m);
	print_machine(&m);
	printf("Modes (each tried: nuse-exec --mode=MODE -- %s):\n", truebin);
	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *name = nuse_mode_name(modes[i]);
		const char *fb = fallback(&m, modes[i]);
		char why[512];
		int st = try_mode(self, truebin, name, why, sizeof(why));

		if (st == 0 && !why[0])
			printf("  %-9s %s%s\n", name, fb ? "falls back: " : "works",
			       fb ? fb : "");
		else
			printf("  %-9s refused: %s (status %d)\n", name,
			       !why[0] ? "no message" :
			       !strncmp(why, "nuse-exec: ", 11) ? why + 11 : why, st);
		if (!st && modes[i] == NUSE_MODE_SUD)
			default_ok = 1;
		if (!st && modes[i] == NUSE_MODE_SECCOMP && !m.sud)
			default_ok = 1; /* the default's own fallback */
	}
	return default_ok ? 0 : 1;
}
