/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* libc's <string.h> declares a conflicting strerror(); sidestep it. */
#define strerror plinth_strerror
#include <plinth/errno.h>
#include <plinth/frame_alloc.h>

/*
 * Fake memory: only [fake_base, fake_base + fake_size) is backed by a host
 * buffer. Any other physical address the allocator tries to touch is
 * counted as a violation.
 */
static uint8_t *fake_mem;
static paddr_t fake_base;
static size_t fake_size;
static int p2v_violations;

static void *fake_p2v(paddr_t pa)
{
	if (pa < fake_base || pa >= fake_base + fake_size) {
		p2v_violations++;
		return NULL;
	}
	return fake_mem + (pa - fake_base);
}

static void *null_p2v(paddr_t pa)
{
	(void)pa;
	return NULL;
}

static void fake_setup(paddr_t base, size_t size)
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

static int teardown(void **state)
{
	(void)state;
	free(fake_mem);
	fake_mem = NULL;
	return 0;
}

#define R(b, l, t) { .base = (b), .length = (l), .type = (t) }
#define U BOOT_MEM_USABLE

/* Shaped like OVMF on q35 with 4 GiB: 2 GiB low, 2 GiB above 4 GiB. */
static const struct boot_mem_range ovmf_map[] = {
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

static uint8_t *ref_build(const struct boot_mem_range *map, size_t n, uint64_t frames,
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

static uint64_t bitmap_pages(const struct frame_allocator *fa)
{
	return (fa->bitmap_bytes + 4095) / 4096;
}

static bool in_bitmap(const struct frame_allocator *fa, paddr_t pa)
{
	return pa >= fa->bitmap_phys && pa < fa->bitmap_phys + bitmap_pages(fa) * 4096;
}

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

static void check_matches_ref(struct frame_allocator *fa, const struct boot_mem_range *map,
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

static void test_bad_args(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;
	uint64_t before;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	before = frame_alloc_free_count(&fa);

	assert_int_equal(frame_alloc_pages(NULL, 1, 4096, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 0, 4096, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 0, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 2048, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096 * 3, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0, NULL), -EINVAL);
	assert_int_equal(frame_alloc_page(&fa, NULL), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, SIZE_MAX, 4096, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 1, 1ULL << 63, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 0x180001, 4096, 0, &pa), -ENOMEM);

	assert_int_equal(frame_free_pages(NULL, 0x200000, 1), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0x200000, 0), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0x200800, 1), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0, 1), -EINVAL);             /* frame 0 */
	assert_int_equal(frame_free_pages(&fa, 0x100000, 1), -EINVAL);      /* bitmap */
	assert_int_equal(frame_free_pages(&fa, 0x9f000, 1), -EINVAL);       /* reserved */
	assert_int_equal(frame_free_pages(&fa, 0xfee00000, 1), -EINVAL);    /* MMIO */
	assert_int_equal(frame_free_pages(&fa, 0x7eb0a000, 1), -EINVAL);    /* kernel */
	assert_int_equal(frame_free_pages(&fa, GIB(6), 1), -EINVAL);        /* beyond */
	assert_int_equal(frame_free_pages(&fa, GIB(6) - 4096, 2), -EINVAL); /* straddles */
	assert_int_equal(frame_free_pages(&fa, 0x1000, SIZE_MAX), -EINVAL); /* wraps */
	assert_int_equal(frame_free_pages(&fa, 0x200000, 1), -EINVAL);      /* already free */
	assert_int_equal(frame_alloc_free_count(&fa), before);
	assert_int_equal(frame_reserve(&fa, 0x200000, 0), -EINVAL);
	assert_int_equal(frame_reserve(&fa, ~0ULL - 10, 100), -EINVAL);
	assert_int_equal(frame_reserve(NULL, 0, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before);
	assert_int_equal(p2v_violations, 0);
}

