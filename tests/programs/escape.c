// SPDX-License-Identifier: GPL-2.0
/*
 * escape ATTEMPT PORT: try, as a hostile program under nuse-exec would,
 * to reach a TCP listener on the host's 127.0.0.1:PORT.  Every attempt
 * prints what each step gave; "ESCAPE: ..." when it gained something
 * outside nuse (a connection, a socket of the host's namespace, a hold
 * on one of nuse's processes outside).  Before exiting it holds its
 * sockets open (hold()) so that tests/escape/escape.sh can look at the
 * host's `ss`.  The exit status means nothing: the test looks from
 * outside.  Environment: ESCAPE_READY, ESCAPE_GO (hold), ESCAPE_GATE
 * (nuse_gate_syscall's address), ESCAPE_SUID (a setuid-root copy of this
 * program), NUSE_EXEC (for nesting).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define X32 0x40000000L
#define I386_SOCKETCALL 102
#define I386_SOCKET 359
#define I386_CONNECT 362
#define I386_PRCTL 172
#define I386_EXECVE 11
#define I386_IO_URING_SETUP 425

static struct sockaddr_in target;
static unsigned short port;

typedef long (*sysfn)(long nr, long a0, long a1, long a2);

/* What "ss" will look at: keep every socket open until told. */
static void hold(void)
{
	const char *ready = getenv("ESCAPE_READY"), *go = getenv("ESCAPE_GO");
	struct timespec t = { 0, 20 * 1000 * 1000 };

	fflush(stdout);
	if (!ready || !go)
		return;
	close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	for (int i = 0; i < 250 && access(go, F_OK); i++)
		nanosleep(&t, NULL);
}

static const char *err(long r)
{
	return r >= 0 ? "ok" : strerror((int)-r);
}

/* socket and connect through @call; reports, and the socket stays open */
static void sock_connect(const char *how, sysfn call)
{
	long fd = call(SYS_socket, AF_INET, SOCK_STREAM, 0), r;

	printf("%s: socket: %s\n", how, err(fd));
	if (fd < 0)
		return;
	r = call(SYS_connect, fd, (long)&target, sizeof(target));
	printf("%s: connect: %s\n", how, err(r));
	if (r == 0)
		printf("ESCAPE: %s: connected to the host's listener\n", how);
}

static long libc_call(long nr, long a0, long a1, long a2)
{
	long r = syscall(nr, a0, a1, a2);

	return r < 0 ? -errno : r;
}

/* A raw `syscall` in fresh memory, as a JIT would emit it. */
static sysfn jit;

static void make_jit(void)
{
	/* mov %rdi,%rax; mov %rsi,%rdi; mov %rdx,%rsi; mov %rcx,%rdx;
	 * syscall; ret */
	static const unsigned char code[] = { 0x48, 0x89, 0xf8, 0x48, 0x89,
					      0xf7, 0x48, 0x89, 0xd6, 0x48,
					      0x89, 0xca, 0x0f, 0x05, 0xc3 };
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memcpy(p, code, sizeof(code));
	jit = (sysfn)p;
}

/* int $0x80 from 64-bit code: i386 numbers, 32-bit arguments. */
static long int80(long nr, long a, long b, long c)
{
	long r;

	asm volatile("int $0x80"
		     : "=a"(r)
		     : "a"(nr), "b"(a), "c"(b), "d"(c)
		     : "memory", "r8", "r9", "r10", "r11");
	return r;
}

