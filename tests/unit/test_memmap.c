/* SPDX-License-Identifier: GPL-2.0 */
/* The loader's translation of the firmware memory map (boot/memmap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../boot/memmap.h"

/* Firmware descriptors may be larger than the struct: OVMF uses a 48-byte stride. */
#define STRIDE 48

static struct boot_info *bi;

static size_t put(uint8_t *buf, size_t i, uint32_t type, uint64_t base, uint64_t pages)
{
	struct efi_mem_desc d = { .type = type, .phys_start = base, .pages = pages };

	memset(buf + i * STRIDE, 0xa5, STRIDE); /* padding must be ignored */
	memcpy(buf + i * STRIDE, &d, sizeof(d));
	return i + 1;
}

static int setup(void **state)
{
	(void)state;
	bi = calloc(1, sizeof(*bi));
	return bi ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(bi);
	return 0;
}

static void test_types(void **state)
{
	(void)state;
	assert_int_equal(efi_type_to_boot(7), BOOT_MEM_USABLE);  /* conventional */
	assert_int_equal(efi_type_to_boot(1), BOOT_MEM_USABLE);  /* loader code: gone after hand-off */
	assert_int_equal(efi_type_to_boot(4), BOOT_MEM_USABLE);  /* boot services data */
	assert_int_equal(efi_type_to_boot(5), BOOT_MEM_RESERVED); /* runtime code stays */
	assert_int_equal(efi_type_to_boot(6), BOOT_MEM_RESERVED);
	assert_int_equal(efi_type_to_boot(9), BOOT_MEM_ACPI_RECLAIM);
	assert_int_equal(efi_type_to_boot(10), BOOT_MEM_ACPI_NVS);
	assert_int_equal(efi_type_to_boot(11), BOOT_MEM_MMIO);
	assert_int_equal(efi_type_to_boot(8), BOOT_MEM_UNUSABLE);
	assert_int_equal(efi_type_to_boot(PLINTH_EFI_KERNEL), BOOT_MEM_PLINTH_KERNEL);
	assert_int_equal(efi_type_to_boot(PLINTH_EFI_BOOT), BOOT_MEM_PLINTH_BOOT);
	assert_int_equal(efi_type_to_boot(PLINTH_EFI_MODULE), BOOT_MEM_PLINTH_MODULE);
	assert_int_equal(efi_type_to_boot(0x70000000), BOOT_MEM_RESERVED); /* OEM types */
}

static void test_sort_and_merge(void **state)
{
	uint8_t buf[16 * STRIDE];
	size_t n = 0;

	(void)state;
	/* Out of order; boot-services and conventional neighbours merge into one usable range. */
	n = put(buf, n, 7, 0x100000, 0x100);   /* 0x100000-0x1fffff conventional */
	n = put(buf, n, 4, 0x200000, 0x10);    /* boot data right after it */
	n = put(buf, n, 7, 0x0, 0x9f);         /* low memory */
	n = put(buf, n, 0, 0x9f000, 0x61);     /* reserved up to 1 MiB */
	n = put(buf, n, PLINTH_EFI_KERNEL, 0x210000, 0x20);
	n = put(buf, n, 11, 0xfec00000, 1);    /* IOAPIC MMIO */
	n = put(buf, n, 7, 0x300000, 0);       /* empty descriptor: dropped */

	assert_int_equal(memmap_from_efi(bi, buf, n * STRIDE, STRIDE), 0);
	assert_int_equal(bi->mem_count, 5);
	assert_int_equal(bi->mem[0].base, 0);
	assert_int_equal(bi->mem[0].length, 0x9f000);
	assert_int_equal(bi->mem[0].type, BOOT_MEM_USABLE);
	assert_int_equal(bi->mem[1].type, BOOT_MEM_RESERVED);
	assert_int_equal(bi->mem[2].base, 0x100000);
	assert_int_equal(bi->mem[2].length, 0x110000);
	assert_int_equal(bi->mem[2].type, BOOT_MEM_USABLE);
	assert_int_equal(bi->mem[3].base, 0x210000);
	assert_int_equal(bi->mem[3].type, BOOT_MEM_PLINTH_KERNEL);
	assert_int_equal(bi->mem[4].type, BOOT_MEM_MMIO);
	assert_int_equal(memmap_ram_end(bi), 0x230000); /* MMIO does not count as RAM */
}

static void test_bad_input(void **state)
{
	uint8_t buf[4 * STRIDE];
	size_t n = 0;

	(void)state;
	n = put(buf, n, 7, 0x1000, 1);
	/* A stride smaller than the architectural descriptor is corrupt. */
	assert_int_equal(memmap_from_efi(bi, buf, sizeof(buf), 8), -EINVAL);
	/* A page count that overflows the address space is skipped. */
	n = put(buf, n, 7, 0x2000, UINT64_MAX);
	assert_int_equal(memmap_from_efi(bi, buf, n * STRIDE, STRIDE), 0);
	assert_int_equal(bi->mem_count, 1);
	/* A trailing partial descriptor is ignored. */
	assert_int_equal(memmap_from_efi(bi, buf, STRIDE + 10, STRIDE), 0);
	assert_int_equal(bi->mem_count, 1);
}

static void test_too_many(void **state)
{
	size_t count = BOOT_MAX_MEM_RANGES + 1;
	uint8_t *buf = malloc(count * STRIDE);

	(void)state;
	/* Alternating types so nothing merges. */
	for (size_t i = 0; i < count; i++)
		put(buf, i, i % 2 ? 0 : 7, i * 0x1000, 1);
	assert_int_equal(memmap_from_efi(bi, buf, count * STRIDE, STRIDE), -E2BIG);
	assert_int_equal(memmap_from_efi(bi, buf, (count - 1) * STRIDE, STRIDE), 0);
	assert_int_equal(bi->mem_count, BOOT_MAX_MEM_RANGES);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_sort_and_merge),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
