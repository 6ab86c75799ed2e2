// SPDX-License-Identifier: GPL-2.0
/*
 * In-process modes (sud, sud-trap, seccomp): nuse-exec loads the program
 * and its interpreter into its own process, builds the initial stack the
 * kernel would have built, sets up the runtime, arms interception and
 * jumps.  nuse-exec is linked static and non-PIE at a fixed address so the
 * runtime's gate stays at the same address across execve (the seccomp
 * filter, which survives execve, exempts it by instruction pointer).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nuse/vfs.h>

#include "elfload.h"
#include "modes.h"
#include "netcalls.h"
#include "preload/abi.h"
#include "probe.h"
#include "rt/rt.h"
#include "stack-linux.h"

extern char __executable_start[], etext[];

void nuse_jump(const void *image, size_t size, uintptr_t entry)
	__attribute__((noreturn));

/* Copy the initial stack below the current one, switch to it, jump. */
asm(".text\n"
    ".globl nuse_jump\n"
    ".type nuse_jump, @function\n"
    "nuse_jump:\n"
    "	movq %rsp, %rax\n"
    "	subq $4096, %rax\n"
    "	subq %rsi, %rax\n"
    "	andq $-16, %rax\n"
    "	movq %rdx, %r8\n"
    "	movq %rsi, %rcx\n"
    "	movq %rdi, %rsi\n"
    "	movq %rax, %rdi\n"
    "	cld\n"
    "	rep movsb\n"
    "	movq %rax, %rsp\n"
    "	xorl %eax, %eax\n"
    "	xorl %ebx, %ebx\n"
    "	xorl %ecx, %ecx\n"
    "	xorl %edx, %edx\n" /* no rtld_fini */
    "	xorl %esi, %esi\n"
    "	xorl %edi, %edi\n"
    "	xorl %ebp, %ebp\n"
    "	jmp *%r8\n");

#define SECCOMP_EXTRA_TRAPS 18

/* RET_TRAP for the network calls and the ones the runtime must see. */
static int install_seccomp(void)
{
	static const int extra[SECCOMP_EXTRA_TRAPS] = {
		SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigsuspend,
		SYS_execve,	  SYS_execveat,	      SYS_readlink,
		SYS_readlinkat,	  SYS_prctl,	      SYS_rt_sigpending,
		/* --stack=linux: a child's stack descriptor table (fork hooks) */
		SYS_fork,	  SYS_vfork,	      SYS_clone,
		SYS_clone3,
		/* --stack=linux: the network procfs is the stack's */
		SYS_open,	  SYS_openat,
		/* FS tells a thread's block apart; GS holds it */
		SYS_arch_prctl,
		/* nuse-exec's own check that calls reach nuse (probe.c) */
		NUSE_PROBE_NR,
		/* --stack=linux: 125 once the session's stack is gone */
		SYS_exit_group,
	};
	/*
	 * nuse-exec's own text is exempt, not just the gate: when it is
	 * re-entered at an execve under the inherited filter, its libc start-up
	 * runs before any handler exists.
	 */
	uint64_t lo = (uintptr_t)__executable_start, hi = (uintptr_t)etext;
	unsigned int n = nuse_net_syscalls_count + SECCOMP_EXTRA_TRAPS;
	struct sock_filter *f, *p;
	struct sock_fprog prog;
	int r;

	if ((lo >> 32) != (hi >> 32))
		return -EINVAL;
	f = p = calloc(n + 24, sizeof(*f));
	if (!f)
		return -ENOMEM;
	/*
	 * Other ABIs (int $0x80, x32) go to the host as they are, except
	 * io_uring_setup, which has the same number in all three.
	 */
	*p++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, nr));
	*p++ = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
					    ~(uint32_t)RT_X32_BIT);
	*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					    SYS_io_uring_setup, 0, 1);
	*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					    SECCOMP_RET_ERRNO | ENOSYS);
	*p++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, arch));
	*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					    AUDIT_ARCH_X86_64, 1, 0);
	*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	*p++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, instruction_pointer) + 4);
	*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi >> 32, 0, 4);
	*p++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, instruction_pointer));
	*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 2);
	*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)hi, 1, 0);
	*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	*p++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, nr));
	for (unsigned int i = 0; i < n; i++) {
		int nr = i < nuse_net_syscalls_count ? nuse_net_syscalls[i] :
				extra[i - nuse_net_syscalls_count];

		/* match: skip to the trap after the final allow */
		*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr,
						    n - i, 0);
	}
	*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					    SECCOMP_RET_TRAP | RT_SECCOMP_DATA);
	prog.len = p - f;
	prog.filter = f;
	r = 0;
	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		r = -errno;
	if (!r && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		r = -errno;
	free(f);
	return r;
}

