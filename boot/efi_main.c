/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plinth's UEFI stage: read plinth.cfg, load what it names, place the kernel,
 * leave boot services and jump. Every failure before ExitBootServices is
 * reported on the console and returned to the firmware, which then moves on
 * to its next boot option instead of hanging.
 */
#include "loader.h"
#include <asm/layout.h>
#include <plinth/config.h>
#include <plinth/string.h>

#define DEFAULT_CONFIG_PATH "\\plinth.cfg"
#define ERROR_PAUSE_US (5 * 1000 * 1000)

static struct plinth_config config;

void loader_error(const CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"plinth: error: ");
	va_start(ap, fmt);
	VPrint((CHAR16 *)fmt, ap);
	va_end(ap);
	Print(L"\r\n");
}

/*
 * Load options are "config=PATH" or a bare path ending in ".cfg" anywhere in
 * the (UCS-2) command line; the UEFI shell passes the image name first.
 */
static void config_path_from_options(EFI_LOADED_IMAGE *li, char *out, UINTN max)
{
	const CHAR16 *opt = li->LoadOptions;
	UINTN len = li->LoadOptionsSize / sizeof(CHAR16);
	UINTN i = 0;

	strlcpy(out, DEFAULT_CONFIG_PATH, max);
	while (opt && i < len) {
		char tok[BOOT_NAME_MAX];
		UINTN n = 0;

		while (i < len && (opt[i] == L' ' || opt[i] == L'\t'))
			i++;
		while (i < len && opt[i] && opt[i] != L' ' && opt[i] != L'\t') {
			if (n + 1 < sizeof(tok))
				tok[n++] = opt[i] < 0x80 ? (char)opt[i] : '?';
			i++;
		}
		tok[n] = '\0';
		if (i < len && !opt[i])
			break;
		if (n > 7 && !strncmp(tok, "config=", 7)) {
			strlcpy(out, tok + 7, max);
			return;
		}
		if (n > 4 && !strcmp(tok + n - 4, ".cfg")) {
			strlcpy(out, tok, max);
			return;
		}
	}
}

struct module_ctx {
	EFI_FILE_HANDLE root;
	struct boot_info *bi;
	EFI_STATUS status;
};

static int load_module(void *ctx, const char *path)
{
	struct module_ctx *mc = ctx;
	struct boot_info *bi = mc->bi;
	struct loaded_file f;

	for (UINT32 i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, path))
			return 0; /* two partitions may share an image */
	if (bi->module_count == BOOT_MAX_MODULES) {
		loader_error(L"too many files named in plinth.cfg (max %d)", BOOT_MAX_MODULES);
		mc->status = EFI_OUT_OF_RESOURCES;
		return -1;
	}
	mc->status = efi_read_file(mc->root, path, PLINTH_EFI_MODULE, &f);
	if (mc->status == EFI_NOT_FOUND) {
		/* One partition's missing image must not keep the others from starting. */
		Print(L"plinth: warning: '%a' named in %a is missing; its partition will be refused\r\n",
		      path, bi->config_path);
		mc->status = EFI_SUCCESS;
		return 0;
	}
	if (EFI_ERROR(mc->status)) {
		loader_error(L"cannot load '%a' named in %a: %r", path, bi->config_path,
			     mc->status);
		return -1;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];

	strlcpy(m->name, path, sizeof(m->name));
	m->phys = (UINT64)f.data;
	m->size = f.size;
	Print(L"plinth: loaded %a (%ld bytes)\r\n", path, f.size);
	return 0;
}

static UINT64 find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	UINT64 rsdp = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (!CompareGuid(&t->VendorGuid, &acpi20))
			return (UINT64)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10))
			rsdp = (UINT64)t->VendorTable;
	}
	return rsdp;
}

static EFI_STATUS read_config(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	struct config_error err;
	struct loaded_file f;
	EFI_STATUS st;

	st = efi_read_file(root, bi->config_path, PLINTH_EFI_BOOT, &f);
	if (EFI_ERROR(st)) {
		loader_error(L"cannot read configuration %a: %r", bi->config_path, st);
		return st;
	}
	bi->config_phys = (UINT64)f.data;
	bi->config_size = f.size;
	if (config_parse((const char *)f.data, f.size, &config, &err) < 0) {
		if (err.line)
			loader_error(L"%a:%d: %a", bi->config_path, err.line, err.message);
		else
			loader_error(L"%a: %a", bi->config_path, err.message);
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}

/* The final map must be taken right before ExitBootServices; retry if it moved. */
static EFI_STATUS exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN map_size = 0, map_key, desc_size, buf_size;
	UINT32 desc_version;
	EFI_STATUS st;
	void *map = NULL;

	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &map_key, &desc_size,
			       &desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return st;
	buf_size = map_size + 16 * desc_size; /* room for the pool allocation itself */
	map = AllocatePool(buf_size);
	if (!map)
		return EFI_OUT_OF_RESOURCES;

	for (int attempt = 0; attempt < 8; attempt++) {
		map_size = buf_size;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (EFI_MEMORY_DESCRIPTOR *)map, &map_key,
				       &desc_size, &desc_version);
		if (EFI_ERROR(st))
			return st;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, map_key);
		if (st == EFI_SUCCESS)
			break;
		if (st != EFI_INVALID_PARAMETER)
			return st;
	}
	if (EFI_ERROR(st))
		return st;
	/* Boot services are gone: no Print, no allocation from here on. */
	bi->tsc_exit_boot_services = loader_rdtsc();
	return memmap_from_efi(bi, map, map_size, desc_size) ? EFI_BUFFER_TOO_SMALL : EFI_SUCCESS;
}

