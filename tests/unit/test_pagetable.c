/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

/* <string.h> would clash with plinth/errno.h's strerror(). */
#define memset __builtin_memset
#define memcpy __builtin_memcpy

#include <plinth/errno.h>
#include <plinth/pagetable.h>

/* ---- fake physical memory handed out as table pages ---- */

#define FAKE_PAGES	1100
#define FAKE_BASE	0x7000000ULL

static uint64_t fake_mem[FAKE_PAGES][PT_ENTRIES] __aligned(4096);
static bool fake_used[FAKE_PAGES];
static unsigned long n_allocs, n_frees;
static long fail_after;		/* allocations left before -ENOMEM; <0: never */

static int fake_alloc(void *ctx, paddr_t *pa)
{
	assert_ptr_equal(ctx, fake_mem);
	if (fail_after == 0)
		return -ENOMEM;
	if (fail_after > 0)
		fail_after--;
	for (unsigned int i = 0; i < FAKE_PAGES; i++) {
		if (fake_used[i])
			continue;
		fake_used[i] = true;
		/* Garbage: the walker must not trust the allocator to zero. */
		memset(fake_mem[i], 0xa5, PAGE_SIZE);
		n_allocs++;
		*pa = FAKE_BASE + (paddr_t)i * PAGE_SIZE;
		return 0;
	}
	return -ENOMEM;
}

static unsigned int fake_index(paddr_t pa)
{
	assert_true(pa >= FAKE_BASE);
	assert_true(pa < FAKE_BASE + FAKE_PAGES * PAGE_SIZE);
	assert_true(IS_ALIGNED(pa, PAGE_SIZE));
	return (pa - FAKE_BASE) / PAGE_SIZE;
}

static void fake_free(void *ctx, paddr_t pa)
{
	unsigned int i = fake_index(pa);

	assert_ptr_equal(ctx, fake_mem);
	assert_true(fake_used[i]);
	fake_used[i] = false;
	/* Poison so a walk through a freed table shows up as garbage. */
	memset(fake_mem[i], 0xdb, PAGE_SIZE);
	n_frees++;
}

static void *fake_p2v(void *ctx, paddr_t pa)
{
	assert_ptr_equal(ctx, fake_mem);
	return fake_mem[fake_index(pa)];
}

static const struct pt_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.phys_to_virt = fake_p2v,
	.ctx = fake_mem,
};

static int setup(void **state)
{
	(void)state;
	memset(fake_used, 0, sizeof(fake_used));
	n_allocs = n_frees = 0;
	fail_after = -1;
	return 0;
}

static unsigned long live_tables(void)
{
	return n_allocs - n_frees;
}

static void init_pt(struct page_table *pt)
{
	assert_int_equal(pt_init(pt, &pt_format_x86, &fake_ops), 0);
	assert_int_equal(live_tables(), 1);
}

static void destroy_pt(struct page_table *pt)
{
	pt_destroy(pt);
	assert_int_equal(n_allocs, n_frees);
	for (unsigned int i = 0; i < FAKE_PAGES; i++)
		assert_false(fake_used[i]);
}

/* Raw entry for va at a level, asserting the path above is plain tables. */
static uint64_t raw_entry(const struct page_table *pt, uint64_t va,
			  unsigned int level)
{
	paddr_t table = pt->root;

	for (unsigned int l = PT_LEVELS; ; l--) {
		unsigned int idx = (va >> (12 + 9 * (l - 1))) & 511;
		uint64_t e = fake_mem[fake_index(table)][idx];

		if (l == level)
			return e;
		assert_int_equal(e & ~X86_PTE_ADDR_MASK,
				 X86_PTE_P | X86_PTE_RW);
		table = e & X86_PTE_ADDR_MASK;
	}
}

struct snapshot {
	bool used[FAKE_PAGES];
	unsigned long live;
	uint64_t (*mem)[PT_ENTRIES];
};

static void snap_take(struct snapshot *s)
{
	s->mem = malloc(sizeof(fake_mem));
	assert_non_null(s->mem);
	memcpy(s->mem, fake_mem, sizeof(fake_mem));
	memcpy(s->used, fake_used, sizeof(fake_used));
	s->live = live_tables();
}

