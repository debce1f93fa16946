/* SPDX-License-Identifier: GPL-2.0 */
/* The per-partition I/O bus: registration, overlap refusal and address lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <plinth/errno.h>
#include <vmm/io_bus.h>

static int dummy_access(struct vcpu *v, void *opaque, uint64_t offset, unsigned int size,
			bool write, uint64_t *value)
{
	(void)v;
	(void)opaque;
	(void)offset;
	(void)size;
	(void)write;
	(void)value;
	return 0;
}

static const struct io_dev_ops ops = { .access = dummy_access };
static int dev_a, dev_b;

static int setup(void **state)
{
	static struct io_bus bus;

	io_bus_init(&bus);
	*state = &bus;
	return 0;
}

static void test_register_and_find(void **state)
{
	struct io_bus *bus = *state;
	const struct io_range *r;
	uint64_t off = 99;

	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x3f8, 8, &ops, &dev_a, "uart"), 0);
	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x500, 16, &ops, &dev_b, "test"), 0);
	r = io_bus_find(bus, IO_SPACE_PORT, 0x3fd, 1, &off);
	assert_non_null(r);
	assert_ptr_equal(r->opaque, &dev_a);
	assert_ptr_equal(r->ops, &ops);
	assert_string_equal(r->name, "uart");
	assert_int_equal(r->base, 0x3f8);
	assert_int_equal(r->size, 8);
	assert_int_equal(off, 5);
	r = io_bus_find(bus, IO_SPACE_PORT, 0x504, 4, &off);
	assert_non_null(r);
	assert_ptr_equal(r->opaque, &dev_b);
	assert_int_equal(off, 4);
	/* The offset pointer is optional. */
	assert_non_null(io_bus_find(bus, IO_SPACE_PORT, 0x500, 1, NULL));
	assert_null(io_bus_find(bus, IO_SPACE_PORT, 0x400, 1, &off));
}

static void test_rejects_bad_ranges(void **state)
{
	struct io_bus *bus = *state;
	static const struct io_dev_ops no_access = { .access = NULL };

	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x1000, 0, &ops, NULL, "empty"),
			 -EINVAL);
	/* Would wrap past 2^64. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, UINT64_MAX - 0xff, 0x200, &ops, NULL,
					 "wrap"), -EINVAL);
	/* Ports are 16-bit: the last port is 0xffff. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0xfff0, 0x11, &ops, NULL, "past"),
			 -EINVAL);
	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x10000, 1, &ops, NULL, "past"),
			 -EINVAL);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x1000, 1, NULL, NULL, "no ops"),
			 -EINVAL);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x1000, 1, &no_access, NULL, "no fn"),
			 -EINVAL);
	assert_int_equal(io_bus_register(bus, IO_SPACE_COUNT, 0x1000, 1, &ops, NULL, "space"),
			 -EINVAL);
	/* Nothing of the above was registered. */
	assert_int_equal(bus->space[IO_SPACE_PORT].count, 0);
	assert_int_equal(bus->space[IO_SPACE_MMIO].count, 0);

	/* The very ends of each space are fine. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0xfff0, 0x10, &ops, NULL, "top"), 0);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, UINT64_MAX - 0xff, 0x100, &ops, NULL,
					 "top"), 0);
	assert_non_null(io_bus_find(bus, IO_SPACE_MMIO, UINT64_MAX, 1, NULL));
	/* A lookup that would wrap is not claimed either. */
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, UINT64_MAX, 2, NULL));
}

static void test_refuses_overlap(void **state)
{
	struct io_bus *bus = *state;

	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x2000, 0x1000, &ops, &dev_a, "a"), 0);
	/* Same range, inside, covering, and one byte over either end. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x2000, 0x1000, &ops, NULL, "x"),
			 -EEXIST);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x2800, 0x10, &ops, NULL, "x"),
			 -EEXIST);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x1000, 0x3000, &ops, NULL, "x"),
			 -EEXIST);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x1000, 0x1001, &ops, NULL, "x"),
			 -EEXIST);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x2fff, 0x10, &ops, NULL, "x"),
			 -EEXIST);
	/* Adjacent on both sides is not an overlap. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x1000, 0x1000, &ops, NULL, "below"),
			 0);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x3000, 0x1000, &ops, NULL, "above"),
			 0);
	assert_int_equal(bus->space[IO_SPACE_MMIO].count, 3);
	/* The refused registrations left the original owner in place. */
	assert_ptr_equal(io_bus_find(bus, IO_SPACE_MMIO, 0x2800, 4, NULL)->opaque, &dev_a);
}

