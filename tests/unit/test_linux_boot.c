/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux 64-bit boot protocol loader against synthetic bzImages: a setup
 * header with chosen fields followed by a patterned protected-mode part.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/boot_image.h>

#include "sparse_ram.h"

#define SECTS 3
#define PM_OFF ((SECTS + 1) * 512)
#define PM_SIZE 0x1234
#define HDR_END 0x268	/* jump offset 0x66 */
#define BP LINUX_BOOT_PARAMS

static struct sparse_ram ram;
static struct guest_layout layout;
static struct guest_mem_ops mem;
static char err[240];
static struct vcpu_regs regs;
static uint8_t *img;
static size_t img_len;
static uint8_t initrd[0x5432];

static void ram_setup(uint64_t size)
{
	sparse_ram_free(&ram);
	assert_int_equal(guest_layout_build(&layout, size), 0);
	sparse_ram_init(&ram, &layout, 1u << 14);
	mem = (struct guest_mem_ops){ .write = sparse_ram_write, .ctx = &ram,
				      .layout = &layout };
	memset(err, 'Z', sizeof(err));
	memset(&regs, 0x5a, sizeof(regs));
}

static int teardown(void **state)
{
	(void)state;
	sparse_ram_free(&ram);
	free(img);
	img = NULL;
	return 0;
}

static void w16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void w32(size_t off, uint32_t v)
{
	w16(off, (uint16_t)v);
	w16(off + 2, (uint16_t)(v >> 16));
}

static void w64(size_t off, uint64_t v)
{
	w32(off, (uint32_t)v);
	w32(off + 4, (uint32_t)(v >> 32));
}

/* A protocol 2.15 relocatable kernel: pref 16 MiB, 2 MiB alignment, 4 MiB
 * init_size. Fields the loader must overwrite hold junk. */
static void build_image(size_t pm_size)
{
	free(img);
	img_len = PM_OFF + pm_size;
	img = malloc(img_len);
	assert_non_null(img);
	memset(img, 0xcc, PM_OFF);	/* setup code: never copied */
	for (size_t i = 0; i < pm_size; i++)
		img[PM_OFF + i] = (uint8_t)(i * 7 + 3);
	memset(img + LINUX_HDR_START, 0, HDR_END - LINUX_HDR_START);
	img[LINUX_HDR_START] = SECTS;
	w16(0x1f2, 1);			/* root_flags */
	w32(0x1f4, (uint32_t)(pm_size / 16)); /* syssize */
	w16(0x1fa, 0xffff);		/* vid_mode */
	w16(LINUX_HDR_BOOT_FLAG, LINUX_BOOT_FLAG);
	img[LINUX_HDR_JUMP] = 0xeb;
	img[LINUX_HDR_JUMP + 1] = HDR_END - 0x202;
	w32(LINUX_HDR_MAGIC, LINUX_HDRS_MAGIC);
	w16(LINUX_HDR_VERSION, 0x020f);
	w16(0x20e, 0x1c0);		/* kernel_version */
	img[LINUX_HDR_TYPE_OF_LOADER] = 0x31;
	img[LINUX_HDR_LOADFLAGS] = LINUX_LOADED_HIGH | 0x80;
	w16(0x212, 0x8000);		/* setup_move_size */
	w32(0x214, 0x100000);		/* code32_start: untouched */
	w32(LINUX_HDR_RAMDISK_IMAGE, 0x11111111);
	w32(LINUX_HDR_RAMDISK_SIZE, 0x22222222);
	w16(LINUX_HDR_HEAP_END_PTR, 0x3333);
	img[LINUX_HDR_EXT_LOADER_VER] = 0x44;
	img[LINUX_HDR_EXT_LOADER_TYPE] = 0x55;
	w32(LINUX_HDR_CMD_LINE_PTR, 0x66666666);
	w32(LINUX_HDR_INITRD_ADDR_MAX, 0x7fffffff);
	w32(LINUX_HDR_KERNEL_ALIGNMENT, 0x200000);
	img[LINUX_HDR_RELOCATABLE] = 1;
	img[0x235] = 21;		/* min_alignment */
	w16(LINUX_HDR_XLOADFLAGS, LINUX_XLF_KERNEL_64 | 0x2);
	w32(LINUX_HDR_CMDLINE_SIZE, 2047);
	w64(LINUX_HDR_SETUP_DATA, 0x77777777);
	w64(LINUX_HDR_PREF_ADDRESS, 0x1000000);
	w32(LINUX_HDR_INIT_SIZE, 0x400000);
	w32(0x264, 0x190);		/* handover_offset */
}

