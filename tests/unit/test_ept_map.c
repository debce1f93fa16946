/* SPDX-License-Identifier: GPL-2.0 */
/* EPT: entry format, EPTP, and building/unmapping/translating mappings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <plinth/errno.h>
#include <plinth/pagetable.h>
#include <plinth/string.h>
#include <vmm/ept.h>

#include "ept_fixture.h"

/* ---- format ---- */

static void test_format_entries(void **state)
{
	const struct pt_format *f = &pt_format_ept;

	(void)state;
	assert_false(f->canonical_va);
	assert_int_equal(f->supported_flags,
			 PT_READ | PT_WRITE | PT_EXEC | PT_UNCACHED | PT_WC);

	/* Non-leaf: address | RWX, nothing in bits 7:3. */
	assert_int_equal(f->make_table(0x123456789000ULL), 0x123456789007ULL);
	assert_int_equal(f->make_table(0xfffffffffffff000ULL),
			 0x000ffffffffff007ULL);

	assert_int_equal(f->make_leaf(0x1234000, RAM_FL, 1), 0x1234037ULL);
	assert_int_equal(f->make_leaf(0x40000000, RAM_FL, 2), 0x400000b7ULL);
	assert_int_equal(f->make_leaf(0x40000000, RAM_FL, 3), 0x400000b7ULL);
	assert_int_equal(f->make_leaf(0xfee00000, MMIO_FL, 1), 0xfee00003ULL);
	assert_int_equal(f->make_leaf(0xfee00000, MMIO_FL, 2), 0xfee00083ULL);
	/* WC is memory type 1; read-only RAM keeps WB. */
	assert_int_equal(f->make_leaf(0x5000, PT_READ | PT_WC, 1), 0x5009ULL);
	assert_int_equal(f->make_leaf(0x5000, PT_READ, 1), 0x5031ULL);
	assert_int_equal(f->make_leaf(0x5000, PT_READ | PT_EXEC, 1),
			 0x5035ULL);
	/* Write without read would be a misconfiguration: R is forced. */
	assert_int_equal(f->make_leaf(0x5000, PT_WRITE, 1), 0x5033ULL);
	assert_int_equal(f->make_leaf(0x5000, 0, 1), 0x5031ULL);
	/* The highest 52-bit page. */
	assert_int_equal(f->make_leaf(0xffffffffff000ULL, RAM_FL, 1),
			 0xffffffffff037ULL);

	assert_false(f->present(0));
	assert_false(f->present(0x1234000ULL | EPT_LARGE | EPT_MT_MASK));
	assert_true(f->present(EPT_R));
	assert_true(f->present(EPT_W));
	assert_true(f->present(EPT_X));

	assert_true(f->is_leaf(0x1234007ULL, 1));
	assert_false(f->is_leaf(0x1234007ULL, 2));
	assert_false(f->is_leaf(0x1234007ULL, 3));
	assert_true(f->is_leaf(0x400000b7ULL, 2));
	assert_true(f->is_leaf(0x400000b7ULL, 3));
	assert_false(f->is_leaf(0x400000b7ULL, 4));

	/* Reserved bits below a large leaf's alignment are not address. */
	assert_int_equal(f->address(0x401ff0b7ULL, 2), 0x40000000ULL);
	assert_int_equal(f->address(0x7ffff0b7ULL, 3), 0x40000000ULL);
	assert_int_equal(f->address(0x401ff007ULL, 2), 0x401ff000ULL);
	assert_int_equal(f->address(0xfff0000000001037ULL, 1), 0x1000ULL);

	assert_int_equal(f->flags(0x1234037ULL, 1), RAM_FL);
	assert_int_equal(f->flags(0xfee00083ULL, 2), MMIO_FL);
	assert_int_equal(f->flags(0x5009ULL, 1), PT_READ | PT_WC);
	assert_int_equal(f->flags(0x5031ULL, 1), PT_READ);
	/* WT (4) has no generic flag: decodes as cached. */
	assert_int_equal(f->flags(0x5021ULL, 1), PT_READ);
}

