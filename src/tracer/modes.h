/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of the interception modes, called by nuse-exec's main. */
#ifndef NUSE_TRACER_MODES_H
#define NUSE_TRACER_MODES_H

#include "options.h"
#include "program.h"

/*
 * In-process modes (sud, sud-trap, seccomp): load @p into this process and
 * jump to it.  Returns only on failure, with the shell status to exit with
 * (a message has been printed).
 */
int nuse_inproc_run(const struct nuse_opts *o, const struct nuse_program *p,
		    char **argv, char **envp);

/*
 * Supervisor modes: run @p in a child and serve its calls from this
 * process.  Return the child's wait status, or -1 after printing why the
 * child could not be started.
 */
int nuse_ptrace_run(const struct nuse_opts *o, const struct nuse_program *p,
		    char **argv, char **envp);
int nuse_unotify_run(const struct nuse_opts *o, const struct nuse_program *p,
		     char **argv, char **envp);

#endif