/* Memory below 4 GiB for i386 pointers. */
static void *low(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void attempt_int80(void)
{
	uint32_t *args = low(4096);
	struct sockaddr_in *sa = (void *)(args + 16);
	long fd, r;

	if (!args)
		return;
	*sa = target;
	/* socketcall(SYS_SOCKET, {AF_INET, SOCK_STREAM, 0}) */
	args[0] = AF_INET;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	fd = int80(I386_SOCKETCALL, 1, (long)args, 0);
	printf("i386 socketcall(SOCKET): %s\n", err(fd));
	if (fd >= 0) {
		args[0] = (uint32_t)fd;
		args[1] = (uint32_t)(uintptr_t)sa;
		args[2] = sizeof(*sa);
		r = int80(I386_SOCKETCALL, 3, (long)args, 0);
		printf("i386 socketcall(CONNECT): %s\n", err(r));
		if (!r)
			printf("ESCAPE: i386 socketcall connected\n");
	}
	fd = int80(I386_SOCKET, AF_INET, SOCK_STREAM, 0);
	printf("i386 socket: %s\n", err(fd));
	if (fd >= 0) {
		r = int80(I386_CONNECT, fd, (long)sa, sizeof(*sa));
		printf("i386 connect: %s\n", err(r));
		if (!r)
			printf("ESCAPE: i386 connect connected\n");
	}
}

static long x32_call(long nr, long a0, long a1, long a2)
{
	return jit(nr | X32, a0, a1, a2);
}

static long x32_libc_call(long nr, long a0, long a1, long a2)
{
	return libc_call(nr | X32, a0, a1, a2);
}

static void attempt_x32(void)
{
	sock_connect("x32 (raw syscall)", x32_call);
	sock_connect("x32 (libc syscall)", x32_libc_call);
}

/* Look up where @addr is mapped: its line of /proc/self/maps, or NULL. */
static int mapped(uintptr_t addr, char *line, size_t len, uintptr_t *lo,
		  uintptr_t *hi)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, (int)len, f))
		found = sscanf(line, "%lx-%lx", lo, hi) == 2 && addr >= *lo &&
			addr < *hi;
	fclose(f);
	return found;
}

static sysfn gate;

static long gate_call(long nr, long a0, long a1, long a2)
{
	return gate(nr, a0, a1, a2);
}

static void attempt_gate(void)
{
	const char *g = getenv("ESCAPE_GATE");
	uintptr_t addr = g ? strtoul(g, NULL, 0) : 0, lo, hi;
	char line[512];

	if (!addr || !mapped(addr, line, sizeof(line), &lo, &hi)) {
		printf("gate: not mapped in this process\n");
		return;
	}
	gate = (sysfn)addr;
	sock_connect("nuse_gate_syscall", gate_call);
}

/* `syscall; ret` somewhere in nuse-exec's text, away from the gate. */
static uintptr_t gadget;

static long gadget_call(long nr, long a0, long a1, long a2)
{
	register long rax asm("rax") = nr;
	register long rdi asm("rdi") = a0;
	register long rsi asm("rsi") = a1;
	register long rdx asm("rdx") = a2;

	asm volatile("sub $128, %%rsp\n\tcall *%[g]\n\tadd $128, %%rsp"
		     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx)
		     : [g] "r"(gadget)
		     : "rcx", "r8", "r9", "r10", "r11", "memory");
	return rax;
}

static void attempt_exempt(void)
{
	const char *g = getenv("ESCAPE_GATE");
	uintptr_t gaddr = g ? strtoul(g, NULL, 0) : 0, lo, hi;
	char line[512];

	if (!gaddr || !mapped(gaddr, line, sizeof(line), &lo, &hi)) {
		printf("exempt text: nuse-exec is not mapped in this process\n");
		return;
	}
	for (uintptr_t p = lo; p + 3 <= hi; p++) {
		const unsigned char *b = (const unsigned char *)p;

		if (b[0] == 0x0f && b[1] == 0x05 && b[2] == 0xc3 &&
		    (p < gaddr || p > gaddr + 512)) {
			gadget = p;
			break;
		}
	}
	if (!gadget) {
		printf("exempt text: no syscall; ret found\n");
		return;
	}
	printf("exempt text: gadget at %#lx\n", (unsigned long)gadget);
	sock_connect("nuse-exec's text", gadget_call);
}

static void attempt_prctl(void)
{
	long r;

	r = prctl(PR_SET_SYSCALL_USER_DISPATCH, 0, 0, 0, 0) ? -errno : 0;
	printf("prctl(SUD off), libc: %s\n", err(r));
	r = jit(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, 0, 0);
	printf("prctl(SUD off), raw: %s\n", err(r));
	r = int80(I386_PRCTL, PR_SET_SYSCALL_USER_DISPATCH, 0, 0);
	printf("prctl(SUD off), i386: %s\n", err(r));
	sock_connect("raw after prctl", jit);
}

static void attempt_seccomp(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };
	long r;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -errno :
								      0;
	printf("seccomp(allow everything): %s\n", err(r));
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	printf("seccomp(a listener of our own): %s\n", err(r < 0 ? -errno : r));
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog);
	printf("seccomp(TSYNC): %s\n", err(r < 0 ? -errno : r));
	sock_connect("raw after seccomp", jit);
	sock_connect("libc after seccomp", libc_call);
}