static void find_vdso(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			rt_cfg.vdso_lo = lo;
			rt_cfg.vdso_hi = hi;
		}
	}
	fclose(f);
}

/* glibc registered rseq for nuse-exec's thread; the program will want it. */
static void drop_rseq(void)
{
	if (__rseq_size)
		syscall(SYS_rseq, (char *)__builtin_thread_pointer() + __rseq_offset,
			32, 1 /* RSEQ_FLAG_UNREGISTER */, 0x53053053);
}

/*
 * Fail closed (probe.h): after arming, calls from a page of fresh code,
 * which is neither the gate nor nuse-exec's text (exempt from the seccomp
 * filter), as the program's code will make them.
 */
static long (*probe_stub)(long nr, long a0, long a1, long a2);

static long probe_call(long nr, long a0, long a1, long a2)
{
	return probe_stub(nr, a0, a1, a2);
}

static long probe_host_domain(long fd)
{
	int domain = 0;
	socklen_t len = sizeof(domain);
	long r = rt_sys(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);

	return r < 0 ? r : domain;
}

static const char *probe(bool linux_stack)
{
	/* mov %rdi,%rax; mov %rsi,%rdi; mov %rdx,%rsi; mov %rcx,%rdx;
	 * syscall; ret */
	static const unsigned char code[] = { 0x48, 0x89, 0xf8, 0x48, 0x89,
					      0xf7, 0x48, 0x89, 0xd6, 0x48,
					      0x89, 0xca, 0x0f, 0x05, 0xc3 };
	static const struct nuse_probe_ops ops = {
		.call = probe_call,
		.host_domain = probe_host_domain,
	};
	const char *why;
	long page;

	/* the gate's calls: the program's side may not be trapped yet */
	page = rt_sys(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page < 0 && page > -4096)
		return "no memory for the probe";
	rt_memcpy((void *)page, code, sizeof(code));
	rt_sys(SYS_mprotect, page, 4096, PROT_READ | PROT_EXEC);
	probe_stub = (long (*)(long, long, long, long))page;
	why = nuse_probe_run(&ops, linux_stack);
	rt_sys(SYS_munmap, page, 4096);
	return why;
}

/* Runtime state that must exist before the first trapped call. */
static int runtime_setup(enum rt_mode mode, int verbose)
{
	struct rt_kernel_sigaction old;
	uint64_t mask = 0, sysbit = 1ULL << (RT_SIGSYS - 1);
	int r;

	rt_cfg.mode = mode;
	rt_cfg.verbose = verbose;
	rt_classify_init();
	r = rt_thread_init();
	if (r || mode == RT_MODE_PRELOAD) /* preload: nothing traps */
		return r;
	if (syscall(SYS_rt_sigaction, RT_SIGSYS, NULL, &old, 8) == 0)
		rt_cfg.app_sigsys = old;
	r = rt_install_sigsys();
	if (r)
		return r;
	/* A SIGSYS blocked by our parent stays blocked only virtually. */
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &sysbit, &mask, 8);
	rt_self()->app_blocks_sigsys = mask & sysbit;
	return 0;
}

struct stack_image {
	uint64_t *w;
	size_t n, cap;
};