static void test_double_free(void **state)
{
	struct frame_allocator fa;
	paddr_t a, b;
	uint64_t before;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	before = frame_alloc_free_count(&fa);
	assert_int_equal(frame_alloc_pages(&fa, 8, 4096, 0, &a), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 8);
	assert_int_equal(frame_free_pages(&fa, a, 8), 0);
	assert_int_equal(frame_free_pages(&fa, a, 8), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, a + 4096, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before);

	/* Partly free run: nothing is freed, the used part stays used. */
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0, &a), 0);
	assert_int_equal(frame_free_pages(&fa, a + 2 * 4096, 1), 0);
	assert_int_equal(frame_free_pages(&fa, a, 4), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	assert_int_equal(frame_free_pages(&fa, a, 2), 0);
	assert_int_equal(frame_free_pages(&fa, a + 3 * 4096, 1), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before);

	assert_int_equal(frame_alloc_page(&fa, &b), 0);
	assert_int_equal(frame_free_pages(&fa, b, 1), 0);
	assert_int_equal(frame_free_pages(&fa, b, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before);
}

static void test_exhaustion(void **state)
{
	const struct boot_mem_range map[] = { R(0x0, 0x20000, U) }; /* 32 frames */
	struct frame_allocator fa;
	paddr_t pa, all[32];
	int n = 0;

	(void)state;
	fake_setup(0x1000, 0x1000);
	assert_int_equal(frame_alloc_init(&fa, map, 1, fake_p2v), 0);
	assert_int_equal(fa.bitmap_phys, 0x1000);
	assert_int_equal(frame_alloc_free_count(&fa), 30);
	assert_int_equal(frame_alloc_pages(&fa, 31, 4096, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 30, 4096, 0, &pa), 0);
	assert_int_equal(pa, 0x2000);
	assert_int_equal(frame_alloc_page(&fa, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, 0x2000, 30), 0);
	while (frame_alloc_page(&fa, &pa) == 0) {
		assert_true(n < 30);
		assert_true(pa >= 0x2000 && pa < 0x20000);
		all[n++] = pa;
	}
	assert_int_equal(n, 30);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, all[17], 1), 0);
	assert_int_equal(frame_alloc_page(&fa, &pa), 0);
	assert_int_equal(pa, all[17]);
	assert_int_equal(frame_alloc_page(&fa, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, all[3], 1), 0);
	assert_int_equal(frame_alloc_pages(&fa, 1, 8192, 0, &pa), all[3] % 8192 ? -ENOMEM : 0);
}

