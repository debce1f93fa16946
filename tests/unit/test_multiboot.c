/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/boot_image.h>
#include <vmm/platform.h>

/* ---- fake guest RAM: any write outside it fails the test ---- */

#define DIRT 0xaa

struct fake_ram {
	uint8_t *mem;		/* NULL: the test expects no write at all */
	uint64_t size;
	unsigned int writes;
};

static int fake_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	struct fake_ram *r = ctx;

	assert_non_null(r->mem);
	assert_true(len <= r->size);
	assert_true(dst.v <= r->size - len);
	r->writes++;
	memcpy(r->mem + dst.v, src, len);
	return 0;
}

static struct fake_ram ram;
static struct guest_layout layout;
static struct guest_mem_ops mem;
static char err[200];
static struct vcpu_regs regs;

static void ram_setup(uint64_t size, bool backed)
{
	free(ram.mem);
	memset(&ram, 0, sizeof(ram));
	if (backed) {
		ram.mem = malloc(size);
		assert_non_null(ram.mem);
		memset(ram.mem, DIRT, size);
	}
	ram.size = size;
	/* Below 3 GiB the layout's only RAM is 0 .. size, as fake_write expects. */
	assert_int_equal(guest_layout_build(&layout, size), 0);
	mem = (struct guest_mem_ops){ .write = fake_write, .ctx = &ram,
				      .layout = &layout };
	memset(err, 'Z', sizeof(err));
	memset(&regs, 0x5a, sizeof(regs));
}

static int teardown(void **state)
{
	(void)state;
	free(ram.mem);
	memset(&ram, 0, sizeof(ram));
	return 0;
}

static uint32_t rd32(uint64_t a)
{
	return (uint32_t)ram.mem[a] | (uint32_t)ram.mem[a + 1] << 8 |
	       (uint32_t)ram.mem[a + 2] << 16 | (uint32_t)ram.mem[a + 3] << 24;
}

static uint64_t rd64(uint64_t a)
{
	return rd32(a) | (uint64_t)rd32(a + 4) << 32;
}

static void assert_fill(uint64_t from, uint64_t to, uint8_t v)
{
	for (uint64_t a = from; a < to; a++)
		if (ram.mem[a] != v)
			fail_msg("byte at 0x%llx is 0x%x, want 0x%x",
				 (unsigned long long)a, ram.mem[a], v);
}

/* ---- building images ---- */

static uint8_t img[0x2000];
static size_t img_len;

static void w16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void w32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

#define MBH 0xa0	/* multiboot header offset in the ELF image */
#define PH 52

static void put_mb_header(size_t off, uint32_t flags)
{
	w32(off, MB_HEADER_MAGIC);
	w32(off + 4, flags);
	w32(off + 8, (uint32_t)0 - MB_HEADER_MAGIC - flags);
}

static void fix_checksum(size_t off)
{
	w32(off + 8, (uint32_t)0 - MB_HEADER_MAGIC - (img[off + 4] |
		     img[off + 5] << 8 | img[off + 6] << 16 |
		     (uint32_t)img[off + 7] << 24));
}

static void put_phdr(unsigned int i, uint32_t type, uint32_t off,
		     uint32_t vaddr, uint32_t paddr, uint32_t filesz,
		     uint32_t memsz)
{
	size_t p = PH + 32 * i;

	w32(p, type);
	w32(p + 4, off);
	w32(p + 8, vaddr);
	w32(p + 12, paddr);
	w32(p + 16, filesz);
	w32(p + 20, memsz);
	w32(p + 24, 5);
	w32(p + 28, 0x1000);
}

/*
 * Segment 0: file 0x1000-0x11ff -> 0x100000 (virt 0xc0100000)
 * Segment 1: file 0x1200-0x12ff -> 0x102000, memsz 0x3000 (bss)
 * Segment 2: PT_NOTE.  Entry 0xc0100010 -> 0x100010.
 */
static void build_elf(void)
{
	memset(img, 0, sizeof(img));
	img[0] = 0x7f;
	img[1] = 'E';
	img[2] = 'L';
	img[3] = 'F';
	img[4] = 1;
	img[5] = 1;
	img[6] = 1;
	w16(16, 2);
	w16(18, 3);
	w32(20, 1);
	w32(24, 0xc0100010);
	w32(28, PH);
	w16(40, 52);
	w16(42, 32);
	w16(44, 3);
	put_phdr(0, 1, 0x1000, 0xc0100000, 0x100000, 0x200, 0x200);
	put_phdr(1, 1, 0x1200, 0xc0102000, 0x102000, 0x100, 0x3000);
	put_phdr(2, 4, 0x20, 0, 0, 0x10, 0x10);
	put_mb_header(MBH, 0x3);
	for (size_t i = 0x1000; i < 0x1300; i++)
		img[i] = (uint8_t)(i * 13 + 1);
	img_len = 0x1300;
}

