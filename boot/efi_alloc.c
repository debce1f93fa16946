/* SPDX-License-Identifier: GPL-2.0 */
#include "loader.h"

EFI_STATUS efi_alloc_pages(UINT32 mem_type, UINTN bytes, EFI_PHYSICAL_ADDRESS max,
			   void **out)
{
	EFI_PHYSICAL_ADDRESS addr = max ? max : ~0ULL;
	UINTN pages = (bytes + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE;
	EFI_STATUS st;

	if (pages == 0)
		pages = 1;
	st = uefi_call_wrapper(BS->AllocatePages, 4,
			       max ? AllocateMaxAddress : AllocateAnyPages,
			       (EFI_MEMORY_TYPE)mem_type, pages, &addr);
	if (EFI_ERROR(st))
		return st;
	SetMem((void *)addr, pages * EFI_PAGE_SIZE, 0);
	*out = (void *)addr;
	return EFI_SUCCESS;
}