static int push(struct stack_image *s, uint64_t v)
{
	if (s->n == s->cap) {
		uint64_t *w = realloc(s->w, (s->cap = s->cap ? 2 * s->cap : 256) * 8);

		if (!w)
			return -ENOMEM;
		s->w = w;
	}
	s->w[s->n++] = v;
	return 0;
}

static int push_aux(struct stack_image *s, uint64_t type, uint64_t val)
{
	return push(s, type) ?: push(s, val);
}

static int build_stack(struct stack_image *s, char **argv, char **envp,
		       const struct nuse_elf *prog, const struct nuse_elf *interp,
		       const char *execfn)
{
	static const unsigned long copied[] = {
		AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_UID, AT_EUID, AT_GID, AT_EGID,
		AT_SECURE, AT_RANDOM, AT_HWCAP2, AT_PLATFORM, AT_SYSINFO_EHDR,
		AT_MINSIGSTKSZ,
	};
	long argc = 0;
	int r = 0;

	while (argv[argc])
		argc++;
	r |= push(s, argc);
	for (long i = 0; i < argc; i++)
		r |= push(s, (uintptr_t)argv[i]);
	r |= push(s, 0);
	for (char **e = envp; *e; e++)
		r |= push(s, (uintptr_t)*e);
	r |= push(s, 0);
	for (unsigned int i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		errno = 0;
		unsigned long v = getauxval(copied[i]);

		if (v || !errno)
			r |= push_aux(s, copied[i], v);
	}
	r |= push_aux(s, AT_PHDR, prog->phdr);
	r |= push_aux(s, AT_PHENT, 56);
	r |= push_aux(s, AT_PHNUM, prog->phnum);
	r |= push_aux(s, AT_ENTRY, prog->entry);
	r |= push_aux(s, AT_BASE, interp ? interp->base : 0);
	r |= push_aux(s, AT_FLAGS, 0);
	r |= push_aux(s, AT_EXECFN, (uintptr_t)execfn);
	/* --mode=preload: where the shim finds the runtime (preload/abi.h) */
	if (rt_cfg.mode == RT_MODE_PRELOAD)
		r |= push_aux(s, NUSE_AT_PRELOAD_RT, (uintptr_t)&nuse_preload_rt_table);
	r |= push_aux(s, AT_NULL, 0);
	return r ? -ENOMEM : 0;
}

static int load(const struct nuse_program *p, struct nuse_elf *prog,
		struct nuse_elf *interp, bool *has_interp)
{
	char err[512];
	int r;

	r = nuse_elf_map(p->path, prog, err, sizeof(err));
	if (r)
		goto fail;
	*has_interp = p->is_dynamic;
	if (p->is_dynamic) {
		r = nuse_elf_map(p->interp, interp, err, sizeof(err));
		if (r)
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "nuse-exec: %s\n", err);
	return 126;
}

