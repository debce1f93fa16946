/* SPDX-License-Identifier: GPL-2.0 */
#include "memmap.h"
#include <plinth/errno.h>

/* EFI_MEMORY_TYPE values from the UEFI specification. */
enum {
	EFI_RESERVED = 0,
	EFI_LOADER_CODE,
	EFI_LOADER_DATA,
	EFI_BOOT_CODE,
	EFI_BOOT_DATA,
	EFI_RUNTIME_CODE,
	EFI_RUNTIME_DATA,
	EFI_CONVENTIONAL,
	EFI_UNUSABLE,
	EFI_ACPI_RECLAIM,
	EFI_ACPI_NVS,
	EFI_MMIO,
	EFI_MMIO_PORT,
	EFI_PAL_CODE,
	EFI_PERSISTENT,
};

enum boot_mem_type efi_type_to_boot(uint32_t efi_type)
{
	switch (efi_type) {
	/* The loader is gone once the kernel runs, so its memory is free. */
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_CODE:
	case EFI_BOOT_DATA:
	case EFI_CONVENTIONAL:
		return BOOT_MEM_USABLE;
	case EFI_ACPI_RECLAIM:
		return BOOT_MEM_ACPI_RECLAIM;
	case EFI_ACPI_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFI_MMIO:
	case EFI_MMIO_PORT:
		return BOOT_MEM_MMIO;
	case EFI_UNUSABLE:
		return BOOT_MEM_UNUSABLE;
	case PLINTH_EFI_KERNEL:
		return BOOT_MEM_PLINTH_KERNEL;
	case PLINTH_EFI_BOOT:
		return BOOT_MEM_PLINTH_BOOT;
	case PLINTH_EFI_MODULE:
		return BOOT_MEM_PLINTH_MODULE;
	default:
		/* Runtime services, PAL code, persistent memory, unknown types. */
		return BOOT_MEM_RESERVED;
	}
}

static void sort_ranges(struct boot_mem_range *r, uint32_t n)
{
	/* Insertion sort: maps are a few hundred entries and mostly sorted. */
	for (uint32_t i = 1; i < n; i++) {
		struct boot_mem_range key = r[i];
		uint32_t j = i;

		while (j > 0 && r[j - 1].base > key.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = key;
	}
}

int memmap_from_efi(struct boot_info *bi, const void *map, uint64_t map_size,
		    uint64_t desc_size)
{
	const uint8_t *p = map;
	uint32_t n = 0;

	if (desc_size < sizeof(struct efi_mem_desc))
		return -EINVAL;

	for (uint64_t off = 0; off + desc_size <= map_size; off += desc_size) {
		const struct efi_mem_desc *d = (const void *)(p + off);

		if (d->pages == 0 || d->pages > (UINT64_MAX >> PAGE_SHIFT))
			continue;
		if (n == BOOT_MAX_MEM_RANGES)
			return -E2BIG;
		bi->mem[n].base = d->phys_start;
		bi->mem[n].length = d->pages << PAGE_SHIFT;
		bi->mem[n].type = efi_type_to_boot(d->type);
		bi->mem[n].reserved = 0;
		n++;
	}
	sort_ranges(bi->mem, n);

	uint32_t out = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct boot_mem_range *prev = out ? &bi->mem[out - 1] : NULL;

		if (prev && prev->type == bi->mem[i].type &&
		    prev->base + prev->length == bi->mem[i].base) {
			prev->length += bi->mem[i].length;
			continue;
		}
		bi->mem[out++] = bi->mem[i];
	}
	bi->mem_count = out;
	return 0;
}

uint64_t memmap_ram_end(const struct boot_info *bi)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_range *r = &bi->mem[i];

		if (r->type != BOOT_MEM_MMIO && r->base + r->length > end)
			end = r->base + r->length;
	}
	return end;
}