static struct boot_image_params params(void)
{
	return (struct boot_image_params){ .mode = BOOT_LINUX, .image = img,
					   .image_size = img_len,
					   .vcpu_count = 1 };
}

static void expect_err(const struct boot_image_params *p, int ret,
		       const char *msg)
{
	unsigned int before = ram.writes;

	memset(err, 'Z', sizeof(err));
	assert_int_equal(boot_image_load(&mem, p, &regs, err, sizeof(err)), ret);
	assert_string_equal(err, msg);
	/* Refused images are refused before the first write. */
	assert_int_equal(ram.writes, before);
}

static void assert_fill(uint64_t from, uint64_t to, uint8_t v)
{
	for (uint64_t a = from; a < to; a++)
		if (sparse_ram_byte(&ram, a) != v)
			fail_msg("byte at 0x%llx is 0x%x, want 0x%x",
				 (unsigned long long)a,
				 sparse_ram_byte(&ram, a), v);
}

static void assert_ram(uint64_t a, const void *want, size_t len)
{
	uint8_t *got = malloc(len ? len : 1);

	assert_non_null(got);
	sparse_ram_read(&ram, a, got, len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void check_pt(uint64_t map_end)
{
	uint64_t gib = (map_end + SIZE_1G - 1) / SIZE_1G;
	uint64_t pdpt = LINUX_PT + PAGE_SIZE, pd = pdpt + PAGE_SIZE;

	assert_int_equal(sparse_ram_rd64(&ram, LINUX_PT), pdpt | 3);
	assert_fill(LINUX_PT + 8, pdpt, 0);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(sparse_ram_rd64(&ram, pdpt + 8 * i),
				 i < gib ? (pd + i * PAGE_SIZE) | 3 : 0);
	for (uint64_t i = 0; i < gib * 512; i++)
		assert_int_equal(sparse_ram_rd64(&ram, pd + 8 * i),
				 i * SIZE_2M | 0x83);
	assert_false(sparse_ram_backed(&ram, pd + gib * PAGE_SIZE));
}

/*
 * The e820 table lists the layout, region for region, except that the
 * hole starts after the PCI memory window (BAR space stays unlisted).
 */
static void check_e820(void)
{
	const struct guest_region *r;
	unsigned int n = 0;

	guest_layout_for_each(&layout, r) {
		uint64_t e = BP + LINUX_BP_E820_TABLE + n * LINUX_E820_ENTRY;
		uint64_t skip = r->type == GUEST_REGION_MMIO_HOLE ? GUEST_PCI_MEM_SIZE : 0;

		if (skip)
			assert_int_equal(r->start.v, GUEST_PCI_MEM_BASE);
		assert_int_equal(sparse_ram_rd64(&ram, e), r->start.v + skip);
		assert_int_equal(sparse_ram_rd64(&ram, e + 8), r->size - skip);
		assert_int_equal(sparse_ram_rd32(&ram, e + 16),
				 r->type == GUEST_REGION_RAM ? 1 : 2);
		n++;
	}
	assert_int_equal(sparse_ram_byte(&ram, BP + LINUX_BP_E820_ENTRIES), n);
	/* Base memory, then the firmware area (ACPI tables) as reserved. */
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE), 0);
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE + 8), 0xe0000);
	assert_int_equal(sparse_ram_rd32(&ram, BP + LINUX_BP_E820_TABLE + 16), 1);
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE + 20), 0xe0000);
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE + 28), 0x20000);
	assert_int_equal(sparse_ram_rd32(&ram, BP + LINUX_BP_E820_TABLE + 36), 2);
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE + 40), 0x100000);
	assert_int_equal(sparse_ram_rd32(&ram, BP + LINUX_BP_E820_TABLE + 56), 1);
	assert_fill(BP + LINUX_BP_E820_TABLE + n * LINUX_E820_ENTRY,
		    BP + PAGE_SIZE, 0);
}