/* a.out kludge: header at 0x40 names load_addr 0x100000; the whole 0x800
 * bytes are loaded, bss up to 0x104000, entry 0x100100. */
#define AOUT_H 0x40

static void build_aout(void)
{
	memset(img, 0, sizeof(img));
	for (size_t i = 0; i < 0x800; i++)
		img[i] = (uint8_t)(i * 5 + 2);
	put_mb_header(AOUT_H, 0x10003);
	w32(AOUT_H + 12, 0x100040);
	w32(AOUT_H + 16, 0x100000);
	w32(AOUT_H + 20, 0);
	w32(AOUT_H + 24, 0x104000);
	w32(AOUT_H + 28, 0x100100);
	img_len = 0x800;
}

static struct boot_image_params mb_params(void)
{
	return (struct boot_image_params){ .mode = BOOT_MULTIBOOT,
					   .image = img,
					   .image_size = img_len,
					   .vcpu_count = 1 };
}

static void check_regs(uint32_t entry)
{
	static const struct segment data = { .selector = 0x10, .limit = 0xffffffff, .attr = 0xc93 };
	const struct segment *segs[] = { &regs.ds, &regs.es, &regs.fs,
					 &regs.gs, &regs.ss };

	for (int i = 0; i < REG_COUNT; i++)
		assert_int_equal(regs.gpr[i], i == REG_RAX ? 0x2badb002 :
					      i == REG_RBX ? 0x9000 : 0);
	assert_int_equal(regs.rip, entry);
	assert_int_equal(regs.rflags, 0x2);
	assert_int_equal(regs.cr0, 0x11);
	assert_int_equal(regs.cr3, 0);
	assert_int_equal(regs.cr4, 0);
	assert_int_equal(regs.efer, 0);
	assert_int_equal(regs.cs.selector, 0x08);
	assert_int_equal(regs.cs.base, 0);
	assert_int_equal(regs.cs.limit, 0xffffffff);
	assert_int_equal(regs.cs.attr, 0xc9b);
	for (size_t i = 0; i < ARRAY_SIZE(segs); i++) {
		assert_int_equal(segs[i]->selector, data.selector);
		assert_int_equal(segs[i]->base, data.base);
		assert_int_equal(segs[i]->limit, data.limit);
		assert_int_equal(segs[i]->attr, data.attr);
	}
	assert_int_equal(regs.tr.selector, 0);
	assert_int_equal(regs.tr.base, 0);
	assert_int_equal(regs.tr.limit, 0x67);
	assert_int_equal(regs.tr.attr, 0x8b);
	assert_int_equal(regs.ldtr.selector, 0);
	assert_int_equal(regs.ldtr.base, 0);
	assert_int_equal(regs.ldtr.limit, 0);
	assert_true(regs.ldtr.unusable);
	assert_int_equal(regs.gdtr.base, 0xa200);
	assert_int_equal(regs.gdtr.limit, 23);
	assert_int_equal(regs.idtr.base, 0);
	assert_int_equal(regs.idtr.limit, 0);
}

