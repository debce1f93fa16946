/* SPDX-License-Identifier: GPL-2.0 */
#include "loader.h"
#include <plinth/string.h>

EFI_STATUS efi_open_boot_volume(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
			       (void **)&li);
	if (EFI_ERROR(st))
		return st;
	*root = LibOpenRoot(li->DeviceHandle);
	return *root ? EFI_SUCCESS : EFI_NOT_FOUND;
}

/* plinth.cfg paths are ASCII; both separators are accepted. */
static EFI_STATUS path_to_ucs2(const char *path, CHAR16 *out, UINTN max)
{
	UINTN i;

	for (i = 0; path[i]; i++) {
		unsigned char c = (unsigned char)path[i];

		if (i + 1 >= max || c < 0x20 || c > 0x7e)
			return EFI_INVALID_PARAMETER;
		out[i] = c == '/' ? L'\\' : c;
	}
	out[i] = 0;
	return EFI_SUCCESS;
}

EFI_STATUS efi_read_file(EFI_FILE_HANDLE root, const char *path, UINT32 mem_type,
			 struct loaded_file *out)
{
	CHAR16 wpath[BOOT_NAME_MAX];
	EFI_FILE_HANDLE file;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINTN size, got;
	void *buf;

	st = path_to_ucs2(path, wpath, BOOT_NAME_MAX);
	if (EFI_ERROR(st))
		return st;
	st = uefi_call_wrapper(root->Open, 5, root, &file, wpath, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(file);
	if (!info) {
		uefi_call_wrapper(file->Close, 1, file);
		return EFI_DEVICE_ERROR;
	}
	size = info->FileSize;
	FreePool(info);

	st = efi_alloc_pages(mem_type, size, 0, &buf);
	if (EFI_ERROR(st))
		goto close;
	got = size;
	st = uefi_call_wrapper(file->Read, 3, file, &got, buf);
	if (!EFI_ERROR(st) && got != size)
		st = EFI_END_OF_FILE;
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)buf,
				  (size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE ?: 1);
		goto close;
	}
	out->data = buf;
	out->size = size;
close:
	uefi_call_wrapper(file->Close, 1, file);
	return st;
}