static void check_regs(uint64_t kernel)
{
	for (int i = 0; i < 16; i++)
		assert_int_equal(regs.gpr[i], i == REG_RSI ? BP : 0);
	assert_int_equal(regs.rip, kernel + 0x200);
	assert_int_equal(regs.rflags, 0x2);
	assert_int_equal(regs.cr0, 0x80050033);
	assert_int_equal(regs.cr3, LINUX_PT);
	assert_int_equal(regs.cr4, 0x20);
	assert_int_equal(regs.efer, 0x500);
	assert_int_equal(regs.cs.selector, 0x10);
	assert_int_equal(regs.cs.attr, 0xa9b);
	assert_int_equal(regs.cs.base, 0);
	assert_int_equal(regs.ds.selector, 0x18);
	assert_int_equal(regs.ds.attr, 0xc93);
	assert_int_equal(regs.ds.limit, 0xffffffff);
	assert_int_equal(regs.es.selector, 0x18);
	assert_int_equal(regs.ss.selector, 0x18);
	assert_int_equal(regs.ss.attr, 0xc93);
	assert_int_equal(regs.gdtr.base, LINUX_GDT);
	assert_int_equal(regs.gdtr.limit, 31);
	assert_int_equal(regs.idtr.limit, 0);
	assert_true(regs.ldtr.unusable);
}

/* Everything but the kernel and initrd contents, for a loaded image. */
static void check_boot(uint64_t kernel, uint64_t rd, uint64_t rd_size,
		       const char *cmdline, uint64_t map_end)
{
	static const uint8_t gdt[32] = {
		[16] = 0xff, 0xff, 0, 0, 0, 0x9b, 0xaf, 0,
		0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0,
	};
	uint8_t hdr[HDR_END - LINUX_HDR_START];
	size_t clen = strlen(cmdline);

	/* The image's header, with the loader's fields filled in. */
	memcpy(hdr, img + LINUX_HDR_START, sizeof(hdr));
#define H(off) hdr[(off) - LINUX_HDR_START]
	H(LINUX_HDR_TYPE_OF_LOADER) = 0xff;
	H(LINUX_HDR_LOADFLAGS) = LINUX_LOADED_HIGH;
	H(LINUX_HDR_EXT_LOADER_VER) = 0;
	H(LINUX_HDR_EXT_LOADER_TYPE) = 0;
	for (int i = 0; i < 4; i++) {
		H(LINUX_HDR_RAMDISK_IMAGE + i) = (uint8_t)(rd >> (8 * i));
		H(LINUX_HDR_RAMDISK_SIZE + i) = (uint8_t)(rd_size >> (8 * i));
		H(LINUX_HDR_CMD_LINE_PTR + i) = (uint8_t)(LINUX_CMDLINE >> (8 * i));
	}
	H(LINUX_HDR_HEAP_END_PTR) = 0;
	H(LINUX_HDR_HEAP_END_PTR + 1) = 0;
	memset(&H(LINUX_HDR_SETUP_DATA), 0, 8);
#undef H
	assert_fill(0, BP, SPARSE_DIRT);
	/* acpi_rsdp_addr: the tables at the start of the firmware area. */
	assert_fill(BP, BP + LINUX_BP_ACPI_RSDP_ADDR, 0);
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_ACPI_RSDP_ADDR), 0xe0000);
	assert_int_equal(sparse_ram_rd64(&ram, 0xe0000), 0x2052545020445352ULL); /* "RSD PTR " */
	/* ext_* fields are 0 too: everything sits below 4 GiB. */
	assert_fill(BP + LINUX_BP_ACPI_RSDP_ADDR + 8, BP + LINUX_BP_E820_ENTRIES, 0);
	assert_fill(BP + LINUX_BP_E820_ENTRIES + 1, BP + LINUX_HDR_START, 0);
	assert_ram(BP + LINUX_HDR_START, hdr, sizeof(hdr));
	assert_fill(BP + HDR_END, BP + LINUX_BP_E820_TABLE, 0);
	check_e820();
	assert_int_equal(sparse_ram_rd32(&ram, BP + 0x214), 0x100000);

	assert_ram(LINUX_CMDLINE, cmdline, clen);
	assert_fill(LINUX_CMDLINE + clen, LINUX_CMDLINE + PAGE_SIZE, 0);
	assert_ram(LINUX_GDT, gdt, sizeof(gdt));
	assert_fill(LINUX_GDT + sizeof(gdt), LINUX_PT, 0);
	check_pt(map_end);

	assert_int_equal(rd % PAGE_SIZE, 0);
	if (rd_size) {
		assert_true(rd >= kernel + 0x400000);
		assert_ram(rd, initrd, rd_size);
	}
	check_regs(kernel);
}