int nuse_inproc_run(const struct nuse_opts *o, const struct nuse_program *p0,
		    char **argv, char **envp)
{
	static const enum rt_mode modes[] = {
		[NUSE_MODE_SUD] = RT_MODE_SUD,
		[NUSE_MODE_SUD_TRAP] = RT_MODE_SUD_TRAP,
		[NUSE_MODE_SECCOMP] = RT_MODE_SECCOMP,
		[NUSE_MODE_PRELOAD] = RT_MODE_PRELOAD,
	};
	struct nuse_program script_interp;
	const struct nuse_program *p = p0;
	struct stack_image img = { 0 };
	struct nuse_elf prog, interp;
	const char *execfn = o->exec_fn ? o->exec_fn : p0->path;
	char **pargv = argv, err[512];
	const char *why;
	bool has_interp;
	ssize_t n;
	int r;

	if (o->exec_argv0)
		argv[0] = (char *)o->exec_argv0;
	if (p->is_script) {
		/* What binfmt_script does: interpreter [arg] script args... */
		int argc = 0, k = 0;

		while (argv[argc])
			argc++;
		pargv = calloc(argc + 3, sizeof(char *));
		r = nuse_program_find(p->interp, &script_interp, err, sizeof(err));
		if (!pargv || r || script_interp.is_script) {
			fprintf(stderr, "nuse-exec: %s: bad interpreter: %s\n", p->path,
				r ? err : p->interp);
			return r ? r : 126;
		}
		pargv[k++] = (char *)p->interp;
		if (p->interp_arg[0])
			pargv[k++] = (char *)p->interp_arg;
		pargv[k++] = (char *)p->path;
		for (int i = 1; i < argc; i++)
			pargv[k++] = argv[i];
		p = &script_interp;
	}

	r = runtime_setup(modes[o->mode], o->verbose);
	if (r) {
		fprintf(stderr, "nuse-exec: runtime setup failed: %s\n", strerror(-r));
		return 125;
	}
	/*
	 * After the runtime's GS block exists, so the stack's host services
	 * adopt it; its threads start before any filter or SUD is armed.
	 */
	if (o->stack == NUSE_STACK_LINUX && (r = nuse_stack_linux_start(o))) {
		if (nuse_stack_err[0]) /* an option's value: its own line */
			fprintf(stderr, "nuse-exec: %s\n", nuse_stack_err);
		else
			fprintf(stderr, "nuse-exec: --stack=linux: boot failed: %s\n",
				strerror(-r));
		return nuse_stack_err[0] ? 2 : 125;
	}
	n = readlink("/proc/self/exe", rt_cfg.self_exe, sizeof(rt_cfg.self_exe) - 1);
	if (n <= 0 || !realpath(p->path, rt_cfg.prog_path)) {
		fprintf(stderr, "nuse-exec: %s: %s\n", p->path, strerror(errno));
		return 126;
	}
	find_vdso();

	r = load(p, &prog, &interp, &has_interp);
	if (r)
		return r;
	if (build_stack(&img, pargv, envp, &prog, has_interp ? &interp : NULL, execfn)) {
		fprintf(stderr, "nuse-exec: out of memory\n");
		return 125;
	}
	/* comm is the basename of the file the kernel would have executed. */
	prctl(PR_SET_NAME, strrchr(execfn, '/') ? strrchr(execfn, '/') + 1 : execfn);

	rt_cfg.rewrite = o->mode == NUSE_MODE_SUD;
	if (rt_cfg.rewrite && (r = rt_rewrite_init())) {
		if (o->verbose)
			fprintf(stderr,
				"nuse-exec: cannot map page 0 (%s): syscall sites are not rewritten; every call traps (run as root or set vm.mmap_min_addr=0)\n",
				strerror(-r));
		rt_cfg.rewrite = false;
	}
	if (o->mode == NUSE_MODE_SECCOMP) {
		if (!o->exec_argv0 && (r = install_seccomp())) {
			fprintf(stderr, "nuse-exec: seccomp: %s\n", strerror(-r));
			return 125;
		}
	}
	fflush(NULL);
	drop_rseq();
	if (o->mode != NUSE_MODE_SECCOMP && o->mode != NUSE_MODE_PRELOAD &&
	    (r = rt_arm())) {
		fprintf(stderr, "nuse-exec: syscall user dispatch: %s\n", strerror(-r));
		return 125;
	}
	if (o->mode != NUSE_MODE_PRELOAD && (why = probe(o->stack == NUSE_STACK_LINUX))) {
		fprintf(stderr,
			"nuse-exec: --mode=%s: %s: not running %s (nuse-exec --check tells what this machine allows)\n",
			nuse_mode_name(o->mode), why, p0->path);
		return 125;
	}
	if (o->mode != NUSE_MODE_PRELOAD && o->verbose)
		fprintf(stderr, "nuse-exec: probe: the program's calls reach %s\n",
			o->stack == NUSE_STACK_LINUX ? "the Linux stack" : "nuse");
	nuse_jump(img.w, img.n * 8, has_interp ? interp.entry : prog.entry);
}