/* The info area: mbi, module list, memory map, GDT, strings. */
static void check_info(const char *cmdline, bool module, uint32_t mod_start,
		       uint32_t mod_size, const char *modname)
{
	static const uint8_t gdt[24] = {
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0x00,
		0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0x00,
	};
	uint64_t upper = (ram.size - 0x100000) / 1024;

	assert_int_equal(rd32(0x9000), 0x4d);
	assert_int_equal(rd32(0x9004), 640);
	assert_int_equal(rd32(0x9008), upper);
	assert_int_equal(rd32(0x900c), 0);
	assert_int_equal(rd32(0x9010), 0x9100);
	assert_int_equal(rd32(0x9014), module ? 1 : 0);
	assert_int_equal(rd32(0x9018), 0x9080);
	assert_fill(0x901c, 0x902c, 0);
	assert_int_equal(rd32(0x902c), 72);
	assert_int_equal(rd32(0x9030), 0x90a0);
	assert_fill(0x9034, 0x9080, 0);

	if (module) {
		assert_int_equal(rd32(0x9080), mod_start);
		assert_int_equal(rd32(0x9084), mod_start + mod_size);
		assert_int_equal(rd32(0x9088), 0x9100 + 4096);
		assert_int_equal(rd32(0x908c), 0);
	} else {
		assert_fill(0x9080, 0x9090, 0);
	}

	assert_int_equal(rd32(0x90a0), 20);
	assert_int_equal(rd64(0x90a4), 0);
	assert_int_equal(rd64(0x90ac), 0x9fc00);
	assert_int_equal(rd32(0x90b4), 1);
	/* The firmware area (ACPI tables), reserved. */
	assert_int_equal(rd32(0x90b8), 20);
	assert_int_equal(rd64(0x90bc), 0xe0000);
	assert_int_equal(rd64(0x90c4), 0x20000);
	assert_int_equal(rd32(0x90cc), 2);
	assert_int_equal(rd32(0x90d0), 20);
	assert_int_equal(rd64(0x90d4), 0x100000);
	assert_int_equal(rd64(0x90dc), ram.size - 0x100000);
	assert_int_equal(rd32(0x90e4), 1);
	assert_fill(0x90e8, 0x9100, 0);

	assert_string_equal((char *)ram.mem + 0x9100, cmdline);
	assert_fill(0x9100 + strlen(cmdline), 0xa100, 0);
	assert_string_equal((char *)ram.mem + 0xa100, modname);
	assert_fill(0xa100 + strlen(modname), 0xa200, 0);
	assert_memory_equal(ram.mem + 0xa200, gdt, sizeof(gdt));
	assert_fill(0xa218, 0xb000, 0);
	/* The RSDP, first of the ACPI tables. */
	assert_memory_equal(ram.mem + 0xe0000, "RSD PTR ", 8);
}

/* ---- loading ---- */

static void test_elf_with_module(void **state)
{
	static const char modbytes[] = "initrd contents\n";
	struct boot_image_params p;

	(void)state;
	build_elf();
	ram_setup(MIB(4), true);
	p = mb_params();
	p.cmdline = "console=ttyS0 quiet";
	p.module = modbytes;
	p.module_size = sizeof(modbytes);
	p.module_name = "initrd";
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	assert_memory_equal(ram.mem + 0x100000, img + 0x1000, 0x200);
	assert_fill(0x100200, 0x102000, DIRT);
	assert_memory_equal(ram.mem + 0x102000, img + 0x1200, 0x100);
	assert_fill(0x102100, 0x105000, 0);
	/* Module page-aligned right after the image's bss. */
	assert_memory_equal(ram.mem + 0x105000, modbytes, sizeof(modbytes));
	assert_fill(0x105000 + sizeof(modbytes), MIB(4), DIRT);
	assert_fill(0, 0x9000, DIRT);
	assert_fill(0xb000, 0xe0000, DIRT);
	/* 0xe0000: the ACPI tables (test_acpi_install checks them), then nothing. */
	assert_fill(0xe1000, 0x100000, DIRT);

	check_info("console=ttyS0 quiet", true, 0x105000, sizeof(modbytes),
		   "initrd");
	check_regs(0x100010);
}

static void test_elf_no_module(void **state)
{
	struct boot_image_params p;

	(void)state;
	build_elf();
	ram_setup(MIB(2) + KIB(4), true);
	p = mb_params();
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_info("", false, 0, 0, "");
	assert_int_equal(rd32(0x9008), 1028);
	assert_fill(0x105000, MIB(2) + KIB(4), DIRT);
	check_regs(0x100010);
}

static void test_elf_physical_entry(void **state)
{
	struct boot_image_params p;

	(void)state;
	build_elf();
	/* vaddr == paddr and a segment in low memory below the info area. */
	put_phdr(0, 1, 0x1000, 0x100000, 0x100000, 0x200, 0x200);
	put_phdr(2, 1, 0x1000, 0x8000, 0x8000, 0x10, 0x1000);
	w32(24, 0x8004);
	ram_setup(MIB(2), true);
	p = mb_params();
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_regs(0x8004);
	assert_memory_equal(ram.mem + 0x8000, img + 0x1000, 0x10);
	assert_fill(0x8010, 0x9000, 0);

	/* A physical entry in segment 1's range is used as is. */
	w32(24, 0x102f00);
	ram_setup(MIB(2), true);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_regs(0x102f00);
}

