// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy rewriting of syscall sites (the zpoline idea): a trapped 2-byte
 * `syscall` (0f 05) becomes `call *%rax` (ff d0).  RAX holds the syscall
 * number, so the call lands in page 0, which is a NOP sled ending in a
 * jump to nuse_hook.  Later calls from that site cost a call, not a trap.
 */
#include <errno.h>
#include <sys/mman.h>

#include "rt.h"

#define SLED_SIZE 4096
#define SLED_ENTRIES 512 /* syscall numbers covered */
#ifndef SLED_BLOCK
#define SLED_BLOCK 15 /* longest legal x86 instruction */
#endif
#define PAGE 4096UL

static int rewrite_lock;

/*
 * One sled page at @base: a call lands at byte RAX - base and slides to the
 * jump.  Blocks of 0x66 prefixes ending in 0x90 decode as one NOP from any
 * byte inside them, so the slide is ~SLED_ENTRIES / 15 instructions.
 *
 * Not under UBSan (--enable-sanitizers): at base 0 every store is through
 * a null pointer on purpose, and its null check trapped (docs/fuzz.md).
 */
__attribute__((no_sanitize("undefined")))
static int map_sled(uintptr_t base)
{
	uint64_t hook = (uint64_t)nuse_hook;
	uint8_t *p;
	long r;

	r = rt_sys(SYS_mmap, base, SLED_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if ((uintptr_t)r != base) {
		if (r >= 0 || r < -4095)
			rt_sys(SYS_munmap, r, SLED_SIZE);
		return r < 0 && r > -4096 ? (int)r : -EEXIST;
	}
	/* Hide a null base from the optimiser: page 0 is real memory here. */
	asm("" : "=r"(p) : "0"(r));
	rt_memset(p, 0xcc, SLED_SIZE);
	for (int i = 0; i < SLED_ENTRIES; i++)
		p[i] = (i % SLED_BLOCK == SLED_BLOCK - 1 || i == SLED_ENTRIES - 1) ? 0x90 : 0x66;
	/* movabs $nuse_hook, %r11; jmp *%r11 (R11 is clobbered by syscall) */
	p += SLED_ENTRIES;
	p[0] = 0x49;
	p[1] = 0xbb;
	rt_memcpy(p + 2, &hook, 8);
	p[10] = 0x41;
	p[11] = 0xff;
	p[12] = 0xe3;
	/* Execute-only where the CPU has protection keys, so NULL reads fault. */
	return (int)rt_sys(SYS_mprotect, base, SLED_SIZE, PROT_EXEC);
}

int rt_rewrite_init(void)
{
	int r;

	/* Page 0 needs CAP_SYS_RAWIO or vm.mmap_min_addr=0. */
	r = map_sled(0);
	if (r)
		return r;
	/*
	 * x32 calls (RAX = 0x40000000 + n) through a rewritten site land
	 * here; without it they would jump into the void.  Best effort: a
	 * program already using that address keeps its mapping.
	 */
	map_sled(RT_X32_BIT);
	return 0;
}

/* Protection of the mapping holding @addr, from /proc/self/maps. */
static int prot_of(uintptr_t addr)
{
	static char buf[8192];
	long fd, n, off = 0;
	int prot = -1;

	fd = rt_sys(SYS_open, "/proc/self/maps", 0 /* O_RDONLY */, 0);
	if (fd < 0)
		return -1;
	for (;;) {
		char *line;

		n = rt_sys(SYS_read, fd, buf + off, sizeof(buf) - 1 - off);
		if (n <= 0)
			break;
		n += off;
		buf[n] = '\0';
		line = buf;
		while (prot < 0) {
			uintptr_t lo = 0, hi = 0;
			char *s = line, *nl;

			for (nl = s; *nl && *nl != '\n'; nl++)
				;
			if (!*nl)
				break;
			for (; *s != '-'; s++)
				lo = lo * 16 + (*s <= '9' ? *s - '0' : *s - 'a' + 10);
			for (s++; *s != ' '; s++)
				hi = hi * 16 + (*s <= '9' ? *s - '0' : *s - 'a' + 10);
			s++;
			if (addr >= lo && addr < hi)
				prot = (s[0] == 'r' ? PROT_READ : 0) |
				       (s[1] == 'w' ? PROT_WRITE : 0) |
				       (s[2] == 'x' ? PROT_EXEC : 0);
			line = nl + 1;
		}
		if (prot >= 0)
			break;
		off = n - (line - buf);
		rt_memcpy(buf, line, off);
	}
	rt_sys(SYS_close, fd);
	return prot;
}

/*
 * Never wait: the holder may be this very thread, interrupted by a signal
 * whose handler's call trapped here (seen: a busybox sh SIGCHLD handler,
 * spinning forever).  A site not rewritten now traps again later.
 */
static bool trylock(void)
{
	return !__atomic_exchange_n(&rewrite_lock, 1, __ATOMIC_ACQUIRE);
}

static void unlock(void)
{
	__atomic_store_n(&rewrite_lock, 0, __ATOMIC_RELEASE);
}

bool rt_rewrite_site(uintptr_t site)
{
	volatile uint8_t *p = (uint8_t *)site;
	uintptr_t page = site & ~(PAGE - 1);
	size_t len = ((site + 2 + PAGE - 1) & ~(PAGE - 1)) - page;
	bool done = false;
	int prot;

	/* vDSO text is shared and tiny: let its rare fallbacks trap. */
	if (site >= rt_cfg.vdso_lo && site < rt_cfg.vdso_hi)
		return false;
	/* A store split across cache lines could be seen half-done. */
	if ((site & 63) == 63)
		return false;
	if (!trylock())
		return false;
	if (p[0] == 0xff && p[1] == 0xd0) {
		done = true; /* another thread got here first */
		goto out;
	}
	if (p[0] != 0x0f || p[1] != 0x05)
		goto out;
	prot = prot_of(site);
	if (prot < 0 || !(prot & PROT_EXEC))
		goto out;
	if (!(prot & PROT_WRITE) &&
	    rt_sys(SYS_mprotect, page, len, prot | PROT_WRITE | PROT_READ))
		goto out;
	__atomic_store_n((uint16_t *)site, 0xd0ff, __ATOMIC_RELEASE);
	if (!(prot & PROT_WRITE))
		rt_sys(SYS_mprotect, page, len, prot);
	done = true;
out:
	unlock();
	return done;
}