static void test_good_image(void **state)
{
	struct boot_image_params p;
	uint64_t rd;

	(void)state;
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ (i >> 8));
	build_image(PM_SIZE);
	ram_setup(MIB(64));
	p = params();
	p.cmdline = "console=ttyS0 root=/dev/vda";
	p.module = initrd;
	p.module_size = sizeof(initrd);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_ram(0x1000000, img + PM_OFF, PM_SIZE);
	assert_false(sparse_ram_backed(&ram, 0x1000000 + 0x2000));
	/* As high as it goes: page-aligned below the end of RAM. */
	rd = (MIB(64) - sizeof(initrd)) & ~0xfffULL;
	check_boot(0x1000000, rd, sizeof(initrd), p.cmdline, GIB(4));
	assert_ram(rd, initrd, sizeof(initrd));
	assert_fill(rd + sizeof(initrd), MIB(64), SPARSE_DIRT);

	/* No initrd, no cmdline: zero fields, an empty string. */
	ram_setup(MIB(64));
	p = params();
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_boot(0x1000000, 0, 0, "", GIB(4));

	/* setup_sects 0 means 4: the kernel starts at 0xa00. */
	build_image(PM_SIZE);
	img[LINUX_HDR_START] = 0;
	ram_setup(MIB(64));
	p = params();
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_ram(0x1000000, img + 0xa00, img_len - 0xa00);

	/* initrd_addr_max caps the initrd; the limit is its last byte. */
	build_image(PM_SIZE);
	w32(LINUX_HDR_INITRD_ADDR_MAX, 0x1ffffff);
	ram_setup(MIB(64));
	p = params();
	p.module = initrd;
	p.module_size = sizeof(initrd);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_int_equal(sparse_ram_rd32(&ram, BP + LINUX_HDR_RAMDISK_IMAGE),
			 (MIB(32) - sizeof(initrd)) & ~0xfffULL);
}

static uint64_t load_at(void)
{
	struct boot_image_params p = params();

	ram_setup(MIB(64));
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_ram(regs.rip - 0x200, img + PM_OFF, PM_SIZE);
	return regs.rip - 0x200;
}

static void test_placement(void **state)
{
	struct boot_image_params p;

	(void)state;
	build_image(PM_SIZE);
	/* An aligned, fitting pref_address is honoured. */
	w64(LINUX_HDR_PREF_ADDRESS, 0x200000);
	assert_int_equal(load_at(), 0x200000);
	w64(LINUX_HDR_PREF_ADDRESS, MIB(60));
	assert_int_equal(load_at(), MIB(60));
	/* Otherwise: the lowest aligned address from 16 MiB. */
	w64(LINUX_HDR_PREF_ADDRESS, 0x1100000);
	assert_int_equal(load_at(), 0x1000000);
	w64(LINUX_HDR_PREF_ADDRESS, 0);
	assert_int_equal(load_at(), 0x1000000);
	w64(LINUX_HDR_PREF_ADDRESS, 0x80000);	/* over the boot area */
	w32(LINUX_HDR_KERNEL_ALIGNMENT, 0x80000);
	assert_int_equal(load_at(), 0x1000000);
	w64(LINUX_HDR_PREF_ADDRESS, MIB(62));	/* init_size runs past RAM */
	assert_int_equal(load_at(), 0x1000000);
	w64(LINUX_HDR_PREF_ADDRESS, GIB(2));	/* no RAM there */
	assert_int_equal(load_at(), 0x1000000);
	w64(LINUX_HDR_PREF_ADDRESS, 0x1000000);
	w32(LINUX_HDR_KERNEL_ALIGNMENT, 0x2000000);
	assert_int_equal(load_at(), 0x2000000);

	/* A non-relocatable kernel goes to pref_address, aligned or not. */
	img[LINUX_HDR_RELOCATABLE] = 0;
	w32(LINUX_HDR_KERNEL_ALIGNMENT, 0);
	w64(LINUX_HDR_PREF_ADDRESS, 0x1100000);
	assert_int_equal(load_at(), 0x1100000);
	w64(LINUX_HDR_PREF_ADDRESS, 0x80000);
	p = params();
	expect_err(&p, -ENOSPC,
		   "non-relocatable linux kernel needs init_size 4 MiB at pref_address 0x80000, in low RAM 0x100000-0x4000000");
}

