// SPDX-License-Identifier: GPL-2.0
/* nuse-exec finds libnuse-preload.so in a build tree, an install, a moved install. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/tracer/paths.h"

static void rel(const char *from, const char *to, const char *want)
{
	char out[256];

	ck_assert_int_eq(nuse_relative_dir(from, to, out, sizeof(out)), 0);
	ck_assert_str_eq(out, want);
}

START_TEST(relative_dirs)
{
	rel("/usr/local/bin", "/usr/local/lib/nuse", "../lib/nuse");
	rel("/usr/bin", "/usr/lib/x86_64-linux-gnu/nuse",
	    "../lib/x86_64-linux-gnu/nuse");
	rel("/opt/nuse/bin/", "//opt/nuse/./libexec", "../libexec");
	rel("/a/b", "/a/b", ".");
	rel("/a/b/c", "/a", "../..");
	rel("/", "/x/y", "x/y");
}
END_TEST

START_TEST(relative_dirs_refused)
{
	char out[8];

	ck_assert_int_eq(
		nuse_relative_dir("usr/bin", "/usr/lib", out, sizeof(out)), -1);
	ck_assert_int_eq(nuse_relative_dir("/usr/bin", "/usr/../lib", out,
					   sizeof(out)),
			 -1);
	ck_assert_int_eq(
		nuse_relative_dir("/a", "/b/cccccccccc", out, sizeof(out)), -1);
}
END_TEST

static char dir[] = "/tmp/nuse-test-paths-XXXXXX";

static void touch(const char *sub)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void mk(const char *sub)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

START_TEST(preload_found_in_moved_prefix)
{
	char self[512], out[1024], want[1024];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	mk("bin");
	mk("lib");
	mk("lib/nuse");
	touch("lib/nuse/libnuse-preload.so");
	unsetenv("NUSE_PRELOAD_LIB");
	snprintf(self, sizeof(self), "%s/bin/nuse-exec", dir);
	snprintf(want, sizeof(want), "%s/lib/nuse/libnuse-preload.so", dir);
	/* configured for /usr/local, moved to dir */
	ck_assert_int_eq(nuse_find_preload(self, "/usr/local/bin",
					   "/usr/local/lib/nuse", out,
					   sizeof(out)),
			 0);
	ck_assert_str_eq(out, want);
	/* a build tree: next to the binary wins */
	touch("bin/libnuse-preload.so");
	snprintf(want, sizeof(want), "%s/bin/libnuse-preload.so", dir);
	ck_assert_int_eq(nuse_find_preload(self, "/usr/local/bin",
					   "/usr/local/lib/nuse", out,
					   sizeof(out)),
			 0);
	ck_assert_str_eq(out, want);
	/* nothing anywhere: -1, the configured path named */
	ck_assert_int_eq(nuse_find_preload(
				 "/nonexistent/bin/nuse-exec", "/usr/local/bin",
				 "/nonexistent/lib/nuse", out, sizeof(out)),
			 -1);
	ck_assert_str_eq(out, "/nonexistent/lib/nuse/libnuse-preload.so");
	snprintf(want, sizeof(want), "rm -rf %s", dir);
	ck_assert_int_eq(system(want), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("paths");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, relative_dirs);
	tcase_add_test(tc, relative_dirs_refused);
	tcase_add_test(tc, preload_found_in_moved_prefix);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
