// SPDX-License-Identifier: GPL-2.0
/*
 * deny RULE... -- PROGRAM [ARGS]: run PROGRAM on a "machine" that lacks a
 * kernel feature, by a seccomp filter inherited by everything it starts.
 * RULE is NR=ERRNO (x86-64 call NR fails with ERRNO; 0 fakes success
 * without doing anything) or NR/ARG0=ERRNO (only when the first argument
 * is ARG0).  Tests use it to check nuse's fallbacks and refusals.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_RULES 16

int main(int argc, char **argv)
{
	struct sock_filter f[8 + 5 * MAX_RULES], *p = f;
	struct sock_fprog prog;
	int i, n = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		unsigned long nr, arg = 0, err;
		int has_arg = 0, k;
		char *s;

		nr = strtoul(argv[i], &s, 0);
		if (*s == '/') {
			has_arg = 1;
			arg = strtoul(s + 1, &s, 0);
		}
		if (*s != '=' || n == MAX_RULES) {
			fprintf(stderr, "deny: bad rule '%s'\n", argv[i]);
			return 2;
		}
		err = strtoul(s + 1, NULL, 0);
		k = has_arg ? 4 : 2;
		*p++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						    offsetof(struct seccomp_data, nr));
		*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, k - 1);
		if (has_arg) {
			*p++ = (struct sock_filter)BPF_STMT(
				BPF_LD | BPF_W | BPF_ABS,
				offsetof(struct seccomp_data, args[0]));
			*p++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							    arg, 0, 1);
		}
		*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						    SECCOMP_RET_ERRNO | (err & 0xffff));
		n++;
	}
	if (i >= argc - 1) {
		fprintf(stderr, "usage: deny NR[/ARG0]=ERRNO... -- PROGRAM [ARGS]\n");
		return 2;
	}
	*p++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)(p - f);
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		perror("deny: seccomp");
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	perror(argv[i + 1]);
	return errno == ENOENT ? 127 : 126;
}
