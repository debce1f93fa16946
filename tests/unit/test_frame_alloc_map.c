/* SPDX-License-Identifier: GPL-2.0 */
/* Frame allocator: boot map parsing, bitmap placement and where allocations land. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plinth/errno.h>
#include <plinth/frame_alloc.h>

#include "frame_fixture.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void test_init_bad_args(void **state)
{
	struct frame_allocator fa;
	struct boot_mem_range big[BOOT_MAX_MEM_RANGES + 1];
	const struct boot_mem_range only_reserved[] = { R(0x100000, 0x100000, BOOT_MEM_RESERVED) };
	const struct boot_mem_range only_frame0[] = { R(0, 0x1000, U) };
	const struct boot_mem_range sliver[] = { R(0x1001, 0xffe, U), R(0x3000, 0xfff, U) };
	const struct boot_mem_range ok[] = { R(0x100000, 0x100000, U) };

	(void)state;
	fake_setup(0x100000, 0x100000);
	memset(big, 0, sizeof(big));
	assert_int_equal(frame_alloc_init(NULL, ok, 1, fake_p2v), -EINVAL);
	assert_int_equal(frame_alloc_init(&fa, NULL, 1, fake_p2v), -EINVAL);
	assert_int_equal(frame_alloc_init(&fa, ok, 0, fake_p2v), -EINVAL);
	assert_int_equal(frame_alloc_init(&fa, ok, 1, NULL), -EINVAL);
	assert_int_equal(frame_alloc_init(&fa, big, ARRAY_SIZE(big), fake_p2v), -EINVAL);
	assert_int_equal(frame_alloc_init(&fa, only_reserved, 1, fake_p2v), -ENOMEM);
	assert_int_equal(frame_alloc_init(&fa, only_frame0, 1, fake_p2v), -ENOMEM);
	assert_int_equal(frame_alloc_init(&fa, sliver, 2, fake_p2v), -ENOMEM);
	assert_int_equal(frame_alloc_init(&fa, ok, 1, null_p2v), -EFAULT);
	assert_int_equal(p2v_violations, 0);

	/* A failed init leaves an allocator that refuses everything. */
	paddr_t pa;

	assert_int_equal(frame_alloc_init(&fa, only_reserved, 1, fake_p2v), -ENOMEM);
	assert_int_equal(frame_alloc_page(&fa, &pa), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0x100000, 1), -EINVAL);
	assert_int_equal(frame_reserve(&fa, 0x100000, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), 0);
	assert_int_equal(frame_alloc_free_count(NULL), 0);
}

/* Small hand-computed map: unaligned, overlapping and unsorted entries. */
static void test_small_map_exact(void **state)
{
	const struct boot_mem_range map[] = {
		R(0x200800, 0x3800, U),                  /* inward: 0x201000-0x204000: 3 frames */
		R(0x100000, 0x40000, U),                 /* 0x100..0x13f: 64 frames */
		R(0x120010, 0x10, BOOT_MEM_ACPI_RECLAIM), /* kills frame 0x120 */
		R(0x130000, 0x2000, BOOT_MEM_MMIO),      /* kills 0x130, 0x131 */
		R(0x0, 0x3000, U),                       /* 0, 1, 2 */
		R(0x138000, 0x10000, U),                 /* overlaps tail, adds 0x140..0x147 */
		R(0x2000, 0x1000, BOOT_MEM_RESERVED),    /* kills 2 */
		R(0x500000, 0, U),                       /* empty, ignored */
		R(0x400000, 0x1000, BOOT_MEM_MMIO),      /* above RAM, ignored */
	};
	/* 3 + (72 - 3) + 2 = 74 usable frames; frame 0 and 1 bitmap page taken. */
	struct frame_allocator fa;
	uint64_t seen[0x205] = { 0 };
	paddr_t pa;
	uint64_t n = 0;

	(void)state;
	fake_setup(0x100000, 0x1000);
	assert_int_equal(frame_alloc_init(&fa, map, ARRAY_SIZE(map), fake_p2v), 0);
	assert_int_equal(p2v_violations, 0);
	assert_int_equal(fa.frames, 0x204);
	assert_int_equal(fa.total_usable, 74);
	assert_int_equal(fa.bitmap_phys, 0x100000);
	assert_int_equal(fa.bitmap_bytes, 2 * 9 * 8);
	assert_int_equal(frame_alloc_free_count(&fa), 72);

	while (frame_alloc_page(&fa, &pa) == 0) {
		uint64_t f = pa >> 12;

		assert_true(f < 0x204);
		assert_int_equal(seen[f], 0);
		seen[f] = 1;
		n++;
	}
	assert_int_equal(n, 72);
	assert_int_equal(frame_alloc_free_count(&fa), 0);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 0);
	assert_int_equal(seen[0x100], 0);
	assert_int_equal(seen[0x101], 1);
	assert_int_equal(seen[0x120], 0);
	assert_int_equal(seen[0x130], 0);
	assert_int_equal(seen[0x131], 0);
	assert_int_equal(seen[0x147], 1);
	assert_int_equal(seen[0x148], 0);
	assert_int_equal(seen[0x200], 0);
	assert_int_equal(seen[0x201], 1);
	assert_int_equal(seen[0x203], 1);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0x200000, &pa), -ENOMEM);

	/* Freeing makes exactly that frame available again. */
	assert_int_equal(frame_free_pages(&fa, 0x13e000, 1), 0);
	assert_int_equal(frame_alloc_free_count(&fa), 1);
	assert_int_equal(frame_alloc_page(&fa, &pa), 0);
	assert_int_equal(pa, 0x13e000);
	assert_int_equal(frame_alloc_page(&fa, &pa), -ENOMEM);
}

