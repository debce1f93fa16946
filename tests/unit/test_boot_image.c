/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/acpi_build.h>
#include <vmm/boot_image.h>
#include <vmm/platform.h>

/* ---- fake guest RAM: any write outside it fails the test ---- */

#define DIRT 0xaa

struct fake_ram {
	uint8_t *mem;
	uint64_t size;
	unsigned int writes;
	unsigned int fail_on;	/* 1-based write number to fail, 0 = never */
	int fail_ret;
};

static int fake_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	struct fake_ram *r = ctx;

	assert_true(len <= r->size);
	assert_true(dst.v <= r->size - len);
	r->writes++;
	if (r->fail_on && r->writes == r->fail_on)
		return r->fail_ret;
	memcpy(r->mem + dst.v, src, len);
	return 0;
}

static struct fake_ram ram;
static struct guest_layout layout;
static struct guest_mem_ops mem;
static char err[160];
static struct vcpu_regs regs;

static void ram_setup(uint64_t size)
{
	free(ram.mem);
	memset(&ram, 0, sizeof(ram));
	ram.mem = malloc(size ? size : 1);
	assert_non_null(ram.mem);
	/* Stale bytes show which areas the loader failed to overwrite. */
	memset(ram.mem, DIRT, size);
	ram.size = size;
	/* Below 3 GiB the layout's only RAM is 0 .. size, as fake_write expects. */
	assert_int_equal(guest_layout_build(&layout, size), 0);
	mem = (struct guest_mem_ops){ .write = fake_write, .ctx = &ram,
				      .layout = &layout };
	memset(err, 'Z', sizeof(err));
	memset(&regs, 0x5a, sizeof(regs));
}

/* Freed by teardown, so a failing assertion does not leak them. */
static void *allocs[8];
static unsigned int nallocs;

static int teardown(void **state)
{
	(void)state;
	while (nallocs)
		free(allocs[--nallocs]);
	free(ram.mem);
	memset(&ram, 0, sizeof(ram));
	return 0;
}

static uint64_t rd64(uint64_t a)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | ram.mem[a + i];
	return v;
}

static uint32_t rd32(uint64_t a)
{
	return (uint32_t)rd64(a) & 0xffffffffu;
}

/* Bytes of ACPI tables for n vCPUs, as boot_image_load() writes them at 0xe0000. */
static size_t acpi_len(unsigned int n)
{
	struct acpi_build_config c;
	struct acpi_build_result r;

	acpi_build_config_default(&c, n);
	assert_int_equal(acpi_build(&c, NULL, 0, GUEST_FIRMWARE_START, &r), -ENOSPC);
	return r.size;
}

/* Never written, except for the ACPI tables (n vCPUs, RSDP checked) at 0xe0000. */
static void assert_untouched_acpi(uint64_t from, uint64_t to, unsigned int n)
{
	uint64_t t0 = GUEST_FIRMWARE_START, t1 = t0 + acpi_len(n);
	uint8_t sum = 0;

	for (uint64_t a = from; a < to; a++)
		if (ram.mem[a] != DIRT && (a < t0 || a >= t1))
			fail_msg("byte at 0x%llx was written",
				 (unsigned long long)a);
	if (from > t0 || to < t1)
		return;
	assert_memory_equal(ram.mem + t0, "RSD PTR ", 8);
	for (unsigned int i = 0; i < 36; i++)
		sum = (uint8_t)(sum + ram.mem[t0 + i]);
	assert_int_equal(sum, 0);
}

static void assert_untouched(uint64_t from, uint64_t to)
{
	assert_untouched_acpi(from, to, 1);
}

static void check_seg(const char *name, const struct segment *a,
		      uint16_t sel, uint64_t base, uint32_t limit, uint16_t attr)
{
	if (a->selector != sel || a->base != base || a->limit != limit ||
	    a->attr != attr || a->unusable)
		fail_msg("%s = {0x%x, 0x%llx, 0x%x, 0x%x}, want {0x%x, 0x%llx, 0x%x, 0x%x}",
			 name, a->selector, (unsigned long long)a->base,
			 a->limit, a->attr, sel, (unsigned long long)base,
			 limit, attr);
}

