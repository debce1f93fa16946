/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <plinth/errno.h>
#include <plinth/pagetable.h>
#include <plinth/string.h>
#include <vmm/ept.h>

/*
 * Fake host-physical memory: a pool of table pages and a small block of
 * "RAM" that guest pages can be backed by. Anything else has no host
 * mapping (phys_to_virt returns NULL), which the copy code must survive.
 */
#define TBL_PAGES	600
#define TBL_BASE	0x7000000ULL
#define RAM_BASE	0x80000000ULL	/* 2M aligned so 2M leaves fit */
#define RAM_SIZE	(2 * SIZE_2M + 4 * PAGE_SIZE)

static uint64_t tbl_mem[TBL_PAGES][PT_ENTRIES] __aligned(4096);
static bool tbl_used[TBL_PAGES];
static uint8_t ram[RAM_SIZE] __aligned(4096);
static unsigned long n_allocs, n_frees;
static long fail_after;		/* allocations before -ENOMEM; <0: never */
static unsigned long n_p2v_unaligned;

static int fake_alloc(void *ctx, paddr_t *pa)
{
	assert_ptr_equal(ctx, tbl_mem);
	if (fail_after == 0)
		return -ENOMEM;
	if (fail_after > 0)
		fail_after--;
	for (unsigned int i = 0; i < TBL_PAGES; i++) {
		if (tbl_used[i])
			continue;
		tbl_used[i] = true;
		memset(tbl_mem[i], 0x5a, PAGE_SIZE);
		n_allocs++;
		*pa = TBL_BASE + (paddr_t)i * PAGE_SIZE;
		return 0;
	}
	return -ENOMEM;
}

static unsigned int tbl_index(paddr_t pa)
{
	assert_true(pa >= TBL_BASE);
	assert_true(pa < TBL_BASE + TBL_PAGES * PAGE_SIZE);
	assert_true(IS_ALIGNED(pa, PAGE_SIZE));
	return (pa - TBL_BASE) / PAGE_SIZE;
}

static void fake_free(void *ctx, paddr_t pa)
{
	unsigned int i = tbl_index(pa);

	assert_ptr_equal(ctx, tbl_mem);
	assert_true(tbl_used[i]);
	tbl_used[i] = false;
	memset(tbl_mem[i], 0xdb, PAGE_SIZE);
	n_frees++;
}

static void *fake_p2v(void *ctx, paddr_t pa)
{
	assert_ptr_equal(ctx, tbl_mem);
	if (!IS_ALIGNED(pa, PAGE_SIZE))
		n_p2v_unaligned++;
	if (pa >= TBL_BASE && pa < TBL_BASE + TBL_PAGES * PAGE_SIZE)
		return tbl_mem[tbl_index(pa)];
	if (pa >= RAM_BASE && pa < RAM_BASE + RAM_SIZE)
		return &ram[pa - RAM_BASE];
	return NULL;
}

static const struct pt_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.phys_to_virt = fake_p2v,
	.ctx = tbl_mem,
};

static int setup(void **state)
{
	(void)state;
	memset(tbl_used, 0, sizeof(tbl_used));
	n_allocs = n_frees = 0;
	n_p2v_unaligned = 0;
	fail_after = -1;
	return 0;
}

static unsigned long live_tables(void)
{
	return n_allocs - n_frees;
}

static void init_ept(struct ept *e, uint64_t max_page)
{
	unsigned long before = live_tables();

	assert_int_equal(ept_init(e, &fake_ops, max_page), 0);
	assert_int_equal(live_tables(), before + 1);
	assert_int_equal(e->max_page, max_page);
}

static void destroy_all(struct ept *e)
{
	ept_destroy(e);
	assert_int_equal(n_allocs, n_frees);
	for (unsigned int i = 0; i < TBL_PAGES; i++)
		assert_false(tbl_used[i]);
	assert_int_equal(n_p2v_unaligned, 0);
}

