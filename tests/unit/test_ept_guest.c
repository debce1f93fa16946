/* SPDX-License-Identifier: GPL-2.0 */
/* EPT: partition isolation and teardown. */
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
		cmocka_unit_test_setup(test_isolation, setup),
		cmocka_unit_test_setup(test_destroy_frees_all, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
