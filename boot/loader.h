/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_BOOT_LOADER_H
#define PLINTH_BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <plinth/boot_info.h>
#include "memmap.h"

struct loaded_file {
	UINT8 *data;
	UINTN size;
};

/* boot/efi_file.c */
EFI_STATUS efi_open_boot_volume(EFI_HANDLE image, EFI_FILE_HANDLE *root);
EFI_STATUS efi_read_file(EFI_FILE_HANDLE root, const char *path, UINT32 mem_type,
			 struct loaded_file *out);

/* boot/efi_alloc.c */
EFI_STATUS efi_alloc_pages(UINT32 mem_type, UINTN bytes, EFI_PHYSICAL_ADDRESS max,
			   void **out);

/* boot/efi_paging.c */
EFI_STATUS efi_build_boot_tables(UINT64 phys_end, UINT64 kernel_virt, UINT64 kernel_phys,
				 UINT64 kernel_size, UINT64 *cr3);

/* boot/efi_kernel.c */
EFI_STATUS efi_load_kernel(struct boot_info *bi, UINT64 *entry);

/* boot/handoff.S: switches to the kernel's tables and never returns. */
void plinth_handoff(UINT64 cr3, UINT64 entry, UINT64 boot_info_phys) __attribute__((noreturn));

/* boot/efi_main.c */
void loader_error(const CHAR16 *fmt, ...);

static inline UINT64 loader_rdtsc(void)
{
	UINT32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((UINT64)hi << 32) | lo;
}

#endif