static void test_eptp(void **state)
{
	struct ept e;

	(void)state;
	assert_int_equal(ept_make_eptp(0x12345000ULL), 0x1234501eULL);
	assert_int_equal(ept_make_eptp(0xffffffffff000ULL),
			 0xffffffffff01eULL);
	assert_int_equal(ept_make_eptp(0), 0x1eULL);
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_eptp(&e), e.pt.root | 0x1e);
	assert_int_equal(ept_eptp(&e) & 0xfff, 0x1e);
	assert_int_equal(ept_eptp(NULL), 0);
	destroy_all(&e);
	assert_int_equal(ept_eptp(&e), 0);
}

/* ---- mapping ---- */

static void test_map_raw_4k(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(0x400000), hpa(0x1234000),
				     PAGE_SIZE), 0);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(raw_entry(&e, 0x400000, 1), 0x1234000ULL | LEAF_RAM);
	assert_int_equal(raw_entry(&e, 0x401000, 1), 0);
	assert_int_equal(raw_entry(&e, 0x600000, 2), 0);

	assert_int_equal(ept_map_mmio(&e, gpa(0x401000), hpa(0xfee00000),
				      PAGE_SIZE), 0);
	assert_int_equal(raw_entry(&e, 0x401000, 1), 0xfee00000ULL | LEAF_MMIO);
	expect_translate(&e, 0x401000, 0xfee00000, MMIO_FL);
	expect_translate(&e, 0x400000, 0x1234000, RAM_FL);
	assert_int_equal(live_tables(), 4);
	destroy_all(&e);
}

static void test_map_raw_2m_1g(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_2M), hpa(0x40000000),
				     SIZE_2M), 0);
	assert_int_equal(live_tables(), 3);
	assert_int_equal(raw_entry(&e, SIZE_2M, 2), 0x40000000ULL | 0x80 |
			 LEAF_RAM);
	assert_int_equal(ept_map_ram(&e, gpa(3 * SIZE_1G), hpa(5 * SIZE_1G),
				     SIZE_1G), 0);
	assert_int_equal(live_tables(), 3);
	assert_int_equal(raw_entry(&e, 3 * SIZE_1G, 3), 5 * SIZE_1G | 0x80 |
			 LEAF_RAM);
	assert_int_equal(ept_map_mmio(&e, gpa(4 * SIZE_1G), hpa(0xc0000000),
				      SIZE_1G), 0);
	assert_int_equal(raw_entry(&e, 4 * SIZE_1G, 3), 0xc0000000ULL | 0x80 |
			 LEAF_MMIO);
	assert_int_equal(ept_map_mmio(&e, gpa(SIZE_1G - SIZE_2M),
				      hpa(0xfe000000), SIZE_2M), 0);
	assert_int_equal(raw_entry(&e, SIZE_1G - SIZE_2M, 2),
			 0xfe000000ULL | 0x80 | LEAF_MMIO);
	assert_int_equal(live_tables(), 3);
	destroy_all(&e);
}

static void test_largest_page_selection(void **state)
{
	struct ept e;
	/* 4K head, 2M pages, 1G page, 2M pages, 4K tail. */
	uint64_t g = SIZE_1G - SIZE_2M - PAGE_SIZE;
	uint64_t size = 2 * SIZE_2M + SIZE_1G + 2 * PAGE_SIZE;
	uint64_t h = 7 * SIZE_1G - SIZE_2M - PAGE_SIZE;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(g), hpa(h), size), 0);
	assert_int_equal(page_size_at(&e, g), PAGE_SIZE);
	assert_int_equal(page_size_at(&e, g + PAGE_SIZE), SIZE_2M);
	assert_int_equal(page_size_at(&e, SIZE_1G), SIZE_1G);
	assert_int_equal(page_size_at(&e, 2 * SIZE_1G), SIZE_2M);
	assert_int_equal(page_size_at(&e, 2 * SIZE_1G + SIZE_2M), PAGE_SIZE);
	assert_int_equal(pt_lookup(&e.pt, 2 * SIZE_1G + SIZE_2M + PAGE_SIZE,
				   NULL, NULL, NULL), -ENOENT);
	/* root, PDPT, 2 PDs, 2 PTs */
	assert_int_equal(live_tables(), 6);
	expect_translate(&e, SIZE_1G + 0x123456, 7 * SIZE_1G + 0x123456,
			 RAM_FL);
	ept_destroy(&e);

	/* Misaligned host by 4K: only 4K pages possible. */
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(SIZE_1G + PAGE_SIZE),
				     SIZE_2M), 0);
	assert_int_equal(page_size_at(&e, 0), PAGE_SIZE);
	assert_int_equal(page_size_at(&e, SIZE_2M - PAGE_SIZE), PAGE_SIZE);
	ept_destroy(&e);

	/* The CPU cap decides: max 2M, then max 4K, for a 1G-aligned GB. */
	init_ept(&e, SIZE_2M);
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_1G), hpa(SIZE_1G), SIZE_1G),
			 0);
	assert_int_equal(page_size_at(&e, SIZE_1G), SIZE_2M);
	assert_int_equal(page_size_at(&e, 2 * SIZE_1G - 1), SIZE_2M);
	assert_int_equal(live_tables(), 3);
	ept_destroy(&e);

	init_ept(&e, PAGE_SIZE);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0), 2 * SIZE_2M), 0);
	assert_int_equal(page_size_at(&e, 0), PAGE_SIZE);
	assert_int_equal(page_size_at(&e, SIZE_2M), PAGE_SIZE);
	assert_int_equal(live_tables(), 5);
	destroy_all(&e);
}

