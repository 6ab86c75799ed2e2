// SPDX-License-Identifier: GPL-2.0
/* The kernel's memory: one host mapping given to memblock at boot. */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/memblock.h>
#include <linux/swap.h>
#include <asm/nuse.h>
#include <nuse/host.h>

unsigned long memory_start, memory_end;
void *empty_zero_page;
static void *region;
static unsigned long region_size;

int __init nuse_mem_init(unsigned long size)
{
	unsigned long max_zone_pfn[MAX_NR_ZONES] = { 0 };

	size = PAGE_ALIGN(size);
	/*
	 * Shared: processes forked from the application see the same stack.
	 * Low and fixed when possible: the page allocator walks the pfn "hole"
	 * below the region one pageblock at a time at boot (tens of ms for a
	 * region at 0x7f...), and a fixed place is what exec'd processes will
	 * need to find it.
	 */
	if (nuse_session_mem_fd >= 0) {
		/* a session's memfd, mapped there by nuse_session_create() */
		region = (void *)NUSE_MEM_ADDR;
		size = nuse_session_mem_size;
	} else {
		region = nuse_host_mem_alloc_at(NUSE_MEM_ADDR, size, 1);
	}
	if (!region)
		return -ENOMEM;
	region_size = size;
	memory_start = (unsigned long)region;
	memory_end = memory_start + size;

	min_low_pfn = PFN_DOWN(memory_start);
	max_low_pfn = PFN_DOWN(memory_end);
	max_pfn = max_low_pfn;
	memblock_add(memory_start, size);

	empty_zero_page = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	max_zone_pfn[ZONE_NORMAL] = max_low_pfn;
	free_area_init(max_zone_pfn);
	return 0;
}

void __init mem_init(void)
{
	memblock_free_all();
}

void free_initmem(void)
{
	/* init sections live in the host program's image: nothing to give */
}
