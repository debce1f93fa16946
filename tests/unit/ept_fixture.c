/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <plinth/errno.h>
#include <plinth/string.h>

#include "ept_fixture.h"

uint64_t tbl_mem[TBL_PAGES][PT_ENTRIES] __aligned(4096);
bool tbl_used[TBL_PAGES];
uint8_t ram[RAM_SIZE] __aligned(4096);
unsigned long n_allocs, n_frees;
long fail_after;		/* allocations before -ENOMEM; <0: never */
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

unsigned int tbl_index(paddr_t pa)
{
	assert_true(pa >= TBL_BASE);
	assert_true(pa < TBL_BASE + TBL_PAGES * PAGE_SIZE);
	assert_true(IS_ALIGNED(pa, PAGE_SIZE));
	return (pa - TBL_BASE) / PAGE_SIZE;
}

void fake_free(void *ctx, paddr_t pa)
{
	unsigned int i = tbl_index(pa);

	assert_ptr_equal(ctx, tbl_mem);
	assert_true(tbl_used[i]);
	tbl_used[i] = false;
	memset(tbl_mem[i], 0xdb, PAGE_SIZE);
	n_frees++;
}

void *fake_p2v(void *ctx, paddr_t pa)
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

const struct pt_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.phys_to_virt = fake_p2v,
	.ctx = tbl_mem,
};

int setup(void **state)
{
	(void)state;
	memset(tbl_used, 0, sizeof(tbl_used));
	n_allocs = n_frees = 0;
	n_p2v_unaligned = 0;
	fail_after = -1;
	return 0;
}

unsigned long live_tables(void)
{
	return n_allocs - n_frees;
}

void init_ept(struct ept *e, uint64_t max_page)
{
	unsigned long before = live_tables();

	assert_int_equal(ept_init(e, &fake_ops, max_page), 0);
	assert_int_equal(live_tables(), before + 1);
	assert_int_equal(e->max_page, max_page);
}

void destroy_all(struct ept *e)
{
	ept_destroy(e);
	assert_int_equal(n_allocs, n_frees);
	for (unsigned int i = 0; i < TBL_PAGES; i++)
		assert_false(tbl_used[i]);
	assert_int_equal(n_p2v_unaligned, 0);
}

/* Raw entry for gpa at a level; every non-leaf above must be exactly RWX. */
uint64_t raw_entry(const struct ept *e, uint64_t gpa, unsigned int level)
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

void expect_translate(const struct ept *e, uint64_t g, uint64_t want,
		      unsigned int want_flags)
{
	hpa_t h = hpa(0);
	unsigned int fl = 0;

	assert_int_equal(ept_translate(e, gpa(g), &h, &fl), 0);
	assert_int_equal(h.v, want);
	assert_int_equal(fl, want_flags);
}

uint64_t page_size_at(const struct ept *e, uint64_t g)
{
	uint64_t sz = 0;

	assert_int_equal(pt_lookup(&e->pt, g, NULL, NULL, &sz), 0);
	return sz;
}
