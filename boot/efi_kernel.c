/* SPDX-License-Identifier: GPL-2.0 */
/* Places the embedded kernel ELF at a free physical address; the link address is fixed. */
#include "loader.h"
#include <plinth/elf.h>

extern const UINT8 kernel_blob_start[], kernel_blob_end[];

struct place_ctx {
	UINT8 *base;
	UINT64 low;
	const UINT8 *file;
};

static int copy_segment(void *ctx, const struct elf_segment *seg)
{
	struct place_ctx *pc = ctx;

	CopyMem(pc->base + (seg->vaddr - pc->low), (void *)(pc->file + seg->offset),
		seg->filesz);
	return 0;
}

EFI_STATUS efi_load_kernel(struct boot_info *bi, UINT64 *entry)
{
	UINTN blob_size = kernel_blob_end - kernel_blob_start;
	struct elf_image img;
	struct place_ctx pc;
	UINT64 low, high;
	char err[96];
	void *copy, *base;
	EFI_STATUS st;

	/* A private copy: the loader's own pages are reclaimed by the kernel. */
	st = efi_alloc_pages(PLINTH_EFI_BOOT, blob_size, 0, &copy);
	if (EFI_ERROR(st))
		return st;
	CopyMem(copy, (void *)kernel_blob_start, blob_size);

	if (elf_open(&img, copy, blob_size, err, sizeof(err)) < 0 ||
	    elf_load_bounds(&img, &low, &high) < 0) {
		loader_error(L"embedded kernel image is invalid: %a", err);
		return EFI_LOAD_ERROR;
	}
	if ((low & (EFI_PAGE_SIZE - 1)) || high <= low) {
		loader_error(L"embedded kernel has a bad layout");
		return EFI_LOAD_ERROR;
	}
	st = efi_alloc_pages(PLINTH_EFI_KERNEL, high - low, 0, &base);
	if (EFI_ERROR(st))
		return st;
	pc.base = base;
	pc.low = low;
	pc.file = copy;
	if (elf_for_each_load(&img, copy_segment, &pc) < 0) {
		loader_error(L"embedded kernel has a bad segment");
		return EFI_LOAD_ERROR;
	}
	bi->kernel_phys = (UINT64)base;
	bi->kernel_virt = low;
	bi->kernel_size = (high - low + EFI_PAGE_SIZE - 1) & ~(UINT64)(EFI_PAGE_SIZE - 1);
	bi->kernel_elf_phys = (UINT64)copy;
	bi->kernel_elf_size = blob_size;
	*entry = elf_entry(&img);
	return EFI_SUCCESS;
}
