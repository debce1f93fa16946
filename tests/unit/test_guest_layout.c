/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <plinth/errno.h>
#include <vmm/guest_layout.h>

#define HOLE GUEST_MMIO_HOLE_START
#define HOLE_END GUEST_MMIO_HOLE_END
#define FW GUEST_FIRMWARE_START
#define FW_END GUEST_FIRMWARE_END

static struct guest_layout l;

static void check_region(unsigned int i, uint64_t start, uint64_t size, enum guest_region_type t)
{
	assert_true(i < l.count);
	assert_int_equal(l.region[i].start.v, start);
	assert_int_equal(l.region[i].size, size);
	assert_int_equal(l.region[i].type, t);
}

static bool ram(uint64_t a, uint64_t len)
{
	return guest_layout_is_ram(&l, gpa(a), len);
}

static uint64_t offset_of(uint64_t a)
{
	uint64_t off = 0xdead;

	assert_int_equal(guest_layout_ram_offset(&l, gpa(a), &off), 0);
	return off;
}

static void assert_not_ram_offset(uint64_t a)
{
	uint64_t off = 0xdead;

	assert_int_equal(guest_layout_ram_offset(&l, gpa(a), &off), -EFAULT);
	assert_int_equal(off, 0xdead);
}

static bool backed(uint64_t a, uint64_t len)
{
	return guest_layout_is_backed(&l, gpa(a), len);
}

/*
 * Regions 0..2 for low_end bytes of low RAM: base memory, the firmware area
 * (reserved but backed, at backing offset = gpa), RAM from 1 MiB.
 */
static void check_low(uint64_t low_end)
{
	uint64_t off = 0xdead;

	check_region(0, 0, FW, GUEST_REGION_RAM);
	check_region(1, FW, FW_END - FW, GUEST_REGION_RESERVED);
	check_region(2, FW_END, low_end - FW_END, GUEST_REGION_RAM);
	assert_true(ram(0, FW));
	assert_true(ram(FW, 0));	/* empty, at the end of base memory */
	assert_true(ram(FW_END, 0));	/* empty, at the start of RAM from 1 MiB */
	assert_false(ram(FW, 1));
	assert_false(ram(FW_END - 1, 1));
	assert_false(ram(FW - 1, 2));
	assert_false(ram(0, FW_END));
	assert_true(ram(FW_END, low_end - FW_END));
	assert_true(backed(FW, FW_END - FW));
	assert_true(backed(0, FW));
	/* Across the firmware area's edges: backed, and one run in the backing. */
	assert_true(backed(FW - 1, 2));
	assert_true(backed(FW_END - 1, 2));
	assert_true(backed(0, low_end));
	assert_false(backed(0, low_end + 1));
	assert_false(backed(FW, UINT64_MAX));	/* wraps */
	assert_not_ram_offset(FW);
	assert_not_ram_offset(FW_END - 1);
	assert_int_equal(guest_layout_backing_offset(&l, gpa(FW + 0x123), &off), 0);
	assert_int_equal(off, FW + 0x123);
	assert_int_equal(guest_layout_backing_offset(&l, gpa(FW_END - 1), &off), 0);
	assert_int_equal(off, FW_END - 1);
	assert_int_equal(offset_of(FW_END), FW_END);
	assert_int_equal(offset_of(FW - 1), FW - 1);
	assert_int_equal(guest_layout_find(&l, gpa(FW))->type, GUEST_REGION_RESERVED);
}

/* The hole and the devices in it are never RAM, whatever the size. */
static void check_hole_never_ram(void)
{
	const struct guest_region *r = guest_layout_find(&l, gpa(GUEST_LAPIC_BASE));

	assert_non_null(r);
	assert_int_equal(r->type, GUEST_REGION_MMIO_HOLE);
	assert_false(ram(HOLE, 1));
	assert_false(ram(HOLE_END - 1, 1));
	assert_false(ram(GUEST_LAPIC_BASE, 4));
	assert_false(ram(GUEST_TESTDEV_MMIO, 8));
	assert_false(ram(HOLE + 1, 0)); /* (HOLE, 0) is the end of 3 GiB of low RAM */
	assert_not_ram_offset(HOLE);
	assert_not_ram_offset(GUEST_LAPIC_BASE);
	assert_not_ram_offset(GUEST_TESTDEV_MMIO);
	assert_not_ram_offset(HOLE_END - 1);
	/* A range running from RAM into the hole or over it. */
	assert_false(ram(HOLE - 8, 16));
	assert_false(ram(HOLE - 8, HOLE_END - HOLE + 16));
	assert_false(ram(0, UINT64_MAX));
	assert_false(backed(HOLE, 1));
	assert_false(backed(GUEST_LAPIC_BASE, 4));
	assert_int_equal(guest_layout_backing_offset(&l, gpa(HOLE), &(uint64_t){ 0 }), -EFAULT);
}

