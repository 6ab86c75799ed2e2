// SPDX-License-Identifier: GPL-2.0
/*
 * libnuse-preload.so with --stack=linux: new images join the session.
 *
 * Under sud the runtime sees execve and re-executes nuse-exec with the
 * session's --session=... argument (stack-linux.c): the new image maps the
 * same stack and keeps the descriptor table.  Under preload nothing sees
 * the kernel's execve, so the wrappers below ask the runtime for that
 * argument before the libc call and pass it in the environment
 * (NUSE_SESSION_EXEC, abi.h) to the shim's constructor in the new image,
 * which re-enters nuse-exec with it (linux.c).  A spawned child (posix_spawn,
 * system, popen) gets a copy of the caller's descriptor table, as fork
 * would give it.
 *
 * Only calls through the dynamic symbol table are seen: an exec inside
 * libc that is not one of these (wordexp, or a program calling the
 * syscall directly) starts the new image on a stack of its own.
 */
#include <dlfcn.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload/abi.h"

#define SHIM __attribute__((visibility("default")))
#define ENV_PREFIX NUSE_PRELOAD_ENV_SESSION "="

extern char **environ;

/* @envp without an older NUSE_SESSION_EXEC, plus @entry (malloc'd). */
static char **env_with(char *const envp[], char *entry)
{
	size_t n = 0, k = 0;
	char **e;

	while (envp && envp[n])
		n++;
	e = malloc((n + 2) * sizeof(char *));
	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], ENV_PREFIX, sizeof(ENV_PREFIX) - 1))
			e[k++] = envp[i];
	e[k++] = entry;
	e[k] = NULL;
	return e;
}

/* "NUSE_SESSION_EXEC=<kind><pid>:<arg>" (malloc'd), or NULL. */
static char *entry_for(char kind, const char *arg)
{
	char *s;

	if (asprintf(&s, "%s%c%d:%s", ENV_PREFIX, kind, (int)getpid(), arg) < 0)
		return NULL;
	return s;
}

struct prepared {
	char **envp;
	char *entry;
};

/* For an execve: NULL envp when nothing is to be added. */
static struct prepared prepare_exec(char *const envp[])
{
	struct prepared p = { NULL, NULL };
	const char *arg;

	if (!nuse_shim_rt || !(arg = nuse_shim_rt->exec_arg()))
		return p;
	p.entry = entry_for('E', arg);
	p.envp = p.entry ? env_with(envp, p.entry) : NULL;
	return p;
}

static int exec_failed(struct prepared *p, int e)
{
	if (p->envp)
		nuse_shim_rt->exec_failed();
	free(p->envp);
	free(p->entry);
	errno = e;
	return -1;
}

static long sys_execveat(int dirfd, const char *path, char *const argv[],
			 char *const envp[], int flags)
{
	return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

SHIM int execve(const char *path, char *const argv[], char *const envp[])
{
	struct prepared p = prepare_exec(envp);

	syscall(SYS_execve, path, argv, p.envp ? p.envp : envp);
	return exec_failed(&p, errno);
}

SHIM int execveat(int dirfd, const char *path, char *const argv[],
		  char *const envp[], int flags)
{
	struct prepared p = prepare_exec(envp);

	sys_execveat(dirfd, path, argv, p.envp ? p.envp : envp, flags);
	return exec_failed(&p, errno);
}

SHIM int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct prepared p = prepare_exec(envp);

	sys_execveat(fd, "", argv, p.envp ? p.envp : envp,
		     0x1000 /* AT_EMPTY_PATH */);
	return exec_failed(&p, errno);
}

SHIM int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* PATH search and the ENOEXEC fallback are libc's: call its execvpe. */
SHIM int execvpe(const char *file, char *const argv[], char *const envp[])
{
	static int (*real)(const char *, char *const[], char *const[]);
	struct prepared p;

	if (!real)
		real = (int (*)(const char *, char *const[],
				char *const[]))dlsym(RTLD_NEXT, "execvpe");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	p = prepare_exec(envp);
	real(file, argv, p.envp ? p.envp : envp);
	return exec_failed(&p, errno);
}

