/* SPDX-License-Identifier: GPL-2.0 */
/* Finding and vetting the program nuse-exec is asked to run. */
#ifndef NUSE_TRACER_PROGRAM_H
#define NUSE_TRACER_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

struct nuse_program {
	char path[4096];
	bool is_script;	  /* starts with "#!" */
	bool is_dynamic;  /* ELF with PT_INTERP */
	bool is_pie;	  /* ET_DYN */
	char interp[256]; /* PT_INTERP or "#!" interpreter */
	char interp_arg[256]; /* optional argument after a "#!" interpreter */
};

/*
 * Resolve @name as execvp does (PATH search when it has no '/') and check
 * that it can be run: returns 0, or the shell's status (127 not found,
 * 126 cannot execute) with a one-line reason in @err.
 */
int nuse_program_find(const char *name, struct nuse_program *p, char *err,
		      size_t errlen);

#endif
