/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relocatable link: the kernel's special sections (initcalls, setup
 * parameters, per-cpu, ...) are collected here with their boundary
 * symbols; the host's final link assigns addresses.
 */
#include <asm-generic/vmlinux.lds.h>
#include <asm/thread_info.h>
#include <asm/page.h>
#include <asm/cache.h>

jiffies = jiffies_64;

SECTIONS
{
	.nuse.init : {
		__init_begin = .;
		HEAD_TEXT
		_sinittext = .;
		INIT_TEXT
		_einittext = .;
	}
	INIT_DATA_SECTION(16)
	PERCPU_SECTION(L1_CACHE_BYTES)
	.nuse.initend : { __init_end = .; }

	.text : {
		_stext = .;
		_text = .;
		TEXT_TEXT
		SCHED_TEXT
		LOCK_TEXT
		NOINSTR_TEXT
		IRQENTRY_TEXT
		SOFTIRQENTRY_TEXT
		_etext = .;
	}

	.nuse.sdata : { _sdata = .; }
	RO_DATA(PAGE_SIZE)
	RW_DATA(L1_CACHE_BYTES, PAGE_SIZE, THREAD_SIZE)
	.nuse.edata : { _edata = .; }
	EXCEPTION_TABLE(16)
	BSS_SECTION(0, 0, 0)
	.nuse.end : { _end = .; }

	STABS_DEBUG
	DWARF_DEBUG
	ELF_DETAILS

	DISCARDS
}