static void test_ovmf_map(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	assert_int_equal(p2v_violations, 0);
	assert_int_equal(fa.frames, 0x180000);
	/* Two bitmaps of 0x180000 bits: 384 KiB, at the first usable MiB. */
	assert_int_equal(fa.bitmap_bytes, 2 * 0x180000 / 8);
	assert_int_equal(fa.bitmap_phys, 0x100000);
	assert_true(fa.bitmap_phys + fa.bitmap_bytes <= fake_base + fake_size);
	check_matches_ref(&fa, ovmf_map, ARRAY_SIZE(ovmf_map));

	assert_int_equal(frame_free_pages(&fa, 0x7eb0b000, 4), 0);
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0, &pa), 0);
	assert_int_equal(pa, 0x7eb0b000);
	assert_int_equal(frame_alloc_page(&fa, &pa), -ENOMEM);
}

static void test_unsorted_same_result(void **state)
{
	struct boot_mem_range shuffled[ARRAY_SIZE(ovmf_map) + 2];
	struct frame_allocator a, b;
	size_t n = ARRAY_SIZE(ovmf_map), words;
	uint64_t *copy;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&a, ovmf_map, n, fake_p2v), 0);
	copy = malloc(a.bitmap_bytes);
	assert_non_null(copy);
	memcpy(copy, a.bitmap, a.bitmap_bytes);

	/* Reverse order plus redundant overlapping entries must change nothing. */
	for (size_t i = 0; i < n; i++)
		shuffled[i] = ovmf_map[n - 1 - i];
	shuffled[n] = (struct boot_mem_range)R(0xfee00000, 0x800, BOOT_MEM_MMIO);
	shuffled[n + 1] = (struct boot_mem_range)R(0x100000000, 0x1000, U);
	memset(fake_mem, 0x5a, fake_size);
	assert_int_equal(frame_alloc_init(&b, shuffled, n + 2, fake_p2v), 0);
	assert_int_equal(b.frames, a.frames);
	assert_int_equal(b.bitmap_phys, a.bitmap_phys);
	assert_int_equal(b.free_frames, a.free_frames);
	assert_int_equal(b.total_usable, a.total_usable);
	words = a.bitmap_bytes / 8;
	assert_memory_equal(copy, b.bitmap, words * 8);
	free(copy);
	check_matches_ref(&b, shuffled, n + 2);
}

/* Overlap where the non-usable entry comes first and last; unaligned edges. */
static void test_overlap_non_usable_wins(void **state)
{
	const struct boot_mem_range map[] = {
		R(0x300000, 0x1800, BOOT_MEM_UNUSABLE),  /* frames 0x300, 0x301 */
		R(0x100000, 0x400000, U),
		R(0x3ff000, 0x1, BOOT_MEM_PLINTH_MODULE), /* frame 0x3ff */
		R(0x104000, 0x2000, U),                  /* fully inside, no effect */
	};
	struct frame_allocator fa;

	(void)state;
	fake_setup(0x100000, 0x1000);
	assert_int_equal(frame_alloc_init(&fa, map, ARRAY_SIZE(map), fake_p2v), 0);
	assert_int_equal(fa.total_usable, 0x400 - 3);
	assert_int_equal(frame_alloc_free_count(&fa), 0x400 - 3 - 1);
	check_matches_ref(&fa, map, ARRAY_SIZE(map));
}

