/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NUSE_TRACER_STACK_LINUX_H
#define NUSE_TRACER_STACK_LINUX_H

/* Boot the in-process Linux stack and route network calls to it through
 * vfs-fd (--stack=linux, in-process modes): 0 or -errno. */
int nuse_stack_linux_start(void);

#endif
