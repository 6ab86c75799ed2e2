// SPDX-License-Identifier: GPL-2.0
/* What nuse needs from the machine: see machine.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nuse/host.h>

#include "isolate.h"
#include "machine.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static int yes(long r)
{
	return r >= 0;
}

/* The first line of @path, without its newline; "" if unreadable. */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int read_int(const char *path, int dflt)
{
	char buf[32];

	read_line(path, buf, sizeof(buf));
	return buf[0] ? atoi(buf) : dflt;
}

static int action_avail(unsigned int action)
{
	return yes(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));
}

static int has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static int page0(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, 4096);
	return p == NULL;
}

static int pidfd_getfd_works(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	int fd;

	if (pidfd < 0)
		return 0;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, 0, 0);
	close(pidfd);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int memfd_works(void)
{
	int fd = (int)syscall(SYS_memfd_create, "nuse-check", 1 /* CLOEXEC */);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * Run @fn in a child (it may crash, change its namespaces or filters):
 * 1 if it exited 0 within two seconds, else 0.
 */
static int in_child(int (*fn)(void))
{
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0) {
		alarm(2);
		_exit(fn() ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int child_ia32(void)
{
	long r;

	/* getpid is 20 in the i386 table; without IA32 emulation: SIGSEGV */
	asm volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r == getpid();
}

static int child_userns(void)
{
	return !unshare(CLONE_NEWUSER);
}

/* What nuse_isolate gives a program here, tried in a child. */
static void isolation(struct nuse_machine *m)
{
	struct shared {
		int how, r;
		char why[sizeof(m->isolation_why)];
	} *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st = 0;
	pid_t pid;

	m->isolation = NUSE_ISOLATION_UNAVAILABLE;
	snprintf(m->isolation_why, sizeof(m->isolation_why), "not probed");
	if (sh == MAP_FAILED)
		return;
	memset(sh, 0, sizeof(*sh));
	sh->how = -1;
	pid = fork();
	if (pid == 0) {
		enum nuse_isolation how = NUSE_ISOLATION_UNAVAILABLE;

		alarm(2);
		sh->r = nuse_isolate(&how, sh->why, sizeof(sh->why));
		sh->how = how;
		_exit(0);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	if (pid > 0 && sh->how >= 0) {
		m->isolation = sh->r ? NUSE_ISOLATION_UNAVAILABLE : sh->how;
		snprintf(m->isolation_why, sizeof(m->isolation_why), "%s",
			 sh->why);
	}
	munmap(sh, sizeof(*sh));
}

static int child_killable_listener(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return yes(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER |
				   SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			   &prog));
}

static int hugepages(void)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Total: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

void nuse_machine_quick(struct nuse_machine *m)
{
	struct utsname u;

	memset(m, -1, sizeof(*m));
	m->sud = yes(prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF,
			   0, 0, 0));
	m->fsgsbase = (getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */) != 0;
	m->fsgsbase_used = nuse_host_fsgs_decide();
	m->pti[0] = '\0';
	m->kernel[0] = '\0';
	if (!uname(&u))
		snprintf(m->kernel, sizeof(m->kernel), "%.63s", u.release);
}

void nuse_machine_full(struct nuse_machine *m)
{
	nuse_machine_quick(m);
	m->page0 = page0();
	m->seccomp_trap = action_avail(SECCOMP_RET_TRAP);
	m->seccomp_trace = action_avail(SECCOMP_RET_TRACE);
	m->seccomp_notif = action_avail(SECCOMP_RET_USER_NOTIF);
	m->notif_killable = m->seccomp_notif && in_child(child_killable_listener);
	m->pidfd_getfd = pidfd_getfd_works();
	m->close_range = !syscall(SYS_close_range, ~0U, ~0U, 0);
	m->memfd = memfd_works();
	m->yama = read_int("/proc/sys/kernel/yama/ptrace_scope", -1);
	m->cap_sys_ptrace = has_cap(CAP_SYS_PTRACE);
	m->cap_net_admin = has_cap(CAP_NET_ADMIN);
	m->tun = access("/dev/net/tun", R_OK | W_OK) == 0;
	m->ia32 = in_child(child_ia32);
	m->userns = in_child(child_userns);
	isolation(m);
	m->hugepages = hugepages();
	read_line("/sys/devices/system/cpu/vulnerabilities/meltdown", m->pti,
		  sizeof(m->pti));
}