static void test_aout(void **state)
{
	struct boot_image_params p;

	(void)state;
	build_aout();
	ram_setup(MIB(2), true);
	p = mb_params();
	p.cmdline = "x";
	p.module = "M";
	p.module_size = 1;
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_memory_equal(ram.mem + 0x100000, img, 0x800);
	assert_fill(0x100800, 0x104000, 0);
	assert_int_equal(ram.mem[0x104000], 'M');
	assert_fill(0x104001, MIB(2), DIRT);
	check_info("x", true, 0x104000, 1, "");
	check_regs(0x100100);

	/* load_end_addr cuts the file; no bss; module after a partial page. */
	w32(AOUT_H + 20, 0x100600);
	w32(AOUT_H + 24, 0);
	ram_setup(MIB(2), true);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_memory_equal(ram.mem + 0x100000, img, 0x600);
	assert_fill(0x100600, 0x101000, DIRT);
	assert_int_equal(ram.mem[0x101000], 'M');

	/* Header not at the file start: load_addr == header_addr - offset. */
	build_aout();
	memmove(img + 0x100, img, 0x800);
	memset(img, 0x11, 0x100);
	w32(0x100 + AOUT_H + 12, 0x200040);
	w32(0x100 + AOUT_H + 16, 0x200000);
	w32(0x100 + AOUT_H + 24, 0);
	w32(0x100 + AOUT_H + 28, 0x200000);
	fix_checksum(0x100 + AOUT_H);
	img_len = 0x900;
	p = mb_params();
	ram_setup(MIB(3), true);
	/* The first magic (at 0x40 + 0x100) is the header; the load area
	 * starts 0x40 bytes before it: file 0x100, 0x800 bytes. */
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_memory_equal(ram.mem + 0x200000, img + 0x100, 0x800);
	check_regs(0x200000);
}

/* ---- errors ---- */

static void expect_err(const struct boot_image_params *p, int ret,
		       const char *msg)
{
	assert_int_equal(boot_image_load(&mem, p, &regs, err, sizeof(err)),
			 ret);
	assert_string_equal(err, msg);
	assert_int_equal(ram.writes, 0);
}

static void test_header_errors(void **state)
{
	static uint8_t big[8192 + 64];
	struct boot_image_params p;

	(void)state;
	ram_setup(MIB(2), false);
	memset(img, 0, sizeof(img));
	img_len = sizeof(img);
	p = mb_params();
	expect_err(&p, -ENOEXEC,
		   "multiboot header not found in the first 8192 bytes");
	p.image_size = 0;
	expect_err(&p, -ENOEXEC,
		   "multiboot header not found in the first 8192 bytes");

	/* The last spot inside the 8 KiB window is searched (the image is
	 * then rejected for not being ELF)... */
	memcpy(big + 8192 - 12, (uint32_t[]){ MB_HEADER_MAGIC, 0,
					      (uint32_t)-MB_HEADER_MAGIC },
	       12);
	p.image = big;
	p.image_size = sizeof(big);
	expect_err(&p, -ENOEXEC,
		   "multiboot image is not ELF and its header has no address fields (flags bit 16)");
	/* ...but not one reaching past it, nor a misaligned one. */
	memset(big, 0, sizeof(big));
	memcpy(big + 8192 - 8, (uint32_t[]){ MB_HEADER_MAGIC, 0,
					     (uint32_t)-MB_HEADER_MAGIC },
	       12);
	p.image = big;
	p.image_size = sizeof(big);
	expect_err(&p, -ENOEXEC,
		   "multiboot header not found in the first 8192 bytes");
	p.image = img;
	p.image_size = 64;
	put_mb_header(2, 0);
	expect_err(&p, -ENOEXEC,
		   "multiboot header not found in the first 8192 bytes");
	/* Header cut off by the image end. */
	memset(img, 0, 64);
	put_mb_header(52, 0);
	p.image_size = 60;
	expect_err(&p, -ENOEXEC,
		   "multiboot header not found in the first 8192 bytes");

	build_elf();
	p = mb_params();
	w32(MBH + 8, 0x12345678);
	expect_err(&p, -ENOEXEC, "multiboot header checksum mismatch");
	/* A magic with a bad checksum before a good header does not hide it. */
	put_mb_header(MBH + 16, 0x3);
	ram_setup(MIB(2), true);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_regs(0x100010);
	ram_setup(MIB(2), false);

	build_elf();
	put_mb_header(MBH, 0x7);
	expect_err(&p, -ENOTSUP,
		   "multiboot header requires unsupported features (flags 0x4)");
	put_mb_header(MBH, 0x8003);
	expect_err(&p, -ENOTSUP,
		   "multiboot header requires unsupported features (flags 0x8000)");

	/* Address fields past the 8 KiB window. */
	memset(big, 0, sizeof(big));
	memcpy(big + 8192 - 16, (uint32_t[]){ MB_HEADER_MAGIC, 0x10000,
					      (uint32_t)-(MB_HEADER_MAGIC + 0x10000) },
	       12);
	p.image = big;
	p.image_size = sizeof(big);
	expect_err(&p, -ENOEXEC,
		   "multiboot header at offset 0x1ff0 is cut off (address fields need 32 bytes)");
}