/* Raw entry for gpa at a level; every non-leaf above must be exactly RWX. */
static uint64_t raw_entry(const struct ept *e, uint64_t gpa, unsigned int level)
{
	paddr_t table = e->pt.root;

	for (unsigned int l = PT_LEVELS; ; l--) {
		unsigned int idx = (gpa >> (12 + 9 * (l - 1))) & 511;
		uint64_t ent = tbl_mem[tbl_index(table)][idx];

		if (l == level)
			return ent;
		assert_int_equal(ent & ~EPT_ADDR_MASK, EPT_RWX);
		table = ent & EPT_ADDR_MASK;
	}
}

static void expect_translate(const struct ept *e, uint64_t g, uint64_t want,
			     unsigned int want_flags)
{
	hpa_t h = hpa(0);
	unsigned int fl = 0;

	assert_int_equal(ept_translate(e, gpa(g), &h, &fl), 0);
	assert_int_equal(h.v, want);
	assert_int_equal(fl, want_flags);
}

static uint64_t page_size_at(const struct ept *e, uint64_t g)
{
	uint64_t sz = 0;

	assert_int_equal(pt_lookup(&e->pt, g, NULL, NULL, &sz), 0);
	return sz;
}

#define RAM_FL	(PT_READ | PT_WRITE | PT_EXEC)
#define MMIO_FL	(PT_READ | PT_WRITE | PT_UNCACHED)
/* Leaf low bits: R|W|X + WB (6 << 3) = 0x37; R|W + UC = 0x03. */
#define LEAF_RAM	0x37ULL
#define LEAF_MMIO	0x03ULL

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

/* ---- guest memory access ---- */

/*
 * Guest layout, host backing deliberately out of order:
 *   [2M, 4M)   2M page  -> RAM + 2M
 *   [4M, 6M)   2M page  -> RAM + 0
 *   6M         4K page  -> RAM + 4M + 4K
 *   6M + 4K    4K page  -> RAM + 4M
 *   6M + 8K    4K MMIO  -> RAM + 4M + 8K (backed, but not RAM)
 *   6M + 12K   4K RAM   -> beyond fake RAM (no host mapping)
 *   6M + 16K   hole
 */
#define G_A	(SIZE_2M)
#define G_B	(2 * SIZE_2M)
#define G_C	(3 * SIZE_2M)
#define H_C	(RAM_BASE + 2 * SIZE_2M)

static void map_copy_layout(struct ept *e)
{
	init_ept(e, SIZE_1G);
	assert_int_equal(ept_map_ram(e, gpa(G_A), hpa(RAM_BASE + SIZE_2M),
				     SIZE_2M), 0);
	assert_int_equal(ept_map_ram(e, gpa(G_B), hpa(RAM_BASE), SIZE_2M), 0);
	assert_int_equal(ept_map_ram(e, gpa(G_C), hpa(H_C + PAGE_SIZE),
				     PAGE_SIZE), 0);
	assert_int_equal(ept_map_ram(e, gpa(G_C + PAGE_SIZE), hpa(H_C),
				     PAGE_SIZE), 0);
	assert_int_equal(ept_map_mmio(e, gpa(G_C + 2 * PAGE_SIZE),
				      hpa(H_C + 2 * PAGE_SIZE), PAGE_SIZE), 0);
	assert_int_equal(ept_map_ram(e, gpa(G_C + 3 * PAGE_SIZE),
				     hpa(RAM_BASE + RAM_SIZE), PAGE_SIZE), 0);
	assert_int_equal(page_size_at(e, G_A), SIZE_2M);
	assert_int_equal(page_size_at(e, G_B), SIZE_2M);
	for (size_t i = 0; i < RAM_SIZE; i++)
		ram[i] = (uint8_t)(i * 7 + (i >> 12));
}

/* Host byte behind a guest address of the copy layout; NULL if not RAM. */
static uint8_t *host_byte(uint64_t g)
{
	if (g >= G_A && g < G_B)
		return &ram[SIZE_2M + (g - G_A)];
	if (g >= G_B && g < G_C)
		return &ram[g - G_B];
	if (g >= G_C && g < G_C + PAGE_SIZE)
		return &ram[2 * SIZE_2M + PAGE_SIZE + (g - G_C)];
	if (g >= G_C + PAGE_SIZE && g < G_C + 2 * PAGE_SIZE)
		return &ram[2 * SIZE_2M + (g - G_C - PAGE_SIZE)];
	return NULL;
}