static void check_gprs(const struct vcpu_regs *r, uint64_t rsp, uint64_t rdi)
{
	for (int i = 0; i < REG_COUNT; i++) {
		uint64_t want = i == REG_RSP ? rsp : i == REG_RDI ? rdi : 0;

		if (r->gpr[i] != want)
			fail_msg("gpr[%d] = 0x%llx, want 0x%llx", i,
				 (unsigned long long)r->gpr[i],
				 (unsigned long long)want);
	}
}

/* Everything vcpu_regs_reset sets, except CS and RIP. */
static void check_init_rest(const struct vcpu_regs *r, uint64_t cr0)
{
	check_gprs(r, 0, 0);
	assert_int_equal(r->rflags, 0x2);
	assert_int_equal(r->cr0, cr0);
	assert_int_equal(r->cr3, 0);
	assert_int_equal(r->cr4, 0);
	assert_int_equal(r->efer, 0);
	check_seg("ds", &r->ds, 0, 0, 0xffff, 0x93);
	check_seg("es", &r->es, 0, 0, 0xffff, 0x93);
	check_seg("fs", &r->fs, 0, 0, 0xffff, 0x93);
	check_seg("gs", &r->gs, 0, 0, 0xffff, 0x93);
	check_seg("ss", &r->ss, 0, 0, 0xffff, 0x93);
	check_seg("tr", &r->tr, 0, 0, 0xffff, 0x8b);
	check_seg("ldtr", &r->ldtr, 0, 0, 0xffff, 0x82);
	assert_int_equal(r->gdtr.base, 0);
	assert_int_equal(r->gdtr.limit, 0xffff);
	assert_int_equal(r->idtr.base, 0);
	assert_int_equal(r->idtr.limit, 0xffff);
}

static struct boot_image_params params(enum boot_mode mode, const void *img,
				       size_t size)
{
	return (struct boot_image_params){ .mode = mode, .image = img,
					   .image_size = size,
					   .vcpu_count = 1 };
}

static uint8_t *pattern(size_t n, unsigned int seed)
{
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	assert_true(nallocs < ARRAY_SIZE(allocs));
	allocs[nallocs++] = b;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + seed + (i >> 8));
	return b;
}

/* ---- INIT / SIPI ---- */

static void test_reset_state(void **state)
{
	(void)state;
	memset(&regs, 0x5a, sizeof(regs));
	vcpu_regs_reset(&regs);
	check_seg("cs", &regs.cs, 0xf000, 0xffff0000, 0xffff, 0x9b);
	assert_int_equal(regs.rip, 0xfff0);
	check_init_rest(&regs, 0x60000010);
}

static void test_sipi_state(void **state)
{
	static const uint8_t vectors[] = { 0x00, 0x08, 0x9a, 0xff };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
		memset(&regs, 0x5a, sizeof(regs));
		vcpu_regs_sipi(&regs, vectors[i]);
		check_seg("cs", &regs.cs, (uint16_t)(vectors[i] << 8),
			  (uint64_t)vectors[i] << 12, 0xffff, 0x9b);
		assert_int_equal(regs.rip, 0);
		check_init_rest(&regs, 0x60000010);
	}
}

/* ---- realmode ---- */

static void realmode_ok(size_t size)
{
	uint8_t *img = pattern(size, 3);
	struct boot_image_params p = params(BOOT_REALMODE, img, size);

	ram_setup(MIB(2));
	p.cmdline = "";
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_memory_equal(ram.mem + 0x100000 - size, img, size);
	assert_untouched(0, 0x100000 - size);
	assert_untouched(0x100000, MIB(2));
	check_seg("cs", &regs.cs, 0xf000, 0xf0000, 0xffff, 0x9b);
	assert_int_equal(regs.rip, 0xfff0);
	check_init_rest(&regs, 0x10);
}

