/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux x86 64-bit boot protocol loader (Documentation/arch/x86/boot.rst,
 * "64-bit Boot Protocol"; boot_params per zero-page.rst): a bzImage's
 * protected-mode part is loaded into low RAM, a zero page with the image's
 * setup header, the command line, the initrd and an e820 map is built, and
 * the BSP starts at the 64-bit entry (load address + 0x200) in long mode.
 *
 * The image is untrusted. Every header field the loader relies on is checked
 * and every placement decided before the first guest write, so a refused
 * image leaves guest RAM untouched. Fields are read byte-wise.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/boot_image.h>

#define LINUX_PT_PAGES ((LINUX_PT_END - LINUX_PT) / PAGE_SIZE)
#define LINUX_GDT_LIMIT (4 * 8 - 1)	/* null, unused, __BOOT_CS, __BOOT_DS */
#define LINUX_JMP_SHORT 0xeb
/* The copied header ends at 0x202 + a signed byte: 0x281 at the most. */
#define LINUX_HDR_MAX_LEN (LINUX_HDR_MAGIC + 0x7f - LINUX_HDR_START)
/* The byte of a copied header at boot_params offset off. */
#define HDR(buf, off) ((buf) + ((off) - LINUX_HDR_START))

_Static_assert(LINUX_BOOT_PARAMS + PAGE_SIZE <= LINUX_CMDLINE &&
	       LINUX_CMDLINE + LINUX_CMDLINE_MAX + 1 <= LINUX_GDT &&
	       LINUX_GDT + LINUX_GDT_LIMIT + 1 <= LINUX_PT &&
	       LINUX_PT_END <= GUEST_FIRMWARE_START, "linux boot area overlaps");
_Static_assert(LINUX_HDR_SETUP_DATA + 8 <= LINUX_HDR_MIN_END,
	       "patched header fields beyond the minimum header");
_Static_assert(GUEST_LAYOUT_MAX_REGIONS <= LINUX_E820_MAX,
	       "e820 table cannot hold the layout");
_Static_assert(LINUX_BP_E820_TABLE + LINUX_E820_MAX * LINUX_E820_ENTRY <=
	       PAGE_SIZE, "e820 table outside boot_params");

/* What the loader took from the setup header. */
struct lx_hdr {
	size_t hdr_end;		/* image offset just past the setup header */
	size_t pm_offset;	/* protected-mode kernel: (setup_sects + 1) * 512 */
	size_t pm_size;
	uint16_t version;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t init_size;
	uint64_t pref_address;
};

/* Where everything goes. */
struct lx_plan {
	uint64_t kernel;	/* load address of the protected-mode part */
	uint64_t initrd;	/* 0 when there is none */
	uint64_t initrd_size;
	uint64_t map_end;	/* identity map covers 0 .. map_end */
	size_t cmdline_len;
	uint64_t rsdp;		/* boot_params.acpi_rsdp_addr; 0 leaves it 0 */
};

/* The magic, version and the header's extent, each checked only once the
 * image is known to hold the bytes it is read from. */
static int check_header_frame(const uint8_t *b, size_t size, struct lx_hdr *h,
			      char *err, size_t errlen)
{
	int8_t jump;

	if (size < LINUX_HDR_BOOT_FLAG + 2)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux image is %zu bytes: too short for the boot_flag at 0x1fe",
				 size);
	if (get_le16(b + LINUX_HDR_BOOT_FLAG) != LINUX_BOOT_FLAG)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux image has boot_flag 0x%04x at 0x1fe, not 0xaa55: not a bzImage",
				 get_le16(b + LINUX_HDR_BOOT_FLAG));
	if (size < LINUX_HDR_VERSION + 2)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux image is %zu bytes: the setup header magic and version (0x202-0x207) are cut off",
				 size);
	if (get_le32(b + LINUX_HDR_MAGIC) != LINUX_HDRS_MAGIC)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux image has no \"HdrS\" magic at 0x202 (found 0x%08x): not a kernel, or boot protocol older than 2.00",
				 get_le32(b + LINUX_HDR_MAGIC));
	h->version = get_le16(b + LINUX_HDR_VERSION);
	if (h->version < LINUX_MIN_VERSION)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux boot protocol %u.%02u (0x%04x) is too old: the 64-bit entry needs 2.12 or later",
				 h->version >> 8, h->version & 0xff, h->version);
	if (b[LINUX_HDR_JUMP] != LINUX_JMP_SHORT)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux setup header has 0x%02x at 0x200, not a short jmp (0xeb) over the header",
				 b[LINUX_HDR_JUMP]);
	/* The protocol's rule: the header ends at 0x202 + the jump offset. */
	jump = (int8_t)b[LINUX_HDR_JUMP + 1];
	if (jump < LINUX_HDR_MIN_END - LINUX_HDR_MAGIC)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux setup header ends at 0x%x (jump offset %d), before its 2.12 fields end at 0x%x",
				 LINUX_HDR_MAGIC + jump, jump, LINUX_HDR_MIN_END);
	h->hdr_end = (size_t)(LINUX_HDR_MAGIC + jump);
	if (size < h->hdr_end)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux image is %zu bytes: its setup header runs to 0x%zx",
				 size, h->hdr_end);
	return 0;
}