/* Table-driven rejections: each case edits a valid image, then loads it. */
enum { E_END, E8, E16, E32 };
#define PHF(i, f) (PH + 32 * (i) + 4 * (f))	/* f: type off vaddr paddr filesz memsz */
#define AH(f) (AOUT_H + 4 * (f))	/* f: 3 header 4 load 5 load_end 6 bss_end 7 entry */

struct edit {
	uint8_t kind;
	uint16_t off;
	uint32_t v;
};

struct bad_case {
	bool aout;
	uint64_t ram;		/* 0: 2 MiB */
	struct edit e[4];
	int ret;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ false, 0, { { E8, 0, 0x7e } }, -ENOEXEC,
	  "multiboot image is not ELF and its header has no address fields (flags bit 16)" },
	{ false, 0, { { E8, 4, 2 } }, -ENOEXEC,
	  "multiboot ELF image is ELF64 (only ELF32 i386 is supported)" },
	{ false, 0, { { E8, 5, 2 } }, -ENOEXEC,
	  "multiboot ELF image is not 32-bit little-endian (class 1, data 2)" },
	{ false, 0, { { E16, 16, 3 } }, -ENOEXEC,
	  "multiboot ELF image is not ET_EXEC (type 3)" },
	{ false, 0, { { E16, 18, 62 } }, -ENOEXEC,
	  "multiboot ELF machine 62 is not i386" },
	{ false, 0, { { E16, 44, 0 } }, -ENOEXEC,
	  "multiboot ELF image has no program headers" },
	{ false, 0, { { E16, 42, 16 } }, -ENOEXEC,
	  "multiboot ELF phentsize 16 is below 32" },
	{ false, 0, { { E32, 28, 0x12f0 } }, -ENOEXEC,
	  "multiboot ELF program headers run past the end of the image" },
	{ false, 0, { { E32, 28, 0xfffffff0 } }, -ENOEXEC,
	  "multiboot ELF program headers run past the end of the image" },
	{ false, 0, { { E32, PHF(1, 4), 0x101 }, { E32, PHF(1, 5), 0x100 } },
	  -ENOEXEC, "multiboot ELF segment 1 has filesz 0x101 > memsz 0x100" },
	{ false, 0, { { E32, PHF(1, 4), 0x10 }, { E32, PHF(1, 5), 0 } },
	  -ENOEXEC, "multiboot ELF segment 1 has filesz 0x10 > memsz 0x0" },
	{ false, 0, { { E32, PHF(1, 1), 0x1201 }, { E32, PHF(1, 5), 0x100 } },
	  -ENOEXEC,
	  "multiboot ELF segment 1 file data runs past the end of the image" },
	{ false, 0, { { E32, PHF(1, 1), 0xffffff00 } }, -ENOEXEC,
	  "multiboot ELF segment 1 file data runs past the end of the image" },
	{ false, 0, { { E32, PHF(1, 3), 0x1ff000 }, { E32, PHF(1, 5), 0x1001 } },
	  -ENOSPC,
	  "multiboot ELF segment 1 outside guest RAM: 0x1ff000 + 4097 bytes, RAM is 2 MiB" },
	{ false, 0, { { E32, PHF(0, 3), 0xfffff000 }, { E32, PHF(0, 5), 0x2000 } },
	  -ENOSPC, "multiboot ELF segment 0 at 0xfffff000 + 0x2000 crosses 4 GiB" },
	/* The 32-bit space ends even when RAM does not. */
	{ false, GIB(8), { { E32, PHF(0, 3), 0xfffff000 }, { E32, PHF(0, 5), 0x1001 } },
	  -ENOSPC, "multiboot ELF segment 0 at 0xfffff000 + 0x1001 crosses 4 GiB" },
	{ false, 0, { { E32, PHF(0, 0), 4 }, { E32, PHF(1, 4), 0 }, { E32, PHF(1, 5), 0 } },
	  -ENOEXEC, "multiboot ELF image has no loadable segment" },
	{ false, 0, { { E32, 24, 0xc0100200 } }, -ENOEXEC,
	  "multiboot entry point 0xc0100200 is outside the loaded image" },

	{ true, 0, { { E32, AH(4), 0x100041 } }, -ENOEXEC,
	  "multiboot load_addr 0x100041 is above header_addr 0x100040" },
	{ true, 0, { { E32, AH(4), 0xfffff } }, -ENOEXEC,
	  "multiboot header_addr - load_addr (0x41) exceeds the header offset 0x40" },
	{ true, 0, { { E32, AH(5), 0xfffff } }, -ENOEXEC,
	  "multiboot load_end_addr 0xfffff is below load_addr 0x100000" },
	{ true, 0, { { E32, AH(5), 0x100801 } }, -ENOEXEC,
	  "multiboot load_end_addr 0x100801 runs past the end of the image" },
	{ true, 0, { { E32, AH(6), 0x1007ff } }, -ENOEXEC,
	  "multiboot bss_end_addr 0x1007ff is below the end of the loaded data 0x100800" },
	{ true, 0, { { E32, AH(7), 0x104000 } }, -ENOEXEC,
	  "multiboot entry point 0x104000 is outside the loaded image" },
	{ true, 0, { { E32, AH(7), 0xfffff } }, -ENOEXEC,
	  "multiboot entry point 0xfffff is outside the loaded image" },
	{ true, 0, { { E32, AH(6), 0x200001 } }, -ENOSPC,
	  "multiboot load area outside guest RAM: 0x100000 + 1048577 bytes, RAM is 2 MiB" },
	{ true, 0, { { E32, AH(3), 0xffffff40 }, { E32, AH(4), 0xffffff00 }, { E32, AH(6), 0 },
		     { E32, AH(7), 0xffffff00 } }, -ENOSPC,
	  "multiboot load area at 0xffffff00 + 0x800 crosses 4 GiB" },
	{ true, 0, { { E32, AH(5), 0x100040 }, { E32, AH(6), 0 } }, -ENOEXEC,
	  "multiboot entry point 0x100100 is outside the loaded image" },
};