static void test_realmode_load(void **state)
{
	(void)state;
	realmode_ok(16);
	realmode_ok(0x200);
	realmode_ok(0x10000);
}

static void test_realmode_exact_1m_ram(void **state)
{
	uint8_t *img = pattern(0x1000, 1);
	struct boot_image_params p = params(BOOT_REALMODE, img, 0x1000);

	(void)state;
	ram_setup(MIB(1));
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_memory_equal(ram.mem + 0xff000, img, 0x1000);
}

static void expect_err(const struct boot_image_params *p, int ret,
		       const char *msg)
{
	unsigned int before = ram.writes;

	assert_int_equal(boot_image_load(&mem, p, &regs, err, sizeof(err)),
			 ret);
	assert_string_equal(err, msg);
	/* Rejections happen before the first guest write. */
	assert_int_equal(ram.writes, before);
}

static void test_realmode_errors(void **state)
{
	uint8_t *img = pattern(70000, 0);
	struct boot_image_params p = params(BOOT_REALMODE, img, 70000);

	(void)state;
	ram_setup(MIB(2));
	expect_err(&p, -E2BIG, "realmode image is 70000 bytes (max 65536)");
	p.image_size = 0x10001;
	expect_err(&p, -E2BIG, "realmode image is 65537 bytes (max 65536)");
	p.image_size = 15;
	expect_err(&p, -EINVAL,
		   "realmode image is 15 bytes (min 16: it must hold the reset vector)");
	p.image_size = 0;
	expect_err(&p, -EINVAL,
		   "realmode image is 0 bytes (min 16: it must hold the reset vector)");
	p.image_size = 0x100;
	p.cmdline = "console=ttyS0";
	expect_err(&p, -EINVAL, "realmode has no way to pass a cmdline");
	p.cmdline = NULL;
	p.module = img;
	p.module_size = 4;
	expect_err(&p, -EINVAL, "a module can only be passed in multiboot or linux mode");
	p.module = NULL;
	p.module_size = 0;

	ram_setup(KIB(512));
	expect_err(&p, -ENOSPC, "realmode needs at least 1 MiB of RAM (have 512 KiB)");
	ram_setup(MIB(1) - PAGE_SIZE);
	expect_err(&p, -ENOSPC,
		   "realmode needs at least 1 MiB of RAM (have 1020 KiB)");
}

/* ---- longmode ---- */