static int parse_header(const uint8_t *b, size_t size, struct lx_hdr *h,
			char *err, size_t errlen)
{
	unsigned int sects;
	uint16_t xlf;
	int ret;

	ret = check_header_frame(b, size, h, err, errlen);
	if (ret)
		return ret;
	xlf = get_le16(b + LINUX_HDR_XLOADFLAGS);
	if (!(xlf & LINUX_XLF_KERNEL_64))
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux kernel has no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags 0x%04x)",
				 xlf);
	if (!(b[LINUX_HDR_LOADFLAGS] & LINUX_LOADED_HIGH))
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux image is a zImage (LOADED_HIGH clear in loadflags 0x%02x): only bzImages are supported",
				 b[LINUX_HDR_LOADFLAGS]);

	/* setup_sects 0 means 4, for kernels older than the field. */
	sects = b[LINUX_HDR_START] ? b[LINUX_HDR_START] : 4;
	h->pm_offset = (sects + 1) * 512;
	if (h->pm_offset >= size)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux setup_sects %u puts the kernel at offset 0x%zx, beyond the %zu-byte image",
				 b[LINUX_HDR_START], h->pm_offset, size);
	h->pm_size = size - h->pm_offset;
	if (h->pm_size <= LINUX_ENTRY64_OFFSET)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux protected-mode kernel is %zu bytes: its 64-bit entry at +0x200 lies outside it",
				 h->pm_size);

	h->relocatable = b[LINUX_HDR_RELOCATABLE];
	h->kernel_alignment = get_le32(b + LINUX_HDR_KERNEL_ALIGNMENT);
	h->initrd_addr_max = get_le32(b + LINUX_HDR_INITRD_ADDR_MAX);
	h->cmdline_size = get_le32(b + LINUX_HDR_CMDLINE_SIZE);
	h->pref_address = get_le64(b + LINUX_HDR_PREF_ADDRESS);
	h->init_size = get_le32(b + LINUX_HDR_INIT_SIZE);
	if (h->init_size < h->pm_size)
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux init_size 0x%x is smaller than the %zu-byte protected-mode kernel",
				 h->init_size, h->pm_size);
	if (h->relocatable && (h->kernel_alignment == 0 ||
			       (h->kernel_alignment & (h->kernel_alignment - 1))))
		return boot_fail(err, errlen, -ENOEXEC,
				 "linux kernel_alignment 0x%x is not a power of two",
				 h->kernel_alignment);
	return 0;
}

/* End of the RAM region the kernel goes into: the one from 1 MiB up to the hole. */
static uint64_t low_ram_end(const struct guest_layout *l)
{
	const struct guest_region *r = guest_layout_find(l, gpa(LINUX_KERNEL_MIN));

	return r && r->type == GUEST_REGION_RAM ? r->start.v + r->size : 0;
}

/* init_size bytes at a, in low RAM and clear of the boot structures. */
static bool kernel_fits(const struct lx_hdr *h, uint64_t a, uint64_t low_end)
{
	return a >= LINUX_KERNEL_MIN && a <= low_end &&
	       h->init_size <= low_end - a;
}