/* A kernel linked over the default info area: the info area moves past the image. */
static void test_elf_linked_low(void **state)
{
	static const char modbytes[] = "module";
	struct boot_image_params p;

	(void)state;
	build_elf();
	w32(PHF(1, 3), 0x8000);
	w32(PHF(1, 5), 0x1001);
	ram_setup(MIB(4), true);
	p = mb_params();
	p.cmdline = "low";
	p.module = modbytes;
	p.module_size = sizeof(modbytes);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	/* Segment 1 is where it was linked, over 0x9000; the info follows segment 0, the image's end. */
	assert_memory_equal(ram.mem + 0x8000, img + 0x1200, 0x100);
	assert_int_equal(regs.gpr[REG_RBX], 0x101000);
	assert_int_equal(rd32(0x101000), 0x4d);
	assert_string_equal((const char *)ram.mem + rd32(0x101000 + 16), "low");
	assert_int_equal(rd32(0x101000 + 16), 0x101100);
	assert_int_equal(regs.gdtr.base, 0x102200);
	/* The module goes after the moved info area, not over it. */
	assert_int_equal(rd32(rd32(0x101000 + 24)), 0x103000);
	assert_memory_equal(ram.mem + 0x103000, modbytes, sizeof(modbytes));
}

static void test_bad_images(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct boot_image_params p;

		if (b->aout)
			build_aout();
		else
			build_elf();
		for (size_t j = 0; j < ARRAY_SIZE(b->e) && b->e[j].kind; j++) {
			if (b->e[j].kind == E8)
				img[b->e[j].off] = (uint8_t)b->e[j].v;
			else if (b->e[j].kind == E16)
				w16(b->e[j].off, (uint16_t)b->e[j].v);
			else
				w32(b->e[j].off, b->e[j].v);
		}
		ram_setup(b->ram ? b->ram : MIB(2), false);
		p = mb_params();
		expect_err(&p, b->ret, b->msg);
	}
}

