/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "frame_fixture.h"

/*
 * Fake memory: only [fake_base, fake_base + fake_size) is backed by a host
 * buffer. Any other physical address the allocator tries to touch is
 * counted as a violation.
 */
uint8_t *fake_mem;
paddr_t fake_base;
size_t fake_size;
int p2v_violations;

void *fake_p2v(paddr_t pa)
{
	if (pa < fake_base || pa >= fake_base + fake_size) {
		p2v_violations++;
		return NULL;
	}
	return fake_mem + (pa - fake_base);
}

void *null_p2v(paddr_t pa)
{
	(void)pa;
	return NULL;
}

void fake_setup(paddr_t base, size_t size)
{
	free(fake_mem);
	fake_mem = aligned_alloc(4096, size);
	assert_non_null(fake_mem);
	/* Garbage, so init cannot rely on zeroed storage. */
	memset(fake_mem, 0xa5, size);
	fake_base = base;
	fake_size = size;
	p2v_violations = 0;
}

int teardown(void **state)
{
	(void)state;
	free(fake_mem);
	fake_mem = NULL;
	return 0;
}

/* Shaped like OVMF on q35 with 4 GiB: 2 GiB low, 2 GiB above 4 GiB. */
const struct boot_mem_range ovmf_map[] = {
	R(0x0, 0x9f000, U),
	R(0x9f000, 0x1000, BOOT_MEM_RESERVED),
	R(0x100000, 0x700000, U),
	R(0x800000, 0x8000, BOOT_MEM_ACPI_NVS),
	R(0x808000, 0x3000, U),
	R(0x80b000, 0x1000, BOOT_MEM_ACPI_NVS),
	R(0x80c000, 0x5000, U),
	R(0x811000, 0xef000, BOOT_MEM_ACPI_NVS),
	R(0x900000, 0x7dfef000, U),
	R(0x7e8ef000, 0x211000, BOOT_MEM_RESERVED),
	R(0x7eb00000, 0xa000, BOOT_MEM_ACPI_RECLAIM),
	R(0x7eb0a000, 0x1000, BOOT_MEM_PLINTH_KERNEL),
	R(0x7eb0b000, 0x14f5000, U),
	R(0x7ff00000, 0x78000, BOOT_MEM_PLINTH_BOOT),
	R(0x7ff78000, 0x88000, BOOT_MEM_ACPI_NVS),
	R(0xb0000000, 0x10000000, BOOT_MEM_MMIO),
	R(0xfee00000, 0x1000, BOOT_MEM_MMIO),
	R(0xffc00000, 0x400000, BOOT_MEM_RESERVED),
	R(0x100000000, 0x80000000, U),
};

/* Frame is free per the map rules: fully in a usable range, touching no other type. */
static bool ref_frame_ram(const struct boot_mem_range *map, size_t n, uint64_t f)
{
	unsigned __int128 lo = (unsigned __int128)f * 4096, hi = lo + 4096;
	bool usable = false;

	for (size_t i = 0; i < n; i++) {
		unsigned __int128 b = map[i].base, e = b + map[i].length;

		if (map[i].length == 0)
			continue;
		if (map[i].type == U) {
			if (b <= lo && hi <= e)
				usable = true;
		} else if (b < hi && e > lo) {
			return false;
		}
	}
	return usable;
}

uint8_t *ref_build(const struct boot_mem_range *map, size_t n, uint64_t frames,
		   uint64_t *count)
{
	uint8_t *ref = calloc(frames, 1);

	assert_non_null(ref);
	*count = 0;
	for (uint64_t f = 0; f < frames; f++) {
		ref[f] = ref_frame_ram(map, n, f);
		*count += ref[f];
	}
	return ref;
}

uint64_t bitmap_pages(const struct frame_allocator *fa)
{
	return (fa->bitmap_bytes + 4095) / 4096;
}

bool in_bitmap(const struct frame_allocator *fa, paddr_t pa)
{
	return pa >= fa->bitmap_phys && pa < fa->bitmap_phys + bitmap_pages(fa) * 4096;
}

void check_matches_ref(struct frame_allocator *fa, const struct boot_mem_range *map,
		       size_t n)
{
	uint64_t ref_count, got = 0;
	uint8_t *ref = ref_build(map, n, fa->frames, &ref_count);
	uint8_t *seen = calloc(fa->frames, 1);
	paddr_t pa;

	assert_non_null(seen);
	assert_int_equal(fa->total_usable, ref_count);
	assert_int_equal(frame_alloc_free_count(fa), ref_count - ref[0] - bitmap_pages(fa));
	while (frame_alloc_page(fa, &pa) == 0) {
		uint64_t f = pa >> 12;

		assert_true(f < fa->frames);
		assert_int_not_equal(f, 0);
		assert_true(ref[f]);
		assert_false(in_bitmap(fa, pa));
		assert_int_equal(seen[f], 0);
		seen[f] = 1;
		got++;
	}
	assert_int_equal(got, ref_count - ref[0] - bitmap_pages(fa));
	assert_int_equal(frame_alloc_free_count(fa), 0);
	free(seen);
	free(ref);
}