/* Bitmap goes below 1 MiB only when nothing above fits, never at frame 0. */
static void test_bitmap_placement(void **state)
{
	const struct boot_mem_range low_only[] = {
		R(0x0, 0x9f000, U),
		R(0x1000, 0x1000, BOOT_MEM_RESERVED),
		R(0x100000, 0x1000, U), /* just one page, enough for 0x101 frames */
	};
	const struct boot_mem_range low_only2[] = {
		R(0x0, 0x9f000, U),
		R(0x1000, 0x1000, BOOT_MEM_RESERVED),
		R(0x4000000, 0x1000, U),
		R(0x4000000, 0x1000, BOOT_MEM_ACPI_NVS),
	};
	struct frame_allocator fa;

	(void)state;
	fake_setup(0x100000, 0x1000);
	assert_int_equal(frame_alloc_init(&fa, low_only, ARRAY_SIZE(low_only), fake_p2v), 0);
	assert_int_equal(fa.bitmap_phys, 0x100000);
	assert_int_equal(frame_alloc_free_count(&fa), 0x9f - 2);

	fake_setup(0x2000, 0x2000);
	assert_int_equal(frame_alloc_init(&fa, low_only2, ARRAY_SIZE(low_only2), fake_p2v), 0);
	assert_int_equal(p2v_violations, 0);
	/*
	 * Coverage follows the highest usable entry even when another type
	 * cancels it; frame 1 is reserved, so the two pages go at frame 2.
	 */
	assert_int_equal(fa.frames, 0x4001);
	assert_int_equal(fa.bitmap_bytes, 2 * 0x101 * 8);
	assert_int_equal(fa.bitmap_phys, 0x2000);
	assert_int_equal(frame_alloc_free_count(&fa), 0x9f - 4);
	check_matches_ref(&fa, low_only2, ARRAY_SIZE(low_only2));
}

static const struct boot_mem_range map_4g[] = {
	R(0x0, 0x100000000, U),
	R(0xfee00000, 0x1000, BOOT_MEM_MMIO),
};

static void test_alignment_and_speed(void **state)
{
	struct frame_allocator fa;
	paddr_t pa, got[4];
	uint64_t t0, worst = 0;
	int n = 0;

	(void)state;
	fake_setup(0x100000, 0x40000);
	assert_int_equal(frame_alloc_init(&fa, map_4g, ARRAY_SIZE(map_4g), fake_p2v), 0);
	assert_int_equal(fa.bitmap_bytes, 256 * 1024);
	assert_int_equal(frame_alloc_free_count(&fa), 0x100000 - 2 - 64);

	/* 1 GiB pages: [0,1G) has frame 0 and the bitmap, [3G,4G) the LAPIC. */
	for (;;) {
		int ret;

		t0 = now_ns();
		ret = frame_alloc_pages(&fa, SIZE_1G / 4096, SIZE_1G, 0, &pa);
		worst = MAX(worst, now_ns() - t0);
		if (ret) {
			assert_int_equal(ret, -ENOMEM);
			break;
		}
		assert_true(n < 4);
		got[n++] = pa;
	}
	assert_int_equal(n, 2);
	assert_int_equal(got[0], SIZE_1G);
	assert_int_equal(got[1], 2 * SIZE_1G);
	assert_true(worst < 20 * 1000 * 1000);

	/* 2 MiB: the first aligned one above the bitmap, then the next. */
	assert_int_equal(frame_alloc_pages(&fa, 512, SIZE_2M, 0, &pa), 0);
	assert_int_equal(pa, SIZE_2M);
	assert_int_equal(frame_alloc_pages(&fa, 1, SIZE_2M, 0, &pa), 0);
	assert_int_equal(pa, 2 * SIZE_2M);
	/* Unconstrained requests skip low memory: first slot after the bitmap. */
	assert_int_equal(frame_alloc_pages(&fa, 3, 64 * 1024, 0, &pa), 0);
	assert_int_equal(pa, 0x140000);
	/* One used frame in a 2 MiB region pushes 2M searches past it. */
	assert_int_equal(frame_reserve(&fa, 3 * SIZE_2M + 0x5000, 1), 0);
	assert_int_equal(frame_alloc_pages(&fa, 2, SIZE_2M, 0, &pa), 0);
	assert_int_equal(pa, 3 * SIZE_2M);
	assert_int_equal(frame_alloc_pages(&fa, 512, SIZE_2M, 0, &pa), 0);
	assert_int_equal(pa, 4 * SIZE_2M);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(frame_alloc_pages(&fa, 1 + i % 7, 4096ULL << (i % 10), 0, &pa), 0);
		assert_true(IS_ALIGNED(pa, 4096ULL << (i % 10)));
		assert_int_not_equal(pa, 0);
	}

	/* Worst case: 1G requests on a map peppered with used frames. */
	for (uint64_t a = 0; a < 0x100000000ULL; a += SIZE_2M)
		assert_int_equal(frame_reserve(&fa, a + 0x101000, 1), 0);
	t0 = now_ns();
	assert_int_equal(frame_alloc_pages(&fa, SIZE_1G / 4096, SIZE_1G, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 600, SIZE_2M, 0, &pa), -ENOMEM);
	assert_true(now_ns() - t0 < 20 * 1000 * 1000);
	assert_int_equal(frame_alloc_pages(&fa, 258, SIZE_2M, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 257, SIZE_2M, 0, &pa), 0);
	assert_true(IS_ALIGNED(pa, SIZE_2M));
}