static void check_longmode(uint64_t entry, size_t size, const uint8_t *img,
			   const char *cmdline, unsigned int vcpus)
{
	static const uint8_t gdt[24] = {
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0, 0x9b, 0xaf, 0x00,
		0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0x00,
	};
	size_t clen = strlen(cmdline);

	assert_memory_equal(ram.mem + 0x800, gdt, sizeof(gdt));
	assert_untouched(0, 0x800);
	assert_untouched(0x818, 0x1000);

	assert_int_equal(rd64(0x1000), 0x2003);
	for (uint64_t a = 0x1008; a < 0x2000; a += 8)
		assert_int_equal(rd64(a), 0);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(rd64(0x2000 + 8 * i),
				 i < 4 ? 0x3003 + 0x1000 * i : 0);
	for (uint64_t i = 0; i < 2048; i++)
		assert_int_equal(rd64(0x3000 + 8 * i), i * SIZE_2M | 0x83);
	/* The 4 GiB map reaches the MMIO test device. */
	assert_int_equal(rd64(0x3000 + 8 * (0xfeb00000ULL >> 21)),
			 0xfea00083ULL);
	assert_int_equal(rd64(0x6ff8), 0xffe00083ULL);

	assert_int_equal(rd32(0x7000), 0x544e4c50);
	assert_memory_equal(ram.mem + 0x7000, "PLNT", 4);
	assert_int_equal(rd32(0x7004), vcpus);
	assert_int_equal(rd64(0x7008), ram.size);
	assert_memory_equal(ram.mem + 0x7010, cmdline, clen);
	for (size_t i = clen; i < 512; i++)
		assert_int_equal(ram.mem[0x7010 + i], 0);
	assert_untouched_acpi(0x7210, entry, vcpus);
	assert_memory_equal(ram.mem + entry, img, size);
	assert_untouched_acpi(entry + size, ram.size, vcpus);

	check_gprs(&regs, entry, 0x7000);
	assert_int_equal(regs.rip, entry);
	assert_int_equal(regs.rflags, 0x2);
	assert_int_equal(regs.cr0, 0x80050033);
	assert_int_equal(regs.cr3, 0x1000);
	assert_int_equal(regs.cr4, 0x20);
	assert_int_equal(regs.efer, 0x500);
	check_seg("cs", &regs.cs, 0x08, 0, 0xffffffff, 0xa9b);
	check_seg("ds", &regs.ds, 0x10, 0, 0xffffffff, 0xc93);
	check_seg("es", &regs.es, 0x10, 0, 0xffffffff, 0xc93);
	check_seg("fs", &regs.fs, 0x10, 0, 0xffffffff, 0xc93);
	check_seg("gs", &regs.gs, 0x10, 0, 0xffffffff, 0xc93);
	check_seg("ss", &regs.ss, 0x10, 0, 0xffffffff, 0xc93);
	check_seg("tr", &regs.tr, 0, 0, 0x67, 0x8b);
	assert_true(regs.ldtr.unusable);
	assert_int_equal(regs.gdtr.base, 0x800);
	assert_int_equal(regs.gdtr.limit, 23);
	assert_int_equal(regs.idtr.base, 0);
	assert_int_equal(regs.idtr.limit, 0);
}

static void test_longmode_default_entry(void **state)
{
	uint8_t *img = pattern(0x3456, 9);
	struct boot_image_params p = params(BOOT_LONGMODE, img, 0x3456);

	(void)state;
	ram_setup(MIB(4));
	p.vcpu_count = 3;
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	check_longmode(0x100000, 0x3456, img, "", 3);
}

static void test_longmode_entry_and_cmdline(void **state)
{
	uint8_t *img = pattern(0x1000, 2);
	struct boot_image_params p = params(BOOT_LONGMODE, img, 0x1000);
	char cmd[512];

	(void)state;
	memset(cmd, 'c', 511);
	cmd[511] = '\0';
	ram_setup(MIB(3));
	p.entry_addr = 0x200000;
	p.cmdline = cmd;
	p.vcpu_count = 64;
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_longmode(0x200000, 0x1000, img, cmd, 64);

	/* Lowest allowed entry, and an image ending exactly at the RAM end. */
	ram_setup(0x9000);
	p.entry_addr = 0x8000;
	p.cmdline = "a b";
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), 0);
	check_longmode(0x8000, 0x1000, img, "a b", 64);
}

static void test_longmode_errors(void **state)
{
	uint8_t *img = pattern(MIB(4), 0);
	struct boot_image_params p = params(BOOT_LONGMODE, img, MIB(4));
	char cmd[513];

	(void)state;
	ram_setup(MIB(4));
	expect_err(&p, -ENOSPC,
		   "longmode image at 0x100000 + 4 MiB does not fit in 4 MiB of RAM");
	p.image_size = 0x1001;
	p.entry_addr = MIB(4) - 0x1000;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0x3ff000 + 4097 bytes does not fit in 4 MiB of RAM");
	p.entry_addr = 0xfffffffffffff000ULL;
	p.image_size = 0x2000;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0xfffffffffffff000 + 8 KiB does not fit in 4 MiB of RAM");
	p.entry_addr = 0x7fff;
	expect_err(&p, -EINVAL,
		   "longmode entry_addr 0x7fff is below 0x8000 (GDT, page tables and boot block live there)");
	p.entry_addr = 0;
	p.image_size = 0;
	expect_err(&p, -EINVAL, "longmode image is empty");
	p.image_size = 16;
	memset(cmd, 'x', 512);
	cmd[512] = '\0';
	p.cmdline = cmd;
	expect_err(&p, -EINVAL, "longmode cmdline is 512 bytes (max 511)");
	p.cmdline = NULL;
	p.module = img;
	expect_err(&p, -EINVAL, "a module can only be passed in multiboot or linux mode");

	ram_setup(0x8000);
	p.module = NULL;
	p.entry_addr = 0x8000;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0x8000 + 16 bytes does not fit in 32 KiB of RAM");
}