/* Cases a table cannot express. */
static void test_bad_images_special(void **state)
{
	struct boot_image_params p;

	(void)state;
	ram_setup(MIB(2), false);
	/* Too short to be ELF. */
	build_elf();
	put_mb_header(0x20, 0x3);
	p = mb_params();
	p.image_size = 48;
	expect_err(&p, -ENOEXEC,
		   "multiboot image is not ELF and its header has no address fields (flags bit 16)");
	/* Empty a.out load area: header at offset 0, load_end == load_addr. */
	build_aout();
	put_mb_header(0, 0x10003);
	w32(12, 0x100000);
	w32(16, 0x100000);
	w32(20, 0x100000);
	w32(24, 0);
	w32(28, 0x100000);
	expect_err(&p, -ENOEXEC, "multiboot load area is empty");
}

static void test_param_errors(void **state)
{
	struct boot_image_params p;
	static char longstr[4097];
	static uint8_t bigmod[MIB(1)];

	(void)state;
	build_elf();
	ram_setup(MIB(1), false);
	p = mb_params();
	expect_err(&p, -ENOSPC, "multiboot needs more than 1 MiB of RAM (have 1 MiB)");

	ram_setup(MIB(2), false);
	memset(longstr, 'a', 4096);
	p.cmdline = longstr;
	expect_err(&p, -EINVAL, "multiboot cmdline is 4096 bytes (max 4095)");
	p.cmdline = NULL;
	longstr[256] = '\0';
	p.module_name = longstr;
	expect_err(&p, -EINVAL, "multiboot module name is 256 bytes (max 255)");
	p.module_name = NULL;

	/* Module starts at 0x105000: 0xfb000 bytes is the most that fits. */
	p.module = bigmod;
	p.module_size = 0xfb001;
	expect_err(&p, -ENOSPC,
		   "multiboot module of 1028097 bytes at 0x105000 does not fit in 2 MiB of RAM");

	ram_setup(MIB(2), true);
	memset(bigmod, 0x77, sizeof(bigmod));
	longstr[255] = '\0';
	memset(longstr + 256, 'b', 4096 - 256);
	p.module_size = 0xfb000;
	p.module_name = longstr;
	p.cmdline = longstr + 256;
	longstr[4096] = '\0';
	assert_int_equal(strlen(p.cmdline), 3840);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_memory_equal(ram.mem + 0x105000, bigmod, 0xfb000);
	check_info(p.cmdline, true, 0x105000, 0xfb000, longstr);

	/* With more than 3 GiB of RAM the MMIO hole is what limits. */
	ram_setup(GIB(8), false);
	build_aout();
	w32(AOUT_H + 12, 0xbffff040);
	w32(AOUT_H + 16, 0xbffff000);
	w32(AOUT_H + 24, 0);
	w32(AOUT_H + 28, 0xbffff000);
	p = mb_params();
	p.module = bigmod;
	p.module_size = 1;
	expect_err(&p, -ENOSPC,
		   "multiboot module of 1 bytes at 0xc0000000 does not fit in 8 GiB of RAM below the MMIO hole");
	/* And the image itself cannot go into the hole. */
	w32(AOUT_H + 12, 0xfffff040);
	w32(AOUT_H + 16, 0xfffff000);
	w32(AOUT_H + 28, 0xfffff000);
	p.module = NULL;
	p.module_size = 0;
	expect_err(&p, -ENOSPC,
		   "multiboot load area outside guest RAM: 0xfffff000 + 2 KiB, RAM is 8 GiB");
}

/* Above 3 GiB: upper memory stops at the hole, the map lists RAM above 4 GiB. */
static void test_mmio_hole_memory_info(void **state)
{
	struct boot_image_params p;

	(void)state;
	build_elf();
	/* Only the first 4 MiB are backed: every write must land there. */
	ram_setup(MIB(4), true);
	assert_int_equal(guest_layout_build(&layout, GIB(5)), 0);
	p = mb_params();
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_int_equal(rd32(0x9004), 640);
	assert_int_equal(rd32(0x9008), (GIB(3) - MIB(1)) / 1024);
	assert_int_equal(rd32(0x902c), 96);
	assert_int_equal(rd32(0x9030), 0x90a0);
	assert_int_equal(rd64(0x90ac), 0x9fc00);
	assert_int_equal(rd64(0x90bc), 0xe0000);
	assert_int_equal(rd32(0x90cc), 2);
	assert_int_equal(rd64(0x90d4), MIB(1));
	assert_int_equal(rd64(0x90dc), GIB(3) - MIB(1));
	assert_int_equal(rd32(0x90e4), 1);
	assert_int_equal(rd32(0x90e8), 20);
	assert_int_equal(rd64(0x90ec), GIB(4));
	assert_int_equal(rd64(0x90f4), GIB(2));
	assert_int_equal(rd32(0x90fc), 1);
	assert_int_equal(rd64(0x9100), 0); /* the (empty) cmdline follows */
	check_regs(0x100010);
}