static void attempt_io_uring(void)
{
	struct io_uring_params p;
	uint32_t *lp = low(4096);
	long r;

	memset(&p, 0, sizeof(p));
	r = syscall(SYS_io_uring_setup, 4, &p) ? -errno : 0;
	printf("io_uring_setup, libc: %s\n", err(r));
	r = jit(SYS_io_uring_setup, 4, (long)&p, 0);
	printf("io_uring_setup, raw: %s\n", err(r));
	r = jit(SYS_io_uring_setup | X32, 4, (long)&p, 0);
	printf("io_uring_setup, x32: %s\n", err(r));
	if (lp) {
		memset(lp, 0, 4096);
		r = int80(I386_IO_URING_SETUP, 4, (long)lp, 0);
		printf("io_uring_setup, i386: %s\n", err(r));
	}
}

/* The child of a clone the runtime did not see: its own socket. */
static void __attribute__((noreturn)) child_escape(const char *how)
{
	sock_connect(how, jit);
	hold();
	_exit(0);
}

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls;
};

static void attempt_clone(void)
{
	struct clone_args_v0 ca = { .exit_signal = SIGCHLD };
	long pid;

	fflush(stdout);
	pid = jit(SYS_clone3, (long)&ca, sizeof(ca), 0);
	printf("clone3, raw: %s\n", err(pid));
	if (pid == 0)
		child_escape("clone3 child");
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	fflush(stdout);
	pid = jit(SYS_vfork, 0, 0, 0);
	if (pid == 0)
		child_escape("vfork child");
	printf("vfork, raw: %s\n", err(pid));
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
}

static void attempt_setns(void)
{
	char path[64];
	int fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
	long r;

	printf("open /proc/1/ns/net: %s\n", fd < 0 ? strerror(errno) : "ok");
	if (fd < 0) {
		/* the parent (a shell of the same user, outside) */
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)getppid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
		printf("open %s: %s\n", path, fd < 0 ? strerror(errno) : "ok");
	}
	if (fd < 0)
		return;
	r = setns(fd, CLONE_NEWNET) ? -errno : 0;
	printf("setns: %s\n", err(r));
	if (!r)
		printf("ESCAPE: setns into the host's network namespace\n");
	r = jit(SYS_setns, fd, CLONE_NEWNET, 0);
	printf("setns, raw: %s\n", err(r));
	if (!r)
		printf("ESCAPE: setns (raw) into the host's network namespace\n");
	sock_connect("after setns", jit);
}

/* A copy of us, setuid root (ESCAPE_SUID), tries to get its powers. */
static void attempt_suid(void)
{
	const char *path = getenv("ESCAPE_SUID");
	char portarg[16];

	if (!path) {
		printf("suid: no ESCAPE_SUID\n");
		return;
	}
	snprintf(portarg, sizeof(portarg), "%u", port);
	fflush(stdout);
	execl(path, "escape-suid", "setns", portarg, (char *)NULL);
	printf("suid: execl: %s\n", strerror(errno));
}

/*
 * A static i386 program, written here: socketcall(SOCKET), then
 * socketcall(CONNECT) to 127.0.0.1:PORT, exit status -result.
 */