/* With more than 3 GiB the MMIO hole splits RAM: nothing may land in it or span it. */
static void test_longmode_mmio_hole(void **state)
{
	uint8_t img[16] = { 0 };
	struct boot_image_params p = params(BOOT_LONGMODE, img, sizeof(img));
	uint8_t x = 1;

	(void)state;
	ram_setup(0x1000); /* no guest write may happen: fake_write fails the test */
	assert_int_equal(guest_layout_build(&layout, GIB(4)), 0);
	p.entry_addr = GUEST_MMIO_HOLE_START - 8;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0xbffffff8 + 16 bytes does not fit in 4 GiB of RAM");
	p.entry_addr = GUEST_LAPIC_BASE;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0xfee00000 + 16 bytes does not fit in 4 GiB of RAM");
	p.entry_addr = GUEST_MMIO_HOLE_END - 8;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0xfffffff8 + 16 bytes does not fit in 4 GiB of RAM");
	p.entry_addr = GUEST_MMIO_HOLE_END + GIB(1) - 8;
	expect_err(&p, -ENOSPC,
		   "longmode image at 0x13ffffff8 + 16 bytes does not fit in 4 GiB of RAM");
	assert_int_equal(boot_write(&mem, GUEST_TESTDEV_MMIO, &x, 1, err, sizeof(err)), -EFAULT);
	assert_string_equal(err, "write of 1 bytes at 0xfeb00000 is outside guest RAM");
	assert_int_equal(boot_zero(&mem, GUEST_MMIO_HOLE_START - 0x10, 0x20, err, sizeof(err)),
			 -EFAULT);
	assert_int_equal(ram.writes, 0);
}

/* ---- common ---- */

