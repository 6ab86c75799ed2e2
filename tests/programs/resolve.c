// SPDX-License-Identifier: GPL-2.0
/*
 * resolve: getaddrinfo() for each name given, one "NAME ADDRESS" line per
 * distinct address, sorted as the resolver returns them.  Built static
 * with musl for the DNS test (tests/integration/apps-dns.sh): musl's
 * resolver reads /etc/hosts and /etc/resolv.conf and queries over UDP.
 * Exit status 1 when a name does not resolve (the error is printed).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int show(const char *name, int family)
{
	struct addrinfo hints = { .ai_family = family,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char buf[INET6_ADDRSTRLEN];
	int r = getaddrinfo(name, NULL, &hints, &res);

	if (r) {
		printf("%s error %s\n", name, gai_strerror(r));
		return 1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
			(const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		printf("%s %s\n", name,
		       inet_ntop(ai->ai_family, a, buf, sizeof(buf)));
	}
	freeaddrinfo(res);
	return 0;
}

int main(int argc, char **argv)
{
	int family = AF_UNSPEC, i = 1, bad = 0;

	if (argc > 1 && !strcmp(argv[1], "-4")) {
		family = AF_INET;
		i++;
	}
	for (; i < argc; i++)
		bad |= show(argv[i], family);
	return bad;
}
