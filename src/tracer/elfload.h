/* SPDX-License-Identifier: GPL-2.0 */
/* Mapping an ELF executable or interpreter the way the kernel would. */
#ifndef NUSE_TRACER_ELFLOAD_H
#define NUSE_TRACER_ELFLOAD_H

#include <stddef.h>
#include <stdint.h>

struct nuse_elf {
	uintptr_t base;	 /* load bias (0 for ET_EXEC) */
	uintptr_t entry;
	uintptr_t phdr;	 /* program headers in memory */
	unsigned int phnum;
};

int nuse_elf_map(const char *path, struct nuse_elf *e, char *err,
		 size_t errlen);

#endif