/* Live pages compared byte for byte; free pages may have been recycled. */
static void snap_check(struct snapshot *s)
{
	assert_int_equal(live_tables(), s->live);
	assert_memory_equal(s->used, fake_used, sizeof(fake_used));
	for (unsigned int i = 0; i < FAKE_PAGES; i++)
		if (fake_used[i])
			assert_memory_equal(s->mem[i], fake_mem[i], PAGE_SIZE);
	free(s->mem);
	s->mem = NULL;
}

static void expect_lookup(const struct page_table *pt, uint64_t va,
			  paddr_t want_pa, unsigned int want_flags,
			  uint64_t want_size)
{
	paddr_t pa = 0;
	unsigned int flags = 0;
	uint64_t size = 0;

	assert_int_equal(pt_lookup(pt, va, &pa, &flags, &size), 0);
	assert_int_equal(pa, want_pa);
	assert_int_equal(flags, want_flags);
	assert_int_equal(size, want_size);
}

#define RW	(PT_READ | PT_WRITE)
#define RX	(PT_READ | PT_EXEC)

/* ---- tests ---- */

static void test_init_destroy(void **state)
{
	struct page_table pt;

	(void)state;
	assert_int_equal(pt_init(NULL, &pt_format_x86, &fake_ops), -EINVAL);
	assert_int_equal(pt_init(&pt, &pt_format_x86, NULL), -EINVAL);
	fail_after = 0;
	assert_int_equal(pt_init(&pt, &pt_format_x86, &fake_ops), -ENOMEM);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, RW, PAGE_SIZE), -EINVAL);
	fail_after = -1;
	init_pt(&pt);
	/* The garbage the allocator left must have been cleared. */
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(fake_mem[fake_index(pt.root)][i], 0);
	assert_int_equal(pt_lookup(&pt, 0, NULL, NULL, NULL), -ENOENT);
	destroy_pt(&pt);
	assert_int_equal(pt_lookup(&pt, 0, NULL, NULL, NULL), -EINVAL);
	pt_destroy(&pt);
	assert_int_equal(n_frees, 1);
}

static void test_map_4k_raw(void **state)
{
	struct page_table pt;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, 0x400000, 0x1234000, PAGE_SIZE, RW,
				SIZE_1G), 0);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(raw_entry(&pt, 0x400000, 1), 0x8000000001234003ULL);
	assert_int_equal(raw_entry(&pt, 0x401000, 1), 0);
	assert_int_equal(raw_entry(&pt, 0x600000, 2), 0);
	expect_lookup(&pt, 0x400000, 0x1234000, RW, PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, 0x401000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(pt_lookup(&pt, 0x3ff000, NULL, NULL, NULL), -ENOENT);

	/* Executable, user, global, uncached: no NX, US|G|PCD|PWT set. */
	assert_int_equal(pt_map(&pt, 0x401000, 0xfffffffff000ULL, PAGE_SIZE,
				RX | PT_USER | PT_GLOBAL | PT_UNCACHED,
				SIZE_1G), 0);
	assert_int_equal(raw_entry(&pt, 0x401000, 1), 0xfffffffff11dULL);
	expect_lookup(&pt, 0x401000, 0xfffffffff000ULL,
		      RX | PT_USER | PT_GLOBAL | PT_UNCACHED, PAGE_SIZE);
	assert_int_equal(live_tables(), 4);
	destroy_pt(&pt);
}

static void test_map_2m_raw(void **state)
{
	struct page_table pt;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, SIZE_2M, 0x40000000, SIZE_2M,
				RX | PT_GLOBAL, SIZE_2M), 0);
	assert_int_equal(live_tables(), 3);
	assert_int_equal(raw_entry(&pt, SIZE_2M, 2), 0x40000181ULL);
	expect_lookup(&pt, SIZE_2M + 0x12345, 0x40012345, RX | PT_GLOBAL,
		      SIZE_2M);
	/* max_page 4K forces a page table even for aligned 2M. */
	assert_int_equal(pt_map(&pt, 2 * SIZE_2M, 0x40200000, SIZE_2M, RW,
				PAGE_SIZE), 0);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(raw_entry(&pt, 2 * SIZE_2M + 511 * PAGE_SIZE, 1),
			 0x80000000403ff003ULL);
	destroy_pt(&pt);
}