static void test_common_errors(void **state)
{
	uint8_t img[32] = { 0 };
	struct boot_image_params p = params(BOOT_REALMODE, img, sizeof(img));
	struct guest_mem_ops nowrite;

	(void)state;
	ram_setup(MIB(2));
	nowrite = mem;
	nowrite.layout = NULL;
	assert_int_equal(boot_image_load(&nowrite, &p, &regs, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "NULL argument");
	nowrite = mem;
	nowrite.write = NULL;
	assert_int_equal(boot_image_load(NULL, &p, &regs, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "NULL argument");
	assert_int_equal(boot_image_load(&nowrite, &p, &regs, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(boot_image_load(&mem, NULL, &regs, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(boot_image_load(&mem, &p, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "NULL argument");

	p.image = NULL;
	expect_err(&p, -EINVAL, "image is NULL but image_size is 32");
	p.image = img;
	p.module_size = 5;
	expect_err(&p, -EINVAL, "module is NULL but module_size is 5");
	p.module_size = 0;
	p.vcpu_count = 0;
	expect_err(&p, -EINVAL, "vcpu_count is 0");
	p.vcpu_count = 1;
	p.mode = (enum boot_mode)7;
	expect_err(&p, -EINVAL, "unknown boot mode 7");

	/* No err buffer, or a tiny one. */
	p.mode = BOOT_REALMODE;
	p.image_size = 70000;
	assert_int_equal(boot_image_load(&mem, &p, &regs, NULL, 0), -E2BIG);
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, 8), -E2BIG);
	assert_string_equal(err, "realmod");
	assert_int_equal(ram.writes, 0);
}

static void test_write_failure(void **state)
{
	uint8_t *img = pattern(0x100, 0);
	struct boot_image_params p = params(BOOT_LONGMODE, img, 0x100);

	(void)state;
	/* Fail each write in turn: every failure must surface. */
	for (unsigned int n = 1; n < 100; n++) {
		ram_setup(MIB(2));
		ram.fail_on = n;
		ram.fail_ret = -EFAULT;
		int ret = boot_image_load(&mem, &p, &regs, err, sizeof(err));

		if (ram.writes < n) {
			assert_int_equal(ret, 0);
			assert_true(n > 10);
			break;
		}
		assert_int_equal(ret, -EFAULT);
		assert_memory_equal(err, "guest write of ", 15);
		assert_non_null(strstr(err, "failed (-14)"));
	}
	ram_setup(MIB(2));
	ram.fail_on = 1;
	ram.fail_ret = 3;	/* a bogus positive return is still an error */
	assert_int_equal(boot_image_load(&mem, &p, &regs, err, sizeof(err)), -EIO);
	assert_string_equal(err, "guest write of 24 bytes at 0x800 failed (3)");
}

static void test_helpers(void **state)
{
	char b[32];
	uint8_t x = 1;

	(void)state;
	boot_fmt_size(b, sizeof(b), 0);
	assert_string_equal(b, "0 bytes");
	boot_fmt_size(b, sizeof(b), 1023);
	assert_string_equal(b, "1023 bytes");
	boot_fmt_size(b, sizeof(b), 3072);
	assert_string_equal(b, "3 KiB");
	boot_fmt_size(b, sizeof(b), MIB(1) + KIB(1));
	assert_string_equal(b, "1025 KiB");
	boot_fmt_size(b, sizeof(b), MIB(64));
	assert_string_equal(b, "64 MiB");
	boot_fmt_size(b, sizeof(b), GIB(4));
	assert_string_equal(b, "4 GiB");

	ram_setup(0x1000);
	assert_int_equal(boot_write(&mem, 0x1000, &x, 1, err, sizeof(err)),
			 -EFAULT);
	assert_string_equal(err, "write of 1 bytes at 0x1000 is outside guest RAM");
	assert_int_equal(boot_write(&mem, 0xfff, &x, 1, err, sizeof(err)), 0);
	assert_int_equal(ram.mem[0xfff], 1);
	assert_int_equal(boot_write(&mem, UINT64_MAX, &x, 2, err, sizeof(err)),
			 -EFAULT);
	assert_int_equal(boot_zero(&mem, 0x10, 0x1000, err, sizeof(err)),
			 -EFAULT);
	assert_string_equal(err, "zeroing 4096 bytes at 0x10 is outside guest RAM");
	assert_int_equal(ram.writes, 1);
	assert_int_equal(boot_zero(&mem, 0x10, 0xfe0, err, sizeof(err)), 0);
	for (int i = 0x10; i < 0xff0; i++)
		assert_int_equal(ram.mem[i], 0);
	assert_int_equal(ram.mem[0xf], DIRT);
	assert_int_equal(ram.mem[0xff0], DIRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_reset_state, teardown),
		cmocka_unit_test_teardown(test_sipi_state, teardown),
		cmocka_unit_test_teardown(test_realmode_load, teardown),
		cmocka_unit_test_teardown(test_realmode_exact_1m_ram, teardown),
		cmocka_unit_test_teardown(test_realmode_errors, teardown),
		cmocka_unit_test_teardown(test_longmode_default_entry, teardown),
		cmocka_unit_test_teardown(test_longmode_entry_and_cmdline, teardown),
		cmocka_unit_test_teardown(test_longmode_errors, teardown),
		cmocka_unit_test_teardown(test_longmode_mmio_hole, teardown),
		cmocka_unit_test_teardown(test_common_errors, teardown),
		cmocka_unit_test_teardown(test_write_failure, teardown),
		cmocka_unit_test_teardown(test_helpers, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