static void test_eexist(void **state)
{
	struct ept e;
	unsigned long live;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_2M), hpa(SIZE_1G), SIZE_2M),
			 0);
	live = live_tables();
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_2M), hpa(0), SIZE_2M),
			 -EEXIST);
	assert_int_equal(ept_map_mmio(&e, gpa(2 * SIZE_2M - PAGE_SIZE),
				      hpa(0), PAGE_SIZE), -EEXIST);
	/* Overlapping only in its last page; the free part stays free. */
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0), SIZE_2M + PAGE_SIZE),
			 -EEXIST);
	assert_int_equal(ept_map_ram(&e, gpa(2 * SIZE_2M - PAGE_SIZE), hpa(0),
				     2 * PAGE_SIZE), -EEXIST);
	assert_int_equal(live_tables(), live);
	assert_int_equal(ept_translate(&e, gpa(0), NULL, NULL), -ENOENT);
	assert_int_equal(ept_translate(&e, gpa(2 * SIZE_2M), NULL, NULL),
			 -ENOENT);
	expect_translate(&e, SIZE_2M, SIZE_1G, RAM_FL);
	/* Adjacent on both sides is fine. */
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_2M - PAGE_SIZE), hpa(0),
				     PAGE_SIZE), 0);
	assert_int_equal(ept_map_mmio(&e, gpa(2 * SIZE_2M), hpa(0xfee00000),
				      PAGE_SIZE), 0);
	destroy_all(&e);
}