static void test_below_3g(void **state)
{
	(void)state;
	assert_int_equal(guest_layout_build(&l, MIB(8)), 0);
	assert_int_equal(l.ram_size, MIB(8));
	assert_int_equal(l.count, 4);
	check_low(MIB(8));
	check_region(3, HOLE, HOLE_END - HOLE, GUEST_REGION_MMIO_HOLE);
	assert_true(ram(FW_END, MIB(8) - FW_END));
	assert_true(ram(MIB(8) - 1, 1));
	assert_false(ram(MIB(8), 1));
	assert_false(ram(MIB(8) - 1, 2)); /* straddles the end of RAM */
	assert_false(ram(FW_END, MIB(8) - FW_END + 1));
	assert_true(ram(MIB(8), 0));	  /* empty, at the end */
	assert_false(ram(MIB(8) + 1, 0));
	assert_int_equal(offset_of(0), 0);
	assert_int_equal(offset_of(MIB(8) - 1), MIB(8) - 1);
	assert_not_ram_offset(MIB(8));
	/* Between RAM and the hole: in no region at all. */
	assert_null(guest_layout_find(&l, gpa(MIB(8))));
	assert_null(guest_layout_find(&l, gpa(HOLE - 1)));
	/* The probe guests' addresses: 4 GiB and 512 GiB are outside. */
	assert_null(guest_layout_find(&l, gpa(HOLE_END)));
	assert_null(guest_layout_find(&l, gpa(GIB(512))));
	assert_false(ram(HOLE_END, 8));
	assert_not_ram_offset(HOLE_END);
	check_hole_never_ram();
}

static void test_exactly_3g(void **state)
{
	(void)state;
	assert_int_equal(guest_layout_build(&l, GIB(3)), 0);
	assert_int_equal(l.count, 4);
	check_low(GIB(3));
	check_region(3, HOLE, HOLE_END - HOLE, GUEST_REGION_MMIO_HOLE);
	assert_true(ram(FW_END, GIB(3) - FW_END));
	assert_true(ram(HOLE - 1, 1));
	assert_true(ram(HOLE, 0));
	assert_int_equal(offset_of(HOLE - 1), HOLE - 1);
	assert_false(ram(HOLE_END, 1));
	assert_not_ram_offset(HOLE_END);
	check_hole_never_ram();
}

static void test_above_3g(void **state)
{
	uint64_t high_end = HOLE_END + GIB(5);

	(void)state;
	assert_int_equal(guest_layout_build(&l, GIB(8)), 0);
	assert_int_equal(l.ram_size, GIB(8));
	assert_int_equal(l.count, 5);
	check_low(GIB(3));
	check_region(3, HOLE, HOLE_END - HOLE, GUEST_REGION_MMIO_HOLE);
	check_region(4, HOLE_END, GIB(5), GUEST_REGION_RAM);
	assert_true(ram(FW_END, GIB(3) - FW_END));
	assert_true(ram(HOLE_END, GIB(5)));
	assert_true(ram(high_end - 1, 1));
	assert_true(ram(high_end, 0));
	assert_false(ram(high_end, 1));
	assert_false(ram(high_end - 1, 2));
	assert_false(ram(HOLE_END - 1, 2)); /* the last hole byte and the first high RAM byte */
	/* High RAM continues the backing right after low RAM. */
	assert_int_equal(offset_of(0), 0);
	assert_int_equal(offset_of(HOLE - 1), GIB(3) - 1);
	assert_int_equal(offset_of(HOLE_END), GIB(3));
	assert_int_equal(offset_of(HOLE_END + 0x1234), GIB(3) + 0x1234);
	assert_int_equal(offset_of(high_end - 1), GIB(8) - 1);
	assert_true(backed(HOLE_END, GIB(5)));
	assert_not_ram_offset(high_end);
	check_hole_never_ram();
}

/* Just over 3 GiB: one page of high RAM. */
static void test_one_page_above_3g(void **state)
{
	(void)state;
	assert_int_equal(guest_layout_build(&l, GIB(3) + PAGE_SIZE), 0);
	assert_int_equal(l.count, 5);
	check_region(4, HOLE_END, PAGE_SIZE, GUEST_REGION_RAM);
	assert_true(ram(HOLE_END, PAGE_SIZE));
	assert_false(ram(HOLE_END, PAGE_SIZE + 1));
	assert_int_equal(offset_of(HOLE_END + PAGE_SIZE - 1), GIB(3) + PAGE_SIZE - 1);
	check_hole_never_ram();
}

