// SPDX-License-Identifier: GPL-2.0
/* Where nuse-exec finds its installed parts (no global state: unit-tested). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

#define MAX_PARTS 64

/* Split an absolute path into its components (pointers into @buf). */
static int split(const char *path, char *buf, size_t len, char **parts)
{
	int n = 0;
	char *save, *p;

	if (path[0] != '/' || strlen(path) >= len)
		return -1;
	strcpy(buf, path);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..") || n == MAX_PARTS)
			return -1;
		parts[n++] = p;
	}
	return n;
}

int nuse_relative_dir(const char *from, const char *to, char *out, size_t len)
{
	char fb[PATH_MAX], tb[PATH_MAX], *fp[MAX_PARTS], *tp[MAX_PARTS];
	int nf = split(from, fb, sizeof(fb), fp);
	int nt = split(to, tb, sizeof(tb), tp);
	int common = 0, i;
	size_t used = 0;

	if (nf < 0 || nt < 0 || !len)
		return -1;
	while (common < nf && common < nt && !strcmp(fp[common], tp[common]))
		common++;
	out[0] = '\0';
	for (i = common; i < nf; i++)
		used += snprintf(out + used, used < len ? len - used : 0,
				 "%s..", used ? "/" : "");
	for (i = common; i < nt; i++)
		used += snprintf(out + used, used < len ? len - used : 0,
				 "%s%s", used ? "/" : "", tp[i]);
	if (!used)
		used = snprintf(out, len, ".");
	return used < len ? 0 : -1;
}

int nuse_find_preload(const char *self, const char *bindir,
		      const char *pkglibdir, char *out, size_t len)
{
	static const char lib[] = "libnuse-preload.so";
	const char *env = getenv("NUSE_PRELOAD_LIB");
	const char *slash = self ? strrchr(self, '/') : NULL;
	char rel[PATH_MAX];
	int dirlen;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, R_OK) ? -1 : 0;
	}
	if (slash) {
		dirlen = slash - self;
		/* next to the binary: an uninstalled build tree */
		snprintf(out, len, "%.*s/%s", dirlen, self, lib);
		if (!access(out, R_OK))
			return 0;
		/* the installed layout, wherever the prefix went */
		if (!nuse_relative_dir(bindir, pkglibdir, rel, sizeof(rel))) {
			char found[PATH_MAX];

			snprintf(out, len, "%.*s/%s/%s", dirlen, self, rel,
				 lib);
			if (!access(out, R_OK)) {
				/* "/usr/bin/../lib/nuse/x.so" -> "/usr/lib/nuse/x.so" */
				if (realpath(out, found) && strlen(found) < len)
					strcpy(out, found);
				return 0;
			}
		}
	}
	snprintf(out, len, "%s/%s", pkglibdir, lib);
	return access(out, R_OK) ? -1 : 0;
}