static void test_bad_args(void **state)
{
	struct ept e, dead;
	const struct pt_ops no_alloc = {
		.free_table = fake_free,
		.phys_to_virt = fake_p2v,
		.ctx = tbl_mem,
	};

	(void)state;
	assert_int_equal(ept_init(NULL, &fake_ops, SIZE_2M), -EINVAL);
	assert_int_equal(ept_init(&dead, NULL, SIZE_2M), -EINVAL);
	assert_int_equal(ept_init(&dead, &no_alloc, SIZE_2M), -EINVAL);
	assert_int_equal(ept_init(&dead, &fake_ops, 0), -EINVAL);
	assert_int_equal(ept_init(&dead, &fake_ops, 2 * PAGE_SIZE), -EINVAL);
	assert_int_equal(ept_init(&dead, &fake_ops, 2 * SIZE_1G), -EINVAL);
	assert_int_equal(ept_init(&dead, &fake_ops, UINT64_MAX), -EINVAL);
	fail_after = 0;
	assert_int_equal(ept_init(&dead, &fake_ops, SIZE_2M), -ENOMEM);
	fail_after = -1;
	assert_int_equal(live_tables(), 0);
	/* A failed init leaves an object every call rejects. */
	assert_int_equal(ept_map_ram(&dead, gpa(0), hpa(0), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_unmap(&dead, gpa(0), PAGE_SIZE), -EINVAL);
	assert_int_equal(ept_translate(&dead, gpa(0), NULL, NULL), -EINVAL);
	assert_int_equal(ept_eptp(&dead), 0);
	ept_destroy(&dead);
	ept_destroy(NULL);

	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(NULL, gpa(0), hpa(0), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0), 0), -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(0x800), hpa(0), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0x800), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0), 0x1800), -EINVAL);
	/* 48-bit guest limit: at, above, crossing, wrapping. */
	assert_int_equal(ept_map_ram(&e, gpa(EPT_GPA_LIMIT), hpa(0),
				     PAGE_SIZE), -EINVAL);
	assert_int_equal(ept_map_mmio(&e, gpa(1ULL << 63), hpa(0), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(EPT_GPA_LIMIT - PAGE_SIZE),
				     hpa(0), 2 * PAGE_SIZE), -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(PAGE_SIZE), hpa(0),
				     UINT64_MAX - 0xfff), -EINVAL);
	assert_int_equal(ept_unmap(&e, gpa(PAGE_SIZE), UINT64_MAX - 0xfff),
			 -EINVAL);
	assert_int_equal(ept_unmap(&e, gpa(EPT_GPA_LIMIT), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_unmap(&e, gpa(0), 0), -EINVAL);
	/* 52-bit host limit. */
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(1ULL << 52), PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(ept_map_ram(&e, gpa(0),
				     hpa((1ULL << 52) - PAGE_SIZE),
				     2 * PAGE_SIZE), -EINVAL);
	assert_int_equal(live_tables(), 1);

	/* The last guest page is usable. */
	assert_int_equal(ept_map_ram(&e, gpa(EPT_GPA_LIMIT - PAGE_SIZE),
				     hpa((1ULL << 52) - PAGE_SIZE),
				     PAGE_SIZE), 0);
	expect_translate(&e, EPT_GPA_LIMIT - 1, (1ULL << 52) - 1, RAM_FL);
	assert_int_equal(ept_translate(&e, gpa(EPT_GPA_LIMIT), NULL, NULL),
			 -EINVAL);
	assert_int_equal(ept_translate(&e, gpa(UINT64_MAX), NULL, NULL),
			 -EINVAL);
	assert_int_equal(ept_translate(NULL, gpa(0), NULL, NULL), -EINVAL);
	assert_int_equal(ept_translate(&e, gpa(0), NULL, NULL), -ENOENT);
	/* Generic flags EPT cannot encode. */
	assert_int_equal(pt_map(&e.pt, 0, 0, PAGE_SIZE, PT_READ | PT_USER,
				SIZE_1G), -ENOTSUP);
	assert_int_equal(pt_map(&e.pt, 0, 0, PAGE_SIZE, PT_READ | PT_GLOBAL,
				SIZE_1G), -ENOTSUP);
	destroy_all(&e);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0), PAGE_SIZE), -EINVAL);
}

static void test_translate_offsets(void **state)
{
	struct ept e;
	hpa_t h;
	unsigned int fl;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(0x1000), hpa(0x9000), PAGE_SIZE),
			 0);
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_2M), hpa(0x40000000),
				     SIZE_2M), 0);
	assert_int_equal(ept_map_mmio(&e, gpa(SIZE_1G), hpa(3 * SIZE_1G),
				      SIZE_1G), 0);
	expect_translate(&e, 0x1000, 0x9000, RAM_FL);
	expect_translate(&e, 0x1abc, 0x9abc, RAM_FL);
	expect_translate(&e, 0x1fff, 0x9fff, RAM_FL);
	assert_int_equal(ept_translate(&e, gpa(0x2000), NULL, NULL), -ENOENT);
	assert_int_equal(ept_translate(&e, gpa(0xfff), NULL, NULL), -ENOENT);
	expect_translate(&e, SIZE_2M, 0x40000000, RAM_FL);
	expect_translate(&e, SIZE_2M + 0x1fffff, 0x401fffff, RAM_FL);
	expect_translate(&e, SIZE_2M + 0x12345, 0x40012345, RAM_FL);
	expect_translate(&e, SIZE_1G + 0x3fffffff, 4 * SIZE_1G - 1, MMIO_FL);
	expect_translate(&e, SIZE_1G + 0x2345678, 3 * SIZE_1G + 0x2345678,
			 MMIO_FL);
	/* NULL outputs are allowed; outputs untouched on failure. */
	assert_int_equal(ept_translate(&e, gpa(SIZE_1G), NULL, NULL), 0);
	h = hpa(0xdead);
	fl = 0xbeef;
	assert_int_equal(ept_translate(&e, gpa(2 * SIZE_1G), &h, &fl),
			 -ENOENT);
	assert_int_equal(h.v, 0xdead);
	assert_int_equal(fl, 0xbeef);
	destroy_all(&e);
}

