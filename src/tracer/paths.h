/* SPDX-License-Identifier: GPL-2.0 */
/* Where nuse-exec finds its installed parts (libnuse-preload.so). */
#ifndef NUSE_TRACER_PATHS_H
#define NUSE_TRACER_PATHS_H

#include <stddef.h>

/*
 * The absolute directory @to as seen from the absolute directory @from
 * ("/usr/bin", "/usr/lib/nuse" -> "../lib/nuse"; equal: "."). Empty and
 * "." components are ignored. 0, or -1 if a path is relative, holds ".."
 * or the result does not fit in @len.
 */
int nuse_relative_dir(const char *from, const char *to, char *out, size_t len);

/*
 * libnuse-preload.so for nuse-exec at @self (its /proc/self/exe), the
 * first readable of: $NUSE_PRELOAD_LIB; next to @self (a build tree);
 * @self's directory + the way from @bindir to @pkglibdir (an installed
 * tree moved to another prefix); @pkglibdir. 0 with the path in @out, or
 * -1 with the last path tried in @out. A path found relative to @self is
 * given without "..".
 */
int nuse_find_preload(const char *self, const char *bindir,
		      const char *pkglibdir, char *out, size_t len);

#endif
