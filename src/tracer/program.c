// SPDX-License-Identifier: GPL-2.0
/* PATH lookup and ELF vetting, giving the shell's 126/127 statuses. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"

static int check_file(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT || errno == ENOTDIR ? 127 : 126;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: Is a directory", path);
		return 126;
	}
	if (access(path, X_OK)) {
		snprintf(err, errlen, "%s: Permission denied", path);
		return 126;
	}
	return 0;
}

static int search_path(const char *name, struct nuse_program *p, char *err,
		       size_t errlen)
{
	const char *path = getenv("PATH");
	const char *s, *e;
	int first_err = 127;

	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (s = path;; s = e + 1) {
		size_t dlen;
		int r;

		e = strchrnul(s, ':');
		dlen = e - s;
		if (snprintf(p->path, sizeof(p->path), "%.*s%s%s", (int)dlen, s,
			     dlen ? "/" : "", name) < (int)sizeof(p->path)) {
			r = check_file(p->path, err, errlen);
			if (!r)
				return 0;
			/* execvp: a found-but-unusable file wins over "not found". */
			if (r == 126 && first_err == 127)
				first_err = 126;
		}
		if (!*e)
			break;
	}
	if (first_err == 127)
		snprintf(err, errlen, "%s: command not found", name);
	return first_err;
}

static int parse_shebang(struct nuse_program *p, const char *buf, size_t n,
			 char *err, size_t errlen)
{
	char line[512];
	char *s, *arg;
	size_t len = n < sizeof(line) - 1 ? n : sizeof(line) - 1;

	memcpy(line, buf, len);
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	s = line + 2;
	s += strspn(s, " \t");
	arg = s + strcspn(s, " \t");
	if (*arg) {
		*arg++ = '\0';
		arg += strspn(arg, " \t");
		arg[strcspn(arg, "\r")] = '\0';
		/* Linux passes the rest of the line, trailing blanks trimmed. */
		for (size_t l = strlen(arg); l && (arg[l - 1] == ' ' || arg[l - 1] == '\t'); l--)
			arg[l - 1] = '\0';
	}
	if (!*s) {
		snprintf(err, errlen, "%s: bad interpreter line", p->path);
		return 126;
	}
	p->is_script = true;
	snprintf(p->interp, sizeof(p->interp), "%s", s);
	snprintf(p->interp_arg, sizeof(p->interp_arg), "%s", arg);
	return 0;
}

static int vet_elf(struct nuse_program *p, char *err, size_t errlen)
{
	unsigned char buf[512];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	ssize_t n;
	int fd;

	fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", p->path, strerror(errno));
		return 126;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		close(fd);
		return parse_shebang(p, (char *)buf, n, err, errlen);
	}
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG)) {
		close(fd);
		snprintf(err, errlen, "%s: cannot execute: not an ELF executable", p->path);
		return 126;
	}
	if (buf[EI_CLASS] != ELFCLASS64) {
		close(fd);
		snprintf(err, errlen, "%s: cannot execute: 32-bit ELF (only x86-64 is supported)", p->path);
		return 126;
	}
	if (eh->e_machine != EM_X86_64) {
		close(fd);
		snprintf(err, errlen, "%s: cannot execute: wrong architecture (machine %u, want x86-64)",
			 p->path, eh->e_machine);
		return 126;
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		close(fd);
		snprintf(err, errlen, "%s: cannot execute: not an executable (ELF type %u)",
			 p->path, eh->e_type);
		return 126;
	}
	p->is_pie = eh->e_type == ET_DYN;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh->e_phoff + (off_t)i * eh->e_phentsize) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP && ph.p_filesz > 1 &&
		    ph.p_filesz < sizeof(p->interp)) {
			if (pread(fd, p->interp, ph.p_filesz, ph.p_offset) == (ssize_t)ph.p_filesz) {
				p->interp[ph.p_filesz - 1] = '\0';
				p->is_dynamic = true;
			}
		}
	}
	close(fd);
	return 0;
}

int nuse_program_find(const char *name, struct nuse_program *p, char *err,
		      size_t errlen)
{
	int r;

	memset(p, 0, sizeof(*p));
	if (!*name) {
		snprintf(err, errlen, "'': command not found");
		return 127;
	}
	if (strchr(name, '/')) {
		snprintf(p->path, sizeof(p->path), "%s", name);
		r = check_file(p->path, err, errlen);
	} else {
		r = search_path(name, p, err, errlen);
	}
	if (r)
		return r;
	return vet_elf(p, err, errlen);
}
