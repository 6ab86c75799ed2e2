/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4), so the tools (nuse-node, the kill storm's
 * program) need no libcrypto. */
#ifndef NUSE_SHA256_H
#define NUSE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	unsigned int nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* the digest; the state is spent */
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* 64 hex digits and a NUL */
void sha256_hex(struct sha256 *s, char out[65]);

#endif
