// SPDX-License-Identifier: GPL-2.0
/*
 * Copies to and from a partition's memory (vmm/mem/guest_ram.c) against
 * fake host frames handed out deliberately out of order: chunk boundaries,
 * the firmware area, high RAM above the MMIO hole, and every fault leaving
 * both sides untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/guest_ram.h>

#define CHUNKS 4
#define RAM_BYTES ((uint64_t)CHUNKS * SIZE_2M)
/* Fake frame addresses: frame i lives in frames[i]; the high bits prove frame_virt is used. */
#define FRAME_PA(i) (0x7700000000ULL + (uint64_t)(i) * SIZE_2M)

static uint8_t *frames[CHUNKS];
static paddr_t chunks[CHUNKS];
static struct guest_layout layout;
static struct guest_ram ram;

static void *fake_frame_virt(paddr_t pa)
{
	uint64_t i = (pa - FRAME_PA(0)) / SIZE_2M;

	assert_true(pa >= FRAME_PA(0) && i < CHUNKS && pa == FRAME_PA(i));
	return frames[i];
}

/* The byte of backing offset off, through the out-of-order chunk list. */
static uint8_t *backing(uint64_t off)
{
	return (uint8_t *)fake_frame_virt(chunks[off / SIZE_2M]) + off % SIZE_2M;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < CHUNKS; i++) {
		frames[i] = malloc(SIZE_2M);
		assert_non_null(frames[i]);
		/* Backing chunk i is held by frame CHUNKS-1-i. */
		chunks[i] = FRAME_PA(CHUNKS - 1 - i);
	}
	for (uint64_t off = 0; off < RAM_BYTES; off++)
		*backing(off) = (uint8_t)(off * 13 + (off >> 21));
	assert_int_equal(guest_layout_build(&layout, RAM_BYTES), 0);
	ram = (struct guest_ram){ .layout = &layout, .chunks = chunks, .chunk_count = CHUNKS,
				  .frame_virt = fake_frame_virt };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < CHUNKS; i++)
		free(frames[i]);
	return 0;
}

static void test_copy_across_chunks(void **state)
{
	static uint8_t buf[3 * SIZE_2M], in[3 * SIZE_2M];
	uint64_t at = SIZE_2M - 100, off;
	size_t len = SIZE_2M + 300;

	(void)state;
	assert_int_equal(guest_layout_backing_offset(&layout, gpa(at), &off), 0);
	assert_int_equal(guest_ram_copy(&ram, gpa(at), buf, len, false), 0);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(buf[i], *backing(off + i));
	for (size_t i = 0; i < len; i++)
		in[i] = (uint8_t)~i;
	assert_int_equal(guest_ram_copy(&ram, gpa(at), in, len, true), 0);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(*backing(off + i), in[i]);
	/* The bytes either side are untouched. */
	assert_int_equal(*backing(off - 1), (uint8_t)((off - 1) * 13 + ((off - 1) >> 21)));
	assert_int_equal(*backing(off + len), (uint8_t)((off + len) * 13 + ((off + len) >> 21)));
}

/* The firmware area (ACPI tables, a real-mode image's reset vector) is reachable like RAM. */
static void test_firmware_area(void **state)
{
	uint8_t b = 0x5c;

	(void)state;
	assert_int_equal(guest_ram_copy(&ram, gpa(0xffff0), &b, 1, true), 0);
	b = 0;
	assert_int_equal(guest_ram_copy(&ram, gpa(0xffff0), &b, 1, false), 0);
	assert_int_equal(b, 0x5c);
}

static void expect_fault(uint64_t at, size_t len)
{
	static uint8_t buf[64], orig[64];
	uint8_t *snap = malloc(RAM_BYTES);

	assert_non_null(snap);
	assert_true(len <= sizeof(buf));
	for (uint64_t off = 0; off < RAM_BYTES; off++)
		snap[off] = *backing(off);
	memset(buf, 0xee, sizeof(buf));
	memcpy(orig, buf, sizeof(buf));
	assert_int_equal(guest_ram_copy(&ram, gpa(at), buf, len, false), -EFAULT);
	assert_memory_equal(buf, orig, sizeof(buf));
	assert_int_equal(guest_ram_copy(&ram, gpa(at), buf, len, true), -EFAULT);
	for (uint64_t off = 0; off < RAM_BYTES; off++)
		assert_int_equal(snap[off], *backing(off));
	free(snap);
}

