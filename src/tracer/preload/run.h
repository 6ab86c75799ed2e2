/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NUSE_PRELOAD_RUN_H
#define NUSE_PRELOAD_RUN_H

#include "../options.h"
#include "../program.h"

/*
 * --mode=preload --stack=linux: LD_PRELOAD holds the shim @lib already;
 * load the program in this process with the Linux stack and the runtime's
 * entry published to the shim (abi.h).  Returns only on failure, with the
 * shell status to exit with.
 */
int nuse_preload_linux_run(const struct nuse_opts *o,
			   const struct nuse_program *p, char **argv,
			   const char *lib);

/*
 * First thing in main: if this nuse-exec was started by a program under
 * preload --stack=linux executing /proc/self/exe (which names nuse-exec
 * in its process: posix_spawn, execl, system...), turn *argv into the
 * command line that runs that program again with the argv it gave.
 */
void nuse_preload_self_exec(int *argc, char ***argv);

#endif