/* Every cut inside the header or before the 64-bit entry: a reason each. */
static void test_truncated(void **state)
{
	struct boot_image_params p;

	(void)state;
	build_image(PM_SIZE);
	ram_setup(MIB(64));
	p = params();
	for (size_t n = 0; n <= PM_OFF + 0x200; n++) {
		uint8_t *cut = malloc(n ? n : 1);

		assert_non_null(cut);
		memcpy(cut, img, n);
		p.image = cut;
		p.image_size = n;
		memset(err, 'Z', sizeof(err));
		assert_int_equal(boot_image_load(&mem, &p, &regs, err,
						 sizeof(err)), -ENOEXEC);
		assert_true(strlen(err) > 10 && strlen(err) < sizeof(err) - 1);
		free(cut);
	}
	assert_int_equal(ram.writes, 0);

	p = params();
	p.image_size = 0x1ff;
	expect_err(&p, -ENOEXEC,
		   "linux image is 511 bytes: too short for the boot_flag at 0x1fe");
	p.image_size = 0x207;
	expect_err(&p, -ENOEXEC,
		   "linux image is 519 bytes: the setup header magic and version (0x202-0x207) are cut off");
	p.image_size = 0x267;
	expect_err(&p, -ENOEXEC,
		   "linux image is 615 bytes: its setup header runs to 0x268");
	p.image_size = 0x268;
	expect_err(&p, -ENOEXEC,
		   "linux setup_sects 3 puts the kernel at offset 0x800, beyond the 616-byte image");
	p.image_size = PM_OFF + 0x200;
	expect_err(&p, -ENOEXEC,
		   "linux protected-mode kernel is 512 bytes: its 64-bit entry at +0x200 lies outside it");
	/* One byte more is a (tiny) kernel. */
	p.image_size = PM_OFF + 0x201;
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
}

static void test_bad_headers(void **state)
{
	struct boot_image_params p;

	(void)state;
	ram_setup(MIB(64));
	build_image(PM_SIZE);
	p = params();
	w16(LINUX_HDR_BOOT_FLAG, 0x55aa);
	expect_err(&p, -ENOEXEC,
		   "linux image has boot_flag 0x55aa at 0x1fe, not 0xaa55: not a bzImage");
	build_image(PM_SIZE);
	p = params();
	img[0x205] = 'Z';
	expect_err(&p, -ENOEXEC,
		   "linux image has no \"HdrS\" magic at 0x202 (found 0x5a726448): not a kernel, or boot protocol older than 2.00");
	build_image(PM_SIZE);
	p = params();
	w16(LINUX_HDR_VERSION, 0x020b);
	expect_err(&p, -ENOEXEC,
		   "linux boot protocol 2.11 (0x020b) is too old: the 64-bit entry needs 2.12 or later");
	w16(LINUX_HDR_VERSION, 0x020c);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);

	build_image(PM_SIZE);
	p = params();
	img[LINUX_HDR_JUMP] = 0xe9;
	expect_err(&p, -ENOEXEC,
		   "linux setup header has 0xe9 at 0x200, not a short jmp (0xeb) over the header");
	img[LINUX_HDR_JUMP] = 0xeb;
	img[LINUX_HDR_JUMP + 1] = 0x61;
	expect_err(&p, -ENOEXEC,
		   "linux setup header ends at 0x263 (jump offset 97), before its 2.12 fields end at 0x264");
	img[LINUX_HDR_JUMP + 1] = 0xfe;
	expect_err(&p, -ENOEXEC,
		   "linux setup header ends at 0x200 (jump offset -2), before its 2.12 fields end at 0x264");

	build_image(PM_SIZE);
	p = params();
	w16(LINUX_HDR_XLOADFLAGS, 0x1e);
	expect_err(&p, -ENOEXEC,
		   "linux kernel has no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags 0x001e)");
	build_image(PM_SIZE);
	p = params();
	img[LINUX_HDR_LOADFLAGS] = 0x80;
	expect_err(&p, -ENOEXEC,
		   "linux image is a zImage (LOADED_HIGH clear in loadflags 0x80): only bzImages are supported");
	build_image(PM_SIZE);
	p = params();
	img[LINUX_HDR_START] = 200;
	expect_err(&p, -ENOEXEC,
		   "linux setup_sects 200 puts the kernel at offset 0x19200, beyond the 6708-byte image");
	build_image(PM_SIZE);
	p = params();
	w32(LINUX_HDR_INIT_SIZE, PM_SIZE - 1);
	expect_err(&p, -ENOEXEC,
		   "linux init_size 0x1233 is smaller than the 4660-byte protected-mode kernel");
	w32(LINUX_HDR_INIT_SIZE, PM_SIZE);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	build_image(PM_SIZE);
	p = params();
	w32(LINUX_HDR_KERNEL_ALIGNMENT, 0x300000);
	expect_err(&p, -ENOEXEC,
		   "linux kernel_alignment 0x300000 is not a power of two");
	w32(LINUX_HDR_KERNEL_ALIGNMENT, 0);
	expect_err(&p, -ENOEXEC, "linux kernel_alignment 0x0 is not a power of two");
}

