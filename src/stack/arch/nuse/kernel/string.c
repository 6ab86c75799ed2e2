// SPDX-License-Identifier: GPL-2.0
/* Copies with the CPU's fast string instructions (packet data). */
#include <linux/types.h>
#include <linux/string.h>

void *memcpy(void *dest, const void *src, size_t n)
{
	void *ret = dest;

	asm volatile("rep movsb" : "+D"(dest), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

void *memset(void *s, int c, size_t n)
{
	void *ret = s;

	asm volatile("rep stosb" : "+D"(s), "+c"(n) : "a"(c) : "memory");
	return ret;
}

void *memmove(void *dest, const void *src, size_t n)
{
	void *d, *s;

	if (dest <= src || (const char *)src + n <= (char *)dest)
		return memcpy(dest, src, n);
	/* overlapping with dest above src: copy backwards */
	d = (char *)dest + n - 1;
	s = (char *)src + n - 1;
	asm volatile("std\n\trep movsb\n\tcld"
		     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dest;
}