static void test_boundaries(void **state)
{
	struct io_bus *bus = *state;
	const struct io_range *r;
	uint64_t off;

	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0xfee00000, 0x1000, &ops, &dev_a,
					 "lapic"), 0);
	/* First and last byte. */
	r = io_bus_find(bus, IO_SPACE_MMIO, 0xfee00000, 1, &off);
	assert_non_null(r);
	assert_int_equal(off, 0);
	r = io_bus_find(bus, IO_SPACE_MMIO, 0xfee00fff, 1, &off);
	assert_non_null(r);
	assert_int_equal(off, 0xfff);
	/* The last whole 8-byte access, then ones straddling the end. */
	r = io_bus_find(bus, IO_SPACE_MMIO, 0xfee00ff8, 8, &off);
	assert_non_null(r);
	assert_int_equal(off, 0xff8);
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0xfee00ff9, 8, &off));
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0xfee00fff, 2, &off));
	/* Just outside on either side, and one starting below the range. */
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0xfedfffff, 1, &off));
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0xfee01000, 1, &off));
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0xfedffffe, 4, &off));
	/* A zero-byte access claims nothing. */
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0xfee00000, 0, &off));
}

/* A straddling access is not handed to the next range either. */
static void test_straddle_between_adjacent(void **state)
{
	struct io_bus *bus = *state;

	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x510, 4, &ops, &dev_a, "a"), 0);
	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x514, 4, &ops, &dev_b, "b"), 0);
	assert_ptr_equal(io_bus_find(bus, IO_SPACE_PORT, 0x510, 4, NULL)->opaque, &dev_a);
	assert_ptr_equal(io_bus_find(bus, IO_SPACE_PORT, 0x514, 4, NULL)->opaque, &dev_b);
	assert_null(io_bus_find(bus, IO_SPACE_PORT, 0x512, 4, NULL));
}

static void test_spaces_are_separate(void **state)
{
	struct io_bus *bus = *state;
	const struct io_range *r;

	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x500, 16, &ops, &dev_a, "port"), 0);
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0x500, 1, NULL));
	/* The same numbers in the other space do not overlap. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x500, 16, &ops, &dev_b, "mmio"), 0);
	r = io_bus_find(bus, IO_SPACE_PORT, 0x508, 1, NULL);
	assert_non_null(r);
	assert_ptr_equal(r->opaque, &dev_a);
	r = io_bus_find(bus, IO_SPACE_MMIO, 0x508, 1, NULL);
	assert_non_null(r);
	assert_ptr_equal(r->opaque, &dev_b);
	assert_null(io_bus_find(bus, IO_SPACE_COUNT, 0x508, 1, NULL));
}

static void test_capacity(void **state)
{
	struct io_bus *bus = *state;
	unsigned int i;

	for (i = 0; i < IO_BUS_MAX_RANGES; i++)
		assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x10000 + i * 0x1000, 0x1000,
						 &ops, NULL, "fill"), 0);
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x100000, 0x1000, &ops, NULL, "more"),
			 -ENOSPC);
	/* An overlap is still reported as such when full. */
	assert_int_equal(io_bus_register(bus, IO_SPACE_MMIO, 0x10000, 1, &ops, NULL, "dup"),
			 -EEXIST);
	/* Every entry is still found, and the port space is unaffected. */
	for (i = 0; i < IO_BUS_MAX_RANGES; i++) {
		uint64_t off;

		assert_non_null(io_bus_find(bus, IO_SPACE_MMIO, 0x10fff + i * 0x1000, 1, &off));
		assert_int_equal(off, 0xfff);
	}
	assert_null(io_bus_find(bus, IO_SPACE_MMIO, 0x100000, 1, NULL));
	assert_int_equal(io_bus_register(bus, IO_SPACE_PORT, 0x3f8, 8, &ops, NULL, "uart"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register_and_find, setup),
		cmocka_unit_test_setup(test_rejects_bad_ranges, setup),
		cmocka_unit_test_setup(test_refuses_overlap, setup),
		cmocka_unit_test_setup(test_boundaries, setup),
		cmocka_unit_test_setup(test_straddle_between_adjacent, setup),
		cmocka_unit_test_setup(test_spaces_are_separate, setup),
		cmocka_unit_test_setup(test_capacity, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