static void check_roundtrip(const struct ept *e, uint64_t g, size_t len)
{
	static uint8_t buf[3 * PAGE_SIZE], in[3 * PAGE_SIZE];
	uint8_t *lo = host_byte(g - 1), *hi = host_byte(g + len);
	uint8_t lo_val = lo ? *lo : 0, hi_val = hi ? *hi : 0;

	assert_true(len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ept_copy_from_guest(e, buf, gpa(g), len), 0);
	for (size_t i = 0; i < len; i++) {
		assert_non_null(host_byte(g + i));
		assert_int_equal(buf[i], *host_byte(g + i));
	}
	for (size_t i = 0; i < len; i++)
		in[i] = (uint8_t)(0xc3 ^ i ^ (g >> 3));
	assert_int_equal(ept_copy_to_guest(e, gpa(g), in, len), 0);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(*host_byte(g + i), in[i]);
	/* Host bytes just outside the guest range were not touched. */
	if (lo)
		assert_int_equal(*lo, lo_val);
	if (hi)
		assert_int_equal(*hi, hi_val);
}

static void test_copy_boundaries(void **state)
{
	struct ept e;
	uint8_t b = 0;

	(void)state;
	map_copy_layout(&e);
	check_roundtrip(&e, G_A + 5, 100);		/* inside a 2M page */
	check_roundtrip(&e, G_A + PAGE_SIZE - 3, 9);	/* 4K line in 2M */
	check_roundtrip(&e, G_B - 0x10, 0x20);		/* 2M -> 2M swapped */
	check_roundtrip(&e, G_C - 0x800, 0x1000);	/* 2M -> 4K */
	check_roundtrip(&e, G_C + PAGE_SIZE - 1, 2);	/* 4K -> 4K swap */
	check_roundtrip(&e, G_C - PAGE_SIZE, 3 * PAGE_SIZE); /* whole pages */
	check_roundtrip(&e, G_C + PAGE_SIZE, PAGE_SIZE);
	check_roundtrip(&e, G_A, 1);
	check_roundtrip(&e, G_C + 2 * PAGE_SIZE - 1, 1);
	/* Zero length is a no-op, even at an unmapped address. */
	assert_int_equal(ept_copy_from_guest(&e, &b, gpa(0), 0), 0);
	assert_int_equal(ept_copy_to_guest(&e, gpa(EPT_GPA_LIMIT), &b, 0), 0);
	destroy_all(&e);
}

/* A failing copy leaves both the guest RAM and the host buffer as they were. */
static void expect_fault(const struct ept *e, uint64_t g, size_t len,
			 int want_from, int want_to)
{
	static uint8_t ram_copy[RAM_SIZE];
	uint8_t buf[64], orig[64];

	assert_true(len <= sizeof(buf));
	memcpy(ram_copy, ram, RAM_SIZE);
	memset(buf, 0x42, sizeof(buf));
	memcpy(orig, buf, sizeof(buf));
	assert_int_equal(ept_copy_to_guest(e, gpa(g), buf, len), want_to);
	if (want_to)
		assert_memory_equal(ram_copy, ram, RAM_SIZE);
	assert_int_equal(ept_copy_from_guest(e, buf, gpa(g), len), want_from);
	if (want_from)
		assert_memory_equal(orig, buf, sizeof(buf));
}

