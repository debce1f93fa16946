/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walks the guest's own 4-level page tables. Plinth's boot map is an
 * identity map, so a table's physical address is also its virtual one
 * (true while tables stay below 4 GiB, which is where guests put them).
 */
#include "guest.h"

void invlpg(uint64_t va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

uint64_t *pt_entry(uint64_t va, int level)
{
	uint64_t *table = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);

	for (int l = 4; l >= 2; l--) {
		uint64_t *e = &table[(va >> (12 + 9 * (l - 1))) & 511];

		if (l == level)
			return e;
		/* A missing or large-page entry has no table below it. */
		if (!(*e & PTE_P) || (*e & PTE_PS))
			return NULL;
		table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	}
	return NULL;
}