static void test_map_1g_raw(void **state)
{
	struct page_table pt;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, 3 * SIZE_1G, 5 * SIZE_1G, SIZE_1G,
				RW | PT_UNCACHED, SIZE_1G), 0);
	assert_int_equal(live_tables(), 2);
	assert_int_equal(raw_entry(&pt, 3 * SIZE_1G, 3), 0x800000014000009bULL);
	expect_lookup(&pt, 4 * SIZE_1G - 1, 6 * SIZE_1G - 1,
		      RW | PT_UNCACHED, SIZE_1G);

	/* Same size but only 2M pages allowed: one PD full of 2M leaves. */
	assert_int_equal(pt_map(&pt, 4 * SIZE_1G, 0, SIZE_1G, RW, SIZE_2M), 0);
	assert_int_equal(live_tables(), 3);
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(raw_entry(&pt, 4 * SIZE_1G + i * SIZE_2M, 2),
				 0x8000000000000083ULL | (i * SIZE_2M));
	/* A huge max_page means "1G at most". */
	assert_int_equal(pt_map(&pt, 7 * SIZE_1G, 7 * SIZE_1G, SIZE_1G, RW,
				UINT64_MAX), 0);
	expect_lookup(&pt, 7 * SIZE_1G, 7 * SIZE_1G, RW, SIZE_1G);
	destroy_pt(&pt);
}

static void test_mixed_alignment(void **state)
{
	struct page_table pt;
	uint64_t va = SIZE_1G - SIZE_2M - PAGE_SIZE;
	uint64_t size = PAGE_SIZE + SIZE_2M + SIZE_1G + SIZE_2M + PAGE_SIZE;
	paddr_t pa = 0x100000000ULL + va;
	uint64_t size_out;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, va, pa, size, RW, SIZE_1G), 0);
	expect_lookup(&pt, va, pa, RW, PAGE_SIZE);
	expect_lookup(&pt, va + PAGE_SIZE, pa + PAGE_SIZE, RW, SIZE_2M);
	expect_lookup(&pt, SIZE_1G, pa + SIZE_2M + PAGE_SIZE, RW, SIZE_1G);
	expect_lookup(&pt, 2 * SIZE_1G, 0x100000000ULL + 2 * SIZE_1G, RW,
		      SIZE_2M);
	expect_lookup(&pt, 2 * SIZE_1G + SIZE_2M,
		      0x100000000ULL + 2 * SIZE_1G + SIZE_2M, RW, PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, va + size, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(pt_lookup(&pt, va - PAGE_SIZE, NULL, NULL, NULL),
			 -ENOENT);
	/* root, PDPT, 2 PDs, 2 PTs */
	assert_int_equal(live_tables(), 6);

	/* pa only 4K-congruent with va: large pages impossible. */
	assert_int_equal(pt_map(&pt, 8 * SIZE_1G, 0x1000, 2 * SIZE_2M, RW,
				SIZE_1G), 0);
	for (uint64_t off = 0; off < 2 * SIZE_2M; off += PAGE_SIZE) {
		assert_int_equal(pt_lookup(&pt, 8 * SIZE_1G + off, NULL, NULL,
					   &size_out), 0);
		assert_int_equal(size_out, PAGE_SIZE);
	}
	/* pa 2M- but not 1G-congruent: 2M pages only. */
	assert_int_equal(pt_map(&pt, 9 * SIZE_1G, SIZE_2M, SIZE_1G, RW,
				SIZE_1G), 0);
	expect_lookup(&pt, 9 * SIZE_1G + 5, SIZE_2M + 5, RW, SIZE_2M);
	destroy_pt(&pt);
}