static void test_copy_faults(void **state)
{
	struct ept e;
	uint8_t b;

	(void)state;
	map_copy_layout(&e);
	/* Into / out of holes, starting mapped. */
	expect_fault(&e, G_A - 8, 16, -EFAULT, -EFAULT);
	expect_fault(&e, G_A - 1, 1, -EFAULT, -EFAULT);
	expect_fault(&e, 0, 1, -EFAULT, -EFAULT);
	/* Mapped but MMIO, even when the RAM before it is fine. */
	expect_fault(&e, G_C + 2 * PAGE_SIZE - 8, 16, -EFAULT, -EFAULT);
	expect_fault(&e, G_C + 2 * PAGE_SIZE, 1, -EFAULT, -EFAULT);
	/* Mapped RAM that the host cannot reach. */
	expect_fault(&e, G_C + 3 * PAGE_SIZE, 8, -EFAULT, -EFAULT);
	/* Beyond 48 bits or wrapping. */
	expect_fault(&e, EPT_GPA_LIMIT - 4, 8, -EFAULT, -EFAULT);
	expect_fault(&e, EPT_GPA_LIMIT, 1, -EFAULT, -EFAULT);
	expect_fault(&e, UINT64_MAX - 3, 8, -EFAULT, -EFAULT);
	/* Read-only RAM: readable, not writable from the hypervisor side. */
	assert_int_equal(pt_protect(&e.pt, G_C, PAGE_SIZE, PT_READ | PT_EXEC),
			 0);
	expect_fault(&e, G_C + PAGE_SIZE - 8, 16, 0, -EFAULT);
	expect_fault(&e, G_C, 4, 0, -EFAULT);
	expect_fault(&e, G_C - 4, 4, 0, 0);

	assert_int_equal(ept_copy_from_guest(NULL, &b, gpa(G_A), 1), -EINVAL);
	assert_int_equal(ept_copy_from_guest(&e, NULL, gpa(G_A), 1), -EINVAL);
	assert_int_equal(ept_copy_to_guest(NULL, gpa(G_A), &b, 1), -EINVAL);
	assert_int_equal(ept_copy_to_guest(&e, gpa(G_A), NULL, 1), -EINVAL);
	destroy_all(&e);
	assert_int_equal(ept_copy_from_guest(&e, &b, gpa(G_A), 1), -EINVAL);
}

/* ---- isolation ---- */

struct region {
	uint64_t gpa, size, hoff;	/* hpa = partition base + hoff */
	bool mmio;
};

/* Mixed sizes and alignments so 4K, 2M and 1G leaves all appear. */
static const struct region layout[] = {
	{ 0x0, 0xa0000, 0x0, false },
	{ 0x100000, SIZE_1G - 0x100000, 0x100000, false },
	{ SIZE_1G, SIZE_1G, SIZE_1G, false },
	{ 2 * SIZE_1G + 0x5000, 3 * SIZE_2M, 2 * SIZE_1G + 0x9000, false },
	{ 3 * SIZE_1G - SIZE_2M, SIZE_2M, 3 * SIZE_1G + 0x400000, false },
	{ 0xfec00000, PAGE_SIZE, 3 * SIZE_1G + 0x100000, true },
	{ 0xfee00000, SIZE_2M, 3 * SIZE_1G + 0x200000, true },
};

#define ISO_SPAN	(4 * SIZE_1G)	/* host range size per partition */
#define ISO_LIMIT	(4 * SIZE_1G)	/* guest range scanned */
#define HOST_A		(4 * SIZE_1G)
#define HOST_B		(8 * SIZE_1G)
/* Punched out of both after mapping (splits a 1G and a 2M page). */
#define HOLE_GPA	(SIZE_1G + 3 * SIZE_2M + 5 * PAGE_SIZE)
#define HOLE_SIZE	(SIZE_2M + 3 * PAGE_SIZE)

static bool expect_for(uint64_t g, uint64_t base, uint64_t *h, bool *mmio)
{
	if (g >= HOLE_GPA && g < HOLE_GPA + HOLE_SIZE)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++) {
		const struct region *r = &layout[i];

		if (g >= r->gpa && g - r->gpa < r->size) {
			*h = base + r->hoff + (g - r->gpa);
			*mmio = r->mmio;
			return true;
		}
	}
	return false;
}

static void map_partition(struct ept *e, uint64_t base, uint64_t max_page)
{
	init_ept(e, max_page);
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++) {
		const struct region *r = &layout[i];
		int ret = r->mmio ?
			ept_map_mmio(e, gpa(r->gpa), hpa(base + r->hoff),
				     r->size) :
			ept_map_ram(e, gpa(r->gpa), hpa(base + r->hoff),
				    r->size);

		assert_int_equal(ret, 0);
	}
	assert_int_equal(ept_unmap(e, gpa(HOLE_GPA), HOLE_SIZE), 0);
}

