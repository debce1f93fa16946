/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_BOOT_MEMMAP_H
#define PLINTH_BOOT_MEMMAP_H

/*
 * Translation of the firmware memory map into boot_info ranges. Kept free of
 * gnu-efi headers so the host tests can feed it recorded maps.
 */
#include <plinth/boot_info.h>
#include <plinth/errno.h>

/*
 * OS-defined EFI memory types (the spec reserves 0x80000000 and up for OS
 * loaders): memory the kernel must keep is tagged so the final map tells it
 * apart from the loader's own, reclaimable, allocations.
 */
#define PLINTH_EFI_KERNEL 0x80000001U
#define PLINTH_EFI_BOOT 0x80000002U
#define PLINTH_EFI_MODULE 0x80000003U

/* The EFI_MEMORY_DESCRIPTOR layout (UEFI 2.x, section 7.2). */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages;
	uint64_t attribute;
};

enum boot_mem_type efi_type_to_boot(uint32_t efi_type);

/*
 * Converts `count` descriptors spaced `desc_size` bytes apart (the firmware's
 * stride, which may exceed sizeof(struct efi_mem_desc)) into bi->mem, sorted
 * and with adjacent same-type ranges merged. Returns 0 or -E2BIG when the
 * result does not fit.
 */
int memmap_from_efi(struct boot_info *bi, const void *map, uint64_t map_size,
		    uint64_t desc_size);

/* Highest end address of any RAM-like range (everything but MMIO). */
uint64_t memmap_ram_end(const struct boot_info *bi);

#endif