static void test_bad_args(void **state)
{
	struct page_table pt;
	const uint64_t top = 0xfffffffffffff000ULL;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, 0x1001, 0, PAGE_SIZE, RW, SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x10, PAGE_SIZE, RW, SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, 0x800, RW, SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, 0, RW, SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE, RW, 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE, RW, 0x800), -EINVAL);
	/* Non-canonical addresses and ranges crossing the hole. */
	assert_int_equal(pt_map(&pt, 0x0000800000000000ULL, 0, PAGE_SIZE, RW,
				SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0xffff7ffffffff000ULL, 0, PAGE_SIZE, RW,
				SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x00007ffffffff000ULL, 0, 2 * PAGE_SIZE,
				RW, SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, top, 0, 2 * PAGE_SIZE, RW, SIZE_1G),
			 -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, UINT64_MAX & ~0xfffULL, RW,
				SIZE_1G), -EINVAL);
	/* Physical addresses are 52 bits. */
	assert_int_equal(pt_map(&pt, 0x1000, 1ULL << 52, PAGE_SIZE, RW,
				SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, (1ULL << 52) - PAGE_SIZE,
				2 * PAGE_SIZE, RW, SIZE_1G), -EINVAL);
	/* Flags. */
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE, RW | PT_WC, SIZE_1G),
			 -ENOTSUP);
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE, RW | (1u << 20),
				SIZE_1G), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE,
				PT_WC | PT_UNCACHED, SIZE_1G), -EINVAL);
	assert_int_equal(pt_lookup(&pt, 0x0000800000000000ULL, NULL, NULL,
				   NULL), -EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x0000800000000000ULL, PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x1000, 0), -EINVAL);
	assert_int_equal(pt_protect(&pt, 0x1000, PAGE_SIZE, PT_WC), -ENOTSUP);
	assert_int_equal(pt_protect(&pt, 0x1001, PAGE_SIZE, RW), -EINVAL);
	assert_int_equal(live_tables(), 1);

	/* The very last page and the last lower-half page are fine; PT_READ
	 * is implied on x86 so flags 0 means read-only, no-exec. */
	assert_int_equal(pt_map(&pt, top, (1ULL << 52) - PAGE_SIZE, PAGE_SIZE,
				0, SIZE_1G), 0);
	expect_lookup(&pt, UINT64_MAX, (1ULL << 52) - 1, PT_READ, PAGE_SIZE);
	assert_int_equal(raw_entry(&pt, top, 1), 0x800ffffffffff001ULL);
	assert_int_equal(pt_map(&pt, 0x00007ffffffff000ULL, 0, PAGE_SIZE, RW,
				SIZE_1G), 0);
	assert_int_equal(pt_unmap(&pt, top, PAGE_SIZE), 0);
	assert_int_equal(pt_unmap(&pt, 0x00007ffffffff000ULL, PAGE_SIZE), 0);
	assert_int_equal(live_tables(), 1);
	destroy_pt(&pt);
}

static void test_eexist_unchanged(void **state)
{
	struct page_table pt;
	struct snapshot s;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, SIZE_1G, SIZE_1G, SIZE_1G, RW, SIZE_1G), 0);
	assert_int_equal(pt_map(&pt, 4 * SIZE_2M, 0, SIZE_2M, RW, SIZE_2M), 0);
	assert_int_equal(pt_map(&pt, 0x10000, 0, PAGE_SIZE, RW, SIZE_2M), 0);

	assert_int_equal(pt_map(&pt, 3 * SIZE_1G + PAGE_SIZE, 0, PAGE_SIZE, RW,
				SIZE_2M), 0);

	snap_take(&s);
	/* Overlap only at the end of a range that first needs fresh tables. */
	assert_int_equal(pt_map(&pt, 2 * SIZE_1G, 0, SIZE_1G + 2 * PAGE_SIZE,
				RW, PAGE_SIZE), -EEXIST);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x10000, RW, SIZE_1G),
			 -EEXIST);
	assert_int_equal(pt_map(&pt, SIZE_1G - PAGE_SIZE, 0, 2 * PAGE_SIZE, RW,
				SIZE_1G), -EEXIST);
	assert_int_equal(pt_map(&pt, 5 * SIZE_2M - PAGE_SIZE, 0, PAGE_SIZE, RW,
				SIZE_1G), -EEXIST);
	assert_int_equal(pt_map(&pt, SIZE_1G + 0x5000, 0, PAGE_SIZE, RW,
				SIZE_1G), -EEXIST);
	assert_int_equal(pt_map(&pt, 0, 0, 4 * SIZE_1G, RW, SIZE_1G), -EEXIST);
	snap_check(&s);
	destroy_pt(&pt);
}