static void test_faults(void **state)
{
	(void)state;
	expect_fault(RAM_BYTES, 1);                 /* just past the end */
	expect_fault(RAM_BYTES - 4, 8);             /* running past the end */
	expect_fault(GUEST_MMIO_HOLE_START, 4);     /* the device hole */
	expect_fault(0xfee00000, 4);                /* the LAPIC page */
	expect_fault(UINT64_MAX - 3, 8);            /* wraps */
	expect_fault(0x1000000000000ULL, 1);        /* beyond what the EPT reaches */
}

/* A layout that claims more than the chunks hold is caught, not read past the list. */
static void test_short_chunk_list(void **state)
{
	struct guest_ram r = ram;
	uint8_t b;

	(void)state;
	r.chunk_count = CHUNKS - 1;
	assert_int_equal(guest_ram_copy(&r, gpa(RAM_BYTES - 1), &b, 1, false), -EFAULT);
	assert_int_equal(guest_ram_copy(&r, gpa(RAM_BYTES - SIZE_2M - 1), &b, 1, false), 0);
}

static void test_zero_length(void **state)
{
	(void)state;
	assert_int_equal(guest_ram_copy(&ram, gpa(0x1000), NULL, 0, false), 0);
	assert_int_equal(guest_ram_copy(&ram, gpa(RAM_BYTES - 1), NULL, 0, true), 0);
	/* Nothing is touched, so where does not matter. */
	assert_int_equal(guest_ram_copy(&ram, gpa(GUEST_MMIO_HOLE_START + 8), NULL, 0, true), 0);
}

/* RAM above 3 GiB resumes at 4 GiB and continues the backing at offset 3 GiB. */
static void test_high_ram(void **state)
{
	struct guest_layout big;
	struct guest_ram r = ram;
	uint64_t off;

	(void)state;
	assert_int_equal(guest_layout_build(&big, GUEST_MMIO_HOLE_START + SIZE_2M), 0);
	assert_int_equal(guest_layout_backing_offset(&big, gpa(GUEST_MMIO_HOLE_END), &off), 0);
	assert_int_equal(off, GUEST_MMIO_HOLE_START);
	/* With only CHUNKS chunks behind it, that high RAM has no backing: refused. */
	r.layout = &big;
	expect_fault(GUEST_MMIO_HOLE_END, 1);
	{
		uint8_t b;

		assert_int_equal(guest_ram_copy(&r, gpa(GUEST_MMIO_HOLE_END), &b, 1, false),
				 -EFAULT);
		assert_int_equal(guest_ram_copy(&r, gpa(0x2000), &b, 1, false), 0);
		assert_int_equal(b, *backing(0x2000));
	}
}

/* A mapping is handed out only for RAM inside one chunk, and points at its backing. */
static void test_map(void **state)
{
	gpa_t at = { 0x1000 };

	(void)state;
	assert_ptr_equal(guest_ram_map(&ram, at, 64), backing(0x1000));
	at.v = SIZE_2M + 0x10;
	assert_ptr_equal(guest_ram_map(&ram, at, SIZE_2M - 0x10), backing(SIZE_2M + 0x10));
	/* Across a chunk boundary the host frames are not adjacent. */
	at.v = SIZE_2M - 8;
	assert_null(guest_ram_map(&ram, at, 16));
	/* The firmware area is backed but not RAM, and empty or out-of-RAM ranges never map. */
	at.v = 0xe0000;
	assert_null(guest_ram_map(&ram, at, 16));
	at.v = 0x1000;
	assert_null(guest_ram_map(&ram, at, 0));
	at.v = RAM_BYTES - 8;
	assert_null(guest_ram_map(&ram, at, 16));
	at.v = ~0ULL - 4;
	assert_null(guest_ram_map(&ram, at, 16));
	/* A chunk list shorter than the layout: the missing chunks never map. */
	ram.chunk_count = 1;
	at.v = SIZE_2M + 0x10;
	assert_null(guest_ram_map(&ram, at, 16));
	ram.chunk_count = CHUNKS;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_across_chunks),
		cmocka_unit_test(test_firmware_area),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_short_chunk_list),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_high_ram),
		cmocka_unit_test(test_map),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