static void test_unmap(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_1G), hpa(2 * SIZE_1G),
				     SIZE_1G), 0);
	assert_int_equal(live_tables(), 2);
	/* One 4K page out of the 1G leaf: PD + PT are created by the split. */
	assert_int_equal(ept_unmap(&e, gpa(SIZE_1G + SIZE_2M + PAGE_SIZE),
				   PAGE_SIZE), 0);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(ept_translate(&e, gpa(SIZE_1G + SIZE_2M + PAGE_SIZE),
				       NULL, NULL), -ENOENT);
	expect_translate(&e, SIZE_1G + SIZE_2M, 2 * SIZE_1G + SIZE_2M, RAM_FL);
	expect_translate(&e, SIZE_1G + SIZE_2M + 2 * PAGE_SIZE + 5,
			 2 * SIZE_1G + SIZE_2M + 2 * PAGE_SIZE + 5, RAM_FL);
	expect_translate(&e, 2 * SIZE_1G - 1, 3 * SIZE_1G - 1, RAM_FL);
	assert_int_equal(page_size_at(&e, SIZE_1G), SIZE_2M);
	assert_int_equal(page_size_at(&e, SIZE_1G + SIZE_2M), PAGE_SIZE);
	/* Split leaves keep the exact RAM encoding. */
	assert_int_equal(raw_entry(&e, SIZE_1G + SIZE_2M, 1),
			 (2 * SIZE_1G + SIZE_2M) | LEAF_RAM);
	assert_int_equal(raw_entry(&e, SIZE_1G + 2 * SIZE_2M, 2),
			 (2 * SIZE_1G + 2 * SIZE_2M) | 0x80 | LEAF_RAM);
	/* Holes are fine; then everything goes and the tables with it. */
	assert_int_equal(ept_unmap(&e, gpa(0), 4 * SIZE_1G), 0);
	assert_int_equal(live_tables(), 1);
	assert_int_equal(ept_translate(&e, gpa(SIZE_1G), NULL, NULL), -ENOENT);
	/* And the range can be mapped again. */
	assert_int_equal(ept_map_mmio(&e, gpa(SIZE_1G), hpa(0), SIZE_2M), 0);
	destroy_all(&e);
}

static void test_enomem_rollback(void **state)
{
	struct ept e;
	unsigned long live;

	(void)state;
	init_ept(&e, SIZE_1G);
	assert_int_equal(ept_map_ram(&e, gpa(0), hpa(0), PAGE_SIZE), 0);
	live = live_tables();
	/* Needs a new PDPT, PD and PT; the third allocation fails. */
	fail_after = 2;
	assert_int_equal(ept_map_ram(&e, gpa(SIZE_1G * 512 + PAGE_SIZE),
				     hpa(0), PAGE_SIZE), -ENOMEM);
	fail_after = -1;
	assert_int_equal(live_tables(), live);
	assert_int_equal(ept_translate(&e, gpa(SIZE_1G * 512 + PAGE_SIZE),
				       NULL, NULL), -ENOENT);
	expect_translate(&e, 0, 0, RAM_FL);
	destroy_all(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_format_entries, setup),
		cmocka_unit_test_setup(test_eptp, setup),
		cmocka_unit_test_setup(test_map_raw_4k, setup),
		cmocka_unit_test_setup(test_map_raw_2m_1g, setup),
		cmocka_unit_test_setup(test_largest_page_selection, setup),
		cmocka_unit_test_setup(test_eexist, setup),
		cmocka_unit_test_setup(test_bad_args, setup),
		cmocka_unit_test_setup(test_translate_offsets, setup),
		cmocka_unit_test_setup(test_unmap, setup),
		cmocka_unit_test_setup(test_enomem_rollback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