static void test_enomem_rollback(void **state)
{
	struct page_table pt;
	struct snapshot s;
	uint64_t va = 0x7f0000000000ULL - SIZE_2M - PAGE_SIZE;
	uint64_t size = 3 * SIZE_1G;
	long k;
	int ret;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, PAGE_SIZE, RW, SIZE_1G), 0);
	assert_int_equal(pt_map(&pt, va - PAGE_SIZE, 0, PAGE_SIZE, RW, SIZE_1G),
			 0);
	for (k = 0; ; k++) {
		snap_take(&s);
		fail_after = k;
		ret = pt_map(&pt, va, va, size, RW | PT_EXEC, SIZE_1G);
		fail_after = -1;
		if (ret == 0) {
			free(s.mem);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		snap_check(&s);
		assert_int_equal(pt_lookup(&pt, va, NULL, NULL, NULL), -ENOENT);
		assert_int_equal(pt_lookup(&pt, va + size - PAGE_SIZE, NULL,
					   NULL, NULL), -ENOENT);
	}
	/* The head fits the existing PT and PD; then a new PDPT for the next
	 * 512G slot, two 1G pages, and a PD plus a PT for the tail. */
	assert_int_equal(k, 3);
	assert_int_equal(live_tables(), 7 + 3);
	expect_lookup(&pt, va + size - 1, va + size - 1, RW | PT_EXEC,
		      PAGE_SIZE);
	destroy_pt(&pt);
}

static void test_unmap_split_1g(void **state)
{
	struct page_table pt;
	struct snapshot s;
	const uint64_t va = 0xffffffff80000000ULL - SIZE_1G;
	const uint64_t hole = va + SIZE_2M + 3 * PAGE_SIZE;
	const paddr_t pa = 2 * SIZE_1G;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, va, pa, SIZE_1G, RW, SIZE_1G), 0);
	assert_int_equal(live_tables(), 2);

	/* Needs a PD and a PT: fail each allocation in turn. */
	for (long k = 0; k < 2; k++) {
		snap_take(&s);
		fail_after = k;
		assert_int_equal(pt_unmap(&pt, hole, PAGE_SIZE), -ENOMEM);
		fail_after = -1;
		snap_check(&s);
		expect_lookup(&pt, hole, pa + SIZE_2M + 3 * PAGE_SIZE, RW,
			      SIZE_1G);
	}
	assert_int_equal(pt_unmap(&pt, hole, PAGE_SIZE), 0);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(pt_lookup(&pt, hole, NULL, NULL, NULL), -ENOENT);
	expect_lookup(&pt, va, pa, RW, SIZE_2M);
	expect_lookup(&pt, va + SIZE_1G - 1, pa + SIZE_1G - 1, RW, SIZE_2M);
	expect_lookup(&pt, hole - 1, pa + SIZE_2M + 3 * PAGE_SIZE - 1, RW,
		      PAGE_SIZE);
	expect_lookup(&pt, hole + PAGE_SIZE, pa + SIZE_2M + 4 * PAGE_SIZE, RW,
		      PAGE_SIZE);
	assert_int_equal(raw_entry(&pt, va + 2 * SIZE_2M, 2),
			 0x8000000000000083ULL | (pa + 2 * SIZE_2M));
	assert_int_equal(raw_entry(&pt, hole + PAGE_SIZE, 1),
			 0x8000000000000003ULL | (pa + SIZE_2M + 4 * PAGE_SIZE));
	assert_int_equal(raw_entry(&pt, hole, 1), 0);

	/* Both ends inside one 1G page in different 2M pages: 3 tables. */
	assert_int_equal(pt_map(&pt, 0, 0, SIZE_1G, RW, SIZE_1G), 0);
	for (long k = 0; k < 3; k++) {
		snap_take(&s);
		fail_after = k;
		assert_int_equal(pt_unmap(&pt, PAGE_SIZE, SIZE_1G - 2 * PAGE_SIZE),
				 -ENOMEM);
		fail_after = -1;
		snap_check(&s);
	}
	assert_int_equal(pt_unmap(&pt, PAGE_SIZE, SIZE_1G - 2 * PAGE_SIZE), 0);
	expect_lookup(&pt, 0, 0, RW, PAGE_SIZE);
	expect_lookup(&pt, SIZE_1G - PAGE_SIZE, SIZE_1G - PAGE_SIZE, RW,
		      PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, SIZE_2M, NULL, NULL, NULL), -ENOENT);

	/* Removing the rest frees every table but the root. */
	assert_int_equal(pt_unmap(&pt, 0, SIZE_1G), 0);
	assert_int_equal(pt_unmap(&pt, va, SIZE_1G), 0);
	assert_int_equal(live_tables(), 1);
	/* Unmapping nothing is fine and allocates nothing. */
	fail_after = 0;
	assert_int_equal(pt_unmap(&pt, va + PAGE_SIZE, SIZE_1G), 0);
	fail_after = -1;
	destroy_pt(&pt);
}

