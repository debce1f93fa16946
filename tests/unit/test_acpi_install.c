/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables as boot_image_load() installs them (vmm/boot/boot_image.c):
 * at the start of the firmware area, in every boot mode, for the
 * partition's vCPU count, and checked with everything acpi_build_check.c
 * checks for a freshly built set (checksums, MADT entries and overrides,
 * FADT fields, parsed back by Plinth's own ACPI parser).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <vmm/boot_image.h>
#include "acpi_build_check.h"
#include "sparse_ram.h"

static struct sparse_ram ram;
static struct guest_layout layout;
static struct guest_mem_ops gmem;
static char err[240];
static struct vcpu_regs regs;
static const uint8_t image[64] = { 0xf4 }; /* HLT */

static void ram_setup(uint64_t size)
{
	sparse_ram_free(&ram);
	assert_int_equal(guest_layout_build(&layout, size), 0);
	sparse_ram_init(&ram, &layout, 1u << 12);
	gmem = (struct guest_mem_ops){ .write = sparse_ram_write, .ctx = &ram,
				       .layout = &layout };
}

static int free_ram(void **state)
{
	sparse_ram_free(&ram);
	return teardown(state);
}

/* What the installed tables must describe: Plinth's PC platform. */
static void platform_config(struct acpi_build_config *c, unsigned int vcpus)
{
	acpi_build_config_default(c, vcpus);
	c->has_8042 = true;
	c->has_cmos_rtc = true;
}

/* The tables in guest memory at the firmware area, verified as a built set. */
static void check_installed(unsigned int vcpus, uint64_t free_end)
{
	struct acpi_build_config c;
	struct acpi_build_result need;
	struct built b;

	platform_config(&c, vcpus);
	assert_int_equal(acpi_build(&c, NULL, 0, GUEST_FIRMWARE_START, &need), -ENOSPC);
	assert_true(need.size <= BOOT_ACPI_MAX_SIZE);
	b.gpa = GUEST_FIRMWARE_START;
	b.size = need.size;
	b.buf = malloc(b.size);
	assert_non_null(b.buf);
	sparse_ram_read(&ram, b.gpa, b.buf, b.size);
	/* The RSDP is first, so the BIOS-area scan finds it at 0xe0000. */
	b.r = (struct acpi_build_result){ .rsdp_gpa = GUEST_FIRMWARE_START, .size = b.size };
	verify(&c, &b);
	/* The IA-PC boot flags Linux reads: i8042 present, CMOS RTC present, no VGA. */
	assert_int_equal(parsed.iapc_boot_arch & ACPI_BOOT_ARCH_8042, ACPI_BOOT_ARCH_8042);
	assert_int_equal(parsed.iapc_boot_arch & ACPI_BOOT_ARCH_NO_CMOS_RTC, 0);
	/* Nothing else was written in the firmware area (up to free_end). */
	for (uint64_t a = b.gpa + b.size; a < free_end; a += PAGE_SIZE / 4)
		assert_int_equal(sparse_ram_byte(&ram, a), SPARSE_DIRT);
	free(b.buf);
}

static struct boot_image_params longmode(unsigned int vcpus)
{
	return (struct boot_image_params){ .mode = BOOT_LONGMODE, .image = image,
					   .image_size = sizeof(image), .vcpu_count = vcpus };
}

static void test_vcpu_counts(void **state)
{
	static const unsigned int counts[] = { 1, 2, 3, 8, 64, 255 };
	struct boot_image_params p;

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		ram_setup(MIB(16));
		p = longmode(counts[i]);
		assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), 0);
		check_installed(counts[i], GUEST_FIRMWARE_END);
	}
}

/* A real-mode image ends at 1 MiB, in the same area, above the tables. */
static void test_realmode(void **state)
{
	static uint8_t rom[0x10000];
	struct boot_image_params p = { .mode = BOOT_REALMODE, .image = rom,
				       .image_size = sizeof(rom), .vcpu_count = 2 };

	(void)state;
	memset(rom, 0x90, sizeof(rom));
	ram_setup(MIB(2));
	assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), 0);
	assert_int_equal(sparse_ram_byte(&ram, 0xf0000), 0x90);
	assert_int_equal(sparse_ram_byte(&ram, 0xfffff), 0x90);
	assert_int_equal(sparse_ram_byte(&ram, 0xeffff), SPARSE_DIRT);
	check_installed(2, 0x100000 - sizeof(rom));
}

/* Installed again on every load (reboot): the same bytes each time. */
static void test_reload(void **state)
{
	struct boot_image_params p = longmode(2);
	uint8_t first[BOOT_ACPI_MAX_SIZE], second[BOOT_ACPI_MAX_SIZE];

	(void)state;
	ram_setup(MIB(16));
	assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), 0);
	sparse_ram_read(&ram, GUEST_FIRMWARE_START, first, sizeof(first));
	ram_setup(MIB(16));
	assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), 0);
	sparse_ram_read(&ram, GUEST_FIRMWARE_START, second, sizeof(second));
	assert_memory_equal(first, second, sizeof(first));
}

/* A refused image leaves memory alone; no tables without the firmware area. */
static void test_refused_and_small(void **state)
{
	struct boot_image_params p = longmode(2);

	(void)state;
	ram_setup(MIB(16));
	p.entry_addr = 0x1000;	/* below the boot block: refused */
	assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), -EINVAL);
	assert_int_equal(ram.writes, 0);

	p = longmode(256);	/* more than an xAPIC MADT can list */
	assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vcpu_count 256 is above 255");
	assert_int_equal(ram.writes, 0);

	/* 512 KiB: no firmware area, so no tables, and the image still loads. */
	ram_setup(KIB(512));
	p = longmode(1);
	p.entry_addr = 0x10000;
	assert_int_equal(boot_image_load(&gmem, &p, &regs, err, sizeof(err)), 0);
	assert_false(sparse_ram_backed(&ram, GUEST_FIRMWARE_START));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_vcpu_counts, free_ram),
		cmocka_unit_test_teardown(test_realmode, free_ram),
		cmocka_unit_test_teardown(test_reload, free_ram),
		cmocka_unit_test_teardown(test_refused_and_small, free_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