SHIM int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* execl, execle, execlp: collect the argument list. */
static char **collect(const char *arg0, va_list ap, char ***envp)
{
	size_t n = 1, cap = 16;
	char **argv = malloc(cap * sizeof(char *)), *a;

	if (!argv)
		return NULL;
	argv[0] = (char *)arg0;
	do {
		a = va_arg(ap, char *);
		if (n == cap) {
			char **bigger =
				realloc(argv, (cap *= 2) * sizeof(char *));

			if (!bigger) {
				free(argv);
				return NULL;
			}
			argv = bigger;
		}
		argv[n++] = a;
	} while (a);
	if (envp)
		*envp = va_arg(ap, char **);
	return argv;
}

SHIM int execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	char **argv;
	int e;

	va_start(ap, arg0);
	argv = collect(arg0, ap, NULL);
	va_end(ap);
	if (!argv)
		return -1;
	execve(path, argv, environ);
	e = errno;
	free(argv);
	errno = e;
	return -1;
}

SHIM int execle(const char *path, const char *arg0, ...)
{
	char **argv, **envp = NULL;
	va_list ap;
	int e;

	va_start(ap, arg0);
	argv = collect(arg0, ap, &envp);
	va_end(ap);
	if (!argv)
		return -1;
	execve(path, argv, envp);
	e = errno;
	free(argv);
	errno = e;
	return -1;
}

SHIM int execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	char **argv;
	int e;

	va_start(ap, arg0);
	argv = collect(arg0, ap, NULL);
	va_end(ap);
	if (!argv)
		return -1;
	execvp(file, argv);
	e = errno;
	free(argv);
	errno = e;
	return -1;
}

/* --- spawned children ---------------------------------------------------- */

typedef int (*spawn_fn)(pid_t *, const char *,
			const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[],
			char *const[]);

static int spawn(const char *name, pid_t *pid, const char *path,
		 const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[],
		 char *const envp[])
{
	spawn_fn real = (spawn_fn)dlsym(RTLD_NEXT, name);
	char buf[256], *entry = NULL, **e = NULL;
	pid_t child = 0;
	long token = -1;
	int r;

	if (!real)
		return ENOSYS;
	if (nuse_shim_rt &&
	    (token = nuse_shim_rt->spawn_prepare(buf, sizeof(buf))) > 0 &&
	    (entry = entry_for('P', buf)))
		e = env_with(envp, entry);
	r = real(&child, path, fa, attr, argv, e ? e : envp);
	if (token > 0)
		nuse_shim_rt->spawn_done(token, r ? -1 : child);
	if (pid && !r)
		*pid = child;
	free(e);
	free(entry);
	return r;
}

SHIM int posix_spawn(pid_t *pid, const char *path,
		     const posix_spawn_file_actions_t *fa,
		     const posix_spawnattr_t *attr, char *const argv[],
		     char *const envp[])
{
	return spawn("posix_spawn", pid, path, fa, attr, argv, envp);
}

SHIM int posix_spawnp(pid_t *pid, const char *file,
		      const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[],
		      char *const envp[])
{
	return spawn("posix_spawnp", pid, file, fa, attr, argv, envp);
}

/*
 * system and popen spawn inside libc with the environment: it carries
 * the argument for their one child (the pid is not known here: the child
 * registers itself when it attaches).
 */
static long env_prepare(void)
{
	char buf[256], *entry;
	long token;

	if (!nuse_shim_rt)
		return -1;
	token = nuse_shim_rt->spawn_prepare(buf, sizeof(buf));
	if (token <= 0)
		return -1;
	entry = entry_for('P', buf);
	if (!entry || putenv(entry)) {
		free(entry);
		nuse_shim_rt->spawn_done(token, -1);
		return -1;
	}
	return token; /* putenv keeps entry: freed by the next one, or never */
}

static void env_done(long token)
{
	if (token <= 0)
		return;
	unsetenv(NUSE_PRELOAD_ENV_SESSION);
	nuse_shim_rt->spawn_done(token, 0);
}

SHIM int system(const char *cmd)
{
	static int (*real)(const char *);
	long token;
	int r;

	if (!real)
		real = (int (*)(const char *))dlsym(RTLD_NEXT, "system");
	if (!real)
		return -1;
	if (!cmd)
		return real(cmd);
	token = env_prepare();
	r = real(cmd);
	env_done(token);
	return r;
}

SHIM FILE *popen(const char *cmd, const char *mode)
{
	static FILE *(*real)(const char *, const char *);
	long token;
	FILE *f;

	if (!real)
		real = (FILE * (*)(const char *, const char *))
			dlsym(RTLD_NEXT, "popen");
	if (!real)
		return NULL;
	token = env_prepare();
	f = real(cmd, mode);
	env_done(token);
	return f;
}