/* ---- fuzzing: mutated images must fail cleanly or load in bounds ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t rnd_value(void)
{
	static const uint32_t interesting[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffff000,
		0x9000, 0xafff, 0xb000, 0x100000, 0x1fffff, 0x200000,
		0xc0100000, 0x1000, 0x2000,
	};

	switch (rnd() % 4) {
	case 0:
		return interesting[rnd() % ARRAY_SIZE(interesting)];
	case 1:
		return rnd() % 0x3000;
	case 2:
		return 0x100000 + rnd() % 0x110000;
	default:
		return rnd();
	}
}

static void fuzz_one(bool aout, unsigned int iter)
{
	size_t hdr = aout ? AOUT_H : MBH;
	struct boot_image_params p;
	unsigned int n = 1 + rnd() % 6;
	int ret;

	if (aout)
		build_aout();
	else
		build_elf();
	for (unsigned int i = 0; i < n; i++) {
		switch (rnd() % 4) {
		case 0:	/* a random byte anywhere */
			img[rnd() % sizeof(img)] = (uint8_t)rnd();
			break;
		case 1:	/* a field of the ELF or program headers */
			w32((rnd() % ((PH + 3 * 32) / 4)) * 4, rnd_value());
			break;
		case 2:	/* a multiboot header field */
			w32(hdr + 4 * (rnd() % 8), rnd_value());
			break;
		default:
			img_len = rnd() % (img_len + 1);
			break;
		}
	}
	if (rnd() % 4)
		fix_checksum(hdr);

	p = mb_params();
	if (rnd() % 2) {
		p.module = img;
		p.module_size = img_len ? rnd() % img_len : 0;
		p.module_name = "m";
	}
	p.cmdline = rnd() % 2 ? "fuzz" : NULL;
	ram.writes = 0;
	memset(err, 'Z', sizeof(err));
	ret = boot_image_load(&mem, &p, &regs, err, sizeof(err));
	if (ret) {
		if (ret != -ENOEXEC && ret != -ENOSPC && ret != -ENOTSUP)
			fail_msg("iteration %u: unexpected error %d (%s)", iter,
				 ret, err);
		assert_true(strlen(err) > 10 && strlen(err) < sizeof(err));
		assert_int_equal(ram.writes, 0);
	} else {
		assert_string_equal(err, "");
		assert_true(regs.rip < ram.size);
		assert_int_equal(regs.gpr[REG_RAX], 0x2badb002);
		assert_int_equal(rd32(regs.gpr[REG_RBX]), 0x4d);
	}
}

static void test_fuzz(void **state)
{
	unsigned int ok = 0, i;

	(void)state;
	ram_setup(MIB(2), true);
	for (i = 0; i < 30000; i++) {
		fuzz_one(i % 2, i);
		ok += regs.gpr[REG_RAX] == 0x2badb002 && ram.writes;
	}
	/* The mutations must not all be rejected early. */
	assert_true(ok > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_elf_with_module, teardown),
		cmocka_unit_test_teardown(test_elf_no_module, teardown),
		cmocka_unit_test_teardown(test_elf_linked_low, teardown),
		cmocka_unit_test_teardown(test_elf_physical_entry, teardown),
		cmocka_unit_test_teardown(test_aout, teardown),
		cmocka_unit_test_teardown(test_header_errors, teardown),
		cmocka_unit_test_teardown(test_bad_images, teardown),
		cmocka_unit_test_teardown(test_bad_images_special, teardown),
		cmocka_unit_test_teardown(test_param_errors, teardown),
		cmocka_unit_test_teardown(test_mmio_hole_memory_info, teardown),
		cmocka_unit_test_teardown(test_fuzz, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
