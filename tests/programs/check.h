/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CHECK(cond, fmt, ...) for the small test programs (glibc and musl
 * builds): a failed condition prints "FAIL: " and the message with errno,
 * and counts in failures, which the program reports at its end.
 */
#ifndef NUSE_TEST_CHECK_H
#define NUSE_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                          \
	do {                                                      \
		if (!(cond)) {                                    \
			printf("FAIL: " __VA_ARGS__);             \
			printf(" (errno %s)\n", strerror(errno)); \
			failures++;                               \
		}                                                 \
	} while (0)

#endif