/*
 * pref_address when it is usable (for a relocatable kernel: also aligned);
 * otherwise a relocatable kernel goes to the lowest kernel_alignment-aligned
 * address >= LINUX_RELOC_MIN. Above that first candidate nothing fits that
 * it does not, as low RAM only shrinks from there, so it is the only one.
 */
static int place_kernel(const struct guest_mem_ops *mem,
			const struct lx_hdr *h, struct lx_plan *pl, char *err,
			size_t errlen)
{
	uint64_t low_end = low_ram_end(mem->layout);
	uint64_t pref = h->pref_address, alt;
	char need[32];

	boot_fmt_size(need, sizeof(need), h->init_size);
	if (!h->relocatable) {
		if (kernel_fits(h, pref, low_end)) {
			pl->kernel = pref;
			return 0;
		}
		return boot_fail(err, errlen, -ENOSPC,
				 "non-relocatable linux kernel needs init_size %s at pref_address 0x%llx, in low RAM 0x%llx-0x%llx",
				 need, (unsigned long long)pref,
				 LINUX_KERNEL_MIN, (unsigned long long)low_end);
	}
	if (IS_ALIGNED(pref, (uint64_t)h->kernel_alignment) &&
	    kernel_fits(h, pref, low_end)) {
		pl->kernel = pref;
		return 0;
	}
	alt = ALIGN_UP(LINUX_RELOC_MIN, (uint64_t)h->kernel_alignment);
	if (kernel_fits(h, alt, low_end)) {
		pl->kernel = alt;
		return 0;
	}
	return boot_fail(err, errlen, -ENOSPC,
			 "linux kernel init_size %s fits neither at pref_address 0x%llx nor at 0x%llx: low RAM ends at 0x%llx",
			 need, (unsigned long long)pref, (unsigned long long)alt,
			 (unsigned long long)low_end);
}

/* Page-aligned, as high as it goes below min(initrd_addr_max + 1, end of
 * low RAM), and above everything the kernel may touch before it has read
 * the memory map (its init_size bytes). */
static int place_initrd(const struct guest_mem_ops *mem,
			const struct boot_image_params *p,
			const struct lx_hdr *h, struct lx_plan *pl, char *err,
			size_t errlen)
{
	uint64_t limit = MIN(low_ram_end(mem->layout),
			     (uint64_t)h->initrd_addr_max + 1);
	uint64_t floor = pl->kernel + h->init_size;
	char sz[32];

	pl->initrd = 0;
	pl->initrd_size = p->module ? p->module_size : 0;
	if (!pl->initrd_size)
		return 0;
	if (pl->initrd_size <= limit &&
	    ALIGN_DOWN(limit - pl->initrd_size, PAGE_SIZE) >= floor) {
		pl->initrd = ALIGN_DOWN(limit - pl->initrd_size, PAGE_SIZE);
		return 0;
	}
	boot_fmt_size(sz, sizeof(sz), pl->initrd_size);
	return boot_fail(err, errlen, -ENOSPC,
			 "initrd of %s does not fit between the kernel's end 0x%llx and 0x%llx (end of low RAM or initrd_addr_max)",
			 sz, (unsigned long long)floor, (unsigned long long)limit);
}

/* The identity map reaches the top of RAM, and at least 4 GiB. */
static int plan_map(const struct guest_mem_ops *mem, struct lx_plan *pl,
		    char *err, size_t errlen)
{
	const struct guest_region *r;
	uint64_t pages;
	char ram[32];

	pl->map_end = GIB(4);
	guest_layout_for_each(mem->layout, r)
		if (r->type == GUEST_REGION_RAM)
			pl->map_end = MAX(pl->map_end, r->start.v + r->size);
	pages = boot_identity_map_pages(pl->map_end);
	if (pages > LINUX_PT_PAGES) {
		boot_fmt_size(ram, sizeof(ram), mem->layout->ram_size);
		return boot_fail(err, errlen, -ENOSPC,
				 "identity map for %s of RAM needs %llu page-table pages, the area at 0x%llx holds %llu",
				 ram, (unsigned long long)pages, LINUX_PT,
				 (unsigned long long)LINUX_PT_PAGES);
	}
	return 0;
}