static void test_no_room(void **state)
{
	static char longline[2100];
	struct boot_image_params p;

	(void)state;
	build_image(PM_SIZE);
	ram_setup(MIB(64));
	p = params();
	/* init_size too large for low RAM at either address. */
	w32(LINUX_HDR_INIT_SIZE, MIB(48) + 1);
	expect_err(&p, -ENOSPC,
		   "linux kernel init_size 50331649 bytes fits neither at pref_address 0x1000000 nor at 0x1000000: low RAM ends at 0x4000000");
	w32(LINUX_HDR_INIT_SIZE, MIB(48));
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);

	/* The initrd must stay above init_size: exactly what is left fits. */
	build_image(PM_SIZE);
	ram_setup(MIB(64));
	w32(LINUX_HDR_INIT_SIZE, MIB(44));
	p = params();
	p.module = malloc(MIB(4) + 1);
	assert_non_null(p.module);
	p.module_size = MIB(4) + 1;
	expect_err(&p, -ENOSPC,
		   "initrd of 4194305 bytes does not fit between the kernel's end 0x3c00000 and 0x4000000 (end of low RAM or initrd_addr_max)");
	p.module_size = MIB(4);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_int_equal(sparse_ram_rd32(&ram, BP + LINUX_HDR_RAMDISK_IMAGE),
			 0x3c00000);
	/* initrd_addr_max below the kernel's end. */
	w32(LINUX_HDR_INITRD_ADDR_MAX, 0xffffff);
	p.module_size = 1;
	expect_err(&p, -ENOSPC,
		   "initrd of 1 bytes does not fit between the kernel's end 0x3c00000 and 0x1000000 (end of low RAM or initrd_addr_max)");
	p.module_size = MIB(4000);
	w32(LINUX_HDR_INITRD_ADDR_MAX, 0xffffffff);
	expect_err(&p, -ENOSPC,
		   "initrd of 4000 MiB does not fit between the kernel's end 0x3c00000 and 0x4000000 (end of low RAM or initrd_addr_max)");
	free((void *)p.module);

	/* cmdline_size is the longest string the kernel takes. */
	build_image(PM_SIZE);
	p = params();
	memset(longline, 'x', 2047);
	p.cmdline = longline;
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_int_equal(sparse_ram_byte(&ram, LINUX_CMDLINE + 2047), 0);
	longline[2047] = 'y';
	expect_err(&p, -EINVAL,
		   "linux cmdline is 2048 bytes, the kernel takes at most 2047 (cmdline_size)");
	w32(LINUX_HDR_CMDLINE_SIZE, 0xffffffff);
	memset(longline, 'z', sizeof(longline) - 1);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	w32(LINUX_HDR_CMDLINE_SIZE, 0);
	p.cmdline = "";
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	p.cmdline = "a";
	expect_err(&p, -EINVAL,
		   "linux cmdline is 1 bytes, the kernel takes at most 0 (cmdline_size)");
}