/* Marks every table page reachable from the root. */
static void mark_tables(paddr_t table, unsigned int level, bool *seen)
{
	unsigned int idx = tbl_index(table);

	assert_false(seen[idx]);
	seen[idx] = true;
	for (unsigned int i = 0; level > 1 && i < PT_ENTRIES; i++) {
		uint64_t ent = tbl_mem[idx][i];

		if ((ent & EPT_RWX) && (level == 4 || !(ent & EPT_LARGE)))
			mark_tables(ent & EPT_ADDR_MASK, level - 1, seen);
	}
}

static unsigned long scan(const struct ept *e, uint64_t base, uint64_t other)
{
	unsigned long mapped = 0;

	for (uint64_t g = 0; g < ISO_LIMIT; g += PAGE_SIZE) {
		for (uint64_t off = 0; off < PAGE_SIZE; off += PAGE_SIZE - 1) {
			uint64_t want = 0;
			bool mmio = false;
			bool exp = expect_for(g + off, base, &want, &mmio);
			hpa_t h;
			unsigned int fl;
			int ret = ept_translate(e, gpa(g + off), &h, &fl);

			if (!exp) {
				assert_int_equal(ret, -ENOENT);
				continue;
			}
			assert_int_equal(ret, 0);
			/* The property itself, then the exact value. */
			assert_true(h.v >= base && h.v < base + ISO_SPAN);
			assert_false(h.v >= other && h.v < other + ISO_SPAN);
			assert_int_equal(h.v, want);
			assert_int_equal(fl, mmio ? MMIO_FL : RAM_FL);
			mapped += off == 0;
		}
	}
	return mapped;
}

static void test_isolation(void **state)
{
	static bool seen_a[TBL_PAGES], seen_b[TBL_PAGES];
	struct ept a, b;
	unsigned long want_pages = 0;

	(void)state;
	map_partition(&a, HOST_A, SIZE_1G);
	map_partition(&b, HOST_B, SIZE_2M);
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++)
		want_pages += layout[i].size / PAGE_SIZE;
	want_pages -= HOLE_SIZE / PAGE_SIZE;

	assert_int_equal(scan(&a, HOST_A, HOST_B), want_pages);
	assert_int_equal(scan(&b, HOST_B, HOST_A), want_pages);
	assert_int_not_equal(ept_eptp(&a), ept_eptp(&b));

	/* No table page is shared, and every live table belongs to one. */
	memset(seen_a, 0, sizeof(seen_a));
	memset(seen_b, 0, sizeof(seen_b));
	mark_tables(a.pt.root, PT_LEVELS, seen_a);
	mark_tables(b.pt.root, PT_LEVELS, seen_b);
	for (unsigned int i = 0; i < TBL_PAGES; i++) {
		assert_false(seen_a[i] && seen_b[i]);
		assert_int_equal(tbl_used[i], seen_a[i] || seen_b[i]);
	}

	/* Tearing one down leaves the other intact. */
	ept_destroy(&a);
	assert_int_equal(scan(&b, HOST_B, HOST_A), want_pages);
	destroy_all(&b);
}

static void test_destroy_frees_all(void **state)
{
	struct ept e;

	(void)state;
	init_ept(&e, SIZE_1G);
	for (unsigned int i = 0; i < 40; i++) {
		uint64_t g = (uint64_t)i * 37 * SIZE_1G + i * 0x3000;

		assert_int_equal(ept_map_ram(&e, gpa(g), hpa(g + SIZE_2M),
					     SIZE_2M + i * PAGE_SIZE), 0);
	}
	assert_int_equal(ept_map_mmio(&e, gpa(0xfec00000), hpa(0xfec00000),
				      PAGE_SIZE), 0);
	assert_true(live_tables() > 40);
	destroy_all(&e);
	assert_true(n_allocs > 40);
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
		cmocka_unit_test_setup(test_copy_boundaries, setup),
		cmocka_unit_test_setup(test_copy_faults, setup),
		cmocka_unit_test_setup(test_isolation, setup),
		cmocka_unit_test_setup(test_destroy_frees_all, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