static void attempt_exec32(void)
{
	unsigned char code[] = {
		0x6a, 0x00, 0x6a, 0x01, 0x6a, 0x02, /* push 0, 1, 2 */
		0x89, 0xe1, /* mov %esp,%ecx */
		0xbb, 0x01, 0,	  0,	0, /* mov $1,%ebx */
		0xb8, 0x66, 0,	  0,	0, /* mov $102,%eax */
		0xcd, 0x80, /* int $0x80 */
		0x89, 0xc6, /* mov %eax,%esi */
		0x68, 0x7f, 0x00, 0x00, 0x01, /* push 127.0.0.1 */
		0x68, 0x02, 0x00, 0x00, 0x00, /* push AF_INET, port */
		0x89, 0xe7, /* mov %esp,%edi */
		0x6a, 0x10, 0x57, 0x56, /* push 16, %edi, %esi */
		0x89, 0xe1, /* mov %esp,%ecx */
		0xbb, 0x03, 0,	  0,	0, /* mov $3,%ebx */
		0xb8, 0x66, 0,	  0,	0, /* mov $102,%eax */
		0xcd, 0x80, /* int $0x80 */
		0xf7, 0xd8, /* neg %eax */
		0x89, 0xc3, /* mov %eax,%ebx */
		0xb8, 0x01, 0,	  0,	0, /* mov $1,%eax */
		0xcd, 0x80, /* int $0x80 */
	};
	unsigned char elf[52 + 32 + sizeof(code)];
	uint32_t base = 0x08048000, size = sizeof(elf);
	char path[] = "/tmp/escape32.XXXXXX";
	int fd;

	code[30] = (unsigned char)(port >> 8);
	code[31] = (unsigned char)port;
	memset(elf, 0, sizeof(elf));
	memcpy(elf,
	       "\x7f"
	       "ELF\x01\x01\x01",
	       7);
#define W16(off, v)                     \
	(elf[off] = (unsigned char)(v), \
	 elf[(off) + 1] = (unsigned char)((v) >> 8))
#define W32(off, v) (W16(off, (v)&0xffff), W16((off) + 2, (v) >> 16))
	W16(16, 2); /* ET_EXEC */
	W16(18, 3); /* EM_386 */
	W32(20, 1);
	W32(24, base + 84); /* e_entry */
	W32(28, 52); /* e_phoff */
	W16(40, 52); /* e_ehsize */
	W16(42, 32); /* e_phentsize */
	W16(44, 1); /* e_phnum */
	W32(52, 1); /* PT_LOAD */
	W32(56, 0);
	W32(60, base);
	W32(64, base);
	W32(68, size);
	W32(72, size);
	W32(76, 5); /* R X */
	W32(80, 0x1000);
	memcpy(elf + 84, code, sizeof(code));
	fd = mkstemp(path);
	if (fd < 0 || write(fd, elf, sizeof(elf)) != (ssize_t)sizeof(elf)) {
		printf("exec32: cannot write %s\n", path);
		return;
	}
	fchmod(fd, 0755);
	close(fd);
	for (int i = 0; i < 2; i++) {
		long r;
		pid_t pid;
		int st = 0;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			char *argv[] = { path, NULL };
			uint32_t *lp = low(4096);

			if (i == 0) {
				execv(path, argv);
				printf("exec32: execve: %s\n", strerror(errno));
				_exit(127);
			}
			/* i386 execve of it, from int $0x80 */
			if (!lp)
				_exit(127);
			strcpy((char *)(lp + 64), path);
			lp[0] = (uint32_t)(uintptr_t)(lp + 64);
			lp[1] = 0;
			r = int80(I386_EXECVE, (long)(lp + 64), (long)lp, 0);
			printf("exec32: i386 execve: %s\n", err(r));
			_exit(127);
		}
		waitpid(pid, &st, 0);
		printf("exec32 (%s): %s %d\n", i ? "i386 execve" : "execve",
		       WIFEXITED(st) ? "exit" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			printf("ESCAPE: the i386 program connected\n");
	}
	unlink(path);
}

/*
 * nuse's processes of this run that stay outside: the keeper, the front,
 * the supervisor.  Their command lines are nuse-exec's, which name this
 * attempt's port: other runs' processes are left alone.
 */
static int outside_targets(pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	char own_ns[64] = "";
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	if (readlink("/proc/self/ns/net", own_ns, sizeof(own_ns) - 1) < 0)
		own_ns[0] = '\0';
	while ((e = readdir(d)) && n < max) {
		char path[64], cmd[4096], portarg[16];
		pid_t pid = (pid_t)atoi(e->d_name);
		int fd, found = 0;
		ssize_t len;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (len <= 0)
			continue;
		cmd[len] = '\0';
		snprintf(portarg, sizeof(portarg), "%u", port);
		/* argv: nuse-exec ... escape ATTEMPT PORT */
		for (ssize_t i = 0; i < len;
		     i += (ssize_t)strlen(cmd + i) + 1) {
			found |= !strcmp(cmd + i, portarg) && i > 0;
			found &= strstr(cmd, "nuse-exec") != NULL;
		}
		/* one of ours inside the namespace (the holder): not outside */
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		len = readlink(path, cmd, sizeof(cmd) - 1);
		if (len > 0) {
			cmd[len] = '\0';
			found &= strcmp(cmd, own_ns) != 0;
		}
		if (found)
			pids[n++] = pid;
	}
	closedir(d);
	return n;
}