static void test_iterate(void **state)
{
	const struct guest_region *r;
	uint64_t ram_bytes = 0, backed_bytes = 0, prev_end = 0;
	unsigned int n = 0;

	(void)state;
	assert_int_equal(guest_layout_build(&l, GIB(4)), 0);
	guest_layout_for_each(&l, r) {
		assert_true(r->start.v >= prev_end); /* ordered, disjoint */
		prev_end = r->start.v + r->size;
		if (r->type == GUEST_REGION_RAM)
			ram_bytes += r->size;
		if (guest_region_backed(r))
			backed_bytes += r->size;
		n++;
	}
	assert_int_equal(n, 5);
	/* ram_size counts the backing: the firmware area takes its share. */
	assert_int_equal(backed_bytes, GIB(4));
	assert_int_equal(ram_bytes, GIB(4) - (FW_END - FW));
	assert_null(guest_layout_next(NULL, NULL));
}

static void test_bad_sizes(void **state)
{
	uint64_t top = GUEST_PHYS_LIMIT - (HOLE_END - HOLE); /* RAM ending at the limit */

	(void)state;
	assert_int_equal(guest_layout_build(NULL, MIB(8)), -EINVAL);
	assert_int_equal(guest_layout_build(&l, 0), -EINVAL);
	assert_int_equal(l.count, 0);
	assert_false(ram(0, 1));
	assert_false(ram(0, 0));
	assert_int_equal(guest_layout_build(&l, MIB(8) + 1), -EINVAL);
	assert_int_equal(guest_layout_build(&l, PAGE_SIZE - 1), -EINVAL);
	assert_int_equal(guest_layout_build(&l, MIB(8) + PAGE_SIZE / 2), -EINVAL);
	assert_int_equal(guest_layout_build(&l, top + PAGE_SIZE), -EINVAL);
	assert_int_equal(guest_layout_build(&l, UINT64_MAX & ~(PAGE_SIZE - 1)), -EINVAL);
	assert_int_equal(guest_layout_build(&l, GUEST_PHYS_LIMIT), -EINVAL);
	assert_int_equal(l.count, 0);
	assert_int_equal(guest_layout_build(&l, PAGE_SIZE), 0);
	assert_true(ram(0, PAGE_SIZE));
	assert_int_equal(l.count, 2);	/* no firmware area below its start */
	/* A partition ending inside the firmware area gets what fits of it. */
	assert_int_equal(guest_layout_build(&l, FW + PAGE_SIZE), 0);
	assert_int_equal(l.count, 3);
	check_region(1, FW, PAGE_SIZE, GUEST_REGION_RESERVED);
	assert_false(backed(FW, PAGE_SIZE + 1));
	assert_int_equal(guest_layout_build(&l, FW_END), 0);
	assert_int_equal(l.count, 3);
	check_region(1, FW, FW_END - FW, GUEST_REGION_RESERVED);
	check_region(2, HOLE, HOLE_END - HOLE, GUEST_REGION_MMIO_HOLE);
	assert_int_equal(guest_layout_build(&l, top), 0);
	assert_true(ram(GUEST_PHYS_LIMIT - 1, 1));
	assert_int_equal(offset_of(GUEST_PHYS_LIMIT - 1), top - 1);
}

/* gpa + len wrapping past 2^64 must not look like a short range. */
static void test_wrap(void **state)
{
	uint64_t off;

	(void)state;
	assert_int_equal(guest_layout_build(&l, GIB(8)), 0);
	assert_false(ram(0x1000, UINT64_MAX));
	assert_false(ram(0x1000, UINT64_MAX - 0xfff));	/* ends exactly at 2^64 */
	assert_false(ram(0x1000, UINT64_MAX - 0xfff + 0x10)); /* wraps to 0x10 */
	assert_false(ram(HOLE_END, UINT64_MAX));
	assert_false(ram(UINT64_MAX, 2));
	assert_false(ram(UINT64_MAX, 1));
	assert_false(ram(UINT64_MAX, 0));
	assert_false(ram(UINT64_MAX - 0xf, 0x20));
	assert_int_equal(guest_layout_ram_offset(&l, gpa(UINT64_MAX), &off), -EFAULT);
	assert_int_equal(guest_layout_ram_offset(NULL, gpa(0), &off), -EINVAL);
	assert_int_equal(guest_layout_ram_offset(&l, gpa(0), NULL), -EINVAL);
	assert_false(guest_layout_is_ram(NULL, gpa(0), 1));
	assert_null(guest_layout_find(NULL, gpa(0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_below_3g),
		cmocka_unit_test(test_exactly_3g),
		cmocka_unit_test(test_above_3g),
		cmocka_unit_test(test_one_page_above_3g),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