static void test_protect(void **state)
{
	struct page_table pt;
	struct snapshot s;
	const uint64_t va = 0x40000000ULL;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, va, va, SIZE_2M, RW | PT_EXEC, SIZE_1G), 0);
	assert_int_equal(pt_map(&pt, va + SIZE_2M, 0, SIZE_2M, RW, SIZE_1G), 0);

	/* Part unmapped: -ENOENT, nothing changed. */
	snap_take(&s);
	assert_int_equal(pt_protect(&pt, va - PAGE_SIZE, 2 * PAGE_SIZE, 0),
			 -ENOENT);
	assert_int_equal(pt_protect(&pt, va, 2 * SIZE_2M + PAGE_SIZE, 0),
			 -ENOENT);
	fail_after = 0;
	assert_int_equal(pt_protect(&pt, va + PAGE_SIZE, PAGE_SIZE, 0), -ENOMEM);
	fail_after = -1;
	snap_check(&s);

	/* Whole large pages keep their size. */
	assert_int_equal(pt_protect(&pt, va + SIZE_2M, SIZE_2M, PT_READ), 0);
	expect_lookup(&pt, va + SIZE_2M, 0, PT_READ, SIZE_2M);
	assert_int_equal(live_tables(), 4 - 1);

	/* Middle page of the first 2M: split, neighbours keep old flags. */
	assert_int_equal(pt_protect(&pt, va + PAGE_SIZE, PAGE_SIZE,
				    PT_READ | PT_GLOBAL), 0);
	assert_int_equal(live_tables(), 4);
	expect_lookup(&pt, va, va, RW | PT_EXEC, PAGE_SIZE);
	expect_lookup(&pt, va + PAGE_SIZE + 8, va + PAGE_SIZE + 8,
		      PT_READ | PT_GLOBAL, PAGE_SIZE);
	expect_lookup(&pt, va + 2 * PAGE_SIZE, va + 2 * PAGE_SIZE, RW | PT_EXEC,
		      PAGE_SIZE);
	assert_int_equal(raw_entry(&pt, va + PAGE_SIZE, 1),
			 0x8000000040001101ULL);
	assert_int_equal(raw_entry(&pt, va + 2 * PAGE_SIZE, 1), 0x40002003ULL);

	/* Spanning both: the second 2M is split at the far end only. */
	assert_int_equal(pt_protect(&pt, va + SIZE_2M - PAGE_SIZE,
				    2 * PAGE_SIZE, RW | PT_UNCACHED), 0);
	expect_lookup(&pt, va + SIZE_2M - PAGE_SIZE, va + SIZE_2M - PAGE_SIZE,
		      RW | PT_UNCACHED, PAGE_SIZE);
	expect_lookup(&pt, va + SIZE_2M, 0, RW | PT_UNCACHED, PAGE_SIZE);
	expect_lookup(&pt, va + SIZE_2M + PAGE_SIZE, PAGE_SIZE, PT_READ,
		      PAGE_SIZE);
	assert_int_equal(live_tables(), 5);
	destroy_pt(&pt);
}

