/* SPDX-License-Identifier: GPL-2.0 */
/* EPT: hypervisor copies to/from guest memory, partition isolation, teardown. */
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
		cmocka_unit_test_setup(test_copy_boundaries, setup),
		cmocka_unit_test_setup(test_copy_faults, setup),
		cmocka_unit_test_setup(test_isolation, setup),
		cmocka_unit_test_setup(test_destroy_frees_all, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