/*
 * The firmware's clock, for the partitions' CMOS RTCs: the kernel has no
 * wall clock of its own. Left at year 0 if GetTime fails (no RTC).
 */
static void read_wall_clock(struct boot_info *bi)
{
	EFI_TIME t;

	if (EFI_ERROR(uefi_call_wrapper(RT->GetTime, 2, &t, NULL)))
		return;
	bi->wall_clock.tsc = loader_rdtsc();
	bi->wall_clock.year = t.Year;
	bi->wall_clock.month = t.Month;
	bi->wall_clock.day = t.Day;
	bi->wall_clock.hour = t.Hour;
	bi->wall_clock.minute = t.Minute;
	bi->wall_clock.second = t.Second;
}

static UINT64 firmware_phys_end(void)
{
	UINTN map_size = 0, map_key, desc_size;
	UINT32 desc_version;
	UINT64 end = 0;
	UINT8 *map;

	uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &map_key, &desc_size,
			  &desc_version);
	map_size += 8 * desc_size;
	map = AllocatePool(map_size);
	if (!map)
		return 0;
	if (!EFI_ERROR(uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (EFI_MEMORY_DESCRIPTOR *)map, &map_key,
					 &desc_size, &desc_version))) {
		for (UINTN off = 0; off + desc_size <= map_size; off += desc_size) {
			EFI_MEMORY_DESCRIPTOR *d = (void *)(map + off);
			UINT64 e = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;

			if (d->Type != EfiMemoryMappedIO && d->Type != EfiMemoryMappedIOPortSpace &&
			    e > end)
				end = e;
		}
	}
	FreePool(map);
	return end;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	UINT64 tsc_start = loader_rdtsc();
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;
	struct boot_info *bi;
	struct module_ctx mc;
	UINT64 entry, cr3;
	void *tramp;
	EFI_STATUS st;

	InitializeLib(image, systab);
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	Print(L"plinth: UEFI stage starting\r\n");

	st = efi_alloc_pages(PLINTH_EFI_BOOT, sizeof(*bi), 0, (void **)&bi);
	if (EFI_ERROR(st))
		goto fail_nomem;
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->tsc_loader_start = tsc_start;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		goto fail;
	config_path_from_options(li, bi->config_path, sizeof(bi->config_path));
	st = efi_open_boot_volume(image, &root);
	if (EFI_ERROR(st)) {
		loader_error(L"cannot open the volume Plinth was loaded from: %r", st);
		goto fail;
	}
	st = read_config(root, bi);
	if (EFI_ERROR(st))
		goto fail;

	mc.root = root;
	mc.bi = bi;
	mc.status = EFI_SUCCESS;
	if (config_for_each_file(&config, load_module, &mc)) {
		st = mc.status;
		goto fail;
	}
	st = efi_load_kernel(bi, &entry);
	if (EFI_ERROR(st))
		goto fail_nomem;

	bi->rsdp_phys = find_rsdp();
	if (!bi->rsdp_phys)
		Print(L"plinth: warning: firmware has no ACPI tables (%d configuration tables)\r\n",
		      ST->NumberOfTableEntries);

	/* APs start in real mode, so their first page must sit below 1 MiB. */
	st = efi_alloc_pages(PLINTH_EFI_BOOT, EFI_PAGE_SIZE, 0x9ffff, &tramp);
	if (EFI_ERROR(st)) {
		loader_error(L"no free page below 640 KiB for starting CPUs: %r", st);
		goto fail;
	}
	bi->trampoline_phys = (UINT64)tramp;

	st = efi_build_boot_tables(firmware_phys_end(), bi->kernel_virt, bi->kernel_phys,
				   bi->kernel_size, &cr3);
	if (EFI_ERROR(st))
		goto fail_nomem;

	read_wall_clock(bi);
	Print(L"plinth: starting kernel\r\n");
	st = exit_boot_services(image, bi);
	if (EFI_ERROR(st)) {
		/* Boot services may be gone: nothing can be printed safely. */
		return st;
	}
	plinth_handoff(cr3, entry, (UINT64)bi);

fail_nomem:
	if (EFI_ERROR(st) && st != EFI_LOAD_ERROR)
		loader_error(L"out of memory while loading: %r", st);
fail:
	uefi_call_wrapper(BS->Stall, 1, ERROR_PAUSE_US);
	return st;
}
