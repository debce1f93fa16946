/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's page tables: just enough for the kernel to start. Physical
 * memory is mapped twice with 2 MiB pages, at 0 (so the hand-off code keeps
 * running after CR3 changes) and at DIRECT_MAP_BASE, and the kernel image is
 * mapped with 4 KiB pages at its link address. The kernel replaces all of
 * this with properly protected tables as soon as it has an allocator.
 */
#include "loader.h"
#include <asm/layout.h>

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_PS 0x80ULL
#define PTE_ADDR 0x000ffffffffff000ULL

static UINT64 *alloc_table(void)
{
	void *p;

	if (EFI_ERROR(efi_alloc_pages(PLINTH_EFI_BOOT, EFI_PAGE_SIZE, 0, &p)))
		return NULL;
	return p;
}

static UINT64 *next_level(UINT64 *table, unsigned int index)
{
	UINT64 *t;

	if (table[index] & PTE_P)
		return (UINT64 *)(table[index] & PTE_ADDR);
	t = alloc_table();
	if (t)
		table[index] = (UINT64)t | PTE_P | PTE_W;
	return t;
}

static EFI_STATUS map_2m(UINT64 *pml4, UINT64 virt, UINT64 phys)
{
	UINT64 *pdpt = next_level(pml4, (virt >> 39) & 511);
	UINT64 *pd = pdpt ? next_level(pdpt, (virt >> 30) & 511) : NULL;

	if (!pd)
		return EFI_OUT_OF_RESOURCES;
	pd[(virt >> 21) & 511] = phys | PTE_P | PTE_W | PTE_PS;
	return EFI_SUCCESS;
}

static EFI_STATUS map_4k(UINT64 *pml4, UINT64 virt, UINT64 phys)
{
	UINT64 *pdpt = next_level(pml4, (virt >> 39) & 511);
	UINT64 *pd = pdpt ? next_level(pdpt, (virt >> 30) & 511) : NULL;
	UINT64 *pt = pd ? next_level(pd, (virt >> 21) & 511) : NULL;

	if (!pt)
		return EFI_OUT_OF_RESOURCES;
	pt[(virt >> 12) & 511] = phys | PTE_P | PTE_W;
	return EFI_SUCCESS;
}

EFI_STATUS efi_build_boot_tables(UINT64 phys_end, UINT64 kernel_virt, UINT64 kernel_phys,
				 UINT64 kernel_size, UINT64 *cr3)
{
	UINT64 *pml4 = alloc_table();
	EFI_STATUS st = EFI_SUCCESS;

	if (!pml4)
		return EFI_OUT_OF_RESOURCES;
	/* Always cover the 32-bit MMIO hole: the firmware's own code lives there. */
	if (phys_end < 0x100000000ULL)
		phys_end = 0x100000000ULL;
	phys_end = (phys_end + 0x1fffff) & ~0x1fffffULL;
	if (phys_end > DIRECT_MAP_SIZE)
		return EFI_UNSUPPORTED;

	for (UINT64 pa = 0; pa < phys_end && !EFI_ERROR(st); pa += 0x200000) {
		st = map_2m(pml4, pa, pa);
		if (!EFI_ERROR(st))
			st = map_2m(pml4, DIRECT_MAP_BASE + pa, pa);
	}
	for (UINT64 off = 0; off < kernel_size && !EFI_ERROR(st); off += EFI_PAGE_SIZE)
		st = map_4k(pml4, kernel_virt + off, kernel_phys + off);
	*cr3 = (UINT64)pml4;
	return st;
}