static void attempt_ptrace(void)
{
	pid_t pids[64];
	int n = outside_targets(pids, 64);

	printf("ptrace: %d candidate(s)\n", n);
	for (int i = 0; i < n; i++) {
		long r = ptrace(PTRACE_SEIZE, pids[i], 0, 0) ? -errno : 0;
		int pfd, fd;

		if (!r) {
			printf("ESCAPE: ptrace(SEIZE) of %d outside\n",
			       pids[i]);
			ptrace(PTRACE_DETACH, pids[i], 0, 0);
		}
		pfd = (int)syscall(SYS_pidfd_open, pids[i], 0);
		for (int k = 0; pfd >= 0 && k < 32; k++) {
			fd = (int)syscall(SYS_pidfd_getfd, pfd, k, 0);
			if (fd >= 0) {
				printf("ESCAPE: pidfd_getfd(%d, %d) of %d\n",
				       pfd, k, pids[i]);
				close(fd);
			}
		}
		if (pfd >= 0)
			close(pfd);
		printf("ptrace %d: %s\n", pids[i], err(r));
	}
}

static void attempt_vm_write(void)
{
	pid_t pids[64];
	int n = outside_targets(pids, 64);
	char byte;

	printf("process_vm: %d candidate(s)\n", n);
	for (int i = 0; i < n; i++) {
		/* nuse-exec's text: same address in the keeper and supervisor */
		struct iovec l = { &byte, 1 }, r = { (void *)0x20000000, 1 };
		long rr = process_vm_readv(pids[i], &l, 1, &r, 1, 0) < 0 ?
				  -errno :
				  0;
		long rw = process_vm_writev(pids[i], &l, 1, &r, 1, 0) < 0 ?
				  -errno :
				  0;

		printf("process_vm %d: read %s, write %s\n", pids[i], err(rr),
		       err(rw));
		/* EFAULT: allowed in, the page refused the write */
		if (rr != -EPERM && rr != -ESRCH)
			printf("ESCAPE: process_vm_readv of %d\n", pids[i]);
		if (rw != -EPERM && rw != -ESRCH)
			printf("ESCAPE: process_vm_writev of %d\n", pids[i]);
	}
}

static void attempt_nested(void)
{
	const char *nuse = getenv("NUSE_EXEC");
	char self[4096], portarg[16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (!nuse || n <= 0) {
		printf("nested: no NUSE_EXEC\n");
		return;
	}
	self[n] = '\0';
	snprintf(portarg, sizeof(portarg), "%u", port);
	fflush(stdout);
	/* the inner one asks for the host's stack and no isolation */
	execl(nuse, "nuse-exec", "--stack=host", "--no-isolate", "--", self,
	      "plain", portarg, (char *)NULL);
	printf("nested: execl: %s\n", strerror(errno));
}

static void attempt_plain(void)
{
	sock_connect("libc", libc_call);
}

static void attempt_jit(void)
{
	sock_connect("raw syscall in fresh memory", jit);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} attempts[] = {
		{ "plain", attempt_plain },
		{ "int80", attempt_int80 },
		{ "x32", attempt_x32 },
		{ "jit", attempt_jit },
		{ "gate", attempt_gate },
		{ "exempt", attempt_exempt },
		{ "prctl", attempt_prctl },
		{ "seccomp", attempt_seccomp },
		{ "io_uring", attempt_io_uring },
		{ "clone", attempt_clone },
		{ "setns", attempt_setns },
		{ "suid", attempt_suid },
		{ "exec32", attempt_exec32 },
		{ "ptrace", attempt_ptrace },
		{ "vm_write", attempt_vm_write },
		{ "nested", attempt_nested },
	};

	if (argc == 2 && !strcmp(argv[1], "ia32")) {
		/* does this machine run int $0x80 at all? (getpid is 20) */
		pid_t pid = fork();
		int st = 0;

		if (pid == 0)
			_exit(int80(20, 0, 0, 0) == getpid() ? 0 : 1);
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: escape ATTEMPT PORT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	port = (unsigned short)atoi(argv[2]);
	target.sin_family = AF_INET;
	target.sin_port = htons(port);
	target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	make_jit();
	printf("uid %d euid %d\n", (int)getuid(), (int)geteuid());
	for (unsigned int i = 0; i < sizeof(attempts) / sizeof(attempts[0]);
	     i++) {
		if (strcmp(argv[1], attempts[i].name))
			continue;
		attempts[i].fn();
		hold();
		return 0;
	}
	fprintf(stderr, "escape: unknown attempt %s\n", argv[1]);
	return 2;
}