static int plan_cmdline(const struct boot_image_params *p,
			const struct lx_hdr *h, struct lx_plan *pl, char *err,
			size_t errlen)
{
	pl->cmdline_len = p->cmdline ? strlen(p->cmdline) : 0;
	/* cmdline_size counts the characters without the NUL. */
	if (pl->cmdline_len > h->cmdline_size)
		return boot_fail(err, errlen, -EINVAL,
				 "linux cmdline is %zu bytes, the kernel takes at most %u (cmdline_size)",
				 pl->cmdline_len, h->cmdline_size);
	if (pl->cmdline_len > LINUX_CMDLINE_MAX)
		return boot_fail(err, errlen, -EINVAL,
				 "linux cmdline is %zu bytes (max %d)",
				 pl->cmdline_len, LINUX_CMDLINE_MAX);
	return 0;
}

/*
 * The e820 map is the layout itself: RAM regions as RAM, the MMIO hole and
 * anything reserved as reserved, so nothing is placed over devices, except
 * the PCI memory window at the hole's start: firmware leaves BAR space out
 * of the map, and Linux would not claim BARs inside a reserved range.
 */
static unsigned int build_e820(const struct guest_layout *l, uint8_t *tab)
{
	const struct guest_region *r;
	unsigned int n = 0;

	guest_layout_for_each(l, r) {
		uint8_t *e = tab + n * LINUX_E820_ENTRY;
		uint64_t start = r->start.v, size = r->size;

		if (r->type == GUEST_REGION_MMIO_HOLE && start == GUEST_PCI_MEM_BASE &&
		    size > GUEST_PCI_MEM_SIZE) {
			start += GUEST_PCI_MEM_SIZE;
			size -= GUEST_PCI_MEM_SIZE;
		}
		if (!size)
			continue;
		put_le64(e, start);
		put_le64(e + 8, size);
		put_le32(e + 16, r->type == GUEST_REGION_RAM ? LINUX_E820_RAM :
							    LINUX_E820_RESERVED);
		n++;
	}
	return n;
}

/*
 * The zero page: all zero, the image's setup header (0x1f1 .. hdr_end), then
 * what the protocol has the loader fill in. code32_start and the other
 * fields the loader may leave alone keep the image's values.
 */
static int write_boot_params(const struct guest_mem_ops *mem,
			     const uint8_t *img, const struct lx_hdr *h,
			     const struct lx_plan *pl, char *err, size_t errlen)
{
	uint8_t hdr[LINUX_HDR_MAX_LEN], ext[12], rsdp[8], nr;
	uint8_t e820[GUEST_LAYOUT_MAX_REGIONS * LINUX_E820_ENTRY];
	size_t len = h->hdr_end - LINUX_HDR_START;
	int ret;

	/* Every field patched lies below LINUX_HDR_MIN_END <= hdr_end. */
	memcpy(hdr, img + LINUX_HDR_START, len);
	*HDR(hdr, LINUX_HDR_TYPE_OF_LOADER) = LINUX_LOADER_UNDEFINED;
	/* CAN_USE_HEAP and the rest only concern the 16-bit setup code. */
	*HDR(hdr, LINUX_HDR_LOADFLAGS) = LINUX_LOADED_HIGH;
	*HDR(hdr, LINUX_HDR_EXT_LOADER_VER) = 0;
	*HDR(hdr, LINUX_HDR_EXT_LOADER_TYPE) = 0;
	put_le32(HDR(hdr, LINUX_HDR_RAMDISK_IMAGE), (uint32_t)pl->initrd);
	put_le32(HDR(hdr, LINUX_HDR_RAMDISK_SIZE), (uint32_t)pl->initrd_size);
	put_le16(HDR(hdr, LINUX_HDR_HEAP_END_PTR), 0);
	put_le32(HDR(hdr, LINUX_HDR_CMD_LINE_PTR), (uint32_t)LINUX_CMDLINE);
	/* Plinth passes no setup_data list: a stale pointer would be chased. */
	put_le64(HDR(hdr, LINUX_HDR_SETUP_DATA), 0);

	put_le32(ext, (uint32_t)(pl->initrd >> 32));
	put_le32(ext + 4, (uint32_t)(pl->initrd_size >> 32));
	put_le32(ext + 8, (uint32_t)(LINUX_CMDLINE >> 32));
	nr = (uint8_t)build_e820(mem->layout, e820);
	put_le64(rsdp, pl->rsdp);

	ret = boot_zero(mem, LINUX_BOOT_PARAMS, PAGE_SIZE, err, errlen);
	if (!ret)
		ret = boot_write(mem, LINUX_BOOT_PARAMS + LINUX_HDR_START, hdr,
				 len, err, errlen);
	if (!ret)
		ret = boot_write(mem, LINUX_BOOT_PARAMS + LINUX_BP_EXT_RAMDISK_IMAGE,
				 ext, sizeof(ext), err, errlen);
	/* Saves the kernel its scan of the BIOS area (the tables are there too). */
	if (!ret && pl->rsdp)
		ret = boot_write(mem, LINUX_BOOT_PARAMS + LINUX_BP_ACPI_RSDP_ADDR,
				 rsdp, sizeof(rsdp), err, errlen);
	if (!ret)
		ret = boot_write(mem, LINUX_BOOT_PARAMS + LINUX_BP_E820_ENTRIES,
				 &nr, 1, err, errlen);
	if (!ret)
		ret = boot_write(mem, LINUX_BOOT_PARAMS + LINUX_BP_E820_TABLE,
				 e820, nr * LINUX_E820_ENTRY, err, errlen);
	return ret;
}

