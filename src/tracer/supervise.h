/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The supervisor modes (ptrace, unotify): the program runs untouched in a
 * child under a seccomp filter built from netcalls, and its network calls
 * are stopped and served by a supervisor process.
 *
 * Process layout (see docs in supervise.c):
 *
 *   nuse-exec (front) ──fork──► supervisor ──fork──► program ──► descendants
 *        ▲                          │
 *        └──── pid, wait status ────┘
 *
 * The front is the process the shell waits for: it returns the program's
 * wait status as soon as the program exits, while the supervisor keeps
 * serving the program's descendants (sh -c 'x &') until the last is gone.
 */
#ifndef NUSE_TRACER_SUPERVISE_H
#define NUSE_TRACER_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "options.h"
#include "program.h"

struct nuse_sup;

/* One intercepted system call, as a mode hands it to nuse_serve_call(). */
struct nuse_call {
	pid_t tid;		/* calling thread */
	uint32_t arch;		/* AUDIT_ARCH_* of the call */
	long nr;
	unsigned long args[6];

	/* Answer when nuse_serve_call() returns NUSE_CALL_RETURN. */
	long ret;		/* value, or -errno */

	/*
	 * Access to the caller, for serving a call from outside.  read_mem
	 * and write_mem return bytes copied or -errno; they also check that
	 * the call is still pending, so a recycled pid is never believed.
	 * install_fd puts @fd into the caller's table as the call's result
	 * (unotify only; NULL when the mode cannot).
	 */
	long (*read_mem)(struct nuse_call *c, void *dst, unsigned long addr,
			 unsigned long len);
	long (*write_mem)(struct nuse_call *c, unsigned long addr,
			  const void *src, unsigned long len);
	int (*install_fd)(struct nuse_call *c, int fd, unsigned int flags);
	/*
	 * Is the call still waiting for its answer (false once the caller
	 * was killed)?  For calls served while they block (--stack=linux).
	 */
	bool (*pending)(struct nuse_call *c);
	/*
	 * ptrace: install_fd cannot pass a descriptor; the caller opens it
	 * by path, so it is a named FIFO and install_path its name (set for
	 * the install_fd call; the mode unlinks it once the caller has it).
	 */
	bool install_by_path;
	char install_path[96];
	void *mode_ctx;
};

enum nuse_verdict {
	NUSE_CALL_CONTINUE,	/* let the host kernel run it in the caller */
	NUSE_CALL_RETURN,	/* the call is done: return c->ret */
	NUSE_CALL_ANSWERED,	/* install_fd answered it already (c->ret) */
};

/*
 * The single point where an intercepted call is served.  io_uring_setup
 * gets ENOSYS; the rest goes to the stack: nuse_serve_host() for
 * --stack=host, and the Linux stack will plug in beside it.
 */
enum nuse_verdict nuse_serve_call(const struct nuse_sup *s, struct nuse_call *c);

/* --stack=host (serve-host.c). */
enum nuse_verdict nuse_serve_host(const struct nuse_sup *s, struct nuse_call *c);

/* What a supervisor mode provides to the common skeleton. */
struct nuse_sup_mode {
	const char *name;
	/* SECCOMP_RET_TRACE or SECCOMP_RET_USER_NOTIF */
	uint32_t action;
	/*
	 * In the child, before execve: install the filter @prog (a
	 * struct sock_fprog).  Returns a value handed to attach() (the
	 * listener fd for unotify), or -errno.  Async-signal-safe only.
	 */
	int (*child_setup)(const void *prog);
	/*
	 * In the supervisor, the child stopped before execve: take hold of
	 * it (@child_val is child_setup's result).  0 or -errno.
	 */
	int (*attach)(struct nuse_sup *s, pid_t pid, int child_val);
	/*
	 * Serve until no process under the filter is left.  Calls
	 * nuse_sup_main_exited() when the program itself has been reaped.
	 * Returns 0, or -1 after a fatal error (message printed).
	 */
	int (*serve)(struct nuse_sup *s);
};

/* Supervisor state shared by the skeleton and the modes. */
struct nuse_sup {
	const struct nuse_opts *o;
	const struct nuse_sup_mode *mode;
	pid_t main_pid;		/* the program */
	pid_t front_pid;	/* the nuse-exec process the shell waits for */
	int report_fd;		/* to the front; -1 once the status is sent */
	bool main_stopped;	/* the front was stopped with the program */
	void *mode_data;
};

/* Run @p under @m; the mode's nuse_*_run is just this.  See modes.h. */
int nuse_supervise(const struct nuse_sup_mode *m, const struct nuse_opts *o,
		   const struct nuse_program *p, char **argv, char **envp);

/* The program exited with wait status @status: tell the front. */
void nuse_sup_main_exited(struct nuse_sup *s, int status);

/*
 * Job control: the program was stopped by @sig, or continued.  The front
 * stands for it before the shell, so it stops and continues with it.
 */
void nuse_sup_main_stopped(struct nuse_sup *s, int sig);
void nuse_sup_main_continued(struct nuse_sup *s);

/*
 * In the child: load the filter @prog with seccomp(2) @flags.  Returns the
 * seccomp result (the listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER)
 * or -errno.  Sets no_new_privs only when the caller lacks CAP_SYS_ADMIN.
 */
int nuse_sup_load_filter(const void *prog, unsigned long flags);

/* Verbose message from the supervisor, prefixed "nuse-exec: MODE: ". */
void nuse_sup_log(const struct nuse_sup *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Name of a system call of @arch, or NULL if nuse does not know it. */
const char *nuse_syscall_name(uint32_t arch, long nr);

#endif