static void test_reserve(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;
	uint64_t before;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	before = frame_alloc_free_count(&fa);
	/* 0x200ff0..0x202010 rounds out to frames 0x200..0x202. */
	assert_int_equal(frame_reserve(&fa, 0x200ff0, 0x1020), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	assert_int_equal(frame_reserve(&fa, 0x200000, 0x3000), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	/* Already reserved by the map or the bitmap: no change. */
	assert_int_equal(frame_reserve(&fa, 0x9f000, 0x61000), 0);
	assert_int_equal(frame_reserve(&fa, 0x100000, 0x1000), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	/* Partly beyond the covered range is clipped. */
	assert_int_equal(frame_reserve(&fa, GIB(6) - 0x2000, GIB(1)), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 5);
	assert_int_equal(frame_reserve(&fa, GIB(8), 0x1000), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 5);

	while (frame_alloc_pages(&fa, 1, 4096, 0x200000, &pa) == 0)
		;
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0x203000, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0x206000, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0x300000, &pa), 0);
	assert_int_equal(pa, 0x203000);
	/* Reserved RAM can be given back later (e.g. boot data once consumed). */
	before = frame_alloc_free_count(&fa);
	assert_int_equal(frame_free_pages(&fa, 0x200000, 3), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before + 3);
	assert_int_equal(frame_alloc_pages(&fa, 3, 4096, 0x203000, &pa), 0);
	assert_int_equal(pa, 0x200000);
}

/* Random alloc/free against a shadow of frame ownership. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct live {
	paddr_t pa;
	size_t pages;
};

static bool shadow_has_run(const uint32_t *owner, const uint8_t *ram, uint64_t frames,
			   uint64_t pages, uint64_t align_f, uint64_t end)
{
	end = MIN(end, frames);
	for (uint64_t s = 0; s + pages <= end; s += align_f) {
		uint64_t i;

		for (i = 0; i < pages; i++)
			if (!ram[s + i] || owner[s + i])
				break;
		if (i == pages)
			return true;
	}
	return false;
}

static void test_random_stress(void **state)
{
	const struct boot_mem_range map[] = {
		R(0x1000, 0x9e000, U),
		R(0x100000, 0x3f00000, U),
		R(0x800000, 0x3123, BOOT_MEM_RESERVED),
		R(0x2000000, 0x10000, BOOT_MEM_ACPI_RECLAIM),
		R(0x3000000, 0x1000000, U),
	};
	enum { MAX_LIVE = 600, OPS = 20000 };
	struct frame_allocator fa;
	struct live *live = calloc(MAX_LIVE, sizeof(*live));
	uint32_t *owner;
	uint8_t *ram;
	uint64_t model_free, ref_count, nlive = 0, enomem = 0, ok = 0;

	(void)state;
	fake_setup(0x100000, 0x10000);
	assert_int_equal(frame_alloc_init(&fa, map, ARRAY_SIZE(map), fake_p2v), 0);
	ram = ref_build(map, ARRAY_SIZE(map), fa.frames, &ref_count);
	ram[0] = 0;
	for (uint64_t f = 0; f < bitmap_pages(&fa); f++)
		ram[(fa.bitmap_phys >> 12) + f] = 0;
	owner = calloc(fa.frames, sizeof(*owner));
	assert_non_null(owner);
	model_free = frame_alloc_free_count(&fa);
	assert_int_equal(model_free, ref_count - 1);

	for (uint32_t op = 1; op <= OPS; op++) {
		bool do_alloc = nlive == 0 || (nlive < MAX_LIVE && rnd() % 100 < 55);

		if (do_alloc) {
			uint64_t r = rnd();
			size_t pages = 1 + r % 24;
			uint64_t align = 4096ULL << ((r >> 8) % 6);
			paddr_t limit = 0, pa;
			int ret;

			if ((r >> 16) % 16 == 0)
				align = SIZE_2M;
			if ((r >> 20) % 8 == 0)
				limit = (r >> 24) % 2 ? MIB(1) : MIB(40);
			if ((r >> 28) % 4 == 0) {
				pages = 1;
				align = 4096;
				limit = 0;
				ret = frame_alloc_page(&fa, &pa);
			} else {
				ret = frame_alloc_pages(&fa, pages, align, limit, &pa);
			}
			if (ret == -ENOMEM) {
				/* The search must be complete: no fitting run may exist. */
				assert_false(shadow_has_run(owner, ram, fa.frames, pages,
							    align >> 12,
							    limit ? limit >> 12 : fa.frames));
				enomem++;
				continue;
			}
			assert_int_equal(ret, 0);
			assert_true(IS_ALIGNED(pa, align));
			if (limit)
				assert_true(pa + pages * 4096 <= limit);
			for (size_t i = 0; i < pages; i++) {
				uint64_t f = (pa >> 12) + i;

				assert_true(f < fa.frames);
				assert_true(ram[f]);
				assert_int_equal(owner[f], 0);
				owner[f] = op;
			}
			live[nlive++] = (struct live){ pa, pages };
			model_free -= pages;
			ok++;
		} else {
			size_t k = rnd() % nlive;
			struct live l = live[k];

			assert_int_equal(frame_free_pages(&fa, l.pa, l.pages), 0);
			for (size_t i = 0; i < l.pages; i++)
				owner[(l.pa >> 12) + i] = 0;
			live[k] = live[--nlive];
			model_free += l.pages;
			if (rnd() % 16 == 0)
				assert_int_equal(frame_free_pages(&fa, l.pa, l.pages), -EINVAL);
		}
		assert_int_equal(frame_alloc_free_count(&fa), model_free);
	}
	assert_true(ok > 5000);
	while (nlive) {
		nlive--;
		assert_int_equal(frame_free_pages(&fa, live[nlive].pa, live[nlive].pages), 0);
	}
	assert_int_equal(frame_alloc_free_count(&fa), ref_count - 1);
	assert_int_equal(p2v_violations, 0);
	free(owner);
	free(ram);
	free(live);
	(void)enomem;
}