static int write_boot_area(const struct guest_mem_ops *mem,
			   const struct boot_image_params *p,
			   const struct lx_hdr *h, const struct lx_plan *pl,
			   char *err, size_t errlen)
{
	uint8_t gdt[LINUX_GDT_LIMIT + 1];
	int ret;

	memset(gdt, 0, sizeof(gdt));
	put_le64(gdt + LINUX_BOOT_CS, BOOT_GDT_CODE64);
	put_le64(gdt + LINUX_BOOT_DS, BOOT_GDT_DATA);

	ret = write_boot_params(mem, p->image, h, pl, err, errlen);
	/* The whole page, so the string ends in zeros whatever was there. */
	if (!ret)
		ret = boot_zero(mem, LINUX_CMDLINE, PAGE_SIZE, err, errlen);
	if (!ret && pl->cmdline_len)
		ret = boot_write(mem, LINUX_CMDLINE, p->cmdline,
				 pl->cmdline_len, err, errlen);
	if (!ret)
		ret = boot_zero(mem, LINUX_GDT, PAGE_SIZE, err, errlen);
	if (!ret)
		ret = boot_write(mem, LINUX_GDT, gdt, sizeof(gdt), err, errlen);
	if (!ret)
		ret = boot_write_identity_map(mem, LINUX_PT, pl->map_end, err,
					      errlen);
	return ret;
}

int linux_load(const struct guest_mem_ops *mem,
	       const struct boot_image_params *p, uint64_t rsdp, struct vcpu_regs *bsp,
	       char *err, size_t errlen)
{
	const uint8_t *img = p->image;
	struct lx_hdr h = { 0 };
	struct lx_plan pl = { .rsdp = rsdp };
	int ret;

	ret = parse_header(img, p->image_size, &h, err, errlen);
	if (!ret)
		ret = plan_cmdline(p, &h, &pl, err, errlen);
	if (!ret)
		ret = place_kernel(mem, &h, &pl, err, errlen);
	if (!ret)
		ret = place_initrd(mem, p, &h, &pl, err, errlen);
	if (!ret)
		ret = plan_map(mem, &pl, err, errlen);
	if (ret)
		return ret;

	/* Validated: from here on only the write callback can fail. */
	ret = write_boot_area(mem, p, &h, &pl, err, errlen);
	if (!ret)
		ret = boot_write(mem, pl.kernel, img + h.pm_offset, h.pm_size,
				 err, errlen);
	if (!ret && pl.initrd_size)
		ret = boot_write(mem, pl.initrd, p->module,
				 (size_t)pl.initrd_size, err, errlen);
	if (ret)
		return ret;

	boot_regs_longmode(bsp, pl.kernel + LINUX_ENTRY64_OFFSET, LINUX_PT,
			   LINUX_BOOT_CS, LINUX_BOOT_DS, LINUX_GDT,
			   LINUX_GDT_LIMIT);
	bsp->gpr[REG_RSI] = LINUX_BOOT_PARAMS;
	return 0;
}