static void test_limit(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;
	int n = 0;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);

	/* Unaligned limit rounds down: only frames wholly below it count. */
	while (frame_alloc_pages(&fa, 1, 4096, 0x9f800, &pa) == 0) {
		assert_true(pa + 4096 <= 0x9f000);
		assert_int_not_equal(pa, 0);
		n++;
	}
	assert_int_equal(n, 0x9e);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, MIB(1), &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0x1000, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, 0x5000, 1), 0);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, MIB(1), &pa), 0);
	assert_int_equal(pa, 0x5000);

	/* Contiguous run must fit entirely below the limit. */
	assert_int_equal(frame_alloc_pages(&fa, 0x700, 4096, 0x800000, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 0x6a0, 4096, 0x800000, &pa), 0);
	assert_int_equal(pa, 0x160000);
	assert_true(pa + 0x6a0 * 4096 <= 0x800000);

	/* Below 4 GiB even though most free memory is above. */
	for (int i = 0; i < 64; i++) {
		assert_int_equal(frame_alloc_pages(&fa, 16, SIZE_2M, GIB(4), &pa), 0);
		assert_true(pa + 16 * 4096 <= GIB(4));
		assert_true(IS_ALIGNED(pa, SIZE_2M));
	}
	/* [1G, 2G) is not all RAM, so a full 1G page exists only above 4G. */
	assert_int_equal(frame_alloc_pages(&fa, SIZE_1G / 4096, SIZE_1G, GIB(4), &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 1, SIZE_1G, GIB(4), &pa), 0);
	assert_int_equal(pa, GIB(1));
	assert_int_equal(frame_alloc_pages(&fa, SIZE_1G / 4096, SIZE_1G, 0, &pa), 0);
	assert_int_equal(pa, GIB(4));
	/* A limit beyond the covered range is just no limit. */
	assert_int_equal(frame_alloc_pages(&fa, 2, SIZE_1G, ~0ULL, &pa), 0);
	assert_int_equal(pa, GIB(5));
}

/* Low memory is handed out last unless a caller asks for it by limit. */
static void test_low_memory_last(void **state)
{
	const struct boot_mem_range map[] = {
		R(0x0, 0x9f000, U),
		R(0x100000, 0x40000, U), /* 64 frames, one holds the bitmap */
	};
	struct frame_allocator fa;
	paddr_t pa;

	(void)state;
	fake_setup(0x100000, 0x1000);
	assert_int_equal(frame_alloc_init(&fa, map, ARRAY_SIZE(map), fake_p2v), 0);
	assert_int_equal(frame_alloc_page(&fa, &pa), 0);
	assert_int_equal(pa, 0x101000);
	assert_int_equal(frame_alloc_pages(&fa, 2, 4096, 0, &pa), 0);
	assert_int_equal(pa, 0x102000);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, MIB(1), &pa), 0);
	assert_int_equal(pa, 0x1000);
	/* 60 frames left above 1 MiB: a 61-frame run must come from below. */
	assert_int_equal(frame_alloc_pages(&fa, 61, 4096, 0, &pa), 0);
	assert_int_equal(pa, 0x2000);
	assert_int_equal(frame_alloc_pages(&fa, 60, 4096, 0, &pa), 0);
	assert_int_equal(pa, 0x104000);
	/* Next-fit wraps into low memory once the rest is gone. */
	assert_int_equal(frame_alloc_page(&fa, &pa), 0);
	assert_int_equal(pa, 0x3f000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_bad_args, teardown),
		cmocka_unit_test_teardown(test_small_map_exact, teardown),
		cmocka_unit_test_teardown(test_ovmf_map, teardown),
		cmocka_unit_test_teardown(test_unsorted_same_result, teardown),
		cmocka_unit_test_teardown(test_overlap_non_usable_wins, teardown),
		cmocka_unit_test_teardown(test_bitmap_placement, teardown),
		cmocka_unit_test_teardown(test_alignment_and_speed, teardown),
		cmocka_unit_test_teardown(test_limit, teardown),
		cmocka_unit_test_teardown(test_low_memory_last, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