/* RAM above the hole: in the e820 map and the identity map. */
static void test_high_memory(void **state)
{
	struct boot_image_params p;
	uint64_t rd;

	(void)state;
	build_image(PM_SIZE);
	w32(LINUX_HDR_INITRD_ADDR_MAX, 0xffffffff);
	ram_setup(GIB(5) + MIB(6));
	assert_int_equal(layout.count, 5);
	p = params();
	p.module = initrd;
	p.module_size = sizeof(initrd);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	/* Highest in low RAM: right below the MMIO hole. */
	rd = (GIB(3) - sizeof(initrd)) & ~0xfffULL;
	check_boot(0x1000000, rd, sizeof(initrd), "", GIB(6) + MIB(6));
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE + 80),
			 GIB(4));
	assert_int_equal(sparse_ram_rd64(&ram, BP + LINUX_BP_E820_TABLE + 88),
			 GIB(2) + MIB(6));
	assert_int_equal(sparse_ram_rd32(&ram, BP + LINUX_BP_E820_TABLE + 76),
			 2);	/* the hole, reserved */

	/* More RAM than the page-table area can map. */
	ram_setup(GIB(200));
	p = params();
	expect_err(&p, -ENOSPC,
		   "identity map for 200 GiB of RAM needs 203 page-table pages, the area at 0xa000 holds 149");
	ram_setup(GIB(143));
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_pt(GIB(144));
}

static void test_write_failure(void **state)
{
	struct boot_image_params p;
	unsigned int n, total;

	(void)state;
	build_image(PM_SIZE);
	ram_setup(MIB(64));
	p = params();
	p.module = initrd;
	p.module_size = sizeof(initrd);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	total = ram.writes;
	for (n = 1; n <= total; n++) {
		ram_setup(MIB(64));
		ram.fail_on = n;
		ram.fail_ret = -EIO;
		assert_int_equal(boot_image_load(&mem, &p, &regs, err,
						 sizeof(err)), -EIO);
		assert_non_null(strstr(err, "failed (-5)"));
	}
}

/* ---- fuzzing: mutated headers load in bounds or fail with a reason ---- */

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void test_fuzz(void **state)
{
	static const uint64_t sizes[] = { MIB(2), MIB(20), MIB(64), GIB(3),
					  GIB(4) + MIB(2) };
	struct boot_image_params p;
	unsigned int ok = 0, i, k;
	int ret;

	(void)state;
	for (i = 0; i < 4000; i++) {
		build_image(PM_SIZE);
		for (k = rnd() % 6; k; k--) {
			size_t off = LINUX_HDR_START + rnd() % (HDR_END - LINUX_HDR_START);

			img[off] = rnd() % 4 ? (uint8_t)rnd() : img[off] ^ (uint8_t)(1u << (rnd() % 8));
		}
		if (rnd() % 4 == 0)	/* small, plausible values */
			w32(LINUX_HDR_INIT_SIZE, rnd() % MIB(80));
		if (rnd() % 4 == 0)
			w64(LINUX_HDR_PREF_ADDRESS, (uint64_t)(rnd() % 64) << 20);
		ram_setup(sizes[rnd() % ARRAY_SIZE(sizes)]);
		p = params();
		if (rnd() % 8 == 0)
			p.image_size = rnd() % img_len;
		if (rnd() % 2) {
			p.module = initrd;
			p.module_size = 1 + rnd() % sizeof(initrd);
		}
		p.cmdline = rnd() % 2 ? "quiet" : NULL;
		memset(err, 'Z', sizeof(err));
		ret = boot_image_load(&mem, &p, &regs, err, sizeof(err));
		if (ret) {
			assert_true(ret == -ENOEXEC || ret == -ENOSPC ||
				    ret == -EINVAL);
			assert_true(strlen(err) > 10 && strlen(err) < sizeof(err));
			assert_int_equal(ram.writes, 0);
			continue;
		}
		ok++;
		k = img[LINUX_HDR_START] ? img[LINUX_HDR_START] : 4;
		assert_string_equal(err, "");
		assert_int_equal(regs.gpr[REG_RSI], BP);
		assert_true(regs.rip >= LINUX_KERNEL_MIN + 0x200);
		assert_true(guest_layout_is_ram(&layout, gpa(regs.rip - 0x200),
						p.image_size - (k + 1) * 512));
	}
	/* The mutations must leave enough images loadable to mean something. */
	assert_true(ok > 400);
	print_message("fuzz: %u of %u mutated images loaded\n", ok, i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_image, teardown),
		cmocka_unit_test_teardown(test_placement, teardown),
		cmocka_unit_test_teardown(test_truncated, teardown),
		cmocka_unit_test_teardown(test_bad_headers, teardown),
		cmocka_unit_test_teardown(test_no_room, teardown),
		cmocka_unit_test_teardown(test_high_memory, teardown),
		cmocka_unit_test_teardown(test_write_failure, teardown),
		cmocka_unit_test_teardown(test_fuzz, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
