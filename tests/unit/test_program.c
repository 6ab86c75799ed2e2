// SPDX-License-Identifier: GPL-2.0
/* Program lookup and vetting: the shell's 126/127 and their messages. */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/tracer/program.h"

static char dir[] = "/tmp/nuse-test-program-XXXXXX";

static char *path_in_dir(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	int fd = open(path_in_dir(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	chmod(path_in_dir(name), mode);
}

static void write_elf(const char *name, unsigned char cls, unsigned short machine)
{
	Elf64_Ehdr eh = { 0 };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = cls;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = machine;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	write_file(name, &eh, sizeof(eh), 0755);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];

	setenv("PATH", "/usr/bin:/bin", 1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/nuse-test-program-XXXXXX");
}

START_TEST(not_found_is_127)
{
	struct nuse_program p;
	char err[512];

	setenv("PATH", dir, 1);
	ck_assert_int_eq(nuse_program_find("no-such-program", &p, err, sizeof(err)), 127);
	ck_assert_ptr_nonnull(strstr(err, "command not found"));
	ck_assert_int_eq(nuse_program_find(path_in_dir("missing"), &p, err, sizeof(err)), 127);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

START_TEST(path_search_finds_static_and_dynamic)
{
	struct nuse_program p;
	char err[512];

	setenv("PATH", "/nonexistent:/bin", 1);
	ck_assert_int_eq(nuse_program_find("busybox", &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.path, "/bin/busybox");
	ck_assert(!p.is_dynamic);
	ck_assert_int_eq(nuse_program_find("/usr/bin/env", &p, err, sizeof(err)), 0);
	ck_assert(p.is_dynamic);
	ck_assert(p.is_pie);
	ck_assert_ptr_nonnull(strstr(p.interp, "ld-linux-x86-64.so"));
}
END_TEST

START_TEST(unusable_files_are_126)
{
	struct nuse_program p;
	char err[512];

	write_file("noexec", "\x7f" "ELF", 4, 0644);
	ck_assert_int_eq(nuse_program_find(path_in_dir("noexec"), &p, err, sizeof(err)), 126);
	ck_assert_ptr_nonnull(strstr(err, "Permission denied"));

	write_file("text", "hello world\n", 12, 0755);
	ck_assert_int_eq(nuse_program_find(path_in_dir("text"), &p, err, sizeof(err)), 126);
	ck_assert_ptr_nonnull(strstr(err, "not an ELF"));

	write_elf("elf32", ELFCLASS32, EM_386);
	ck_assert_int_eq(nuse_program_find(path_in_dir("elf32"), &p, err, sizeof(err)), 126);
	ck_assert_ptr_nonnull(strstr(err, "32-bit"));

	write_elf("arm64", ELFCLASS64, EM_AARCH64);
	ck_assert_int_eq(nuse_program_find(path_in_dir("arm64"), &p, err, sizeof(err)), 126);
	ck_assert_ptr_nonnull(strstr(err, "architecture"));

	ck_assert_int_eq(nuse_program_find(dir, &p, err, sizeof(err)), 126);
	ck_assert_ptr_nonnull(strstr(err, "directory"));
}
END_TEST

START_TEST(scripts_name_their_interpreter)
{
	struct nuse_program p;
	char err[512];

	write_file("script", "#! /bin/sh -e  \necho hi\n", 24, 0755);
	ck_assert_int_eq(nuse_program_find(path_in_dir("script"), &p, err, sizeof(err)), 0);
	ck_assert(p.is_script);
	ck_assert_str_eq(p.interp, "/bin/sh");
	ck_assert_str_eq(p.interp_arg, "-e");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("program");
	TCase *tc = tcase_create("find");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, not_found_is_127);
	tcase_add_test(tc, path_search_finds_static_and_dynamic);
	tcase_add_test(tc, unusable_files_are_126);
	tcase_add_test(tc, scripts_name_their_interpreter);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
