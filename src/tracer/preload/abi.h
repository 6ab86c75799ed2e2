/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --mode=preload --stack=linux: what nuse-exec publishes to
 * libnuse-preload.so.
 *
 * nuse-exec loads the dynamic program in its own process as in the sud
 * modes, but arms no interception; the shim is in LD_PRELOAD and forwards
 * every call it interposes to the runtime inside nuse-exec's image, so
 * preload and sud run the very same dispatcher, vfs-fd and stack and
 * differ only in how a call is caught.  The table below is found through
 * an auxiliary vector entry that only nuse-exec's own loader writes: an
 * image the kernel started (a plain execve by the program) has none, and
 * the shim then re-enters nuse-exec instead of trusting a stale address.
 */
#ifndef NUSE_PRELOAD_ABI_H
#define NUSE_PRELOAD_ABI_H

#include <stdint.h>

/* a_type of the auxv entry holding &struct nuse_preload_rt ("NUSE") */
#define NUSE_AT_PRELOAD_RT 0x4e555345UL

#define NUSE_PRELOAD_RT_MAGIC 0x3154525053554e00ULL /* "\0NUSPRT1" */
#define NUSE_PRELOAD_RT_VERSION 5

/* Environment the shim needs to re-enter nuse-exec after a plain execve. */
#define NUSE_PRELOAD_ENV_EXEC "NUSE_EXEC" /* absolute path of nuse-exec */
#define NUSE_PRELOAD_ENV_STACK "NUSE_STACK" /* "linux" or "host" */
/* The program nuse-exec loaded last: what an execve of /proc/self/exe,
 * which names nuse-exec in such a process, must run. */
#define NUSE_PRELOAD_ENV_PROG "NUSE_PRELOAD_PROG"
/*
 * The session a new image joins: "E<pid>:--session=..." for an execve by
 * process <pid> (execve keeps the pid), "P<pid>:--session=..." for a child
 * that <pid> spawns.  Set by the shim's exec and spawn wrappers; a value
 * that does not name the process that reads it is stale and ignored.
 */
#define NUSE_PRELOAD_ENV_SESSION "NUSE_SESSION_EXEC"

struct nuse_preload_rt {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct nuse_preload_rt) */
	/*
	 * One network or descriptor call, Linux x86-64 number and arguments;
	 * the kernel convention back (-errno).  Callable from any thread of
	 * the program: it gives a thread its runtime block on first use
	 * (threads made by pthread_create, a forked child) and runs the call
	 * on that block's stack.
	 */
	long (*dispatch)(long nr, long a0, long a1, long a2, long a3, long a4,
			 long a5);
	/*
	 * pthread_atfork: before the fork (a token for the child, or
	 * -errno), and first thing in the child (which then has its own
	 * copy of the stack's descriptor table, as in Linux).
	 */
	long (*fork_prepare)(void);
	void (*fork_child)(long token);
	/*
	 * execve: the --session=... argument for the new image (NULL: none),
	 * and the clean-up when the execve failed.
	 */
	const char *(*exec_arg)(void);
	void (*exec_failed)(void);
	/*
	 * A child that exec's without our seeing it (posix_spawn, system):
	 * its --session=... argument in @buf (a copy of the caller's
	 * descriptor table), a token for spawn_done, or -errno.
	 * spawn_done(token, pid) after the spawn (pid < 0: it failed, or
	 * unknown: 0, the child registers itself).
	 */
	long (*spawn_prepare)(char *buf, unsigned long len);
	void (*spawn_done)(long token, long pid);
	/* What readlink("/proc/self/exe") must show: the program. */
	const char *prog_path;
	/*
	 * A signal for a handler of the program arrived (its siginfo and
	 * ucontext): 1 if this thread is in a stack call, which then ends
	 * as Linux ends an interrupted call, and the signal is sent again
	 * when it returns (the handler must not run now); 0: run it now.
	 * The shim's handler wrapper calls it (preload/signals.c).
	 */
	int (*signal_enter)(int sig, void *si, void *uc);
};

/*
 * The --session=... argument left for this process in NUSE_SESSION_EXEC,
 * or NULL if there is none or it is stale (names another process).
 */
static inline const char *nuse_preload_session_arg(const char *v, int pid,
						   int ppid)
{
	long who = 0;
	char kind;

	if (!v || (v[0] != 'E' && v[0] != 'P'))
		return 0;
	kind = *v++;
	while (*v >= '0' && *v <= '9')
		who = who * 10 + (*v++ - '0');
	if (*v++ != ':' || who != (kind == 'E' ? pid : ppid))
		return 0;
	return v;
}

/* The shim: the table it found, NULL with --stack=host (linux.c). */
extern const struct nuse_preload_rt *nuse_shim_rt;

/* nuse-exec: the table, and its set-up before the jump (0 or -errno). */
extern const struct nuse_preload_rt nuse_preload_rt_table;
int nuse_preload_rt_init(void);

#endif