static void test_high_half(void **state)
{
	struct page_table pt;
	const uint64_t dmap = 0xffff800000000000ULL;
	const uint64_t kern = 0xffffffff80000000ULL;

	(void)state;
	init_pt(&pt);
	assert_int_equal(pt_map(&pt, dmap, 0, 4 * SIZE_1G, RW | PT_GLOBAL,
				SIZE_1G), 0);
	assert_int_equal(pt_map(&pt, kern, 0x1000000, SIZE_2M + PAGE_SIZE,
				RX | PT_GLOBAL, SIZE_1G), 0);
	/* PML4[256] for the direct map, PML4[511]/PDPT[510] for the kernel */
	assert_int_equal(fake_mem[fake_index(pt.root)][256] & 0xfff, 3);
	assert_int_equal(fake_mem[fake_index(pt.root)][511] & 0xfff, 3);
	assert_int_equal(fake_mem[fake_index(pt.root)][0], 0);
	assert_int_equal(fake_mem[fake_index(pt.root)][255], 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(raw_entry(&pt, dmap + i * SIZE_1G, 3),
				 0x8000000000000183ULL | (i * SIZE_1G));
	assert_int_equal(raw_entry(&pt, kern, 2), 0x1000181ULL);
	assert_int_equal(raw_entry(&pt, kern + SIZE_2M, 1), 0x1200101ULL);
	expect_lookup(&pt, dmap + 0xfee00020ULL, 0xfee00020ULL,
		      RW | PT_GLOBAL, SIZE_1G);
	expect_lookup(&pt, kern + 0x1234, 0x1001234, RX | PT_GLOBAL, SIZE_2M);
	assert_int_equal(pt_lookup(&pt, kern + SIZE_2M + PAGE_SIZE, NULL, NULL,
				   NULL), -ENOENT);
	/* The same low bits in the lower half are a different address. */
	assert_int_equal(pt_lookup(&pt, 0x00007fff80000000ULL, NULL, NULL,
				   NULL), -ENOENT);
	assert_int_equal(live_tables(), 5);
	destroy_pt(&pt);
}

/* ---- random operations against a per-4K shadow ---- */

#define WIN_BASE	(SIZE_1G - MIB(8))
#define WIN_PAGES	((SIZE_1G + MIB(16)) / PAGE_SIZE)

struct shadow_page {
	paddr_t pa;		/* 0 = unmapped (pa 0 is never used here) */
	unsigned int flags;
};

static struct shadow_page *shadow;
static unsigned long seen_4k, seen_2m, seen_1g;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static void check_page(const struct page_table *pt, uint64_t i)
{
	uint64_t va = WIN_BASE + i * PAGE_SIZE;
	paddr_t pa;
	unsigned int flags;
	uint64_t size = 0;
	int ret = pt_lookup(pt, va + 0x18, &pa, &flags, &size);

	if (!shadow[i].pa) {
		assert_int_equal(ret, -ENOENT);
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(pa, shadow[i].pa + 0x18);
	assert_int_equal(flags, shadow[i].flags);
	seen_4k += size == PAGE_SIZE;
	seen_2m += size == SIZE_2M;
	seen_1g += size == SIZE_1G;
}

static void pick_range(uint64_t *first, uint64_t *n)
{
	static const uint64_t sizes[] = { 1, 3, 512, 513, 1024, 262144 };
	uint64_t f = rnd(WIN_PAGES);

	if (rnd(2))
		f = ALIGN_DOWN(WIN_BASE / PAGE_SIZE + f, 512) -
		    WIN_BASE / PAGE_SIZE;
	*n = rnd(4) ? sizes[rnd(ARRAY_SIZE(sizes))] : 1 + rnd(2000);
	if (rnd(8) == 0) {
		f = (SIZE_1G - WIN_BASE) / PAGE_SIZE;
		*n = 262144;
	}
	*n = MIN(*n, WIN_PAGES - f);
	*first = f;
}

static void test_stress(void **state)
{
	static const unsigned int flag_set[] = {
		PT_READ, RW, RX, RW | PT_EXEC | PT_GLOBAL, RW | PT_UNCACHED,
	};
	struct page_table pt;

	(void)state;
	shadow = calloc(WIN_PAGES, sizeof(*shadow));
	assert_non_null(shadow);
	init_pt(&pt);
	for (unsigned int iter = 0; iter < 3000; iter++) {
		uint64_t f, n, any = 0, all = 1;
		uint64_t va;
		unsigned int op = rnd(10), flags = flag_set[rnd(5)];
		int ret;

		pick_range(&f, &n);
		va = WIN_BASE + f * PAGE_SIZE;
		for (uint64_t i = f; i < f + n; i++) {
			any |= shadow[i].pa != 0;
			all &= shadow[i].pa != 0;
		}
		if (op < 5) {
			/* pa congruent to va modulo 1G, 2M or only 4K */
			paddr_t pa = (rnd(8) + 1) * SIZE_1G + (va & (SIZE_1G - 1));

			if (rnd(3) == 0)
				pa += SIZE_2M;
			if (rnd(3) == 0)
				pa += PAGE_SIZE;
			ret = pt_map(&pt, va, pa, n * PAGE_SIZE, flags,
				     rnd(4) ? SIZE_1G : SIZE_2M);
			assert_int_equal(ret, any ? -EEXIST : 0);
			for (uint64_t i = 0; !any && i < n; i++) {
				shadow[f + i].pa = pa + i * PAGE_SIZE;
				shadow[f + i].flags = flags;
			}
		} else if (op < 8) {
			assert_int_equal(pt_unmap(&pt, va, n * PAGE_SIZE), 0);
			for (uint64_t i = f; i < f + n; i++)
				shadow[i].pa = 0;
		} else {
			ret = pt_protect(&pt, va, n * PAGE_SIZE, flags);
			assert_int_equal(ret, all ? 0 : -ENOENT);
			for (uint64_t i = f; all && i < f + n; i++)
				shadow[i].flags = flags;
		}
		for (uint64_t i = f ? f - 1 : f; i <= f + n && i < WIN_PAGES; i++)
			if (n < 4096 || rnd(64) == 0)
				check_page(&pt, i);
		for (unsigned int i = 0; i < 64; i++)
			check_page(&pt, rnd(WIN_PAGES));
		if (iter % 500 == 499)
			for (uint64_t i = 0; i < WIN_PAGES; i++)
				check_page(&pt, i);
	}
	/* The walk must have met every page size along the way. */
	assert_true(seen_4k > 0 && seen_2m > 0 && seen_1g > 0);
	assert_int_equal(pt_unmap(&pt, WIN_BASE, WIN_PAGES * PAGE_SIZE), 0);
	assert_int_equal(live_tables(), 1);
	destroy_pt(&pt);
	free(shadow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_destroy, setup),
		cmocka_unit_test_setup(test_map_4k_raw, setup),
		cmocka_unit_test_setup(test_map_2m_raw, setup),
		cmocka_unit_test_setup(test_map_1g_raw, setup),
		cmocka_unit_test_setup(test_mixed_alignment, setup),
		cmocka_unit_test_setup(test_bad_args, setup),
		cmocka_unit_test_setup(test_eexist_unchanged, setup),
		cmocka_unit_test_setup(test_enomem_rollback, setup),
		cmocka_unit_test_setup(test_unmap_split_1g, setup),
		cmocka_unit_test_setup(test_protect, setup),
		cmocka_unit_test_setup(test_high_half, setup),
		cmocka_unit_test_setup(test_stress, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
