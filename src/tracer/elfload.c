// SPDX-License-Identifier: GPL-2.0
/* ELF loading for the in-process modes: PT_LOAD segments, bss, phdr. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfload.h"

#define PAGE 4096UL
#define DOWN(x) ((x) & ~(PAGE - 1))
#define UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static int seg_prot(const Elf64_Phdr *ph)
{
	return (ph->p_flags & PF_R ? PROT_READ : 0) |
	       (ph->p_flags & PF_W ? PROT_WRITE : 0) |
	       (ph->p_flags & PF_X ? PROT_EXEC : 0);
}

static int map_segment(int fd, uintptr_t base, const Elf64_Phdr *ph)
{
	uintptr_t start = base + ph->p_vaddr;
	uintptr_t file_end = start + ph->p_filesz;
	uintptr_t mem_end = start + ph->p_memsz;
	int prot = seg_prot(ph);

	if (ph->p_filesz &&
	    mmap((void *)DOWN(start), file_end - DOWN(start), prot | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, DOWN(ph->p_offset)) == MAP_FAILED)
		return -errno;
	if (ph->p_memsz > ph->p_filesz) {
		/* bss: the rest of the last file page, then anonymous pages. */
		if (ph->p_filesz && UP(file_end) > file_end)
			memset((void *)file_end, 0, UP(file_end) - file_end);
		if (UP(mem_end) > UP(file_end) &&
		    mmap((void *)UP(file_end), UP(mem_end) - UP(file_end), prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return -errno;
	}
	if (ph->p_filesz && !(prot & PROT_WRITE) &&
	    mprotect((void *)DOWN(start), file_end - DOWN(start), prot))
		return -errno;
	return 0;
}

int nuse_elf_map(const char *path, struct nuse_elf *e, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	uintptr_t lo = UINTPTR_MAX, hi = 0, base;
	void *reserve;
	int fd, r = -ENOEXEC, i;
	size_t phsize;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    !eh.e_phnum || eh.e_phnum > 256) {
		snprintf(err, errlen, "%s: cannot execute: not an x86-64 ELF executable", path);
		goto out;
	}
	phsize = (size_t)eh.e_phnum * sizeof(*ph);
	ph = malloc(phsize);
	if (!ph || pread(fd, ph, phsize, eh.e_phoff) != (ssize_t)phsize) {
		snprintf(err, errlen, "%s: cannot read program headers", path);
		goto out;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (DOWN(ph[i].p_vaddr) < lo)
			lo = DOWN(ph[i].p_vaddr);
		if (UP(ph[i].p_vaddr + ph[i].p_memsz) > hi)
			hi = UP(ph[i].p_vaddr + ph[i].p_memsz);
	}
	if (lo >= hi) {
		snprintf(err, errlen, "%s: cannot execute: no loadable segment", path);
		goto out;
	}
	/* Reserve the whole span first so segments never land on other maps. */
	reserve = mmap(eh.e_type == ET_EXEC ? (void *)lo : NULL, hi - lo, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS |
			       (eh.e_type == ET_EXEC ? MAP_FIXED_NOREPLACE : 0),
		       -1, 0);
	if (reserve == MAP_FAILED) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot map at %#lx: %s", path,
			 (unsigned long)lo, strerror(errno));
		goto out;
	}
	base = (uintptr_t)reserve - lo;
	e->base = base;
	e->entry = base + eh.e_entry;
	e->phnum = eh.e_phnum;
	e->phdr = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_PHDR)
			e->phdr = base + ph[i].p_vaddr;
		if (ph[i].p_type != PT_LOAD)
			continue;
		r = map_segment(fd, base, &ph[i]);
		if (r) {
			snprintf(err, errlen, "%s: cannot map segment: %s", path, strerror(-r));
			goto out;
		}
		if (!e->phdr && eh.e_phoff >= ph[i].p_offset &&
		    eh.e_phoff + phsize <= ph[i].p_offset + ph[i].p_filesz)
			e->phdr = base + ph[i].p_vaddr + (eh.e_phoff - ph[i].p_offset);
	}
	r = 0;
out:
	free(ph);
	close(fd);
	return r;
}