/* Concurrency: every frame is claimed in a shared table; a double hand-out shows up. */
static struct frame_allocator mt_fa;
static uint8_t *mt_claimed;
static int mt_errors;

static void *mt_worker(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	struct live mine[64];
	int n = 0;

	for (int op = 0; op < 4000; op++) {
		/*
		 * Ticket locks convoy badly when the host has fewer CPUs than
		 * threads; yielding keeps the test fast on a loaded machine.
		 */
		sched_yield();
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		if (n < 64 && (n == 0 || seed % 2)) {
			size_t pages = seed % 4 == 0 ? 1 + (seed >> 8) % 8 : 1;
			paddr_t pa;
			int ret = pages == 1 ? frame_alloc_page(&mt_fa, &pa) :
				  frame_alloc_pages(&mt_fa, pages, 4096, 0, &pa);

			if (ret) {
				if (ret != -ENOMEM)
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
				continue;
			}
			for (size_t i = 0; i < pages; i++)
				if (__atomic_exchange_n(&mt_claimed[(pa >> 12) + i], 1,
							__ATOMIC_SEQ_CST))
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
			mine[n++] = (struct live){ pa, pages };
		} else {
			int k = (int)((seed >> 16) % (uint64_t)n);
			struct live l = mine[k];

			for (size_t i = 0; i < l.pages; i++)
				if (!__atomic_exchange_n(&mt_claimed[(l.pa >> 12) + i], 0,
							 __ATOMIC_SEQ_CST))
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
			if (frame_free_pages(&mt_fa, l.pa, l.pages))
				__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
			mine[k] = mine[--n];
		}
	}
	while (n--) {
		for (size_t i = 0; i < mine[n].pages; i++)
			__atomic_store_n(&mt_claimed[(mine[n].pa >> 12) + i], 0, __ATOMIC_SEQ_CST);
		if (frame_free_pages(&mt_fa, mine[n].pa, mine[n].pages))
			__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_threads(void **state)
{
	/* Small enough (256 frames) that threads contend for the same frames. */
	const struct boot_mem_range map[] = { R(0x0, 0x100000, U) };
	pthread_t th[4];
	uint64_t before;

	(void)state;
	fake_setup(0x1000, 0x1000);
	assert_int_equal(frame_alloc_init(&mt_fa, map, 1, fake_p2v), 0);
	before = frame_alloc_free_count(&mt_fa);
	assert_int_equal(before, 254);
	mt_claimed = calloc(mt_fa.frames, 1);
	assert_non_null(mt_claimed);
	mt_errors = 0;
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(mt_errors, 0);
	assert_int_equal(frame_alloc_free_count(&mt_fa), before);
	assert_false(spin_is_locked(&mt_fa.lock));
	free(mt_claimed);
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
		cmocka_unit_test_teardown(test_bad_args, teardown),
		cmocka_unit_test_teardown(test_double_free, teardown),
		cmocka_unit_test_teardown(test_exhaustion, teardown),
		cmocka_unit_test_teardown(test_reserve, teardown),
		cmocka_unit_test_teardown(test_random_stress, teardown),
		cmocka_unit_test_teardown(test_threads, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
